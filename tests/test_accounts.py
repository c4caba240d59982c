"""Accounts, roles, sign-in lockout, the audit trail and removing documents without losing
them (issue 20): the pieces on their own, then the served app through `gradio_client`."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import app
from accounts import Access, AuditLog, Lockout, UsersFileError
from accounts.signin import LOCKED_OUT, SIGN_IN_FAILED, SignInRefused
from accounts.users import hash_password, load_users, verify_password
from ingest.uploads import (
    REMOVED_DIR,
    remove_document,
    removed_documents,
    restore_document,
    store_upload,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EDITOR_PW = "editor-pass-123"
READER_PW = "reader-pass-456"


def _users(monkeypatch, path: Path, *commands: tuple[list[str], str]) -> list[int]:
    """Run `python app.py users ...` in-process, each with its password on stdin."""
    codes = []
    for argv, password in commands:
        monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
        with pytest.raises(SystemExit) as done:
            app.main(["users", *argv, "--users", str(path)])
        codes.append(done.value.code)
    return codes


@pytest.fixture
def users_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "var" / "users.json"
    assert _users(monkeypatch, path, (["add", "alice", "--role", "editor"], EDITOR_PW),
                  (["add", "rita", "--role", "reader"], READER_PW)) == [0, 0]
    return path


# ---- the users file --------------------------------------------------------------------------

def test_passwords_are_hashed_with_scrypt_and_verified():
    encoded = hash_password("a long enough password")
    assert encoded.startswith("scrypt$15$8$1$") and "long enough" not in encoded
    assert verify_password("a long enough password", encoded)
    assert not verify_password("a long enough passworD", encoded)
    assert hash_password("same password here") != hash_password("same password here")  # salt
    assert not verify_password("x", "scrypt$garbage")


def test_users_commands_write_a_private_hashed_file(users_file, monkeypatch, capsys):
    assert users_file.stat().st_mode & 0o777 == 0o600
    text = users_file.read_text()
    assert EDITOR_PW not in text and READER_PW not in text
    accounts = load_users(users_file)
    assert {n: a.role for n, a in accounts.items()} == {"alice": "editor", "rita": "reader"}
    capsys.readouterr()
    _users(monkeypatch, users_file, (["list"], ""))
    assert capsys.readouterr().out.split() == ["alice", "editor", "rita", "reader"]
    # a new password, a role change, a removal
    assert _users(monkeypatch, users_file, (["passwd", "rita"], "another-pass-789"),
                  (["role", "rita", "editor"], ""), (["remove", "alice"], "")) == [0, 0, 0]
    accounts = load_users(users_file)
    assert list(accounts) == ["rita"] and accounts["rita"].role == "editor"
    assert verify_password("another-pass-789", accounts["rita"].password)
    assert users_file.stat().st_mode & 0o777 == 0o600


def test_short_passwords_and_duplicate_names_are_refused(users_file, monkeypatch, capsys):
    before = users_file.read_bytes()
    codes = _users(monkeypatch, users_file, (["add", "bob", "--role", "reader"], "short-pw"),
                   (["passwd", "alice"], "123456789"),
                   (["add", "Alice", "--role", "reader"], "long-enough-pass"))
    assert codes == ["error: the password is 8 characters; use at least 10 (a few words make "
                     "a good one); nothing changed",
                     "error: the password is 9 characters; use at least 10 (a few words make "
                     "a good one); nothing changed", 2]
    assert "already has an account" in capsys.readouterr().err
    assert users_file.read_bytes() == before


@pytest.mark.parametrize("damage, words", [
    (lambda p: p.write_text(p.read_text().replace('"role": "reader"', '"role": "admin"')),
     ["line 3", "unknown role \"admin\" for rita", "users --users", "role rita reader"]),
    (lambda p: p.write_text(p.read_text().replace('"rita",', '"rita"')),
     ["line 3", "not valid JSON"]),
    (lambda p: p.chmod(0o644), ["other users on this machine can read it", "chmod 600"]),
    (lambda p: p.write_text(p.read_text().replace('"password": "scrypt$',
                                                  '"password": "plain$')),
     ["line 2", "not a scrypt hash", "passwd alice"]),
])
def test_a_bad_users_file_stops_the_app_naming_the_line_and_the_fix(users_file, damage, words,
                                                                    capsys):
    damage(users_file)
    if users_file.stat().st_mode & 0o077 == 0:
        users_file.chmod(0o600)
    with pytest.raises(UsersFileError) as err:
        load_users(users_file)
    for w in words:
        assert w in str(err.value), str(err.value)
    with pytest.raises(SystemExit):
        app.main(["--users", str(users_file), "--audit", str(users_file.parent / "a.jsonl")])
    out = capsys.readouterr().err
    assert words[0] in out and "did not start" in out


def test_role_fix_repairs_a_file_the_app_refuses(users_file, monkeypatch):
    users_file.write_text(users_file.read_text().replace('"role": "reader"', '"role": "boss"'))
    with pytest.raises(UsersFileError):
        load_users(users_file)
    assert _users(monkeypatch, users_file, (["role", "rita", "reader"], "")) == [0]
    assert load_users(users_file)["rita"].role == "reader"


def test_legacy_plain_logins_are_editors_with_a_warning_naming_migrate(tmp_path, monkeypatch,
                                                                       capsys):
    plain = tmp_path / "users.txt"
    plain.write_text("head:head-password-1\nbursar:bursar-password-2\n")
    access = Access(legacy=tuple(app.load_auth(None, plain)))
    assert access.role("head") == "editor" and access.verify("bursar", "bursar-password-2")
    users = tmp_path / "users.json"
    monkeypatch.setattr(app, "build_app", lambda *a, **k: (_ for _ in ()).throw(SystemExit(9)))
    with pytest.raises(SystemExit):
        app.main(["--auth-file", str(plain), "--users", str(users),
                  "--audit", str(tmp_path / "a.jsonl")])
    err = capsys.readouterr().err
    assert "plain-text passwords" in err and "read as editors" in err
    assert f"python app.py users migrate --auth-file {plain}" in err
    # and the migration hashes them into the users file
    with pytest.raises(SystemExit) as done:
        app.main(["users", "migrate", "--auth-file", str(plain), "--users", str(users)])
    assert done.value.code == 0
    accounts = load_users(users)
    assert {a.role for a in accounts.values()} == {"editor"}
    assert verify_password("head-password-1", accounts["head"].password)


def test_beyond_this_machine_without_accounts_needs_open(tmp_path, capsys, monkeypatch):
    args = ["--host", "0.0.0.0", "--users", str(tmp_path / "none.json"),
            "--audit", str(tmp_path / "a.jsonl")]
    with pytest.raises(SystemExit):
        app.main(args)
    assert "--open" in capsys.readouterr().err
    monkeypatch.setattr(app, "build_app", lambda *a, **k: (_ for _ in ()).throw(SystemExit(9)))
    with pytest.raises(SystemExit) as done:
        app.main([*args, "--open"])
    assert done.value.code == 9  # it went on to start
    assert "without sign-in; everyone who can reach it is an editor" in capsys.readouterr().err


# ---- sign-in and lockout ---------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self):
        return self.t


def test_five_failures_lock_a_name_for_ten_minutes_even_with_the_right_password(users_file,
                                                                              tmp_path):
    clock = Clock()
    audit = AuditLog(tmp_path / "audit.jsonl")
    access = Access(users_file=users_file, audit=audit, lockout=Lockout(clock=clock))
    for _ in range(5):
        assert access.verify("alice", "wrong-password", "10.0.0.1") is False
        clock.t += 30
    with pytest.raises(SignInRefused) as err:
        access.verify("alice", EDITOR_PW, "10.0.0.2")  # another address: the name is locked
    assert str(err.value) == LOCKED_OUT
    assert access.verify("rita", READER_PW, "10.0.0.3")  # others are not
    clock.t += 10 * 60 + 1
    assert access.verify("alice", EDITOR_PW, "10.0.0.2")  # ten minutes later
    results = [(e["user"], e["result"]) for e in audit.read()]
    assert results.count(("alice", "failed")) == 5
    assert ("alice", "refused: locked out") in results and results[-1] == ("alice", "ok")


def test_five_failures_from_one_address_lock_it_for_any_name(users_file):
    clock = Clock()
    access = Access(users_file=users_file, lockout=Lockout(clock=clock))
    for name in ["a1", "b2", "c3", "alice", "nobody"]:
        access.verify(name, "guess-guess", "192.0.2.7")
    with pytest.raises(SignInRefused):
        access.verify("rita", READER_PW, "192.0.2.7")
    assert access.verify("rita", READER_PW, "192.0.2.8")
    # failures spread beyond the window do not add up
    clock.t += 11 * 60
    for _ in range(4):
        access.verify("rita", "nope-nope-nope", "192.0.2.9")
        clock.t += 4 * 60
    assert access.verify("rita", READER_PW, "192.0.2.9")


def test_unknown_name_and_wrong_password_get_one_message_and_cost_the_same(users_file):
    import asyncio

    from fastapi import HTTPException

    access = Access(users_file=users_file)
    timings, details = {}, {}
    for name, pw in (("alice", "not-her-password"), ("no-such-person", "not-her-password")):
        started = time.perf_counter()
        with pytest.raises(HTTPException) as err:
            asyncio.run(access.check(name, pw))
        timings[name] = time.perf_counter() - started
        details[name] = (err.value.status_code, err.value.detail)
    assert details["alice"] == details["no-such-person"] == (400, SIGN_IN_FAILED)
    # an unknown name is locked out like a real one, so a lockout reveals nothing either
    for _ in range(5):
        access.verify("ghost", "x" * 12, "")
    with pytest.raises(SignInRefused):
        access.verify("ghost", "x" * 12, "")
    print(f"\nsign-in check: known name {timings['alice']:.3f} s, unknown "
          f"{timings['no-such-person']:.3f} s")


def test_a_restart_keeps_recent_failures(users_file, tmp_path):
    audit = AuditLog(tmp_path / "audit.jsonl")
    first = Access(users_file=users_file, audit=audit)
    for _ in range(5):
        first.verify("alice", "wrong-wrong-wrong", "203.0.113.5")
    again = Access(users_file=users_file, audit=audit)  # as after a restart
    with pytest.raises(SignInRefused):
        again.verify("alice", EDITOR_PW, "203.0.113.6")


def test_accounts_added_while_running_are_seen(users_file, monkeypatch):
    access = Access(users_file=users_file)
    assert access.role("carol") is None
    time.sleep(0.01)
    _users(monkeypatch, users_file, (["add", "carol", "--role", "reader"], "carol-pass-000"))
    assert access.role("carol") == "reader" and access.role("Alice") == "editor"


# ---- the audit trail -------------------------------------------------------------------------

def test_audit_lines_survive_a_torn_last_line_and_print_since_a_date(tmp_path, capsys):
    path = tmp_path / "var" / "audit.jsonl"
    log = AuditLog(path)
    log.append("upload", user="alice", role="editor", file="uploads/ab.txt", sha256="ab" * 32,
               result="stored")
    log.append("rebuild", user="alice", role="editor", result="ok: 12 passages")
    with path.open("ab") as fh:
        fh.write(b'{"time": "2026-')  # a kill -9 in the middle of a write
    assert [e["action"] for e in log.read()] == ["upload", "rebuild"]
    assert path.stat().st_mode & 0o777 == 0o600
    log.append("remove", user="alice", role="editor", file="uploads/ab.txt", result="removed")
    assert [e["action"] for e in log.read()][-1] == "remove"  # appended after the torn line
    with pytest.raises(SystemExit):
        app.main(["audit", "--audit", str(path), "--since", "2000-01-01"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "alice (editor)  upload  uploads/ab.txt  sha256:abababababab" in out[0]
    with pytest.raises(SystemExit):
        app.main(["audit", "--audit", str(path), "--since", "2999-01-01"])
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit) as done:
        app.main(["audit", "--audit", str(path), "--since", "last week"])
    assert done.value.code == 2 and "use a date" in capsys.readouterr().err


# ---- removing and restoring ------------------------------------------------------------------

def _ids(index_dir: Path, rel: str) -> list[str]:
    from index import load_index

    return sorted(p.id for p in load_index(index_dir).passages if p.file == rel)


def test_remove_then_restore_gives_the_same_bytes_and_passage_ids(built, fake_settings,
                                                                  tmp_path):
    from index import build_index

    corpus, index_dir = built
    stored = store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus,
                          title="Riverbend")
    build_index(corpus, index_dir, fake_settings)
    rel = stored.stored_path.relative_to(corpus).as_posix()
    before_ids = _ids(index_dir, rel)
    doc_bytes = stored.stored_path.read_bytes()
    side = stored.stored_path.with_name(stored.stored_path.name + ".meta.json")
    side_bytes = side.read_bytes()
    assert before_ids

    result = remove_document(corpus, rel, "alice", "Riverbend")
    assert result.ok and not stored.stored_path.exists() and not side.exists()
    kept = removed_documents(corpus)
    assert [(r.file, r.removed_by, r.title) for r in kept] == [(rel, "alice", "Riverbend")]
    assert (corpus / REMOVED_DIR / kept[0].folder / rel).read_bytes() == doc_bytes
    report = build_index(corpus, index_dir, fake_settings)
    assert report.removed == [rel] and _ids(index_dir, rel) == []

    # the CLI: `python -m ingest restore FILE`, audited
    from ingest.__main__ import main as ingest_main

    audit = tmp_path / "audit.jsonl"
    assert ingest_main(["restore", rel, "--corpus", str(corpus), "--audit", str(audit)]) == 0
    assert stored.stored_path.read_bytes() == doc_bytes and side.read_bytes() == side_bytes
    assert removed_documents(corpus) == []
    build_index(corpus, index_dir, fake_settings)
    assert _ids(index_dir, rel) == before_ids
    line = AuditLog(audit).read()[-1]
    assert line["action"] == "restore" and line["file"] == rel and line["result"] == "restored"
    assert line["sha256"] == result.sha256


def test_remove_refuses_what_is_not_a_corpus_file_and_restore_refuses_to_overwrite(corpus,
                                                                                  tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not in the corpus")
    for name in ["../secret.txt", str(outside), "uploads", "", "catalog.csv",
                 f"{REMOVED_DIR}/x/y.txt"]:
        assert remove_document(corpus, name, "alice").status == "refused", name
    assert outside.exists()
    rel = "leadership-of-learning-synopsis.txt"
    original = (corpus / rel).read_bytes()
    assert remove_document(corpus, rel, "alice").ok
    (corpus / rel).write_text("a different file in its place")
    refused = restore_document(corpus, rel, "alice")
    assert refused.status == "refused" and "another file" in refused.message
    (corpus / rel).unlink()
    assert restore_document(corpus, rel, "alice").ok
    assert (corpus / rel).read_bytes() == original
    assert restore_document(corpus, rel, "alice").status == "refused"  # nothing left to restore


# ---- the served app, through gradio_client ----------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(built, fake_settings, users_file, tmp_path):
    from qa import SearchSettings
    from qa.service import EvidenceService

    corpus, index_dir = built
    settings = app.AppSettings(index_dir, corpus, port=_free_port(), users_file=users_file,
                               audit_file=tmp_path / "var" / "audit.jsonl")
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings,
                              search_settings=SearchSettings(strong_threshold=0.35,
                                                             weak_threshold=0.15))
    demo = app.build_app(settings, service)
    _, url, _ = demo.launch(**app.launch_kwargs(settings, demo.access),
                            prevent_thread_lock=True, quiet=True)
    yield {"url": url.rstrip("/"), "corpus": corpus, "audit": AuditLog(settings.audit_file),
           "demo": demo}
    demo.close(verbose=False)


NEW_DOC = ("Larkfield Learning Partnership (fictional)\n\nFICTIONAL TEST DATA: not research "
           "evidence.\n\nThe Larkfield partnership pools its catering contracts across nine "
           "schools and reports the savings to governors each spring.\n")


def test_api_readers_are_refused_editors_add_and_remove_and_it_is_all_audited(served,
                                                                              tmp_path):
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    url, corpus, audit = served["url"], served["corpus"], served["audit"]
    doc = tmp_path / "larkfield.txt"
    doc.write_text(NEW_DOC, encoding="utf-8")
    uploads_before = sorted((corpus / "uploads").glob("*")) if (corpus / "uploads").exists() \
        else []

    reader = Client(url, auth=("rita", READER_PW), verbose=False)
    assert reader.predict("What is a hard federation?", api_name="/ask")["passages"]
    with pytest.raises(AppError) as err:
        reader.predict(files=[handle_file(str(doc))], api_name="/add_documents")
    assert "Only editors" in str(err.value)
    with pytest.raises(AppError):
        reader.predict(file="leadership-of-learning-synopsis.txt", api_name="/remove_document")
    now = sorted((corpus / "uploads").glob("*")) if (corpus / "uploads").exists() else []
    assert now == uploads_before and (corpus / "leadership-of-learning-synopsis.txt").exists()

    editor = Client(url, auth=("alice", EDITOR_PW), verbose=False)
    out = editor.predict(files=[handle_file(str(doc))], title="Larkfield partnership",
                         api_name="/add_documents")
    assert [f["status"] for f in out["files"]] == ["stored"]
    assert out["build"]["status"] == "rebuilt" and out["build"]["added"] == [
        out["files"][0]["stored_as"]]
    found = editor.predict("Larkfield catering contracts savings", api_name="/ask")
    assert any("Larkfield" in p["title"] for p in found["passages"])
    rel = out["files"][0]["stored_as"]
    gone = editor.predict(file=rel, api_name="/remove_document")
    assert gone["status"] == "removed" and gone["build"]["removed"] == [rel]
    assert not (corpus / rel).exists() and removed_documents(corpus)[0].removed_by == "alice"
    again = reader.predict("Larkfield catering contracts savings", api_name="/ask")
    assert not any("Larkfield" in p["title"] for p in again["passages"])
    missing = editor.predict(file="../etc/passwd", api_name="/remove_document")
    assert missing["status"] == "refused" and missing["build"]["status"] == "not needed"

    lines = [(e["user"], e["role"], e["action"], e["result"]) for e in audit.read()]
    assert ("rita", "reader", "sign-in", "ok") in lines
    assert ("alice", "editor", "sign-in", "ok") in lines
    assert ("rita", "reader", "upload", "refused: not an editor") in lines
    assert ("rita", "reader", "remove", "refused: not an editor") in lines
    assert ("alice", "editor", "upload", "stored") in lines
    assert ("alice", "editor", "remove", "removed") in lines
    rebuilds = [e for e in audit.read() if e["action"] == "rebuild"]
    assert len(rebuilds) == 2 and all(e["result"].startswith("ok: ") for e in rebuilds)
    upload = next(e for e in audit.read() if e["action"] == "upload" and e["user"] == "alice")
    assert upload["file"] == rel and len(upload["sha256"]) == 64
    assert all(e["time"].endswith("Z") for e in audit.read())
    reader.close()
    editor.close()


def test_api_add_documents_refuses_a_server_path(served):
    """A FileData or bare path naming a server file (not one Gradio received) is refused."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    editor = Client(served["url"], auth=("alice", EDITOR_PW), verbose=False)
    for forged in ("/etc/passwd", str(served["corpus"] / "catalog.csv")):
        with pytest.raises((AppError, ValueError)):
            editor.predict(files=[forged], api_name="/add_documents")
    assert not (served["corpus"] / "uploads").exists() or not any(
        (served["corpus"] / "uploads").iterdir())
    editor.close()


