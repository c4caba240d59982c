"""The served app cannot be made to hand out files it should not (modelled on Gradio's own
test_routes file-access tests), its API is only reachable through the queue, uploads are capped,
login (when set) guards everything, and a forged upload cannot smuggle in a server path.

The server runs with the project's real launch settings (`app.launch_kwargs`) and, as the worst
case, with the corpus and index folders under the current working directory.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

import app
from index import build_index, current_generation_name
from ingest.uploads import store_upload
from qa.service import EvidenceService

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SECRET = "SECRET-CORPUS-7f3a"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project folder: corpus/ (with a secret-bearing document and an upload) and index/."""
    from index import EmbedSettings, IndexSettings

    root = tmp_path_factory.mktemp("project")
    corpus = root / "corpus"
    corpus.mkdir()
    for f in (ROOT / "corpus").iterdir():
        if f.is_file():
            (corpus / f.name).write_bytes(f.read_bytes())
    (corpus / "private-notes.txt").write_text(f"Board minutes. {SECRET} Not for the web.\n",
                                              encoding="utf-8")
    uploaded = store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus)
    assert uploaded.status == "stored"
    settings = IndexSettings(embed=EmbedSettings(model="fake"))
    build_index(corpus, root / "index", settings)
    return root, settings, uploaded.stored_path


def _launch(project, **overrides):
    root, index_settings, _ = project
    settings = app.AppSettings(root / "index", root / "corpus", port=_free_port(), **overrides)
    service = EvidenceService(settings.index_dir, settings.corpus_dir,
                              index_settings=index_settings)
    demo = app.build_app(settings, service)
    _, url, _ = demo.launch(**app.launch_kwargs(settings), prevent_thread_lock=True, quiet=True)
    return demo, url.rstrip("/")


@pytest.fixture(scope="module")
def server(project):
    old = os.getcwd()
    os.chdir(project[0])  # worst case: corpus/ and index/ are under the working directory
    demo, url = _launch(project, max_upload_bytes=64 * 1024)
    try:
        yield url, demo
    finally:
        demo.close(verbose=False)
        os.chdir(old)


def _targets(project) -> dict[str, str]:
    root, _, stored = project
    gen = current_generation_name(root / "index")
    return {
        "passwd": "/etc/passwd",
        "index_abs": str(root / "index" / "generations" / gen / "passages.jsonl"),
        "index_current": str(root / "index" / "CURRENT"),
        "index_rel": f"index/generations/{gen}/passages.jsonl",
        "corpus_abs": str(root / "corpus" / "private-notes.txt"),
        "corpus_rel": "corpus/private-notes.txt",
        "upload_abs": str(stored),
        "upload_rel": stored.relative_to(root).as_posix(),
        "upload_sidecar": str(stored) + ".meta.json",
        "app_source": str(ROOT / "app.py"),
    }


ROUTE_TEMPLATES = [
    "/gradio_api/file={p}",
    "/gradio_api/file={q}",  # url-encoded
    "/gradio_api/file/{n}",  # deprecated alias, relative to the working directory
    "/gradio_api/file//{n}",
    "/file={p}",  # Gradio <= 4 routes
    "/file/{n}",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f{n}",
    "/assets/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f{n}",
    "/gradio_api/file=/tmp/gradio/..%2f..%2f..{p}",  # out of the upload cache
    "/gradio_api/file={cache}/../../../../../../../..{p}",
    "/gradio_api/proxy={p}",
    "/gradio_api/file=file://{p}",
]
# What the files hold (an error message may echo the path asked for, never the content).
SECRETS = ("root:", SECRET, "doc_sha256", "Quarrington", '"original_name"',
           "os.environ.setdefault")


@pytest.mark.parametrize("tmpl", ROUTE_TEMPLATES)
@pytest.mark.parametrize("which", [
    "passwd", "index_abs", "index_current", "index_rel", "corpus_abs", "corpus_rel",
    "upload_abs", "upload_rel", "upload_sidecar", "app_source"])
