"""`python app.py users add|list|remove|passwd|role|migrate` and `python app.py audit`.

A password is read from the terminal (twice, not echoed), or from the first line of stdin when
stdin is not a terminal (`printf '%s\\n' "$PW" | python app.py users add alice --role editor`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from .audit import AuditLog, entry_line, parse_since
from .users import (
    MIN_PASSWORD_CHARS,
    ROLES,
    UsersFileError,
    hash_password,
    load_users,
    name_problem,
    password_problem,
    read_entries,
    save_users,
)


def _read_password(prompt: str = "Password") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"{prompt} (at least {MIN_PASSWORD_CHARS} characters): ")
        again = getpass.getpass("Again: ")
        if first != again:
            raise SystemExit("error: the two passwords differ; nothing changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _new_password(prompt: str = "Password") -> str:
    password = _read_password(prompt)
    problem = password_problem(password)
    if problem:
        raise SystemExit(f"error: {problem}; nothing changed")
    return password


def _index(entries: list[dict], name: str) -> int | None:
    wanted = name.strip().lower()
    return next((i for i, e in enumerate(entries)
                 if str(e.get("name") or "").lower() == wanted), None)


def users_main(args: argparse.Namespace) -> int:
    path: Path = args.users
    try:
        entries = read_entries(path)
    except UsersFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cmd = args.users_cmd
    if cmd == "list":
        if not entries:
            print(f"no accounts in {path}: the app is local-only and everyone is an editor")
            return 0
        for e in sorted(entries, key=lambda e: str(e.get("name") or "").lower()):
            print(f"{e.get('name')}\t{e.get('role')}")
        return 0
    name = args.name
    i = _index(entries, name) if name else None
    if cmd == "add":
        problem = name_problem(name)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        if i is not None:
            print(f"error: {name} already has an account; use `users passwd {name}` or "
                  f"`users role {name} {args.role}`", file=sys.stderr)
            return 2
        entries.append({"name": name, "role": args.role,
                        "password": hash_password(_new_password())})
        save_users(path, entries)
        print(f"added {name} ({args.role}) to {path}")
        return 0
    if i is None:
        print(f"error: no account called {name} in {path}", file=sys.stderr)
        return 2
    if cmd == "remove":
        del entries[i]
        save_users(path, entries)
        print(f"removed {name} from {path}")
    elif cmd == "passwd":
        entries[i] = {**entries[i], "password": hash_password(_new_password("New password"))}
        save_users(path, entries)
        print(f"changed the password of {name}")
    elif cmd == "role":
        entries[i] = {**entries[i], "role": args.new_role}
        save_users(path, entries)
        print(f"{name} is now {args.new_role}")
    return 0


def migrate_main(args: argparse.Namespace, env_value: str | None) -> int:
    """Plain user:password lines (--auth-file, MAT_EVIDENCE_AUTH) into hashed editor accounts."""
    from app import load_auth  # the one parser of the legacy format

    try:
        pairs = load_auth(env_value, args.auth_file)
        entries = read_entries(args.users)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not pairs:
        print("nothing to migrate: give --auth-file FILE or set MAT_EVIDENCE_AUTH",
              file=sys.stderr)
        return 2
    moved, refused = [], []
    for user, password in pairs:
        problem = name_problem(user) or password_problem(password)
        if problem or _index(entries, user) is not None:
            refused.append(f"{user}: {problem or 'already has an account'}")
            continue
        entries.append({"name": user, "role": "editor", "password": hash_password(password)})
        moved.append(user)
    if moved:
        save_users(args.users, entries)
    for user in moved:
        print(f"migrated {user} (editor) to {args.users}")
    for line in refused:
        print(f"not migrated: {line}; add it with `python app.py users add NAME --role editor`",
              file=sys.stderr)
    if moved:
        print("now remove the plain file / MAT_EVIDENCE_AUTH and start the app with "
              f"--users {args.users}")
    return 0 if not refused else 1


def audit_main(args: argparse.Namespace) -> int:
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for e in AuditLog(args.audit).read(since):
        print(json.dumps(e, ensure_ascii=False) if args.json else entry_line(e))
    return 0


def add_parsers(sub, users_default: Path, audit_default: Path) -> None:
    """The `users` and `audit` commands, each with --users and --audit like the server."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--users", type=Path, default=users_default,
                        help=f"the users file (default {users_default})")
    common.add_argument("--audit", type=Path, default=audit_default,
                        help=f"the audit file (default {audit_default})")
    users = sub.add_parser("users", help="manage accounts", parents=[common])
    us = users.add_subparsers(dest="users_cmd", required=True)
    add = us.add_parser("add", help="add an account", parents=[common])
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    us.add_parser("list", help="list accounts and roles", parents=[common])
    rm = us.add_parser("remove", help="remove an account", parents=[common])
    rm.add_argument("name")
    pw = us.add_parser("passwd", help="set a new password", parents=[common])
    pw.add_argument("name")
    ro = us.add_parser("role", help="change an account's role", parents=[common])
    ro.add_argument("name")
    ro.add_argument("new_role", choices=ROLES)
    mg = us.add_parser("migrate", parents=[common],
                       help="hash the plain user:password lines of --auth-file or "
                            "MAT_EVIDENCE_AUTH into editor accounts")
    mg.add_argument("--auth-file", type=Path, default=None)
    mg.set_defaults(name=None)
    for p in (us.choices["list"],):
        p.set_defaults(name=None)
    audit = sub.add_parser("audit", help="print the audit trail", parents=[common])
    audit.add_argument("--since", default=None, help="from this date (UTC): 2026-12-01")
    audit.add_argument("--json", action="store_true", help="one JSON object a line")


def run(args: argparse.Namespace) -> int:
    if args.command == "audit":
        return audit_main(args)
    if args.users_cmd == "migrate":
        return migrate_main(args, os.environ.get("MAT_EVIDENCE_AUTH"))
    return users_main(args)


def check_users_file(path: Path) -> None:
    """For the server's start: raise UsersFileError (naming the line) if it cannot be used."""
    if Path(path).exists():
        load_users(path)
