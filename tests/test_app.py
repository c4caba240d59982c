"""The web app's callbacks without a browser: rendering (escaped), basket, export, sources,
filters, login settings, the /ask API, and the upload checks of ingest/uploads.py."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import zipfile
from pathlib import Path

import pytest

import app
from index import FileRecord, build_index
from ingest import Passage
from ingest.uploads import DEFAULT_MAX_UPLOAD_BYTES, MAX_NAME_CHARS, clean_name, store_upload
from qa import NOT_FOUND, Answer, AnswerSentence, Hit, Searcher, SearchSettings
from qa.search import OTHER_LANGUAGE
from qa.service import EvidenceService

DATA = Path(__file__).resolve().parent / "data"
HOSTILE = '<img src=x onerror="window.__xss=1"> ${alert(1)} {{value}} `x` <script>bad()</script>'


def _passage(pid="p1", text="Plain text.", **kw) -> Passage:
    base = dict(id=pid, doc_sha256="0" * 64, file="doc.txt", title="A <b>title</b>",
                short_title="Short", doc_type="report", ordinal=0, text=text,
                section=["Governance"])
    base.update(kw)
    return Passage(**base)


def _answer(passages, evidence="strong", sentences=()):
    hits = [Hit(p, 0.03, 0.5, 1.0, i + 1) for i, p in enumerate(passages)]
    return Answer("q?", evidence, [AnswerSentence(s, [pid]) for s, pid in sentences], hits,
                  seconds=0.01)


# ---- rendering --------------------------------------------------------------------------------

def test_render_answer_numbers_sentences_links_and_highlights(searcher):
    answer = searcher.ask("What is a hard federation? single legal entity governing body")
    assert answer.found and answer.sentences
    page = app.render_answer(answer, searcher.index, strong=0.0, weak=0.0)
    assert 'class="mx-sentences"' in page
    assert 'href="#mx-p1"' in page and 'id="mx-p1"' in page
    assert "[1]" in page
    first = answer.sentences[0]
    assert f"<mark>{app.esc(first.text)}</mark>" in page  # highlighted inside its passage
    hit = answer.hits[0].passage
    assert app.esc(hit.citation) in page and app.esc(hit.title) in page
    assert "Show in context" in page
    assert 'data-action="add"' in page and f'data-pid="{hit.id}"' in page
    assert "similarity" in page and "relevance" not in page


def test_render_answer_shows_a_list_under_the_sentence_that_introduces_it():
    text = "Sources cited included\n• Twitter\n• <b>Students</b>\n• Ofsted"
    answer = _answer([_passage(text=text)])
    answer.sentences = [AnswerSentence("Sources cited included", ["p1"], items=[
        "Twitter", "<b>Students</b>"], more_items=1)]
    page = app.render_answer(answer, None)
    lead = page.index("“Sources cited included”")
    items = page.index('<ul class="mx-items"><li>“Twitter”</li><li>“&lt;b&gt;Students&lt;/b&gt;”</li>')
    assert lead < items < page.index("… and 1 more in the passage")
    assert "<mark>Twitter</mark>" in page  # the items are highlighted in their passage too


def test_render_answer_not_found_says_so_plainly(searcher):
    strict = Searcher(searcher.index, searcher.embedder,
                      SearchSettings(strong_threshold=0.99, weak_threshold=0.98))
    answer = strict.ask("How do I bake sourdough bread?")
    page = app.render_answer(answer, searcher.index, strong=0.99, weak=0.98)
    assert NOT_FOUND in page and 'id="not-found"' in page
    assert "mx-sentences" not in page  # nothing is presented as an answer
    assert "not an answer" in page and "mx-nearest" in page


@pytest.mark.parametrize("question", ["Wie viele Schulen hat ein typischer Schulverbund?",
                                      "Come si diventa preside in Inghilterra?"])
def test_render_answer_another_language_says_the_evidence_is_in_english(searcher, question):
    answer = searcher.ask(question)
    page = app.render_answer(answer, searcher.index)
    assert NOT_FOUND in page and 'id="not-found"' in page and OTHER_LANGUAGE in page
    assert "mx-sentences" not in page and "not an answer" in page


def test_render_answer_with_filters_and_no_hits():
    page = app.render_answer(Answer("q", "none", [], []), None, filtered=True)
    assert NOT_FOUND in page and "filters" in page


def test_render_escapes_document_text_everywhere():
    p = _passage(text=f"Before. {HOSTILE} After.", section=[HOSTILE], short_title=HOSTILE)
    page = app.render_answer(_answer([p], sentences=[(HOSTILE, "p1")]), None)
    for raw in ("<img", "<script", "${", "{{", "`", "<b>"):
        assert raw not in page, raw
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in page
    basket = app.render_basket([app.basket_item(p, HOSTILE, [HOSTILE])])
    for raw in ("<img", "<script", "${", "{{", "<b>"):
        assert raw not in basket, raw


def test_context_block_shows_neighbours_in_order(searcher):
    index = searcher.index
    rows = next(r for r in index.by_file.values() if len(r) >= 3)
    middle = index.passages[rows[1]]
    block = app._context_block(index, middle, set())
    assert block.count('class="mx-ctx-label"') == 3
    assert block.index("Before") < block.index("This passage") < block.index("After")
    assert app.esc(index.passages[rows[0]].citation) in block


def test_shown_passages_cover_hits_and_their_context(searcher):
    answer = searcher.ask("governance of trusts")
    shown = app.shown_passages(answer, searcher.index)
    for h in answer.hits:
        assert h.passage.id in shown
        for n in searcher.index.neighbours(h.passage.id):
            assert n.id in shown
    item = shown[answer.hits[0].passage.id]
    assert item["question"] == answer.question and item["text"] == answer.hits[0].passage.text


# ---- basket and export ------------------------------------------------------------------------

def _items(n=3):
    return [app.basket_item(_passage(f"p{i}", f"Quote number {i}.", file=f"d{i}.txt",
                                     title=f"Doc {i}"), "Why?") for i in range(n)]


def test_basket_add_move_remove():
    items = _items(3)
    basket, note = app.basket_add([], items[0])
    assert len(basket) == 1 and "1 passage" in note
    basket, note = app.basket_add(basket, items[0])
    assert len(basket) == 1 and "already" in note
    basket, _ = app.basket_add(basket, items[1])
    basket, _ = app.basket_add(basket, items[2])
    assert [b["id"] for b in app.basket_move(basket, 0, +1)] == ["p1", "p0", "p2"]
    assert [b["id"] for b in app.basket_move(basket, 2, +1)] == ["p0", "p1", "p2"]  # no-op
    assert [b["id"] for b in app.basket_move(basket, 0, -1)] == ["p0", "p1", "p2"]
    assert [b["id"] for b in app.basket_remove(basket, 1)] == ["p0", "p2"]
    assert [b["id"] for b in app.basket_remove(basket, 9)] == ["p0", "p1", "p2"]
    assert [b["id"] for b in basket] == ["p0", "p1", "p2"]  # operations do not mutate


def test_basket_is_capped():
    full = [dict(it, id=f"x{i}") for i, it in enumerate(_items(1) * app.MAX_BASKET)]
    basket, note = app.basket_add(full, _items(1)[0])
    assert len(basket) == app.MAX_BASKET and "full" in note


def test_render_basket_empty_and_buttons():
    assert "empty" in app.render_basket([])
    page = app.render_basket(_items(2))
    assert page.count('data-action="remove"') == 2
    assert 'data-action="up" data-pos="1"' in page and 'data-action="down" data-pos="0"' in page
    assert 'data-action="up" data-pos="0"' not in page


def test_basket_exports_quotes_verbatim_with_citations_and_references(searcher, tmp_path):
    import docx

    index = searcher.index
    answer = searcher.ask("What is a hard federation?")
    items = list(app.shown_passages(answer, index).values())[:3]
    doc = app.basket_document(items, "Governance <pack>", index)
    paths = app.write_exports(doc, ("md", "docx", "csv"))
    assert paths["docx"].name == "governance-pack.docx"
    md = paths["md"].read_text(encoding="utf-8")
    text = "\n".join(p.text for p in docx.Document(str(paths["docx"])).paragraphs)
    for it in items:
        for line in it["text"].split("\n"):
            if line.strip():
                assert line.strip() in md
                assert line.strip() in text
        assert it["citation"] in md and it["citation"] in text
    assert "References" in md and "References" in text
    for f in {it["file"] for it in items}:
        assert index.manifest.files[f].title in md
    assert "Governance <pack>" in text  # the title is data in Word, not markup


def test_basket_document_without_index_keeps_titles():
    doc = app.basket_document(_items(2), "", None)
    assert doc.title == "Evidence basket"
    assert [r.title for r in doc.references] == ["Doc 0", "Doc 1"]
    assert len(doc.sections) == 1 and doc.sections[0].heading == "Why?"


# ---- sources, filters, glossary, examples -----------------------------------------------------

def _rec(status, reason="", code="", **kw):
    return FileRecord("f.pdf", "0" * 64, 1, 0.0, status, reason=reason, reason_code=code, **kw)


@pytest.mark.parametrize("rec, words", [
    (_rec("indexed"), "indexed"),
    (_rec("refused", "password-protected PDF", "password"), "encrypted or password-protected"),
    (_rec("refused", "no text layer in 3 page(s)", "no_text"), "no text layer, needs OCR"),
    (_rec("refused", "corrupt PDF: EOF marker not found", "corrupt"),
     "unreadable: EOF marker not found"),
    (_rec("refused", "unreadable: ValueError: x", "error"), "unreadable: ValueError: x"),
    (_rec("duplicate", "same content as a.txt; indexed once", "duplicate"),
     "duplicate: same content as a.txt; indexed once"),
    (_rec("unsupported", "unsupported file type .xlsx", "unsupported"), "unsupported file type"),
])
def test_status_words(rec, words):
    assert app.status_words(rec) == words


def test_sources_list_every_file_with_status(corpus, tmp_path, fake_settings):
    (corpus / "notes.xlsx").write_bytes(b"PK\x03\x04")
    shutil.copy(DATA / "badpdfs" / "encrypted-aes256_crazyones-encrypted-256.pdf", corpus)
    result = store_upload(DATA / "vignette-riverbend.txt", "Riverbend <v>.txt", corpus,
                          title="Riverbend vignette", doc_type="vignette")
    assert result.status == "stored"
    build_index(corpus, tmp_path / "index", fake_settings)
    svc = EvidenceService(tmp_path / "index", corpus, index_settings=fake_settings)
    rows = app.source_rows(svc.searcher().index, corpus)
    by_file = {r["file"]: r for r in rows}
    assert by_file["notes.xlsx"]["status"] == "unsupported file type"
    enc = by_file["encrypted-aes256_crazyones-encrypted-256.pdf"]
    assert enc["status"] == "encrypted or password-protected" and not enc["indexed"]
    up = by_file[result.stored_path.relative_to(corpus).as_posix()]
    assert up["title"] == "Riverbend vignette" and up["uploaded_as"] == "Riverbend <v>.txt"
    assert up["type"] == "vignette" and up["added"] and up["passages"] == "1"
    assert rows[0]["indexed"] and not rows[-1]["indexed"]  # usable documents first
    page = app.render_sources(rows)
    assert "Riverbend &lt;v&gt;.txt" in page and "<v>" not in page
    assert "encrypted or password-protected" in page
    assert "indexed" in app.sources_summary(svc.searcher().index)


def test_filter_choices_and_filters(corpus, tmp_path, fake_settings):
    store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus, doc_type="vignette")
    build_index(corpus, tmp_path / "index", fake_settings)
    index = EvidenceService(tmp_path / "index", corpus,
                            index_settings=fake_settings).searcher().index
    ch = app.filter_choices(index)
    assert ("Riverbend Learning Trust (fictional)" in [t for t, _ in ch["documents"]])
    assert set(ch["types"]) >= {"report", "briefing", "vignette"}
    assert ch["dimensions"]["delegation"] == ["earned autonomy"]
    f = app.make_filters(["a.txt"], "vignette", {"delegation": "earned", "bogus": "x",
                                                 "governance": None})
    assert f.files == ("a.txt",) and f.doc_types == ("vignette",)
    assert f.key_dimensions == (("delegation", "earned"),)
    assert not app.make_filters(None, [], {})
    assert app.filter_choices(None) == {"documents": [], "types": [], "dimensions": {}}


def test_glossary_rows_when_the_index_has_one(searcher):
    index = searcher.index
    assert app.glossary_rows(index) == [] or hasattr(index, "glossary")
    pid = index.passages[0].id

    class WithGlossary:
        glossary = [{"term": "MAT", "expansion": "multi-academy trust", "passage_id": pid},
                    {"term": "LGB", "expansion": "local governing body", "passage_id": "gone"}]

        def passage(self, p):
            return index.passage(p)

    rows = app.glossary_rows(WithGlossary())
    assert rows == [["LGB", "local governing body", ""],
                    ["MAT", "multi-academy trust", index.passages[0].citation]]
    assert app.glossary_rows(None) == []


def test_example_questions_come_from_the_corpus(searcher):
    examples = app.example_questions(searcher.index)
    assert 1 <= len(examples) <= 5
    assert examples[0] == "How much should we delegate to local governing bodies?"
    assert app.example_questions(None) == app.EXAMPLE_QUESTIONS[:5]


# ---- login and launch settings ----------------------------------------------------------------

def test_load_auth(tmp_path):
    assert app.load_auth(None, None) == []
    assert app.load_auth("head:pa:ss", None) == [("head", "pa:ss")]
    f = tmp_path / "users"
    f.write_text("# colleagues\nalice:one\n\nbob:two\n", encoding="utf-8")
    assert app.load_auth("carol:three", f) == [("alice", "one"), ("bob", "two"),
                                                ("carol", "three")]
    f.write_text("alice\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        app.load_auth(None, f)
    assert "line 1" in str(err.value)
    with pytest.raises(ValueError):
        app.load_auth("nopassword:", None)


def test_launch_settings_are_safe(tmp_path):
    settings = app.AppSettings(tmp_path / "index", tmp_path / "corpus")
    kw = app.launch_kwargs(settings)
    assert kw["server_name"] == "127.0.0.1" and kw["share"] is False
    assert kw["ssr_mode"] is False and kw["enable_monitoring"] is False
    assert kw["mcp_server"] is False and kw["run_history"] is False
    assert kw["show_error"] is False and kw["allowed_paths"] == []
    assert kw["max_file_size"] == DEFAULT_MAX_UPLOAD_BYTES
    assert str((tmp_path / "index").resolve()) in kw["blocked_paths"]
    assert str((tmp_path / "corpus").resolve()) in kw["blocked_paths"]
    assert kw["auth"] is None
    # Plain user:password pairs sign in through the accounts' check (lockout, audit), as
    # editors (issue 20), no longer as a list handed to Gradio.
    with_auth = app.launch_kwargs(app.AppSettings(auth=(("a", "b"),)))
    assert callable(with_auth["auth"]) and with_auth["auth_message"]


def test_main_refuses_a_bad_auth_file(tmp_path, capsys):
    bad = tmp_path / "users"
    bad.write_text("no colon here\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        app.main(["--auth-file", str(bad)])
    assert "user:password" in capsys.readouterr().err


# ---- the app object and its API ---------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(built, fake_settings):
    corpus, index_dir = built
    settings = app.AppSettings(index_dir, corpus, port=_free_port())
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings,
                              search_settings=SearchSettings(strong_threshold=0.35,
                                                             weak_threshold=0.15))
    demo = app.build_app(settings, service)
    _, url, _ = demo.launch(**app.launch_kwargs(settings), prevent_thread_lock=True, quiet=True)
    yield demo, url
    demo.close(verbose=False)


def test_queue_is_bounded_and_api_closed(served):
    demo, _ = served
    assert demo._queue.max_size == 64
    assert demo._queue.default_concurrency_limit == 4
    assert demo.api_open is False
    rebuilds = [f for f in demo.fns.values() if f.name == "rebuild"]
    assert rebuilds and all(f.concurrency_limit == 1 and f.concurrency_id == "rebuild"
                            for f in rebuilds)
    public = {f.api_name for f in demo.fns.values() if f.api_visibility == "public"}
    assert public == {"ask", "trusts", "add_documents", "remove_document"}  # issue 20


def test_ask_api_with_gradio_client(served):
    from gradio_client import Client

    _, url = served
    client = Client(url, verbose=False)
    data = client.predict("How much should we delegate to local governing bodies?",
                          api_name="/ask")
    assert data["found"] and data["evidence"] in {"strong", "weak"}
    assert data["answer"] and data["passages"]
    ids = {p["id"] for p in data["passages"]}
    assert set(data["answer"][0]["passage_ids"]) <= ids
    assert {"title", "citation", "text", "score"} <= set(data["passages"][0])
    none = client.predict(question="How do I bake sourdough bread?", api_name="/ask")
    assert not none["found"] and none["message"] == NOT_FOUND and none["answer"] == []
    # another language (round 10: it shares "in" with English): "Not found", and why
    foreign = client.predict(question="Come si diventa preside in Inghilterra?", api_name="/ask")
    assert not foreign["found"] and foreign["message"] == NOT_FOUND and foreign["answer"] == []
    assert foreign["evidence"] == "none" and foreign["reason"] == OTHER_LANGUAGE
    assert foreign["passages"]  # the nearest passages are still listed, as such
    only = client.predict(question="governance", k=2, doc_types=["briefing"], api_name="/ask")
    assert len(only["passages"]) <= 2
    assert all(p["doc_type"] == "briefing" for p in only["passages"])
    json.dumps(data)  # plain JSON for programs
    client.close()


def test_searches_continue_while_the_index_rebuilds(built, fake_settings):
    """A rebuild holds its lock while searches run on the previous generation."""
    corpus, index_dir = built
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    before = service.searcher().index.generation
    store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus)
    reached, release = threading.Event(), threading.Event()

    def progress(stage, done, total):
        if stage == "embedding":
            reached.set()
            release.wait(10)

    worker = threading.Thread(target=service.rebuild, kwargs={"progress": progress})
    worker.start()
    try:
        assert reached.wait(10)
        assert service.building
        answer = service.ask("What is a hard federation?")
        assert answer.hits and answer.generation == before
    finally:
        release.set()
        worker.join(30)
    assert service.searcher().index.generation != before
    hits = service.ask("Riverbend Quarrington fictional trust").hits
    assert any(h.passage.file.startswith("uploads/") for h in hits)


# ---- uploads (ingest/uploads.py) --------------------------------------------------------------

def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def sample(tmp_path) -> Path:
    src = tmp_path / "incoming" / "upload.bin"
    src.parent.mkdir()
    src.write_text("A short note about trust governance and local governing bodies.\n",
                   encoding="utf-8")
    return src


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\win.ini.md", "win.ini.md"),
    ("/abs/path/report.pdf", "report.pdf"),
    ("a\x00b\x07c.txt", "abc.txt"),
    ("line\nbreak.txt", "line break.txt"),
    ("\u202eevil.txt", "evil.txt"),
    ("..", "upload"),
    ("", "upload"),
])
def test_clean_name(name, expected):
    assert clean_name(name) == expected


def test_long_names_are_capped_keeping_the_extension():
    name = clean_name("x" * 500 + ".docx")
    assert len(name) <= MAX_NAME_CHARS and name.endswith(".docx")


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "a\x00b.txt", "x" * 500 + ".txt",
                                  "..%2f..%2fescape.txt", "C:\\temp\\x.txt"])
def test_hostile_names_are_only_metadata(corpus, sample, name, tmp_path):
    before = _tree(tmp_path)
    result = store_upload(sample, name, corpus)
    assert result.status == "stored", result.message
    uploads = (corpus / "uploads").resolve()
    assert result.stored_path.parent == uploads
    assert result.stored_path.name == result.sha256[:16] + ".txt"
    meta = json.loads((uploads / (result.stored_path.name + ".meta.json")).read_text())
    assert set(meta) == {"original_name", "title", "type", "added"}
    assert "\x00" not in meta["original_name"] and "/" not in meta["original_name"]
    assert "\\" not in meta["original_name"] and len(meta["original_name"]) <= MAX_NAME_CHARS
    after = _tree(tmp_path)
    new = set(after) - set(before)
    assert new == {f"corpus/uploads/{result.stored_path.name}",
                   f"corpus/uploads/{result.stored_path.name}.meta.json"}
    assert not (tmp_path / "etc").exists()


def test_refusals(corpus, tmp_path, sample):
    def write(name, data):
        p = tmp_path / name
        p.write_bytes(data)
        return p

    cases = [
        (sample, "program.exe", "not supported"),
        (sample, "noextension", "not supported"),
        (write("fake.pdf", b"hello, not a pdf"), "fake.pdf", "not a PDF"),
        (write("fake.docx", b"hello"), "fake.docx", "not a zip"),
        (write("zip.docx", _zip({"other.xml": b"<x/>"})), "zip.docx", "word/document.xml"),
        (write("bin.txt", b"text\x00\x01\x02binary"), "bin.txt", "binary"),
        (write("u16.txt", "hello".encode("utf-16")), "u16.txt", "UTF-16"),
        (write("empty.md", b""), "empty.md", "empty"),
        (write("blank.md", b"   \n\n"), "blank.md", "no text"),
        (sample, "typed.txt", "unknown document type"),
    ]
    before = _tree(corpus)
    for src, name, words in cases:
        kw = {"doc_type": "poem"} if name == "typed.txt" else {}
        result = store_upload(src, name, corpus, **kw)
        assert result.status == "refused", (name, result)
        assert words in result.message, (name, result.message)
        assert result.stored_path is None
    after = _tree(corpus)
    assert after == before  # nothing written (an empty uploads/ folder at most)


def _zip(members: dict[str, bytes]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_oversize_is_refused(corpus, sample):
    result = store_upload(sample, "big.txt", corpus, max_bytes=10)
    assert result.status == "refused" and "limit" in result.message
    assert not (corpus / "uploads").exists() or not any((corpus / "uploads").iterdir())


def test_real_documents_are_stored_with_metadata(corpus):
    docx = store_upload(DATA / "vignette-oakmoor.docx", "Oakmoor.docx", corpus,
                        title="  Oakmoor\tvignette ", doc_type="Vignette")
    pdf = store_upload(DATA / "badpdfs" / "good-4-pages_pdflatex-4-pages.pdf", "four.pdf",
                       corpus)
    assert docx.status == "stored" and pdf.status == "stored"
    meta = json.loads(Path(str(docx.stored_path) + ".meta.json").read_text(encoding="utf-8"))
    assert meta["original_name"] == "Oakmoor.docx" and meta["title"] == "Oakmoor vignette"
    assert meta["type"] == "vignette" and meta["added"]


def test_duplicates_are_detected(corpus, sample):
    first = store_upload(sample, "one.txt", corpus)
    again = store_upload(sample, "two.txt", corpus)
    assert first.status == "stored" and again.status == "duplicate"
    assert again.existing == first.stored_path or again.existing.resolve() == first.stored_path
    assert "one.txt" in again.message and again.stored_path is None
    seed = store_upload(corpus / "federations-and-mats-briefing-paper.txt", "copy.txt", corpus)
    assert seed.status == "duplicate" and "Federations" in seed.message.title()
    assert len(list((corpus / "uploads").glob("*.meta.json"))) == 1


def test_uploads_folder_that_is_a_link_is_refused(corpus, sample, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, corpus / "uploads")
    result = store_upload(sample, "a.txt", corpus)
    assert result.status == "refused"
    assert list(outside.iterdir()) == []


def test_default_limit_matches_the_app():
    assert app.DEFAULT_MAX_UPLOAD_BYTES == DEFAULT_MAX_UPLOAD_BYTES


# ---- session prep -----------------------------------------------------------------------------

def test_session_pack_preview_and_exports(searcher, corpus):
    from qa import prep

    session = prep.load_sessions(corpus / "sessions.toml")[0]
    doc = prep.build_pack(searcher, session.questions[:2] + ["<b>bread?</b>"], "Pack <1>",
                          intro=prep.session_intro(session), corpus_dir=corpus)
    page = app.render_pack(doc)
    assert "Pack &lt;1&gt;" in page and "<b>" not in page
    assert app.esc(session.questions[0]) in page and "References" in page
    paths = app.write_exports(doc, ("docx", "md", "csv"))
    assert all(p.stat().st_size for p in paths.values())
    assert paths["md"].read_text(encoding="utf-8").startswith("# Pack <1>")


def test_app_has_a_session_prep_tab(built, fake_settings):
    corpus, index_dir = built
    demo = app.build_app(app.AppSettings(index_dir, corpus),
                         EvidenceService(index_dir, corpus, index_settings=fake_settings))
    names = [f.name for f in demo.fns.values()]
    assert "build" in names and "pick" in names
    assert all(f.api_visibility == "private" for f in demo.fns.values()
               if f.name not in ("api_ask", "api_trusts", "api_add_documents",
                                 "api_remove_document"))  # the two editor-only APIs, issue 20


def test_damaged_newest_index_is_announced_on_the_page(built, fake_settings):
    """If the newest generation is damaged, answers come from the previous one and say so."""
    import app as app_module
    from index import build_index
    from qa.service import EvidenceService

    corpus, index_dir = built
    (corpus / "extra.txt").write_text("Trust boards review risk registers every term. " * 8)
    build_index(corpus, index_dir, fake_settings)
    newest = index_dir / "generations" / (index_dir / "CURRENT").read_text().strip()
    (newest / "passages.jsonl").write_text("damaged\n")
    service = EvidenceService(index_dir, corpus, fake_settings)
    demo = app_module.build_app(app_module.AppSettings(index_dir, corpus), service)
    fn = next(f.fn for f in demo.fns.values() if getattr(f, "api_name", "") == "ask")
    data = fn("What is a hard federation?")
    assert "damaged" in data["warning"] and data["passages"]
    # the page names the index folder, not where it lives on the server
    assert "the index folder" in data["warning"]
    assert str(index_dir.resolve()) not in data["warning"] and str(index_dir) not in data["warning"]
