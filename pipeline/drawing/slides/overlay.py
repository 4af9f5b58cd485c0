"""Text over a picture or footage: a title at the top and a caption with its credit in the lower third.

Each sits on a soft shade of the theme's darkest colour, so it stays legible
over any picture, bright or busy; nothing here draws the picture itself.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from pipeline.drawing.slides.base import Canvas, Element
from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.slides.motion import sprite, text_sprite


def title_over(canvas: Canvas, title: str | None) -> list[Element]:
    """The title at the top of the safe area over a shade falling from the frame's top edge."""
    if not title:
        return []
    theme, safe = canvas.theme, canvas.safe
    block = canvas.fit(title, "heading", theme.sizes.heading, field="title", width=safe.width * 0.8,
                       height=canvas.height * 0.25, max_lines=2)  # fmt: skip
    dense = safe.y0 + block.height + canvas.px(0.03)  # behind the text: the shade at its full strength
    shade = shade_image(canvas.width, dense + canvas.px(0.2), theme.colors.background_edge, dense)
    shade = shade.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return [
        sprite(shade, (0, 0), 0.1, 0.8),
        sprite(text_sprite(block, theme.colors.text), (safe.x0, safe.y0), 0.2, theme.motion.entrance,
               canvas.px(theme.motion.rise)),
    ]  # fmt: skip


def lower_third(canvas: Canvas, caption: str | None, credit: str | None) -> list[Element]:
    """The caption (one or two lines) and credit (small) in the lower third, with an accent bar beside them."""
    theme, safe = canvas.theme, canvas.safe
    sizes, colors, h = theme.sizes, theme.colors, canvas.height
    lines = [
        ("caption", caption, "body", sizes.body, h * 0.22, colors.text),
        ("credit", credit, "label", sizes.minimum, h * 0.1, colors.text),  # small, so in full contrast
    ]
    texts = [
        (canvas.fit(text, role, size, field=name, width=safe.width * 0.75, height=room, max_lines=2), color)
        for name, text, role, size, room, color in lines
        if text
    ]
    if not texts:
        return []
    gap = canvas.px(0.015)
    total = sum(block.height for block, _ in texts) + gap * (len(texts) - 1)
    dense = h - (safe.y1 - total) + canvas.px(0.03)  # behind the text: the shade at its full strength
    shade_top = h - dense - canvas.px(0.2)
    shade = shade_image(canvas.width, h - shade_top, colors.background_edge, dense)
    elements = [sprite(shade, (0, shade_top), 0.2, 0.8)]
    bar_w = max(2, canvas.px(0.008))
    y = safe.y1 - total
    bar = Image.new("RGBA", (bar_w, total), (*rgb(colors.accent), 255))
    elements.append(sprite(bar, (safe.x0, y), 0.4, theme.motion.entrance))
    x = safe.x0 + bar_w + canvas.px(0.025)
    for i, (block, color) in enumerate(texts):
        start = 0.5 + i * theme.motion.stagger
        elements.append(sprite(text_sprite(block, color), (x, y), start, theme.motion.entrance))
        y += block.height + gap
    return elements


#: The shade's opacity behind text over a picture: enough for 4.5:1 contrast on a white or a black frame
#: in both shipped themes (tests/test_slides.py measures it).
SHADE_ALPHA = 0.8


def shade_image(width: int, height: int, color: str, dense: int = 0) -> Image.Image:
    """``color`` from clear at the top to SHADE_ALPHA, which it holds over the last ``dense`` pixels (the text's)."""
    ramp = np.clip(np.arange(height, dtype=np.float32) / max(1, height - dense), 0.0, 1.0) ** 1.3
    alpha = np.repeat((ramp * SHADE_ALPHA * 255)[:, None], width, axis=1).astype(np.uint8)
    shade = Image.new("RGBA", (width, height), (*rgb(color), 0))
    shade.putalpha(Image.fromarray(alpha))
    return shade
