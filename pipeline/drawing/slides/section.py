"""`section`: the chapter card that opens a section: a large number and the chapter's title.

The number stands beside the title, a rule between them; in a portrait frame
it stands above, the rule under it, so the title has the column's width. The
card is a poster: the numeral nearly the frame's height, the title at full size.
"""

from __future__ import annotations

from functools import partial
from typing import Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind
from pipeline.drawing.slides.chrome import background
from pipeline.drawing.slides.motion import ease_out, grow_bar, sprite, text_sprite
from pipeline.drawing.slides.problems import FitError


class Spec(visuals.WithBackdrop):
    kind: Literal["section"]
    title: str | None = Field(None, max_length=80, description="Chapter title; defaults to the section's title.")
    subtitle: str | None = Field(None, max_length=90, description="One line under the title.")


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    if canvas.safe.height > canvas.safe.width:
        return _stacked(spec, canvas, context)
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    rise = canvas.px(motion.rise)

    # The card fills the frame: a numeral nearly the frame's height, the title at full title size beside it.
    number = canvas.fit(
        f"{context.section_number:02d}",
        "figure",
        sizes.figure * 2.0,
        field="title",
        width=safe.width * (0.36 if canvas.narrowness == 1.0 else 0.3),  # a square frame keeps room for the title
        height=safe.height * 0.8,
        max_lines=1,
    )
    rule_w = max(2, canvas.px(0.006))
    gap = canvas.px(0.05)
    text_x = safe.x0 + number.width + gap * 2 + rule_w
    text_w = safe.x1 - text_x
    subtitle = (
        canvas.fit(
            spec.subtitle,
            "body",
            sizes.body * 1.25,
            field="subtitle",
            width=text_w,
            height=safe.height * 0.25,
            max_lines=2,
        )
        if spec.subtitle
        else None
    )
    inner_gap = canvas.px(0.03)
    room = safe.height * 0.8 - (subtitle.height + inner_gap if subtitle else 0)
    title = canvas.fit(
        spec.title or context.section_title,
        "heading",
        sizes.title * 1.15,
        field="title",
        width=text_w,
        height=room,
        max_lines=3,
    )
    text_h = title.height + (inner_gap + subtitle.height if subtitle else 0)
    block_h = max(number.height, text_h)
    top = safe.y0 + (safe.height - block_h) // 2

    elements: list[Element] = [
        sprite(
            text_sprite(number, colors.accent),
            (safe.x0, top + (block_h - number.height) // 2),
            0.1,
            motion.entrance,
            rise,
        ),
        _grow_down(safe.x0 + number.width + gap, top, rule_w, block_h, colors.grid, 0.3, motion.entrance),
    ]
    y = top + (block_h - text_h) // 2
    elements.append(sprite(text_sprite(title, colors.text), (text_x, y), 0.45, motion.entrance, rise))
    if subtitle:
        y += title.height + inner_gap
        elements.append(
            sprite(text_sprite(subtitle, colors.muted), (text_x, y), 0.45 + motion.stagger, motion.entrance, rise)
        )
    return Slide(partial(background, canvas, ornament=canvas.bare), elements)


def _stacked(spec: Spec, canvas: Canvas, context: SceneContext, big: bool | None = None) -> Slide:
    """The card in a portrait frame: the number, a rule under it, then the title and subtitle across the column.

    On a bare card the numeral is the poster (``big``): as wide as the column allows and up to half its height,
    unless the title then does not fit under it."""
    if big is None and canvas.bare:
        try:
            return _stacked(spec, canvas, context, big=True)
        except FitError:
            pass
    big = bool(big)
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    rise, gap, inner_gap = canvas.px(motion.rise), canvas.px(0.04), canvas.px(0.03)
    number = canvas.fit(f"{context.section_number:02d}", "figure", sizes.figure * (2.6 if big else 1.6), field="title",
                        width=safe.width * (0.9 if big else 0.6), height=safe.height * (0.5 if big else 0.3),
                        max_lines=1)  # fmt: skip
    subtitle = (
        canvas.fit(
            spec.subtitle,
            "body",
            sizes.body,
            field="subtitle",
            width=safe.width,
            height=safe.height * 0.25,
            max_lines=2,
        )
        if spec.subtitle
        else None
    )
    rule_h = max(2, canvas.px(0.006))
    room = safe.height * 0.9 - number.height - 2 * gap - rule_h - (subtitle.height + inner_gap if subtitle else 0)
    title = canvas.fit(spec.title or context.section_title, "heading", sizes.title, field="title",
                       width=safe.width, height=room, max_lines=3)  # fmt: skip
    blocks = [number.height, gap + rule_h + gap, title.height, *([inner_gap + subtitle.height] if subtitle else [])]
    y = safe.y0 + (safe.height - sum(blocks)) // 2
    elements: list[Element] = [sprite(text_sprite(number, colors.accent), (safe.x0, y), 0.1, motion.entrance, rise)]
    y += number.height + gap
    elements.append(grow_bar(safe.x0, y, round(safe.width * 0.25), rule_h, colors.grid, 0.3, motion.entrance))
    y += rule_h + gap
    elements.append(sprite(text_sprite(title, colors.text), (safe.x0, y), 0.45, motion.entrance, rise))
    if subtitle:
        y += title.height + inner_gap
        elements.append(
            sprite(text_sprite(subtitle, colors.muted), (safe.x0, y), 0.45 + motion.stagger, motion.entrance, rise)
        )
    return Slide(partial(background, canvas, ornament=canvas.bare), elements)


def _grow_down(x: int, y: int, width: int, height: int, color: str, start: float, duration: float) -> Element:
    """A vertical rule that draws itself from the top down."""

    def paint(frame: Image.Image, p: float) -> None:
        bottom = y + max(1, round(height * ease_out(p))) - 1
        ImageDraw.Draw(frame).rectangle((x, y, x + width - 1, bottom), fill=color)

    return Element(start, duration, paint)


KIND = SlideKind(Spec, visuals.behind(build))
