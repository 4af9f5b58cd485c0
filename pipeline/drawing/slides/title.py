"""`title`: the video's title card, or any big headline with an optional subtitle."""

from __future__ import annotations

from functools import partial
from typing import Literal

from pydantic import Field

from pipeline.drawing.slides import kinetic
from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind
from pipeline.drawing.slides.chrome import background
from pipeline.drawing.slides.motion import grow_bar, sprite, text_sprite

#: A headline with nothing beside it starts at this many times the theme's title size (1.2 beside a visual).
BARE_SCALE = 1.9


class Spec(visuals.WithVisual):
    kind: Literal["title"]
    title: str = Field(min_length=1, max_length=80, description="The headline.")
    subtitle: str | None = Field(None, max_length=120, description="One or two lines under the headline.")
    kicker: str | None = Field(None, max_length=40, description="A short label above the headline.")


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    gap = canvas.px(0.03)
    rule_h = canvas.px(0.009)
    width = round(safe.width * 0.86)

    kicker = (
        canvas.fit(
            spec.kicker.upper(), "label", sizes.label, field="kicker", width=width, height=canvas.px(0.12), max_lines=1
        )
        if spec.kicker
        else None
    )
    subtitle = (
        canvas.fit(
            spec.subtitle,
            "body",
            sizes.body,
            field="subtitle",
            width=round(safe.width * 0.7),
            height=safe.height * 0.3,
            max_lines=3,
        )
        if spec.subtitle
        else None
    )
    used = (kicker.height + gap if kicker else 0) + gap + rule_h + (gap + subtitle.height if subtitle else 0)
    # With nothing beside it the headline is the picture: it starts larger, as a poster's, and shrinks to its room.
    scale = (BARE_SCALE if not subtitle else BARE_SCALE * 0.85) if canvas.bare else 1.2
    title = canvas.fit(
        spec.title, "heading", sizes.title * scale, field="title", width=width, height=safe.height - used, max_lines=3
    )

    total = used + title.height
    y = safe.y0 + (safe.height - total) // 2
    rise = canvas.px(motion.rise)
    elements: list[Element] = []
    t = 0.15
    if kicker:
        elements.append(sprite(text_sprite(kicker, colors.accent), (safe.x0, y), t, motion.entrance, rise))
        y += kicker.height + gap
        t += motion.stagger
    elements += kinetic.marks(title, (safe.x0, y), canvas, context, t + motion.entrance)
    elements.append(sprite(text_sprite(title, colors.text), (safe.x0, y), t, motion.entrance, rise))
    y += title.height + gap
    elements.append(grow_bar(safe.x0, y, canvas.px(0.16), rule_h, colors.accent, t + motion.stagger))
    y += rule_h + gap
    if subtitle:
        elements.append(
            sprite(text_sprite(subtitle, colors.muted), (safe.x0, y), t + 2 * motion.stagger, motion.entrance, rise)
        )
    return Slide(partial(background, canvas, ornament=canvas.bare), elements)


KIND = SlideKind(Spec, visuals.beside(build))
