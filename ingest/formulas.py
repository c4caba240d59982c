"""Equations written out as a person reads them, in a linear form (issue 21, item 3).

Word stores an equation as OMML (`m:oMath`: fractions, scripts, radicals, n-ary operators,
delimiters, matrices, equation arrays); a web page as MathML (<math>). Their runs' text alone
loses the structure ("b 2" for b², "r + f n" for (r+f)/n), so both are written out linearly,
close to the linear form Word itself offers (UnicodeMath): `(a+b)/(2c)`, `x^2`, `s_i`,
`√(m)`, `∑_(i=1)^n s_i`, `[a|b]`, `[1, 0; 0, 1]`. Every character the equation shows is kept;
an equation array gives one line per row. Pure functions over parsed XML / HTML nodes.
"""

from __future__ import annotations

import re
import unicodedata

from .ooxml import attr, child, name

_ATOM = re.compile(r"^(?:.|\d+(?:[.,]\d+)?)$", re.S)
_BRACKETS = {"(": ")", "[": "]", "{": "}", "⟨": "⟩", "|": "|", "‖": "‖"}


def _bracketed(s: str) -> bool:
    """`(…)` whose opening bracket closes at the very end (not "(a)+(b)")."""
    if len(s) < 2 or s[0] not in _BRACKETS or s[-1] != _BRACKETS[s[0]]:
        return False
    if s[0] == s[-1]:  # |x|: cannot tell nesting; a bar at both ends is one group
        return True
    depth = 0
    for i, ch in enumerate(s):
        depth += 1 if ch == s[0] else -1 if ch == s[-1] else 0
        if depth == 0 and i < len(s) - 1:
            return False
    return True


def wrap(s: str) -> str:
    """A part that is more than one symbol or number goes in brackets, so that "/", "^" and
    "_" apply to all of it."""
    s = s.strip()
    if not s or _ATOM.match(s) or _bracketed(s):
        return s
    return f"({s})"


def _clean(s: str) -> str:
    return " ".join(s.split())


# ---------------------------------------------------------------------------------- OMML


def _pr(el, tag: str, default: str | None) -> str | None:
    """A property of an OMML element (m:dPr/m:begChr@m:val ...); `default` when absent."""
    props = child(el, name(el) + "Pr")
    found = child(props, tag) if props is not None else None
    return attr(found, "val", default) if found is not None else default


def _part(el, tag: str) -> str:
    c = child(el, tag)
    return omml_text(c) if c is not None else ""


def omml_text(el) -> str:
    """One OMML element written out linearly."""
    n = name(el)
    if n in ("m:r", "w:r"):
        return "".join(t.text or "" for t in el if name(t) in ("m:t", "w:t"))
    if n == "m:f":
        num, den = wrap(_part(el, "m:num")), wrap(_part(el, "m:den"))
        if _pr(el, "m:type", "bar") == "noBar":
            return f"({num.strip('()')}¦{den.strip('()')})"
        return f"{num}/{den}"
    if n == "m:sSup":
        return f"{_base(_part(el, 'm:e'))}^{wrap(_part(el, 'm:sup'))}"
    if n == "m:sSub":
        return f"{_base(_part(el, 'm:e'))}_{wrap(_part(el, 'm:sub'))}"
    if n == "m:sSubSup":
        return (f"{_base(_part(el, 'm:e'))}_{wrap(_part(el, 'm:sub'))}"
                f"^{wrap(_part(el, 'm:sup'))}")
    if n == "m:sPre":
        return f"_{wrap(_part(el, 'm:sub'))}^{wrap(_part(el, 'm:sup'))}{_part(el, 'm:e')}"
    if n == "m:rad":
        deg, body = _part(el, "m:deg").strip(), _part(el, "m:e")
        sign = {"": "√", "3": "∛", "4": "∜"}.get(deg, f"({deg})√")
        return f"{sign}({body})"
    if n == "m:nary":
        op = _pr(el, "m:chr", "∫") or "∫"
        sub, sup = _part(el, "m:sub").strip(), _part(el, "m:sup").strip()
        limits = (f"_{wrap(sub)}" if sub else "") + (f"^{wrap(sup)}" if sup else "")
        body = _part(el, "m:e").strip()
        return f"{op}{limits} {body}" if body else op + limits
    if n == "m:d":
        beg = _pr(el, "m:begChr", "(") or ""
        end = _pr(el, "m:endChr", ")") or ""
        sep = _pr(el, "m:sepChr", "|") or "|"
        return beg + sep.join(omml_text(e) for e in el if name(e) == "m:e") + end
    if n == "m:func":
        fname, arg = _part(el, "m:fName").strip(), _part(el, "m:e").strip()
        if arg and not _ATOM.match(arg) and not _bracketed(arg):
            return f"{fname}({arg})"  # cos((nπx)/L), not cos(nπx)/L: the argument whole
        return fname + ("" if not arg or arg[0] in _BRACKETS else " ") + arg
    if n in ("m:limLow", "m:limUpp"):
        mark = "_" if n == "m:limLow" else "^"
        return f"{_part(el, 'm:e')}{mark}{wrap(_part(el, 'm:lim'))}"
    if n == "m:acc":
        mark = _pr(el, "m:chr", "\u0302") or "\u0302"
        return _part(el, "m:e") + mark
    if n == "m:bar":
        return _part(el, "m:e") + ("\u0332" if _pr(el, "m:pos", "bot") == "bot"
                                   else "\u0305")
    if n == "m:m":
        rows = [", ".join(_clean(omml_text(e)) for e in mr if name(e) == "m:e")
                for mr in el if name(mr) == "m:mr"]
        return "[" + "; ".join(rows) + "]"
    if n == "m:eqArr":
        return "; ".join(_clean(omml_text(e)) for e in el if name(e) == "m:e")
    # Containers (m:oMath, m:e, m:num, m:box, m:borderBox, m:groupChr, m:phant ...): their
    # parts in order; property elements (m:rPr, m:ctrlPr, w:rPr ...) hold no text.
    return _join_parts((omml_text(c), name(c) == "m:func") for c in el
                       if not name(c).endswith("Pr"))


