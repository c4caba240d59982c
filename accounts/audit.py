"""The audit trail: one JSON line per sign-in, upload, removal, restore and rebuild.

Each line is written with a single `write` on a file opened for appending and then fsync'd, so a
kill -9 or a power cut leaves every finished line on disk and at most one torn last line, which
`read` skips. Lines are never rewritten or deleted. Fields: time (UTC, ISO 8601), user, role,
action, file, sha256 (content hash), result, and for sign-ins the client address.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ACTIONS = ("sign-in", "upload", "remove", "restore", "rebuild")
_LOCK = threading.Lock()


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AuditLog:
    path: Path

    def append(self, action: str, *, user: str | None = "", role: str | None = "",
               file: str = "", sha256: str = "", result: str = "", **extra: str) -> dict:
        entry = {"time": now_iso(), "user": user or "", "role": role or "", "action": action,
                 "file": file, "sha256": sha256, "result": result}
        entry.update({k: v for k, v in extra.items() if v not in (None, "")})
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        path = Path(self.path)
        with _LOCK:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # the app and `python -m ingest restore` at once
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # after a torn line (a crash mid-write): start afresh
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        return entry

    def read(self, since: str | None = None) -> list[dict]:
        """Every entry (oldest first) whose time is at or after `since` (a date or an ISO time);
        a torn or damaged line (a crash mid-write) is skipped."""
        try:
            raw = Path(self.path).read_bytes()
        except FileNotFoundError:
            return []
        entries = []
        for line in raw.splitlines():
            try:
                entry = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            if not isinstance(entry, dict) or "time" not in entry:
                continue
            if since and str(entry["time"]) < since:
                continue
            entries.append(entry)
        return entries

    def latest(self, n: int = 20) -> list[dict]:
        return self.read()[-n:][::-1]


def parse_since(value: str) -> str:
    """`--since 2026-12-01` or `--since 2026-12-01T09:30` as the ISO prefix entries compare
    with; raises ValueError with a plain reason otherwise."""
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            continue
    raise ValueError(f"--since {value!r}: use a date such as 2026-12-01 or 2026-12-01T09:30 "
                     "(UTC)")


def entry_line(e: dict) -> str:
    """One entry as a line of text, for `python app.py audit`."""
    who = e.get("user") or "-"
    if e.get("role"):
        who += f" ({e['role']})"
    parts = [e.get("time", ""), who, e.get("action", "")]
    if e.get("file"):
        parts.append(e["file"])
    if e.get("sha256"):
        parts.append("sha256:" + e["sha256"][:12])
    if e.get("address"):
        parts.append("from " + e["address"])
    parts.append(e.get("result", ""))
    return "  ".join(p for p in parts if p)


def age_seconds(entry: dict) -> float:
    try:
        stamp = datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (KeyError, ValueError):
        return float("inf")
    return time.time() - stamp.timestamp()
