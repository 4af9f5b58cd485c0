"""A look's drawn pattern for a text card that has nothing beside its text (the theme's ``ornament``).

A title, a stat, a list or a quote with no visual left most of the frame empty: a line of type at the left and a
plain background on the right. The ornament gives the card a second element from the look itself, drawn from
numbers alone (a fixed seed: the same picture at every render and on every machine), sized from the frame's short
side so a small frame shows the same drawing:

- ``contours``: a topographic map's contour lines, every fifth one heavier (the documentary looks, whose stories
  stand on maps);
- ``halftone``: a print's dot screen, its dots growing away from the text (the editorial look's newsprint);
- ``rings``: broad concentric rings spreading from the corner the look's large disc rises from (flat graphics).

It covers the part of the frame the text leaves, the right of a wide frame and the bottom of a tall one, and
fades out towards the top-left where text starts, so type keeps a calm ground. Its tones stay close to the
background's, as the shapes' do: a texture the eye reads as part of the look, under the text, never over it.
Like the background it is drawn once per frame size (the canvas's memo) and costs nothing per frame.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageColor

from pipeline.drawing.slides.theme import Ornament

#: Seed of the contours' terrain: the same map at every render.
SEED = 1907
#: Where the ornament reaches full strength and where it has faded out, along the frame's reading diagonal (0: the
#: top-left, where text starts; 1: the bottom-right). A wide frame's text takes its left, a tall frame's its top.
REACH = (0.24, 0.58)
#: Contour lines: the terrain's largest hills (of the short side), the spacing of the lines (of the terrain's
#: height range), and their width (of the short side); every fifth line is this many times heavier.
TERRAIN, INTERVAL, LINE, INDEX = 0.45, 0.036, 0.0024, 2.0
#: Halftone: the screen's pitch (of the short side) and its angle; the largest dot covers this much of its cell.
PITCH, ANGLE, LARGEST = 0.024, 45.0, 0.62
#: Rings: their pitch and the share of it each ring covers (of the short side).
RING_PITCH, RING_SHARE = 0.07, 0.38


def draw(pixels: np.ndarray, ornament: Ornament, color: str) -> None:
    """Lay the ornament over ``pixels`` (HxWx3 uint8, in place) in ``color`` (the theme's, or its grid colour)."""
    if ornament.style == "none" or ornament.opacity <= 0:
        return
    height, width = pixels.shape[:2]
    cover = {"contours": contours, "halftone": halftone, "rings": rings}[ornament.style](width, height)
    alpha = (cover * ornament.opacity)[..., None]
    tone = np.array(ImageColor.getrgb(color)[:3], dtype=np.float32)
    mixed = pixels.astype(np.float32) * (1 - alpha) + tone * alpha
    pixels[:] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def reach(width: int, height: int) -> np.ndarray:
    """How strongly the ornament shows at each pixel (0-1): none where the text starts, full where it leaves room."""
    xs = (np.arange(width, dtype=np.float32) + 0.5)[None, :] / width
    ys = (np.arange(height, dtype=np.float32) + 0.5)[:, None] / height
    across = 0.7 * xs + 0.3 * ys if width >= height else 0.25 * xs + 0.75 * ys
    lo, hi = REACH
    t = np.clip((across - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _terrain(width: int, height: int) -> np.ndarray:
    """Smooth hills from a fixed seed (value noise in two octaves), about 0-1, as many to a frame at any size."""
    unit = min(width, height)
    rng = np.random.default_rng(SEED)
    field = np.zeros((height, width), dtype=np.float32)
    for scale, weight in ((TERRAIN, 1.0), (TERRAIN / 2.7, 0.35)):
        size = scale * unit
        cols, rows = math.ceil(width / size) + 3, math.ceil(height / size) + 3
        cells = Image.fromarray(rng.random((rows, cols), dtype=np.float32))
        box = (1, 1, 1 + width / size, 1 + height / size)
        smooth = cells.resize((width, height), Image.Resampling.BICUBIC, box=box)
        field += np.asarray(smooth, dtype=np.float32) * weight
    return field / 1.35


def contours(width: int, height: int) -> np.ndarray:
    """Coverage (0-1) of contour lines over the terrain, faded by the reach, anti-aliased: each line a fixed width
    in pixels whatever the slope, every fifth heavier."""
    unit = min(width, height)
    terrain = _terrain(width, height) * np.float32(1 / INTERVAL)
    gy, gx = np.gradient(terrain)
    slope = np.sqrt(gx * gx + gy * gy)
    np.maximum(slope, np.float32(1e-4), out=slope)
    nearest = np.round(terrain)
    distance = np.abs(terrain - nearest)
    distance /= slope  # in pixels, to the nearest line
    width_px = np.float32(max(0.6, LINE * unit) / 2)
    half = np.where(np.mod(nearest, 5) == 0, width_px * np.float32(INDEX), width_px)
    return np.clip(half - distance + 0.5, 0.0, 1.0) * reach(width, height)


def halftone(width: int, height: int) -> np.ndarray:
    """Coverage (0-1) of a dot screen at ``ANGLE``, each dot as large as the ornament's reach is strong there (so the
    dots grow away from the text, as a printed gradient does)."""
    unit = min(width, height)
    pitch = max(3.0, PITCH * unit)
    xs = np.arange(width, dtype=np.float32)[None, :] + 0.5
    ys = np.arange(height, dtype=np.float32)[:, None] + 0.5
    a = math.radians(ANGLE)
    u = (xs * math.cos(a) + ys * math.sin(a)) / pitch
    v = (-xs * math.sin(a) + ys * math.cos(a)) / pitch
    du, dv = (u - np.round(u)) * pitch, (v - np.round(v)) * pitch
    distance = np.sqrt(du * du + dv * dv)
    strength = reach(width, height)
    radius = pitch * math.sqrt(LARGEST / math.pi) * np.sqrt(strength)
    return np.clip(radius - distance + 0.5, 0.0, 1.0) * (strength > 0.02)  # shrinking to nothing, not fading


def rings(width: int, height: int) -> np.ndarray:
    """Coverage (0-1), faded by the reach, of broad rings around the bottom-right corner (where the flat look's
    large disc rises)."""
    unit = min(width, height)
    cx, cy = width + 0.02 * unit, height + 0.12 * unit
    xs = np.arange(width, dtype=np.float32)[None, :] + 0.5
    ys = np.arange(height, dtype=np.float32)[:, None] + 0.5
    d = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2)
    pitch = max(4.0, RING_PITCH * unit)
    phase = (d / pitch) % 1.0 * pitch  # pixels into the current pitch
    band = RING_SHARE * pitch
    return np.clip(np.minimum(phase, band - phase) + 0.5, 0.0, 1.0) * reach(width, height)
