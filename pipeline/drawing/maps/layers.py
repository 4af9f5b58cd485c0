"""Vector layers drawn at each frame's own scale: outlines simplified to about a pixel, projected, and drawn
as anti-aliased masks (at twice the size, box-reduced) over the ground, so a zoom stays sharp.

Geometry is kept per outline and per tolerance (powers of two in degrees), so a flight reuses what it made
for the frames before; projecting a few thousand points per frame is numpy's work, drawing them Pillow's.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import aggdraw
import numpy as np
import shapely
from PIL import Image
from shapely.geometry import LineString, MultiLineString, Polygon

from pipeline.drawing.maps import globe, places
from pipeline.drawing.maps.globe import View, angle
from pipeline.drawing.slides import cartography, geo

#: AGG's pen draws a line this much wider than Pillow's at the same width: a line's width is Pillow's.
LINE = 0.8
Rings = tuple[np.ndarray, ...]


def tolerance(view: View) -> float:
    """Degrees to simplify outlines to for ``view``: about half a pixel, as a power of two (so kept), and no finer
    than Natural Earth's 1:10m data holds."""
    degrees = 0.5 / view.scale / 111_000
    return 2.0 ** math.floor(math.log2(max(degrees, 2.0**-11)))


@cache
def country_rings(index: int, tol: float) -> Rings:
    """A country's outer rings (lon, lat arrays), simplified to ``tol`` degrees: from the coarse outlines made
    beforehand when ``tol`` is at least theirs (far out: a globe of every country in a tenth of the time), else
    from Natural Earth's own."""
    if (coarse := geo.coarse_rings(geo.countries()[0][index].name, tol)) is not None:
        return coarse
    # Natural Earth's own outer rings, simplified all at once without keeping topology: a piece that collapses is
    # one under a pixel anyway. Made into shapely polygons first (``cartography._outline``), a flight from the
    # globe to the Koreas spent 2 s of its 3 s move on the first frames at each finer tolerance.
    outer = _outer_rings(index)
    if not outer:
        return ()
    which = np.repeat(np.arange(len(outer)), [len(r) for r in outer])
    lines = shapely.simplify(shapely.linestrings(np.concatenate(outer), indices=which), tol, preserve_topology=False)
    rings = (shapely.get_coordinates(line) for line in lines)
    return tuple(r for r in rings if len(r) >= 4 and np.ptp(r, axis=0).max() > tol * 2)


@cache
def _outer_rings(index: int) -> list[np.ndarray]:
    """A country's outer rings as Natural Earth draws them (clockwise; a hole, counter-clockwise, left out so the
    country is filled whole, as ``cartography._outline`` does)."""
    shape = geo.shape_reader().shape(index)
    points = np.asarray(shape.points, float)
    bounds = [*shape.parts, len(points)]
    rings = [points[a:b] for a, b in itertools.pairwise(bounds) if b - a >= 4]
    return [r for r in rings if not _ccw(r)]


def _ccw(ring: np.ndarray) -> bool:
    """Whether a ring runs counter-clockwise (its signed area, by the shoelace formula, is positive)."""
    x, y = ring[:, 0], ring[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) > 0


@cache
def area_rings(name: str, tol: float) -> Rings:
    """A sea's or region's (or a country's) outer rings by name, simplified to ``tol`` degrees."""
    if country := geo.find(name):
        return country_rings(country.index, tol)
    out = []
    for ring in geo.area(name) or places.lake(name) or places.region(name) or []:
        if len(ring) >= 4:
            polygon = Polygon(ring)
            polygon = polygon if polygon.is_valid else polygon.buffer(0)
            for piece in getattr(polygon, "geoms", [polygon]):
                if not piece.is_empty:
                    out.append(np.asarray(piece.simplify(tol).exterior.coords))
    return tuple(out)


@cache
def shared_border(a: str, b: str) -> tuple[np.ndarray, ...]:
    """Where countries ``a`` and ``b`` meet (the DMZ between the Koreas, the Yalu and Tumen between North Korea
    and China), as lines of (lon, lat): ``a``'s outline where it runs within about a kilometre of ``b``'s."""
    ca, cb = geo.find(a), geo.find(b)
    if ca is None or cb is None:
        return ()
    edge = cartography._outline(ca.index).boundary
    near = cartography._outline(cb.index).buffer(0.01)
    lines = shapely.line_merge(edge.intersection(near))
    pieces = [g for g in getattr(lines, "geoms", [lines]) if isinstance(g, LineString) and g.length > 0.02]
    return tuple(np.asarray(p.coords) for p in sorted(pieces, key=lambda p: -p.length))


