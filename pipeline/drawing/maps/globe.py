"""The globe as the camera sees it: an orthographic view centred on the camera's point, at its scale.

One projection serves every zoom. Far out it is the globe floating in space; close in it is, within a
fraction of a percent over a region, the azimuthal equal-area view ``route`` draws. Between the two nothing
switches, so a flight from the globe to a city never jumps: the view is recentred on the camera each frame
and only its scale changes. Everything is numpy on arrays of longitudes and latitudes (no per-point Python).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The sphere the map is drawn on (metres): the mean Earth radius.
RADIUS = 6_371_000.0


@dataclass(frozen=True)
class View:
    """Where the camera looks: ``lon``, ``lat`` (degrees) at the frame's middle ``(cx, cy)``, ``scale`` pixels a
    metre at that point, in a ``width`` x ``height`` frame."""

    lon: float
    lat: float
    scale: float
    width: int
    height: int
    cx: float
    cy: float

    @property
    def span_m(self) -> float:
        """Metres from the frame's top to its bottom at the middle."""
        return self.height / self.scale

    def project(self, lons, lats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Screen x, y of points, and whether each is on the near side of the globe. A point on the far side is
        put on the globe's rim, so a shape that runs over the horizon is cut there (not folded back over)."""
        lam = np.radians(np.asarray(lons, float) - self.lon)
        phi = np.radians(np.asarray(lats, float))
        phi0 = math.radians(self.lat)
        sin0, cos0 = math.sin(phi0), math.cos(phi0)
        cphi, sphi, clam = np.cos(phi), np.sin(phi), np.cos(lam)
        x = cphi * np.sin(lam)
        y = cos0 * sphi - sin0 * cphi * clam
        near = sin0 * sphi + cos0 * cphi * clam >= 0
        return self._screen(x, y, near)

    def project_unit(self, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``project`` for points given as unit vectors (N x 3, ``unit_vectors``): one rotation, no trigonometry
        per point (a frame's hundred thousand outline points took 3.5 ms by ``project``)."""
        lam0, phi0 = math.radians(self.lon), math.radians(self.lat)
        s0, c0, sl, cl = math.sin(phi0), math.cos(phi0), math.sin(lam0), math.cos(lam0)
        rotation = np.array([[-sl, -s0 * cl, c0 * cl], [cl, -s0 * sl, c0 * sl], [0.0, c0, s0]])
        x, y, depth = (unit @ rotation).T
        return self._screen(x, y, depth >= 0)

    def _screen(self, x: np.ndarray, y: np.ndarray, near: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not near.all():
            rho = np.hypot(x, y)
            rho[rho == 0] = 1.0
            x = np.where(near, x, x / rho)
            y = np.where(near, y, y / rho)
        k = RADIUS * self.scale
        return self.cx + x * k, self.cy - y * k, near

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        xs, ys, _ = self.project([lon], [lat])
        return float(xs[0]), float(ys[0])

    def inverse(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Longitude (unwrapped: within 180 degrees of the view's), latitude and how far inside the globe's rim
        (pixels; negative off the globe) of screen points."""
        k = RADIUS * self.scale
        x, y = (np.asarray(xs, float) - self.cx) / k, (self.cy - np.asarray(ys, float)) / k
        rho = np.hypot(x, y)
        inside = (1.0 - rho) * k
        rho_c = np.minimum(rho, 1.0)
        c = np.arcsin(rho_c)
        sin_c, cos_c = np.sin(c), np.cos(c)
        phi0 = math.radians(self.lat)
        safe = np.where(rho_c > 0, rho_c, 1.0)
        ys_c = y * np.where(rho > 1.0, 1.0 / np.maximum(rho, 1e-12), 1.0)
        xs_c = x * np.where(rho > 1.0, 1.0 / np.maximum(rho, 1e-12), 1.0)
        lat = np.degrees(np.arcsin(np.clip(cos_c * math.sin(phi0) + ys_c * sin_c * math.cos(phi0) / safe, -1, 1)))
        lon = self.lon + np.degrees(
            np.arctan2(xs_c * sin_c, safe * cos_c * math.cos(phi0) - ys_c * sin_c * math.sin(phi0))
        )
        return lon, lat, inside

    def metres_per_pixel(self) -> float:
        return 1.0 / self.scale

    def reach_deg(self) -> float:
        """How far from the view's centre (degrees of arc) the frame reaches, at most 90 (the horizon)."""
        corner = math.hypot(self.width, self.height) / 2 / self.scale
        return min(90.0, math.degrees(min(corner / RADIUS, math.pi)) + 1.0)

    def whole_globe(self) -> bool:
        """Whether the globe's rim is inside the frame (it shows as a disc in space)."""
        return RADIUS * self.scale < math.hypot(self.width, self.height) / 2


def unit_vectors(lons, lats) -> np.ndarray:
    """Points (degrees) as unit vectors on the sphere, N x 3."""
    lam, phi = np.radians(np.asarray(lons, float)), np.radians(np.asarray(lats, float))
    cphi = np.cos(phi)
    return np.column_stack([cphi * np.cos(lam), cphi * np.sin(lam), np.sin(phi)])


def angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle angle between two (lon, lat) points, in radians."""
    (l1, p1), (l2, p2) = (np.radians(a), np.radians(b))
    s = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * math.asin(min(1.0, math.sqrt(s)))


def slerp(a: tuple[float, float], b: tuple[float, float], f: float) -> tuple[float, float]:
    """The point ``f`` of the way from ``a`` to ``b`` along the great circle (lon, lat)."""

    def vec(p):
        lon, lat = map(math.radians, p)
        return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])

    u, v = vec(a), vec(b)
    w = math.acos(max(-1.0, min(1.0, float(u @ v))))
    if w < 1e-9:
        return a
    p = (math.sin((1 - f) * w) * u + math.sin(f * w) * v) / math.sin(w)
    return math.degrees(math.atan2(p[1], p[0])), math.degrees(math.asin(max(-1.0, min(1.0, p[2]))))


def centre_of(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The middle of ``points`` on the sphere (the normalised mean of their vectors)."""
    vs = np.array([[math.cos(math.radians(la)) * math.cos(math.radians(lo)),
                    math.cos(math.radians(la)) * math.sin(math.radians(lo)), math.sin(math.radians(la))]
                   for lo, la in points])  # fmt: skip
    m = vs.mean(axis=0)
    n = np.linalg.norm(m) or 1.0
    m = m / n
    return math.degrees(math.atan2(m[1], m[0])), math.degrees(math.asin(max(-1.0, min(1.0, m[2]))))


def fit(
    points: list[tuple[float, float]],
    box: tuple[float, float, float, float],
    width: int,
    height: int,
    pad: float = 0.1,
    least_m: float = 120_000.0,
) -> View:
    """A view that holds ``points`` inside ``box`` (screen pixels) with ``pad`` of it to spare, centred on them;
    never closer than ``least_m`` metres top to bottom."""
    lon, lat = centre_of(points)
    x0, y0, x1, y1 = box
    probe = View(lon, lat, 1.0, width, height, 0.0, 0.0)
    xs, ys, near = probe.project([p[0] for p in points], [p[1] for p in points])
    span_x, span_y = max(float(np.ptp(xs)), 1.0), max(float(np.ptp(ys)), 1.0)
    w, h = (x1 - x0) * (1 - 2 * pad), (y1 - y0) * (1 - 2 * pad)
    scale = min(w / span_x, h / span_y, height / least_m)
    if not near.all():  # more than a hemisphere: the whole globe
        scale = min(scale, height * 0.42 / RADIUS)
    mid_x, mid_y = (float(xs.max()) + float(xs.min())) / 2, (float(ys.max()) + float(ys.min())) / 2
    # The box's middle is where the points' middle goes; the view's centre point moves with it.
    cx, cy = (x0 + x1) / 2 - mid_x * scale, (y0 + y1) / 2 - mid_y * scale
    return View(lon, lat, scale, width, height, cx, cy)
