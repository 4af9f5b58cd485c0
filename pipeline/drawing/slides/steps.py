"""`steps`: a numbered process (2-8 steps) on a path that advances step by step.

Each step is a numbered disc on a line with its label under it; the line
fills up to a step as it appears, so the frame shows how far the process has
gone ("an arrow moving along"). A step written as ``{text, sentence}`` appears
as the narrator starts that sentence, otherwise one after another. Up to five
steps stand in one row; six to eight in two rows, the second continuing the
first. In a portrait frame the steps run down the line instead, one per row,
each label beside its disc.

A process that changes a state (a lock filling, a reservoir rising, a tank
draining) can show it: given ``level: {label, unit}`` and a ``level`` on the
steps, a gauge beside them fills to each step's level as that step appears,
its reading moving with the surface ("levels rising").
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.core.schema import Figure, Plain
from pipeline.drawing.slides import icons, reveals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import content_top, heading, rgb, section_label
from pipeline.drawing.slides.motion import ease_in_out, ease_out, sprite, text_sprite
from pipeline.drawing.slides.problems import SlideError
from pipeline.drawing.slides.text import TextBlock

#: The most steps in one row, and beside a gauge (which takes a quarter of the width).
ROW = 5
ROW_BESIDE_GAUGE = 3
#: The most steps a gauge stands beside (two rows of three).
GAUGE_STEPS = 6


class Step(Plain):
    text: str = Field(min_length=1, max_length=40, description="What happens at this step, in a few words.")
    icon: str | None = Field(
        None, max_length=40, description="An icon in the step's disc instead of its number: 'water', 'bolt'."
    )
    sentence: int | None = Field(
        None, ge=1, description="Appear as this sentence of the scene's narration starts (1 = the first)."
    )
    level: Figure | None = Field(
        None, description="The gauge's level once this step has happened (needs the slide's 'level')."
    )


class Gauge(Plain):
    label: str = Field(min_length=1, max_length=24, description="What the gauge measures: 'Water level'.")
    unit: str = Field("", max_length=8, description="The levels' unit: 'm', '%', '°C'.")
    start: Figure | None = Field(None, description="The level before the first step (default: the first step's).")
    low: Figure = Field(0, description="The gauge's bottom (default 0).")
    high: Figure | None = Field(None, description="The gauge's top (default: the highest level).")


class Spec(SpecBase):
    kind: Literal["steps"]
    title: str | None = Field(None, max_length=70, description="Heading above the steps.")
    steps: list[Annotated[str, Field(min_length=1, max_length=40)] | Step] = Field(
        min_length=2,
        max_length=8,
        description="The steps in order: plain text, or {text, icon, sentence, level}.",
    )
    level: Gauge | None = Field(
        None, description="A gauge beside the steps that fills to each step's level: {label, unit, low, high}."
    )
    reveal: reveals.Reveal = reveals.reveal_field("step")

    def texts(self) -> list[str]:
        return [step if isinstance(step, str) else step.text for step in self.steps]

    def sentence_refs(self) -> list[tuple[str, int]]:
        return [
            (f"steps.{i}.sentence", step.sentence)
            for i, step in enumerate(self.steps)
            if isinstance(step, Step) and step.sentence
        ]

    def with_reveals(self, said: list[str]) -> Spec:
        found = reveals.tied(self, self.texts(), said)
        if found is None:
            return self
        tied = [
            Step(text=step, sentence=at) if isinstance(step, str) else step.model_copy(update={"sentence": at})
            for step, at in zip(self.steps, found, strict=True)
        ]
        return self.model_copy(update={"steps": tied})

    def levels(self) -> list[float | None]:
        return [step.level if isinstance(step, Step) else None for step in self.steps]

    def range(self) -> tuple[float, float]:
        """The gauge's bottom and top."""
        assert self.level is not None
        given = [v for v in [*self.levels(), self.level.start] if v is not None]
        return self.level.low, self.level.high if self.level.high is not None else max(given)

    def check(self) -> list[SlideError]:
        problems = [
            SlideError(f"steps.{i}.icon", message)
            for i, step in enumerate(self.steps)
            if isinstance(step, Step) and step.icon and (message := icons.problem(step.icon))
        ]
        levels = self.levels()
        given = [(f"steps.{i}.level", v) for i, v in enumerate(levels) if v is not None]
        if self.level is None:
            fix = "add 'level: {label: ..., unit: ...}' to the slide"
            return problems + [SlideError(field, f"a step's 'level' needs a gauge: {fix}") for field, _ in given[:1]]
        if len(self.steps) > GAUGE_STEPS:
            fix = "split the process across two scenes"
            problems.append(SlideError("level", f"a gauge has room beside at most {GAUGE_STEPS} steps; {fix}"))
        if not given:
            return [*problems, SlideError("level", "the gauge has no levels: give the steps a 'level' each")]
        low, high = self.range()
        if high <= low:
            return [*problems, SlideError("level.high", f"the gauge's top ({high:g}) must be above {low:g}")]
        for field, value in [*given, ("level.start", self.level.start)]:
            if value is not None and not low <= value <= high:
                fix = "widen it with 'level: {low: ..., high: ...}'"
                problems.append(SlideError(field, f"{value:g} is outside the gauge ({low:g} to {high:g}); {fix}"))
        return problems


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    safe, colors = canvas.safe, canvas.theme.colors
    y = content_top(canvas)
    elements: list[Element] = []
    if spec.title:
        title, y = heading(canvas, spec.title, y, room=0.22, gap=0.05)
        elements.append(title)
    room = safe.width
    if spec.level is not None:
        gauge_w = round(safe.width * 0.24)
        room = safe.width - gauge_w - canvas.px(0.04)
    starts = _starts(spec, context, canvas.theme.motion.stagger)
    # A portrait frame: one step per row, down a line, its text beside it.
    layout = _down(spec, canvas, y, room) if safe.height > safe.width else _across(spec, canvas, y, room)
    elements.append(
        _path(layout.centres, layout.per_row, layout.turn, max(2, canvas.px(0.006)), colors.grid, colors.accent, starts)
    )
    elements += _discs_and_labels(spec, canvas, layout, starts)
    if spec.level is not None:
        area = (safe.x1 - gauge_w, y, safe.x1, safe.y1)
        elements += _gauge(spec, canvas, area, starts)
    return Slide(partial(section_label, canvas, context), elements)


