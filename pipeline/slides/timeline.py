"""`timeline`: dated events on a line, labels alternating above and below it.

The line draws itself on; each event enters on its own, either one after
another or, with ``sentence:``, as the narrator starts that sentence.
"""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.schema import Plain
from pipeline.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.slides.chrome import content_top, heading, section_label
from pipeline.slides.motion import grow_bar, sprite
from pipeline.slides.text import TextBlock


class Event(Plain):
    date: str = Field(min_length=1, max_length=12, description="Short date label, e.g. '1990' or 'Jan 2020'.")
    text: str = Field(min_length=1, max_length=40, description="What happened, in a few words.")
    sentence: int | None = Field(
        None, ge=1, description="Appear as this sentence of the scene's narration starts (1 = the first)."
    )


class Spec(SpecBase):
    kind: Literal["timeline"]
    title: str | None = Field(None, max_length=70, description="Heading above the line.")
    events: list[Event] = Field(min_length=2, max_length=8, description="In date order, left to right.")

    def sentence_refs(self) -> list[tuple[str, int]]:
        return [(f"events.{i}.sentence", e.sentence) for i, e in enumerate(self.events) if e.sentence]


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    rise = canvas.px(motion.rise)
    y = content_top(canvas)
    elements: list[Element] = []
    if spec.title:
        title, y = heading(canvas, spec.title, y, room=0.22, gap=0.04)
        elements.append(title)

    n = len(spec.events)
    slot = safe.width / n
    line_y = y + (safe.y1 - y) // 2
    tick = canvas.px(0.035)
    half = safe.y1 - line_y - tick - canvas.px(0.015)
    dates = canvas.fit_alike(
        [e.date for e in spec.events],
        "figure",
        sizes.heading * 0.95,
        fields=[f"events.{i}.date" for i in range(n)],
        width=min(slot * 1.8, safe.width * 0.3),
        height=half * 0.45,
        max_lines=1,
    )
    room = half - max(d.height for d in dates) - canvas.px(0.012)
    texts = canvas.fit_alike(
        [e.text for e in spec.events],
        "body",
        sizes.body,
        fields=[f"events.{i}.text" for i in range(n)],
        width=min(slot * 1.5, safe.width * 0.36),
        height=room,
        max_lines=3,
    )

    elements.append(
        grow_bar(safe.x0, line_y - canvas.px(0.002), safe.width, max(2, canvas.px(0.004)), colors.grid, 0.25, 0.9)
    )
    r = max(3, canvas.px(0.012))
    for i, event in enumerate(spec.events):
        cx = round(safe.x0 + slot * (i + 0.5))
        above = i % 2 == 0
        label = _label(dates[i], texts[i], colors.accent, colors.text, canvas.px(0.012), above)
        x = min(max(cx - label.width // 2, safe.x0), safe.x1 - label.width)
        top = line_y - tick - label.height if above else line_y + tick
        start = context.sentence_time(event.sentence, 0.5 + i * motion.stagger)
        elements.append(_marker(cx, line_y, r, tick, above, colors.accent, start, motion.entrance * 0.6))
        elements.append(sprite(label, (x, top), start + 0.1, motion.entrance, rise if not above else -rise))
    return Slide(section_label(canvas, context), elements)


def _label(date: TextBlock, text: TextBlock, date_color: str, text_color: str, gap: int, above: bool) -> Image.Image:
    """Date and text centred in one sprite; the date sits next to the line."""
    width = max(date.width, text.width)
    image = Image.new("RGBA", (width, date.height + gap + text.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    date_y, text_y = (text.height + gap, 0) if above else (0, date.height + gap)
    date.draw(draw, 0, date_y, date_color, align="center", box_width=width)
    text.draw(draw, 0, text_y, text_color, align="center", box_width=width)
    return image


def _marker(cx: int, cy: int, r: int, tick: int, above: bool, color: str, start: float, duration: float) -> Element:
    """A dot on the line that grows in, with a tick towards its label."""

    def paint(frame: Image.Image, p: float) -> None:
        draw = ImageDraw.Draw(frame)
        reach = round(tick * min(1.0, p * 1.5))
        y1 = cy - reach if above else cy + reach
        draw.line((cx, cy, cx, y1), fill=color, width=max(1, r // 3))
        rr = r * min(1.0, 0.3 + p)
        draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=color)

    return Element(start, duration, paint)


KIND = SlideKind(Spec, build)
