"""Generate hostile input files at test time (nothing large is committed).

Each function takes a directory, writes one file into it and returns its Path. The
content is deterministic (fixed seeds), and every file except bomb.docx is byte-identical
across runs. bomb.docx differs only because zipfile stamps the current time on each entry.
The module needs only the standard library.

Sizes measured on the dev machine (Python 3.11, zlib 1.2.13, 2 vCPU); peak RSS of all_hostile ~15 MiB:

================  ==============  =============================================  ======
function          on disk         inflates to (what a naive reader must hold)    time
================  ==============  =============================================  ======
zero_byte         0 B             -                                              0 s
random_bytes_pdf  65,536 B        -                                              0 s
docx_not_zip      139 B           -                                              0 s
zip_bomb_docx     2,122,355 B     word/document.xml 2,147,483,928 B (2 GiB +     ~7 s
                                  280 B; zip64 entry; 2048 paragraphs of 1 MiB)
pdf_stream_bomb   19,111 B        4,295,999,484 B (4.001 GiB) content stream;    ~1.5 s
                                  two FlateDecode layers, the outer one
                                  inflates to 12,573,741 B
big_text          52,432,441 B    (50 MiB, ~292k lines of ASCII English)         ~0.5 s
non_utf8_text     357 B           -                                              0 s
================  ==============  =============================================  ======

Observed behaviour of the libraries in .venv (measured under RLIMIT_AS = 3 GiB):
  * empty.pdf     -> pypdf.errors.EmptyFileError
  * random.pdf    -> pypdf.errors.PdfStreamError (after logging "invalid pdf header")
  * notazip.docx  -> docx.opc.exceptions.PackageNotFoundError
  * bomb.docx     -> docx.Document() has no guard. It inflated until MemoryError (~2 GiB RSS, 10 s),
                     so ingest must check ZipFile.infolist() file_size values before opening it.
  * streambomb.pdf -> PdfReader opens it (1 page). extract_text() raises
                     pypdf.errors.LimitReachedError in 0.16 s (~200 MiB RSS).

pypdf 7.1.0 caps each FlateDecode output at 75,000,000 bytes
(``pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH`` / ``Configuration``). When asked to
decode the PDF bomb's content stream, it should raise ``pypdf.errors.LimitReachedError``
instead of inflating 4 GiB. Do not rely on that alone: call ``extract_text`` on the
bomb only in a memory-limited subprocess with a timeout.

Usage from the command line (writes everything and prints sizes):
    .venv/bin/python tests/hostile_files.py /tmp/hostile
"""
from __future__ import annotations

import math
import os
import random
import sys
import zipfile
import zlib
from pathlib import Path

GiB = 1 << 30
MiB = 1 << 20

ZIP_BOMB_INFLATED_BYTES = 2 * GiB  # minimum; rounded up to whole ~1 MiB paragraphs; needs zip64
PDF_BOMB_INFLATED_BYTES = 4 * GiB

_SEED = 20240601


def _dir(d: os.PathLike | str) -> Path:
    p = Path(d)
    p.mkdir(parents=True, exist_ok=True)
    return p


# --------------------------------------------------------------------------- trivial cases


def zero_byte(d: os.PathLike | str) -> Path:
    """Simulate an empty upload: a 0-byte file named empty.pdf."""
    p = _dir(d) / "empty.pdf"
    p.write_bytes(b"")
    return p


def random_bytes_pdf(d: os.PathLike | str) -> Path:
    """Simulate a corrupt/mislabelled file: 64 KiB of seeded random bytes named random.pdf."""
    p = _dir(d) / "random.pdf"
    p.write_bytes(random.Random(_SEED).randbytes(64 * 1024))
    return p


def docx_not_zip(d: os.PathLike | str) -> Path:
    """Simulate a plain-text file saved with a .docx extension (not a zip at all)."""
    p = _dir(d) / "notazip.docx"
    p.write_text(
        "This is not a Word document. It is plain text that someone renamed to .docx.\n"
        "A reader that trusts the extension will fail with BadZipFile.\n",
        encoding="utf-8",
    )
    return p


