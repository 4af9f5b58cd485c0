"""The map's camera: views at moments, and the eased flight between each and the next.

A move from one view to the next eases in and out (``easing.ease_in_out``); the centre travels along the
great circle between the two, the scale changes geometrically (a zoom of ten times takes as long in its
first half as in its second, as the eye reads it), and when the two views are far apart for their sizes
the camera rises on the way, as van Wijk and Nuij's smooth zoom does, so both ends are in sight midway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.drawing.maps.globe import RADIUS, View, angle, slerp
from pipeline.drawing.slides.easing import ease_in_out


@dataclass(frozen=True)
class Move:
    """From ``start`` to ``end`` seconds the camera flies to ``view``."""

    start: float
    end: float
    view: View


@dataclass(frozen=True)
class Flight:
    """The camera over a scene: the first view, then moves, in time order and not overlapping."""

    first: View
    moves: tuple[Move, ...] = ()

    def at(self, t: float) -> View:
        view = self.first
        for move in self.moves:
            if t >= move.end:
                view = move.view
                continue
            if t <= move.start:
                return view
            f = ease_in_out((t - move.start) / (move.end - move.start))
            return between(view, move.view, f)
        return view

    def spans(self) -> list[tuple[float, float]]:
        return [(m.start, m.end) for m in self.moves]

    def views(self) -> list[View]:
        return [self.first, *(m.view for m in self.moves)]


def between(a: View, b: View, f: float) -> View:
    """The view ``f`` of the way from ``a`` to ``b``.

    A zoom keeps still the point the two views share on the screen (the centre moves as the scale changes, so a
    place zoomed into stays in sight all the way down, not only at the end); a pan between views of about one
    size, or to a place out of sight, rises midway as far as it needs to keep both ends in sight.
    """
    apart = angle((a.lon, a.lat), (b.lon, b.lat)) * RADIUS
    ratio = b.scale / a.scale
    in_sight = apart < 0.5 * max(a.span_m, b.span_m)
    if abs(math.log(ratio)) > 0.2 and in_sight:
        scale = a.scale * ratio**f
        g = (1 - a.scale / scale) / (1 - 1 / ratio)
    else:
        widest = max(a.span_m, b.span_m)
        rise = max(0.0, apart / widest - 0.6) * 0.7
        scale = math.exp(math.log(a.scale) * (1 - f) + math.log(b.scale) * f - math.log1p(rise) * math.sin(math.pi * f))
        g = f
    lon, lat = slerp((a.lon, a.lat), (b.lon, b.lat), g)
    return View(lon, lat, scale, a.width, a.height, a.cx + (b.cx - a.cx) * g, a.cy + (b.cy - a.cy) * g)
