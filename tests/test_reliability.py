"""Issue 6: real bad files, crashes mid-rebuild, many users at once, hostile uploads.

Every file gets a status; the index being served is never lost; nothing is handed to someone
who should not have it. Tests that already exist in test_index.py (checksum fallback, the
build lock, a patched fsync failure) are extended here, not repeated.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index import (
    BuildBusy,
    EmbedSettings,
    IndexSettings,
    build_index,
    current_generation_name,
    load_index,
    read_manifest,
)
from index.build import IndexWriteError
from ingest import discover, relative_name
from ingest.sandbox import InProcessReader, ReadLimits, SandboxReader

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
BADPDFS = DATA / "badpdfs"
GOOD_PDF = BADPDFS / "good-4-pages_pdflatex-4-pages.pdf"

# What each generated hostile file must end as: (status, reason code, words in the message).
HOSTILE_EXPECTED = {
    "empty.pdf": ("refused", "empty", "empty file"),
    "random.pdf": ("refused", "corrupt", "corrupt PDF"),
    "notazip.docx": ("refused", "corrupt", "not a zip archive"),
    "bomb.docx": ("refused", "corrupt", "zip bomb"),
    "streambomb.pdf": ("refused", "corrupt", "decompression bomb"),
    "big.txt": ("refused", "too_large", "split it into smaller files"),
    "latin1.txt": ("indexed", "", "not UTF-8"),
}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _run(*args, timeout=300, env=None):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env=env or _env(), timeout=timeout)


@pytest.fixture(scope="session")
def hostile_dir(request) -> Path:
    """The generated hostile files, kept in pytest's cache folder between runs (the zip bomb
    takes 10-20 s to make). Never committed: the big text file alone is 50 MB."""
    import hostile_files

    d = Path(request.config.cache.mkdir("hostile-files"))
    done = d / "complete"
    if not done.exists():
        for f in d.iterdir():
            f.unlink()
        hostile_files.all_hostile(d)
        done.write_text("all_hostile\n")
    return d


def mixed_pdf(dest: Path) -> Path:
    """Four text pages followed by two image-only pages, from the badpdfs fixtures."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for name in (GOOD_PDF.name, "image-only-grayscale_grayscale-image.pdf",
                 "image-only-ccittfax_imagemagick-CCITTFaxDecode.pdf"):
        for page in PdfReader(BADPDFS / name).pages:
            writer.add_page(page)
    with dest.open("wb") as fh:
        writer.write(fh)
    return dest


# --------------------------------------------------------------------- 1. every file gets a status