def test_lockout_after_five_wrong_passwords_through_the_login_route(served):
    from gradio_client import Client

    url = served["url"]
    for _ in range(5):
        r = httpx.post(f"{url}/login", data={"username": "alice", "password": "bad-guess-1"},
                       timeout=30)
        assert r.status_code == 400 and r.json()["detail"] == SIGN_IN_FAILED
    r = httpx.post(f"{url}/login", data={"username": "alice", "password": EDITOR_PW},
                   timeout=30)
    assert r.status_code == 400 and r.json()["detail"] == LOCKED_OUT
    with pytest.raises(ValueError):  # gradio_client: "Could not login"
        Client(url, auth=("alice", EDITOR_PW), verbose=False)
    # the address is locked too now (five failures from 127.0.0.1), for every name
    r = httpx.post(f"{url}/login", data={"username": "rita", "password": READER_PW}, timeout=30)
    assert r.json()["detail"] == LOCKED_OUT
    unknown = httpx.post(f"{url}/login", data={"username": "nobody", "password": "x"},
                         timeout=30)
    assert unknown.json()["detail"] == LOCKED_OUT  # nothing tells a name from a non-name
    entries = served["audit"].read()
    failed = [e for e in entries if e["action"] == "sign-in" and e["result"] == "failed"]
    assert len(failed) == 5 and all(e["address"] == "127.0.0.1" for e in failed)


