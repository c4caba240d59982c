"""Session prep: session definitions, evidence packs, their formats, and quotes that stay true."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from index import build_index, load_index
from ingest import load_catalog, read_document
from ingest.normalise import OMISSION, is_verbatim, match_key
from qa import Searcher
from qa.export import CSV_COLUMNS, to_csv, to_docx, to_markdown
from qa.prep import (
    EXCERPTS,
    MORE_QUOTES,
    MORE_REFERRALS,
    NO_EVIDENCE,
    PER_QUESTION,
    REFERRALS,
    SHORT_WORDS,
    SessionsError,
    build_pack,
    build_session_pack,
    check_pack,
    check_saved,
    find_session,
    load_sessions,
    poses_questions,
    quotes_in_file,
)

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = ROOT / "corpus" / "sessions.toml"
BRIEFING = "federations-and-mats-briefing-paper.txt"
SYNOPSIS = "leadership-of-learning-synopsis.txt"
OFF_TOPIC = "Xylophone quokka zeppelin?"


def _session(sid: str = "8.5"):
    return find_session(load_sessions(SESSIONS), sid)


def _source_key(corpus: Path, file: str) -> str:
    # The document as the reader normalises it (footnote markers such as the "1" inside
    # "2.1 Research evidence / 1 / suggests" dropped): what every quote is verbatim of.
    doc = read_document(corpus / file, corpus, load_catalog(corpus))
    return match_key("\n".join(p.text for p in doc.pages))


def _verbatim(text: str, key: str) -> bool:
    """Every piece of the quote between its omission marks is in the raw source file, after
    normalisation, the pieces in order."""
    return is_verbatim(text, key)


# --- Session definitions -------------------------------------------------------------------

def test_sessions_file_has_the_papers_five_sessions():
    sessions = load_sessions(SESSIONS)
    assert [s.id for s in sessions] == ["8.1", "8.2", "8.3", "8.4", "8.5"]
    s85 = sessions[-1]
    assert s85.title.startswith("Setting up a federation")
    assert len(s85.questions) == 6 and s85.questions[0].startswith("How do you carry out due")
    assert s85.materials and "8.5" in s85.source
    assert all(q.endswith("?") for s in sessions for q in s.questions)
    with pytest.raises(SessionsError, match=r"no session '9.9' \(sessions: 8.1, 8.2"):
        find_session(sessions, "9.9")


@pytest.mark.parametrize("text, message", [
    ("[[session]]\nid = \"x\"\ntitle = \"T\"\nquestions = [\"Q?\"\n", "not valid TOML"),
    ("[session]\nid = \"x\"\ntitle = \"T\"\nquestions = [\"Q?\"]\n", "double brackets"),
    ("title = \"T\"\n", "no sessions"),
    ("[[session]]\nid = 8.5\ntitle = \"T\"\nquestions = [\"Q?\"]\n", "id must be quoted text"),
    ("[[session]]\ntitle = \"T\"\nquestions = [\"Q?\"]\n", "missing id"),
    ("[[session]]\nid = \"x\"\nquestions = [\"Q?\"]\n", "session x: missing title"),
    ("[[session]]\nid = \"x\"\ntitle = \"T\"\nquestions = []\n", "no questions"),
    ("[[session]]\nid = \"x\"\ntitle = \"T\"\nquestions = \"Q?\"\n", "must be a list"),
    ("[[session]]\nid = \"x\"\ntitle = \"T\"\nquestions = [\"Q?\", 3]\n", "questions item 2"),
    ("[[session]]\nid = \"x\"\ntitle = \"T\"\nquestion = [\"Q?\"]\n", "unknown key(s) question"),
    ("[[session]]\nid = \"x\"\ntitle = \"T\"\nquestions = [\"Q?\"]\n" * 2, "id used twice"),
    ("[[session]]\nid = \"x\"\ntitle = \"T\"\nquestions = [\"Q?\", \"Q?\"]\n", "listed twice"),
])
def test_malformed_sessions_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "sessions.toml"
    path.write_text(text)
    with pytest.raises(SessionsError) as err:
        load_sessions(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_missing_sessions_file(tmp_path):
    with pytest.raises(SessionsError, match="not found"):
        load_sessions(tmp_path / "nope.toml")


def test_facilitator_can_add_a_session(tmp_path):
    path = tmp_path / "sessions.toml"
    path.write_text(SESSIONS.read_text() + '\n[[session]]\nid = "local-1"\ntitle = "Finance"\n'
                    'questions = ["Should finance be run centrally?"]\n')
    s = find_session(load_sessions(path), "local-1")
    assert s.questions == ["Should finance be run centrally?"] and s.materials == []


# --- Packs ----------------------------------------------------------------------------------

def test_session_outlines_are_not_evidence(built):
    idx = load_index(built[1])
    outlines = {p.id for p in idx.passages if p.section and p.section[0] == "Part II"}
    assert len(outlines) == 5
    assert {p.id for p in idx.passages if poses_questions(p.text)} == outlines


def test_session_pack_contents(built, searcher):
    corpus, _ = built
    session = _session("8.5")
    doc = build_session_pack(searcher, session, corpus_dir=corpus)
    assert doc.title.startswith("Session 8.5: Setting up a federation")
    assert [s.heading for s in doc.sections] == session.questions
    assert doc.warnings == []
    catalog = load_catalog(corpus)
    keys = {f: _source_key(corpus, f) for f in (BRIEFING, SYNOPSIS)}
    idx = searcher.index
    seen: list[str] = []
    quoted_anywhere = {q.passage_id for s in doc.sections for q in s.quotes}
    for section in doc.sections:
        # each quote's passage is graded as evidence for its question by the searcher itself
        graded = {h.passage.id: searcher.evidence_level([h])
                  for h in searcher.ask(section.heading, k=len(idx.passages)).hits}
        for q in section.quotes:
            # Verbatim, from the index, cited with the catalog's title, and real evidence.
            assert _verbatim(q.text, keys[q.file]), q.passage_id
            p = idx.passage(q.passage_id)
            if q.excerpt:  # its answer sentences, "[…]" for what is left out (round 12b)
                assert OMISSION in q.text and is_verbatim(q.text, match_key(p.text))
            else:
                assert p.text == q.text
            assert q.title == catalog[q.file]["title"] and q.citation.startswith(
                catalog[q.file]["short_title"])
            assert not poses_questions(q.text)
            assert graded[q.passage_id] != "none"
            assert q.passage_id not in seen  # each passage quoted once in the pack
            seen.append(q.passage_id)
        for pid in section.see_also:  # refers to a quote under another question
            assert pid in quoted_anywhere and pid not in {q.passage_id for q in section.quotes}
        for sentence in section.answer:
            assert any(_verbatim(sentence, k) for k in keys.values())
        # At most PER_QUESTION sections, the referrals right after them (REFERRALS), and past
        # them what the scores allow (MORE_QUOTES new quotes, short ones within SHORT_WORDS,
        # MORE_REFERRALS referrals); a question whose list was all quoted above gets one new
        # quote in place of its last.
        shown = [q.passage_id for q in section.quotes] + section.see_also
        words = sorted(len(q.text.split()) for q in section.quotes if not q.excerpt)
        over = words[:max(0, len(words) - PER_QUESTION - MORE_QUOTES)]
        assert sum(over) <= SHORT_WORDS, words
        assert sum(q.excerpt for q in section.quotes) <= EXCERPTS
        assert len(shown) <= PER_QUESTION + REFERRALS + MORE_QUOTES + MORE_REFERRALS + EXCERPTS
        assert all(idx.passage(pid).role == "evidence" for pid in shown)
    assert seen, "the 8.5 pack quotes something"
    assert [r.file for r in doc.references] == list(dict.fromkeys(
        q.file for s in doc.sections for q in s.quotes))
    for ref in doc.references:
        assert ref.title == catalog[ref.file]["title"]
        assert ref.doc_type == catalog[ref.file]["type"]
    assert any(r.author.startswith("CUREE") for r in doc.references if r.file == SYNOPSIS)


def test_question_without_evidence_is_marked_not_padded(built, searcher):
    corpus, _ = built
    doc = build_pack(searcher, [OFF_TOPIC, "What is a hard federation?"], "Mixed",
                     corpus_dir=corpus)
    empty, found = doc.sections
    assert empty.note == NO_EVIDENCE and not empty.quotes and not empty.answer
    assert not empty.see_also
    assert found.quotes and found.note != NO_EVIDENCE
    md = to_markdown(doc)
    assert f"## {OFF_TOPIC}\n\n*{NO_EVIDENCE}*" in md
    rows = list(csv.DictReader(io.StringIO(to_csv(doc))))
    assert [r["citation"] for r in rows if r["question"] == OFF_TOPIC] == [NO_EVIDENCE]


def test_a_lists_lead_in_is_the_short_answer_and_its_items_are_marked(tmp_path, fake_settings):
    from test_qa import LISTS_DOC

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "support.md").write_text(LISTS_DOC, encoding="utf-8")
    build_index(tmp_path / "c", tmp_path / "i", fake_settings)
    doc = build_pack(Searcher.open(tmp_path / "i"),
                     ["Which more unusual support sources were cited?"], "Lists",
                     corpus_dir=tmp_path / "c")
    section = doc.sections[0]
    # One "In short" entry: the lead-in, then its items on the lines after it (as answers
    # show a list), each verbatim; never the items strung along as sentences of their own.
    lead = next(a for a in section.answer
                if a.startswith("Some of the more unusual support sources cited included"))
    assert "Twitter and other social media" in lead.split("\n")[1:]
    assert "Twitter and other social media" not in section.answer
    quote = section.quotes[0]
    assert {"Some of the more unusual support sources cited included",
            "Twitter and other social media", "Students and their councils"} <= set(quote.highlight)
    assert not doc.warnings  # every quote and answer sentence checked verbatim


def test_formats_markdown_docx_csv(built, searcher, tmp_path):
    import docx

    corpus, _ = built
    doc = build_session_pack(searcher, _session("8.5"), corpus_dir=corpus)
    quotes = [q for s in doc.sections for q in s.quotes]
    keys = {f: _source_key(corpus, f) for f in (BRIEFING, SYNOPSIS)}

    # Markdown: each quote a blockquote, then its citation line with the passage id.
    md = to_markdown(doc)
    assert md.startswith(f"# {doc.title}\n") and "## References" in md
    for q in quotes:
        first = q.text.split("\n")[0]
        assert f"> {first}\n" in md
        assert f"— {q.citation} · id `{q.passage_id}`" in md
    (tmp_path / "pack.md").write_text(md, encoding="utf-8")
    parsed = quotes_in_file(tmp_path / "pack.md")
    assert [p.passage_id for p in parsed] == [q.passage_id for q in quotes]
    for p, q in zip(parsed, quotes, strict=True):
        assert p.text == q.text and _verbatim(p.text, keys[q.file])

    # DOCX: a heading per question, Quote paragraphs, a citation under each quote, references.
    path = to_docx(doc, tmp_path / "pack.docx")
    d = docx.Document(str(path))
    assert d.core_properties.title == doc.title
    paras = [(p.style.name, p.text) for p in d.paragraphs]
    assert [t for s, t in paras if s == "Heading 1"] == [
        s.heading for s in doc.sections] + ["References"]
    quote_lines = [t for s, t in paras if s == "Quote"]
    assert quote_lines == [line for q in quotes for line in q.text.split("\n") if line.strip()]
    cites = [t for _, t in paras if t.startswith("— ")]
    assert [c.split(" · id ")[1].split(" ")[0] for c in cites] == [q.passage_id for q in quotes]
    assert len([s for s, _ in paras if s == "List Number"]) == len(doc.references)
    assert [p.passage_id for p in quotes_in_file(path)] == [q.passage_id for q in quotes]

    # CSV: question, quote, title, page, section, id (and citation).
    rows = list(csv.DictReader(io.StringIO(to_csv(doc))))
    assert list(rows[0]) == CSV_COLUMNS
    assert {"question", "quote", "title", "page", "section", "id"} <= set(CSV_COLUMNS)
    # (A referral row may come first: since round 12 a question can refer to a quote below.)
    first_rows = {}
    for r in rows:
        if "(also under:" not in r["citation"]:
            first_rows.setdefault(r["id"], r)
    for q, section in ((q, s) for s in doc.sections for q in s.quotes):
        r = first_rows[q.passage_id]
        assert r["question"] == section.heading and r["quote"] == q.text
        assert r["title"] == q.title and r["section"] == q.section
    # A passage quoted under another question is listed under the one referring to it too.
    for s in doc.sections:
        assert {r["id"] for r in rows if r["question"] == s.heading and r["id"]} == {
            q.passage_id for q in s.quotes} | set(s.see_also)


# --- Citations that stay true ---------------------------------------------------------------

def test_pack_ids_survive_unrelated_rebuild_and_edit_is_flagged(built, fake_settings, tmp_path):
    corpus, index_dir = built
    searcher = Searcher.open(index_dir)
    doc = build_session_pack(searcher, _session("8.5"), corpus_dir=corpus)
    saved = tmp_path / "pack.md"
    saved.write_text(to_markdown(doc), encoding="utf-8")
    (tmp_path / "pack.csv").write_text(to_csv(doc), encoding="utf-8", newline="")
    ids = [q.passage_id for s in doc.sections for q in s.quotes]

    # The corpus grows: every quote of the pack is still current and verbatim.
    (corpus / "note.md").write_text("# Note\n\nTrust boards meet six times a year to review "
                                    "finance, risk and standards across all the schools.\n")
    build_index(corpus, index_dir, fake_settings)
    idx = load_index(index_dir)
    assert all(idx.passage(pid) is not None for pid in ids)
    checks = check_saved(saved, idx, corpus)
    assert [(c.problem, c.current_id) for c in checks] == [("", pid) for pid in ids]
    again = build_session_pack(Searcher.open(index_dir), _session("8.5"), corpus_dir=corpus)
    assert again.warnings == []

    # A quoted passage's source is edited (and not yet re-indexed): re-checking the pack
    # flags that quote, leaves it out with a note, and keeps the rest.
    src = corpus / BRIEFING
    raw = src.read_text(encoding="utf-8")
    target, chunk = next((q, line[:30]) for s in doc.sections for q in s.quotes
                         if q.file == BRIEFING for line in q.text.split("\n")
                         if len(line) > 40 and raw.count(line[:30]) == 1)
    src.write_text(raw.replace(chunk, chunk.replace(" ", " EDITED ", 1)), encoding="utf-8")
    problems = check_pack(doc, idx, corpus)
    quote_problems = [p for p in problems if p.startswith("Quote ")]
    assert len(quote_problems) == 1 and target.passage_id in quote_problems[0]
    assert "no longer in" in quote_problems[0] and "python -m ingest" in quote_problems[0]
    # An answer sentence taken from the edited text goes the same way.
    assert all(p.startswith("Answer sentence") for p in problems if p not in quote_problems)
    assert target.passage_id not in [q.passage_id for s in doc.sections for q in s.quotes]
    assert all(target.passage_id not in s.see_also for s in doc.sections)
    section = next(s for s in doc.sections if target.passage_id in s.note)
    assert "left out" in section.note
    assert doc.warnings == problems and "## Left out of this pack" in to_markdown(doc)

    # Building a pack from the stale index does the same, telling the caller each time.
    told: list[str] = []
    stale = build_session_pack(Searcher.open(index_dir), _session("8.5"), corpus_dir=corpus,
                               warn=told.append)
    assert told and told == stale.warnings and any(target.passage_id in w for w in told)

    # After a rebuild the old id is retired; the saved pack's check says so and points to
    # the passage as it reads now. The other quotes still hold.
    build_index(corpus, index_dir, fake_settings)
    idx = load_index(index_dir)
    for pack in (saved, tmp_path / "pack.csv"):
        results = {c.quote.passage_id: c for c in check_saved(pack, idx, corpus)}
        assert set(results) == set(ids)
        stale = results.pop(target.passage_id)
        assert not stale.ok and "no longer in the index" in stale.problem
        assert "Closest current passage" in stale.problem
        # The other quotes still hold: those from the edited document under new ids.
        assert all(c.ok for c in results.values())
        for pid, c in results.items():
            moved = c.quote.file == BRIEFING
            assert (c.current_id != pid) == moved and idx.passage(c.current_id) is not None
    fresh = build_session_pack(Searcher.open(index_dir), _session("8.5"), corpus_dir=corpus)
    assert fresh.warnings == []


def test_saved_pack_survives_a_chunker_change(corpus, tmp_path):
    """Months later the chunker cuts passages differently: the ids in an old pack are retired,
    but quotes still verbatim in the source are found again, under their new passage ids."""
    from index import EmbedSettings, IndexSettings
    from ingest import ChunkSettings

    def settings(**chunk):
        return IndexSettings(embed=EmbedSettings(model="fake"), chunk=ChunkSettings(**chunk))

    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, settings(heading_lines=False))
    doc = build_session_pack(Searcher.open(index_dir), _session("8.5"), corpus_dir=corpus)
    saved = tmp_path / "pack.md"
    saved.write_text(to_markdown(doc), encoding="utf-8")
    n = sum(len(s.quotes) for s in doc.sections)
    for chunk in ({"heading_lines": True}, {"target_words": 40, "max_words": 60}):
        build_index(corpus, index_dir, settings(**chunk))
        idx = load_index(index_dir)
        checks = check_saved(saved, idx, corpus)
        assert len(checks) == n and all(c.ok for c in checks), [c.problem for c in checks if c.problem]
        moved = [c for c in checks if c.current_id != c.quote.passage_id]
        assert moved and all(idx.passage(c.current_id) is not None for c in checks)
        assert all(c.note.startswith("quote unchanged") for c in moved)
    assert any("spans" in c.note for c in moved)


def test_missing_source_file_is_flagged_not_silently_trusted(built, searcher, tmp_path):
    corpus, _ = built
    elsewhere = tmp_path / "empty-corpus"
    elsewhere.mkdir()
    doc = build_pack(searcher, ["What is a hard federation?"], "T", corpus_dir=elsewhere)
    assert not doc.sections[0].quotes and doc.warnings
    assert all("cannot be read" in w for w in doc.warnings if w.startswith("Quote "))
    assert not doc.sections[0].answer
    assert doc.sections[0].note.startswith("No quotable evidence")


# --- CLI ------------------------------------------------------------------------------------

def _run(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "qa", "prep", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=300)


def test_cli_list():
    r = _run("--list")
    assert r.returncode == 0, r.stderr
    for sid in ("8.1", "8.2", "8.3", "8.4", "8.5"):
        assert f"\n{sid}  " in "\n" + r.stdout
    assert "How do you carry out due diligence in a MAT/federation setting?" in r.stdout


def test_cli_session_md_csv_docx_and_check(built, tmp_path):
    corpus, index_dir = built
    common = ("--index", index_dir, "--corpus", corpus)
    out = tmp_path / "pack.md"
    r = _run(*common, "--session", "8.5", "--format", "md", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "6 questions" in r.stderr and "md written to" in r.stderr
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# Session 8.5: Setting up a federation")
    assert "> " in md and "· id `p" in md and "## References" in md
    keys = {f: _source_key(corpus, f) for f in (BRIEFING, SYNOPSIS)}
    for sq in quotes_in_file(out):
        assert any(_verbatim(sq.text, k) for k in keys.values()), sq.passage_id
    r = _run(*common, "--session", "8.5", "--out", tmp_path / "pack.csv")  # format from suffix
    assert r.returncode == 0 and next(csv.reader(open(tmp_path / "pack.csv")))[:6] == [
        "question", "quote", "title", "page", "section", "id"]
    r = _run(*common, "--question", "What is a hard federation?", "--question", OFF_TOPIC,
             "--format", "docx", "--out", tmp_path / "q.docx")
    assert r.returncode == 0 and (tmp_path / "q.docx").stat().st_size > 0
    assert "1 without evidence" in r.stderr
    r = _run(*common, "--question", "What is a MAT?")  # md to standard output
    assert r.returncode == 0 and r.stdout.startswith("# Evidence pack")

    r = _run(*common, "--check", out)
    assert r.returncode == 0 and "STALE" not in r.stdout, r.stdout + r.stderr
    assert "quotes still verbatim" in r.stdout
    # The trainees' copy: no ids to re-check, and --check says to use the facilitator's.
    handout = tmp_path / "handout.md"
    r = _run(*common, "--session", "8.5", "--handout", "--out", handout)
    assert r.returncode == 0, r.stderr
    text = handout.read_text(encoding="utf-8")
    assert "· id `p" not in text and "python -m" not in text and "## References" in text
    r = _run(*common, "--check", handout)
    assert r.returncode == 2 and "facilitator's copy" in r.stderr

    expand = ("--question", "Expanding too fast, or expansion for its own sake: over enthusiasm "
              "from the stronger institution to help the weaker institution?")
    r = _run(*common, *expand, "--out", tmp_path / "expand.md")
    assert r.returncode == 0 and "Expanding too fast" in (tmp_path / "expand.md").read_text()
    src = corpus / BRIEFING
    src.write_text(src.read_text().replace("Expanding too fast", "Growing too quickly"))
    r = _run(*common, "--check", tmp_path / "expand.md")
    assert r.returncode == 1 and "STALE" in r.stdout and "no longer in" in r.stdout
    # Written now (index not rebuilt), the stale quote is left out with a warning on stderr
    # and a note in the pack.
    r = _run(*common, *expand, "--out", tmp_path / "stale.md")
    assert r.returncode == 0 and "warning: left out of the pack" in r.stderr
    stale = (tmp_path / "stale.md").read_text()
    assert "## Left out of this pack" in stale and "> - Expanding too fast" not in stale


def test_question_vectors_are_cached_beside_the_index(tmp_path):
    import numpy as np

    from index import HashingEmbedder
    from qa.prep_cli import _QueryVectorCache

    calls: list[list[str]] = []

    class Counting(HashingEmbedder):
        name = "counting"

        def embed(self, texts, *args, **kwargs):
            calls.append(list(texts))
            return super().embed(texts, *args, **kwargs)

    first = _QueryVectorCache(Counting(), tmp_path / "query-cache")
    a = first.embed(["What is a MAT?", "Who governs?"])
    assert calls == [["What is a MAT?", "Who governs?"]]
    second = _QueryVectorCache(Counting(), tmp_path / "query-cache")  # a later run
    b = second.embed(["Who governs?", "What is a MAT?"])
    assert len(calls) == 1 and np.array_equal(b, a[::-1]) and b.dtype == np.float32
    second.embed(["New question?"])
    assert calls[-1] == ["New question?"]
    (tmp_path / "query-cache" / first.path.name).write_text("{not json")
    assert _QueryVectorCache(Counting(), tmp_path / "query-cache").embed(["Who governs?"]).shape \
        == (1, 256)


def test_cli_errors(built, tmp_path):
    corpus, index_dir = built
    r = _run("--index", index_dir, "--corpus", corpus, "--session", "9.9", "--out", tmp_path / "x.md")
    assert r.returncode == 2 and "no session '9.9'" in r.stderr and not (tmp_path / "x.md").exists()
    r = _run("--index", index_dir, "--session", "8.5", "--format", "docx")
    assert r.returncode == 2 and "needs --out" in r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[session]\nid = 1\n")
    r = _run("--sessions", bad, "--list")
    assert r.returncode == 2 and "double brackets" in r.stderr
    r = _run("--index", tmp_path / "none", "--session", "8.5", "--out", tmp_path / "x.md")
    assert r.returncode == 2 and "python -m ingest" in r.stderr


# --- The real model -------------------------------------------------------------------------

@pytest.mark.model
def test_session_8_5_pack_with_the_real_model(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    build_index(corpus, tmp_path / "index")
    searcher = Searcher.open(tmp_path / "index")
    doc = build_session_pack(searcher, _session("8.5"), corpus_dir=corpus)
    assert doc.warnings == []
    assert all(s.quotes or s.see_also for s in doc.sections)  # the paper speaks to each
    assert all(s.note != NO_EVIDENCE for s in doc.sections)
    keys = {f: _source_key(corpus, f) for f in (BRIEFING, SYNOPSIS)}
    quotes = [q for s in doc.sections for q in s.quotes]
    assert all(_verbatim(q.text, keys[q.file]) for q in quotes)
    assert not any(poses_questions(q.text) for q in quotes)
    assert {r.file for r in doc.references} == {BRIEFING, SYNOPSIS}  # both documents
    due_diligence = doc.sections[0]
    assert any("due diligence" in q.text for q in due_diligence.quotes)


# --- Issue 22: evidence and apparatus, packs per question, "In short", handouts -------------

def _passage(text: str, section: list[str], **kw):
    from ingest import Passage

    return Passage("p0", "sha", kw.pop("file", "doc.txt"), "Doc", "Doc", kw.pop("doc_type", "report"),
                   0, text, section, **kw)


@pytest.mark.parametrize("text, section, role", [
    ("About case studies\nWe interviewed a number of them.", ["About case studies"], "apparatus"),
    ("Interviews\nParticipants were interviewed using a framework.", ["Interviews"], "apparatus"),
    ("5. Process\nFormal interviews were carried out with four heads.", ["Part I", "5. Process"],
     "apparatus"),
    ("Contents\n1 Introduction 3\n2 Findings 5", ["Contents"], "apparatus"),
    ("Programme A, Provider\nhttps://example.org/a\nProgramme B\nDuration: 2 years\n"
     "https://example.org/b", ["6. Current training"], "apparatus"),
    ("Key dimensions\nNumber of schools\nDistribution (local/regional/national)\nMix of context\n"
     "Approach to governance\nModel of delegation\nWay of setting priorities",
     ["Appendix A"], "apparatus"),
    ("This is a briefing paper, collating evidence regarding federations.",
     ["1. Introduction"], "apparatus"),
    ("- What are the best ways to\no communicate with\nkey stakeholders in a MAT setting?",
     ["8.4 Personalities"], "apparatus"),
    ("Governance\nMost of our trusts maintained local governing bodies with delegated powers.",
     ["Governance"], "evidence"),
    ("3.2 Successful leaders of federations/MATs\n- always see it from the children’s point of "
     "view\n- trust staff", ["3.2 Successful leaders of federations/MATs"], "evidence"),
    ("http://example.org/model.pdf\nand Learning Toolkit, matching focus areas emerging from "
     "their audits to strategies with high efficacy.", ["Approaches"], "evidence"),
])
def test_roles_from_headings_and_text_shape(text, section, role):
    from ingest.roles import role_of

    assert role_of(_passage(text, section)) == role


def test_a_vignette_is_evidence_and_an_old_index_reads_as_evidence():
    from ingest import Passage
    from ingest.roles import role_of

    vignette = _passage("Key dimensions\nNumber of schools\nDistribution\nMix of context\n"
                        "Approach to governance\nModel of delegation\nWay of setting priorities",
                        ["Oakmoor Trust"], kind="vignette", doc_type="vignette")
    assert role_of(vignette) == "evidence"
    old = _passage("About case studies\nWe interviewed them.", ["About case studies"]).to_json()
    del old["role"]  # a passage record written before issue 22
    assert Passage.from_json(old).role == "evidence"


def test_roles_are_stored_in_the_index(built):
    idx = load_index(built[1])
    role = {p.section_label: p.role for p in idx.passages}
    for label, want in (("About case studies", "apparatus"), ("Interviews", "apparatus"),
                        ("Part I › 5. Process", "apparatus"), ("Governance", "evidence"),
                        ("Part I › 3. Interview evidence › 3.2 Successful leaders of "
                         "federations/MATs", "evidence")):
        assert role[label] == want, label
    assert all(p.role == "apparatus" for p in idx.passages if poses_questions(p.text))


class _Rows:
    def __init__(self, roles):
        self.passages = [type("P", (), {"role": r})() for r in roles]


def test_apparatus_never_above_evidence_of_similar_similarity():
    import numpy as np

    from qa.search import _apparatus_after_evidence

    idx = _Rows(["apparatus", "evidence", "evidence", "apparatus"])
    cand = np.arange(4)
    score = np.array([4.0, 3.0, 2.0, 1.0])
    # Within 0.05 (or below): the evidence goes first, the rest keeps its order.
    out, new_score, sim = _apparatus_after_evidence(idx, cand, score,
                                                    np.array([0.60, 0.57, 0.40, 0.30]))
    assert out.tolist() == [1, 0, 2, 3] and sim.tolist() == [0.57, 0.60, 0.40, 0.30]
    assert new_score.tolist() == [4.0, 3.0, 2.0, 1.0]
    # Far closer than any evidence ("How was the study done?"): it stays first.
    out, _, _ = _apparatus_after_evidence(idx, cand, score, np.array([0.80, 0.60, 0.58, 0.3]))
    assert out.tolist() == [0, 1, 2, 3]
    # Evidence lower in the list but more similar: the apparatus goes below it too.
    out, _, _ = _apparatus_after_evidence(idx, cand, score, np.array([0.50, 0.40, 0.52, 0.3]))
    assert out.tolist() == [1, 2, 0, 3]


@pytest.mark.parametrize("question, about", [
    ("How was the research in these documents carried out?", True),
    ("Who paid for the CUREE report to be written?", True),
    ("Why did CUREE choose mostly smaller trusts for its sample?", True),
    ("Were the leaders interviewed anonymously?", True),
    ("What does the session on setting up a federation cover?", True),
    ("Where can I read more about executive headship?", True),
    ("Does research show that MATs outperform other schools?", False),
    ("What should a trust centralise first?", False),
    ("Should finance be run centrally?", False),
    ("What does a successful federation's governing body look like?", False),
])
def test_asks_about_study(question, about):
    from ingest.roles import asks_about_study

    assert asks_about_study(question) is about


def test_apparatus_ranked_on_its_own_score_when_asked_about_the_study(searcher, monkeypatch):
    """The searcher applies issue 22's demotion to a question about the evidence and not to
    one about the study (ingest.roles.asks_about_study)."""
    import qa.search as qs

    calls = []
    real = qs._apparatus_after_evidence

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(qs, "_apparatus_after_evidence", spy)
    searcher.ask("What should a trust centralise first?")
    assert calls
    calls.clear()
    searcher.ask("How were the interviews for the research carried out?")
    assert not calls


@pytest.mark.parametrize("text, why", [
    ("capacity-in-a-multi-academy-trust-the-critical-role-of-the-executive-leaders Executive "
     "Educators, Ambition School Leadership.", "a link"),
    ("See https://www.ssatuk.co.uk/cpd/ for the programme.", "a link"),
    ("Graph A: Balance between localisation and centralisation.", "a caption"),
    ("Table 2 shows the average of Ofsted ratings by trust.", "a caption"),
    ("3.4 Issues faced by successful leaders of federations/MATS are", "a heading"),
    ("Size and composition of trusts", "a heading"),
    ("trust staff", "a fragment"),
    ("There are no ‘findings’ but there are some things worth noting:", "a fragment"),
    ("Finance was universally centrally controlled but that control itself quite varied.", ""),
])
def test_in_short_is_never_a_link_caption_heading_or_fragment(text, why):
    from qa.prep import not_a_sentence

    assert not_a_sentence(text, {match_key("Size and composition of trusts").casefold()}) == why


def test_session_packs_in_short_and_apparatus(built, searcher):
    from qa.eval_packs import bad_in_short

    corpus, _ = built
    idx = searcher.index
    headings = {match_key(h).casefold() for p in idx.passages for h in p.section}
    entries = 0
    for session in load_sessions(SESSIONS):
        doc = build_session_pack(searcher, session, corpus_dir=corpus)
        for section in doc.sections:
            entries += len(section.answer)
            for entry in section.answer:
                assert bad_in_short(entry, headings) == "", entry
            for q in section.quotes:
                assert idx.passage(q.passage_id).role == "evidence", (section.heading, q.citation)
    assert entries >= 5  # the packs do have "In short" lines to check


def test_handout_has_no_ids_commands_or_generation(built, searcher, tmp_path):
    import docx

    from ui.session_prep import render_pack

    corpus, _ = built
    facilitator = build_session_pack(searcher, _session("8.5"), corpus_dir=corpus)
    handout = build_session_pack(searcher, _session("8.5"), corpus_dir=corpus, handout=True)
    assert handout.handout and not facilitator.handout
    assert [q.passage_id for s in handout.sections for q in s.quotes] == \
        [q.passage_id for s in facilitator.sections for q in s.quotes]
    to_docx(handout, tmp_path / "h.docx")
    word = "\n".join(p.text for p in docx.Document(str(tmp_path / "h.docx")).paragraphs)
    for text in (to_markdown(handout), to_csv(handout), word, render_pack(handout)):
        assert not re.search(r"\bp[0-9a-f]{15}\b", text)
        assert "python -m" not in text and "generation" not in text and "File:" not in text
        assert "References" in text or "title" in text  # csv: a header row, no references
    md = to_markdown(handout)
    first = handout.sections[0].quotes[0]
    assert f"— {first.citation} [1]" in md  # document, page, section, and its reference
    assert handout.references[0].file == first.file
    assert f"1. {handout.references[0].text(handout=True)}" in md.split("## References")[1]
    # The facilitator's copy keeps what the handout leaves out.
    md = to_markdown(facilitator)
    assert re.search(r"id `p[0-9a-f]{15}`", md) and "python -m qa show" in md
    assert "index generation" in md
    assert "id" in next(csv.reader(io.StringIO(to_csv(facilitator))))
    assert "id" not in next(csv.reader(io.StringIO(to_csv(handout))))
    # Saved side by side, the two copies do not overwrite each other.
    from ui.downloads import write_exports
    names = {write_exports(d, ("md",))["md"].name for d in (handout, facilitator)}
    assert len(names) == 2, names


def test_a_questions_pack_is_its_best_evidence_one_per_section(built, searcher):
    """No spread across documents and no padding: every quote is evidence the whole question
    grades above "none" by its own similarity; one passage per section, up to PER_QUESTION;
    the question's best evidence passage by its own ranking is quoted, or its section is."""
    from qa.late import LateInteraction
    from qa.prep import section_key

    corpus, _ = built
    own = Searcher(searcher.index, searcher.embedder, replace(searcher.settings, diversity=0.0))
    answered = 0
    for question in _session("8.1").questions + _session("8.5").questions[:2]:
        doc = build_pack(searcher, [question], "One", corpus_dir=corpus)
        quotes = doc.sections[0].quotes
        passages = [searcher.index.passage(q.passage_id) for q in quotes]
        # no referral in a pack of one; past the budget, excerpts (round 12b) up to EXCERPTS
        whole_quotes = sum(not q.excerpt for q in quotes)
        assert whole_quotes <= PER_QUESTION + MORE_QUOTES
        assert len(quotes) - whole_quotes <= EXCERPTS
        assert len({section_key(p) for p in passages}) == len(passages), question
        rows = [searcher.index.by_id[p.id] for p in passages]
        whole = LateInteraction.score(searcher.late.query(question),
                                      searcher._passage_tokens(rows))
        assert all(s >= searcher.settings.weak_threshold for s in whole), question
        assert all(p.role == "evidence" and not poses_questions(p.text) for p in passages)
        best = next((h.passage for h in own.ask(question, k=30).hits
                     if searcher.evidence_level([h]) != "none"
                     and not poses_questions(h.passage.text) and h.passage.role == "evidence"),
                    None)
        assert (best is None) == (not passages), question  # evidence there: a pack has it
        if best is not None:
            assert section_key(best) in {section_key(p) for p in passages}, question
        answered += bool(passages)
    assert answered >= 3  # the fake model's evidence for most of these questions


