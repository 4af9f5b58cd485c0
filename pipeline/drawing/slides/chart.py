"""`chart`: a bar or line chart drawn from data in the storyboard, growing while the narrator introduces it.

The bars grow one after another (the line draws on) across the scene's first sentence; a highlighted bar fills
with the accent when the narrator says its label or value, and any bar or point pings when named after that.

Values may be negative (temperatures, losses): the axis then spans from the
lowest value to the highest with zero inside it, a zero line is drawn, bars
grow down from it and negative values are labelled below their bar or point,
with a true minus sign.

Where the area for content is taller than wide (a portrait frame), a bar chart
turns on its side: one row per label, the label at the left, the bar growing
rightwards from zero (leftwards when negative) with its value at its end, so
labels keep a whole row's width instead of a narrow column's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated, Literal

from PIL import Image, ImageDraw
from pydantic import BeforeValidator, Field

from pipeline.core.schema import Figure, whole_as_text
from pipeline.drawing.slides import kinetic, reveals
from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind
from pipeline.drawing.slides.chrome import axis_titles, frame_content, section_label
from pipeline.drawing.slides.fonts import Face
from pipeline.drawing.slides.motion import ease_in_out, ease_out, sprite
from pipeline.drawing.slides.problems import SlideError

MAX_POINTS = 40
#: An axis label: a year (written bare or quoted), a month, a short name.
Label = Annotated[str, BeforeValidator(whole_as_text), Field(min_length=1, max_length=24)]


class Spec(visuals.WithBackdrop):
    kind: Literal["chart"]
    type: Literal["bar", "line"] = "bar"
    title: str | None = Field(None, max_length=60)
    labels: list[Label] = Field(min_length=1, max_length=MAX_POINTS, description="One label per value (x axis).")
    values: list[Figure] = Field(
        min_length=1, max_length=MAX_POINTS, description="One number per label; negative ones hang below a zero line."
    )
    highlight: list[Label] = Field(
        default_factory=list, max_length=MAX_POINTS, description="Labels of the points to mark in the accent colour."
    )
    value_prefix: str = Field("", max_length=4, description="Before each value label, e.g. '$'.")
    value_suffix: str = Field("", max_length=8, description="After each value label, e.g. '%' or '°'.")
    x_title: str | None = Field(None, max_length=40, description="What the labels are, under them: 'Month'.")
    y_title: str | None = Field(
        None, max_length=40, description="What the values measure, with units, above the plot: 'Temperature (°C)'."
    )
    source: str | None = Field(None, max_length=100)

    def check(self) -> list[SlideError]:
        errors = []
        if len(self.labels) != len(self.values):
            errors.append(SlideError(
                "values", f"a chart needs one value per label: {len(self.labels)} labels but {len(self.values)} values"
            ))  # fmt: skip
        for i, name in enumerate(self.highlight):
            if name not in self.labels:
                errors.append(SlideError(f"highlight.{i}", f"highlight names {name!r}, which is not one of the labels"))
        return errors


def value_text(spec: Spec, value: float) -> str:
    decimals = 0 if all(float(v).is_integer() for v in spec.values) else 1
    text = f"{abs(value):,.{decimals}f}"
    sign = "\u2212" if value < 0 and text.strip("0.,") else ""  # a minus sign, not a hyphen; never "−0"
    return f"{sign}{spec.value_prefix}{text}{spec.value_suffix}"


#: When the bars (or the line) start growing, and the least and most time they take: across the scene's first
#: sentence, so the chart builds while the narrator introduces it.
GROW_START, GROW, GROW_MOST = 0.45, 1.2, 4.0
#: Seconds one bar takes to grow, and a highlighted bar to fill with the accent once its label or value is said.
BAR, FILL = 0.7, 0.5


def growth(context: SceneContext) -> float:
    """Seconds from the first bar's start to the last's (or the line's whole draw): the first sentence's length,
    between GROW and GROW_MOST."""
    starts = context.sentence_starts
    end = starts[1] - 0.3 if len(starts) > 1 else context.duration * 0.5
    return min(GROW_MOST, max(GROW, end - GROW_START - BAR))


def bar_start(i: int, n: int, grow: float) -> float:
    """When bar ``i`` of ``n`` starts growing: one after another, the last ``grow`` seconds after the first."""
    return GROW_START + grow * i / max(1, n - 1)


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    safe = canvas.safe
    elements, y, bottom = frame_content(canvas, spec.title, spec.source, room=0.25, gap=0.03)
    if spec.type == "bar" and safe.height > safe.width:
        return Slide(partial(section_label, canvas, context), elements + _rows(spec, canvas, context, y, bottom))
    font = _label_font(spec, canvas)
    titles, y, bottom = axis_titles(canvas, spec.x_title, spec.y_title, y, bottom, font.size / canvas.unit)
    elements += titles
    plot = _plot(spec, canvas, font, y, bottom)
    elements += _axis(spec, canvas, plot)
    grow = growth(context)
    if spec.type == "bar":
        elements += _bars(spec, canvas, context, plot, grow)
    else:
        ys = [plot.zero_y - h for h in plot.heights]
        elements.append(_line(plot.centers, ys, canvas.px(0.008), canvas.theme.colors.accent, GROW_START, grow))
    elements += _value_labels(spec, canvas, plot, grow)
    elements += _said(spec, canvas, context, plot, grow)
    return Slide(partial(section_label, canvas, context), elements)


def _bars(spec: Spec, canvas: Canvas, context: SceneContext, plot: _Plot, grow: float) -> list[Element]:
    """The bars, growing one after another across ``grow`` seconds; a highlighted bar grows in the muted colour and
    fills with the accent as the narrator says its label or value (in the accent from the start when never said)."""
    bar_w, n, colors = max(1, round(plot.slot * 0.62)), len(spec.values), canvas.theme.colors
    elements = []
    for i, h in enumerate(plot.heights):
        start = bar_start(i, n, grow)
        color = _color(spec, canvas, i)
        said = None
        if spec.labels[i] in spec.highlight:
            said = kinetic.first_said(reveals.content(f"{spec.labels[i]} {spec.values[i]:g}"), context, start + BAR)
        elements.append(_bar(plot.centers[i], plot.zero_y, bar_w, h, colors.muted if said else color, start, BAR))
        if said is not None:
            elements.append(_bar(plot.centers[i], plot.zero_y, bar_w, h, color, said, FILL))
    return elements


def _said(spec: Spec, canvas: Canvas, context: SceneContext, plot: _Plot, grow: float) -> list[Element]:
    """A ping on a bar's end or a line's point as the narrator says its label or its value, once that bar or point is
    drawn (each spoken word pings one mark)."""
    found, taken, n = [], set(), len(spec.values)
    for i, (label, value) in enumerate(zip(spec.labels, spec.values, strict=True)):
        wanted = reveals.content(f"{label} {value:g}") - taken
        # Once its bar has grown (its point is drawn): a bar named as it grows is not pinged.
        shown = bar_start(i, n, grow) + BAR if spec.type == "bar" else GROW_START + grow * (i + 1) / n
        said = kinetic.first_said(wanted, context, shown)
        if said is None:
            continue
        taken |= reveals.content(label)
        radius = max(canvas.px(0.012), plot.slot * 0.22)
        found.append(kinetic.ping(canvas, (plot.centers[i], plot.zero_y - plot.heights[i]), radius, said, spread=2.0))
    return found


def _label_font(spec: Spec, canvas: Canvas) -> Face:
    """Axis labels and value labels share one size, the largest that fits every slot."""
    longest = max([*spec.labels, *(value_text(spec, v) for v in spec.values)], key=len)
    probe = canvas.fit(
        longest,
        "label",
        canvas.theme.sizes.label,
        field="labels",
        width=canvas.safe.width / len(spec.values) * 0.94,
        height=canvas.px(0.1),
        max_lines=1,
        balance=False,
    )
    return probe.font


@dataclass(frozen=True)
class _Plot:
    """Where the chart is drawn: a slot per value, the axis under them, and each value's height from zero."""

    font: Face
    slot: float
    centers: list[int]
    #: The axis's top and the room's bottom: the labels are between them.
    base_y: int
    bottom: int
    zero_y: int
    #: Up from the zero line; negative: down.
    heights: list[int]
    #: The axis's lowest value: zero, or the lowest value when one is negative.
    low: float


def _plot(spec: Spec, canvas: Canvas, font: Face, y: int, bottom: int) -> _Plot:
    """The chart between ``y`` and ``bottom``, its values to one scale from the lowest to the highest."""
    safe, n = canvas.safe, len(spec.values)
    slot = safe.width / n
    ascent, descent = font.getmetrics()
    text_h = ascent + descent
    base_y = bottom - text_h - canvas.px(0.015)
    top_y = y + text_h + canvas.px(0.01)
    low, high = min(0.0, *spec.values), max(0.0, *spec.values)
    span = (high - low) or 1.0
    # Room under the lowest mark for its label: a negative bar's, or a line point's (labelled below when low).
    below = text_h + canvas.px(0.02) if low < 0 or spec.type == "line" else 0
    scale = (base_y - below - top_y) / span
    zero_y = round(top_y + high * scale)
    heights = [round(v * scale) for v in spec.values]
    centers = [round(safe.x0 + slot * (i + 0.5)) for i in range(n)]
    return _Plot(font, slot, centers, base_y, bottom, zero_y, heights, low)


def _color(spec: Spec, canvas: Canvas, i: int) -> str:
    """Value ``i``'s colour: the accent, unless other values are highlighted."""
    colors = canvas.theme.colors
    if not spec.highlight:
        return colors.accent
    return colors.accent if spec.labels[i] in spec.highlight else colors.muted


def _axis(spec: Spec, canvas: Canvas, plot: _Plot) -> list[Element]:
    """The axis with the labels under it, and a zero line when a value is negative."""
    safe, colors, motion = canvas.safe, canvas.theme.colors, canvas.theme.motion
    font, ascent = plot.font, plot.font.getmetrics()[0]
    axis = Image.new("RGBA", (safe.width, plot.bottom - plot.base_y + 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(axis)
    draw.rectangle((0, 0, safe.width, max(1, canvas.px(0.003))), fill=colors.grid)
    for i, label in enumerate(spec.labels):
        fill = colors.text if label in spec.highlight else colors.muted
        font.draw(draw, (plot.centers[i] - safe.x0, canvas.px(0.015) + ascent), label, fill, anchor="ms")
    elements = [sprite(axis, (safe.x0, plot.base_y), 0.2, motion.entrance, 0)]
    if plot.low < 0:
        zero = Image.new("RGBA", (safe.width, max(1, canvas.px(0.003))), colors.grid)
        elements.append(sprite(zero, (safe.x0, plot.zero_y), 0.2, motion.entrance, 0))
    return elements


def _value_labels(spec: Spec, canvas: Canvas, plot: _Plot, grow: float) -> list[Element]:
    """Each value over its bar or point (under it when it hangs below), as the bar or line reaches it."""
    colors, n, slot = canvas.theme.colors, len(spec.values), plot.slot
    ascent, descent = plot.font.getmetrics()
    text_h = ascent + descent
    elements = []
    for i, h in enumerate(plot.heights):
        label = value_text(spec, spec.values[i])
        image = Image.new("RGBA", (round(slot), text_h), (0, 0, 0, 0))
        fill = colors.text if _color(spec, canvas, i) == colors.accent else colors.muted
        plot.font.draw(ImageDraw.Draw(image), (round(slot) / 2, ascent), label, fill, anchor="ms")
        start = bar_start(i, n, grow) + BAR * 0.7 if spec.type == "bar" else GROW_START + grow * (i + 0.5) / n
        gap = canvas.px(0.008) if spec.type == "bar" else canvas.px(0.02)
        y = plot.zero_y - h - text_h - gap if _above(spec, i) else plot.zero_y - h + gap
        elements.append(sprite(image, (round(plot.centers[i] - slot / 2), y), start, 0.35, 0))
    return elements


def _rows(spec: Spec, canvas: Canvas, context: SceneContext, y: int, bottom: int) -> list[Element]:
    """The bar chart on its side, between ``y`` and ``bottom``: a row per label, bars growing from a zero line."""
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    n = len(spec.values)
    values = [value_text(spec, v) for v in spec.values]
    probe = canvas.fit(
        max([*spec.labels, *values], key=len),
        "label",
        sizes.label,
        field="labels",
        width=safe.width * 0.3,
        height=(bottom - y) / n * 1.25,
        max_lines=1,
        balance=False,
    )  # fmt: skip  (one line: a row needs the glyphs' height, not a line's height with its spacing)
    font = probe.font
    ascent, descent = font.getmetrics()
    text_h = ascent + descent
    # On its side, the values run across: their title goes under the bars, the labels' above their column.
    titles, y, bottom = axis_titles(canvas, spec.y_title, spec.x_title, y, bottom, font.size / canvas.unit)
    gap = canvas.px(0.015)
    label_w = max(round(font.getlength(label)) for label in spec.labels)
    value_w = max(round(font.getlength(value)) for value in values) + gap
    low, high = min(0.0, *spec.values), max(0.0, *spec.values)
    span = (high - low) or 1.0
    plot_x0 = safe.x0 + label_w + gap + (value_w if low < 0 else 0)
    scale = (safe.x1 - value_w - plot_x0) / span
    zero_x = round(plot_x0 - low * scale)
    row = (bottom - y) / n
    thick = max(1, round(min(row * 0.62, text_h * 1.6)))
    elements = list(titles)
    grow = growth(context)
    axis = Image.new("RGBA", (max(1, canvas.px(0.003)), bottom - y), colors.grid)
    elements.append(sprite(axis, (zero_x, y), 0.2, motion.entrance, 0))
    for i, (label, value, figure) in enumerate(zip(spec.labels, values, spec.values, strict=True)):
        cy = round(y + row * (i + 0.5))
        marked = not spec.highlight or label in spec.highlight
        start = bar_start(i, n, grow)
        text = Image.new("RGBA", (label_w, text_h), (0, 0, 0, 0))
        tone = colors.text if label in spec.highlight else colors.muted
        font.draw(ImageDraw.Draw(text), (label_w, ascent), label, tone, anchor="rs")
        elements.append(sprite(text, (safe.x0, cy - text_h // 2), 0.2, motion.entrance, 0))
        length = round(figure * scale)
        elements.append(_bar_across(zero_x, cy, thick, length, colors.accent if marked else colors.muted, start, BAR))
        tag = Image.new("RGBA", (value_w, text_h), (0, 0, 0, 0))
        right = length >= 0
        font.draw(ImageDraw.Draw(tag), (gap if right else value_w - gap, ascent), value,
                  colors.text if marked else colors.muted, anchor="ls" if right else "rs")  # fmt: skip
        x = zero_x + length if right else zero_x + length - value_w
        elements.append(sprite(tag, (x, cy - text_h // 2), start + 0.5, 0.35, 0))
    return elements


def _bar_across(zero_x: int, cy: int, thick: int, length: int, color: str, start: float, duration: float) -> Element:
    """A bar growing sideways from the zero line: right for a positive ``length``, left for a negative one."""

    def paint(frame: Image.Image, p: float) -> None:
        run = round(length * ease_out(p))
        x0, x1 = sorted((zero_x, zero_x + run))
        if x1 > x0:
            ImageDraw.Draw(frame).rectangle((x0, cy - thick // 2, x1 - 1, cy + thick // 2), fill=color)

    return Element(start, duration, paint)


def _above(spec: Spec, i: int) -> bool:
    """Whether value ``i``'s label goes above its mark: a bar's above its end (below, for a negative bar); a
    line point's on the side away from the line, above a point higher than its neighbours and below a lower one."""
    values = spec.values
    if spec.type == "bar":
        return values[i] >= 0
    neighbours = [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values)]
    return not neighbours or values[i] >= sum(neighbours) / len(neighbours)


def _bar(cx: int, zero_y: int, width: int, height: int, color: str, start: float, duration: float) -> Element:
    """A bar growing from the zero line: up for a positive ``height``, down for a negative one."""

    def paint(frame: Image.Image, p: float) -> None:
        h = round(height * ease_out(p))
        if h > 0:
            ImageDraw.Draw(frame).rectangle((cx - width // 2, zero_y - h, cx + width // 2, zero_y - 1), fill=color)
        elif h < 0:
            ImageDraw.Draw(frame).rectangle((cx - width // 2, zero_y, cx + width // 2, zero_y - h - 1), fill=color)

    return Element(start, duration, paint)


def _line(xs: list[int], ys: list[int], width: int, color: str, start: float, duration: float) -> Element:
    """A polyline that draws itself on from left to right, with a dot at each point."""

    def paint(frame: Image.Image, p: float) -> None:
        draw = ImageDraw.Draw(frame)
        reach = ease_in_out(p) * (len(xs) - 1) if len(xs) > 1 else 1.0
        points = [(xs[i], ys[i]) for i in range(int(reach) + 1)]
        if len(xs) > 1 and int(reach) < len(xs) - 1:
            f = reach - int(reach)
            i = int(reach)
            points.append((xs[i] + (xs[i + 1] - xs[i]) * f, ys[i] + (ys[i + 1] - ys[i]) * f))
        if len(points) > 1:
            draw.line(points, fill=color, width=width, joint="curve")
        r = width * 1.4
        for x, y in [(xs[i], ys[i]) for i in range(int(reach) + 1)]:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=color)

    return Element(start, duration, paint)


KIND = SlideKind(Spec, visuals.behind(build))
