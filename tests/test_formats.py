"""PowerPoint (.pptx) and saved web pages (.html, .htm): read, cited, searchable, uploaded, and
bad ones refused. The files are made here."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest import ReadError, chunk_document, read_document
from ingest.sandbox import SandboxReader


def make_deck(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    s = prs.slides.add_slide(prs.slide_layouts[0])
    s.shapes.title.text = "Growing a trust well"
    s.placeholders[1].text = "Session 8.1 for executive leaders"
    s = prs.slides.add_slide(prs.slide_layouts[1])
    s.shapes.title.text = "Why trusts fail"
    tf = s.placeholders[1].text_frame
    tf.text = "Growth too fast for the central team"
    p = tf.add_paragraph()
    p.text = "Schools taken on without due diligence"
    p.level = 1
    p = tf.add_paragraph()
    p.text = "Weak governance at board level"
    s.notes_slide.notes_text_frame.text = "Ask which of these the group has seen in its own trust."
    s = prs.slides.add_slide(prs.slide_layouts[5])
    s.shapes.title.text = "Who decides what"
    rows = [("Decision", "Who"), ("Annual budget", "Trust board"), ("Curriculum", "Headteacher")]
    table = s.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            table.cell(i, j).text = v
    s = prs.slides.add_slide(prs.slide_layouts[6])  # blank layout: a text box, no title
    box = s.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
    box.text_frame.text = "Questions and reflections on the morning's case studies"
    prs.core_properties.title = "Growing a trust: session deck"
    prs.save(str(path))
    return path


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Governance handbook for trusts</title>
<link rel="canonical" href="https://example.org/guidance/governance">
<meta property="article:published_time" content="2023-05-17T10:00:00Z">
<script>document.write("<p>INJECTED BY SCRIPT</p>"); fetch("https://tracker.example/x");</script>
<style>p { color: red }</style>
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">Latest news</a></nav></header>
<div id="cookie-banner" class="consent">We use cookies to improve this site. Accept all cookies</div>
<main>
<h1>Governance of multi-academy trusts</h1>
<p>The board of trustees is accountable for <em>every</em> academy in the trust.</p>
<h2>Schemes of delegation</h2>
<p>A scheme of delegation sets out which decisions are taken where:</p>
<ul><li>the board sets the strategy<ul><li>and approves the annual budget</li></ul></li>
<li>local governing bodies monitor standards in each school</li></ul>
<h3>Who decides</h3>
<table><tr><th>Decision</th><th>Who</th></tr><tr><td>Budget</td><td>Trust board</td></tr>
<tr><td>Curriculum</td><td>Headteacher</td></tr></table>
<h2>Reviewing the scheme</h2>
<p>Trusts review their scheme of delegation every year, with the local governors.</p>
<img src="https://tracker.example/pixel.gif" alt="">
</main>
<aside class="related">Related articles you may like</aside>
<footer>Copyright 2023 Example Organisation</footer>
</body></html>
"""


def test_pptx_slides_are_pages_cited_as_slides(tmp_path):
    doc = read_document(make_deck(tmp_path / "deck.pptx"), tmp_path, {})
    assert doc.info.title == "Growing a trust: session deck"
    assert [p.label for p in doc.pages] == ["slide 1", "slide 2", "slide 3", "slide 4"]
    items = [(b.level, b.text) for b in doc.blocks if b.kind == "item"]
    assert items == [(0, "- Growth too fast for the central team"),
                     (1, "- Schools taken on without due diligence"),
                     (0, "- Weak governance at board level")]
    passages = chunk_document(doc)
    by_slide = {p.page_start: p for p in passages}
    assert by_slide[2].citation == "Growing a trust: session deck, slide 2, § Why trusts fail"
    assert by_slide[2].kind == "list"
    assert "Speaker notes: Ask which of these the group has seen" in by_slide[2].text
    table = by_slide[3]
    assert table.kind == "table" and table.section == ["Who decides what"]
    assert "Decision: Annual budget; Who: Trust board" in table.text
    assert table.rows[0] == ["Decision", "Who"]
    assert by_slide[4].section == ["Slide 4"]  # no title: cited by its number
    assert "morning's case studies" in by_slide[4].text
    assert all(p.page_start == p.page_end for p in passages)


def test_html_main_content_only_with_its_section_tree(tmp_path):
    path = tmp_path / "governance.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = read_document(path, tmp_path, {})
    text = "\n".join(p.text for p in doc.pages)
    for left_out in ("INJECTED", "Latest news", "cookies", "Related articles", "Copyright",
                     "color: red", "tracker"):
        assert left_out not in text
    assert doc.info.title == "Governance handbook for trusts"
    assert doc.info.url == "https://example.org/guidance/governance"
    assert doc.info.year == "2023"
    passages = chunk_document(doc)
    lst = next(p for p in passages if "approves the annual budget" in p.text)
    assert lst.kind == "list"
    assert lst.section[0] == "Governance of multi-academy trusts"
    assert "A scheme of delegation sets out which decisions are taken where:" in lst.text
    table = next(p for p in passages if p.kind == "table")  # h1 > h2 > h3
    assert table.section == ["Governance of multi-academy trusts", "Schemes of delegation",
                             "Who decides"]
    assert "Decision: Curriculum; Who: Headteacher" in table.text
    assert all(p.page_start is None for p in passages)
    last = next(p for p in passages if "every year" in p.text)
    assert last.section[-1] == "Reviewing the scheme"