def test_private_files_are_not_served(server, project, tmpl, which):
    url, _ = server
    p = _targets(project)[which]
    cache = os.environ.get("GRADIO_TEMP_DIR", "/tmp/gradio")
    target = tmpl.format(p=p, q=quote(p, safe=""), n=p.lstrip("/"), cache=cache)
    r = httpx.get(url + target, follow_redirects=False, timeout=10)
    assert r.status_code in (400, 403, 404, 405), (target, r.status_code)
    if r.status_code == 404 and "<html" in r.text[:200].lower():
        return  # the single-page app's own page, not the file
    for s in SECRETS:
        assert s not in r.text, (target, s)


def test_uploaded_file_is_served_back_positive_control(server):
    """The file route does work for what the app itself received: so the 403s above are real."""
    url, _ = server
    r = httpx.post(f"{url}/gradio_api/upload",
                   files={"files": ("hello.txt", b"hello from a test", "text/plain")}, timeout=10)
    assert r.status_code == 200
    path = r.json()[0]
    got = httpx.get(f"{url}/gradio_api/file={path}", timeout=10)
    assert got.status_code == 200 and got.text == "hello from a test"


def test_upload_size_is_capped(server):
    url, _ = server
    r = httpx.post(f"{url}/gradio_api/upload",
                   files={"files": ("big.txt", b"x" * (65 * 1024), "text/plain")}, timeout=10)
    assert r.status_code == 413


def test_api_only_through_the_queue_and_extras_off(server):
    url, demo = server
    direct = httpx.post(f"{url}/gradio_api/api/ask/", json={"data": ["What is a MAT?"]},
                        timeout=10)
    assert direct.status_code in (403, 404) and "queue" in direct.text.lower()
    assert "not enabled" in httpx.get(f"{url}/monitoring", timeout=10).text.lower()
    assert httpx.get(f"{url}/gradio_api/runs", timeout=10).status_code == 404
    info = httpx.get(f"{url}/gradio_api/info", timeout=10).json()
    # the documented APIs (issue 20 added the two editor-only ones)
    assert set(info["named_endpoints"]) == {"/ask", "/trusts", "/add_documents",
                                            "/remove_document"}
    assert not info["unnamed_endpoints"]
    cfg = httpx.get(f"{url}/config", timeout=10).json()
    assert cfg.get("is_space") in (False, None) and not cfg.get("share_url")


def test_cross_origin_requests_get_no_cors_grant(server):
    url, _ = server
    r = httpx.get(f"{url}/gradio_api/info", headers={"Origin": "http://evil.example"},
                  timeout=10)
    assert r.headers.get("access-control-allow-origin") not in ("*", "http://evil.example")


def _join(url: str, demo, fn_name: str, data: list) -> list[dict]:
    """Send an event the way the browser does (queue/join + SSE) and collect the messages."""
    idx, dep = next((i, f) for i, f in demo.fns.items() if f.name == fn_name)
    trigger = dep.targets[0][0] if dep.targets else None
    session = "sec" + os.urandom(4).hex()
    r = httpx.post(f"{url}/gradio_api/queue/join",
                   json={"data": data, "event_data": None, "fn_index": idx,
                         "trigger_id": trigger, "session_hash": session}, timeout=10)
    assert r.status_code == 200, r.text
    msgs = []
    with httpx.stream("GET", f"{url}/gradio_api/queue/data",
                      params={"session_hash": session}, timeout=30) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                msgs.append(msg)
                if msg.get("msg") in ("process_completed", "close_stream"):
                    break
    return msgs


@pytest.mark.parametrize("which", ["passwd", "corpus_abs", "index_abs"])
def test_forged_upload_cannot_name_a_server_file(server, project, which):
    """An upload event whose file points at a server path (not one Gradio received) fails,
    and nothing new lands in corpus/uploads."""
    url, demo = server
    root = project[0]
    before = sorted(p.name for p in (root / "corpus" / "uploads").iterdir())
    path = _targets(project)[which]
    forged = [{"path": path, "orig_name": "innocent.txt", "meta": {"_type": "gradio.FileData"}}]
    msgs = _join(url, demo, "add_files", [forged, "", ""])
    done = [m for m in msgs if m.get("msg") == "process_completed"]
    assert done and done[-1].get("success") is False
    assert "root:" not in json.dumps(msgs)
    after = sorted(p.name for p in (root / "corpus" / "uploads").iterdir())
    assert after == before


