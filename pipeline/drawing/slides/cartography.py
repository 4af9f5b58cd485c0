"""Map projections and outlines: pyproj (PROJ) for the projection, shapely for clipping at the seam.

A map's projection is chosen from where its places are, unless the storyboard
names one:

- ``polar``: places near a pole (all beyond 55°, or any beyond 75°) are drawn
  on a Lambert azimuthal equal-area projection centred on that pole, which
  is then inside the frame, never smeared along its edge;
- ``world``: places spread over more than 150° of longitude are drawn on the
  Equal Earth projection centred on the route's own middle longitude, so a
  route from Tokyo to Los Angeles crosses the Pacific;
- ``regional``: otherwise a Lambert azimuthal equal-area projection centred on
  the places (true areas, little distortion over a region).

The route's middle longitude is found across the antimeridian: the middle of
the smallest arc of longitude that holds every place. Country outlines are
clipped to the projection's window of longitudes around that middle (copies
shifted by 360° fill the other side of the seam), so nothing wraps around the
back of the map, then projected and simplified to about a pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box

from pipeline.drawing.slides import geo

Kind = Literal["regional", "world", "polar"]
#: The closest a map zooms in: this many metres from top to bottom of the frame (a fifth of a degree of latitude):
#: towns along a strait (Sarıyer, Beşiktaş, Üsküdar on the Bosphorus, 16 km apart) fill the frame, where 890 km
#: (8 degrees) drew them as one dot; Natural Earth's 1:10m coasts still hold at that scale.
MIN_SPAN_M = 40_000.0
_GEOD = Geod(ellps="WGS84")


def middle_longitude(lons: list[float]) -> tuple[float, float]:
    """The middle of the smallest arc of longitude holding every one of ``lons``, and the arc's width (degrees)."""
    ordered = sorted(((lon + 180) % 360) - 180 for lon in lons)
    if len(ordered) == 1:
        return ordered[0], 0.0
    gaps = [(ordered[(i + 1) % len(ordered)] - ordered[i]) % 360 for i in range(len(ordered))]
    widest = max(range(len(gaps)), key=gaps.__getitem__)
    start = ordered[(widest + 1) % len(ordered)]  # the arc begins after the widest empty gap
    width = 360 - gaps[widest]
    return ((start + width / 2 + 180) % 360) - 180, width


def great_circle(a: tuple[float, float], b: tuple[float, float], steps: int) -> list[tuple[float, float]]:
    """``steps`` points from ``a`` to ``b`` along the great circle (longitude, latitude), ends included."""
    return [a, *(tuple(p) for p in _GEOD.npts(a[0], a[1], b[0], b[1], max(0, steps - 2))), b]


def choose(
    points: list[tuple[float, float]], kind: str = "auto", along: list[tuple[float, float]] = ()
) -> tuple[Kind, str, float]:
    """The projection for ``points`` (longitude, latitude): its kind, PROJ string and central longitude.

    ``kind`` other than 'auto' is the storyboard's choice. ``along``: points the map must also hold
    without a seam through them (the routes' great circles): a route from Mexico City to Manila
    crosses the Pacific, so the map's seam goes elsewhere.
    """
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    lon0, span = middle_longitude(lons + [p[0] for p in along])
    south = sum(lats) < 0
    near_pole = all(lat <= -55 for lat in lats) or min(lats) <= -75 or all(lat >= 55 for lat in lats) or max(lats) >= 75
    if kind == "polar" or (kind == "auto" and near_pole):
        pole = "-90" if south else "90"
        return "polar", f"+proj=laea +lat_0={pole} +lon_0={lon0:.4f} +datum=WGS84 +units=m", lon0
    if kind == "world" or (kind == "auto" and span > 150):
        return "world", f"+proj=eqearth +lon_0={lon0:.4f} +datum=WGS84 +units=m", lon0
    lat0 = (min(lats) + max(lats)) / 2
    return "regional", f"+proj=laea +lat_0={lat0:.4f} +lon_0={lon0:.4f} +datum=WGS84 +units=m", lon0


@cache
def _transformer(proj: str, inverse: bool = False) -> Transformer:
    """Longitude and latitude to ``proj`` (or back, ``inverse``), made once per projection."""
    ends = (proj, "EPSG:4326") if inverse else ("EPSG:4326", proj)
    return Transformer.from_crs(*ends, always_xy=True)