def test_every_bad_and_hostile_file_gets_a_status_in_one_build(corpus, tmp_path, hostile_dir,
                                                               fake_settings):
    (corpus / "badpdfs").mkdir()
    for pdf in BADPDFS.glob("*.pdf"):
        shutil.copy(pdf, corpus / "badpdfs" / pdf.name)
    (corpus / "hostile").mkdir()
    for f in hostile_dir.iterdir():
        if f.name != "complete":
            try:
                os.link(f, corpus / "hostile" / f.name)  # the 50 MB file is not copied
            except OSError:
                shutil.copy(f, corpus / "hostile" / f.name)
    mixed_pdf(corpus / "mixed.pdf")
    shutil.copy(DATA / "vignette-oakmoor.docx", corpus / "vignette-oakmoor.docx")
    index_dir = tmp_path / "index"

    # (reading cost is measured by bench/sandbox_overhead.py, not asserted here: on a
    # shared machine at load 30 it took 150 s)
    report = build_index(corpus, index_dir, fake_settings)  # the default, sandboxed reader

    manifest = read_manifest(index_dir)
    docs, others = discover(corpus)
    assert not others
    assert set(manifest.files) == {relative_name(p, corpus) for p in docs}  # every file, a status
    for rel, rec in manifest.files.items():
        assert rec.status in ("indexed", "refused"), (rel, rec.status)
        if rec.status == "refused":
            assert rec.reason and "Traceback" not in rec.reason and rec.reason_code
    failed = {f["file"]: f["reason"] for f in report.failed}
    assert set(failed) == {f for f, r in manifest.files.items() if r.status == "refused"}

    expected = json.loads((BADPDFS / "expected.json").read_text())
    assert len(expected) == 21
    from ingest import ocr

    with_ocr = ocr.available()  # image-only PDFs are read by OCR when Tesseract is there
    for name, want in expected.items():
        want = want.get("with_ocr", want) if with_ocr else want
        rec = manifest.files[f"badpdfs/{name}"]
        assert rec.status == want["outcome"], (name, rec.status, rec.reason)
        if want["outcome"] == "refused":
            assert rec.reason_code == want["reason"], (name, rec.reason)
    # The plain reasons a person reads.
    assert "password-protected" in failed["badpdfs/encrypted-aes256_crazyones-encrypted-256.pdf"]
    assert ("no text found: OCR read nothing usable" if with_ocr else "needs OCR") in failed[
        "badpdfs/image-only-grayscale_grayscale-image.pdf"]  # a picture of a boy scout
    # An encrypted PDF with an empty user password is opened and indexed.
    assert manifest.files["badpdfs/encrypted-aesv2-missing-length_r4-aes-v2-no-key-length.pdf"
                          ].status == "indexed"

    for name, (status, code, words) in HOSTILE_EXPECTED.items():
        rec = manifest.files[f"hostile/{name}"]
        assert (rec.status, rec.reason_code) == (status, code), (name, rec.reason)
        assert words in (rec.reason or " ".join(rec.warnings)), (name, rec.reason, rec.warnings)

    warnings = {(w["file"], w["warning"]) for w in report.warnings}
    assert ("mixed.pdf", "2 of 6 pages have no text (blank, or unreadable by OCR)" if with_ocr
            else "2 of 6 pages have no text layer (scanned?) and were not read: Tesseract is "
                 "not installed; " + ocr.INSTALL_HINT) in warnings
    assert manifest.files["mixed.pdf"].status == "indexed"

    # Everything else in the same build is indexed and searchable.
    idx = load_index(index_dir)
    indexed = {f for f, r in manifest.files.items() if r.status == "indexed"}
    assert set(idx.by_file) == indexed
    assert {"federations-and-mats-briefing-paper.txt", "leadership-of-learning-synopsis.txt",
            "vignette-oakmoor.docx", "hostile/latin1.txt"} <= indexed
    # badpdfs (one more with OCR: the patent's scanned page), latin1.txt, corpus x2 + mixed +
    # vignette
    assert len(indexed) == 15 + with_ocr + 1 + 4

    # The CLI repeats every refusal on the next (no-op) run, with its reason.
    r = _run("-m", "ingest", "--corpus", str(corpus), "--index", str(index_dir), "--json",
             "--model", "fake")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["added"] == [], out["full_rebuild"]
    assert {f["file"]: f["reason"] for f in out["failed"]} == failed


# The limit must leave a good PDF room to be read on a shared, loaded machine (at load 30
# good.pdf took more than 2 s); the hanging file waits for ever, so any limit shows the kill.
def _misbehaving_reader(timeout=8.0, memory_mb=512) -> SandboxReader:
    return SandboxReader(ReadLimits(timeout=timeout, memory_mb=memory_mb),
                         target="sandbox_targets:misbehave", extra_paths=(str(TESTS),))