@dataclass(frozen=True)
class Packed:
    """Many rings as one array of points (projected in one call), with where each ring starts, and the points as
    unit vectors (N x 3): a view projects them with a rotation alone."""

    points: np.ndarray
    starts: np.ndarray
    unit: np.ndarray

    def split(self, xy: np.ndarray) -> list[np.ndarray]:
        return np.split(xy, self.starts[1:])


@cache
def countries(indices: tuple[int, ...], tol: float) -> Packed:
    """The rings of the countries ``indices`` at ``tol``, packed; rings smaller than the tolerance left out. The
    countries in sight change every few frames of a flight (36 sets in three-sides' 90): each country's unit
    vectors are made once (``_units``), a set's only joined (0.12 s a flight made them again for each set)."""
    rings = [r for i in indices for r in country_rings(i, tol)]
    if not rings:
        return Packed(np.zeros((0, 2)), np.zeros(1, int), np.zeros((0, 3)))
    starts = np.cumsum([0, *(len(r) for r in rings[:-1])])
    return Packed(np.concatenate(rings), starts, np.concatenate([_units(i, tol) for i in indices]))


@cache
def _units(index: int, tol: float) -> np.ndarray:
    """A country's points at ``tol`` (``country_rings``, in order) as unit vectors, N x 3."""
    rings = country_rings(index, tol)
    if not rings:
        return np.zeros((0, 3))
    points = np.concatenate(rings)
    return globe.unit_vectors(points[:, 0], points[:, 1])


@cache
def _country_caps() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every country's index, the unit vector of its box's middle, and the angle (radians) from there to its box's
    corner: the cap it lies in (a box across 180 degrees: the whole sphere)."""
    found = geo.countries()[0]
    index = np.array([c.index for c in found])
    boxes = np.array([c.bbox for c in found], float)
    lon, lat = np.radians((boxes[:, 0] + boxes[:, 2]) / 2), np.radians((boxes[:, 1] + boxes[:, 3]) / 2)
    middle = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    reach = np.array([angle((b[0], b[1]), (b[2], b[3])) / 2 for b in boxes])
    reach[boxes[:, 2] - boxes[:, 0] >= 180] = math.pi
    return index, middle, reach, boxes


def in_sight_countries(view: View) -> tuple[int, ...]:
    """The indices of countries that may show in ``view`` (every country at once: a dot product each)."""
    index, middle, reach, _ = _country_caps()
    lon, lat = math.radians(view.lon), math.radians(view.lat)
    centre = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    apart = np.arccos(np.clip(middle @ centre, -1.0, 1.0))
    return tuple(index[apart - reach <= math.radians(view.reach_deg() + 2)].tolist())


def densify(points: Sequence[tuple[float, float]], step: float = 0.25) -> np.ndarray:
    """A line of (lon, lat) with points every ``step`` degrees at most, so it bends as the globe does."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        n = max(1, math.ceil(max(abs(x1 - x0), abs(y1 - y0)) / step))
        out += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
    return np.asarray(out, float)


def simplified(line: np.ndarray, tol: float, memo: dict | None = None) -> np.ndarray:
    """``line`` simplified to ``tol`` degrees (kept in ``memo`` by the line and tolerance)."""
    if len(line) < 3:
        return line
    key = (id(line), tol)
    if memo is not None and key in memo:
        return memo[key]
    out = np.asarray(LineString(line).simplify(tol).coords)
    if memo is not None:
        memo[key] = out
    return out


def in_sight(view: View, bbox: tuple[float, float, float, float]) -> bool:
    """Whether a (lon0, lat0, lon1, lat1) box may show in ``view`` (cheap; errs towards yes)."""
    if bbox[2] - bbox[0] >= 180:
        return True
    centre = ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
    half = math.degrees(angle((bbox[0], bbox[1]), (bbox[2], bbox[3]))) / 2
    return math.degrees(angle((view.lon, view.lat), centre)) - half <= view.reach_deg() + 2


