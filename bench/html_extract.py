"""Main-content extraction from saved web pages: selectolax (what ingest/html_reader.py uses)
against trafilatura, on the test page of tests/test_formats.py and on a large synthetic page.

    .venv/bin/python bench/html_extract.py      (trafilatura is not a dependency: pip install it)

For each: milliseconds per page, and whether the main text is kept, the boilerplate (menu,
cookie banner, footer, related links, script) dropped, and the headings, list items and table
rows kept as structure.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def big_page(sections: int = 200) -> str:
    from test_formats import PAGE

    head, _, rest = PAGE.partition("<main>")
    body, _, tail = rest.partition("</main>")
    parts = [body.replace("Governance of", f"Part {i}: governance of") for i in range(sections)]
    return head + "<main>" + "".join(parts) + "</main>" + tail


def check(text: str, structured: dict) -> dict:
    return {
        "main_text_kept": "accountable for every academy" in text and "every year" in text,
        "boilerplate_dropped": not any(w in text for w in (
            "Latest news", "cookies", "Related articles", "Copyright", "INJECTED")),
        **structured,
    }


def run_selectolax(path: Path) -> tuple[str, dict]:
    from ingest.html_reader import read_html

    r = read_html(path)
    kinds = [b.kind for b in r.blocks]
    return r.pages[0].text, {"headings": kinds.count("heading"), "items": kinds.count("item"),
                             "tables": kinds.count("table"), "url": (r.meta or {}).get("url", ""),
                             "date": (r.meta or {}).get("date", "")}


def run_trafilatura(path: Path) -> tuple[str, dict]:
    import trafilatura

    html = path.read_text(encoding="utf-8")
    xml = trafilatura.extract(html, output_format="xml", include_tables=True,
                              include_formatting=False, with_metadata=True) or ""
    text = trafilatura.extract(html, include_tables=True) or ""
    meta = trafilatura.extract_metadata(html)
    return text, {"headings": xml.count("<head"), "items": xml.count("<item"),
                  "tables": xml.count("<table"), "url": getattr(meta, "url", "") or "",
                  "date": getattr(meta, "date", "") or ""}


def main() -> int:
    from test_formats import PAGE

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "page.html"
        small.write_text(PAGE, encoding="utf-8")
        large = Path(tmp) / "big.html"
        large.write_text(big_page(), encoding="utf-8")
        for name, fn in (("selectolax", run_selectolax), ("trafilatura", run_trafilatura)):
            try:
                text, structured = fn(small)
            except ImportError as exc:
                out[name] = {"error": str(exc)}
                continue
            row = check(text, structured)
            for label, path, reps in (("ms_small_page", small, 50), ("ms_large_page", large, 3)):
                t0 = time.perf_counter()
                for _ in range(reps):
                    fn(path)
                row[label] = round(1000 * (time.perf_counter() - t0) / reps, 1)
            row["large_page_kb"] = round(large.stat().st_size / 1024)
            out[name] = row
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
