"""Report charts as PNG (matplotlib, Agg): progress against target, trend over years, ranking of lower regions.

Labels are Chinese, so a CJK font must be installed (Debian's fonts-noto-cjk, which the set-up installs). The font is
found at use through fontconfig (``fc-list :lang=zh-cn``) or, without fontconfig, by scanning the system's font
folders, and registered with ``font_manager.addfont``: matplotlib's own font cache may predate the font's
installation and would not list it. Without a CJK font the charts are not drawn, and the report says why
(``CHARTS_UNAVAILABLE``) instead of leaving them out silently. Charts are meant to be printed in black and white:
bars carry hatching and grey levels, lines carry distinct markers and dash styles.
"""

import io
import shutil
import subprocess
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from .data import RegionFigure, TrendPoint

# Preferred CJK families, best first; Noto comes from fonts-noto-cjk.
_CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei",
                 "Microsoft YaHei", "Noto Sans CJK JP"]
# File names of the same fonts, for a machine without fontconfig.
_CJK_FILES = ["NotoSansCJK-Regular", "NotoSansCJKsc-Regular", "NotoSerifCJK-Regular", "SourceHanSansSC",
              "wqy-zenhei", "simhei", "msyh"]
CHARTS_UNAVAILABLE = ("本机未安装中文字体，报告中的图表未能绘制（请安装 fonts-noto-cjk 后重新生成）。")
WIDTH_IN = 6.1  # the text block is 156 mm wide
GREYS = ["#404040", "#8c8c8c", "#bfbfbf", "#e0e0e0"]


def _fontconfig_candidates() -> list[tuple[str, str]]:
    """(family, file) of every installed font that covers Simplified Chinese, as fontconfig lists them."""
    binary = shutil.which("fc-list")
    if binary is None:
        return []
    result = subprocess.run([binary, ":lang=zh-cn", "--format", "%{family[0]}\t%{file}\n"], capture_output=True,
                            text=True, check=False, timeout=30)
    return [tuple(line.split("\t", 1)) for line in result.stdout.splitlines() if "\t" in line]


def _scanned_candidates() -> list[tuple[str, str]]:
    from matplotlib import font_manager

    found = []
    for path in font_manager.findSystemFonts(fontext="ttf") + font_manager.findSystemFonts(fontext="otf"):
        stem = Path(path).stem
        if any(stem.lower().startswith(name.lower()) for name in _CJK_FILES):
            found.append(("", path))
    return found


def _rank(family: str) -> int:
    return _CJK_FAMILIES.index(family) if family in _CJK_FAMILIES else len(_CJK_FAMILIES)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, registered with matplotlib for this process, or None."""
    from matplotlib import font_manager

    candidates = sorted(_fontconfig_candidates(), key=lambda c: _rank(c[0])) or _scanned_candidates()
    for family, path in candidates:
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue  # a broken font file: try the next one
        names = {f.name for f in font_manager.fontManager.ttflist if f.fname == path}
        if family in names:
            return family
        preferred = sorted(names, key=_rank)
        if preferred:
            return preferred[0]
    return None


def charts_available() -> bool:
    return cjk_font() is not None


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [cjk_font() or "DejaVu Sans", "DejaVu Sans"],
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


def _wrapped(label: str, width: int = 13, lines: int = 2) -> str:
    """A bar's label on up to two lines, so two long labels with the same start stay distinguishable."""
    if len(label) <= width:
        return label
    parts = [label[i:i + width] for i in range(0, len(label), width)]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][:-1] + "…"
    return "\n".join(parts)


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def progress_chart(rows: list[tuple[str, Decimal]]) -> bytes:
    """Completion rate (%) of each key indicator against its target, with the 100% line marked."""
    plt = _pyplot()
    labels = [_wrapped(label) for label, _ in rows][::-1]
    values = [float(rate) for _, rate in rows][::-1]
    row_height = 0.5 if any("\n" in label for label in labels) else 0.42
    fig, ax = plt.subplots(figsize=(WIDTH_IN, row_height * len(rows) + 1.0))
    bars = ax.barh(labels, values, color=[GREYS[1] if v >= 100 else GREYS[3] for v in values],
                   edgecolor="black", linewidth=0.6)
    for bar, value in zip(bars, values, strict=True):
        bar.set_hatch("" if value >= 100 else "///")
        # On white, so that a rate just under 100% stays legible where the target line crosses it.
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{value:.1f}%", va="center", fontsize=9,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6}, zorder=3)
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


def share_chart(rows: list[tuple[str, float, float | None, float | None]], *, xlabel: str) -> bytes:
    """Estimated shares (0–1) as horizontal bars with their 95% confidence interval as whiskers (a sample survey's
    figure is a range, and the chart must show it); a row without an interval is drawn without whiskers."""
    plt = _pyplot()
    labels = [_wrapped(label) for label, *_ in rows][::-1]
    values = [share * 100 for _, share, _, _ in rows][::-1]
    low = [0 if lo is None else max(0.0, share * 100 - lo * 100) for _, share, lo, _ in rows][::-1]
    high = [0 if hi is None else max(0.0, hi * 100 - share * 100) for _, share, _, hi in rows][::-1]
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.42 * len(rows) + 1.0))
    ax.barh(labels, values, xerr=[low, high], color=GREYS[2], edgecolor="black", linewidth=0.6,
            error_kw={"ecolor": "black", "elinewidth": 0.8, "capsize": 3})
    top = max(v + h for v, h in zip(values, high, strict=True)) if values else 1
    for y, (value, h) in enumerate(zip(values, high, strict=True)):
        ax.text(value + h + top * 0.02, y, f"{value:.2f}%", va="center", fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, top * 1.2)
    fig.tight_layout()
    return _png(fig)
