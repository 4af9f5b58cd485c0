"""`stat`: one big figure that counts up on entry, with a label and a source."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.schema import Figure
from pipeline.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.slides.chrome import content_top, section_label, source_line
from pipeline.slides.motion import ease_out, sprite, text_sprite


class Spec(SpecBase):
    kind: Literal["stat"]
    value: Figure = Field(description="The figure, as a plain number: 34000, 3.5.")
    prefix: str = Field("", max_length=4, description="Before the number, e.g. '$'.")
    suffix: str = Field("", max_length=12, description="After the number, e.g. '+', '%', ' million'.")
    decimals: int | None = Field(None, ge=0, le=3, description="Digits after the point (default: as written).")
    label: str = Field(min_length=1, max_length=80, description="What the figure counts.")
    source: str | None = Field(None, max_length=100, description="Where the figure comes from.")
    count_up: bool = Field(True, description="Count up from zero on entry.")


def format_value(spec: Spec, value: float) -> str:
    decimals = spec.decimals if spec.decimals is not None else (0 if float(spec.value).is_integer() else 1)
    return f"{spec.prefix}{value:,.{decimals}f}{spec.suffix}"


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    top = content_top(canvas)
    elements: list[Element] = []
    bottom = safe.y1
    if spec.source:
        source, source_top = source_line(canvas, spec.source, 0.3 + 2 * motion.stagger)
        elements.append(source)
        bottom = source_top - canvas.px(0.03)
    gap = canvas.px(0.025)
    label = canvas.fit(
        spec.label,
        "heading",
        sizes.heading * 0.72,
        field="label",
        width=round(safe.width * 0.78),
        height=(bottom - top) * 0.45,
        max_lines=3,
    )
    figure = canvas.fit(
        format_value(spec, spec.value),
        "figure",
        sizes.figure,
        field="value",
        width=safe.width,
        height=bottom - top - label.height - gap,
        max_lines=1,
        balance=False,
    )
    y = top + (bottom - top - figure.height - gap - label.height) // 2
    elements.append(
        _count_up(
            spec,
            figure.font,
            figure.ascent,
            figure.height,
            safe.x0,
            y,
            colors.accent,
            0.2,
            1.2 if spec.count_up else motion.entrance,
        )
    )
    y += figure.height + gap
    elements.append(
        sprite(
            text_sprite(label, colors.text), (safe.x0, y), 0.2 + motion.stagger, motion.entrance, canvas.px(motion.rise)
        )
    )
    return Slide(section_label(canvas, context), elements)


def _count_up(spec, font, ascent, height, x, y, color, start, duration) -> Element:
    width = round(font.getlength(format_value(spec, spec.value))) + 2

    def paint(frame: Image.Image, p: float) -> None:
        e = ease_out(p)
        value = spec.value * e if spec.count_up else spec.value
        layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        font.draw(ImageDraw.Draw(layer), (0, ascent), format_value(spec, value), color)
        alpha = layer.getchannel("A")
        if p < 1.0:
            fade = min(1.0, p * 4)
            alpha = alpha.point(lambda a: round(a * fade))
        frame.paste(layer, (x, y), alpha)

    return Element(start, duration, paint)


KIND = SlideKind(Spec, build)
