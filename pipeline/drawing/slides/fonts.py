"""Fonts come from installed font packages (fontpkg-*, manimgx-fonts-cjk), never the system.

A FontBook is made per render from the theme and handed down explicitly; it
caches opened faces per size so a slide can measure text many times cheaply.
A Face draws with the role's font and, glyph by glyph, with the theme's
fallback font for characters the role's font lacks (Korean names such as
조선 in a Latin display face). A character neither has (emoji, Arabic,
Hebrew, Devanagari with the shipped fonts) is never drawn as an empty box:
the FontBook records it in ``missing`` as text is measured, and the fit
check reports it at the field that asked for it.
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import fontpkg
from fontpkg import normalize_style, normalize_weight, select_file
from fontpkg.errors import FontpkgError
from fontTools.ttLib import TTCollection, TTFont
from PIL import ImageDraw, ImageFont

from pipeline.core.assets import digest as file_digest
from pipeline.core.errors import ExplainerError
from pipeline.drawing.slides.theme import Fonts, FontSpec


class FontMissing(ExplainerError):
    """A theme names a font family (or weight) that no installed package provides."""

    exit_code = 2

    def __init__(self, role: str, message: str):
        self.role = role
        super().__init__(message)


@dataclass(frozen=True)
class FontFile:
    """One face in a font file: ``index`` picks the face inside a collection (.ttc)."""

    path: Path
    index: int
    variable: bool


@cache
def _cjk_faces() -> dict[str, FontFile]:
    """Noto Sans CJK from manimgx-fonts-cjk: one variable collection, a face per region."""
    import manimgx_fonts_cjk

    path = Path(manimgx_fonts_cjk.__file__).parent / "NotoSansCJK-VF.otf.ttc"
    if not path.is_file():
        return {}
    regions = ["JP", "KR", "SC", "TC", "HK"]
    return {f"Noto Sans CJK {r}": FontFile(path, i, True) for i, r in enumerate(regions)}


def installed_families() -> list[str]:
    return sorted([*(family.name for family in fontpkg.families().values()), *_cjk_faces()])


def resolve(spec: FontSpec, role: str) -> FontFile:
    """The font file for ``spec``, or FontMissing with the names that would work."""
    if spec.family in _cjk_faces():
        return _cjk_faces()[spec.family]
    try:
        family = fontpkg.family(spec.family)
        found = select_file(family, normalize_weight(spec.weight), normalize_style(spec.style), True)
        return FontFile(Path(found.path), 0, bool(found.variable))
    except FontpkgError:
        families = installed_families()
        close = difflib.get_close_matches(spec.family, families, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "installed: " + ", ".join(families)
        raise FontMissing(
            role,
            f"font family '{spec.family}' is not installed ({hint}); "
            "fonts come from PyPI font packages such as fontpkg-barlow",
        ) from None


class FontBook:
    def __init__(self, fonts: Fonts, *, glyphs: bool = True):
        self.fonts = fonts
        #: False: text is measured and laid out but never rasterized (a check's book: what fits and what cannot be
        #: drawn are known from the measures; drawing the glyphs was 0.5 s of a cold render's checks).
        self.glyphs = glyphs
        self._files: dict[str, FontFile] = {}
        for role in ("heading", "body", "figure", "quote", "label", "fallback"):
            spec = getattr(fonts, role)
            if spec is not None:
                self._files[role] = resolve(spec, role)
        self._fonts: dict[tuple[str, int, int], ImageFont.FreeTypeFont] = {}
        self._faces: dict[tuple[str, int], Face] = {}
        #: Characters asked for that no font of the book has, as text is measured or drawn.
        self.missing: set[str] = set()

    def _font(self, role: str, size: int, weight: int | None = None) -> ImageFont.FreeTypeFont:
        spec: FontSpec = getattr(self.fonts, role)
        weight = weight or spec.weight
        key = (role, size, weight)
        if key not in self._fonts:
            file = self._files[role]
            font = ImageFont.truetype(str(file.path), size, index=file.index)
            if file.variable:
                _set_weight(font, weight)
            self._fonts[key] = font
        return self._fonts[key]

    def face(self, role: str, size: int) -> Face:
        key = (role, size)
        if key not in self._faces:
            fallback, fallback_covers = None, frozenset[int]()
            if "fallback" in self._files and role != "fallback":
                # A variable fallback follows the role's weight, so 조선 in a bold heading is bold. Made when a
                # character first needs it: the CJK font is 3.3 MB of memory per size, 117 MB a scene worker.
                fallback = partial(self._font, "fallback", size, getattr(self.fonts, role).weight)
                fallback_covers = coverage(self._files["fallback"])
            covered = coverage(self._files[role])
            self._faces[key] = Face(
                self._font(role, size), covered, fallback, fallback_covers, self.missing, glyphs=self.glyphs
            )
        return self._faces[key]

    def undrawable(self, role: str, text: str) -> list[str]:
        """The characters of ``text`` that neither ``role``'s font nor the fallback has, in order, once each."""
        covered = coverage(self._files[role])
        if "fallback" in self._files:
            covered |= coverage(self._files["fallback"])
        return list(dict.fromkeys(c for c in text if not _invisible(c) and ord(c) not in covered))

    def fingerprint(self) -> str:
        """Hash of the font files' contents, for cache keys (not their paths or times)."""
        digest = hashlib.sha256()
        for role in sorted(self._files):
            file = self._files[role]
            digest.update(f"{role}:{file.index}".encode())
            digest.update(_file_digest(file.path))
        return digest.hexdigest()


