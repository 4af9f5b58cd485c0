"""`closing`: the last card, a centred statement with a few quieter lines, large enough to hold the frame."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from pydantic import Field

from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind
from pipeline.drawing.slides.chrome import background
from pipeline.drawing.slides.motion import grow_bar, sprite, text_sprite


class Spec(visuals.WithVisual):
    kind: Literal["closing"]
    title: str = Field(min_length=1, max_length=80)
    lines: list[Annotated[str, Field(min_length=1, max_length=70)]] = Field(
        default_factory=list, max_length=4, description="Short lines under the title."
    )


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    rise = canvas.px(motion.rise)
    width = round(safe.width * 0.9)
    gap = canvas.px(0.035)
    rule_h, rule_w = canvas.px(0.008), canvas.px(0.14)
    lines = [
        canvas.fit(
            line, "body", sizes.body * 1.2, field=f"lines.{i}", width=width, height=safe.height * 0.18, max_lines=2
        )
        for i, line in enumerate(spec.lines)
    ]
    used = gap + rule_h + sum(gap + b.height for b in lines)
    title = canvas.fit(
        spec.title, "heading", sizes.title * 1.2, field="title", width=width, height=safe.height - used, max_lines=3
    )
    y = safe.y0 + (safe.height - used - title.height) // 2
    x = safe.x0 + (safe.width - width) // 2  # the column's middle: a visual may have the rest
    elements: list[Element] = [
        sprite(text_sprite(title, colors.text, "center", width), (x, y), 0.2, motion.entrance * 1.5, rise)
    ]
    y += title.height + gap
    elements.append(
        grow_bar(safe.x0 + (safe.width - rule_w) // 2, y, rule_w, rule_h, colors.accent, 0.2 + motion.stagger)
    )
    y += rule_h
    for i, block in enumerate(lines):
        y += gap
        start = 0.2 + (i + 2) * motion.stagger
        elements.append(sprite(text_sprite(block, colors.muted, "center", width), (x, y), start, motion.entrance, rise))
        y += block.height
    return Slide(partial(background, canvas), elements)


KIND = SlideKind(Spec, visuals.beside(build))
