"""The users file: accounts with a role and a scrypt-hashed password.

The file (default `var/users.json`, mode 0600) is JSON with one account a line, so that an
error can name its line:

    {"version": 1, "users": [
    {"name": "alice", "role": "editor", "password": "scrypt$15$8$1$<salt>$<hash>"}
    ]}

Passwords are hashed with hashlib's scrypt (memory-hard: 2**15 x 8 x 128 bytes = 32 MiB per
check, about 0.12 s on this machine; `bench/signin.py` measures it). Nothing else reads or
writes the file; `python app.py users ...` changes it (accounts/cli.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

ROLES = ("reader", "editor")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024  # scrypt takes any length; this only stops absurd inputs
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
VERSION = 1


@dataclass(frozen=True)
class ScryptParams:
    log2_n: int = 15  # 32 MiB with r=8: too costly for a GPU farm, 0.12 s for one sign-in
    r: int = 8
    p: int = 1
    dklen: int = 32

    @property
    def maxmem(self) -> int:
        return 2 * 128 * self.r * (2 ** self.log2_n) + (1 << 20)


DEFAULT_PARAMS = ScryptParams()


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # reader | editor
    password: str  # "scrypt$..." (hashed), or "plain$..." for the legacy user:password sources


class UsersFileError(ValueError):
    """The users file cannot be used; the message names the line and what to run."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, params: ScryptParams = DEFAULT_PARAMS) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2 ** params.log2_n, r=params.r,
                         p=params.p, maxmem=params.maxmem, dklen=params.dklen)
    return f"scrypt${params.log2_n}${params.r}${params.p}${_b64(salt)}${_b64(key)}"


def _parse_hash(encoded: str) -> tuple[ScryptParams, bytes, bytes]:
    kind, log2_n, r, p, salt, key = encoded.split("$")
    if kind != "scrypt":
        raise ValueError("not a scrypt hash")
    params = ScryptParams(int(log2_n), int(r), int(p), len(_unb64(key)))
    if not (10 <= params.log2_n <= 20 and 1 <= params.r <= 32 and 1 <= params.p <= 4):
        raise ValueError("scrypt parameters out of range")
    return params, _unb64(salt), _unb64(key)


def verify_password(password: str, encoded: str) -> bool:
    """True when `password` matches; constant-time comparison. A malformed hash never matches."""
    if encoded.startswith("plain$"):  # legacy user:password accounts, compared as given
        return hmac.compare_digest(password.encode("utf-8"), encoded[6:].encode("utf-8"))
    try:
        params, salt, key = _parse_hash(encoded)
    except (ValueError, TypeError):
        return False
    got = hashlib.scrypt(password.encode("utf-8")[:4 * MAX_PASSWORD_CHARS], salt=salt,
                         n=2 ** params.log2_n, r=params.r, p=params.p, maxmem=params.maxmem,
                         dklen=params.dklen)
    return hmac.compare_digest(got, key)


_DUMMY: list[str] = []


def dummy_check(password: str) -> None:
    """Spend what a real check costs, for a name with no account: the time taken does not
    tell whether a name exists."""
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_hex(16)))
    verify_password(password, _DUMMY[0])


def password_problem(password: str) -> str:
    """Why a new password is refused ("" when it is fine)."""
    if len(password) < MIN_PASSWORD_CHARS:
        return (f"the password is {len(password)} characters; use at least "
                f"{MIN_PASSWORD_CHARS} (a few words make a good one)")
    if len(password) > MAX_PASSWORD_CHARS:
        return f"the password is longer than {MAX_PASSWORD_CHARS} characters"
    if password != password.strip() or "\n" in password:
        return "the password starts or ends with a space or holds a line break"
    return ""


def name_problem(name: str) -> str:
    if not NAME_PATTERN.match(name):
        return ("a name is 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter "
                "or digit")
    return ""


# --------------------------------------------------------------------------------------------
# Reading and writing the file
# --------------------------------------------------------------------------------------------

def _line_of(text: str, name: str, index: int) -> str:
    needle = f'"name": {json.dumps(name)}'
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return f"line {n}"
    return f"account {index + 1}"


def load_users(path: Path) -> dict[str, Account]:
    """The accounts in `path`, checked. Raises UsersFileError naming the line and what to run
    when the file is readable by others, malformed, or holds an unknown role."""
    path = Path(path)
    fix = f"python app.py users --users {path}"
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsersFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsersFileError(f"{path}: other users on this machine can read it (mode "
                             f"{stat.S_IMODE(mode):04o}); run `chmod 600 {path}`")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsersFileError(f"{path} line {exc.lineno}: not valid JSON ({exc.msg}); fix that "
                             f"line, or move the file away and add the accounts again with "
                             f"`{fix} add NAME --role editor`") from exc
    if not isinstance(data, dict) or not isinstance(data.get("users"), list):
        raise UsersFileError(f"{path} line 1: expected {{\"version\": 1, \"users\": [...]}}; "
                             f"create it with `{fix} add NAME --role editor`")
    accounts: dict[str, Account] = {}
    for i, entry in enumerate(data["users"]):
        name = entry.get("name") if isinstance(entry, dict) else None
        where = _line_of(text, name, i) if isinstance(name, str) else f"account {i + 1}"
        if not isinstance(name, str) or name_problem(name):
            raise UsersFileError(f"{path} {where}: no valid name; remove the entry and run "
                                 f"`{fix} add NAME --role reader|editor`")
        role = entry.get("role")
        if role not in ROLES:
            raise UsersFileError(f"{path} {where}: unknown role {json.dumps(role)} for {name} "
                                 f"(roles are reader and editor); run "
                                 f"`{fix} role {name} reader` (or editor) to set it")
        hashed = entry.get("password")
        try:
            if not isinstance(hashed, str):
                raise ValueError
            _parse_hash(hashed)
        except (ValueError, TypeError):
            raise UsersFileError(f"{path} {where}: the password of {name} is not a scrypt hash; "
                                 f"run `{fix} passwd {name}`") from None
        if name.lower() in {n.lower() for n in accounts}:
            raise UsersFileError(f"{path} {where}: {name} is listed twice; run "
                                 f"`{fix} remove {name}` and add it again")
        accounts[name] = Account(name, role, hashed)
    return accounts


def read_entries(path: Path) -> list[dict]:
    """The file's entries as written, unchecked beyond being JSON (so that `users role`,
    `users passwd` and `users remove` can repair a file the app refuses). [] when missing."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsersFileError(f"{path} line {exc.lineno}: not valid JSON ({exc.msg}); fix that "
                             "line by hand, or move the file away and add the accounts "
                             "again") from exc
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, list):
        raise UsersFileError(f"{path} line 1: expected {{\"version\": 1, \"users\": [...]}}")
    return [u if isinstance(u, dict) else {"name": None} for u in users]


def save_users(path: Path, entries: list[dict]) -> None:
    """Write the file atomically with mode 0600 (a temporary file beside it, fsync'd, then
    renamed), one account a line."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"name": e.get("name"), "role": e.get("role"),
                         "password": e.get("password")})
             for e in sorted(entries, key=lambda e: str(e.get("name") or "").lower())]
    text = f'{{"version": {VERSION}, "users": [\n' + ",\n".join(lines) + "\n]}\n"
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def find(accounts: dict[str, Account], name: str) -> Account | None:
    """Names are matched without regard to case (Alice and alice are one person)."""
    wanted = name.strip().lower()
    return next((a for n, a in accounts.items() if n.lower() == wanted), None)