def bbox_of(rings: Iterable[np.ndarray]) -> tuple[float, float, float, float]:
    rings = list(rings)
    if not rings:
        return (0.0, 0.0, 0.0, 0.0)
    lo = np.min([r.min(axis=0) for r in rings], axis=0)
    hi = np.max([r.max(axis=0) for r in rings], axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def screen(view: View, ring: np.ndarray) -> tuple[np.ndarray, bool]:
    """A ring on the screen (N x 2), and whether any of it is on the near side of the globe."""
    xs, ys, near = view.project(ring[:, 0], ring[:, 1])
    return np.column_stack([xs, ys]), bool(near.any())


class Mask:
    """An anti-aliased coverage mask: shapes drawn onto just the part of the frame they touch; ``tint`` paints a
    colour through it."""

    def __init__(self, width: int, height: int):
        self.size = (width, height)
        self.shapes: list[tuple[np.ndarray, float, int]] = []  # points, line width (0: a filled polygon), value
        self.box = [math.inf, math.inf, -math.inf, -math.inf]

    @property
    def empty(self) -> bool:
        return not self.shapes

    def _grow(self, points: np.ndarray, margin: float) -> bool:
        lo, hi = points.min(axis=0) - margin, points.max(axis=0) + margin
        w, h = self.size
        if hi[0] < 0 or hi[1] < 0 or lo[0] > w or lo[1] > h:
            return False
        b = self.box
        self.box = [min(b[0], lo[0]), min(b[1], lo[1]), max(b[2], hi[0]), max(b[3], hi[1])]
        return True

    def polygon(self, points: np.ndarray, value: int = 255) -> None:
        if len(points) > 2 and self._grow(points, 1):
            self.shapes.append((points, 0.0, value))

    def line(self, points: np.ndarray, width: float, value: int = 255) -> None:
        if len(points) > 1 and self._grow(points, width + 1):
            self.shapes.append((points, width, value))

    def lines(self, lines: list[np.ndarray], width: float, value: int = 255) -> None:
        """Many lines already known to touch the frame (``on_frame``'s), their box found at once."""
        lines = [line for line in lines if len(line) > 1]
        if lines:
            self._grow(np.concatenate(lines), width + 1)
            self.shapes += [(line, width, value) for line in lines]

    def done(self) -> tuple[Image.Image, tuple[int, int]] | None:
        """The mask of the part of the frame drawn on, and where it goes (None: nothing drawn)."""
        if self.empty:
            return None
        w, h = self.size
        x0, y0 = max(0, math.floor(self.box[0])), max(0, math.floor(self.box[1]))
        x1, y1 = min(w, math.ceil(self.box[2])), min(h, math.ceil(self.box[3]))
        if x1 <= x0 or y1 <= y0:
            return None
        # Anti-aliased by AGG (aggdraw) at the frame's own size: Pillow's own lines and polygons, drawn twice the
        # size and box-reduced, took 29 and 56 ms for a frame's borders and land, AGG 14 and 8.
        image = Image.new("L", (x1 - x0, y1 - y0), 0)
        draw = aggdraw.Draw(image)
        origin = np.array([x0, y0], float)
        for points, width, value in self.shapes:
            flat = np.clip(points - origin, -1e5, 1e5).ravel().tolist()
            if width:
                draw.line(flat, aggdraw.Pen(value, width * LINE))
            else:
                draw.polygon(flat, None, aggdraw.Brush(value))
        draw.flush()
        return image, (x0, y0)

    def tint(self, frame: Image.Image, color: tuple[int, int, int], opacity: float = 1.0) -> None:
        """Paint ``color`` over ``frame`` through the mask at ``opacity``."""
        made = self.done() if opacity > 0 else None
        if made is None:
            return
        mask, (x, y) = made
        if opacity < 1:
            mask = mask.point(lambda a: round(a * opacity))
        paste_sparse(frame, color, mask, (x, y))


#: The rows of the bands ``paste_sparse`` pastes one by one.
BAND = 48


def paste_sparse(frame: Image.Image, color: tuple[int, int, int], mask: Image.Image, at: tuple[int, int]) -> None:
    """``frame.paste(color, box, mask)``, band by band, each band only where its part of the mask holds something
    (Pillow's ``getbbox``). Pillow blends every pixel of the box, clear or not: 7 ms at 1080p for a mask of a
    border or a river, which crosses a fraction of each band."""
    x, y = at
    w, h = mask.size
    if w * h < 300_000:
        frame.paste(color, (x, y, x + w, y + h), mask)
        return
    for top in range(0, h, BAND):
        band = mask.crop((0, top, w, min(h, top + BAND)))
        found = band.getbbox()
        if found is None:
            continue
        x0, y0, x1, y1 = found
        frame.paste(color, (x + x0, y + top + y0, x + x1, y + top + y1), band.crop(found))


def on_frame(packed: Packed, xs: np.ndarray, ys: np.ndarray, near: np.ndarray, size: tuple[int, int],
             least: float = 1.5) -> tuple[list[np.ndarray], np.ndarray]:  # fmt: skip
    """The projected rings that show: on the near side, touching the frame, and at least ``least`` pixels across
    (found for every ring at once), and how far each reaches across and down (pixels, summed)."""
    if len(xs) == 0:
        return [], np.zeros(0)
    starts = packed.starts
    x_lo, x_hi = np.minimum.reduceat(xs, starts), np.maximum.reduceat(xs, starts)
    y_lo, y_hi = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts)
    seen = np.maximum.reduceat(near.astype(np.int8), starts) > 0
    w, h = size
    keep = seen & (x_hi >= 0) & (y_hi >= 0) & (x_lo <= w) & (y_lo <= h)
    keep &= np.maximum(x_hi - x_lo, y_hi - y_lo) >= least
    ends = np.append(starts[1:], len(xs))
    xy = np.column_stack([xs, ys])
    extents = (x_hi - x_lo + y_hi - y_lo)[keep]
    return [xy[a:b] for a, b, k in zip(starts, ends, keep, strict=True) if k], extents


