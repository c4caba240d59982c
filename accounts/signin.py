"""Who may sign in, with which role, and the lockout that resists guessing.

`Access` is the app's one view of the accounts: the users file (re-read when it changes, so
`python app.py users add` needs no restart) plus the legacy plain `user:password` sources, read
as editors. Without any account it is *open*: no sign-in, everyone an editor (local-only unless
`--open`).

Gradio's `/login` route calls `Access.check(username, password)` and knows nothing of the client;
`ClientAddressMiddleware` puts the address of a `/login` request in a context variable that
the check reads (uvicorn has already applied X-Forwarded-For from a proxy on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from .audit import AuditLog
from .users import Account, UsersFileError, dummy_check, find, load_users, verify_password

MAX_FAILURES = 5
WINDOW_SECONDS = 10 * 60
LOCK_SECONDS = 10 * 60
# One message for an unknown name and a wrong password: nothing tells whether a name exists.
SIGN_IN_FAILED = "Sign-in failed: the name or the password is not right."
LOCKED_OUT = ("Too many failed sign-ins for this name or from this address: sign-in is refused "
              "for 10 minutes. Try again later.")
AUTH_MESSAGE = ("Sign in to the MAT evidence app. After 5 failed sign-ins for one name or from "
                "one address, sign-in is refused for 10 minutes.")

CLIENT_ADDRESS: contextvars.ContextVar[str] = contextvars.ContextVar("client_address",
                                                                     default="")


class ClientAddressMiddleware:
    """Pure ASGI: for a /login request, the client's address in CLIENT_ADDRESS."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and scope.get("path", "").rstrip("/").endswith("/login"):
            client = scope.get("client")
            token = CLIENT_ADDRESS.set(client[0] if client else "")
            try:
                await self.app(scope, receive, send)
            finally:
                CLIENT_ADDRESS.reset(token)
        else:
            await self.app(scope, receive, send)


@dataclass
class Lockout:
    """Failed sign-ins per name and per address; five within WINDOW_SECONDS lock that name or
    address for LOCK_SECONDS. Kept in memory, and rebuilt from the audit file on start so that
    a restart does not lift a lockout."""

    max_failures: int = MAX_FAILURES
    window: float = WINDOW_SECONDS
    lock_for: float = LOCK_SECONDS
    clock: object = time.time
    _failures: dict[str, deque] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def keys(name: str, address: str) -> list[str]:
        keys = ["name:" + name.strip().lower()]
        if address:
            keys.append("addr:" + address)
        return keys

    def locked(self, name: str, address: str) -> bool:
        now = self.clock()
        with self._lock:
            for key in self.keys(name, address):
                until = self._locked_until.get(key)
                if until is not None and now < until:
                    return True
                if until is not None:  # expired: a fresh start
                    del self._locked_until[key]
                    self._failures.pop(key, None)
        return False

    def failed(self, name: str, address: str, at: float | None = None) -> None:
        at = self.clock() if at is None else at
        with self._lock:
            for key in self.keys(name, address):
                times = self._failures.setdefault(key, deque())
                times.append(at)
                while times and times[0] <= at - self.window:
                    times.popleft()
                if len(times) >= self.max_failures:
                    self._locked_until[key] = at + self.lock_for
                    times.clear()


class SignInRefused(Exception):
    """Raised by Access.check with the plain message (the route turns it into HTTP 400)."""


@dataclass
class Access:
    users_file: Path | None = None
    legacy: tuple[tuple[str, str], ...] = ()  # plain user:password pairs, read as editors
    audit: AuditLog | None = None
    lockout: Lockout = field(default_factory=Lockout)
    _accounts: dict[str, Account] = field(default_factory=dict)
    _stamp: tuple = ()
    _reload: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.reload(force=True)
        self._replay_failures()

    @property
    def open(self) -> bool:
        """No account anywhere: no sign-in, everyone an editor."""
        return not self.accounts()

    def reload(self, force: bool = False) -> None:
        """Re-read the users file when its size or time changed. A file that has become
        unusable keeps the accounts read last (and says so on stderr), never opens the app."""
        stamp: tuple = ()
        if self.users_file is not None:
            try:
                st = Path(self.users_file).stat()
                stamp = (st.st_mtime_ns, st.st_size, st.st_mode)
            except FileNotFoundError:
                stamp = ("missing",)
        if not force and stamp == self._stamp:
            return
        with self._reload:
            accounts = {n: Account(n, "editor", "plain$" + p) for n, p in self.legacy}
            if stamp and stamp != ("missing",):
                try:
                    accounts.update(load_users(Path(self.users_file)))
                except UsersFileError as exc:
                    if force:
                        raise
                    import sys

                    print(f"warning: {exc}; keeping the accounts read before", file=sys.stderr)
                    self._stamp = stamp
                    return
            self._accounts, self._stamp = accounts, stamp

    def accounts(self) -> dict[str, Account]:
        self.reload()
        return self._accounts

    def role(self, username: str | None) -> str | None:
        """"editor" or "reader"; everyone is an editor when the app is open; None for a name
        that no longer has an account (removed while signed in)."""
        accounts = self.accounts()
        if not accounts:
            return "editor"
        if not username:
            return None
        account = find(accounts, username)
        return account.role if account else None

    def is_editor(self, username: str | None) -> bool:
        return self.role(username) == "editor"

    # ---- sign-in --------------------------------------------------------------------------

    def verify(self, username: str, password: str, address: str = "") -> bool:
        """The whole sign-in decision, synchronous (tests and the async route share it).
        Raises SignInRefused(LOCKED_OUT) during a lockout."""
        name = (username or "").strip()
        if self.lockout.locked(name, address):
            self._log(name, None, "refused: locked out", address)
            raise SignInRefused(LOCKED_OUT)
        account = find(self.accounts(), name) if name else None
        if account is None:
            dummy_check(password or "")
            ok = False
        else:
            ok = verify_password(password or "", account.password)
        if ok:
            self._log(account.name, account.role, "ok", address)
            return True
        self.lockout.failed(name, address)
        self._log(name, None, "failed", address)
        return False

    async def check(self, username: str, password: str) -> bool:
        """Gradio's auth callable: scrypt runs in a thread so sign-ins do not stall the server."""
        from fastapi import HTTPException

        address = CLIENT_ADDRESS.get()
        try:
            ok = await asyncio.to_thread(self.verify, username, password, address)
        except SignInRefused as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        if not ok:
            raise HTTPException(status_code=400, detail=SIGN_IN_FAILED)
        return True

    def _log(self, user: str, role: str | None, result: str, address: str) -> None:
        if self.audit is not None:
            self.audit.append("sign-in", user=user[:100], role=role, result=result,
                              address=address)

    def _replay_failures(self) -> None:
        """Failed sign-ins of the last window, from the audit file, so a restart keeps them."""
        if self.audit is None or self.open:
            return
        from .audit import age_seconds

        now = self.lockout.clock()
        for e in self.audit.read():
            if e.get("action") != "sign-in" or e.get("result") != "failed":
                continue
            age = age_seconds(e)
            if age < self.lockout.window:
                self.lockout.failed(e.get("user", ""), e.get("address", ""), at=now - age)