def test_a_section_is_its_heading_path_and_the_sub_heading_a_passage_opens_with():
    from qa.prep import section_key

    path = ["Part I", "3.1 For successful federations/MATs there are structures that work best"]
    a = _passage("3.1 For successful federations/MATs there are\nstructures that work best\n"
                 "- There is an executive lead", path)
    b = _passage("processes that work best\n- Coaching; leaders do not have the same capacity",
                 path)
    c = _passage("- Robust induction for all new staff and pupils", path)
    d = _passage("Most of our trusts maintained local governing bodies.\nThey were strong.",
                 path)
    assert section_key(b)[2] == "processes that work best"
    assert section_key(a) != section_key(b)  # a sub-heading of its own: another section
    assert section_key(c) == section_key(d)  # a list item or a sentence: the same section
    assert section_key(c)[2] == "" and section_key(d)[2] == ""
    assert section_key(_passage("Governance\nMost of our trusts", ["Governance"], file="x")) != \
        section_key(_passage("Governance\nMost of our trusts", ["Governance"], file="y"))


def test_a_pack_question_weighs_its_focus_above_its_frame(searcher):
    """The words a question shares with its pack's other questions (the frame) count
    FRAME_WEIGHT as much as its focus: a passage holding the focus word gains on one that
    holds only frame words."""
    from qa.prep import FRAME_WEIGHT, _late_scores

    assert 0 <= FRAME_WEIGHT < 1
    idx = searcher.index
    question = ("What are the best ways to communicate with key stakeholders, relevant "
                "communities and outside agencies in a MAT/federation setting?")

    def has(p, word):
        return re.search(rf"\b{word}\b", p.text, re.IGNORECASE) is not None

    focus_only = next(p for p in idx.passages if has(p, "communicate")
                      and not has(p, "stakeholders"))
    frame_only = next(p for p in idx.passages if has(p, "stakeholders")
                      and not has(p, "communicate"))
    whole, focused, _ = _late_scores(searcher, question, "communicate", [focus_only, frame_only])
    assert focused[0] - focused[1] > whole[0] - whole[1]
    same, none_, _ = _late_scores(searcher, question, "", [focus_only, frame_only])
    assert list(same) == list(none_)  # no focus: the whole question as it is