# --------------------------------------------------------------------------- zip bomb docx

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)
_DOC_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body>"
    b"<w:p><w:r><w:t>Annual report of the Bombazine Academy Trust (fictional test data).</w:t></w:r></w:p>"
)
_DOC_TAIL = b"<w:sectPr/></w:body></w:document>"


def zip_bomb_docx(d: os.PathLike | str, inflated_bytes: int = ZIP_BOMB_INFLATED_BYTES) -> Path:
    """Simulate a zip-bomb .docx: ~2 MB on disk, word/document.xml inflates to >= 2 GiB."""
    p = _dir(d) / "bomb.docx"
    # One paragraph holding ~1 MiB of a single repeated letter. Period-1 data gives
    # deflate its best ratio, ~1030:1.
    pre, post = b"<w:p><w:r><w:t>", b"</w:t></w:r></w:p>"
    para = pre + b"a" * (MiB - len(pre) - len(post)) + post
    body_needed = max(0, inflated_bytes - len(_DOC_HEAD) - len(_DOC_TAIL))
    n_paras = math.ceil(body_needed / len(para))
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        # force_zip64: the size is not known in advance and may exceed 2**31 - 1.
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(_DOC_HEAD)
            for _ in range(n_paras):
                f.write(para)
            f.write(_DOC_TAIL)
    return p


# --------------------------------------------------------------------------- PDF stream bomb

_PDF_CHUNK = b"BT /F1 12 Tf 72 712 Td (aaaa) Tj ET\n"  # 37 bytes of valid content-stream ops


def _inner_zlib_pieces(chunk: bytes, inflated_bytes: int):
    """Yield a zlib stream that inflates to chunk repeated (about inflated_bytes long).

    The stream is built from real zlib.compressobj(level 9) output, without compressing
    gigabytes: a raw-deflate block sequence that ends with Z_SYNC_FLUSH is byte-aligned,
    and a block that zlib compressed with zdict = the 32 KiB that precede it decodes the same
    way wherever that 32 KiB window recurs. C is a whole number of chunks (>= 32 KiB), so
    every copy of block B follows a window equal to C[-32768:], and each copy decodes to C.
    """
    reps = max(1, (1 * MiB) // len(chunk))
    c = chunk * reps  # ~1 MiB, whole periods
    n_total = max(1, math.ceil(inflated_bytes / len(c)))
    co = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    block_a = co.compress(c) + co.flush(zlib.Z_SYNC_FLUSH)
    co = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, c[-32768:])
    block_b = co.compress(c) + co.flush(zlib.Z_SYNC_FLUSH)
    adler = 1
    for _ in range(n_total):
        adler = zlib.adler32(c, adler)
    yield b"\x78\xda"  # zlib header: deflate, 32K window, level 9 (0x78DA % 31 == 0)
    yield block_a
    for _ in range(n_total - 1):
        yield block_b
    yield b"\x03\x00"  # empty final fixed-Huffman block (BFINAL=1)
    yield adler.to_bytes(4, "big")


def pdf_stream_bomb(
    d: os.PathLike | str, inflated_bytes: int = PDF_BOMB_INFLATED_BYTES, layers: int = 2
) -> Path:
    """Simulate a PDF decompression bomb: a tiny valid 1-page PDF whose content stream inflates to ~4 GiB."""
    if layers not in (1, 2):
        raise ValueError("layers must be 1 or 2")
    p = _dir(d) / "streambomb.pdf"
    if layers == 1:
        stream = b"".join(_inner_zlib_pieces(_PDF_CHUNK, inflated_bytes))  # ~1 MiB per ~340 MiB
        filters = b"/FlateDecode"
    else:
        outer = zlib.compressobj(9)
        parts = []
        for piece in _inner_zlib_pieces(_PDF_CHUNK, inflated_bytes):
            parts.append(outer.compress(piece))
        parts.append(outer.flush())
        stream = b"".join(parts)
        filters = b"[/FlateDecode /FlateDecode]"

    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters)
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objs) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref_at)
    p.write_bytes(bytes(out))
    return p


