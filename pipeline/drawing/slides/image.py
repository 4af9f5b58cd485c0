"""`image`: the author's picture, full frame, with a slow Ken Burns move and an optional caption.

The picture is scaled once to a little more than the frame; each frame is one
sub-pixel crop of it, scaled to the frame, so the move stays smooth and costs
one resample per frame. A video's frames are made so by ffmpeg
(sources/image.py); the drawing here gives stills, sheets and the preview.
The caption sits in the lower third over a soft shade that keeps it
readable on any picture.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError
from pydantic import Field

from pipeline.core.assets import nearby, not_regular
from pipeline.core.schema import Fraction
from pipeline.drawing.slides import overlay
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.slides.problems import SlideError

#: The most pixels a picture may have (a 40-megapixel photo is plenty for 4K video).
MAX_PIXELS = 40_000_000
#: How much larger than the frame the picture is scaled, i.e. the room the move has.
ZOOM = 1.12
#: Scene length assumed when drawing a still before the narration is known.
DEFAULT_DURATION = 8.0
#: A crop of the scaled picture: left, top, right, bottom, in its pixels.
Box4 = tuple[float, float, float, float]


class Spec(SpecBase):
    kind: Literal["image"]
    file: str = Field(min_length=1, description="Picture under the project folder, e.g. assets/images/river.jpg.")
    title: str | None = Field(None, max_length=70, description="A heading at the top, over a shade.")
    caption: str | None = Field(None, max_length=90, description="One or two lines in the lower third.")
    credit: str | None = Field(None, max_length=80, description="Where the picture comes from, in small type.")
    move: Literal["in", "out", "left", "right", "none"] = Field("in", description="The slow camera move.")
    focus: tuple[Fraction, Fraction] = Field(
        (0.5, 0.5), description="Point to move towards, as fractions of the picture's width and height."
    )

    def asset_files(self) -> list[str]:
        return [self.file]


def open_picture(path: Path, name: str) -> Image.Image:
    """The picture ``name`` (read from ``path``) as RGB, or a SlideError on 'file' that says what is wrong with it."""
    if not path.exists():
        raise SlideError(
            "file",
            f"no picture at '{name}' (looked for {path}){nearby(path, name) or '; put the file there or fix the path'}",
        )
    if kind := not_regular(path):
        raise SlideError("file", f"'{name}' is {kind}, not a regular file; give the path of a picture")
    if path.stat().st_size == 0:
        raise SlideError("file", f"'{name}' is empty (0 bytes); save or export the picture again")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise SlideError(
                        "file",
                        f"'{name}' is {image.width}x{image.height}, more than {MAX_PIXELS // 1_000_000} megapixels; "
                        "scale it down (3840x2160 is plenty)",
                    )
                image = ImageOps.exif_transpose(image)
                return _rgb(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise SlideError(
            "file",
            f"'{name}' is far larger than {MAX_PIXELS // 1_000_000} megapixels (Pillow refuses it as a possible "
            "decompression bomb); scale it down (3840x2160 is plenty)",
        ) from None
    except UnidentifiedImageError:
        raise SlideError("file", f"'{name}' is not a picture Pillow can read; use a PNG or JPEG") from None
    except OSError as exc:
        raise SlideError("file", f"'{name}' cannot be read ({exc}); re-export it as PNG or JPEG") from None


#: Modes Pillow opens 16-bit greyscale pictures in (PNG, TIFF): values from 0 to 65535, not 0 to 255.
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def _rgb(image: Image.Image) -> Image.Image:
    """``image`` as 8-bit RGB, its brightness kept.

    Pillow's own conversion clips a 16-bit greyscale picture's values at 255, so all but its darkest
    pixels became pure white: its values are scaled to 8 bits first (65535 -> 255).
    """
    if image.mode in _SIXTEEN_BIT:
        image = image.convert("I").point(lambda value: value / 257, "L")
    return image.convert("RGB")


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    picture = open_picture(context.asset(spec.file), spec.file)
    return drawn(spec, canvas, picture, duration(context), text_over(spec, canvas))


def duration(context: SceneContext) -> float:
    """How long the move lasts: the scene (or, before the narration is known, a typical scene)."""
    return context.duration or DEFAULT_DURATION


def drawn(spec: Spec, canvas: Canvas, picture: Image.Image, seconds: float, text: list[Element]) -> Slide:
    """The whole slide drawn here: the picture moving over ``seconds``, ``text`` (``text_over``'s) over it."""
    w, h = canvas.width, canvas.height
    elements = [_ken_burns(picture, w, h, spec.move, spec.focus, seconds), *text]
    edge = rgb(canvas.theme.colors.background_edge)
    return Slide(lambda: Image.new("RGB", (w, h), edge), elements)  # made when drawn: a layered scene never is


def text_over(spec: Spec, canvas: Canvas) -> list[Element]:
    """The title, caption and credit over the picture."""
    return overlay.title_over(canvas, spec.title) + overlay.lower_third(canvas, spec.caption, spec.credit)


def room(width: int, height: int) -> tuple[int, int]:
    """The size the picture is scaled to for a width x height frame: a little larger, the move's room."""
    return round(width * ZOOM), round(height * ZOOM)


def covered(picture: Image.Image, width: int, height: int, focus: tuple[float, float]) -> Image.Image:
    """Scale and crop ``picture`` to fill width x height, keeping ``focus`` in view."""
    return ImageOps.fit(picture, (width, height), Image.Resampling.LANCZOS, centering=focus)


def move_ends(spec: Spec, width: int, height: int) -> tuple[Box4, Box4]:
    """The move's first and last window on the scaled picture (``room``): the window moves from one to the other
    in a straight line at a steady speed, for every move."""
    sw, sh = room(width, height)
    return _window(spec.move, spec.focus, 0.0, sw, sh), _window(spec.move, spec.focus, 1.0, sw, sh)


def _window(move: str, focus: tuple[float, float], p: float, sw: int, sh: int) -> Box4:
    """The crop of the scaled picture shown at progress ``p`` (0 at the scene's start, 1 at its end)."""
    fx, fy = focus
    if move in ("left", "right"):
        scale = 1 / 1.05
        ww, wh = sw * scale, sh * scale
        travel = sw - ww
        x0 = travel * (1 - p) if move == "left" else travel * p
        y0 = (sh - wh) * fy
        return x0, y0, x0 + ww, y0 + wh
    if move == "none":
        p = 1.0
    elif move == "out":
        p = 1.0 - p
    # Zoom from the whole scaled picture to a 1/ZOOM crop around the focus point.
    scale = 1.0 - (1.0 - 1.0 / ZOOM) * p
    ww, wh = sw * scale, sh * scale
    x0 = (sw - ww) * fx
    y0 = (sh - wh) * fy
    return x0, y0, x0 + ww, y0 + wh


def _ken_burns(picture: Image.Image, w: int, h: int, move: str, focus: tuple[float, float], duration: float) -> Element:
    sw, sh = room(w, h)
    scaled: list[Image.Image] = []  # scaled on the first frame drawn, not when a layout is checked

    def paint(frame: Image.Image, p: float) -> None:
        if not scaled:
            scaled.append(covered(picture, sw, sh, focus))
        box = _window(move, focus, p, sw, sh)
        # resize() with a box is the separable (and anti-aliased) path: half the time of transform() at 1080p.
        frame.paste(scaled[0].resize((w, h), Image.Resampling.BILINEAR, box=box))

    # Starts before 0 so the very first frame already shows the picture.
    return Element(-1e-6, duration, paint)


KIND = SlideKind(Spec, build)