@cache
def _file_digest(path: Path) -> bytes:
    # Cached: the CJK collection is 32 MB and every render asks for the fingerprint.
    return file_digest(path).encode()


@cache
def coverage(file: FontFile) -> frozenset[int]:
    """The code points ``file`` has glyphs for (read once per process from its cmap).

    Only the code points are wanted, not the glyphs' names: given numbered names, fontTools reads the CJK
    fallback's cmap in 0.04 s, where working out its 65,535 names from the font took 0.18 s (and 0.33 s in
    a scene job, for every process that draws)."""
    if file.path.suffix.lower() == ".ttc":
        font = TTCollection(str(file.path), lazy=True).fonts[file.index]
    else:
        font = TTFont(str(file.path), lazy=True)
    font.setGlyphOrder([f"glyph{i}" for i in range(font["maxp"].numGlyphs)])
    return frozenset(font.getBestCmap() or {})


#: Texts whose widths a face keeps (then it starts over): a slide's fitting measures a few hundred.
LENGTHS_KEPT = 4096


class Face:
    """A font at one size that borrows glyphs it lacks from a fallback font.

    Offers the few FreeTypeFont calls slides use (getlength, getbbox,
    getmetrics) over runs of text, and draws the runs side by side.
    """

    def __init__(
        self,
        font: ImageFont.FreeTypeFont,
        covered: frozenset[int],
        fallback: Callable[[], ImageFont.FreeTypeFont] | None = None,
        fallback_covers: frozenset[int] = frozenset(),
        missing: set[str] | None = None,
        *,
        glyphs: bool = True,
    ):
        self.font = font
        self._glyphs = glyphs
        self.size = font.size
        self._covered = covered
        #: Makes the fallback font, the first time a character needs it.
        self._fallback = fallback
        self._fallback_covers = fallback_covers
        self._missing = missing if missing is not None else set()
        #: Widths of texts the role's font draws whole, by text: fitting measures the same lines over and over
        #: (each wrap's trial lines, a dozen wraps to balance them, every size tried).
        self._lengths: dict[str, float] = {}
        #: Ink boxes of such texts, by text (a block's extent measures each of its lines at each size tried).
        self._boxes: dict[str, tuple[int, int, int, int]] = {}

    def runs(self, text: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
        """``text`` as runs of one font each (all the role's font without a fallback); notes missing characters."""
        if self._covered.issuperset(map(ord, text)):  # the common case, checked at C speed
            return [(self.font, text)] if text else []
        out: list[tuple[ImageFont.FreeTypeFont, str]] = []
        for char in text:
            code = ord(char)
            own = char.isspace() or code in self._covered
            if not own and code not in self._fallback_covers and not _invisible(char):
                self._missing.add(char)
            font = self.font if own or self._fallback is None else self._fallback()
            if out and out[-1][0] is font:
                out[-1] = (font, out[-1][1] + char)
            else:
                out.append((font, char))
        return out

    def getlength(self, text: str) -> float:
        if (known := self._lengths.get(text)) is not None:
            return known
        if not self._covered.issuperset(map(ord, text)):  # not kept: its runs note the characters no font has
            return sum(font.getlength(part) for font, part in self.runs(text))
        if len(self._lengths) >= LENGTHS_KEPT:
            self._lengths.clear()
        length = self._lengths[text] = self.font.getlength(text)
        return length

    def getmetrics(self) -> tuple[int, int]:
        return self.font.getmetrics()

    def getbbox(self, text: str, anchor: str = "ls") -> tuple[int, int, int, int]:
        """Ink box of ``text`` drawn at the origin with a left-baseline anchor."""
        if anchor != "ls":
            raise ValueError("Face.getbbox measures from the left baseline only")
        if (known := self._boxes.get(text)) is not None:
            return known
        if text and self._covered.issuperset(map(ord, text)):  # kept, as widths are (``getlength``)
            if len(self._boxes) >= LENGTHS_KEPT:
                self._boxes.clear()
            box = self._boxes[text] = self.font.getbbox(text, anchor="ls")
            return box
        x = 0.0
        boxes = []
        for font, part in self.runs(text):
            left, top, right, bottom = font.getbbox(part, anchor="ls")
            boxes.append((x + left, top, x + right, bottom))
            x += font.getlength(part)
        if not boxes:
            return (0, 0, 0, 0)
        return (
            round(min(b[0] for b in boxes)),
            min(b[1] for b in boxes),
            round(max(b[2] for b in boxes)),
            max(b[3] for b in boxes),
        )

    def draw(self, draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, fill, anchor: str = "ls") -> None:
        """Draw ``text`` on the baseline at ``xy``; ``anchor`` 'ls', 'ms' or 'rs' (left/middle/right)."""
        x, y = xy
        if anchor in ("ms", "rs"):
            x -= self.getlength(text) * (0.5 if anchor == "ms" else 1.0)
        elif anchor != "ls":
            raise ValueError(f"unsupported anchor {anchor!r}")
        for font, part in self.runs(text):
            if self._glyphs:
                draw.text((x, y), part, font=font, fill=fill, anchor="ls")
            x += font.getlength(part)


def _invisible(char: str) -> bool:
    """Spaces, controls and format characters (joiners, variation selectors): nothing to draw, so never missing."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F


def cannot_draw(chars: list[str]) -> str:
    """The message for characters no font has, naming each as a person can find it: '🚀' (U+1F680 ROCKET)."""
    named = ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')})" for c in chars[:3])
    named += f" and {len(chars) - 3} more" if len(chars) > 3 else ""
    it = "it" if len(chars) == 1 else "them"
    return (
        f"{named} cannot be drawn: none of the theme's fonts has {it} (the shipped fonts draw Latin, Greek, "
        f"Cyrillic, Chinese, Japanese and Korean text, not emoji or right-to-left scripts); remove {it} "
        f"or write {it} in words"
    )


def _set_weight(font: ImageFont.FreeTypeFont, weight: int) -> None:
    values = []
    for axis in font.get_variation_axes():
        name = axis["name"].decode() if isinstance(axis["name"], bytes) else axis["name"]
        is_weight = name.strip().lower() in ("weight", "wght")
        values.append(float(weight) if is_weight else float(axis["default"]))
    font.set_variation_by_axes(values)