# --------------------------------------------------------------------------- text files

_SUBJECTS = [
    "The trust board", "The executive head", "Each local governing body", "The federation",
    "A small rural primary", "The school improvement team", "Headteachers in the group",
    "The central team", "The academy council", "Middle leaders", "The regional schools commissioner",
    "Parents in the village", "The chief financial officer", "Subject networks",
]
_VERBS = [
    "reviewed", "delegated", "questioned", "agreed", "published", "evaluated", "shared",
    "redesigned", "monitored", "challenged", "supported", "consulted on",
]
_OBJECTS = [
    "the scheme of delegation", "the annual improvement plan", "pupil outcomes in mathematics",
    "the curriculum for early reading", "budget forecasts for the next three years",
    "the peer review programme", "attendance data for disadvantaged pupils",
    "the approach to teacher recruitment", "the trust's statement of values",
    "arrangements for shared special needs provision", "leadership capacity across the schools",
]
_TAILS = [
    "before the spring term", "after a long discussion", "with external support",
    "in line with the trust's principles", "at the request of governors", "without much fuss",
    "for the third year running", "as part of the merger", "despite staffing pressures", "",
]


def big_text(d: os.PathLike | str, mb: int = 50) -> Path:
    """Simulate a very large plain-text upload: at least `mb` MiB of plausible English lines."""
    p = _dir(d) / "big.txt"
    rng = random.Random(_SEED)
    pool = []
    for _ in range(4000):
        tail = rng.choice(_TAILS)
        s = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
        pool.append((s + (" " + tail if tail else "") + ".").encode("ascii"))
    target = mb * MiB
    written = 0
    with open(p, "wb") as f:
        para = 0
        while written < target:
            lines = []
            for _ in range(2000):
                k = rng.randint(1, 3)
                lines.append(b" ".join(rng.choices(pool, k=k)))
            para += 1
            chunk = b"\n".join(lines) + b"\n\n" + b"Section %d\n\n" % para
            f.write(chunk)
            written += len(chunk)
    return p


_LATIN_TEXT = (
    "Trust finance note (fictional test data)\n"
    "The trust\u2019s central services charge is 5% of each school\u2019s budget, about \u00a3120,000 a year.\n"
    "The caf\u00e9 at the summer conference raised \u00a3350 for the r\u00e9sum\u00e9 workshop.\n"
    "Governors asked for a na\u00efve but honest answer: \u2018is delegation working?\u2019\n"
    "Pupils at \u00c9cole Rivi\u00e8re (fictional partner school) visited in May \u2013 all went well.\n"
)


def non_utf8_text(d: os.PathLike | str) -> Path:
    """Simulate a legacy Windows text file: English with £, é and ’ encoded as cp1252 (invalid UTF-8)."""
    p = _dir(d) / "latin1.txt"
    p.write_bytes(_LATIN_TEXT.encode("cp1252"))
    return p


def all_hostile(d: os.PathLike | str) -> list[Path]:
    """Write every hostile file into `d` and return their paths."""
    return [
        zero_byte(d),
        random_bytes_pdf(d),
        docx_not_zip(d),
        zip_bomb_docx(d),
        pdf_stream_bomb(d),
        big_text(d),
        non_utf8_text(d),
    ]


if __name__ == "__main__":  # pragma: no cover
    import time

    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-out")
    for fn in (zero_byte, random_bytes_pdf, docx_not_zip, zip_bomb_docx, pdf_stream_bomb,
               big_text, non_utf8_text):
        t0 = time.time()
        path = fn(out_dir)
        print(f"{fn.__name__:18s} {path.name:16s} {path.stat().st_size:>12,d} B  {time.time() - t0:6.2f} s")
