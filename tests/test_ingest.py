"""Readers, normalisation and structure-aware chunking on the real corpus and small fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import (
    ChunkSettings,
    ReadError,
    canonical,
    chunk_document,
    load_catalog,
    read_document,
    split_sentences,
)
from ingest.normalise import (
    clean_lines,
    is_verbatim,
    join_hyphenated,
    match_key,
    normalise_chars,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
BRIEFING = "federations-and-mats-briefing-paper.txt"
SYNOPSIS = "leadership-of-learning-synopsis.txt"


def passages_of(name: str, corpus: Path = CORPUS):
    doc = read_document(corpus / name, corpus, load_catalog(corpus))
    return doc, chunk_document(doc)


def test_nfkc_ligatures_and_private_use_dropped():
    assert normalise_chars("e\ufb03cient \ufb01nance\U000f0388!") == "efficient finance!"
    # Word's private-use bullet glyph stays a bullet rather than vanishing.
    assert normalise_chars("\uf0a7 challenge orthodoxies") == "- challenge orthodoxies"


def test_page_of_lines_footnotes_and_superscripts():
    lines = ["Graphic I: School Improvement Priorities", "Page 13 of 14", "Support",
             "As of 1", "st", " September 2016, half of all academies", "", "1",
             " See References", "text continues"]
    assert clean_lines(lines) == [
        "Graphic I: School Improvement Priorities", "Support",
        "As of 1st September 2016, half of all academies", "", "text continues"]


def test_hyphenated_words_rejoined_but_real_hyphens_kept():
    assert join_hyphenated("federations make better prog-", "ress than") == \
        "federations make better progress than"
    assert join_hyphenated("than their non-", "federated counterparts") == \
        "than their non-federated counterparts"


def test_catalog_titles_and_types():
    doc, _ = passages_of(BRIEFING)
    assert doc.info.short_title == "Federations and MATs briefing paper"
    assert doc.info.doc_type == "briefing"
    doc, _ = passages_of(SYNOPSIS)
    assert doc.info.doc_type == "report"
    assert doc.info.author.startswith("CUREE")


def test_synopsis_blank_line_artefacts_rebuilt_into_paragraphs():
    _, passages = passages_of(SYNOPSIS)
    preface = next(p for p in passages if "new kids on the block" in p.text)
    # Every line of the preface is separated by a blank line in the file; it must read as prose.
    assert "Multi-academy trusts (henceforth ‘trusts’) are the new kids on the block in " \
           "English education." in preface.text
    assert preface.section == ["Preface by Philippa Cordingley"]
    assert not any("Page 13 of 14" in p.text for p in passages)


def test_briefing_numbered_sections_and_lists_with_lead_in():
    _, passages = passages_of(BRIEFING)
    unsuccessful = next(p for p in passages if "Expanding too fast" in p.text)
    assert unsuccessful.section[-1].startswith("2.3 Research evidence suggests")
    assert unsuccessful.text.startswith("2.3 Research evidence suggests")  # lead-in kept
    assert "\n- Expanding too fast, or expansion for its own sake" in unsuccessful.text
    # 2.4's list is only true together with its lead-in sentence ("not yet compelling evidence").
    caution = next(p for p in passages if "Economies of scale are successful" in p.text)
    assert "there is not yet compelling evidence" in caution.text
    sessions = [p.section[-1] for p in passages if p.section and p.section[-1].startswith("8.")]
    assert {s.split()[0] for s in sessions} == {"8.1", "8.2", "8.3", "8.4", "8.5"}


def test_numbered_sections_are_never_merged_into_their_parent(tmp_path):
    """3.3 and 3.4 of the briefing paper are short: each is cited by its own number, not both
    by their common parent "3. Interview evidence" (a quote from 3.4 said § 3. before)."""
    _, passages = passages_of(BRIEFING)
    for first_item, number in (("ever changing", "3.3"), ("maintaining presence", "3.4")):
        p = next(p for p in passages if f"- {first_item}" in p.text)
        assert p.section[-1].startswith(number + " "), (first_item, p.section)
        assert p.text.startswith(number + " ")  # its lead-in, the numbered heading, kept
    # Unnumbered short sections still share a passage, under their common path.
    (tmp_path / "notes.md").write_text(
        "# Notes\n\n## Alpha\n\nOne short line.\n\n## Beta\n\nAnother short line.\n",
        encoding="utf-8")
    _, notes = passages_of("notes.md", tmp_path)
    assert len(notes) == 1 and notes[0].section == ["Notes"]


def test_definitions_cited_under_their_section():
    _, passages = passages_of(BRIEFING)
    hard = next(p for p in passages if "a single legal entity with a single governing body" in p.text)
    assert hard.section[:2] == ["Part I", "4. Information regarding federations/ MATs etc."]
    assert "‘Hard Federation’" in hard.text.split("\n")  # the label travels with the definition


def test_passages_are_quotable_and_never_split_sentences():
    for name in (BRIEFING, SYNOPSIS):
        doc, passages = passages_of(name)
        source = match_key("\n".join(p.text for p in doc.pages))
        words = sorted(len(p.text.split()) for p in passages)
        assert words[len(words) // 2] <= 250 and max(words) <= 250
        for p in passages:
            assert is_verbatim(p.text, source), p.id
            # A passage ends at the end of a sentence, list item or label, not mid-sentence.
            last = p.text.split("\n")[-1]
            assert not last.rstrip().endswith((",", " and", " the", " of")), (p.id, last)


def test_long_paragraph_split_at_sentence_ends():
    text = " ".join(f"Sentence number {i} says something about trusts and schools." for i in range(80))
    from ingest import Document, DocumentInfo, Page

    doc = Document(DocumentInfo("x.txt", "X", "X"), "0" * 64, [Page(None, text)])
    passages = chunk_document(doc, ChunkSettings())
    assert len(passages) > 1
    for p in passages:
        assert p.text.endswith("schools.")
        assert len(p.text.split()) <= 250


def test_split_sentences_respects_abbreviations():
    s = "Trusts, e.g. Romero, vary. Sir David Carter wrote it. Ofsted (i.e. inspectors) agreed."
    assert split_sentences(s) == ["Trusts, e.g. Romero, vary.", "Sir David Carter wrote it.",
                                  "Ofsted (i.e. inspectors) agreed."]


def test_stable_ids_depend_on_document_and_text():
    _, a = passages_of(BRIEFING)
    _, b = passages_of(BRIEFING)
    assert [p.id for p in a] == [p.id for p in b]
    assert len({p.id for p in a}) == len(a)


@pytest.mark.parametrize("name", ["vignette-riverbend.txt", "vignette-oakmoor.docx"])
def test_vignette_kept_whole_with_key_dimensions(tmp_path, name):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / name).write_bytes((DATA / name).read_bytes())
    doc = read_document(corpus / name, corpus, {})
    passages = chunk_document(doc)
    assert len(passages) == 1
    p = passages[0]
    assert p.kind == "vignette" and p.doc_type == "vignette"
    dims = p.key_dimensions
    for field in ("number_of_schools", "distribution", "urban_rural", "decision_making",
                  "governance", "delegation", "improvement_priorities", "evaluation"):
        assert dims.get(field), (field, dims)
    assert "(fictional)" in doc.info.title


def test_riverbend_dimension_values():
    corpus = DATA
    doc = read_document(corpus / "vignette-riverbend.txt", corpus, {})
    dims = chunk_document(doc)[0].key_dimensions
    assert dims["number_of_schools"].startswith("5")
    assert dims["urban_rural"] == "urban"
    assert dims["decision_making"] == "more local"


def test_non_utf8_text_read_with_fallback(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("The trust’s budget was £2m for the café and schools.\n".encode("cp1252"))
    doc = read_document(path, tmp_path, {})
    assert "£2m" in doc.pages[0].text and "trust’s" in doc.pages[0].text
    assert any("not UTF-8" in w for w in doc.warnings)


def test_markdown_headings_become_sections(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Trust notes\n\n## Finance\n\nFinance is run centrally by the trust, "
                    "with budgets agreed with each local governing body every spring term.\n")
    doc = read_document(path, tmp_path, {})
    [p] = chunk_document(doc)
    assert doc.info.title == "Trust notes"
    assert p.section == ["Trust notes", "Finance"]


def test_pdf_pages_and_labels():
    path = DATA / "badpdfs" / "good-4-pages_pdflatex-4-pages.pdf"
    doc = read_document(path, path.parent, {})
    assert [p.number for p in doc.pages] == [1, 2, 3, 4]
    passages = chunk_document(doc)
    assert {p.page for p in passages} >= {1, 4}
    for p in passages:
        page_text = match_key(doc.pages[p.page_start - 1].text)
        assert match_key(p.text.split("\n")[0])[:40] in page_text


@pytest.mark.parametrize("name,reason", [
    ("encrypted-user-password_libreoffice-writer-password.pdf", "password"),
    ("encrypted-aes256_crazyones-encrypted-256.pdf", "password"),
    ("image-only-grayscale_grayscale-image.pdf", "no_text"),
    ("encrypted-no-trailer-id_image-only_encrypted_doc_no_id.pdf", "no_text"),
])
def test_unusable_pdfs_refused_with_reason(name, reason):
    from ingest import ocr

    path = DATA / "badpdfs" / name
    with pytest.raises(ReadError) as err, ocr.using(ocr.OcrSettings(enabled=False)):
        read_document(path, path.parent, {})  # without OCR (tests/test_ocr.py: with it)
    assert err.value.reason == reason


def test_encrypted_pdf_with_empty_password_is_opened():
    path = DATA / "badpdfs" / "encrypted-aesv2-missing-length_r4-aes-v2-no-key-length.pdf"
    doc = read_document(path, path.parent, {})
    assert "pdf encryption test" in canonical(doc.pages[0].text)


def test_a_split_list_never_repeats_its_lead_in_inside_one_passage():
    """Two parts of a long list that end up in one passage read on: the lead-in once, and a
    "[…]" only where items of the source are left out."""
    doc, passages = passages_of(SYNOPSIS)
    lead = "There are no ‘findings’ but there are some things worth noting:"
    holding = [p for p in passages if lead in p.text]
    assert len(holding) >= 2
    for p in holding:
        assert p.text.split("\n").count(lead) == 1
        assert p.text.count("[…]") <= 1
    later = [p for p in holding if "[…]" in p.text]
    assert later and all(p.text.split("\n")[1] == "[…]" for p in later)


def test_a_list_item_without_a_full_stop_does_not_swallow_the_paragraph_after_it(tmp_path):
    """A blank line and a capital after an item that does not stop mid-phrase start a new
    block: the paragraph after a Markdown list is not quoted as part of its last item (and so
    never shown under the list's lead-in). An item wrapped across a blank line after an open
    phrase ("... governors in a" / "MAT/federation setting?") still reads on."""
    (tmp_path / "priorities.md").write_text(
        "# Priorities\n\nThe trust set two priorities for the year:\n\n"
        "- reading across the trust\n- wellbeing of the staff across the trust\n\n"
        "Those priorities were reviewed each term by the board.\n", encoding="utf-8")
    doc = read_document(tmp_path / "priorities.md", tmp_path, {})
    text = "\n".join(p.text for p in chunk_document(doc))
    assert "- wellbeing of the staff across the trust\n" in text
    assert "\nThose priorities were reviewed each term by the board." in text

    _, passages = passages_of("federations-and-mats-briefing-paper.txt")
    assert any("governors in a MAT/federation setting?" in " ".join(p.text.split())
               for p in passages)