@dataclass(frozen=True)
class MapView:
    """A projection and where it puts the map in the frame: screen = (x * scale + dx, dy - y * scale)."""

    kind: Kind
    proj: str
    lon0: float
    scale: float
    dx: float
    dy: float

    @classmethod
    def fit(
        cls,
        points: list[tuple[float, float]],
        box_px: tuple[float, float, float, float],
        pad: float,
        extra: list[tuple[float, float]] = (),  # type: ignore[assignment]
        kind: str = "auto",
    ) -> MapView:
        """A view of ``points`` (and ``extra``, such as route arcs) framed in ``box_px`` with ``pad`` around."""
        chosen, proj, lon0 = choose(points, kind, extra)
        framed = [*points, *extra]
        if chosen == "polar":  # the pole is part of what the map shows
            framed.append((lon0, -90.0 if _south_pole(proj) else 90.0))
        xs, ys = _transformer(proj).transform([p[0] for p in framed], [p[1] for p in framed])
        x0, y0, x1, y1 = box_px
        width, height = (x1 - x0) * (1 - 2 * pad), (y1 - y0) * (1 - 2 * pad)
        span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
        scale = min(width / max(span_x, 1.0), height / max(span_y, 1.0), (y1 - y0) / MIN_SPAN_M)
        mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        return cls(chosen, proj, lon0, scale, (x0 + x1) / 2 - mid_x * scale, (y0 + y1) / 2 + mid_y * scale)

    def many(self, lons, lats) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = _transformer(self.proj).transform(np.asarray(lons, float), np.asarray(lats, float))
        return np.asarray(xs) * self.scale + self.dx, self.dy - np.asarray(ys) * self.scale

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        xs, ys = self.many([lon], [lat])
        return float(xs[0]), float(ys[0])

    def arc(self, a: tuple[float, float], b: tuple[float, float], steps: int = 64) -> list[tuple[float, float]]:
        """The great-circle route from ``a`` to ``b`` on the screen."""
        lons, lats = zip(*great_circle(a, b, steps), strict=True)
        xs, ys = self.many(lons, lats)
        return list(zip(xs.tolist(), ys.tolist(), strict=True))

    def outlines(self, width: int, height: int) -> list[Outline]:
        """Every country on screen, in screen coordinates, its outer rings simplified to about half a pixel."""
        found = []
        # Outlines simplified in longitude and latitude first, to about half a pixel (a power of two, so cached).
        metres = 0.5 / self.scale
        tolerance = 2.0 ** math.floor(math.log2(max(metres / 111_000, 1e-4)))
        visible, _ = _in_frame(self, width, height)
        for country in geo.countries()[0]:
            if not visible(country.bbox):
                continue  # far off the frame: its geometry is never built
            shape = self._in_view(_lonlat(country.index, tolerance), width, height)
            if shape.is_empty:
                continue
            rings, borders = [], []
            for polygon in getattr(shape, "geoms", [shape]):
                lons, lats = (np.asarray(c) for c in polygon.exterior.coords.xy)
                xs, ys = self.many(lons, lats)
                if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
                    continue
                if xs.max() < 0 or xs.min() > width or ys.max() < 0 or ys.min() > height:
                    continue
                ring = shapely.simplify(shapely.LineString(np.column_stack([xs, ys])), 0.6)
                rings.append([tuple(p) for p in ring.coords])
                borders += _borders(xs, ys, (np.abs(lons) >= 179.99) | (lats <= -89.99))
            if rings:
                found.append(Outline(country, rings, borders))
        return found

    def _in_view(self, shape, width: int, height: int):
        """``shape`` (longitude, latitude) as the map can project it: within its seam, and for a regional map
        only what is in view (nothing from the far side of the globe)."""
        _, clip = _in_frame(self, width, height)
        window = box(self.lon0 - 179.999, -90, self.lon0 + 179.999, 90)
        if self.kind == "world":
            return _wrapped(shape, window, self.lon0)
        if clip is not None:
            return _wrapped(shape, window, self.lon0).intersection(clip)
        return shape

    def areas(self, rings: list[list[tuple[float, float]]], width: int, height: int) -> list[list[tuple[float, float]]]:
        """Areas given as rings of (longitude, latitude) on the screen, cut and clipped as outlines are."""
        polygons = [Polygon(ring) for ring in rings if len(ring) >= 4]
        shape = self._in_view(shapely.union_all([p if p.is_valid else p.buffer(0) for p in polygons]), width, height)
        out = []
        for polygon in getattr(shape, "geoms", [shape]):
            if polygon.is_empty or not hasattr(polygon, "exterior"):
                continue
            xs, ys = self.many(*polygon.exterior.coords.xy)
            if np.isfinite(xs).all() and np.isfinite(ys).all():
                out.append(list(zip(xs.tolist(), ys.tolist(), strict=True)))
        return out


#: How far from its centre (degrees of longitude) a regional map draws land: a tall frame zoomed out to fit a
#: long route reaches round towards the far side of the globe, where an azimuthal projection turns a country
#: cut at the clip's edge into a sheet across the frame.
REGIONAL_REACH = 120.0


