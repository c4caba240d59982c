"""Are a vignette's key dimensions read whatever its layout? Scored against a truth file.

    .venv/bin/python bench/vignette_layouts.py [--dir eval/vignette_layouts] [--totals-only]

The folder holds vignette files (Word, PDF, HTML, Markdown, text ...) and `truth.json`: per
file, the trust's name and every key dimension as printed (label: value). The files are
indexed together with the fake embedder into a temporary folder (reading does not depend on
embeddings), the trusts table is built as the app builds it, and each file is scored:

- read as a vignette (a row of the trusts table);
- name right (the vignette's title is the trust's name);
- fields right: the truth's label is read as the same field (a known dimension by its label,
  or kept as written) and its value is the printed value (whitespace and case aside);
- fields extra: fields read that the truth does not have (a heading or a line of text taken
  for a dimension).

`--totals-only` prints the totals alone: for a held-out folder, whose misses must not be read
while the reader is being tuned.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).strip(" .;:").casefold()


@dataclass
class FileScore:
    file: str
    layout: str
    read: bool = False
    name_right: bool = False
    fields_right: int = 0
    fields: int = 0
    extra: int = 0
    misses: list[str] = field(default_factory=list)


def score_file(case: dict, trust) -> FileScore:
    from ingest.vignettes import canonical_field

    score = FileScore(case["file"], case.get("layout", ""), fields=len(case["fields"]))
    if trust is None:
        score.misses.append("not read as a vignette")
        return score
    score.read = True
    score.name_right = _norm(trust.name) == _norm(case["title"])
    if not score.name_right:
        score.misses.append(f"name {trust.name!r}, expected {case['title']!r}")
    read = dict(trust.fields)
    wanted_keys = set()
    for label, value in case["fields"].items():
        key = canonical_field(label) or f"other:{label}"
        # An unknown dimension is kept under its label as written; match it case-blind.
        if key.startswith("other:"):
            key = next((k for k in read if k.startswith("other:")
                        and _norm(k[6:]) == _norm(label)), key)
        wanted_keys.add(key)
        got = read.get(key)
        if got is not None and _norm(got) == _norm(value):
            score.fields_right += 1
        else:
            score.misses.append(f"{label!r}: got {got!r}, expected {value!r}")
    extra = [k for k in read if k not in wanted_keys]
    score.extra = len(extra)
    score.misses.extend(f"extra field {k!r}: {read[k]!r}" for k in extra)
    return score


def run(folder: Path) -> list[FileScore]:
    from index import EmbedSettings, IndexSettings, build_index, load_index
    from qa.trusts import trust_table

    cases = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files = folder / "files" if (folder / "files").is_dir() else folder
        for case in cases:
            shutil.copy(files / case["file"], corpus / case["file"])
        report = build_index(corpus, Path(tmp) / "index",
                             IndexSettings(embed=EmbedSettings(model="fake")))
        by_file = {t.file: t for t in trust_table(load_index(Path(tmp) / "index"))}
    failed = {f.get("file", ""): f.get("reason", "") for f in report.failed}
    scores = [score_file(c, by_file.get(c["file"])) for c in cases]
    for s in scores:
        if s.file in failed:
            s.misses.insert(0, f"refused by the reader: {failed[s.file]}")
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "eval" / "vignette_layouts")
    parser.add_argument("--totals-only", action="store_true",
                        help="totals alone (a held-out folder)")
    args = parser.parse_args()
    scores = run(args.dir)
    print(machine_line())
    if not args.totals_only:
        for s in scores:
            print(f"{s.file:40s} {s.layout[:40]:40s} read {'yes' if s.read else 'NO '} "
                  f"name {'ok' if s.name_right else 'NO'} fields {s.fields_right}/{s.fields} "
                  f"extra {s.extra}")
            for m in s.misses:
                print("    " + m)
    n = len(scores)
    print(f"{args.dir.name}: {n} files; read as vignettes {sum(s.read for s in scores)}/{n}; "
          f"names right {sum(s.name_right for s in scores)}/{n}; fields right "
          f"{sum(s.fields_right for s in scores)}/{sum(s.fields for s in scores)}; "
          f"extra fields {sum(s.extra for s in scores)}; files with every field right "
          f"{sum(s.read and s.fields_right == s.fields and not s.extra for s in scores)}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