def test_question_focus_is_what_sets_a_question_apart_in_its_pack():
    from qa.prep import question_focus

    s84 = _session("8.4").questions
    assert question_focus(s84[0], s84) == "communicate"  # "with key ..." as in s84[4]
    assert question_focus(s84[4], s84) == "resolve potential conflict"
    assert question_focus(s84[0], [s84[0]]) == ""  # alone in its pack
    assert question_focus("What is a hard federation?", ["Who keeps the books?"]) == ""


def test_who_was_studied_is_evidence_how_is_apparatus():
    from ingest.roles import role_of

    sample = ("In this project, 13 leaders were interviewed from 13 Trusts/Federations across "
              "England comprising a total of 55 primary schools. Our sample was mostly of "
              "multi-academy trusts.")
    assert role_of(_passage(sample, ["Size and composition of trusts"])) == "evidence"
    method = ("We were not setting out to review the performance of our sample but we did "
              "collate their recent Ofsted ratings.")
    assert role_of(_passage(method, ["Public performance data"])) == "apparatus"


def test_a_referral_after_the_budget_is_listed_not_lost(built, searcher):
    """A question lists its best PER_QUESTION sections and then, right after them in its own
    ranking, a section whose passage an earlier question quoted: a referral line, no new
    quote. Before round 7 it was left out (the earlier quote had not taken a place then)."""
    from qa.prep import REFERRALS, _pick

    corpus, _ = built
    assert REFERRALS >= 1
    excluded = lambda p: poses_questions(p.text)  # noqa: E731 - build_pack's default
    listed_after = 0
    for sid in ("8.1", "8.2", "8.3", "8.4", "8.5"):
        questions = _session(sid).questions
        doc = build_pack(searcher, questions, sid, corpus_dir=corpus)
        quoted: set[str] = set()
        for question, section in zip(questions, doc.sections, strict=True):
            # Its own ranking, one passage per section, as long as the budget and one more
            # (no passage counted as quoted: the ranking does not depend on the pack).
            ranking = [h.passage.id for h in _pick(searcher, question, PER_QUESTION + 1, 15,
                                                   excluded, questions).hits]
            shown = [q.passage_id for q in section.quotes] + section.see_also
            if any(pid not in quoted for pid in ranking[:PER_QUESTION]):  # no "extra" rule
                want = ranking[:PER_QUESTION]
                if len(ranking) > PER_QUESTION and ranking[PER_QUESTION] in quoted:
                    want = ranking[:PER_QUESTION + 1]
                    listed_after += 1
                    assert ranking[PER_QUESTION] in section.see_also, question
                # Its budget and that referral lead the list; what follows them is the
                # score-following rule's (test_past_the_budget_the_list_follows_the_scores).
                assert set(want) <= set(shown), question
            quoted |= {q.passage_id for q in section.quotes}
    assert listed_after >= 1  # the fake model's packs have such a question


