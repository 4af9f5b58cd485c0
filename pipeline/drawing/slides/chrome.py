"""The parts every slide shares: the background and the small labels around content."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageColor, ImageDraw

from pipeline.drawing.slides import backdrop
from pipeline.drawing.slides import ornament as ornaments
from pipeline.drawing.slides.base import Canvas, Element, SceneContext
from pipeline.drawing.slides.motion import sprite, text_sprite
from pipeline.drawing.slides.theme import Shapes


def rgb(color: str) -> tuple[int, int, int]:
    return ImageColor.getrgb(color)[:3]


def background(canvas: Canvas, *, shapes: bool = True, ornament: bool = False) -> Image.Image:
    """The theme's background for this frame (backdrop.py: a gradient, paper or a flat colour, and its shapes), a
    copy to draw on. ``shapes=False``: without the theme's shapes (under a map, whose sea is the background);
    ``ornament``: with the theme's ornament (ornament.py), for a text card with nothing beside its text."""
    if canvas.backdrop is not None:  # the slide's own picture, faded under its text (no shapes over it)
        pictured = canvas.backdrop
        key = f"backdrop:{pictured.name}:{pictured.focus}:{pictured.dim}:{pictured.text}"
        if key not in canvas.memo:
            look = canvas.theme.backdrops
            if pictured.dim is not None:  # the picture's own: the far side keeps the theme's share of it
                look = look.model_copy(
                    update={"dim": pictured.dim, "open": look.open * pictured.dim / max(look.dim, 1e-6)}
                )
            keep = pictured.keep() if pictured.keep else None  # a map's lit regions, faded less
            picture, background_color = pictured.picture(), canvas.theme.colors.background
            canvas.memo[key] = backdrop.pictured(
                canvas.width, canvas.height, picture, pictured.focus, background_color, look, keep, pictured.text
            )
        return canvas.memo[key].copy()
    ornament = ornament and canvas.theme.ornament.style != "none"
    key = "background" if shapes else "background:plain"
    if ornament:
        if key + ":ornament" not in canvas.memo:
            pixels = np.array(background(canvas, shapes=shapes))
            theme = canvas.theme
            ornaments.draw(pixels, theme.ornament, theme.ornament.color or theme.colors.grid)
            canvas.memo[key + ":ornament"] = Image.fromarray(pixels)
        return canvas.memo[key + ":ornament"].copy()
    if key not in canvas.memo:
        theme = canvas.theme
        canvas.memo[key] = backdrop.made(
            canvas.width, canvas.height, theme.colors.background, theme.colors.background_edge, theme.background,
            theme.shapes if shapes else Shapes(),
        )  # fmt: skip
    return canvas.memo[key].copy()


def section_label(
    canvas: Canvas, context: SceneContext, base: Image.Image | None = None, *, ornament: bool = False
) -> Image.Image:
    """Background (or ``base``) with the chapter marker in the top-left corner: '02  THE NORTHERN ROUTE'.
    ``ornament``: the theme's ornament on the background (a text card with nothing beside its text)."""
    image = background(canvas, ornament=ornament) if base is None else base
    theme, safe = canvas.theme, canvas.safe
    size = canvas.min_text
    font = canvas.fonts.face("label", size)
    draw = ImageDraw.Draw(image)
    bar_w, bar_h = max(2, round(size * 0.9)), max(1, round(size * 0.16))
    ascent, _ = font.getmetrics()
    baseline = safe.y0 + ascent
    draw.rectangle(
        (safe.x0, baseline - size * 0.35 - bar_h / 2, safe.x0 + bar_w, baseline - size * 0.35 + bar_h / 2),
        fill=theme.colors.accent,
    )
    x = safe.x0 + bar_w + round(size * 0.5)
    number = f"{context.section_number:02d}"
    font.draw(draw, (x, baseline), number, theme.colors.accent)
    x += round(font.getlength(number + "  "))
    title = context.section_title.upper()
    # Shorten rather than overflow: the label is a signpost, not content.
    while title and x + font.getlength(title) > safe.x1:
        title = title[:-2].rstrip() + "…"
    font.draw(draw, (x, baseline), title, theme.colors.muted)
    return image


def heading(canvas: Canvas, text: str, y: int, *, room: float, gap: float) -> tuple[Element, int]:
    """A slide's heading at the top of the content (up to two lines in ``room`` of the safe height).

    Returns its entrance and the y below it plus ``gap`` (fractions of the frame height).
    """
    theme, safe = canvas.theme, canvas.safe
    block = canvas.fit(
        text, "heading", theme.sizes.heading, field="title", width=safe.width, height=safe.height * room, max_lines=2
    )
    element = sprite(
        text_sprite(block, theme.colors.text), (safe.x0, y), 0.1, theme.motion.entrance, canvas.px(theme.motion.rise)
    )
    return element, y + block.height + canvas.px(gap)


def content_top(canvas: Canvas) -> int:
    """Where content may start below the section label."""
    return canvas.safe.y0 + round(canvas.min_text * 2.2)


def source_line(canvas: Canvas, text: str, start: float) -> tuple[Element, int]:
    """'SOURCE: …' at the bottom-left of the safe area; returns it and its top y."""
    safe = canvas.safe
    lines = max(2, round(2 * canvas.narrowness))  # two lines wide; as many more as a portrait column is narrower
    block = canvas.fit(
        f"Source: {text}",
        "label",
        canvas.theme.sizes.minimum,
        field="source",
        width=safe.width,
        height=canvas.min_text * 1.3 * lines,
        max_lines=lines,
        balance=False,
    )
    image = text_sprite(block, canvas.theme.colors.muted)
    top = safe.y1 - block.height
    return sprite(image, (safe.x0, top), start, canvas.theme.motion.entrance), top


def frame_content(
    canvas: Canvas, title: str | None, source: str | None, *, room: float, gap: float, source_at: float = 0.2
) -> tuple[list[Element], int, int]:
    """A slide's heading and source line, when it has them, and the space left between them.

    Returns their entrances and the top and bottom of the room for the slide's content.
    """
    elements: list[Element] = []
    top, bottom = content_top(canvas), canvas.safe.y1
    if source:
        line, source_top = source_line(canvas, source, source_at)
        elements.append(line)
        bottom = source_top - canvas.px(0.02)
    if title:
        element, top = heading(canvas, title, top, room=room, gap=gap)
        elements.append(element)
    return elements, top, bottom


def axis_titles(
    canvas: Canvas, x_title: str | None, y_title: str | None, top: int, bottom: int, size: float
) -> tuple[list[Element], int, int]:
    """What a plot's axes measure: the y title above it on the left, the x title under it, centred.

    ``size`` is the labels' size (a fraction of the short side); the titles are drawn at it, muted.
    Returns their entrances and the room left for the plot.
    """
    safe, theme = canvas.safe, canvas.theme
    elements: list[Element] = []
    for field, text in (("x_title", x_title), ("y_title", y_title)):
        if not text:
            continue
        block = canvas.fit(text, "label", size, field=field, width=safe.width, height=canvas.px(0.08),
                           max_lines=1, balance=False)  # fmt: skip
        align = "center" if field == "x_title" else "left"
        image = text_sprite(block, theme.colors.muted, align=align, width=safe.width)
        at = (safe.x0, bottom - block.height) if field == "x_title" else (safe.x0, top)
        elements.append(sprite(image, at, 0.2, theme.motion.entrance, 0))
        if field == "x_title":
            bottom -= block.height + canvas.px(0.01)
        else:
            top += block.height + canvas.px(0.006)
    return elements, top, bottom