def test_readers_cannot_replay_the_upload_or_rebuild_events(served):
    """The UI's own events, sent as the browser sends them, with a reader's cookie."""
    url, demo, corpus = served["url"], served["demo"], served["corpus"]
    login = httpx.post(f"{url}/login", data={"username": "rita", "password": READER_PW},
                       timeout=30)
    cookies = dict(login.cookies)
    up = httpx.post(f"{url}/gradio_api/upload", cookies=cookies,
                    files={"files": ("note.md", b"# Note\n\nA governance note.\n", "text/plain")},
                    timeout=10)
    path = up.json()[0]
    fd = {"path": path, "orig_name": "note.md", "meta": {"_type": "gradio.FileData"}}
    for name, data in (("add_files", [[fd], "", ""]), ("rebuild", [True]),
                       ("remove", ["leadership-of-learning-synopsis.txt"])):
        msgs = _join(url, demo, name, data, cookies)
        done = [m for m in msgs if m.get("msg") == "process_completed"]
        assert done and done[-1]["success"] is False, (name, msgs)
        assert "Only editors" in json.dumps(done[-1]), name
    assert not (corpus / "uploads").exists() or not any((corpus / "uploads").iterdir())
    assert (corpus / "leadership-of-learning-synopsis.txt").exists()
    refused = [e["action"] for e in served["audit"].read() if e["result"].startswith("refused")]
    assert refused == ["upload", "rebuild", "remove"]


