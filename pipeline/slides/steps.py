"""`steps`: a numbered process (2-8 steps) on a path that advances step by step.

Each step is a numbered disc on a line with its label under it; the line
fills up to a step as it appears, so the frame shows how far the process has
gone ("an arrow moving along"). A step written as ``{text, sentence}`` appears
as the narrator starts that sentence, otherwise one after another. Up to five
steps stand in one row; six to eight in two rows, the second continuing the
first.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.schema import Plain
from pipeline.slides import icons
from pipeline.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.slides.chrome import content_top, heading, section_label
from pipeline.slides.motion import ease_out, sprite, text_sprite
from pipeline.slides.problems import SlideError

#: The most steps in one row.
ROW = 5


class Step(Plain):
    text: str = Field(min_length=1, max_length=48, description="What happens at this step, in a few words.")
    icon: str | None = Field(
        None, max_length=40, description="An icon in the step's disc instead of its number: 'water', 'bolt'."
    )
    sentence: int | None = Field(
        None, ge=1, description="Appear as this sentence of the scene's narration starts (1 = the first)."
    )


class Spec(SpecBase):
    kind: Literal["steps"]
    title: str | None = Field(None, max_length=70, description="Heading above the steps.")
    steps: list[Annotated[str, Field(min_length=1, max_length=48)] | Step] = Field(
        min_length=2,
        max_length=8,
        description="The steps in order: plain text, or {text, sentence} to appear with a sentence.",
    )

    def texts(self) -> list[str]:
        return [step if isinstance(step, str) else step.text for step in self.steps]

    def sentence_refs(self) -> list[tuple[str, int]]:
        return [
            (f"steps.{i}.sentence", step.sentence)
            for i, step in enumerate(self.steps)
            if isinstance(step, Step) and step.sentence
        ]

    def check(self) -> list[SlideError]:
        return [
            SlideError(f"steps.{i}.icon", message)
            for i, step in enumerate(self.steps)
            if isinstance(step, Step) and step.icon and (message := icons.problem(step.icon))
        ]


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    y = content_top(canvas)
    elements: list[Element] = []
    if spec.title:
        title, y = heading(canvas, spec.title, y, room=0.22, gap=0.05)
        elements.append(title)

    texts = spec.texts()
    n = len(texts)
    rows = 1 if n <= ROW else 2
    per_row = -(-n // rows)
    slot = safe.width / per_row
    row_h = (safe.y1 - y) / rows
    radius = max(4, min(canvas.px(0.045), round(slot * 0.18), round(row_h * 0.16)))
    labels = canvas.fit_alike(
        texts,
        "body",
        sizes.body,
        fields=[f"steps.{i}" for i in range(n)],
        width=slot * 0.9,
        height=row_h - 2 * radius - canvas.px(0.04),
        max_lines=3,
    )
    number_size = max(canvas.min_text, round(radius * 1.05))
    numbers = canvas.fonts.face("figure", number_size)

    starts = []
    for i, step in enumerate(spec.steps):
        default = 0.4 + i * motion.stagger * 1.6
        starts.append(context.sentence_time(None if isinstance(step, str) else step.sentence, default))
    starts = [max(starts[: i + 1]) for i in range(n)]  # a later step never appears before an earlier one

    centres = []
    tallest = max(label.height for label in labels)  # every disc of a row on one line
    for i in range(n):
        row, col = divmod(i, per_row)
        block_top = y + round(row * row_h + (row_h - 2 * radius - canvas.px(0.025) - tallest) / 2)
        centres.append((round(safe.x0 + slot * (col + 0.5)), block_top + radius))
    below_labels = centres[0][1] + radius + canvas.px(0.025) + tallest
    turn = (round(slot / 2), (below_labels + centres[-1][1] - radius) // 2)  # around the end of the first row
    elements.append(_path(centres, per_row, turn, max(2, canvas.px(0.006)), colors.grid, colors.accent, starts))
    for i, (cx, cy) in enumerate(centres):
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
        label = text_sprite(labels[i], colors.text, align="center", width=round(slot * 0.9))
        at = (round(cx - slot * 0.45), cy + radius + canvas.px(0.025))
        elements.append(sprite(label, at, starts[i] + 0.1, motion.entrance, canvas.px(motion.rise)))
    return Slide(section_label(canvas, context), elements)


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
