"""Fonts come from installed font packages (fontpkg-*), never from the system.

A FontBook is made per render from the theme and handed down explicitly; it
caches opened faces per size so a slide can measure text many times cheaply.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

import fontpkg
from fontpkg import FontFile, normalize_style, normalize_weight, select_file
from fontpkg.errors import FontpkgError
from PIL import ImageFont

from pipeline.errors import ExplainerError
from pipeline.slides.theme import Fonts, FontSpec


class FontMissing(ExplainerError):
    """A theme names a font family (or weight) that no installed package provides."""

    exit_code = 2

    def __init__(self, role: str, message: str):
        self.role = role
        super().__init__(message)


def installed_families() -> list[str]:
    return sorted(family.name for family in fontpkg.families().values())


def resolve(spec: FontSpec, role: str) -> FontFile:
    """The font file for ``spec``, or FontMissing with the names that would work."""
    try:
        family = fontpkg.family(spec.family)
        return select_file(family, normalize_weight(spec.weight), normalize_style(spec.style), True)
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
    def __init__(self, fonts: Fonts):
        self.fonts = fonts
        self._files: dict[str, FontFile] = {}
        for role in ("heading", "body", "figure", "quote", "label", "fallback"):
            spec = getattr(fonts, role)
            if spec is not None:
                self._files[role] = resolve(spec, role)
        self._faces: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}

    def face(self, role: str, size: int) -> ImageFont.FreeTypeFont:
        key = (role, size)
        if key not in self._faces:
            spec: FontSpec = getattr(self.fonts, role)
            file = self._files[role]
            font = ImageFont.truetype(str(file.path), size)
            if file.variable:
                _set_weight(font, spec.weight)
            self._faces[key] = font
        return self._faces[key]

    def fingerprint(self) -> str:
        """Hash of the font files' contents, for cache keys (not their paths or times)."""
        digest = hashlib.sha256()
        for role in sorted(self._files):
            digest.update(role.encode())
            digest.update(Path(self._files[role].path).read_bytes())
        return digest.hexdigest()


def _set_weight(font: ImageFont.FreeTypeFont, weight: int) -> None:
    values = []
    for axis in font.get_variation_axes():
        name = axis["name"].decode() if isinstance(axis["name"], bytes) else axis["name"]
        is_weight = name.strip().lower() in ("weight", "wght")
        values.append(float(weight) if is_weight else float(axis["default"]))
    font.set_variation_by_axes(values)