def _join(url: str, demo, fn_name: str, data: list, cookies: dict) -> list[dict]:
    idx, dep = next((i, f) for i, f in demo.fns.items() if f.name == fn_name)
    trigger = dep.targets[0][0] if dep.targets else None
    session = "acc" + os.urandom(4).hex()
    r = httpx.post(f"{url}/gradio_api/queue/join", cookies=cookies,
                   json={"data": data, "event_data": None, "fn_index": idx,
                         "trigger_id": trigger, "session_hash": session}, timeout=10)
    assert r.status_code == 200, r.text
    msgs = []
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", cookies=cookies,
                      params={"session_hash": session}, timeout=30) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                msgs.append(msg)
                if msg.get("msg") in ("process_completed", "close_stream"):
                    break
    return msgs


# ---- kill -9 in the middle of an upload -------------------------------------------------------

SLOW_SERVER = """
import sys, time
sys.path[:0] = [{root!r}]
import app
from index import EmbedSettings, IndexSettings
from qa.service import EvidenceService

class Slow(EvidenceService):
    def rebuild(self, progress=None, full=False):
        def slow(stage, done, total):
            time.sleep(0.2)  # a long build, so that the kill lands in the middle of it
            if progress:
                progress(stage, done, total)
        return super().rebuild(progress=slow, full=full)

settings = app.AppSettings({index!r}, {corpus!r}, port={port}, users_file={users!r},
                           audit_file={audit!r})
service = Slow(settings.index_dir, settings.corpus_dir,
               index_settings=IndexSettings(embed=EmbedSettings(model="fake")))
demo = app.build_app(settings, service)
print("ready", flush=True)
demo.launch(**app.launch_kwargs(settings, demo.access), quiet=True)
"""


