"""The everyday path (issue 22 item 6): one vocabulary for match levels, questions cleaned
before they are echoed and cut with a notice, the CLI's errors, help and closed pipes, and the
basket kept in the browser."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qa.format import (
    LEVEL_WORDS,
    MAX_QUESTION_CHARS,
    answer_json,
    answer_text,
    clean_question,
    passage_level,
)

ROOT = Path(__file__).resolve().parent.parent


def _qa(*args, stdin=None, stdout=subprocess.PIPE):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "qa", *args], cwd=ROOT, env=env, text=True,
                          input=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=300)


# ---- questions -----------------------------------------------------------------------------

def test_control_characters_are_dropped_and_whitespace_folded():
    q = clean_question("What is\x1b[31m a\x00 hard\u202e\tfederation?\r\n\x07")
    assert q.text == "What is[31m a hard federation?"
    assert not q.notice


def test_a_question_over_the_limit_is_cut_with_a_notice():
    q = clean_question("federation " * 10_000)
    assert len(q.text) <= MAX_QUESTION_CHARS and q.cut_from == len("federation " * 10_000) - 1
    assert "110,000" in q.notice or "109,999" in q.notice
    assert f"first {MAX_QUESTION_CHARS}" in q.notice
    assert not clean_question("x" * MAX_QUESTION_CHARS).notice


def test_a_question_of_only_control_characters_is_empty():
    assert clean_question("\x00\x1b\x07 \t").text == ""
    assert clean_question(None).text == ""


# ---- one vocabulary ----------------------------------------------------------------------------

def test_one_vocabulary_for_levels_in_text_and_json(searcher):
    answer = searcher.ask("What is a hard federation? single legal entity governing body")
    s = searcher.settings
    text = answer_text(answer, strong=s.strong_threshold, weak=s.weak_threshold)
    data = answer_json(answer, s.strong_threshold, s.weak_threshold)
    for hit, passage in zip(answer.hits, data["passages"], strict=True):
        level = passage_level(hit.similarity, s.strong_threshold, s.weak_threshold)
        assert passage["match"] == level
        assert f"{LEVEL_WORDS[level]}, similarity {hit.similarity:.2f}" in text
    for word in ("partial match", "relevance"):
        assert word not in text
    assert set(LEVEL_WORDS) == {"strong", "weak", "none"}


def test_the_web_page_uses_the_same_words(searcher):
    import app

    answer = searcher.ask("What is a hard federation? single legal entity governing body")
    page = app.render_answer(answer, searcher.index, strong=0.0, weak=0.0)
    assert LEVEL_WORDS["strong"] in page and "similarity" in page
    assert "partial match" not in page and "relevance" not in page
    assert app.LEVEL_WORDS is LEVEL_WORDS


# ---- the CLI -----------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["", "   ", "\x1b\x07"])
def test_an_empty_question_is_an_error_with_status_2(built, question):
    r = _qa("--index", str(built[1]), question)
    assert r.returncode == 2 and "empty" in r.stderr and r.stdout == ""


def test_help_lists_every_subcommand():
    from qa.__main__ import SUBCOMMANDS

    r = _qa("--help")
    assert r.returncode == 0
    for name, args, _ in SUBCOMMANDS:
        shown = f"python -m qa {args}" if name == "QUESTION" else f"python -m qa {name} "
        assert shown in r.stdout
    assert {name for name, _, _ in SUBCOMMANDS} == {"QUESTION", "show", "prep", "trusts"}


def test_every_command_defaults_to_the_projects_own_index(tmp_path):
    """`python -m ingest`, `python -m qa`, `qa prep` and the app find one index, the project's,
    from any working folder (a relative default once sent `qa` from another folder to a
    different, empty index from the one `qa prep` used)."""
    import app
    import ingest.__main__ as ingest_cli
    import qa.__main__ as qa_cli

    project = Path(app.__file__).resolve().parent
    assert ingest_cli.DEFAULT_INDEX == qa_cli.DEFAULT_INDEX == project / "var" / "index"
    assert app.AppSettings().index_dir == project / "var" / "index"
    assert ingest_cli.DEFAULT_CORPUS == project / "corpus"
    r = subprocess.run([sys.executable, "-m", "qa", "--index", str(tmp_path / "none"), "x y z"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(project)})
    assert r.returncode == 2 and str(tmp_path / "none") in r.stderr


def test_output_to_a_closed_pipe_ends_quietly(built):
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody reads: the first write fails, as after `| head -1` has quit
    try:
        r = _qa("prep", "--list", stdout=write_end)
        r2 = _qa("--index", str(built[1]), "What is a hard federation?", stdout=write_end)
    finally:
        os.close(write_end)
    for result in (r, r2):
        assert result.returncode == 141, result.stderr
        assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_a_long_question_is_answered_with_a_notice_and_nothing_raw_is_echoed(built):
    r = _qa("--index", str(built[1]), "What is a \x1b[2Jhard federation? " + "x" * 1000)
    assert r.returncode == 0
    assert "\x1b" not in r.stdout and "\x1b" not in r.stderr
    assert "1,030 characters long; only its first 500 were searched" in r.stdout
    assert "only its first 500" in r.stderr  # and said on stderr, for scripts
    r = _qa("--index", str(built[1]), "--json", "x " * 400 + "federation")
    assert '"notice": "Your question was' in r.stdout


# ---- the basket in the browser ------------------------------------------------------------------

def test_the_basket_key_is_made_once_and_kept_private(tmp_path):
    from ui.basket import browser_secret

    path = tmp_path / "var" / "browser-state.key"
    key = browser_secret(path)
    assert len(key) >= 32 and browser_secret(path) == key  # the same after a restart
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("short")
    assert browser_secret(path) != "short"  # an unusable key is replaced


def test_the_basket_from_the_browser_is_checked():
    from ui.basket import MAX_BASKET, basket_from_browser

    good = {"id": "p1", "text": "Quoted.", "file": "a.pdf", "title": "A", "citation": "A, p. 1",
            "page": 1, "highlight": ["Quoted.", 3]}
    items, bad = basket_from_browser([good, {"id": "p2"}, "junk", dict(good)])
    assert [it["id"] for it in items] == ["p1"] and bad == 3  # malformed and repeated ones
    assert items[0]["highlight"] == ["Quoted."]
    assert basket_from_browser(None) == ([], 0) and basket_from_browser("x") == ([], 1)
    many = [{**good, "id": f"p{i}"} for i in range(MAX_BASKET + 5)]
    items, bad = basket_from_browser(many)
    assert len(items) == MAX_BASKET and bad == 5


def test_the_app_keeps_the_basket_in_the_browser(built, fake_settings, tmp_path):
    import gradio as gr

    import app
    from qa.service import EvidenceService

    corpus, index_dir = built
    settings = app.AppSettings(index_dir, corpus)
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    demo = app.build_app(settings, service)
    states = [b for b in demo.blocks.values() if isinstance(b, gr.BrowserState)]
    assert len(states) == 1 and states[0].storage_key == "mat-evidence-basket"
    assert states[0].secret == (index_dir.parent / "browser-state.key").read_text().strip()
    again = app.build_app(settings, service)  # a restart: the same key, the basket readable
    assert [b.secret for b in again.blocks.values() if isinstance(b, gr.BrowserState)] == \
        [states[0].secret]
    shown = [b.value for b in demo.blocks.values() if getattr(b, "elem_id", "") == "basket-where"]
    assert shown and "kept in this browser" in shown[0]


def test_the_live_region_speaks_in_words():
    from ui.html import render_live, spoken

    md = ("**Index updated** in 1.2 s: 40 passages.\n- New or changed: “Testbrook”\n\n"
          "The new documents are in Sources and in search.")
    words = spoken(md)
    assert "*" not in words and "common." not in words
    assert words == ("Index updated in 1.2 s: 40 passages. New or changed: “Testbrook”. "
                     "The new documents are in Sources and in search.")
    assert render_live(words).startswith('<p class="mx-live">')