def test_hanging_crashing_and_memory_hungry_files_cost_only_themselves(corpus, tmp_path,
                                                                       fake_settings):
    for name in ("hang.pdf", "crash.pdf", "hog.pdf", "exit.pdf", "network.pdf"):
        shutil.copy(GOOD_PDF, corpus / name)
        # distinct content, or the build would index the copies once as duplicates
        with (corpus / name).open("ab") as fh:
            fh.write(f"\n% {name}\n".encode())
    shutil.copy(GOOD_PDF, corpus / "good.pdf")
    reader = _misbehaving_reader()
    report = build_index(corpus, tmp_path / "index", fake_settings, reader=reader)
    reasons = {f["file"]: f["reason"] for f in report.failed}
    assert reasons["hang.pdf"] == ("took longer than 8 s to read (limit); "
                                   "the file may be damaged")
    assert "needed more than 512 MB of memory to read (limit)" in reasons["hog.pdf"]
    assert "crashed" in reasons["crash.pdf"] and "SIGSEGV" in reasons["crash.pdf"]
    assert "crashed" in reasons["exit.pdf"]
    assert "network access is disabled" in reasons["network.pdf"]
    codes = {f: r.reason_code for f, r in read_manifest(tmp_path / "index").files.items()}
    assert (codes["hang.pdf"], codes["hog.pdf"], codes["crash.pdf"]) == \
        ("timeout", "memory", "crashed")
    assert set(load_index(tmp_path / "index").by_file) == {
        "good.pdf", "federations-and-mats-briefing-paper.txt",
        "leadership-of-learning-synopsis.txt"}
    assert reader.stats.timeouts == 1 and reader.stats.crashes == 2
    assert reader.stats.workers_started >= 3  # killed or dead workers were replaced
    pid = reader.worker_pid
    reader.close()
    assert reader.worker_pid is None
    if pid:
        assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_real_bombs_without_their_guards_are_stopped_by_the_memory_limit(hostile_dir):
    """The readers refuse both bombs before inflating them; with those guards removed, the
    sandbox's address-space limit still stops the real libraries."""
    limits = ReadLimits(timeout=60, memory_mb=1024)
    with SandboxReader(limits, target="sandbox_targets:unguarded_docx",
                       extra_paths=(str(TESTS),)) as reader:
        with pytest.raises(Exception) as err:
            reader(hostile_dir / "bomb.docx", hostile_dir, {})
        assert err.value.reason == "memory"
        assert str(err.value).startswith("needed more than 1 GB of memory to read (limit)")
    with SandboxReader(limits, target="sandbox_targets:uncapped_pdf",
                       extra_paths=(str(TESTS),)) as reader:
        with pytest.raises(Exception) as err:
            reader(hostile_dir / "streambomb.pdf", hostile_dir, {})
        assert err.value.reason in ("memory", "corrupt")
        assert "memory" in str(err.value)


def test_sandbox_worker_dies_with_the_build(tmp_path):
    """A build killed with SIGKILL leaves no reading process behind."""
    script = (
        "import sys, time; from pathlib import Path\n"
        "from ingest.sandbox import SandboxReader, ReadLimits\n"
        "r = SandboxReader(ReadLimits(timeout=600), target='sandbox_targets:misbehave',\n"
        f"                  extra_paths=({str(TESTS)!r},))\n"
        "import threading\n"
        f"threading.Thread(target=r, args=(Path({str(tmp_path / 'hang.pdf')!r}), "
        f"Path({str(tmp_path)!r}), {{}}), daemon=True).start()\n"
        "while r.worker_pid is None: time.sleep(0.05)\n"
        "print(r.worker_pid, flush=True); time.sleep(600)\n")
    shutil.copy(GOOD_PDF, tmp_path / "hang.pdf")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, text=True)
    try:
        worker = int(proc.stdout.readline())
        time.sleep(0.5)  # the worker is now inside the hanging read
        assert _alive(worker)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)


def test_small_text_files_are_read_in_process_and_the_in_process_reader_remains(corpus,
                                                                               tmp_path):
    reader = SandboxReader()
    build_index(corpus, tmp_path / "a", IndexSettings(embed=EmbedSettings(model="fake")),
                reader=reader)
    assert reader.stats.inprocess == 2 and reader.stats.workers_started == 0
    settings = IndexSettings(embed=EmbedSettings(model="fake"), read=ReadLimits(sandbox=False))
    shutil.copy(GOOD_PDF, corpus / "four.pdf")
    report = build_index(corpus, tmp_path / "b", settings)
    assert "four.pdf" in report.added and not report.failed
    # The in-process reader keeps the size limit.
    (corpus / "long.txt").write_text("A sentence about trust boards. " * 2000)
    report = build_index(corpus, tmp_path / "b", settings,
                         reader=InProcessReader(ReadLimits(sandbox=False, max_text_chars=10_000)))
    assert [f["file"] for f in report.failed] == ["long.txt"]
    assert "too large to index" in report.failed[0]["reason"]