def test_answer_html_is_escaped_end_to_end(server, project):
    """Through the real event: a question carrying markup comes back escaped."""
    url, demo = server
    msgs = _join(url, demo, "ask_ui",
                 ['<img src=x onerror="alert(1)"> governance', [], [], [], *[None] * len(app.DIMENSION_LABELS)])
    done = [m for m in msgs if m.get("msg") == "process_completed"][-1]
    assert done["success"], done
    page = done["output"]["data"][0]
    page = page.get("value", page) if isinstance(page, dict) else page
    assert "<img" not in page


def test_login_guards_everything(project):
    demo, url = _launch(project, auth=(("alice", "s3cret-pass"),))
    try:
        assert httpx.get(f"{url}/config", timeout=10).status_code == 401
        stored = _targets(project)["upload_abs"]
        assert httpx.get(f"{url}/gradio_api/file={stored}", timeout=10).status_code in (401, 403)
        up = httpx.post(f"{url}/gradio_api/upload",
                        files={"files": ("a.txt", b"x", "text/plain")}, timeout=10)
        assert up.status_code == 401
        bad = httpx.post(f"{url}/login", data={"username": "alice", "password": "nope"},
                         timeout=10)
        assert bad.status_code in (400, 401)

        from gradio_client import Client
        from gradio_client.exceptions import AuthenticationError

        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        client = Client(url, auth=("alice", "s3cret-pass"), verbose=False)
        assert client.predict("What is a hard federation?", api_name="/ask")["passages"]
        client.close()
    finally:
        demo.close(verbose=False)


def test_real_upload_event_works_positive_control(server, project):
    """The same event with a file Gradio did receive stores it: the refusals above are real."""
    url, demo = server
    r = httpx.post(f"{url}/gradio_api/upload",
                   files={"files": ("note.md", b"# Note\n\nA governance note.\n", "text/plain")},
                   timeout=10)
    path = r.json()[0]
    msgs = _join(url, demo, "add_files",
                 [[{"path": path, "orig_name": "note.md", "meta": {"_type": "gradio.FileData"}}],
                  "", ""])
    done = [m for m in msgs if m.get("msg") == "process_completed"][-1]
    assert done["success"], done
    shown = json.dumps(done["output"], ensure_ascii=False)
    assert "**Added** “note.md”" in shown and "Added: Added" not in shown  # said once
    stored = list((project[0] / "corpus" / "uploads").glob("*.md"))
    assert len(stored) == 1 and stored[0].read_bytes() == b"# Note\n\nA governance note.\n"


def test_overload_gets_a_clean_busy_answer(project):
    """With every worker busy and the queue full, a further request is refused at once with
    "queue full" (the browser shows "This application is currently busy") instead of piling up."""
    from gradio_client import Client
    from gradio_client.utils import QueueError

    root, index_settings, _ = project

    class SlowService(EvidenceService):
        def ask(self, *args, **kwargs):
            import time

            time.sleep(1.5)
            return super().ask(*args, **kwargs)

    settings = app.AppSettings(root / "index", root / "corpus", port=_free_port(),
                               concurrency=1, queue_size=1)
    demo = app.build_app(settings, SlowService(settings.index_dir, settings.corpus_dir,
                                               index_settings=index_settings))
    _, url, _ = demo.launch(**app.launch_kwargs(settings), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        jobs = [client.submit("What is a hard federation?", api_name="/ask") for _ in range(4)]
        outcomes = []
        for job in jobs:
            try:
                outcomes.append(bool(job.result(timeout=30)["passages"]))
            except QueueError as exc:
                outcomes.append(str(exc))
        assert True in outcomes  # the first is answered
        assert any(isinstance(o, str) and "full" in o.lower() for o in outcomes), outcomes
        client.close()
    finally:
        demo.close(verbose=False)
