"""What every drawn slide stands on, as the theme says: a gradient, paper or a flat colour, and its shapes.

Made here from numbers alone, never from a picture file: the paper's grain is value noise from a fixed seed,
the same at every run and on every machine, and its features are sized from the frame's short side, so a
320x180 frame shows the same paper as a 1920x1080 one. A background is made once per frame size and theme
(``made``) and copied for each slide.

Texture costs bits in every key frame (two a second, holds included): static per-pixel noise multiplied a
scene's file by 15 and its encode time by 2 (1080p, CRF 18), and a grain of one level over this paper still made
its key frames 5 times as large. So the paper has no grain: soft mottling, features many pixels wide, and a few
clear fibres, which key frames hold in 2.9 times the bits of the plain gradient's (156 against 54 KB a second of
background alone at 1080p).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFilter, ImageOps

from pipeline.drawing.slides.theme import Backdrops, Background, Shapes

#: Rows worked out at once: whole, a 1080p frame's float temporaries took 100 MB at once.
BAND = 64
#: The paper is made for a frame whose short side is this many pixels, and resized to the frame's: the same sheet
#: at every size (a small frame averages its finest grain away).
REFERENCE = 1080
#: Its mottling, soft clouds of a denser and a thinner sheet: (cell size, as a fraction of the short side, and
#: strength in levels of 0-255 at texture 1). The finest breaks up the contours 8-bit levels would draw.
MOTTLING = ((0.3, 2.2), (0.06, 1.2), (0.02, 0.8))
#: Its fibres: how many to a 1920x1080 sheet, their length range (of the short side) and strength in levels:
#: few and clear, so that they outlive the encoder.
FIBRES, FIBRE_LENGTH, FIBRE_LEVELS = 350, (0.006, 0.03), 12.0
#: Seed of the paper's noise: the paper is the same sheet at every render.
SEED = 1867


def _rgb(color: str) -> tuple[int, int, int]:
    return ImageColor.getrgb(color)[:3]


def made(width: int, height: int, inner: str, outer: str, background: Background, shapes: Shapes) -> Image.Image:
    """The background for a frame of this size (kept for the few sizes a render draws; copy before drawing on it)."""
    return _made(width, height, inner, outer, background, shapes)


@lru_cache(maxsize=6)
def _made(width: int, height: int, inner: str, outer: str, background: Background, shapes: Shapes) -> Image.Image:
    if background.style == "flat":
        pixels = np.empty((height, width, 3), dtype=np.uint8)
        pixels[:] = _rgb(inner)
    else:
        grain = paper(width, height, background.texture) if background.style == "paper" else None
        pixels = gradient(width, height, _rgb(inner), _rgb(outer), grain)
    if shapes.style != "none":
        tones = shapes.colors or (_shade(inner, 0.07), _shade(inner, -0.07))
        _shapes(pixels, shapes.style, (_rgb(tones[0]), _rgb(tones[1])))
    return Image.fromarray(pixels)


#: How much less a picture fades where its ``keep`` mask is full (a map's lit regions).
KEPT = 0.6
#: Under a lower third: the picture fades from these heights of the frame (from its top) to full ``dim`` at the
#: second; above, it keeps this share of the theme's ``open`` fade (a full-bleed picture is shown, not washed).
LOWER, LOWER_OPEN = (0.42, 0.66), 0.3


def pictured(
    width: int, height: int, picture: Image.Image, focus: tuple[float, float], color: str, look: Backdrops,
    keep: Image.Image | None = None, text: str = "start",
) -> Image.Image:  # fmt: skip
    """A slide's own picture as its background: covering the frame with ``focus`` in view, softened by
    ``look.blur``, and faded towards ``color`` by ``look.dim`` where the text starts (the left of a wide frame, the
    top of a tall one) easing to ``look.open`` across the frame, so the text reads and the picture shows where
    nothing is drawn over it. Where ``keep`` (a mask the picture's size) is full, it fades KEPT less: a map's lit
    country, washed with the rest, was a tint one could hardly see (in the flat look, a mauve).

    ``text``: where the text is. At the frame's 'start' as above; at its 'end' the fade runs the other way (the text
    of a wide frame on the right); 'lower', a lower third: the picture shows whole above, faded by ``look.open``
    at most, and fades to ``look.dim`` over the band between LOWER's two heights, under the text."""
    image = ImageOps.fit(picture.convert("RGB"), (width, height), Image.Resampling.LANCZOS, centering=focus)
    if look.blur > 0:
        image = image.filter(ImageFilter.GaussianBlur(look.blur * min(width, height)))
    wide = width >= height and text != "lower"
    across = np.linspace(0.0, 1.0, width if wide else height, dtype=np.float32)
    if text == "end":
        across = across[::-1]
    if text == "lower":
        lo, hi = LOWER
        t = np.clip((across - lo) / (hi - lo), 0.0, 1.0)
        fade = look.open * LOWER_OPEN + (look.dim - look.open * LOWER_OPEN) * (t * t * (3 - 2 * t))
    else:
        fade = look.dim + (look.open - look.dim) * (across * across * (3 - 2 * across))  # smoothstep: no visible edge
    fade = fade[None, :, None] if wide else fade[:, None, None]
    if keep is not None:
        kept = ImageOps.fit(keep.convert("L"), (width, height), Image.Resampling.BILINEAR, centering=focus)
        fade = fade * (1 - KEPT * np.asarray(kept, dtype=np.float32)[..., None] / 255)
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels * (1 - fade) + np.array(_rgb(color), dtype=np.float32) * fade
    return Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))