# --------------------------------------------------------------------- 2. crash safety


def _snapshot(index_dir: Path) -> tuple[str, list[str]]:
    return ((index_dir / "CURRENT").read_text(),
            sorted(p.name for p in (index_dir / "generations").iterdir()))


def _can_mount_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
                       capture_output=True)
    if r.returncode != 0:
        return False
    subprocess.run(["umount", str(where)], check=True)
    return True


@pytest.fixture
def tiny_disk(tmp_path):
    """mount(size) -> a tmpfs of that many bytes under tmp_path (root only); unmounted after."""
    where = tmp_path / "disk"
    if not _can_mount_tmpfs(where):
        pytest.skip("needs root and tmpfs to simulate a full disk")
    mounted = []

    def mount(size: int) -> Path:
        if mounted:
            import gc

            gc.collect()  # loaded indexes hold memory maps of files on the old disk
            subprocess.run(["umount", str(where)], check=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                       check=True)
        mounted.append(size)
        return where

    yield mount
    if mounted and subprocess.run(["umount", str(where)], capture_output=True).returncode:
        subprocess.run(["umount", "-l", str(where)], check=False)  # still mapped: detach lazily


def test_full_disk_on_a_real_tmpfs_keeps_the_served_index(built, fake_settings, tiny_disk):
    corpus, built_index = built
    size = sum(p.stat().st_size for p in built_index.rglob("*") if p.is_file())
    shutil.copy(GOOD_PDF, corpus / "new.pdf")
    failures = set()
    # Disks from just big enough for the first generation to big enough for two: the second
    # write runs out of space at different files. Each time, nothing is lost.
    for extra in (0.05, 0.3, 0.6):
        disk = tiny_disk(int(size * (1 + extra)) + 64 * 1024)
        shutil.copytree(built_index, disk, dirs_exist_ok=True)
        before = _snapshot(disk)
        served = [p.id for p in load_index(disk).passages]
        try:
            build_index(corpus, disk, fake_settings)
        except IndexWriteError as exc:
            assert str(exc).startswith("the disk is full"), exc
            assert "is unchanged" in str(exc) and "Free some disk space" in str(exc)
            failures.add(str(exc.__cause__)[:40])
            assert _snapshot(disk) == before  # CURRENT untouched, nothing half-written left
            assert [p.id for p in load_index(disk).passages] == served
    assert failures, "no disk size was small enough to fail"
    # The CLI says so in plain words and exits non-zero; freeing space lets the next run finish.
    disk = tiny_disk(size * 4)
    shutil.copytree(built_index, disk, dirs_exist_ok=True)
    free = shutil.disk_usage(disk).free
    (disk / "ballast").write_bytes(b"\0" * max(0, free - size // 3))
    before = _snapshot(disk)
    r = _run("-m", "ingest", "--corpus", str(corpus), "--index", str(disk), "--model", "fake",
             "--json")
    assert r.returncode == 1
    assert "error: the disk is full" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["error"].startswith("the disk is full")
    assert _snapshot(disk) == before
    (disk / "ballast").unlink()
    r = _run("-m", "ingest", "--corpus", str(corpus), "--index", str(disk), "--model", "fake",
             "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == ["new.pdf"]
    assert "new.pdf" in load_index(disk).by_file


_ENOSPC_CLI = """
import errno, sys
import numpy as np
import faiss
from pathlib import Path

where = sys.argv[1]
def full(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device")
def faiss_full(*a, **k):
    raise RuntimeError("Error in faiss::FileIOWriter: write error: No space left on device")
if where == "numpy":
    np.save = full
elif where == "faiss":
    faiss.write_index = faiss_full
elif where == "pointer":
    import index.store as store
    real = Path.open
    def open_(self, mode="r", *a, **k):
        if self.name == "CURRENT.tmp":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, mode, *a, **k)
    Path.open = open_
from ingest.__main__ import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("where", ["numpy", "faiss", "pointer"])
def test_cli_reports_a_full_disk_at_any_write_and_leaves_current(built, where):
    """Without root: the writes fail with ENOSPC at three different points."""
    corpus, index_dir = built
    shutil.copy(GOOD_PDF, corpus / "new.pdf")
    before = _snapshot(index_dir)
    r = _run("-c", _ENOSPC_CLI, where, "--corpus", str(corpus), "--index", str(index_dir),
             "--model", "fake")
    assert r.returncode == 1, r.stderr
    assert "error: the disk is full" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "python -m ingest` again" in r.stderr
    assert _snapshot(index_dir) == before
    assert not (index_dir / "CURRENT.tmp").exists()
    load_index(index_dir)


def test_damaged_index_is_reported_to_the_cli_user_and_repaired(built, fake_settings):
    corpus, index_dir = built
    (corpus / "new.txt").write_text("A note on trust boards and their duties. " * 10)
    build_index(corpus, index_dir, fake_settings)
    gen = index_dir / "generations" / current_generation_name(index_dir)
    with (gen / "faiss.index").open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\xff" * 16)
    # qa answers from the previous generation and says why and what to do.
    r = _run("-m", "qa", "--index", str(index_dir), "--json", "What is a hard federation?")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["passages"]
    assert "damaged" in r.stderr and "python -m ingest --full" in r.stderr
    # Doing what the message says rebuilds everything and serves a sound generation again.
    # (A plain `python -m ingest` on an unchanged corpus is a no-op that does not re-hash
    # the index; a build with changes verifies what it reuses, see test_index.py.)
    r = _run("-m", "ingest", "--corpus", str(corpus), "--index", str(index_dir), "--model",
             "fake", "--full")
    assert r.returncode == 0, r.stderr
    assert "full rebuild: --full was requested" in r.stdout
    idx = load_index(index_dir)
    assert not idx.fallback_reason and "new.txt" in idx.by_file


@pytest.mark.slow
def test_thirty_crash_trials_lose_nothing():
    """bench/crash_trials.py: SIGKILL `python -m ingest` at 30 seeded random moments."""
    r = _run(str(ROOT / "bench" / "crash_trials.py"), "--trials", "30", "--seed", "6",
             "--json", timeout=3600)
    summary = json.loads(r.stdout)
    assert r.returncode == 0, [t for t in summary["results"] if t["problems"]]
    assert summary["survived"] == summary["trials"] == 30
    assert len(summary["killed_in"]) >= 3  # the kills landed in several stages


# --------------------------------------------------------------------- 3. concurrency


def test_searches_during_rebuild_see_old_then_new_and_no_errors(built, fake_settings):
    from qa.service import EvidenceService

    corpus, index_dir = built
    service = EvidenceService(index_dir, corpus, fake_settings)
    old = service.ask("What is a hard federation?").generation
    for i in range(3):  # enough new material that the rebuild takes a moment
        shutil.copy(GOOD_PDF, corpus / f"new-{i}.pdf")
        with (corpus / f"new-{i}.pdf").open("ab") as fh:
            fh.write(f"\n% {i}\n".encode())
    questions = ["What is a hard federation?", "Who keeps the books?",
                 "What goes wrong when trusts grow too fast?", "How are governors chosen?"]
    errors: list[BaseException] = []
    seen: list[list[str]] = [[] for _ in range(4)]
    stop = threading.Event()

    def client(n: int) -> None:
        while not stop.is_set():
            try:
                answer = service.ask(questions[n % len(questions)])
                seen[n].append(answer.generation)
                assert answer.hits
            except BaseException as exc:  # noqa: BLE001 - any error fails the test
                errors.append(exc)
                return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    report = service.rebuild()
    time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    new = report.generation
    assert new != old and len(report.added) == 3
    for gens in seen:
        assert gens and set(gens) <= {old, new}
        # each client sees the old generation until the switch, then only the new one
        assert gens == sorted(gens, key=lambda g: g == new)
    assert any(old in g for g in seen) and all(g[-1] == new for g in seen)


def test_second_rebuild_waits_in_the_service_and_is_refused_from_outside(built, fake_settings):
    from qa.service import EvidenceService

    corpus, index_dir = built
    service = EvidenceService(index_dir, corpus, fake_settings)
    shutil.copy(GOOD_PDF, corpus / "new.pdf")
    entered = threading.Event()
    release = threading.Event()

    def slow_progress(stage, done, total):
        entered.set()
        release.wait(30)

    results = {}
    first = threading.Thread(target=lambda: results.setdefault("first", service.rebuild(
        progress=slow_progress)))
    first.start()
    assert entered.wait(30)
    # Another process (python -m ingest) is refused at once with a plain message...
    r = _run("-m", "ingest", "--corpus", str(corpus), "--index", str(index_dir), "--model",
             "fake")
    assert r.returncode == 1 and "another build of this index is running" in r.stderr
    with pytest.raises(BuildBusy):
        build_index(corpus, index_dir, fake_settings)
    # ...while a second rebuild in the same service waits its turn.
    second = threading.Thread(target=lambda: results.setdefault("second", service.rebuild()))
    second.start()
    time.sleep(0.3)
    assert "second" not in results and service.building
    release.set()
    first.join(30)
    second.join(30)
    assert results["first"].added == ["new.pdf"]
    assert not results["second"].changed  # it found the work done


# --------------------------------------------------------------------- 4. uploads and file routes

ENV_SECRET = "MAT_EVIDENCE_AUTH=alice:env-secret-4b1d"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _named_since(base: Path, token: str, since: float) -> list[Path]:
    """Files and folders under base whose name holds token, changed since `since`. Other
    programs create and delete folders in /tmp meanwhile (a browser's artifacts folder went
    between listing and reading it), so what vanishes is skipped, not an error."""
    hits = []
    for folder, dirs, files in os.walk(base, onerror=lambda e: None):
        for name in (*dirs, *files):
            if token in name:
                p = Path(folder) / name
                try:
                    if p.lstat().st_mtime >= since:
                        hits.append(p)
                except OSError:
                    continue
    return hits


def _tree(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under the roots: path -> (size, mtime_ns)."""
    out = {}
    for root in roots:
        if not root.exists():
            continue
        for p in [root, *root.rglob("*")]:
            try:
                st = p.lstat()
            except OSError:
                continue
            out[str(p)] = (st.st_size if p.is_file() else -1, st.st_mtime_ns)
    return out


@pytest.fixture
def upload_app(tmp_path, monkeypatch, fake_settings):
    """The web app with a private project folder (cwd, holding .env, corpus/, index/) and a
    private Gradio upload cache; uploads capped at 4 MB."""
    import app
    from qa.service import EvidenceService

    project = tmp_path / "project"
    corpus = project / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (project / ".env").write_text(ENV_SECRET + "\n")
    build_index(corpus, project / "index", fake_settings)
    cache = tmp_path / "gradio-cache"
    cache.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))
    monkeypatch.chdir(project)  # worst case: .env, corpus/ and index/ under the working dir
    settings = app.AppSettings(project / "index", corpus, port=_free_port(),
                               max_upload_bytes=4 * 1024 * 1024)
    service = EvidenceService(settings.index_dir, corpus, index_settings=fake_settings)
    demo = app.build_app(settings, service)
    _, url, _ = demo.launch(**app.launch_kwargs(settings), prevent_thread_lock=True, quiet=True)
    try:
        yield url.rstrip("/"), demo, project, cache
    finally:
        demo.close(verbose=False)


def _event(url: str, demo, fn_name: str, data: list) -> dict:
    """Run one event the way the browser does (queue/join, then the SSE stream)."""
    import httpx

    idx, dep = next((i, f) for i, f in demo.fns.items() if f.name == fn_name)
    session = "rel" + os.urandom(4).hex()
    r = httpx.post(f"{url}/gradio_api/queue/join",
                   json={"data": data, "event_data": None, "fn_index": idx,
                         "trigger_id": dep.targets[0][0] if dep.targets else None,
                         "session_hash": session}, timeout=10)
    assert r.status_code == 200, r.text
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session},
                      timeout=60) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return msg
    raise AssertionError("no process_completed message")