def test_past_the_budget_the_list_follows_the_scores(built, searcher, monkeypatch):
    """Past a question's PER_QUESTION sections (and the round-7 run of referrals), a section is
    listed only by the score rules: a new quote while its score is within QUOTE_GAP of the last
    section of the budget (at most MORE_QUOTES), a short new quote scoring at least
    SHORT_FLOOR while the question's SHORT_WORDS allow its words, and a referral to a section
    quoted under another question of the pack (above or below) while its score is at least
    REFER_FLOOR (at most MORE_REFERRALS); no section scoring below all of them is listed, and
    none of those rules leaves a section out while it has room. Before round 10 nothing past
    the run was listed; before round 12 a section quoted under a later question, or a short
    one, was lost."""
    from qa import prep
    from qa.prep import (
        MORE_QUOTES,
        MORE_REFERRALS,
        QUOTE_GAP,
        REFER_FLOOR,
        REFERRALS,
        SHORT_FLOOR,
        SHORT_MIN,
        _pick,
        section_key,
    )

    corpus, _ = built
    assert MORE_REFERRALS >= 1 and MORE_QUOTES >= 1 and QUOTE_GAP > 0 and SHORT_WORDS > 0
    monkeypatch.setattr(prep, "EXCERPTS", 0)  # excerpts: their own tests below
    excluded = lambda p: poses_questions(p.text)  # noqa: E731 - build_pack's default
    idx = searcher.index
    extra = {"gap": 0, "short": 0, "above": 0, "below": 0}
    for sid in ("8.1", "8.2", "8.3", "8.4", "8.5"):
        questions = _session(sid).questions
        doc = build_pack(searcher, questions, sid, corpus_dir=corpus)
        at = {section_key(idx.passage(q.passage_id)): n
              for n, s in reversed(list(enumerate(doc.sections))) for q in s.quotes}
        quoted: set[str] = set()
        for here, (question, section) in enumerate(zip(questions, doc.sections, strict=True)):
            ranking = _pick(searcher, question, 10_000, 15, excluded, questions).hits
            if not any(h.passage.id not in quoted for h in ranking[:PER_QUESTION]):
                quoted |= {q.passage_id for q in section.quotes}
                continue  # the "bring something new" rule of build_pack: not this one's
            mine = {q.passage_id for q in section.quotes}
            shown = {section_key(idx.passage(p)) for p in mine | set(section.see_also)}
            assert len(shown) == len(mine) + len(section.see_also)  # one line a section
            n = min(PER_QUESTION, len(ranking))
            while (n < len(ranking) and n < PER_QUESTION + REFERRALS
                   and ranking[n].passage.id in quoted):
                n += 1  # the run of referrals right after the budget
            assert {section_key(h.passage) for h in ranking[:n]} <= shown, question
            floor = ranking[n - 1].score - QUOTE_GAP if n else 0.0
            gap = short = refs = 0
            left = SHORT_WORDS
            for h in ranking[n:]:
                key, words = section_key(h.passage), len(h.passage.text.split())
                listed = key in shown
                if h.passage.id in mine:  # a new quote: by the gap rule, or short
                    if gap < MORE_QUOTES and h.score >= floor:
                        gap += 1
                    else:
                        assert h.score >= SHORT_FLOOR and words <= left, question
                        left -= words
                        short += 1
                    continue
                other = at.get(key)
                if listed:  # a referral, to a quote above or below
                    assert other is not None and other != here and h.score >= REFER_FLOOR
                    refs += 1
                    extra["above" if other < here else "below"] += 1
                    continue
                # Left out: every rule that could list it is full or its score too low.
                if other is not None and other != here:
                    assert refs >= MORE_REFERRALS or h.score < REFER_FLOOR, question
                elif h.passage.id not in quoted:
                    assert gap >= MORE_QUOTES or h.score < floor, question
                    assert h.score < SHORT_FLOOR or words > left or left < SHORT_MIN, question
            assert refs <= MORE_REFERRALS
            extra["gap"] += gap
            extra["short"] += short
            quoted |= mine
    # The fake model's packs have each kind (none is listed by the round-7 code).
    assert extra["gap"] >= 1 and extra["above"] >= 1 and extra["below"] >= 1, extra


