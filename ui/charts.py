"""The Trusts tab's two charts, drawn with matplotlib's Agg backend to PNG (nothing fetched):

- Graph A: each trust's number of schools against its local/central balance;
- Graph J: each trust's profile on the scale dimensions, with the average.

Each chart has a title, axis labels and a legend, and says how many trusts it shows; trusts a
chart cannot place (a scale the vignette does not state) are named under it, not guessed.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from ingest.vignettes import SCALES, field_label, scale_word

# Colours told apart with the common colour-vision deficiencies (Okabe-Ito and Tol), each at
# least 3:1 against the white background (WCAG 1.4.11); black is kept for the average.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#332288", "#882255", "#B8860B",
           "#6F4E37"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


@dataclass
class Chart:
    png: bytes
    title: str
    shown: int  # trusts drawn
    left_out: list[str]  # trusts the chart cannot place, by name
    alt: str  # a text description of what the chart shows

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure  # no pyplot: no global state, safe in threads

    fig = Figure(figsize=(width, height), dpi=100)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def _short(name: str) -> str:
    return name.replace(" (fictional)", "")


def _label(name: str) -> str:
    """A point's label: the trust's name without "The" and its generic last words."""
    words = _short(name).split()
    if words and words[0].lower() == "the":
        words = words[1:]
    generic = {"trust", "academies", "academy", "federation", "partnership", "schools",
               "school", "learning", "multi-academy", "mat", "of", "church", "urban", "rural",
               "special", "technical", "coast", "village"}
    keep = []
    for w in words:
        if keep and w.lower() in generic:
            break
        keep.append(w)
    return " ".join(keep) or _short(name)


def size_against_balance(trusts) -> Chart:
    """Graph A: number of schools (x) against local/central decision making (y), one point
    per trust, coloured by urban/rural mix."""
    title = "Trust size against local/central decision making"
    placed = [t for t in trusts if t.schools.get("total") is not None
              and t.scales.get("decision_making") is not None]
    left_out = [t.name for t in trusts if t not in placed]
    fig = _figure(8.2, 5.0)
    ax = fig.add_subplot()
    groups: dict[str, list] = {}
    for t in placed:
        groups.setdefault(t.value("urban_rural").split("; ")[0] or "not stated", []).append(t)
    for i, (mix, members) in enumerate(sorted(groups.items())):
        ax.scatter([t.schools["total"] for t in members],
                   [t.scales["decision_making"] for t in members],
                   s=70, color=COLOURS[i % len(COLOURS)], marker=MARKERS[i % len(MARKERS)],
                   label=mix, edgecolor="black", linewidth=0.6, zorder=3)
    # Names alternate above and below their points, and trusts at the same point are listed
    # together, so neighbouring labels do not run into each other.
    at: dict[tuple[int, int], list[str]] = {}
    for t in placed:
        at.setdefault((t.schools["total"], t.scales["decision_making"]), []).append(_label(t.name))
    for n, ((x, y), names) in enumerate(sorted(at.items(), key=lambda kv: (kv[0][1], kv[0][0]))):
        up = n % 2 == 0
        ax.annotate(" / ".join(names), (x, y), xytext=(0, 9 if up else -11),
                    textcoords="offset points", ha="center", va="bottom" if up else "top",
                    fontsize=8, color="#111111", rotation=0)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_yticklabels([scale_word("decision_making", p) for p in range(1, 6)])
    ax.set_ylim(0.5, 5.5)
    top = max([t.schools["total"] for t in placed] + [5])
    ax.set_xlim(0, top + max(3, top * 0.35))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Number of schools in the trust")
    ax.set_ylabel("Balance of local/central decision making")
    ax.set_title(f"{title}\n{len(placed)} trust{'s' if len(placed) != 1 else ''} shown",
                 fontsize=11)
    ax.grid(True, color="#dddddd", zorder=0)
    if placed:
        ax.legend(title="Mix of context", loc="upper right", fontsize=8, title_fontsize=8,
                  frameon=True)
    if left_out:
        fig.text(0.01, -0.02, "Not shown (balance not stated, or no number of schools): "
                 + ", ".join(_short(n) for n in left_out), fontsize=8, ha="left", va="top",
                 wrap=True)
    alt = (f"Scatter chart, {len(placed)} trusts: number of schools against local/central "
           "decision making. " + "; ".join(
               f"{_short(t.name)}: {t.schools['total']} schools, "
               f"{scale_word('decision_making', t.scales['decision_making'])}" for t in placed)
           + (f". Not shown: {', '.join(_short(n) for n in left_out)}." if left_out else "."))
    return Chart(_png(fig), title, len(placed), left_out, alt)


def profiles(trusts) -> Chart:
    """Graph J: each trust's position on each scale dimension, and the average of the trusts
    whose vignette states it."""
    title = "Each trust's profile on the scale dimensions, with the average"
    dims = [n for n in SCALES if any(t.scales.get(n) is not None for t in trusts)]
    placed = [t for t in trusts if any(t.scales.get(n) is not None for n in dims)]
    left_out = [t.name for t in trusts if t not in placed]
    fig = _figure(8.2, 5.2)
    ax = fig.add_subplot()
    xs = list(range(len(dims)))
    for i, t in enumerate(placed):
        ys = [t.scales.get(n) for n in dims]
        # A small sideways offset per trust keeps lines on the same values apart.
        shift = (i - (len(placed) - 1) / 2) * (0.25 / max(len(placed), 1))
        # Colour, marker and line style together tell every trust apart (8 colours repeat).
        lap = i // len(COLOURS)
        ax.plot([x + shift for x in xs], [float("nan") if y is None else y for y in ys],
                color=COLOURS[i % len(COLOURS)], marker=MARKERS[(i + lap) % len(MARKERS)],
                linestyle=["-", "--", ":", "-."][lap % 4], linewidth=1.2, alpha=0.8,
                markersize=5, label=_short(t.name))
    averages = []
    for n in dims:
        stated = [t.scales[n] for t in placed if t.scales.get(n) is not None]
        averages.append(sum(stated) / len(stated) if stated else float("nan"))
    if dims:
        ax.plot(xs, averages, color="black", linewidth=3.5, marker="o", markersize=8,
                label="Average (trusts stating it)", zorder=5)
    ax.set_xticks(xs)
    lo_hi = [f"{field_label(n)}\n({SCALES[n][0]} → {SCALES[n][1]})" for n in dims]
    ax.set_xticklabels(lo_hi, fontsize=8.5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_yticklabels(["1 very (left pole)", "2 more (left)", "3 balanced", "4 more (right)",
                        "5 very (right pole)"], fontsize=8)
    ax.set_ylim(0.5, 5.5)
    ax.set_xlabel("Scale dimension (from its left pole to its right pole)")
    ax.set_ylabel("Where the vignette places the trust")
    ax.set_title(f"{title}\n{len(placed)} trust{'s' if len(placed) != 1 else ''} shown",
                 fontsize=11)
    ax.grid(True, axis="y", color="#dddddd")
    if placed:
        ax.legend(title="Trust", loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7.5,
                  title_fontsize=8)
    if left_out:
        fig.text(0.01, -0.02, "Not shown (no scale stated): "
                 + ", ".join(_short(n) for n in left_out), fontsize=8, ha="left", va="top")
    alt = (f"Line chart, {len(placed)} trusts, one line per trust over "
           + ", ".join(field_label(n) for n in dims) + ". Average: "
           + ", ".join(f"{field_label(n)} {a:.1f}" for n, a in zip(dims, averages, strict=True)
                       if a == a) + ".")
    return Chart(_png(fig), title, len(placed), left_out, alt)
