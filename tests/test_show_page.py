"""The cited page in the web app and the exports: "Show page" on PDF passage cards, tables
shown as tables, and a browser test that opens the page and sees the cited lines highlighted."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from typeset import report_spec, typeset

from index import EmbedSettings, IndexSettings, build_index, load_index
from qa import SearchSettings
from qa.export import CitedQuote, ExportDocument, ExportSection, to_docx
from ui.ask import passage_body, render_answer, render_page_view

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pdf_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("showpage")
    corpus = root / "corpus"
    corpus.mkdir()
    typeset(report_spec(), corpus / "northfield-review.pdf", title="Northfield annual review")
    shutil.copy(ROOT / "corpus" / "federations-and-mats-briefing-paper.txt", corpus)
    settings = IndexSettings(embed=EmbedSettings(model="fake"))
    build_index(corpus, root / "index", settings)
    return {"root": root, "corpus": corpus, "index": load_index(root / "index"),
            "settings": settings}


def _table(index):
    return next(p for p in index.passages if p.kind == "table")


def test_pdf_cards_have_show_page_and_text_cards_do_not(pdf_index):
    from qa import Searcher

    searcher = Searcher(pdf_index["index"], Searcher.open(pdf_index["root"] / "index").embedder,
                        SearchSettings())
    answer = searcher.ask("Finance was run centrally, with each head holding a delegated budget")
    html = render_answer(answer, pdf_index["index"])
    for h in answer.hits:
        button = f'data-action="page" data-pid="{h.passage.id}"'
        assert (button in html) == h.passage.file.endswith(".pdf")


def test_a_table_passage_is_shown_as_a_table(pdf_index):
    table = _table(pdf_index["index"])
    html = passage_body(table, [])
    assert html.startswith('<table class="mx-table"><caption>Table 1: Pupils and staff by school')
    assert html.count('<th scope="col">') == 4 and html.count("<tr>") == 5
    assert "<td>Brook Lane Academy</td><td>Secondary</td><td>1,046</td>" in html


def test_page_view_is_an_image_with_the_passage_highlighted(pdf_index):
    table = _table(pdf_index["index"])
    html = render_page_view(table, pdf_index["corpus"])
    assert 'src="data:image/png;base64,' in html  # in the page: no file route is opened
    assert f"passage id {table.id}" in html and "highlighted" in html
    assert re.search(r'alt="Page \d of Northfield annual review, with the \d+ lines', html)
    text_passage = next(p for p in pdf_index["index"].passages if p.file.endswith(".txt"))
    assert "No page to show: this passage is not from a PDF" in render_page_view(
        text_passage, pdf_index["corpus"])


def test_docx_export_writes_a_table_as_a_table(pdf_index, tmp_path):
    import docx

    table = _table(pdf_index["index"])
    doc = ExportDocument("Pack", [ExportSection("Who is in the trust?",
                                                [CitedQuote.from_passage(table)])])
    path = to_docx(doc, tmp_path / "pack.docx")
    d = docx.Document(str(path))
    assert len(d.tables) == 1
    cells = [[c.text for c in row.cells] for row in d.tables[0].rows]
    assert cells == table.rows
    texts = [p.text for p in d.paragraphs]
    assert "Table 1: Pupils and staff by school" in texts
    assert any(t.startswith("— Northfield annual review, p.") for t in texts)


# ------------------------------------------------------------------------- in a browser

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
def test_show_page_in_the_browser(pdf_index):
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright
    from test_browser import BROWSER_ARGS, SHOTS, serve

    served = serve(pdf_index["root"], pdf_index["corpus"], pdf_index["settings"])
    url = next(served)["url"]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            box = page.get_by_label("Question")
            expect(box).to_be_visible(timeout=20_000)
            box.fill("Pupils and staff by school: Brook Lane Academy")
            box.press("Enter")
            card = page.locator("article.mx-card", has=page.locator(
                "table.mx-table")).first
            expect(card).to_be_visible(timeout=20_000)
            pid = card.get_attribute("data-pid")
            card.get_by_role("button", name="Show page").click()
            view = page.locator("#mx-pageview")
            expect(view).to_be_visible(timeout=20_000)
            assert view.get_attribute("data-pid") == pid  # the passage id survives
            image = view.locator("img.mx-pageimg")
            expect(image).to_have_attribute("alt", re.compile("highlighted"))
            assert image.evaluate("i => i.complete && i.naturalWidth") > 500
            # The highlight is drawn: the image holds the highlight's yellow.
            yellow = image.evaluate("""i => { const c = document.createElement('canvas');
                c.width = i.naturalWidth; c.height = i.naturalHeight;
                const g = c.getContext('2d'); g.drawImage(i, 0, 0);
                const d = g.getImageData(0, 0, c.width, c.height).data; let n = 0;
                for (let k = 0; k < d.length; k += 4)
                  if (d[k] > 240 && d[k+1] > 225 && d[k+2] < 170) n++;
                return n; }""")
            assert yellow > 1000
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "show-page.png"))
            view.get_by_role("button", name="Close page").click()
            expect(page.locator("#mx-pageview")).to_have_count(0, timeout=10_000)
            browser.close()
    finally:
        served.close()  # runs serve's own finally: the app is closed
