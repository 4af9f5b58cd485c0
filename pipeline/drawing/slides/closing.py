"""`closing`: the last card, a centred statement with a few quieter lines, large enough to hold the frame."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from pydantic import Field

from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind
from pipeline.drawing.slides.chrome import background
from pipeline.drawing.slides.motion import grow_bar, sprite, text_sprite

#: With nothing beside them, the title and lines start this many times larger.
BARE_SCALE = 1.3


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
    grow = BARE_SCALE if canvas.bare else 1.0  # with nothing beside it, the card's type fills the frame
    # The lines at one size, the largest at which each fits: sibling lines look alike.
    fields = [f"lines.{i}" for i in range(len(spec.lines))]
    lines = canvas.fit_alike(
        list(spec.lines), "body", sizes.body * 1.2 * grow, fields=fields, width=width, height=safe.height * 0.18,
        max_lines=2,
    ) if spec.lines else []  # fmt: skip
    used = gap + rule_h + sum(gap + b.height for b in lines)
    title = canvas.fit(spec.title, "heading", sizes.title * 1.2 * grow, field="title", width=width,
                       height=safe.height - used, max_lines=3)  # fmt: skip
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
    return Slide(partial(background, canvas, ornament=canvas.bare), elements)


KIND = SlideKind(Spec, visuals.beside(build))
