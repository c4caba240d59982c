"""Offline: ingest and a question run with the network blocked, and attempt no network call.

Two layers record and refuse every attempt: `socket` functions monkeypatched to raise (what
Python-level clients such as requests, httpx and huggingface_hub use) and an audit hook on
`socket.connect` / `socket.getaddrinfo` (raised by the C socket module itself, so nothing
that goes through CPython's sockets slips past). Unix-domain sockets are not network and are
allowed; loopback is allowed only where a test says so (the web app talks to itself).
The reading worker that ingest starts blocks the network on its own (see
test_reliability.py::test_hanging_crashing_and_memory_hungry_files_cost_only_themselves).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "tests" / "data" / "badpdfs" / "good-4-pages_pdflatex-4-pages.pdf"

_GUARD = {"on": False, "loopback": False, "attempts": []}


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) and address else address
    return str(host) in ("127.0.0.1", "::1", "localhost")


def _audit(event: str, args) -> None:
    if not _GUARD["on"] or event not in ("socket.connect", "socket.getaddrinfo"):
        return
    if event == "socket.connect":
        sock, address = args
        if sock.family == socket.AF_UNIX or (_GUARD["loopback"] and _is_loopback(address)):
            return
    elif _GUARD["loopback"] and _is_loopback(args[0]):
        return
    _GUARD["attempts"].append((event, repr(args)[:200]))
    raise OSError(f"network blocked by test ({event})")


sys.addaudithook(_audit)  # audit hooks cannot be removed; it acts only while _GUARD["on"]


@pytest.fixture
def no_network(monkeypatch):
    """Block the network for the test; yields the list of attempts (must stay empty)."""
    attempts = _GUARD["attempts"]
    attempts.clear()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def allowed(sock, address) -> bool:
        return sock.family == socket.AF_UNIX or (_GUARD["loopback"] and _is_loopback(address))

    def connect(self, address):
        if allowed(self, address):
            return real_connect(self, address)
        attempts.append(("connect", repr(address)))
        raise OSError("network blocked by test (connect)")

    def connect_ex(self, address):
        if allowed(self, address):
            return real_connect_ex(self, address)
        attempts.append(("connect_ex", repr(address)))
        raise OSError("network blocked by test (connect_ex)")

    def getaddrinfo(host, *a, **k):
        if _GUARD["loopback"] and _is_loopback(host):
            return real_getaddrinfo(host, *a, **k)
        attempts.append(("getaddrinfo", repr(host)))
        raise OSError("network blocked by test (getaddrinfo)")

    def refuse(name):
        def blocked(*a, **k):
            attempts.append((name, repr(a)[:200]))
            raise OSError(f"network blocked by test ({name})")
        return blocked

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    monkeypatch.setattr(socket, "gethostbyname_ex", refuse("gethostbyname_ex"))
    _GUARD["on"] = True
    _GUARD["loopback"] = False
    try:
        yield attempts
    finally:
        _GUARD["on"] = False
        _GUARD["loopback"] = False


def test_the_guard_really_blocks(no_network):
    """Positive control: an outside connection is refused and recorded."""
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("203.0.113.1", 80), timeout=1)
    assert no_network
    no_network.clear()


def test_ingest_and_question_offline_with_the_fake_embedder(corpus, tmp_path, no_network,
                                                            fake_settings):
    from index import build_index
    from qa import Searcher

    shutil.copy(PDF, corpus / "four.pdf")  # read by the sandboxed worker process
    report = build_index(corpus, tmp_path / "index", fake_settings)
    assert "four.pdf" in report.added and not report.failed
    answer = Searcher.open(tmp_path / "index").ask("What is a hard federation?")
    assert answer.hits
    assert no_network == []


def test_web_app_answers_with_only_loopback(built, fake_settings, no_network):
    """The app and gradio_client talk to 127.0.0.1 and nowhere else."""
    _GUARD["loopback"] = True
    from gradio_client import Client

    import app
    from qa.service import EvidenceService

    corpus, index_dir = built
    settings = app.AppSettings(index_dir, corpus, port=_free_port())
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    demo = app.build_app(settings, service)
    _, url, _ = demo.launch(**app.launch_kwargs(settings), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        data = client.predict("What is a hard federation?", api_name="/ask")
        assert data["passages"]
        client.close()
    finally:
        demo.close(verbose=False)
    assert no_network == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The CLI path from a clean environment: no HF_HUB_OFFLINE or similar set beforehand, the
# guard installed before anything is imported, then `python -m ingest` and `python -m qa`.
_CLI_GUARD = r"""
import os, runpy, socket, sys
attempts = []
def audit(event, args):
    if event in ("socket.connect", "socket.getaddrinfo"):
        if event == "socket.connect" and args[0].family == socket.AF_UNIX:
            return
        attempts.append(event + " " + repr(args)[:160])
        raise OSError("network blocked by test")
sys.addaudithook(audit)
import atexit
@atexit.register
def report():
    if attempts:
        sys.stderr.write("NETWORK ATTEMPTS: %r\n" % attempts)
        os._exit(99)
sys.argv = [sys.argv[1], *sys.argv[2:]]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "TRANSFORMERS_", "GRADIO_", "SENTENCE_TRANSFORMERS"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _guarded(*args, timeout=900):
    return subprocess.run([sys.executable, "-c", _CLI_GUARD, *args], cwd=ROOT,
                          capture_output=True, text=True, env=_clean_env(), timeout=timeout)


def _cli_offline(tmp_path: Path, model: str) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    shutil.copy(PDF, corpus / "four.pdf")
    index_dir = tmp_path / "index"
    r = _guarded("ingest", "--corpus", str(corpus), "--index", str(index_dir), "--json",
                 "--model", model)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "NETWORK ATTEMPTS" not in r.stderr
    r = _guarded("qa", "--index", str(index_dir), "--json", "What is a hard federation?")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "NETWORK ATTEMPTS" not in r.stderr and '"passages"' in r.stdout


def test_cli_ingest_and_question_offline_fake(tmp_path):
    _cli_offline(tmp_path, "fake")


def test_cli_guard_catches_an_attempt(tmp_path):
    """Positive control for the subprocess guard."""
    script = tmp_path / "reach.py"
    script.write_text("import socket\ntry:\n    socket.getaddrinfo('example.org', 443)\n"
                      "except OSError:\n    pass\n")
    r = subprocess.run([sys.executable, "-c", _CLI_GUARD.replace(
        'runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)',
        'runpy.run_path(sys.argv[0], run_name="__main__")'), str(script)],
        capture_output=True, text=True, env=_clean_env(), cwd=ROOT)
    assert r.returncode == 99 and "NETWORK ATTEMPTS" in r.stderr


@pytest.mark.model
def test_cli_ingest_and_question_offline_real_model(tmp_path):
    _cli_offline(tmp_path, "minilm")


@pytest.mark.model
@pytest.mark.slow  # the CLI test above covers the real model by default; this adds the in-process path
def test_real_model_in_process_offline(corpus, tmp_path, no_network, monkeypatch):
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    from index import build_index
    from qa import Searcher

    build_index(corpus, tmp_path / "index")
    answer = Searcher.open(tmp_path / "index").ask("What is a hard federation?")
    assert answer.evidence == "strong"
    assert no_network == []