def test_kill_9_during_an_upload_leaves_a_readable_audit_and_an_index_that_serves(
        built, fake_settings, users_file, tmp_path):
    from gradio_client import Client, handle_file

    from qa.service import EvidenceService

    corpus, index_dir = built
    audit_path = tmp_path / "var" / "audit.jsonl"
    port = _free_port()
    script = SLOW_SERVER.format(root=str(ROOT), index=str(index_dir), corpus=str(corpus),
                                port=port, users=str(users_file), audit=str(audit_path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/config", timeout=2).status_code in (200, 401):
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        doc = tmp_path / "larkfield.txt"
        doc.write_text(NEW_DOC * 40, encoding="utf-8")
        client = Client(url, auth=("alice", EDITOR_PW), verbose=False)
        client.submit(files=[handle_file(str(doc))], api_name="/add_documents")
        log = AuditLog(audit_path)
        while time.monotonic() < deadline and not any(e["action"] == "upload"
                                                      for e in log.read()):
            time.sleep(0.1)
        time.sleep(0.3)  # into the rebuild
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    raw = audit_path.read_bytes().splitlines()
    entries = [json.loads(line) for line in raw]  # every line is whole JSON
    actions = [e["action"] for e in entries]
    assert actions[:2] == ["sign-in", "upload"] and "rebuild" not in actions  # killed mid-build
    assert entries[1]["result"] == "stored"
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    assert service.ask("What is a hard federation?").hits  # the previous index serves
    report = service.rebuild()  # and the next build picks up the stored upload
    assert entries[1]["file"] in report.added
