"""Icons by name, from Font Awesome Free's solid set (the ``fontawesomefree`` package; icons CC BY 4.0).

An icon is a glyph of the font, named as on fontawesome.com ('water', 'bolt',
'syringe', 'industry'): the font's own glyph names are the index, so every
free solid icon works and nothing is listed by hand. Nothing is downloaded.
"""

from __future__ import annotations

import difflib
import re
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
    close = _close(name)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return f"no icon '{name}'{hint}; icons are Font Awesome Free's solid ones, named as on fontawesome.com"


def _close(name: str, n: int = 4) -> list[str]:
    """Icon names close to ``name``: icons Font Awesome lists under it as a search term ('boat': 'ferry',
    'ship'), then names spelled alike ('rainbow' for 'rain-bow'), then names holding one of its words or a word
    it starts ('rain-drop': 'cloud-rain', 'droplet'), the shortest first."""
    known = list(names())
    words = [w for w in re.split(r"[-_ ]+", name.lower()) if len(w) >= 3]
    close: list[str] = []
    for word in words:  # two for each word: 'rain-drop' gets rain's and drop's
        close += [k for k in _searched(word) if k in names() and k not in close][:2]
    close += [k for k in difflib.get_close_matches(name, known, n=2, cutoff=0.6) if k not in close]
    for word in words:
        holding = sorted((k for k in known if any(part.startswith(word) for part in k.split("-"))), key=len)
        close += [k for k in holding[:2] if k not in close]
    return close[:n]


def _searched(word: str) -> list[str]:
    """Solid icons whose search terms in Font Awesome's metadata (shipped beside its fonts) include ``word``,
    those named after it first, then the shortest names."""
    return sorted(
        (key for key, terms in _search_terms().items() if word in terms),
        key=lambda key: (word not in key.split("-"), len(key), key),
    )


@cache
def _search_terms() -> dict[str, frozenset[str]]:
    """Each solid icon's search terms, from Font Awesome's metadata (read only once a name is not an icon: 4 MB
    of JSON, 0.16 s)."""
    import json

    path = font_file().parents[1] / "metadata" / "icons.json"
    try:
        icons = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        key: frozenset((icon.get("search") or {}).get("terms") or ())
        for key, icon in icons.items()
        if "solid" in icon.get("styles", ())
    }


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file()), size)


def draw(canvas_draw: ImageDraw.ImageDraw, name: str, centre: tuple[float, float], size: int, fill) -> None:
    """The icon ``name`` centred on ``centre``, ``size`` pixels tall."""
    canvas_draw.text(centre, names()[name], font=_font(max(1, size)), fill=fill, anchor="mm")
