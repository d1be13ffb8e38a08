"""Charts drawn as inline SVG on the server: no script, no external host, Chinese labels rendered
with the page's own fonts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""
    href: str = ""  # the list behind the bar, when there is one


FONT_PX = 12  # svg.chart's font size in site.css


def text_width(text: str, size: float = FONT_PX) -> float:
    """How wide ``text`` sets: a Chinese character (or full-width mark) is one em, the rest about 0.6."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def fit(text: str, room: float) -> str:
    """``text``, shortened with "…" to fit ``room`` pixels."""
    if text_width(text) <= room:
        return text
    while text and text_width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def bars(items: Sequence[Bar], *, width: int = 560, row: int = 22, unit: str = "") -> SafeString:
    """Horizontal bars, one per item, labelled with their value. The label column is as wide as the
    longest label (up to 45% of the chart; a longer one is shortened, whole in its tooltip), so no
    label runs off the left edge (m2). The chart never scales above its own width, so charts side by
    side keep one text size."""
    if not items:
        return mark_safe("")
    top = max(i.value for i in items) or 1
    value_w = 70
    label_w = int(min(max(text_width(i.label) for i in items) + 10, width * 0.45))
    span = width - label_w - value_w
    parts = [
        # Its natural width as an attribute, shrunk by site.css on a narrow screen: no style=""
        # attribute, which the Content-Security-Policy refuses.
        f'<svg class="chart" role="img" viewBox="0 0 {width} {row * len(items) + 4}" width="{width}">'
    ]
    for n, item in enumerate(items):
        y = n * row + 2
        w = max(1.0, span * item.value / top)
        value = (
            f"{item.value:,.1f}"
            if isinstance(item.value, float) and not item.value.is_integer()
            else f"{int(item.value):,}"
        )
        bar = (
            f'<text x="{label_w - 6}" y="{y + row * 0.68:.1f}" text-anchor="end">'
            f"<title>{escape(item.label)}</title>{escape(fit(item.label, label_w - 8))}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" rx="2">'
            f"<title>{escape(item.note or item.label)}</title></rect>"
            f'<text x="{label_w + w + 5:.1f}" y="{y + row * 0.68:.1f}">{value}{escape(unit)}</text>'
        )
        parts.append(f'<a href="{escape(item.href)}">{bar}</a>' if item.href else bar)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line(
    points: Sequence[tuple[str, float]],
    *,
    width: int = 560,
    height: int = 180,
    links: Sequence[str] = (),
) -> SafeString:
    """A line over days (or months): label and value per point, axis labels at the ends and middle;
    ``links`` (one per point) make each point a link to the list behind it."""
    if not points:
        return mark_safe("")
    pad_l, pad_b, pad_t = 44, 22, 10
    top = max(v for _, v in points) or 1
    step = (width - pad_l - 8) / max(1, len(points) - 1)
    plot_h = height - pad_b - pad_t

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad_l + i * step, pad_t + plot_h * (1 - v / top)

    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
        for i, (x, y) in enumerate(xy(i, v) for i, (_, v) in enumerate(points))
    )
    parts = [f'<svg class="chart line" role="img" viewBox="0 0 {width} {height}" width="{width}">']
    for frac in (0, 0.5, 1):
        y = pad_t + plot_h * (1 - frac)
        parts.append(f'<line class="grid" x1="{pad_l}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end">{int(top * frac):,}</text>')
    parts.append(f'<path d="{path}"/>')
    for i, (label, v) in enumerate(points):
        x, y = xy(i, v)
        dot = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"><title>{escape(label)}: {v:,.0f}</title></circle>'
        parts.append(f'<a href="{escape(links[i])}">{dot}</a>' if i < len(links) and links[i] else dot)
    last = len(points) - 1
    for i in sorted({0, last // 2, last}):
        x, _ = xy(i, 0)
        anchor = "start" if i == 0 else "end" if i == last else "middle"
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}">{escape(points[i][0])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