@cache
def _in_frame(view: MapView, width: int, height: int):
    """A test of a (lon, lat) box, whether it may show in the frame, and for a regional map the
    longitude and latitude box in view (None: keep everything, as a world or polar map does).

    Found once per view and frame size: the outlines and every area ask for it.
    """
    if view.kind == "world":
        return (lambda bbox: True), None
    gx, gy = np.meshgrid(np.linspace(-0.1, 1.1, 13) * width, np.linspace(-0.1, 1.1, 13) * height)
    back = _transformer(view.proj, inverse=True)
    lons, lats = back.transform((gx.ravel() - view.dx) / view.scale, (view.dy - gy.ravel()) / view.scale)
    ok = np.isfinite(lons) & np.isfinite(lats) & (np.abs(lats) <= 90)
    lats_ok = lats[ok]
    if view.kind == "polar" or not ok.any():  # every longitude is in view near a pole
        south, north = (lats_ok.min(), lats_ok.max()) if ok.any() else (-90.0, 90.0)
        if _south_pole(view.proj):
            south = -90.0
        else:
            north = 90.0
        return (lambda bbox: bbox[3] >= south - 2 and bbox[1] <= north + 2), None
    # How far from the map's central meridian the frame reaches, measured the short way round.
    offsets = np.abs(((lons[ok] - view.lon0 + 180) % 360) - 180)
    half = min(REGIONAL_REACH, float(offsets.max()) + 2)
    south, north = lats_ok.min() - 2, lats_ok.max() + 2

    def visible(bbox) -> bool:
        if bbox[3] < south or bbox[1] > north:
            return False
        if bbox[2] - bbox[0] >= 180:  # spans the antimeridian in the data (Russia, Fiji): keep
            return True
        centre, reach = (bbox[0] + bbox[2]) / 2, (bbox[2] - bbox[0]) / 2
        return abs(((centre - view.lon0 + 180) % 360) - 180) <= half + reach

    return visible, box(view.lon0 - half, max(-90.0, south), view.lon0 + half, min(90.0, north))


@dataclass(frozen=True)
class Outline:
    """A country on the screen: rings to fill, and the lines of its border to stroke.

    The borders leave out the edges where the data is cut (along the 180th meridian
    and at the South Pole, where Antarctica's outline is closed), which are no border.
    """

    country: geo.Country
    rings: list[list[tuple[float, float]]]
    borders: list[list[tuple[float, float]]]


def _south_pole(proj: str) -> bool:
    """Whether a polar projection is centred on the South Pole."""
    return "lat_0=-90" in proj


def _borders(xs: np.ndarray, ys: np.ndarray, seam: np.ndarray) -> list[list[tuple[float, float]]]:
    """The ring as lines to stroke, leaving out edges that run along the data's seam."""
    lines, current = [], []
    for i in range(len(xs)):
        if i and seam[i] and seam[i - 1]:  # an edge along the seam: end the line here
            if len(current) > 1:
                lines.append(current)
            current = []
        current.append((float(xs[i]), float(ys[i])))
    if len(current) > 1:
        lines.append(current)
    return lines


@cache
def _lonlat(index: int, tolerance: float):
    """A country's outline as shapely geometry in longitude and latitude, simplified to ``tolerance`` degrees: from
    the coarse outlines made beforehand when they are as fine as that (as the map engine's ``country_rings`` does:
    a route drawn small, as the preview's outline draws it, took 0.7 s reading and simplifying Natural Earth's
    own), else from Natural Earth's."""
    if (coarse := geo.coarse_rings(geo.countries()[0][index].name, tolerance)) is not None:
        return _polygons(list(coarse))
    return _outline(index).simplify(tolerance, preserve_topology=True)


@cache
def _outline(index: int):
    """A country's outline as shapely geometry in longitude and latitude, as Natural Earth draws it."""
    # Shapefile outer rings run clockwise; a counter-clockwise ring is a hole (Lesotho in South Africa), left out
    # so the outline is filled whole, as the country inside it is drawn over it.
    return _polygons([ring for ring in geo.ring_arrays(index) if len(ring) >= 4], outer_only=True)


def _polygons(rings: list[np.ndarray], outer_only: bool = False):
    """Rings of (longitude, latitude) as one shapely geometry (with ``outer_only``, only the clockwise ones)."""
    if not rings:
        return MultiPolygon()
    # Built with shapely's array functions (in C): a Polygon at a time, every country's took 1.7 s, a route's
    # first frame or still waited for it.
    linear = shapely.linearrings(
        np.concatenate(rings), indices=np.repeat(np.arange(len(rings)), [len(r) for r in rings])
    )
    polygons = shapely.polygons(linear[~shapely.is_ccw(linear)] if outer_only else linear)
    broken = ~shapely.is_valid(polygons)
    if broken.any():
        polygons = shapely.get_parts(np.concatenate([polygons[~broken], shapely.buffer(polygons[broken], 0)]))
    polygons = polygons[~shapely.is_empty(polygons)]
    # Natural Earth's outer rings of one country rarely overlap: a collection, without the cost of a union
    # (where they do, the union).
    collection = shapely.multipolygons(polygons)
    return collection if collection.is_valid else shapely.union_all(polygons)


def _wrapped(shape, window, lon0: float):
    """``shape`` within 180° of ``lon0``: the pieces past the seam are shifted by 360° to the other side."""
    west, east = lon0 - 180, lon0 + 180
    minx, _, maxx, _ = shape.bounds
    for shift in (0.0, -360.0, 360.0):  # wholly on one side of the seam: only moved, never cut
        if west <= minx + shift and maxx + shift <= east:
            return affinity.translate(shape, xoff=shift) if shift else shape
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        moved = affinity.translate(shape, xoff=shift) if shift else shape
        if moved.intersects(window):
            pieces.append(moved.intersection(window))
    return shapely.union_all(pieces) if pieces else MultiPolygon()