def _upload_and_add(url: str, demo, name: str, data: bytes) -> tuple[str, str]:
    """POST the bytes under `name` to Gradio's upload route, then run the app's add_files
    handler on what Gradio stored. Returns (outcome, message the person sees)."""
    import httpx

    r = httpx.post(f"{url}/gradio_api/upload",
                   files={"files": (name, data, "application/octet-stream")}, timeout=30)
    if r.status_code != 200:
        return f"http {r.status_code}", r.text
    path = r.json()[0]
    msg = _event(url, demo, "add_files",
                 [[{"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}], "",
                  ""])
    if not msg.get("success"):
        return "error", json.dumps(msg.get("output"))[:300]
    text = msg["output"]["data"][0]
    text = text.get("value", text) if isinstance(text, dict) else text
    for mark, outcome in (("**Added**", "stored"), ("**Already there:**", "duplicate"),
                          ("**Not added:**", "refused")):
        if mark in text:
            return outcome, text
    return "unknown", text


def test_hostile_uploads_are_refused_or_contained(upload_app, hostile_dir, tmp_path):
    """Every attack through the real upload route and the app's upload handler ends refused,
    deduplicated or stored as data under corpus/uploads/, and nothing is written anywhere
    else (a snapshot of the temporary folders before and after)."""
    url, demo, project, cache = upload_app
    note = b"# Governance note\n\nThe trust board met the local governing bodies.\n"
    pdf = GOOD_PDF.read_bytes()
    attacks = [  # (label, name, bytes, acceptable outcomes, words in the message)
        ("path traversal", "../../etc/passwd", note, {"error"}, "Invalid file type"),
        ("traversal with a type", "../../../../tmp/evil-traversal.txt", note, {"stored"}, ""),
        ("absolute path", "/etc/cron.d/evil-absolute.md", note + b"abs", {"stored"}, ""),
        ("windows path", "C:\\Windows\\evil-win.txt", note + b"win", {"stored"}, ""),
        ("NUL in the name", "evil\x00name.txt", note + b"nul", {"stored"}, ""),
        ("500-character name", "n" * 500 + ".txt", note + b"long", {"stored"}, ""),
        ("disallowed type .exe", "setup.exe", b"MZ\x90\x00" + b"\0" * 64, {"error"},
         "Invalid file type"),
        ("a script named .html", "page.html", b"<script>alert(1)</script>", {"refused"},
         "no HTML in it"),
        ("binary named .html", "photo.html", b"\x89PNG\r\n\x1a\n\x00\x00" * 50, {"refused"},
         "binary"),
        ("PowerPoint file that is not a zip", "deck.pptx", b"not a zip" * 20, {"refused"},
         "not a zip"),
        ("disallowed type .sh", "run.sh", b"#!/bin/sh\nrm -rf /\n", {"error"},
         "Invalid file type"),
        ("PDF that is not a PDF", "report.pdf", b"MZ not a pdf at all", {"refused"},
         "not a PDF"),
        ("Word file that is not a zip", "notazip.docx",
         (hostile_dir / "notazip.docx").read_bytes(), {"refused"}, "not a zip"),
        ("zip-bomb Word file", "bomb.docx", (hostile_dir / "bomb.docx").read_bytes(),
         {"refused"}, "zip bomb"),
        ("binary named .txt", "data.txt", b"\x00\x01\x02" * 100, {"refused"}, "binary"),
        ("over the size limit", "big.pdf", pdf + b"\0" * (4 * 1024 * 1024), {"http 413"},
         "File size exceeded"),
        ("first copy", "four.pdf", pdf, {"stored"}, ""),
        ("same content again", "again.pdf", pdf, {"duplicate"}, "four.pdf"),
        ("same content as a corpus file", "copy.txt",
         (project / "corpus" / "leadership-of-learning-synopsis.txt").read_bytes(),
         {"duplicate"}, ""),
    ]
    watched = (tmp_path, Path("/etc"))
    before = _tree(*watched)
    started = time.time()
    results = []
    for label, name, data, ok, words in attacks:
        outcome, message = _upload_and_add(url, demo, name, data)
        results.append((label, outcome))
        print(f"upload attack: {label}: {outcome}: {message[:160]!r}")
        assert outcome in ok, (label, outcome, message)
        assert words in message, (label, message)
        assert "Traceback" not in message
    after = _tree(*watched)
    uploads = project / "corpus" / "uploads"
    changed = {p for p in set(after) | set(before) if after.get(p) != before.get(p)}
    outside = sorted(p for p in changed
                     if not p.startswith((str(uploads), str(cache), str(project / "corpus"))))
    assert outside == [], outside  # nothing written outside the upload folder and Gradio's cache
    assert {p for p in changed if p.startswith(str(project / "corpus"))
            and not p.startswith(str(uploads))} <= {str(project / "corpus")}
    stored = sorted(p.name for p in uploads.iterdir())
    n_stored = sum(1 for _, o in results if o == "stored")
    assert len([s for s in stored if not s.endswith(".meta.json")]) == n_stored
    assert all(len(s) <= 40 for s in stored)  # content-hash names, never the uploaded name
    for meta in uploads.glob("*.meta.json"):
        original = json.loads(meta.read_text())["original_name"]
        assert "/" not in original and "\\" not in original and "\x00" not in original
        assert len(original) <= 120
    # No file named after an attack appeared anywhere under /tmp or the repository.
    for base in (Path("/tmp"), ROOT):
        for token in ("evil-traversal", "evil-absolute", "evil-win"):
            hits = [p for p in _named_since(base, token, started - 1)
                    if not str(p).startswith(str(cache)) and not str(p).startswith(str(uploads))]
            assert hits == [], hits
    assert (Path("/etc/passwd").stat().st_mtime < started)


ROUTE_TEMPLATES = [
    "/gradio_api/file={p}", "/gradio_api/file={q}", "/gradio_api/file/{n}",
    "/gradio_api/file//{n}", "/file={p}", "/file/{n}",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f{n}",
    "/assets/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f{n}",
    "/gradio_api/file={cache}/../../../../../../../..{p}",
    "/gradio_api/file=file://{p}",
]


def test_dotenv_and_uploaded_corpus_files_are_not_served(upload_app):
    """test_security.py covers /etc/passwd, the index and the corpus; here: the project's .env
    (absolute and relative to the working directory) and an upload once it is in corpus/."""
    from urllib.parse import quote

    import httpx

    url, demo, project, cache = upload_app
    outcome, _ = _upload_and_add(url, demo, "mine.md", b"# Mine\n\nA private upload " +
                                 b"about federations, SECRET-UPLOAD-91.\n")
    assert outcome == "stored"
    stored = next(p for p in (project / "corpus" / "uploads").iterdir()
                  if p.suffix == ".md")
    tried = 0
    for tmpl in ROUTE_TEMPLATES:
        for target in (str(project / ".env"), ".env", str(stored),
                       stored.relative_to(project).as_posix()):
            u = url + tmpl.format(p=target, q=quote(target, safe=""), n=target.lstrip("/"),
                                  cache=str(cache))
            r = httpx.get(u, timeout=10, follow_redirects=False)
            assert "env-secret" not in r.text and "SECRET-UPLOAD-91" not in r.text, u
            assert r.status_code in (400, 403, 404, 405), (u, r.status_code)
            tried += 1
    assert tried == 40


def test_login_from_the_environment_guards_the_real_app(built, tmp_path):
    """`python app.py` with MAT_EVIDENCE_AUTH set: nothing without the password."""
    import httpx
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    corpus, index_dir = built
    port = _free_port()
    env = {**_env(), "MAT_EVIDENCE_AUTH": "alice:pa55-word-from-env",
           "GRADIO_TEMP_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--index", str(index_dir),
                             "--corpus", str(corpus), "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                r = httpx.get(f"{url}/config", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "app.py did not start"
                time.sleep(0.5)
        assert r.status_code == 401
        assert httpx.post(f"{url}/gradio_api/upload",
                          files={"files": ("a.txt", b"x", "text/plain")}).status_code == 401
        with pytest.raises((AuthenticationError, ValueError), match="login|credentials"):
            Client(url, auth=("alice", "wrong"), verbose=False)  # "Could not login to ..."
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        client = Client(url, auth=("alice", "pa55-word-from-env"), verbose=False)
        assert client.predict("What is a hard federation?", api_name="/ask")["passages"]
        client.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
