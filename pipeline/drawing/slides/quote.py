"""`quote`: a quotation in the serif quote face, with who said it."""

from __future__ import annotations

from functools import partial
from typing import Literal

from PIL import Image, ImageDraw, ImageFont
from pydantic import Field

from pipeline.drawing.slides import kinetic
from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind
from pipeline.drawing.slides.chrome import content_top, section_label
from pipeline.drawing.slides.motion import sprite, text_sprite
from pipeline.drawing.slides.problems import FitError

#: A quotation with nothing beside it starts at this many times the theme's quote size.
BARE_SCALE = 1.8


class Spec(visuals.WithVisual):
    kind: Literal["quote"]
    text: str = Field(min_length=1, max_length=260, description="The quotation, without quote marks.")
    attribution: str | None = Field(None, max_length=100, description="Who said or wrote it, and where.")


def build(spec: Spec, canvas: Canvas, context: SceneContext, large: bool | None = None) -> Slide:
    """The quotation after its mark. On a bare card (``large``) it is set large, the mark oversized (above the text
    in a tall frame); a quotation too long for that is set as beside a visual, on the bare card's ground."""
    if large is None and canvas.bare:
        try:
            return build(spec, canvas, context, large=True)
        except FitError:
            pass
    large = bool(large)
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    rise = canvas.px(motion.rise)
    top = content_top(canvas)
    width = round(safe.width * 0.84)
    mark = canvas.fonts.face("quote", canvas.px(0.4 if large else 0.26))  # oversized over a large quotation
    quote_mark = _glyph(mark.font, "\u201c", colors.accent)
    # The text starts after the mark's own width, so the two never touch; in a tall frame's large quotation the
    # mark stands above the text instead, which keeps the column's width.
    above = large and safe.height > safe.width
    mark_top, mark_bottom = quote_mark.getchannel("A").getbbox()[1::2]  # the ink's (the font's box is the line's)
    lead = mark_bottom - mark_top + canvas.px(0.02) if above else 0  # the mark's height over the text
    x = safe.x0 if above else safe.x0 + quote_mark.width + canvas.px(0.03)
    attribution = (
        canvas.fit(
            f"— {spec.attribution}",
            "label",
            sizes.label * 1.15,
            field="attribution",
            width=width - (x - safe.x0),
            height=canvas.px(0.06) * max(2, round(2 * canvas.narrowness)),  # two lines, more in a narrow column
            max_lines=2,
        )
        if spec.attribution
        else None
    )
    gap = canvas.px(0.04)
    room = safe.y1 - top - lead - (attribution.height + gap if attribution else 0)
    # With nothing beside it the quotation is set large, to its room (a short one in two or three lines).
    body = canvas.fit(
        spec.text, "quote", sizes.quote * (BARE_SCALE if large else 1.0), field="text",
        width=width - (x - safe.x0), height=room, max_lines=7,
    )  # fmt: skip
    total = lead + body.height + (gap + attribution.height if attribution else 0)
    y = top + (safe.y1 - top - total) // 2

    elements: list[Element] = []
    mark_y = y - mark_top if above else y - round(mark.size * 0.12)
    elements.append(sprite(quote_mark, (safe.x0, mark_y), 0.1, motion.entrance, 0))
    y += lead
    elements += kinetic.marks(body, (x, y), canvas, context, 0.3 + motion.entrance * 1.4)
    elements.append(sprite(text_sprite(body, colors.text), (x, y), 0.3, motion.entrance * 1.4, rise))
    if attribution:
        elements.append(
            sprite(
                text_sprite(attribution, colors.muted),
                (x, y + body.height + gap),
                0.3 + 2 * motion.stagger,
                motion.entrance,
                rise,
            )
        )
    return Slide(partial(section_label, canvas, context, ornament=canvas.bare), elements)


def _glyph(font: ImageFont.FreeTypeFont, char: str, color: str) -> Image.Image:
    left, _top, right, bottom = font.getbbox(char)
    image = Image.new("RGBA", (right - left + 2, bottom + 2), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((-left, 0), char, font=font, fill=color)
    return image


KIND = SlideKind(Spec, visuals.beside(build))