def clipped(lines: list[np.ndarray], size: tuple[int, int], margin: float = 8.0) -> list[np.ndarray]:
    """The parts of screen polylines that may show in a frame of ``size`` (with ``margin`` pixels around it): runs
    of the segments whose boxes touch it. Close in, a country's outline runs far off the frame (China's, Russia's
    round the Koreas): drawn whole, AGG stroked 30,000 points a frame where a few thousand show."""
    if not lines:
        return []
    points = np.concatenate(lines)
    x, y = points[:, 0], points[:, 1]
    w, h = size
    ends = np.cumsum([len(line) for line in lines])
    # Segment i joins point i to i + 1, unless i + 1 starts the next line.
    joined = np.ones(len(points) - 1, bool)
    joined[ends[:-1] - 1] = False
    x0, x1, y0, y1 = x[:-1], x[1:], y[:-1], y[1:]
    off = ((x0 < -margin) & (x1 < -margin)) | ((x0 > w + margin) & (x1 > w + margin))
    off |= ((y0 < -margin) & (y1 < -margin)) | ((y0 > h + margin) & (y1 > h + margin))
    kept = joined & ~off
    if kept.all():
        return lines
    edges = np.flatnonzero(np.diff(np.concatenate([[0], kept.astype(np.int8), [0]])))
    return [points[a : b + 1] for a, b in zip(edges[::2], edges[1::2], strict=True)]


def cut(line: np.ndarray, share: float) -> np.ndarray:
    """The first ``share`` of a screen polyline by length (a line drawing itself on)."""
    if share >= 1 or len(line) < 2:
        return line
    steps = np.hypot(*np.diff(line, axis=0).T)
    run = np.concatenate([[0.0], np.cumsum(steps)])
    goal = run[-1] * max(0.0, share)
    k = int(np.searchsorted(run, goal))
    if k <= 0:
        return line[:1]
    f = (goal - run[k - 1]) / max(steps[k - 1], 1e-9)
    return np.vstack([line[:k], line[k - 1] + (line[k] - line[k - 1]) * f])


def lines_of(geometry) -> list[np.ndarray]:
    """The lines of a shapely line or multi-line as arrays."""
    if isinstance(geometry, MultiLineString):
        return [np.asarray(g.coords) for g in geometry.geoms]
    return [np.asarray(geometry.coords)]
