"""Entrances: easing curves and the sprite element (fade and rise).

Text and shapes that do not change while they enter are drawn once into an
RGBA sprite; each entrance frame only pastes it with scaled alpha and offset.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from pipeline.drawing.slides.base import Element
from pipeline.drawing.slides.easing import ease_in_out, ease_out

__all__ = ["ease_in_out", "ease_out", "grow_bar", "sprite", "text_sprite"]
from pipeline.drawing.slides.text import Align, TextBlock


def sprite(image: Image.Image, xy: tuple[int, int], start: float, duration: float, rise: int = 0) -> Element:
    """An element that fades in while rising ``rise`` pixels into place."""
    alpha = image.getchannel("A")

    def paint(frame: Image.Image, p: float) -> None:
        x, y = xy
        if p >= 1.0:
            frame.paste(image, (x, y), alpha)
            return
        e = ease_out(p)
        faded = alpha.point(lambda a: round(a * e))
        frame.paste(image, (x, y + round(rise * (1.0 - e))), faded)

    return Element(start, duration, paint)


def text_sprite(block: TextBlock, fill: str, align: Align = "left", width: int | None = None) -> Image.Image:
    """The block drawn on a transparent sprite exactly its size (``width`` for alignment)."""
    w = width if width is not None else block.width
    image = Image.new("RGBA", (max(1, w), max(1, block.height)), (0, 0, 0, 0))
    block.draw(ImageDraw.Draw(image), 0, 0, fill, align=align, box_width=w)
    return image


def grow_bar(x: int, y: int, width: int, height: int, color: str, start: float, duration: float = 0.5) -> Element:
    """A bar that draws itself from left to right (accent rules under titles)."""

    def paint(frame: Image.Image, p: float) -> None:
        right = x + max(1, round(width * ease_out(p))) - 1
        ImageDraw.Draw(frame).rectangle((x, y, right, y + height - 1), fill=color)

    return Element(start, duration, paint)