NO_MAIN = """<html><head><title>Trust news | Example Academies</title></head><body>
<div id="top-menu" class="menu"><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li></ul></div>
<div class="cookie-notice">This site uses cookies.</div>
<div id="page"><div class="sidebar"><h3>Quick links</h3><ul><li>Term dates</li><li>Vacancies</li></ul></div>
<div id="content" class="entry-content">
<h1>Our approach to school improvement</h1>
<p>Each academy in the trust has a named school improvement partner who visits every half term.</p>
<h2>Peer review</h2>
<p>Headteachers review one another's schools each spring, using a common framework agreed by the board.</p>
</div></div>
<div id="footer">© Example Academies Trust</div>
</body></html>
"""


def test_html_without_main_keeps_the_body_less_its_menus(tmp_path):
    path = tmp_path / "news.htm"
    path.write_text(NO_MAIN, encoding="utf-8")
    doc = read_document(path, tmp_path, {})
    text = doc.pages[0].text
    assert "named school improvement partner" in text and "common framework" in text
    for left_out in ("About us", "cookies", "Quick links", "Vacancies", "Example Academies Trust"):
        assert left_out not in text
    passages = chunk_document(doc)
    peer = next(p for p in passages if "common framework" in p.text)
    assert peer.section[0] == "Our approach to school improvement"  # h1 over its h2
    assert "Peer review\nHeadteachers review" in peer.text


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_bad_web_pages_refused_with_reason(tmp_path, suffix):
    binary = tmp_path / f"photo{suffix}"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    with SandboxReader() as reader:
        with pytest.raises(ReadError) as err:
            reader(binary, tmp_path, {})
        assert "binary" in str(err.value)
        empty = tmp_path / f"empty{suffix}"
        empty.write_text("<html><head><title>Home</title><script>var x = 1;</script></head>"
                         "<body><nav><a href='/'>Home</a><a href='/a'>About</a></nav>"
                         "<footer>Copyright</footer></body></html>", encoding="utf-8")
        with pytest.raises(ReadError) as err:
            reader(empty, tmp_path, {})
        assert "no main content" in str(err.value)


def test_bad_pptx_refused(tmp_path, monkeypatch):
    not_zip = tmp_path / "deck.pptx"
    not_zip.write_bytes(b"this is not a presentation at all" * 10)
    with pytest.raises(ReadError) as err:
        read_document(not_zip, tmp_path, {})
    assert "not a zip" in str(err.value)
    docx_like = tmp_path / "other.pptx"
    with zipfile.ZipFile(docx_like, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(ReadError) as err:
        read_document(docx_like, tmp_path, {})
    assert "no ppt/presentation.xml" in str(err.value)
    # A zip bomb: what it would expand to is read from the archive, never expanded.
    import ingest.pptx_reader as pr

    bomb = tmp_path / "bomb.pptx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ppt/presentation.xml", "<p/>")
        zf.writestr("ppt/media/zeros.bin", b"\0" * (8 * 1024 * 1024))
    monkeypatch.setattr(pr, "MAX_PPTX_EXPANDED_BYTES", 4 * 1024 * 1024)
    with pytest.raises(ReadError) as err:
        read_document(bomb, tmp_path, {})
    assert "zip bomb" in str(err.value)


def test_uploads_accept_and_check_the_new_types(tmp_path):
    from ingest.uploads import store_upload

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    deck = make_deck(tmp_path / "deck.pptx")
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    assert store_upload(deck, "Session deck.pptx", corpus).ok
    assert store_upload(page, "Governance.HTM", corpus).ok
    fake = tmp_path / "fake.pptx"
    fake.write_bytes(b"%PDF-1.4 not a deck")
    refused = store_upload(fake, "fake.pptx", corpus)
    assert refused.status == "refused" and "not a PowerPoint file" in refused.message
    binary = tmp_path / "binary.html"
    binary.write_bytes(bytes(range(256)) * 8)
    refused = store_upload(binary, "binary.html", corpus)
    assert refused.status == "refused" and "binary" in refused.message
    plain = tmp_path / "plain.html"
    plain.write_text("just some words, no markup at all", encoding="utf-8")
    assert "no HTML" in store_upload(plain, "plain.html", corpus).message
    odd = store_upload(page, "page.xhtml", corpus)
    assert odd.status == "refused" and ".pptx" in odd.message and ".html" in odd.message


def test_slides_and_web_pages_are_searchable(tmp_path):
    from index import EmbedSettings, IndexSettings, build_index
    from qa import Searcher

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_deck(corpus / "deck.pptx")
    (corpus / "governance.html").write_text(PAGE, encoding="utf-8")
    report = build_index(corpus, tmp_path / "index",
                         IndexSettings(embed=EmbedSettings(model="fake")))
    assert not report.failed, report.failed
    searcher = Searcher.open(tmp_path / "index")
    answer = searcher.ask("schools taken on without due diligence")
    top = answer.hits[0].passage
    assert top.file == "deck.pptx" and top.citation.split(", ")[1] == "slide 2"
    answer = searcher.ask("who approves the annual budget in the scheme of delegation")
    files = [h.passage for h in answer.hits if h.passage.file == "governance.html"]
    assert files and files[0].section[0] == "Governance of multi-academy trusts"
