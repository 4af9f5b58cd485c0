"""Icons by name, from Font Awesome Free's solid set (the ``fontawesomefree`` package; icons CC BY 4.0).

An icon is a glyph of the font, named as on fontawesome.com ('water', 'bolt',
'syringe', 'industry'): the font's own glyph names are the index, so every
free solid icon works and nothing is listed by hand. Nothing is downloaded.
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageDraw, ImageFont


@cache
def font_file() -> Path:
    import fontawesomefree

    return Path(fontawesomefree.__file__).parent / "static" / "fontawesomefree" / "webfonts" / "fa-solid-900.ttf"


@cache
def names() -> dict[str, str]:
    """Icon name -> the character that draws it."""
    cmap = TTFont(str(font_file()), lazy=True).getBestCmap() or {}
    out: dict[str, str] = {}
    for code, name in sorted(cmap.items()):
        out.setdefault(name, chr(code))
    return out


def problem(name: str) -> str | None:
    """Why ``name`` is no icon (with the closest names), or None."""
    if name in names():
        return None
    close = difflib.get_close_matches(name, list(names()), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return f"no icon '{name}'{hint}; icons are Font Awesome Free's solid ones, named as on fontawesome.com"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file()), size)


def draw(canvas_draw: ImageDraw.ImageDraw, name: str, centre: tuple[float, float], size: int, fill) -> None:
    """The icon ``name`` centred on ``centre``, ``size`` pixels tall."""
    canvas_draw.text(centre, names()[name], font=_font(max(1, size)), fill=fill, anchor="mm")
