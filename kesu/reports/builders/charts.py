"""Report charts as PNG (matplotlib, Agg): progress against target, trend over years, ranking of lower regions.

Labels are Chinese, so a CJK font must be installed (Debian's fonts-noto-cjk, which the set-up installs); without one
the charts are left out rather than drawn with empty boxes. Charts are meant to be printed in black and white:
bars carry hatching and grey levels, lines carry distinct markers and dash styles.
"""

import io
from decimal import Decimal
from functools import lru_cache

from .data import RegionFigure, TrendPoint

# Preferred CJK families, best first; Noto comes from fonts-noto-cjk.
_CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei",
                 "Microsoft YaHei", "Noto Sans CJK JP"]
WIDTH_IN = 6.1  # the text block is 156 mm wide
GREYS = ["#404040", "#8c8c8c", "#bfbfbf", "#e0e0e0"]


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, found through matplotlib's font manager, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in installed:
            return family
    return None


def charts_available() -> bool:
    return cjk_font() is not None


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "hatch.color": "#000000",
        "hatch.linewidth": 0.6,
    })
    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", facecolor="white")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buffer.getvalue()


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def progress_chart(rows: list[tuple[str, Decimal]]) -> bytes:
    """Completion rate (%) of each key indicator against its target, with the 100% line marked."""
    plt = _pyplot()
    labels = [_short(label) for label, _ in rows][::-1]
    values = [float(rate) for _, rate in rows][::-1]
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.42 * len(rows) + 1.0))
    bars = ax.barh(labels, values, color=[GREYS[1] if v >= 100 else GREYS[3] for v in values],
                   edgecolor="black", linewidth=0.6)
    for bar, value in zip(bars, values):
        bar.set_hatch("" if value >= 100 else "///")
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{value:.1f}%", va="center", fontsize=9)
    ax.axvline(100, color="black", linestyle="--", linewidth=1)
    ax.text(100, len(values) - 0.4, " 目标 100%", fontsize=9, va="bottom")
    ax.set_xlabel("完成率（%）")
    ax.set_xlim(0, max([*values, 100]) * 1.15)
    fig.tight_layout()
    return _png(fig)


def trend_chart(points: list[TrendPoint], label: str, unit: str) -> bytes:
    """The lead indicator over the plan's years: actual (solid, circles) against target (dashed, squares)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.8))
    years = [p.year for p in points]
    actual = [(p.year, float(p.value)) for p in points if p.value is not None]
    target = [(p.year, float(p.target)) for p in points if p.target is not None]
    if target:
        ax.plot([y for y, _ in target], [v for _, v in target], linestyle="--", marker="s", color=GREYS[1],
                markerfacecolor="white", label="目标值")
    if actual:
        ax.plot([y for y, _ in actual], [v for _, v in actual], linestyle="-", marker="o", color="black",
                label="实际值")
        for year, value in actual:
            ax.annotate(f"{value:g}", (year, value), textcoords="offset points", xytext=(0, 6), ha="center",
                        fontsize=8)
    ax.set_xticks(years, [f"{y}年" for y in years])
    ax.set_ylabel(f"{_short(label, 16)}（{unit}）" if unit else _short(label, 16))
    ax.legend(frameon=False, fontsize=9)
    ax.grid(axis="y", color=GREYS[3], linewidth=0.6)
    fig.tight_layout()
    return _png(fig)


def ranking_chart(regions: list[RegionFigure], label: str, unit: str) -> bytes:
    """Lower regions ranked by the lead indicator; a region without a value is named on the axis as 未填报."""
    plt = _pyplot()
    ranked = sorted(regions, key=lambda r: (r.value is None, -(r.value or 0)))
    names = [r.name if r.value is not None else f"{r.name}（未填报）" for r in ranked][::-1]
    values = [float(r.value or 0) for r in ranked][::-1]
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.36 * len(ranked) + 1.0))
    bars = ax.barh(names, values, color=GREYS[2], edgecolor="black", linewidth=0.6)
    for index, bar in enumerate(bars):
        bar.set_hatch("\\\\" if index % 2 else "..")
        if values[index]:
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {values[index]:g}", va="center",
                    fontsize=8)
    ax.set_xlabel(f"{label}（{unit}）" if unit else label)
    ax.set_xlim(0, (max(values) if values and max(values) else 1) * 1.18)
    fig.tight_layout()
    return _png(fig)
