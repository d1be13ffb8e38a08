"""Report charts as PNG images, drawn by matplotlib with a font that has Chinese glyphs.

Word and Excel files cannot carry the web pages' inline SVG, so reports embed PNGs. Without a CJK
font Chinese labels would come out as empty boxes: then no chart is drawn and the report says so.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

# Checked in this order when HOTLINE_REPORT_FONT names none (Debian's fonts-wqy-microhei and
# fonts-noto-cjk; scripts/install-browser installs them).
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
FONT_NAME_HINTS = ("wqy", "notosanscjk", "sourcehansans", "simhei", "msyh")
COLOUR = "#1f5fa8"


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes
    width_inches: float = 6.0


@functools.cache
def _font_file(configured: str) -> str | None:
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    from matplotlib import font_manager

    for path in sorted(font_manager.findSystemFonts()):
        if any(hint in Path(path).name.lower() for hint in FONT_NAME_HINTS):
            return path
    return None


def cjk_font() -> str | None:
    """The font file report charts are drawn with; None when the machine has no Chinese font."""
    return _font_file(settings.HOTLINE.get("REPORT_FONT") or "")


def _figure(height: float, *, left: float) -> Figure:
    from matplotlib.figure import Figure  # the object API: no pyplot state, safe in the worker

    fig = Figure(figsize=(6.4, height), dpi=120)
    # Fixed margins: matplotlib's automatic layout costs more than drawing the chart.
    fig.subplots_adjust(left=left, right=0.95, top=1 - 0.35 / height, bottom=0.3 / height)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _font() -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=cjk_font(), size=9)


def bars(title: str, items: Sequence[tuple[str, float]]) -> Chart | None:
    """Horizontal bars, largest on top; None without data or without a Chinese font."""
    if not items or cjk_font() is None:
        return None
    font = _font()
    labels = [label for label, _ in items][::-1]
    values = [value for _, value in items][::-1]
    longest = max(len(label) for label in labels)
    fig = _figure(max(1.6, 0.28 * len(items) + 0.8), left=min(0.45, 0.04 + 0.018 * longest))
    ax = fig.add_subplot()
    ax.barh(range(len(values)), values, color=COLOUR)
    ax.set_yticks(range(len(values)), labels, fontproperties=font)
    for i, value in enumerate(values):
        ax.text(value, i, f" {value:,.0f}", va="center", fontproperties=font)
    ax.set_title(title, fontproperties=font)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, (max(values) or 1) * 1.15)
    return Chart(title, _png(fig))


def line(title: str, points: Sequence[tuple[str, float]]) -> Chart | None:
    """A line over days; None without data or without a Chinese font."""
    if not points or cjk_font() is None:
        return None
    font = _font()
    fig = _figure(2.4, left=0.08)
    ax = fig.add_subplot()
    xs = range(len(points))
    ax.plot(xs, [v for _, v in points], marker="o", markersize=3, color=COLOUR)
    step = max(1, len(points) // 8)
    ax.set_xticks(list(xs)[::step], [label for label, _ in points][::step], fontproperties=font)
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontproperties=font)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    return Chart(title, _png(fig))
