"""`profile`: a cross-section or elevation line from data (distance, height), with labelled points.

The line draws itself on from left to right over the area it encloses, and
each labelled point appears as the line reaches it. ``shape: steps`` draws
the data as steps (a dam's spillway levels, a staircase of locks) rather than
slopes between the points. Axis titles name the units.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import partial
from typing import Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.core.schema import Figure
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import axis_titles, frame_content, rgb, section_label
from pipeline.drawing.slides.fonts import Face
from pipeline.drawing.slides.motion import ease_in_out, sprite, text_sprite
from pipeline.drawing.slides.problems import SlideError
from pipeline.drawing.slides.text import TextBlock


class Mark(SpecBase):
    at: Figure = Field(description="Where along the profile, in the same units as the points' distances.")
    text: str = Field(min_length=1, max_length=30, description="What is there: 'Summit, 8,849 m'.")


class Spec(SpecBase):
    kind: Literal["profile"]
    title: str | None = Field(None, max_length=70, description="Heading above the profile.")
    points: list[tuple[Figure, Figure]] = Field(
        min_length=2, max_length=400, description="[distance, height] pairs, in order of distance."
    )
    shape: Literal["line", "steps"] = Field("line", description="line: slopes between points; steps: level runs.")
    marks: list[Mark] = Field(default_factory=list, max_length=6, description="Labelled points along the profile.")
    x_title: str | None = Field(None, max_length=40, description="What the distances are: 'Distance (km)'.")
    y_title: str | None = Field(None, max_length=40, description="What the heights are: 'Elevation (m)'.")
    source: str | None = Field(None, max_length=100)

    def check(self) -> list[SlideError]:
        errors = []
        for i in range(1, len(self.points)):
            if self.points[i][0] < self.points[i - 1][0]:
                errors.append(SlideError(f"points.{i}", "the points go back in distance; list them in order"))
                break
        first, last = self.points[0][0], self.points[-1][0]
        if first == last:
            errors.append(SlideError("points", "every point is at the same distance; give them distances along a line"))
        for i, mark in enumerate(self.marks):
            if not first <= mark.at <= last:
                errors.append(
                    SlideError(f"marks.{i}.at", f"{mark.at:g} is outside the profile ({first:g} to {last:g})")
                )
        return errors

    def height_at(self, x: float) -> float:
        """The profile's height at distance ``x`` (the step's level for steps, else between points)."""
        pts = self.points
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            if x0 <= x <= x1:
                if self.shape == "steps" or x1 == x0:
                    return y0 if x < x1 else y1
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        return pts[-1][1]


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    colors, sizes = canvas.theme.colors, canvas.theme.sizes
    elements, y, bottom = frame_content(canvas, spec.title, spec.source, room=0.22, gap=0.03)
    titles, y, bottom = axis_titles(canvas, spec.x_title, spec.y_title, y, bottom, sizes.label)
    elements += titles
    marks = [
        canvas.fit(
            m.text,
            "label",
            sizes.label * 1.15,
            field=f"marks.{i}.text",
            width=canvas.safe.width * 0.3,
            height=canvas.px(0.12),
            max_lines=2,
        )
        for i, m in enumerate(spec.marks)
    ]
    top = y + (max(m.height for m in marks) + canvas.px(0.03) if marks else canvas.px(0.01))
    plot = _plot(spec, canvas, top, bottom)
    if plot.ticks or plot.along:
        elements.append(_grid(canvas, plot))
    outline = []
    for i, (x, h) in enumerate(spec.points):
        if spec.shape == "steps" and i:
            outline.append(plot.px(x, spec.points[i - 1][1]))  # run level to the next point, then rise or fall
        outline.append(plot.px(x, h))
    draw_for = 1.6
    plot_x1 = plot.x0 + plot.width
    elements.append(_profile(outline, plot.bottom, plot.x0, plot_x1, canvas.px(0.006), colors, 0.3, draw_for))
    elements += _marks(spec, canvas, plot, marks, draw_for)
    return Slide(partial(section_label, canvas, context), elements)


@dataclass(frozen=True)
class _Plot:
    """Where the profile is drawn: distances from ``first`` across ``width`` pixels from ``x0``, heights from
    ``low`` up from ``bottom`` to ``top``; the heights' gridlines and the distances marked under the plot."""

    x0: int
    width: int
    top: int
    bottom: int
    first: float
    span_x: float
    low: float
    span_h: float
    ticks: list[float]
    along: list[float]
    tick_font: Face
    #: The room at the left for the heights' values, and under the plot for the distances.
    gutter: int
    under: int
    #: A mark's dot's radius: the plot keeps it inside the frame at either end.
    r: int

    def px(self, x: float, h: float) -> tuple[float, float]:
        """The point at distance ``x`` and height ``h`` on the screen."""
        return (
            self.x0 + (x - self.first) / self.span_x * self.width,
            self.bottom - (h - self.low) / self.span_h * (self.bottom - self.top),
        )


def _plot(spec: Spec, canvas: Canvas, top: int, bottom: int) -> _Plot:
    """The plot between ``top`` and ``bottom``, with room for its ticks' values at its left and under it."""
    safe = canvas.safe
    xs = [p[0] for p in spec.points]
    hs = [p[1] for p in spec.points]
    low, high = min(0.0, *hs), max(hs)
    if min(hs) > 0.25 * high:  # far from zero (an elevation): the axis starts near the lowest point, with ticks
        low = min(hs) - 0.15 * ((high - min(hs)) or high)
    span_x, span_h = (xs[-1] - xs[0]) or 1.0, (high - low) or 1.0
    ticks, along = tick_values(low, high), tick_values(xs[0], xs[-1])
    tick_font = canvas.fonts.face("label", max(canvas.min_text, round(canvas.px(canvas.theme.sizes.label) * 0.9)))
    gutter = round(max(tick_font.getlength(tick_text(t, ticks)) for t in ticks) + canvas.px(0.015)) if ticks else 0
    ascent, descent = tick_font.getmetrics()
    under = ascent + descent + canvas.px(0.012) if along else 0  # the distances under the plot, above the x title
    r = max(3, canvas.px(0.01))
    x0, width = safe.x0 + gutter + r, safe.width - gutter - 2 * r - 1
    return _Plot(x0, width, top, bottom - under, xs[0], span_x, low, span_h, ticks, along, tick_font, gutter, under, r)