def gradient(
    width: int, height: int, inner: tuple[int, int, int], outer: tuple[int, int, int], grain: np.ndarray | None = None
) -> np.ndarray:
    """A soft radial falloff from ``inner`` to ``outer`` (centred a little left and up, where the content sits),
    with ``grain`` (levels to add, one per pixel) over it."""
    inner_f = np.array(inner, dtype=np.float32)
    outer_f = np.array(outer, dtype=np.float32)
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    out = np.empty((height, width, 3), dtype=np.uint8)
    for top in range(0, height, BAND):
        rows = slice(top, top + BAND)
        d = np.sqrt(((xs + 0.25) / 1.3) ** 2 + ((ys[rows] + 0.1) / 1.1) ** 2)
        k = np.clip(d, 0.0, 1.0)[..., None] ** 1.6
        pixels = inner_f * (1 - k) + outer_f * k
        if grain is not None:
            pixels += grain[rows][..., None]
        out[rows] = np.clip(pixels + 0.5, 0, 255).astype(np.uint8)
    return out


def paper(width: int, height: int, strength: float) -> np.ndarray:
    """Levels to add to each pixel for a sheet of paper, from one seed: soft mottling and short fibres lying every
    way."""
    scale = REFERENCE / min(width, height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    rng = np.random.default_rng(SEED)
    sheet = np.zeros((h, w), dtype=np.float32)
    for cell, levels in MOTTLING:
        # Value noise: a grid of random values a cell apart, smoothed up to the sheet.
        size = cell * REFERENCE
        cols, rows = math.ceil(w / size) + 3, math.ceil(h / size) + 3
        cells = Image.fromarray(rng.standard_normal((rows, cols), dtype=np.float32))
        field = cells.resize((w, h), Image.Resampling.BICUBIC, box=(1, 1, 1 + w / size, 1 + h / size))
        sheet += np.asarray(field, dtype=np.float32) * levels
    # Fibres: short strokes a pixel wide, some lighter and some darker than the sheet, softened a little.
    fibres = Image.new("L", (w, h), 128)
    draw = ImageDraw.Draw(fibres)
    count = round(FIBRES * w * h / (1920 * 1080))
    xs, ys = rng.uniform(0, w, count), rng.uniform(0, h, count)
    angles = rng.uniform(0, math.pi, count)
    lengths = rng.uniform(*FIBRE_LENGTH, count) * REFERENCE
    tones = np.where(rng.random(count) < 0.6, 1, -1) * rng.uniform(0.4, 1.0, count) * FIBRE_LEVELS
    bends = rng.uniform(-0.15, 0.15, count)
    for x, y, a, n, t, bend in zip(xs, ys, angles, lengths, tones, bends, strict=True):
        # A fibre bends a little: its middle is pushed off the straight line, across it.
        dx, dy = math.cos(a) * n / 2, math.sin(a) * n / 2
        mx, my = x - dy * bend * 2, y + dx * bend * 2
        draw.line((x - dx, y - dy, mx, my, x + dx, y + dy), fill=128 + round(t * 4), width=1, joint="curve")
    soft = np.asarray(fibres.filter(ImageFilter.GaussianBlur(0.7)), dtype=np.float32)
    sheet += (soft - 128) / 4
    if (w, h) != (width, height):
        sheet = np.asarray(Image.fromarray(sheet).resize((width, height), Image.Resampling.BOX))
    return sheet * strength


def _shade(color: str, amount: float) -> str:
    """``color`` moved ``amount`` of the way to white (positive) or black (negative)."""
    target = 255 if amount > 0 else 0
    r, g, b = (round(c + (target - c) * abs(amount)) for c in _rgb(color))
    return f"#{r:02x}{g:02x}{b:02x}"


def _shapes(pixels: np.ndarray, style: str, tones: tuple[tuple[int, int, int], tuple[int, int, int]]) -> None:
    """Draw the shapes into ``pixels``, anti-aliased (coverage from each pixel's distance to the edge).

    They keep to the right-hand side and the bottom, where no text starts: text is set from the left of the safe
    area and from its top, and a visual takes the right. Their tones are close to the background's, so text that
    runs over them keeps its contrast.
    """
    height, width = pixels.shape[:2]
    unit = min(width, height)
    if style == "circles":
        # A large disc rising from the bottom-right corner, a smaller one hanging from the top-right.
        figures = [
            ("disc", (width + 0.02 * unit, height + 0.12 * unit, 0.66 * unit), tones[0]),
            ("disc", (width - 0.06 * unit, -0.1 * unit, 0.3 * unit), tones[1]),
        ]
    else:
        # Two broad bands across the bottom-right corner, rising to the right: (distance of each edge from the
        # corner along the band's normal).
        figures = [
            ("band", (0.36 * unit, 0.62 * unit), tones[0]),
            ("band", (0.0, 0.36 * unit), tones[1]),
        ]
    ys = np.arange(height, dtype=np.float32)[:, None] + 0.5
    xs = np.arange(width, dtype=np.float32)[None, :] + 0.5
    normal = (math.cos(math.radians(58)), math.sin(math.radians(58)))
    for top in range(0, height, BAND):
        rows = slice(top, top + BAND)
        y = ys[rows]
        for kind, geometry, tone in figures:
            if kind == "disc":
                cx, cy, r = geometry
                cover = np.clip(r - np.sqrt((xs - cx) ** 2 + (y - cy) ** 2) + 0.5, 0.0, 1.0)
            else:
                near, far = geometry
                # Distance into the frame from the bottom-right corner, along the band's normal.
                d = (width - xs) * normal[0] + (height - y) * normal[1]
                cover = np.clip(np.minimum(d - near, far - d) + 0.5, 0.0, 1.0)
                if near <= 0:
                    cover = np.clip(far - d + 0.5, 0.0, 1.0)
            if not cover.any():
                continue
            part = pixels[rows].astype(np.float32)
            k = cover[..., None]
            part = part * (1 - k) + np.array(tone, dtype=np.float32) * k
            pixels[rows] = np.clip(part + 0.5, 0, 255).astype(np.uint8)