def test_a_referral_line_names_the_quote_it_points_to(built, searcher, tmp_path):
    """Several quotes of one section carry the same citation, so a line referring back names
    the quote's opening words too (verbatim), in the Markdown, Word and web copies, for the
    facilitator and in the handout."""
    import docx

    from qa.export import opening_words
    from ui.session_prep import render_pack

    corpus, _ = built
    for handout in (False, True):
        doc = build_session_pack(searcher, _session("8.5"), corpus_dir=corpus,
                                 handout=handout)
        quoted = {q.passage_id: q for s in doc.sections for q in s.quotes}
        referred = [(s, pid) for s in doc.sections for pid in s.see_also]
        assert referred, "the 8.5 pack refers back to an earlier quote"
        md, html = to_markdown(doc), render_pack(doc)
        path = tmp_path / f"referrals-{handout}.docx"
        to_docx(doc, path)
        word = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        for _, pid in referred:
            opening = opening_words(quoted[pid].text, section=quoted[pid].section)
            assert opening.removesuffix(" …") in " ".join(quoted[pid].text.split())
            assert f"“{opening}”" in md and f"“{opening}”" in word, (handout, pid)
            assert f"“{opening}”".replace("&", "&amp;") in html.replace("&#x27;", "'"), pid


def test_a_referral_names_the_words_after_the_headings_it_repeats():
    from qa.export import opening_words

    text = ("3. Interview evidence\n3.1 For successful federations/MATs there are\n"
            "structures that work best\n- There is an executive lead, rather than shared")
    label = ("Part I › 3. Interview evidence › 3.1 For successful federations/MATs there are "
             "structures that work best")
    assert opening_words(text, 5, section=label) == "- There is an executive …"
    assert opening_words(text, 3) == "3. Interview evidence …"  # no label: as it opens
    assert opening_words("Only a heading", section="Only a heading") == "Only a heading"