def _grid(canvas: Canvas, plot: _Plot) -> Element:
    """Gridlines at the heights' ticks, their values at the left, and the distances' ticks under the plot."""
    safe, colors, motion = canvas.safe, canvas.theme.colors, canvas.theme.motion
    tick_font, ticks, along, gutter = plot.tick_font, plot.ticks, plot.along, plot.gutter
    top, bottom = plot.top, plot.bottom
    ascent, descent = tick_font.getmetrics()
    grid = Image.new("RGBA", (safe.width, bottom - top + tick_font.size + plot.under), (0, 0, 0, 0))
    draw = ImageDraw.Draw(grid)
    for t in ticks:
        ty = plot.px(plot.first, t)[1] - top + tick_font.size // 2
        draw.line((gutter, ty, safe.width, ty), fill=colors.grid, width=1)
        tick_font.draw(draw, (gutter - canvas.px(0.01), ty + (ascent - descent) / 2), tick_text(t, ticks),
                       colors.muted, anchor="rs")  # fmt: skip
    for t in along:
        label, tx = tick_text(t, along), plot.px(t, plot.low)[0] - safe.x0
        half = tick_font.getlength(label) / 2
        tx = min(max(tx, half), safe.width - half)  # a label at either end stays in the frame
        ty = bottom - top + tick_font.size // 2 + canvas.px(0.008)
        tick_font.draw(draw, (tx, ty + ascent), label, colors.muted, anchor="ms")
    return sprite(grid, (safe.x0, top - tick_font.size // 2), 0.2, motion.entrance, 0)


def _marks(spec: Spec, canvas: Canvas, plot: _Plot, blocks: list[TextBlock], draw_for: float) -> list[Element]:
    """A dot and a label over each marked point, appearing as the line, drawn over ``draw_for`` seconds, reaches it."""
    safe, colors, r = canvas.safe, canvas.theme.colors, plot.r
    elements = []
    for mark, block in zip(spec.marks, blocks, strict=True):
        mx, my = plot.px(mark.at, spec.height_at(mark.at))
        share = (mark.at - plot.first) / plot.span_x
        start = 0.3 + draw_for * share
        dot = Image.new("RGBA", (2 * r + 1, 2 * r + 1), (0, 0, 0, 0))
        ImageDraw.Draw(dot).ellipse((0, 0, 2 * r, 2 * r), fill=colors.text)
        elements.append(sprite(dot, (round(mx - r), round(my - r)), start, 0.3, 0))
        label = text_sprite(block, colors.text, align="center", width=block.width)
        lx = min(max(round(mx - block.width / 2), plot.x0 - r), safe.x1 - block.width)  # clear of the ticks
        elements.append(sprite(label, (lx, round(my - r - canvas.px(0.012) - block.height)), start, 0.4, 0))
    return elements


def tick_values(low: float, high: float) -> list[float]:
    """Two to four round values between ``low`` and ``high`` for gridlines: 6,000 7,000 8,000."""
    span = high - low
    if span <= 0:
        return []
    step = 10 ** math.floor(math.log10(span / 3))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= 4:
            step *= factor
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def tick_text(value: float, ticks: list[float]) -> str:
    """A tick's value with as many decimals as the step between ticks needs: 8,000 or 2.5."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    return f"{value:,.{decimals}f}"


def _profile(outline, bottom: int, x0: int, x1: int, width: int, colors, start: float, duration: float) -> Element:
    """The area under the profile in a light wash of the accent and its edge in the accent, drawn on left to right."""
    fill = (*rgb(colors.accent), 70)
    # The wash is drawn on a layer the size of the plot, not of the frame: it is drawn again on every frame.
    left, top = math.floor(min(p[0] for p in outline)), math.floor(min(p[1] for p in outline))
    size = (math.ceil(max(p[0] for p in outline)) - left + 1, bottom - top + 1)

    def paint(frame: Image.Image, p: float) -> None:
        reach = x0 + (x1 - x0) * ease_in_out(p)
        shown = [pt for pt in outline if pt[0] <= reach]
        nxt = next((i for i, pt in enumerate(outline) if pt[0] > reach), None)
        if nxt is not None and nxt > 0:  # the partial segment up to the reach
            (ax, ay), (bx, by) = outline[nxt - 1], outline[nxt]
            f = (reach - ax) / (bx - ax) if bx != ax else 0
            shown.append((reach, ay + (by - ay) * f))
        if len(shown) < 2:
            return
        layer = Image.new("RGBA", size, (0, 0, 0, 0))
        area = [*shown, (shown[-1][0], bottom), (shown[0][0], bottom)]
        ImageDraw.Draw(layer).polygon([(x - left, y - top) for x, y in area], fill=fill)
        frame.paste(layer, (left, top), layer)
        draw = ImageDraw.Draw(frame)
        draw.line(shown, fill=colors.accent, width=width, joint="curve")
        draw.line((x0, bottom, x1, bottom), fill=colors.grid, width=max(1, width // 3))

    return Element(start, duration, paint)


KIND = SlideKind(Spec, build)
