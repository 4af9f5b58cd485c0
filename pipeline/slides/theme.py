"""Themes are data: colours, fonts, a type scale and spacing, loaded from YAML.

Sizes are fractions of the frame height, so one theme looks the same at 320x180
and at 1920x1080. Built-in themes live in ``pipeline/themes``; a project's
``assets/themes/NAME.yaml`` adds or overrides one, and may ``extends:`` another.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from pipeline.schema import Plain

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "themes"


def _hex_colour(value: str) -> str:
    if not HEX.match(value):
        raise ValueError(f"'{value}' is not a colour; write it as #rrggbb, e.g. #e63946")
    return value.lower()


Colour = Annotated[str, AfterValidator(_hex_colour)]


class FontSpec(Plain):
    family: str = Field(description="Font family installed from a font package, e.g. 'Barlow Condensed'.")
    weight: int = Field(400, ge=100, le=900)
    style: Literal["normal", "italic"] = "normal"


class Colors(Plain):
    background: Colour
    background_edge: Colour = Field(description="Colour the background fades to at the edges.")
    text: Colour
    muted: Colour
    accent: Colour
    accent_soft: Colour = Field(description="A quieter accent for secondary marks.")
    panel: Colour = Field(description="Fill of cards and chart plot areas.")
    grid: Colour


class Fonts(Plain):
    heading: FontSpec
    body: FontSpec
    figure: FontSpec
    quote: FontSpec
    label: FontSpec
    fallback: FontSpec | None = Field(
        None, description="Used per glyph for characters the main fonts lack (e.g. Korean)."
    )


class Sizes(Plain):
    """Type scale as fractions of the frame height."""

    title: float = Field(gt=0, le=0.3)
    heading: float = Field(gt=0, le=0.3)
    body: float = Field(gt=0, le=0.2)
    label: float = Field(gt=0, le=0.1)
    figure: float = Field(gt=0, le=0.5)
    quote: float = Field(gt=0, le=0.2)
    minimum: float = Field(0.035, gt=0, le=0.1, description="No text is drawn smaller than this.")


class Motion(Plain):
    entrance: float = Field(0.6, ge=0, le=3, description="Seconds an element takes to enter.")
    stagger: float = Field(0.35, ge=0, le=3, description="Seconds between elements entering.")
    rise: float = Field(0.03, ge=0, le=0.2, description="How far elements rise as they enter (of height).")


class Transition(Plain):
    style: Literal["dip", "cut"] = Field("dip", description="'dip': fade through a colour between scenes.")
    seconds: float = Field(0.5, ge=0, le=2, description="Length of the whole dip, split across the two scenes.")
    color: Colour | None = Field(None, description="Colour to dip through; defaults to the background's edge colour.")


class Captions(Plain):
    """How burned-in captions look (``explainer render --captions burn``)."""

    size: float = Field(0.042, gt=0, le=0.1, description="Caption text size (of height); never below sizes.minimum.")
    color: Colour | None = Field(None, description="Caption text colour; defaults to colors.text.")
    box: Colour | None = Field(None, description="Colour of the box behind the text; default colors.background_edge.")
    opacity: float = Field(0.8, ge=0, le=1, description="Opacity of the box (0: no box, 1: solid).")


class Theme(Plain):
    name: str
    colors: Colors
    fonts: Fonts
    sizes: Sizes
    margin: float = Field(0.05, ge=0.0, le=0.2, description="Title-safe margin, fraction of each side.")
    line_spacing: float = Field(1.12, ge=0.8, le=2.0)
    motion: Motion = Motion()
    transition: Transition = Transition()
    captions: Captions = Captions()


def theme_search_path(project_dir: Path | None) -> list[Path]:
    dirs = [project_dir / "assets" / "themes"] if project_dir else []
    return [*dirs, BUILTIN_DIR]


def available_themes(project_dir: Path | None) -> list[str]:
    names = {p.stem for d in theme_search_path(project_dir) if d.is_dir() for p in d.glob("*.yaml")}
    return sorted(names)


def find_theme_file(name: str, project_dir: Path | None) -> Path | None:
    for directory in theme_search_path(project_dir):
        candidate = directory / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    return None


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` onto ``base`` (mappings merge, everything else replaces)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
