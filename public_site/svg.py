"""Server-side SVG charts: bars, horizontal bars and a line, drawn from plain numbers.

No JavaScript and no inline style (the site's CSP forbids it): presentation attributes only.
Each chart is an image with a title and a description for screen readers; the page puts the
data table beside it, which is the accessible form of the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from core.formatting import period_label
from core.lang import other_language

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 16, 64
BAR = "#0b5cad"
INK = "#1b1f24"
GRID = "#c3ccd5"
HBAR_SLOT = 36
MAX_BAR = 72


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above value (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def short_number(value: float) -> str:
    """12 500 000 → 12.5M: axis labels stay short."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def _lang(label: str) -> str:
    """A label's `lang` attribute when it is in another language than the page (a name)."""
    language = other_language(label)
    return f' lang="{language}"' if language else ""


@dataclass
class Chart:
    """One chart: labels along one axis, values along the other."""

    ident: str
    labels: Sequence[str]
    values: Sequence[float]
    kind: str = "bars"  # bars, hbars, line
    value_text: Callable[[float], str] = short_number
    _empty_text: str = "No data."

    @property
    def height(self) -> int:
        if self.kind == "hbars":
            return TOP + 8 + HBAR_SLOT * max(1, len(self.values))
        return HEIGHT

    def render(self, title: str, description: str, empty: str = "No data.") -> Markup:
        """The chart as an accessible SVG element (empty: what to say when there is no data)."""
        self._empty_text = empty
        # Years and months in the reader's calendar (Buddhist era on Thai pages).
        self.labels = [period_label(str(label)) for label in self.labels]
        body = {"bars": self._bars, "hbars": self._hbars, "line": self._line}[self.kind]()
        ident = escape(self.ident)
        return Markup(  # noqa: S704 -- every value inside went through escape()
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
            f'viewBox="0 0 {WIDTH} {self.height}" width="100%" '
            f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif" '
            f'font-size="12" fill="{INK}">'
            f'<title id="{ident}-title">{escape(title)}</title>'
            f'<desc id="{ident}-desc">{escape(description)}</desc>{body}</svg>'
        )

    def _top(self) -> float:
        return nice_ceiling(max(self.values, default=0))

    def _value_grid(self, top: float) -> str:
        parts, plot = [], HEIGHT - TOP - BOTTOM
        lead = top / 10 ** math.floor(math.log10(top))
        steps = 4 if lead in (2, 4) else 5
        for i in range(steps + 1):
            value = top * i / steps
            y = HEIGHT - BOTTOM - plot * i / steps
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                f"{escape(self.value_text(value))}</text>"
            )
        return "".join(parts)

    def _bars(self) -> str:
        if not self.values:
            return self._empty()
        top, plot_w, plot_h = self._top(), WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        slot = plot_w / len(self.values)
        width = max(2.0, min(MAX_BAR, slot * 0.7))
        parts = [self._value_grid(top)]
        for i, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            height = plot_h * value / top
            x = LEFT + slot * i + (slot - width) / 2
            y = HEIGHT - BOTTOM - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
                f'fill="{BAR}"><title>{escape(label)}: {escape(self.value_text(value))}'
                f"</title></rect>"
            )
            parts.append(self._label_below(label, LEFT + slot * i + slot / 2, len(self.values)))
        return "".join(parts)

    def _label_below(self, label: str, x: float, count: int) -> str:
        y = HEIGHT - BOTTOM + 16
        if count > 8:  # crowded: turn the labels
            return (
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="end" '
                f'transform="rotate(-40 {x:.1f} {y:.1f})"{_lang(label)}>{escape(label)}</text>'
            )
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle"{_lang(label)}>'
            f"{escape(label)}</text>"
        )

    def _hbars(self) -> str:
        if not self.values:
            return self._empty()
        top = self._top()
        left, plot_w = 260, WIDTH - 260 - RIGHT - 60
        slot = HBAR_SLOT
        height = 24.0
        parts = []
        for i, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            y = TOP + slot * i + (slot - height) / 2
            width = plot_w * value / top
            name = label if len(label) <= 38 else label[:37] + "…"
            parts.append(
                f'<text x="{left - 8}" y="{y + height / 2 + 4:.1f}" text-anchor="end"{_lang(name)}>'
                f"{escape(name)}</text>"
                f'<rect x="{left}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
                f'fill="{BAR}"><title>{escape(label)}: {escape(self.value_text(value))}</title>'
                f"</rect>"
                f'<text x="{left + width + 6:.1f}" y="{y + height / 2 + 4:.1f}">'
                f"{escape(self.value_text(value))}</text>"
            )
        return "".join(parts)

    def _line(self) -> str:
        if not self.values:
            return self._empty()
        inset = 28  # keeps the first and last labels inside the frame
        top, plot_w, plot_h = self._top(), WIDTH - LEFT - RIGHT - 2 * inset, HEIGHT - TOP - BOTTOM
        step = plot_w / max(1, len(self.values) - 1)
        points = [
            (
                LEFT + inset + (step * i if len(self.values) > 1 else plot_w / 2),
                HEIGHT - BOTTOM - plot_h * v / top,
            )
            for i, v in enumerate(self.values)
        ]
        parts = [self._value_grid(top)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2.5"/>')
        for (x, y), label, value in zip(points, self.labels, self.values, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR}"><title>{escape(label)}: '
                f"{escape(self.value_text(value))}</title></circle>"
            )
            parts.append(self._label_below(label, x, len(self.values)))
        return "".join(parts)

    def _empty(self) -> str:
        return (
            f'<text x="{WIDTH / 2}" y="{self.height / 2}" text-anchor="middle">'
            f"{escape(self._empty_text)}</text>"
        )