def _starts(spec: Spec, context: SceneContext, stagger: float) -> list[float]:
    """When each step appears: on its sentence, or one after another."""
    starts = []
    for i, step in enumerate(spec.steps):
        default = 0.4 + i * stagger * 1.6
        starts.append(context.sentence_time(None if isinstance(step, str) else step.sentence, default))
    return [max(starts[: i + 1]) for i in range(len(starts))]  # a later step never appears before an earlier one


@dataclass(frozen=True)
class _Layout:
    """Where the steps go: their discs' centres and radius, their labels and where each is drawn, and how the
    path turns from the first row to the second (``_path``)."""

    radius: int
    centres: list[tuple[int, int]]
    labels: list[TextBlock]
    places: list[tuple[int, int]]
    align: str
    label_w: int | None
    per_row: int
    turn: tuple[int, int]


def _down(spec: Spec, canvas: Canvas, y: int, room: int) -> _Layout:
    """The steps down a line, one per row, each label beside its disc (a portrait frame)."""
    safe, texts = canvas.safe, spec.texts()
    n = len(texts)
    gap = canvas.px(0.025)
    row_h = (safe.y1 - y) / n
    radius = max(4, min(canvas.px(0.045), round(row_h * 0.3)))
    text_x = safe.x0 + 2 * radius + 2 * gap
    labels = canvas.fit_alike(
        texts, "body", canvas.theme.sizes.body, fields=[f"steps.{i}" for i in range(n)],
        width=safe.x0 + room - text_x, height=row_h * 0.95, max_lines=3,
    )  # fmt: skip
    centres = [(safe.x0 + radius, round(y + row_h * (i + 0.5))) for i in range(n)]
    places = [(text_x, cy - label.height // 2) for (_, cy), label in zip(centres, labels, strict=True)]
    return _Layout(radius, centres, labels, places, "left", None, n, (0, 0))


#: A disc's radius across a row, at most (of the frame's short side), and the size its label starts at in a wide
#: frame (of the theme's body size; it shrinks to fit; in a square one, narrow slots broke 'A turbine spins' a
#: word a line at the larger size).
ACROSS_DISC, ACROSS_LABEL = 0.07, 1.25


def _across(spec: Spec, canvas: Canvas, y: int, room: int) -> _Layout:
    """The steps across in one row or two, each label under its disc."""
    safe, texts = canvas.safe, spec.texts()
    n = len(texts)
    gap = canvas.px(0.025)
    rows = 1 if n <= (ROW if spec.level is None else ROW_BESIDE_GAUGE) else 2
    per_row = -(-n // rows)
    slot = room / per_row
    row_h = (safe.y1 - y) / rows
    # Discs and labels as large as the row allows (a row of three or four small discs across the middle left
    # two thirds of the frame empty): up to ACROSS_DISC of the short side, labels from ACROSS_LABEL the body size.
    radius = max(4, min(canvas.px(ACROSS_DISC), round(slot * 0.18), round(row_h * 0.16)))
    labels = canvas.fit_alike(
        texts, "body", canvas.theme.sizes.body * (ACROSS_LABEL if canvas.width >= canvas.height * 1.5 else 1.0),
        fields=[f"steps.{i}" for i in range(n)],
        width=slot * 0.9, height=row_h - 2 * radius - canvas.px(0.04), max_lines=4,
    )  # fmt: skip
    centres = []
    tallest = max(label.height for label in labels)  # every disc of a row on one line
    for i in range(n):
        row, col = divmod(i, per_row)
        block_top = y + round(row * row_h + (row_h - 2 * radius - gap - tallest) / 2)
        centres.append((round(safe.x0 + slot * (col + 0.5)), block_top + radius))
    below_labels = centres[0][1] + radius + gap + tallest
    turn = (round(slot / 2), (below_labels + centres[-1][1] - radius) // 2)  # around the end of the first row
    places = [(round(cx - slot * 0.45), cy + radius + gap) for cx, cy in centres]
    return _Layout(radius, centres, labels, places, "center", round(slot * 0.9), per_row, turn)


def _discs_and_labels(spec: Spec, canvas: Canvas, layout: _Layout, starts: list[float]) -> list[Element]:
    """Each step's disc (its icon or number) and its label, entering as the step does."""
    colors, motion = canvas.theme.colors, canvas.theme.motion
    radius = layout.radius
    numbers = canvas.fonts.face("figure", max(canvas.min_text, round(radius * 1.05)))
    elements: list[Element] = []
    for i, (cx, cy) in enumerate(layout.centres):
        disc = Image.new("RGBA", (2 * radius + 1, 2 * radius + 1), (0, 0, 0, 0))
        draw = ImageDraw.Draw(disc)
        draw.ellipse((0, 0, 2 * radius, 2 * radius), fill=colors.accent)
        step = spec.steps[i]
        if isinstance(step, Step) and step.icon:
            icons.draw(draw, step.icon, (radius, radius), round(radius * 1.05), colors.background)
        else:
            ascent, descent = numbers.getmetrics()
            numbers.draw(draw, (radius, radius + (ascent - descent) / 2), str(i + 1), colors.background, anchor="ms")
        elements.append(sprite(disc, (cx - radius, cy - radius), starts[i], motion.entrance * 0.6, 0))
        label = text_sprite(layout.labels[i], colors.text, align=layout.align, width=layout.label_w)
        elements.append(sprite(label, layout.places[i], starts[i] + 0.1, motion.entrance, canvas.px(motion.rise)))
    return elements


#: Seconds a gauge takes to move from one level to the next.
LEVEL_MOVE = 1.2


def level_at(levels: list[tuple[float, float]], first: float, t: float) -> float:
    """The gauge's level at ``t``: ``first`` until the first change, then easing to each (time, level) in turn."""
    level = first
    for start, target in levels:
        if t <= start:
            break
        level += (target - level) * ease_in_out(min(1.0, (t - start) / LEVEL_MOVE))
    return level


def _mix(color: str, under: str, alpha: float) -> tuple[int, int, int]:
    """``color`` at ``alpha`` over ``under``."""
    return tuple(round(a * alpha + b * (1 - alpha)) for a, b in zip(rgb(color), rgb(under), strict=True))


def _reading(value: float, unit: str) -> str:
    number = f"{abs(value):,.1f}".removesuffix(".0")
    sign = "\u2212" if value < 0 and number.strip("0.,") else ""
    tight = unit.startswith(("%", "°")) and unit not in ("°C", "°F")
    return f"{sign}{number}{'' if tight or not unit else ' '}{unit}"


def _gauge(spec: Spec, canvas: Canvas, area: tuple[int, int, int, int], starts: list[float]) -> list[Element]:
    """A vessel whose fill rises or falls to each step's level as the step appears, its reading on the surface."""
    assert spec.level is not None
    colors, sizes, motion = canvas.theme.colors, canvas.theme.sizes, canvas.theme.motion
    x0, top, x1, bottom = area
    title = canvas.fit(spec.level.label, "label", sizes.body * 0.8, field="level.label", width=x1 - x0,
                       height=canvas.px(0.12), max_lines=2)  # fmt: skip
    low, high = spec.range()
    widest = max((_reading(v, spec.level.unit) for v in (low, high)), key=len)
    face = canvas.fonts.face("label", max(canvas.min_text, canvas.px(sizes.body * 0.8)))
    reading_w = round(face.getlength(widest + "0")) + canvas.px(0.02)
    vessel = (x0, top + title.height + canvas.px(0.03), x1 - reading_w, bottom)
    vx0, vy0, vx1, vy1 = vessel
    stroke = max(2, canvas.px(0.005))
    inner = (vx0 + stroke, vy0 + stroke, vx1 - stroke, vy1 - stroke)
    changes = [(starts[i] + 0.1, v) for i, v in enumerate(spec.levels()) if v is not None]
    first = spec.level.start if spec.level.start is not None else changes[0][1]
    ascent, descent = face.getmetrics()
    water = _mix(colors.accent, colors.background, 0.4)
    marks = [(inner[1], _reading(high, spec.level.unit)), (inner[3], _reading(low, spec.level.unit))]
    elements = [sprite(text_sprite(title, colors.muted), (x0, top), 0.2, motion.entrance, 0)]
    begin, end = 0.2, changes[-1][0] + LEVEL_MOVE
    cap = round(ascent * 0.72)  # figures' height above the baseline

    def baseline(y: int) -> int:
        """The baseline that centres a reading on ``y``, kept inside the vessel's height."""
        return min(max(y + cap // 2, vy0 + cap), vy1)

    def paint(frame: Image.Image, p: float) -> None:
        t = begin + p * (end - begin)
        level = level_at(changes, first, t)
        share = (level - low) / (high - low)
        surface = round(inner[3] - share * (inner[3] - inner[1]))
        draw = ImageDraw.Draw(frame)
        draw.rectangle(vessel, outline=colors.grid, width=stroke)
        if surface < inner[3]:
            draw.rectangle((inner[0], surface, inner[2], inner[3]), fill=water)
            draw.line((inner[0], surface, inner[2], surface), fill=colors.accent, width=stroke)
        text_x = vx1 + canvas.px(0.015)
        for mark_y, text in marks:  # the gauge's top and bottom, unless the reading is over them
            if abs(mark_y - surface) > ascent + descent:
                draw.line((vx1, mark_y, vx1 + canvas.px(0.008), mark_y), fill=colors.grid, width=stroke)
                face.draw(draw, (text_x, baseline(mark_y)), text, colors.muted)
        face.draw(draw, (text_x, baseline(surface)), _reading(level, spec.level.unit), colors.text)

    elements.append(Element(begin, end - begin, paint))
    return elements


def _path(
    centres: list[tuple[int, int]],
    per_row: int,
    turn: tuple[int, int],
    width: int,
    track: str,
    fill: str,
    starts: list[float],
) -> Element:
    """The line through the steps: its track from the start, filled up to each step as that step appears.

    From the end of the first row the line goes out to the side by ``turn[0]``, down to ``turn[1]``
    (between the first row's labels and the second row), across and down to the next step.
    """
    legs = []
    for i in range(len(centres) - 1):
        (x0, y0), (x1, y1) = centres[i], centres[i + 1]
        if (i + 1) % per_row == 0:
            side, mid = x0 + turn[0], turn[1]
            legs.append([(x0, y0), (side, y0), (side, mid), (x1, mid), (x1, y1)])
        else:
            legs.append([(x0, y0), (x1, y1)])
    begin = starts[0]
    end = starts[-1] + 0.6

    def paint(frame: Image.Image, p: float) -> None:
        draw = ImageDraw.Draw(frame)
        t = begin + p * (end - begin)
        for i, leg in enumerate(legs):
            draw.line(leg, fill=track, width=width)
            # Fill leg i while step i+1 enters: it moves along as the process advances.
            reach = ease_out(min(1.0, max(0.0, (t - starts[i + 1] + 0.35) / 0.5)))
            if reach > 0:
                draw.line(_part(leg, reach), fill=fill, width=width)

    return Element(begin, end - begin, paint)


def _part(points: list[tuple[int, int]], share: float) -> list[tuple[float, float]]:
    """The first ``share`` of a polyline's length."""
    lengths = [abs(b[0] - a[0]) + abs(b[1] - a[1]) for a, b in itertools.pairwise(points)]
    left = sum(lengths) * share
    out: list[tuple[float, float]] = [points[0]]
    for (a, b), length in zip(itertools.pairwise(points), lengths, strict=True):
        if left >= length:
            out.append(b)
            left -= length
            continue
        f = left / length if length else 0
        out.append((a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f))
        break
    return out


KIND = SlideKind(Spec, build)