def test_a_short_section_past_the_budget_is_quoted_while_its_words_fit(built, searcher,
                                                                        monkeypatch):
    """Past the budget and the gap rule, a section scoring at least SHORT_FLOOR is quoted while
    its words fit in the question's SHORT_WORDS (round 12): a short list ranked low by late
    interaction costs little. With no allowance nothing is quoted past the budget."""
    from qa import prep

    excluded = lambda p: poses_questions(p.text)  # noqa: E731 - build_pack's default
    found = []
    for sid in ("8.1", "8.2", "8.3", "8.4", "8.5"):
        questions = _session(sid).questions
        for question in questions:
            ranking = prep._pick(searcher, question, 10_000, 15, excluded, questions).hits
            if len(ranking) > 4:
                found.append((questions, question, ranking))
    assert found
    questions, question, ranking = found[0]
    monkeypatch.setattr(prep, "MORE_QUOTES", 0)
    monkeypatch.setattr(prep, "REFERRALS", 0)
    monkeypatch.setattr(prep, "EXCERPTS", 0)
    monkeypatch.setattr(prep, "SHORT_FLOOR", min(h.score for h in ranking) - 1)
    monkeypatch.setattr(prep, "SHORT_MIN", 1)
    tail = ranking[2:]
    shortest = min(tail, key=lambda h: len(h.passage.text.split()))
    allowance = len(shortest.passage.text.split())
    monkeypatch.setattr(prep, "SHORT_WORDS", allowance)
    listed = prep._pick(searcher, question, 2, 15, excluded, questions).hits
    assert [h.passage.id for h in listed[:2]] == [h.passage.id for h in ranking[:2]]
    past = listed[2:]
    assert past and sum(len(h.passage.text.split()) for h in past) <= allowance
    # The first section of the tail that fits is the one quoted (best first).
    first_fit = next(h for h in tail if len(h.passage.text.split()) <= allowance)
    assert past[0].passage.id == first_fit.passage.id
    monkeypatch.setattr(prep, "SHORT_WORDS", 0)
    assert len(prep._pick(searcher, question, 2, 15, excluded, questions).hits) == 2