_LAST_LETTERS = re.compile(r"[^\W\d_]+$")
_FIRST_LETTERS = re.compile(r"^[^\W\d_]+")


def _join_parts(parts) -> str:
    """Parts side by side, run together as Word shows them ("x=", "2a", "b^2−4ac"), except
    where letters of two parts meet: two runs ("π" then "r²", "x" then "dx") are two symbols,
    so a space keeps them apart instead of making one word of them ("πr^2", "xdx"). Prose set
    in an equation (a run with a space in it: "group ", "wit", "h underbraces") is text that
    Word may split into runs anywhere (a language tag on "wit"): joined as it reads. A
    function's name (`parts`: text, whether it is an m:func) is never run into the letter
    before it ("a_n cos(x)")."""
    out, prev = "", ""
    for part, function in parts:
        if out and part and _LAST_LETTERS.search(out) and _FIRST_LETTERS.match(part) and (
                function or not (" " in prev.strip() or " " in part.strip()
                                 or prev.endswith(" ") or part.endswith(" "))):
            out += " "
        out += part
        prev = part or prev
    return out


def _base(s: str) -> str:
    s = s.strip()
    return s if re.fullmatch(r"\w+|.", s) or _bracketed(s) else f"({s})"


def omml_lines(el) -> list[str]:
    """An equation (m:oMath) or a display of them (m:oMathPara) as lines: one per equation,
    one per row of an equation array."""
    maths = [el] if name(el) == "m:oMath" else [c for c in el if name(c) == "m:oMath"] or [el]
    lines: list[str] = []
    for m in maths:
        parts = [c for c in m if not name(c).endswith("Pr")]
        if len(parts) == 1 and name(parts[0]) == "m:eqArr":
            lines += [_clean(omml_text(e)) for e in parts[0] if name(e) == "m:e"]
        else:
            lines.append(_clean(omml_text(m)))
    return [ln for ln in lines if ln]


# --------------------------------------------------------------------------------- MathML


def _kids(node) -> list:
    return [c for c in node.iter(include_text=False)]


def mathml_text(node) -> str:
    """A MathML element (selectolax node) written out linearly; annotations (a TeX copy of
    the same formula) are not read twice."""
    tag = (node.tag or "").lower().split(":")[-1]
    if tag in ("annotation", "annotation-xml"):
        return ""
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        return _clean(node.text(deep=True))
    kids = _kids(node)
    parts = [mathml_text(k) for k in kids]
    if tag == "mfrac" and len(parts) == 2:
        return f"{wrap(parts[0])}/{wrap(parts[1])}"
    if tag == "msup" and len(parts) == 2:
        return f"{_base(parts[0])}^{wrap(parts[1])}"
    if tag == "msub" and len(parts) == 2:
        return f"{_base(parts[0])}_{wrap(parts[1])}"
    if tag == "msubsup" and len(parts) == 3:
        return f"{_base(parts[0])}_{wrap(parts[1])}^{wrap(parts[2])}"
    if tag == "munder" and len(parts) == 2:
        return f"{parts[0]}_{wrap(parts[1])}"
    if tag == "mover" and len(parts) == 2:
        accent = parts[1]
        if len(accent) == 1 and unicodedata.category(accent) in ("Sk", "Mn", "Lm", "Pd", "Sm"):
            return parts[0] + accent
        return f"{parts[0]}^{wrap(accent)}"
    if tag == "munderover" and len(parts) == 3:
        return f"{parts[0]}_{wrap(parts[1])}^{wrap(parts[2])} "
    if tag == "msqrt":
        return f"√({''.join(parts)})"
    if tag == "mroot" and len(parts) == 2:
        sign = {"3": "∛", "4": "∜"}.get(parts[1].strip(), f"({parts[1]})√")
        return f"{sign}({parts[0]})"
    if tag == "mfenced":
        beg, end = node.attributes.get("open") or "(", node.attributes.get("close") or ")"
        sep = (node.attributes.get("separators") or ",").strip()[:1] or ","
        return beg + sep.join(parts) + end
    if tag == "mtable":
        return "[" + "; ".join(p for p in parts if p) + "]"
    if tag == "mtr":
        return ", ".join(p for p in parts if p)
    return "".join(parts)


def mathml_lines(node) -> list[str]:
    """A <math> element as lines: a table of aligned rows (mtable at the top) one per row."""
    top = [k for k in _kids(node) if (k.tag or "").lower() not in ("annotation",
                                                                   "annotation-xml")]
    while len(top) == 1 and (top[0].tag or "").lower() in ("semantics", "mrow", "mstyle"):
        top = [k for k in _kids(top[0]) if (k.tag or "").lower() not in (
            "annotation", "annotation-xml")]
    if len(top) == 1 and (top[0].tag or "").lower() == "mtable":
        rows = [_clean("".join(mathml_text(cell) for cell in _kids(r))) for r in _kids(top[0])]
        return [r for r in rows if r]
    text = _clean(mathml_text(node))
    return [text] if text else []
