"""Every command in the README runs as written on the shipped corpus (issue 22 item 6).

The README's ```sh and ```python blocks are run, in order, in a copy of the project (its
packages, `corpus/`, Makefile) whose `var/index` is built from the shipped corpus. What the
test changes, and why:
- `.venv/bin/python` is this interpreter (the venv the tests run in);
- `python -m ingest` builds with `--model fake` (the fast deterministic embedder; the index's
  manifest then makes every `qa` command use it too);
- `make ...` is run as `make -n ...`: `make run` serves until stopped and `make test` runs
  this test; the dry run checks the target exists and passes its variables (PORT=...) on;
- the ```python blocks talk to the app served in this process on a free port instead of
  7860 (no accounts, so everyone is an editor, as `make run` serves it), and the file they
  upload, `new-report.pdf`, is made here from a test PDF.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```", re.S | re.M)
PASSAGE_ID = re.compile(r"\bp[0-9a-f]{15}\b")
PACKAGES = ("accounts", "index", "ingest", "qa", "ui")


def blocks(kind: str) -> list[str]:
    return [body for k, body in BLOCK.findall(README.read_text(encoding="utf-8")) if k == kind]


def sh_commands() -> list[str]:
    return [line for body in blocks("sh") for line in body.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project, its index built from the shipped corpus with the fake embedder."""
    dest = tmp_path_factory.mktemp("readme") / "mat-evidence"
    dest.mkdir()
    for name in PACKAGES:
        shutil.copytree(ROOT / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("app.py", "Makefile", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "corpus", dest / "corpus",
                    ignore=shutil.ignore_patterns("uploads", ".removed"))
    r = _run([sys.executable, "-m", "ingest", "--model", "fake"], dest)
    assert r.returncode == 0, r.stderr
    return dest


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the copy's own code
    env.update(HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    return env


def _run(args, cwd: Path, shell: bool = False, stdin: str | None = None):
    return subprocess.run(args, cwd=cwd, env=_env(), shell=shell, capture_output=True,
                          text=True, input=stdin, timeout=600,
                          executable="/bin/bash" if shell else None)


def as_run(command: str) -> str:
    """The README's command as this test runs it (see the module docstring)."""
    words = shlex.split(command, comments=True)
    if words and words[0] == "make":
        return "make -n " + command.split("#")[0].strip()[len("make"):].strip()
    command = command.replace(".venv/bin/python", shlex.quote(sys.executable))
    if re.search(r"-m ingest(?! restore)", command) and "--model" not in command:
        command = re.sub(r"-m ingest\b", "-m ingest --model fake", command)
    return command


def test_the_readme_has_commands_to_run():
    commands = sh_commands()
    assert any(c.startswith("make run PORT=") for c in commands)
    assert any("-m qa show" in c for c in commands)
    assert any("-m qa prep" in c for c in commands)
    assert len(blocks("python")) >= 2


def test_every_sh_command_runs_as_written(project):
    for command in sh_commands():
        r = _run("set -o pipefail; " + as_run(command), project, shell=True)
        assert r.returncode == 0, f"{command}\nexit {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        assert "Traceback" not in r.stderr, f"{command}\n{r.stderr[-3000:]}"
        if command.startswith("make run PORT="):
            port = command.split("PORT=")[1].split()[0]
            assert f"--port {port}" in r.stdout  # the port reaches app.py
        if "-m qa show" in command:
            assert "No passage with id" not in r.stdout


def test_every_passage_id_in_the_readme_exists(project):
    from index import load_index

    index = load_index(project / "var" / "index")
    ids = set(PASSAGE_ID.findall(README.read_text(encoding="utf-8")))
    assert ids, "the README names a passage id for `qa show`"
    missing = {pid for pid in ids if index.passage(pid) is None}
    assert not missing, (f"README passage ids not in the index of the shipped corpus: {missing}; "
                         "use one that `python -m qa` prints today")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_python_block_runs_against_the_app(project):
    import app
    from index import EmbedSettings, IndexSettings
    from qa.service import EvidenceService

    fake = IndexSettings(embed=EmbedSettings(model="fake"))
    settings = app.AppSettings(project / "var" / "index", project / "corpus", port=_free_port())
    service = EvidenceService(settings.index_dir, settings.corpus_dir, index_settings=fake)
    demo = app.build_app(settings, service)
    _, url, _ = demo.launch(**app.launch_kwargs(settings, demo.access), prevent_thread_lock=True,
                            quiet=True)
    shutil.copy2(ROOT / "tests" / "data" / "badpdfs" / "good-4-pages_pdflatex-4-pages.pdf",
                 project / "new-report.pdf")
    try:
        for code in blocks("python"):
            code = code.replace("http://127.0.0.1:7860/", url)
            r = _run([sys.executable, "-c", code], project)
            assert r.returncode == 0, f"{code}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
            assert r.stdout.strip()
            if "/add_documents" in code:
                assert "stored rebuilt" in r.stdout.splitlines()  # as the comment says
    finally:
        demo.close(verbose=False)