def test_the_referral_header_says_where_the_quotes_are():
    """Since round 12 a question may refer to a quote under a later question: the line above
    the referrals says "quoted above", "quoted below" or "quoted under other questions"."""
    from qa.export import CitedQuote, ExportDocument, ExportSection, see_also_label

    def quote(pid: str) -> CitedQuote:
        return CitedQuote(pid, f"Text of {pid}.", BRIEFING, "Briefing", "Briefing, p. 1")

    first, middle, last = ExportSection("Q1"), ExportSection("Q2"), ExportSection("Q3")
    first.quotes, last.quotes = [quote("pa")], [quote("pc")]
    doc = ExportDocument("Pack", [first, middle, last])
    middle.see_also = ["pa"]
    assert see_also_label(doc, middle) == "Also relevant, quoted above:"
    middle.see_also = ["pc"]
    assert see_also_label(doc, middle) == "Also relevant, quoted below:"
    middle.see_also = ["pa", "pc"]
    assert see_also_label(doc, middle) == "Also relevant, quoted under other questions:"
    assert "quoted under other questions:" in to_markdown(doc)


# --- Excerpts of long sections past the budget (issue 22, round 12b) -------------------------

def test_an_excerpt_marks_what_it_leaves_out_and_keeps_the_passages_lines():
    """`excerpt_text`: the kept units verbatim in the passage's order, "[…]" inside a line for
    part of it left out and on a line of its own for whole lines left out; list items stay
    list items, and nothing kept is altered."""
    from qa.prep import _spans_in, excerpt_text

    text = ("They lead by\n- example\n- trust in their staff\n- listening\n"
            "The first sentence here. The second sentence here. The third one.\nLast line.")
    units = ["They lead by", "- example", "- trust in their staff", "- listening",
             "The first sentence here.", "The second sentence here.", "The third one.",
             "Last line."]
    spans = _spans_in(text, units)
    assert excerpt_text(text, spans, {0, 2}) == "They lead by\n[…]\n- trust in their staff\n[…]"
    assert excerpt_text(text, spans, {5}) == "[…] The second sentence here. […]"
    assert excerpt_text(text, spans, {4, 6}) == \
        "[…]\nThe first sentence here. […] The third one.\n[…]"
    assert excerpt_text(text, spans, {1, 7}) == "[…]\n- example\n[…]\nLast line."
    for keep in ({0, 2}, {5}, {4, 6}, {1, 7}):
        assert is_verbatim(excerpt_text(text, spans, keep), match_key(text))
    assert _spans_in(text, ["- listening", "They lead by"]) is None  # out of order: none


