"""`compare`: two values side by side: a change (before -> after, with an arrow), or two options (versus).

``mode: change`` (the default) reads left to right: the old value muted, an
arrow with the change on it, the new value in the accent. ``mode: versus`` is
two things at once ("a 20-hour drive versus a 2-hour flight"): both values in
the accent, "vs" between them, no arrow and no change.

When the area for content is taller than wide (a portrait frame), or a side
does not fit half its width, the two columns stack: the first side above, the arrow (or "vs") pointing down, the
second below, each as wide as the frame allows.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.drawing.slides import kinetic, reveals
from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import content_top, heading, section_label, source_line
from pipeline.drawing.slides.motion import ease_in_out, ease_out, grow_bar, sprite
from pipeline.drawing.slides.problems import FitError, SlideError
from pipeline.drawing.slides.text import TextBlock


class Side(SpecBase):
    value: str = Field(min_length=1, max_length=28, description="The value as shown, e.g. '$2,000'.")
    label: str = Field(min_length=1, max_length=60, description="What it is, e.g. 'broker fee before 2012'.")


class Spec(visuals.WithBackdrop):
    kind: Literal["compare"]
    mode: Literal["change", "versus"] = Field(
        "change", description="change: before -> after with an arrow; versus: two options side by side."
    )
    title: str | None = Field(None, max_length=60)
    before: Side = Field(description="The left side: the value before (or the first option).")
    after: Side = Field(description="The right side: the value after (or the second option).")
    change: str | None = Field(None, max_length=10, description="The change, shown on the arrow, e.g. '5x'.")
    source: str | None = Field(None, max_length=100)
    sentence: int | None = Field(
        None,
        ge=1,
        description="The right side (and the arrow) enter as this sentence of the narration starts (default: the "
        "sentence that says it, when a later one does; else with the slide).",
    )

    def sentence_refs(self) -> list[tuple[str, int]]:
        return [("sentence", self.sentence)] if self.sentence else []

    def with_reveals(self, said: list[str]) -> Spec:
        """The right side tied to the sentence that says it, when that is not the first: the comparison builds as
        the narrator makes it."""
        if self.sentence or len(said) <= 1:
            return self
        wanted = reveals.content(f"{self.after.value} {self.after.label}")
        shared = [len(wanted & reveals.content(sentence)) for sentence in said]
        best = max(range(len(said)), key=lambda i: (shared[i], -i))
        return self.model_copy(update={"sentence": best + 1}) if best > 0 and shared[best] else self

    def check(self) -> list[SlideError]:
        if self.mode == "versus" and self.change:
            return [SlideError("change", "a versus comparison shows no change; remove 'change', or use mode: change")]
        return []


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, motion = theme.colors, theme.motion
    rise = canvas.px(motion.rise)
    y = content_top(canvas)
    bottom = safe.y1
    elements: list[Element] = []
    if spec.source:
        source, source_top = source_line(canvas, spec.source, 0.2 + 4 * motion.stagger)
        elements.append(source)
        bottom = source_top - canvas.px(0.03)
    if spec.title:
        title, y = heading(canvas, spec.title, y, room=0.25, gap=0.04)
        elements.append(title)

    room = bottom - y
    pairs = (("before", spec.before), ("after", spec.after))
    stacked = safe.height > safe.width
    if not stacked:  # side by side, unless a side does not fit half the width: then stacked
        try:
            [_side(canvas, side, name, (safe.width - round(safe.width * 0.16)) // 2, room) for name, side in pairs]
        except FitError:
            stacked = True
    gap_w = round((room if stacked else safe.width) * 0.16)  # between the sides: the arrow or "vs"
    col_w = safe.width if stacked else (safe.width - gap_w) // 2
    amounts = None if stacked else amounts_of(spec.before.value, spec.after.value)
    # On a bare card the bars are the card's graphic: a slab under each figure, not a rule.
    bar_h, bar_gap = (canvas.px(BARE_BAR if canvas.bare else 0.035), canvas.px(0.045)) if amounts else (0, 0)
    spacing = canvas.px(0.02)
    side_room = ((room - gap_w) // 2 if stacked else room) - spacing - bar_gap - bar_h  # each side's bar under it
    sides = [_side(canvas, side, name, col_w, side_room) for name, side in pairs]
    # One figure size for both sides, so the eye compares values, not type sizes.
    size = min(v.size for v, _ in sides) / canvas.unit
    sides = [_side(canvas, side, name, col_w, side_room, size) for name, side in pairs]
    heights = [v.height + spacing + lab.height + bar_gap + bar_h for v, lab in sides]
    if stacked:
        top = y + (room - sum(heights) - gap_w) // 2
        places = [(safe.x0, top), (safe.x0, top + heights[0] + gap_w)]
        between = (safe.x0 + col_w // 2, top + heights[0])  # the arrow runs down from here
    else:
        top = y + (room - max(heights)) // 2
        places = [(safe.x0, top), (safe.x0 + col_w + gap_w, top)]
        between = (safe.x0 + col_w, top + sides[0][0].height // 2)
    # The right side follows its sentence when it has one, or the word that says its value; the arrow just before.
    default = 0.3 + 1.5 * motion.stagger
    later = context.sentence_time(spec.sentence, default)
    if spec.sentence is None and (said := kinetic.first_said(reveals.content(spec.after.value), context, 1.0)):
        later = max(default, said - 0.4)
    starts = (0.3, later + 1.5 * motion.stagger)
    tones = (colors.muted, colors.accent) if spec.mode == "change" else (colors.accent, colors.accent)
    for i, ((value, label), place, color, start) in enumerate(zip(sides, places, tones, starts, strict=True)):
        image = _column(value, label, col_w, spacing, color, colors.text)
        if i == 0 and not stacked and later - start >= ALONE:
            # Alone on screen for a while, the first side stands in the middle and glides to its place as the
            # second enters: the frame is used while the narrator talks about it, and the move says "and then".
            elements += _centred_then_aside(image, canvas, place, start, later, motion.entrance, rise)
        else:
            elements.append(sprite(image, place, start, motion.entrance, rise))
    if amounts:  # two amounts of one unit: a bar under each, as long as its amount, growing as its side enters
        longest = round(col_w * 0.8)
        bar_y = top + max(value.height + spacing + label.height for value, label in sides) + bar_gap  # one baseline
        for (x, _), color, start, amount in zip(places, tones, starts, amounts, strict=True):
            length = max(bar_h, round(longest * amount / max(amounts)))
            elements.append(grow_bar(x + (col_w - longest) // 2, bar_y, length, bar_h, color, start + 0.3, 0.9))
    if spec.mode == "change":
        elements.append(_arrow(canvas, *between, gap_w, spec.change, later, down=stacked))
    else:
        box = (col_w, gap_w) if stacked else (gap_w, sides[0][0].height)
        versus = canvas.fit(
            "vs", "heading", canvas.theme.sizes.heading, field="mode", width=box[0], height=box[1],
            max_lines=1, balance=False,
        )  # fmt: skip
        image = Image.new("RGBA", (box[0], versus.height), (0, 0, 0, 0))
        versus.draw(ImageDraw.Draw(image), 0, 0, colors.muted, align="center", box_width=box[0])
        x, y_mid = (safe.x0, between[1] + gap_w // 2) if stacked else between
        elements.append(sprite(image, (x, y_mid - versus.height // 2), later, motion.entrance, 0))
    return Slide(partial(section_label, canvas, context), elements)  # its two halves fill it: no ornament


#: An amount as a value writes it: what comes before the number ('$'), the number, and what follows ('miles').
_AMOUNT = re.compile(r"^(?P<pre>[^\d.-]*?)\s*(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<post>.*)$")


def amounts_of(before: str, after: str) -> tuple[float, float] | None:
    """The two values as numbers, when both are amounts of the same unit ('13,000 miles' and '5,200 miles', '$2,000'
    and '$10,000'), else None ('China or Russia'; '20 hours' and '2 days')."""
    found = [_AMOUNT.match(text.strip()) for text in (before, after)]
    if not all(found):
        return None
    a, b = found  # type: ignore[misc]
    if (a["pre"].strip(), a["post"].strip().lower()) != (b["pre"].strip(), b["post"].strip().lower()):
        return None
    if any(ch.isdigit() for ch in a["post"] + b["post"]):
        return None  # '5-7 days', '2 of 3': not one amount
    numbers = float(a["number"].replace(",", "")), float(b["number"].replace(",", ""))
    return numbers if min(numbers) > 0 else None


#: With nothing beside or behind it, the comparison is the picture: its figures and labels start this many times
#: larger and shrink to their halves (a texture under two small figures was filler, not a composition).
BARE_FIGURE, BARE_LABEL = 2.2, 1.3
#: And the bars under two amounts of one unit are slabs this thick (of the short side), not rules.
BARE_BAR = 0.07


def _side(canvas: Canvas, side: Side, name: str, width: int, room: int, size: float | None = None):
    sizes = canvas.theme.sizes
    # A tall frame's figures may grow with its height: they stack, each as wide as the frame.
    tall = max(1.0, canvas.height / canvas.width)
    figure, body = (BARE_FIGURE * tall, BARE_LABEL) if canvas.bare else (1.0, 1.0)
    label = canvas.fit(
        side.label, "body", sizes.body * 1.2 * body, field=f"{name}.label", width=width, height=room * 0.4,
        max_lines=3,
    )  # fmt: skip
    value = canvas.fit(
        side.value,
        "figure",
        size or sizes.figure * 0.8 * figure,
        field=f"{name}.value",
        width=width,
        height=room - label.height,
        max_lines=1,
        balance=False,
    )
    return value, label


#: Seconds the first side must stand alone to stand in the middle first.
ALONE = 2.0


def _centred_then_aside(
    image: Image.Image, canvas: Canvas, place: tuple[int, int], start: float, leave: float, duration: float, rise: int
) -> list[Element]:
    """``image`` entering at ``start`` in the middle of the frame, then gliding to ``place`` from ``leave`` over
    ``duration``."""
    safe = canvas.safe
    middle = safe.x0 + (safe.width - image.width) // 2
    (x, y), alpha = place, image.getchannel("A")
    centred = sprite(image, (middle, y), start, duration, rise)
    centred.until = leave

    def glide(frame: Image.Image, p: float) -> None:
        frame.paste(image, (round(middle + (x - middle) * ease_in_out(p)), y), alpha)

    return [centred, Element(leave, duration, glide)]


def _column(
    value: TextBlock, label: TextBlock, width: int, gap: int, value_color: str, label_color: str
) -> Image.Image:
    """One side: its value over its label, centred in a column ``width`` wide."""
    image = Image.new("RGBA", (width, value.height + gap + label.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    value.draw(draw, 0, 0, value_color, align="center", box_width=width)
    label.draw(draw, 0, value.height + gap, label_color, align="center", box_width=width)
    return image


def _arrow(canvas: Canvas, x: int, y: int, length: int, change: str | None, start: float, down: bool = False):
    """The arrow from (x, y), ``length`` long, rightwards (or ``down``), with the change beside it."""
    colors = canvas.theme.colors
    pad = round(length * 0.14)
    thick = canvas.px(0.012)
    head = canvas.px(0.035)
    label = (
        canvas.fit(
            change,
            "label",
            canvas.theme.sizes.label * 1.3,
            field="change",
            width=canvas.safe.width / 2 - 2 * head if down else max(length - 2 * pad, canvas.safe.width * 0.24),
            height=canvas.px(0.1),
            max_lines=1,
            balance=False,
        )
        if change
        else None
    )

    def paint(frame: Image.Image, p: float) -> None:
        draw = ImageDraw.Draw(frame)
        run = round((length - 2 * pad) * ease_out(p))
        a, b = pad, pad + run  # along the arrow, from its start
        if down:
            draw.rectangle((x - thick // 2, y + a, x + thick // 2, y + max(a, b - head // 2)), fill=colors.accent_soft)
            if b - a > head:
                tip = [(x, y + b), (x - head * 0.75, y + b - head), (x + head * 0.75, y + b - head)]
                draw.polygon(tip, fill=colors.accent_soft)
        else:
            draw.rectangle((x + a, y - thick // 2, x + max(a, b - head // 2), y + thick // 2), fill=colors.accent_soft)
            if b - a > head:
                draw.polygon([(x + b, y), (x + b - head, y - head * 0.75), (x + b - head, y + head * 0.75)],
                             fill=colors.accent_soft)  # fmt: skip
        if label and p >= 1.0:
            if down:  # beside the arrow's middle, to its right
                label.draw(draw, x + head * 1.5, y + length // 2 - label.height // 2, colors.accent_soft)
            else:
                left = x + length // 2 - label.width // 2  # centred on the arrow; it may be wider than the arrow
                label.draw(draw, left, y - head - label.height, colors.accent_soft, align="center",
                           box_width=label.width)  # fmt: skip

    return Element(start, 0.6, paint)


KIND = SlideKind(Spec, visuals.behind(build))
