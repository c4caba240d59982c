"""What one sign-in costs: the scrypt check (accounts/users.py) for a known name, a wrong
password and an unknown name (which spends the same on a dummy hash), and a sign-in through the
served app's /login route (HTTP, lockout and audit included).

    .venv/bin/python bench/signin.py [--rounds 10]

The target is at most 0.3 s per sign-in (issue 20). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _timed(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def _line(label: str, times: list[float]) -> None:
    print(f"{label:<34} median {statistics.median(times) * 1000:6.0f} ms   "
          f"max {max(times) * 1000:6.0f} ms   (n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

    from accounts import Access
    from accounts.users import DEFAULT_PARAMS, dummy_check, hash_password, verify_password

    print(f"scrypt N=2**{DEFAULT_PARAMS.log2_n}, r={DEFAULT_PARAMS.r}, p={DEFAULT_PARAMS.p} "
          f"({128 * DEFAULT_PARAMS.r * 2 ** DEFAULT_PARAMS.log2_n // 2 ** 20} MiB per check); "
          f"cores {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    encoded = hash_password("a correct password")
    dummy_check("warm")
    _line("hash a new password", _timed(lambda: hash_password("a correct password"),
                                        args.rounds))
    _line("check: right password", _timed(lambda: verify_password("a correct password",
                                                                  encoded), args.rounds))
    _line("check: wrong password", _timed(lambda: verify_password("a wrong password!",
                                                                  encoded), args.rounds))
    _line("check: unknown name (dummy)", _timed(lambda: dummy_check("a wrong password!"),
                                                args.rounds))

    import httpx

    import app
    from accounts.users import save_users
    from index import EmbedSettings, IndexSettings, build_index
    from qa.service import EvidenceService

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings_index = IndexSettings(embed=EmbedSettings(model="fake"))
        build_index(Path("corpus"), root / "index", settings_index)
        users = root / "users.json"
        save_users(users, [{"name": "alice", "role": "editor", "password": encoded}])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        settings = app.AppSettings(root / "index", Path("corpus"), port=port, users_file=users,
                                   audit_file=root / "audit.jsonl")
        demo = app.build_app(settings, EvidenceService(root / "index", Path("corpus"),
                                                       index_settings=settings_index))
        # a lockout would end the run: five failures within 10 minutes
        demo.access.lockout.max_failures = 10 ** 6
        assert isinstance(demo.access, Access)
        _, url, _ = demo.launch(**app.launch_kwargs(settings, demo.access),
                                prevent_thread_lock=True, quiet=True)
        try:
            def login(pw):
                return lambda: httpx.post(f"{url}login", data={"username": "alice",
                                                               "password": pw}, timeout=30)
            _line("POST /login, right password", _timed(login("a correct password"),
                                                         args.rounds))
            _line("POST /login, wrong password", _timed(login("a wrong password!"),
                                                        args.rounds))
        finally:
            demo.close(verbose=False)


if __name__ == "__main__":
    main()