def _excerpts_on(monkeypatch, floor: float = -99.0, n: int = 2):
    from qa import prep

    monkeypatch.setattr(prep, "EXCERPTS", n)
    monkeypatch.setattr(prep, "EXCERPT_FLOOR", floor)


def test_an_excerpt_is_verbatim_answer_sentences_with_their_lead_ins(built, searcher,
                                                                      monkeypatch):
    """Every excerpt in the packs of 8.1-8.5 is verbatim in its passage (its pieces in order),
    has "[…]" for what it leaves out, fits EXCERPT_WORDS, is more than a heading, a link or a
    caption, and keeps the line that governs each line it keeps: a list item's lead-in (or
    label), which stands above it in the passage."""
    from index.build import LIST_ITEM
    from ingest.normalise import quote_pieces
    from qa import prep

    _excerpts_on(monkeypatch, n=3)
    idx = searcher.index
    headings = prep._headings(idx)
    seen = 0
    for sid in ("8.1", "8.2", "8.3", "8.4", "8.5"):
        doc = build_session_pack(searcher, _session(sid), corpus_dir=built[0])
        assert doc.warnings == []
        assert all(sum(q.excerpt for q in s.quotes) <= prep.EXCERPTS for s in doc.sections)
        for q in (q for s in doc.sections for q in s.quotes if q.excerpt):
            seen += 1
            p = idx.passage(q.passage_id)
            assert OMISSION in q.text and is_verbatim(q.text, match_key(p.text)), q.text
            assert q.citation == p.citation and q.text != p.text
            kept = [ln for ln in q.text.split("\n") if ln.strip() and ln.strip() != OMISSION]
            words = sum(len(piece.split()) for piece in quote_pieces(q.text))
            assert words <= prep.EXCERPT_WORDS, q.text
            assert not all(prep.not_a_sentence(ln, headings) in ("a heading", "a link",
                                                                "a caption") for ln in kept)
            lines = [ln.strip() for ln in p.text.split("\n")]
            for ln in kept:
                piece = ln.replace(OMISSION, "").strip()
                if not LIST_ITEM.match(piece):
                    continue
                at = lines.index(piece)
                lead = next(x for x in reversed(lines[:at])
                            if x and not LIST_ITEM.match(x) and x != OMISSION)
                # the lead-in: the line's last sentence ("… emerging from our sample:")
                lead_in = re.split(r"(?<=[.!?])\s+", lead)[-1]
                assert lead_in in q.text, (lead_in, q.text)
    assert seen, "the fake model's packs have excerpts"


def test_an_excerpt_is_checked_and_shown_as_a_quote(built, searcher, monkeypatch, tmp_path):
    """An excerpt is cited as any quote, printed with its "[…]" in Markdown, Word and the web
    page (facilitator's copy and handout), re-checked verbatim by `qa prep --check`, and one
    no longer in its passage is left out with a warning like any quote."""
    import docx

    from qa.prep import _Sources, quote_problem
    from ui.session_prep import render_pack

    _excerpts_on(monkeypatch)
    corpus, index_dir = built
    doc = build_session_pack(searcher, _session("8.5"), corpus_dir=corpus)
    excerpts = [q for s in doc.sections for q in s.quotes if q.excerpt]
    assert excerpts and doc.warnings == []
    md = to_markdown(doc)
    for q in excerpts:
        assert "\n".join(f"> {ln}" for ln in q.text.split("\n") if ln.strip()).replace(
            "\n", "\n>\n") in md
        assert f"— {q.citation} · id `{q.passage_id}`" in md
    (tmp_path / "pack.md").write_text(md, encoding="utf-8")
    path = to_docx(doc, tmp_path / "pack.docx")
    idx = load_index(index_dir)
    for saved in (tmp_path / "pack.md", path):
        results = check_saved(saved, idx, corpus)
        assert results and all(r.ok for r in results), [r.problem for r in results if not r.ok]
    word = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert all(ln in word for q in excerpts for ln in q.text.split("\n"))
    handout = build_session_pack(searcher, _session("8.5"), corpus_dir=corpus, handout=True)
    html, hmd = render_pack(handout), to_markdown(handout)
    for q in (q for s in handout.sections for q in s.quotes if q.excerpt):
        assert f"> {q.text.split(chr(10))[0]}" in hmd and q.passage_id not in hmd
        assert OMISSION in html
    # A tampered excerpt fails its check.
    longest = max(excerpts[0].text.split("\n"), key=len)
    q = replace(excerpts[0], text=excerpts[0].text.replace(
        longest, longest.replace(" ", " never ", 1), 1))
    assert quote_problem(q, idx, _Sources(corpus))
    assert not quote_problem(excerpts[0], idx, _Sources(corpus))


def test_a_passage_is_quoted_once_whole_or_as_one_excerpt(built, searcher, monkeypatch):
    """A pack quotes a passage once: an excerpt under one question, or whole under a question
    that lists it in its own right, the excerpt then turned into a referral to it; other
    questions refer to the quote."""
    _excerpts_on(monkeypatch, n=3)
    for sid in ("8.1", "8.2", "8.3", "8.4", "8.5"):
        doc = build_session_pack(searcher, _session(sid), corpus_dir=built[0])
        ids = [q.passage_id for s in doc.sections for q in s.quotes]
        assert len(ids) == len(set(ids)), sid
        for s in doc.sections:
            assert set(s.see_also) <= set(ids) and not set(s.see_also) & {
                q.passage_id for q in s.quotes}
