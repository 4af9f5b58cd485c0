"""`route`: a map with places joined by arrows, stop by stop (North Korea -> China -> ...).

Places are countries, cities, seas, straits, regions or peaks by name (see
geo.py), or coordinates given under ``places:``. The map is drawn on a real
projection chosen from where the places are (see cartography.py: regional,
world centred on the route, or polar), framed to the places and the routes
between them, once per view, at twice the size and scaled down so coastlines
are smooth. Each leg follows the great circle between its places, bowed a
little so legs that meet fan out, and draws itself on, one stop after another
or as the narrator starts the sentence a stop names.
"""

from __future__ import annotations

import difflib
import itertools
import math
from dataclasses import dataclass
from dataclasses import field as default
from typing import Annotated, Literal

import numpy as np
from PIL import Image, ImageDraw
from pydantic import Field
from shapely.geometry import Polygon

from pipeline.core.schema import Plain
from pipeline.drawing.maps import gazetteer as places_index
from pipeline.drawing.maps import ground, layers, searoute
from pipeline.drawing.maps.names import short_forms, split_hint
from pipeline.drawing.slides import cartography, geo
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import background, rgb, section_label
from pipeline.drawing.slides.motion import ease_in_out, sprite, text_sprite
from pipeline.drawing.slides.problems import FitError, SlideError

#: A place's name: a country, state, town, sea, strait, river, lake or region ('Victoria, Canada' where a name is
#: shared), or one given under 'places:'.
Name = Annotated[str, Field(min_length=1, max_length=60)]


class Stop(Plain):
    places: list[Name] = Field(
        min_length=1, max_length=4, description="One place, or several reached from the stop before."
    )
    sentence: int | None = Field(None, ge=1, description="Draw the arrows to this stop as this sentence starts.")
    style: Literal["main", "alternative"] = Field(
        "main", description="main: a solid arrow; alternative: dashed, in the quieter accent (a detour, a shortcut)."
    )
    via: list[Name] = Field(
        default_factory=list,
        max_length=8,
        description="Places the legs to this stop pass through, in order (a strait, a cape), without a marker.",
    )
    start: Name | None = Field(
        None,
        alias="from",
        description="Where the legs to this stop start (default: the stop before): an alternative from the same place.",
    )
    by: Literal["auto", "sea", "direct"] = Field(
        "auto",
        description="How the legs to this stop go: sea, through water (around land, through the canals and straits "
        "a ship takes); direct, along the great circle (a flight, a journey overland); auto, by sea between two "
        "places by the sea whose great circle would cross land, else direct.",
    )
    avoid: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list,
        max_length=4,
        description="Canals and straits the legs to this stop do not take (Panama Canal, Suez Canal, Bosporus...): "
        "they go by sea, round them ('round Cape Horn' before the Panama Canal opened).",
    )
    label: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        None,
        description="The text of the stop's marker when it differs from the name the place is found by "
        '(places: ["Washington, D.C."], label: Washington); a stop of one place only.',
    )

    def closed(self) -> frozenset[str]:
        """The passages its legs do not take, by their names in searoute.CLOSABLE."""
        return frozenset(self.avoid)

    def origins(self, before: list[str]) -> list[str]:
        """Where this stop's legs start: its own 'from', else every place of the stop ``before``."""
        return [self.start] if self.start else before


#: A meridian, in degrees east of Greenwich (west is negative).
Meridian = Annotated[float, Field(ge=-180, le=180)]


class Area(Plain):
    """A filled area: countries, seas or regions by name, or a sector between two meridians."""

    fill: list[Name] = Field(default_factory=list, max_length=12, description="Countries, seas or regions to fill.")
    sector: tuple[Meridian, Meridian] | None = Field(
        None, description="[west, east] meridians of a sector to fill, eastward from west (it may cross 180)."
    )
    south_of: float | None = Field(None, ge=-90, le=90, description="A sector only south of this latitude.")
    north_of: float | None = Field(None, ge=-90, le=90, description="A sector only north of this latitude.")
    label: str | None = Field(None, max_length=40, description="A name drawn on the area.")
    sentence: int | None = Field(None, ge=1, description="Fill the area as this sentence starts.")

    def rings(self) -> list[list[tuple[float, float]]]:
        """The area's outer rings in longitude and latitude."""
        if self.sector is None:
            return [ring for name in self.fill for ring in (geo.area(name) or [])]
        west, east = self.sector
        east = east if east > west else east + 360  # eastward from west, across 180 if need be
        south = -90.0 if self.north_of is None else self.north_of
        north = 90.0 if self.south_of is None else self.south_of
        steps = max(2, round((east - west) / 2))
        top = [(west + (east - west) * i / steps, north) for i in range(steps + 1)]
        bottom = [(east - (east - west) * i / steps, south) for i in range(steps + 1)]
        left = [(west, south + (north - south) * i / 30) for i in range(1, 30)]
        right = [(east, north - (north - south) * i / 30) for i in range(1, 30)]
        return [[*left, *top, *right, *bottom, left[0]]]


class Spec(SpecBase):
    kind: Literal["route"]
    title: str | None = Field(None, max_length=60, description="Heading in the top-left corner.")
    stops: list[Name | list[Name] | Stop] = Field(
        default_factory=list,
        max_length=6,
        description="The route in order: a place, a list of places, or {places, sentence, style}; none for a map "
        "of areas only.",
    )
    areas: list[Area] = Field(default_factory=list, max_length=6, description="Areas to fill, each on its sentence.")
    places: dict[Name, tuple[float, float]] = Field(
        default_factory=dict,
        description="[longitude, latitude] of places the map does not know, or to move a place's marker.",
    )
    projection: Literal["auto", "regional", "world", "polar"] = Field(
        "auto", description="auto: chosen from where the places are; or regional, world or polar."
    )
    style: Literal["flat", "relief", "satellite"] | None = Field(
        None, description="The ground, as a map's (see map): flat, relief or satellite; default the theme's maps.style."
    )

    def stop_list(self) -> list[Stop]:
        out = []
        for stop in self.stops:
            if isinstance(stop, str):
                out.append(Stop(places=[stop]))
            elif isinstance(stop, list):
                out.append(Stop(places=stop))
            else:
                out.append(stop)
        return out

    def sentence_refs(self) -> list[tuple[str, int]]:
        stops = [(f"stops.{i}.sentence", s.sentence) for i, s in enumerate(self.stop_list()) if s.sentence]
        return stops + [(f"areas.{i}.sentence", a.sentence) for i, a in enumerate(self.areas) if a.sentence]

    def _named_in(self, i: int, stop: Stop) -> list[tuple[str, str]]:
        """(field, name) of every place stop ``i`` names: its places, where its legs start, its waypoints."""
        written = self.stops[i]

        def at(j: int) -> str:  # where place j is written: the stop itself, an item of its list, or of 'places'
            if isinstance(written, str):
                return f"stops.{i}"
            return f"stops.{i}.{j}" if isinstance(written, list) else f"stops.{i}.places.{j}"

        named = [(at(j), name) for j, name in enumerate(stop.places)]
        named += [(f"stops.{i}.from", stop.start)] if stop.start else []
        return named + [(f"stops.{i}.via.{j}", name) for j, name in enumerate(stop.via)]

    def check(self) -> list[SlideError]:
        """Every place the map cannot put on the map: unknown names and coordinates out of range."""
        problems = []
        if len(self.stops) == 1 or (not self.stops and not self.areas):
            problems.append(SlideError("stops", "a route needs two stops or more (or none, with areas to fill)"))
        for i, stop in enumerate(self.stop_list()):
            if stop.label and len(stop.places) > 1:
                problems.append(SlideError(
                    f"stops.{i}.label", f"a label names one place and this stop has {len(stop.places)}; give each "
                    "place its own stop to label it, or drop 'label'"
                ))  # fmt: skip
        if self.style and (why := ground.missing(self.style)):
            problems.append(SlideError("style", why))
        problems += self._area_problems() + self._coordinate_problems() + self._place_problems()
        problems += self._avoid_problems()
        return problems + ([] if problems else self._sea_problems())

    def _avoid_problems(self) -> list[SlideError]:
        """Names under 'avoid:' that are not a canal or strait the sea's routes know."""
        known = {name.lower(): name for name in searoute.CLOSABLE}
        problems = []
        for i, stop in enumerate(self.stop_list()):
            for j, name in enumerate(stop.avoid):
                if name in searoute.CLOSABLE:
                    continue
                near = [known[k] for k in difflib.get_close_matches(name.lower(), known, n=2, cutoff=0.5)]
                hint = f"did you mean {' or '.join(repr(n) for n in near)}? " if near else ""
                problems.append(SlideError(f"stops.{i}.avoid.{j}", (
                    f"'{name}' is not a canal or strait a route can avoid; {hint}"
                    f"those it can: {', '.join(sorted(searoute.CLOSABLE))}"
                )))  # fmt: skip
        return problems

    def _sea_problems(self) -> list[SlideError]:
        """Legs marked 'by: sea' that no water joins."""
        problems = []
        stops = self.stop_list()
        for i, stop in enumerate(stops):
            if not _at_sea(stop) or i == 0:
                continue
            for leg in _legs([stops[i - 1], stop]):
                for u, v in itertools.pairwise(leg):
                    a, b = self.where(u), self.where(v)
                    if searoute.way(a, b, stop.closed()) is not None:
                        continue
                    inland = [n for n, p in ((u, a), (v, b)) if not searoute.by_the_sea(p)]
                    why = (f"'{inland[0]}' is not by the sea (no sea within about 60 km)" if inland
                           else "no sea joins them (a lake's shore and the ocean's?)")  # fmt: skip
                    problems.append(SlideError(
                        f"stops.{i}.by", f"no way by sea from '{u}' to '{v}': {why}; write 'by: direct' for a "
                        "great-circle leg, or end the leg at a port"
                    ))  # fmt: skip
        return problems

    def where(self, name: str) -> tuple[float, float]:
        """A named place's longitude and latitude (given under 'places:' or found by name)."""
        return tuple(self.places[name]) if name in self.places else geo.where(name)

    def labels(self) -> dict[str, Label]:
        """Each place a stop marks: the text its marker shows and where that text is written (a place reached
        twice is marked once, as first written)."""
        out: dict[str, Label] = {}
        for i, stop in enumerate(self.stop_list()):
            for j, name in enumerate(stop.places):
                if name in out:
                    continue
                if stop.label and len(stop.places) == 1:
                    out[name] = Label(stop.label, f"stops.{i}.label", written=True)
                else:
                    shown = name if name in self.places else places_index.written(name)  # 'Colón, Colon': Colón
                    out[name] = Label(shown, self._named_in(i, stop)[j][0], written=False)
        return out

    def _area_problems(self) -> list[SlideError]:
        problems = []
        for i, item in enumerate(self.areas):
            if (item.sector is None) == (not item.fill):
                problems.append(
                    SlideError(f"areas.{i}", "an area needs either 'fill' (names) or a 'sector': one of the two")
                )
            for j, name in enumerate(item.fill):
                if not geo.area(name):
                    close = [repr(c) for c in geo.closest(name)]
                    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
                    problems.append(SlideError(
                        f"areas.{i}.fill.{j}", f"no outline for '{name}'{hint}; name a country, sea or region"
                    ))  # fmt: skip
        return problems

    def _coordinate_problems(self) -> list[SlideError]:
        return [
            SlideError(
                f"places.{name}",
                f"[{lon:g}, {lat:g}] is not [longitude, latitude]: longitude runs from -180 (west) to 180 "
                "(east) and latitude from -90 (south) to 90 (north); write longitude first",
            )
            for name, (lon, lat) in self.places.items()
            if not (-180 <= lon <= 180 and -90 <= lat <= 90)
        ]

    def _place_problems(self) -> list[SlideError]:
        """Names of places a stop names that neither the map nor 'places:' knows, and a name YAML cut in two at
        its comma (``[Washington, D.C.]`` is two places)."""
        problems = []
        for i, stop in enumerate(self.stop_list()):
            named = self._named_in(i, stop)
            for (field, a), (_, b) in itertools.pairwise(named[: len(stop.places)]):
                whole = f"{a}, {b}"
                if whole not in self.places and places_index.named(whole):
                    problems.append(SlideError(field, (
                        f"'{a}' and '{b}' are one place, '{whole}', cut in two by YAML at its comma in [...]: "
                        f'write it in quotes, ["{whole}"]'
                    )))  # fmt: skip
            for field, name in self._named_in(i, stop):
                if name in self.places or geo.where(name):
                    continue
                if (shared := places_index.candidates(name)) and split_hint(name)[1]:
                    base, given = split_hint(name)
                    within = list(dict.fromkeys(", ".join(x for x in (p.admin1, p.country) if x) for p in shared))
                    within = [w for w in within if w][:4]
                    problems.append(SlideError(field, (
                        f"'{given}' picks no place called '{base}' (there is one in {'; '.join(within)}); after "
                        "the comma write its country, or its state or province"
                    )))  # fmt: skip
                    continue
                names = [repr(c) for c in geo.closest(name)]
                hint = f" (did you mean {', '.join(names[:-1])} or {names[-1]}?)" if len(names) > 1 else ""
                hint = hint or (f" (did you mean {names[0]}?)" if names else "")
                problems.append(
                    SlideError(
                        field,
                        f"unknown place '{name}'{hint}; name a country, state, town, sea, strait, river, lake or "
                        "region ('explainer places TEXT' finds them), or give its [longitude, latitude] under "
                        "'places:'",
                    )
                )
        return problems


@dataclass(frozen=True)
class Label:
    """A marker's text, the field it is written at, and whether it was written as a label (not the place's name,
    which may be shortened to fit)."""

    text: str
    field: str
    written: bool


def locate(spec: Spec) -> dict[str, tuple[float, float]]:
    """Longitude and latitude of every named place (raises the first of ``spec.check()`` if any is unknown)."""
    problems = spec.check()
    if problems:
        raise problems[0]
    where = {}
    for stop in spec.stop_list():
        for name in [*stop.places, *stop.via, *stop.origins([])]:
            where[name] = spec.places[name] if name in spec.places else geo.where(name)
    return where


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    safe = canvas.safe
    where = locate(spec)
    stops = spec.stop_list()
    named = {country.name for name in where if (country := geo.find(name))}
    elements, box = _title(spec, canvas)
    # Places and routes are framed inside the safe area (clear of a platform's buttons in a portrait frame);
    # the map around them fills the whole frame.
    frame_box = box or (safe.x0, safe.y0, safe.x1, safe.y1)
    area_rings = [item.rings() for item in spec.areas]
    view = _framed(spec, where, stops, area_rings, frame_box)
    taken: list = []
    elements += _areas(spec, canvas, context, view, area_rings, taken)
    xy = {name: view(*where[name]) for name in where}  # markers only for stops; waypoints are on the path
    centre = (sum(p[0] for p in xy.values()) / max(1, len(xy)), sum(p[1] for p in xy.values()) / max(1, len(xy)))
    arrows, tags, drawn_paths = _arrows(stops, canvas, context, view, where, centre)
    elements += arrows
    avoid = Obstacles(
        dots=[xy[name] for name in tags],
        boxes=list(taken),
        paths=drawn_paths,
        # The title, with a gap under its last line: a name touching it read as part of it.
        fixed=[(0, 0, canvas.width, box[1] + canvas.px(0.015))] if box else [],
    )
    labels = spec.labels()
    markers = [
        place_marker(canvas, labels[name], xy[name], strong, arrive, avoid) for name, (strong, arrive) in tags.items()
    ]
    # Markers and their names are painted over every arrow.
    style = ground.style_for(spec.style, canvas.theme.maps.style)
    if why := ground.missing(style):
        raise SlideError("style", why)
    base = (lambda: _map(canvas, view, named)) if style == "flat" else (lambda: _ground(canvas, view, named, style))
    return Slide(lambda: section_label(canvas, context, base=base().copy()), elements + markers)


def _title(spec: Spec, canvas: Canvas) -> tuple[list[Element], tuple[int, int, int, int] | None]:
    """The heading, if any, and the box under it where the route is framed."""
    if not spec.title:
        return [], None
    theme, safe = canvas.theme, canvas.safe
    motion = theme.motion
    title = canvas.fit(
        spec.title,
        "heading",
        theme.sizes.heading,
        field="title",
        width=safe.width * 0.45,
        height=canvas.height * 0.3,
        max_lines=2,
    )
    top = safe.y0 + round(canvas.min_text * 2.2)
    element = sprite(
        text_sprite(title, theme.colors.text), (safe.x0, top), 0.1, motion.entrance, canvas.px(motion.rise)
    )
    # The route is framed below the title, so no arrow or name runs under it.
    return [element], (safe.x0, top + title.height, safe.x1, safe.y1)


def _legs(stops: list[Stop]) -> list[list[str]]:
    """Each leg: from where the stop's legs start to one of its places, through its waypoints."""
    return [
        [a, *stop.via, b]
        for k, stop in enumerate(stops[1:], 1)
        for a in stop.origins(stops[k - 1].places)
        for b in stop.places
    ]


#: A leg 'by: auto' goes by sea when it is this long or longer (km: the sea's raster is a tenth of a degree, too
#: coarse for a hop along a strait) and its great circle crosses this share of its length over land.
AUTO_SEA_KM, AUTO_SEA_SHARE = 300.0, 0.1
#: ... and the way by sea is at most this many times longer than the great circle.
AUTO_SEA_DETOUR = 3.0


def by_sea(stop: Stop, a: tuple[float, float], b: tuple[float, float]) -> tuple[tuple[float, float], ...] | None:
    """The way by sea of a hop from ``a`` to ``b`` of the legs to ``stop``, or None: the hop is a great circle."""
    if stop.by == "direct" or (stop.by == "auto" and stop.via and not stop.avoid):
        return None  # waypoints given by hand are joined as written
    if not _at_sea(stop):
        if not (searoute.by_the_sea(a) and searoute.by_the_sea(b)):
            return None
        direct = searoute.km(a, b)
        if direct < AUTO_SEA_KM or searoute.crosses_land_km(a, b) < AUTO_SEA_SHARE * direct:
            return None
    way = searoute.way(a, b, stop.closed())
    if way is None or (not _at_sea(stop) and searoute.length_km(way) > AUTO_SEA_DETOUR * searoute.km(a, b)):
        return None
    return way


def _at_sea(stop: Stop) -> bool:
    """Whether the legs to ``stop`` go by sea whatever the great circle does: 'by: sea', or passages to avoid."""
    return stop.by == "sea" or (stop.by == "auto" and bool(stop.avoid))


def _hop_points(stop: Stop, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """A hop's points in longitude and latitude: its way by sea, or 16 points of its great circle."""
    way = by_sea(stop, a, b)
    return searoute.along(way) if way else cartography.great_circle(a, b, 16)


def _framed(
    spec: Spec,
    where: dict[str, tuple[float, float]],
    stops: list[Stop],
    area_rings: list[list[list[tuple[float, float]]]],
    frame_box: tuple[int, int, int, int],
) -> cartography.MapView:
    """The map's view, framing the places (or the areas, on a map of areas only) in ``frame_box``."""
    # Framed with the routes' own paths too, which can bulge past their ends (great circles run poleward, a way by
    # sea round a continent).
    paths = [
        p
        for k, stop in enumerate(stops[1:], 1)
        for leg in _legs([stops[k - 1], stop])
        for a, b in itertools.pairwise(leg)
        for p in _hop_points(stop, where[a], where[b])
    ]
    outline = [p for rings in area_rings for ring in rings for p in ring[:: max(1, len(ring) // 64)]]
    places = list(where.values()) or outline
    return cartography.MapView.fit(places, frame_box, pad=0.12, extra=paths + outline, kind=spec.projection)


def _areas(
    spec: Spec,
    canvas: Canvas,
    context: SceneContext,
    view: cartography.MapView,
    area_rings: list[list[list[tuple[float, float]]]],
    taken: list,
) -> list[Element]:
    """Every area's fill, each on its sentence, then their names over every fill; the names' boxes join ``taken``."""
    fills, names = [], []
    for i, (item, rings) in enumerate(zip(spec.areas, area_rings, strict=True)):
        start = context.sentence_time(item.sentence, 0.4 + i * canvas.theme.motion.stagger)
        fill, name = _area(canvas, view.areas(rings, canvas.width, canvas.height), item.label, start, taken)
        fills.append(fill)
        names += [name] if name else []
    return fills + names


def _arrows(
    stops: list[Stop],
    canvas: Canvas,
    context: SceneContext,
    view: cartography.MapView,
    where: dict[str, tuple[float, float]],
    centre: tuple[float, float],
) -> tuple[list[Element], dict[str, tuple[bool, float]], list[list[tuple[float, float]]]]:
    """The arrows to each stop in turn (or as its sentence starts); each stop's place -> (strong: an end of the
    route, when it arrives); the arrows' paths on the screen."""
    colors = canvas.theme.colors
    width = max(2, canvas.px(0.007))
    elements: list[Element] = []
    t = 0.6
    tags: dict[str, tuple[bool, float]] = {}
    drawn_paths: list[list[tuple[float, float]]] = []
    for k, stop in enumerate(stops):
        if k == 0:
            arrive = 0.3
        else:
            start = context.sentence_time(stop.sentence, t)
            main = stop.style == "main"
            for curve in _curves_to(stop, stops[k - 1].places, view, where, centre):
                color = colors.accent if main else colors.accent_soft
                elements.append(_arrow(curve, width, color, start, 0.9, canvas, dashed=not main))
                drawn_paths.append(curve)
            arrive = start + 0.75
            t = start + 1.0
        for name in stop.places:  # a place reached twice (by a detour and a shortcut) is marked once, when first
            strong = k == 0 or k == len(stops) - 1
            tags[name] = (tags[name][0] or strong, tags[name][1]) if name in tags else (strong, arrive)
    return elements, tags, drawn_paths


def _curves_to(
    stop: Stop,
    before: list[str],
    view: cartography.MapView,
    where: dict[str, tuple[float, float]],
    centre: tuple[float, float],
) -> list[list[tuple[float, float]]]:
    """The legs to ``stop`` on the screen, from each place they start at to each of its places, great circle by
    great circle through its waypoints."""
    curves = []
    for a in stop.origins(before):
        for b in stop.places:
            path, at_sea = [], False
            for i, (u, v) in enumerate(itertools.pairwise([a, *stop.via, b])):
                way = by_sea(stop, where[u], where[v])
                if way:
                    lons, lats = zip(*searoute.along(way), strict=True)
                    xs, ys = view.many(lons, lats)
                    hop = list(zip(xs.tolist(), ys.tolist(), strict=True))
                else:
                    hop = view.arc(where[u], where[v])
                path += hop[1 if i else 0 :]
                at_sea = at_sea or bool(way)
            curves.append(_bowed(path, centre, bow=not stop.via and not at_sea))
    return curves


def _area(
    canvas: Canvas, rings: list[list[tuple[float, float]]], label: str | None, start: float, taken: list
) -> tuple[Element, Element | None]:
    """A filled area (translucent accent, outlined) fading in, and its name at its largest piece.

    The name is its own element so that every name is painted over every fill. ``taken``: the
    boxes of names already placed; a name that would cover one moves down below it.
    """
    colors, ss = canvas.theme.colors, 2
    layer = Image.new("RGBA", (canvas.width * ss, canvas.height * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for ring in rings:
        if len(ring) > 2:
            points = [(x * ss, y * ss) for x, y in ring]
            draw.polygon(points, fill=(*rgb(colors.accent), 92), outline=(*rgb(colors.accent), 220),
                         width=max(1, canvas.px(0.002) * ss))  # fmt: skip
    layer = layer.resize((canvas.width, canvas.height), Image.Resampling.LANCZOS)
    if label and rings:
        pieces = [Polygon(r) for r in rings if len(r) > 3]
        largest = max((p if p.is_valid else p.buffer(0) for p in pieces), key=lambda p: p.area, default=None)
        if largest is not None and not largest.is_empty:
            point = largest.representative_point()
            size = canvas.theme.sizes.label
            block = canvas.fit(label.upper(), "label", size, field="areas", width=canvas.width * 0.3,
                               height=canvas.px(0.1), max_lines=2)  # fmt: skip
            safe = canvas.safe
            x = min(max(round(point.x - block.width / 2), safe.x0), safe.x1 - block.width)
            y = min(max(round(point.y - block.height / 2), safe.y0), safe.y1 - block.height)
            gap = canvas.px(0.01)  # names side by side keep a space between them
            for _ in range(8):
                right, low = x + block.width + gap, y + block.height
                hit = next((b for b in taken if x - gap < b[2] and b[0] < right and y < b[3] and b[1] < low), None)
                if hit is None:
                    break
                y = min(hit[3] + canvas.px(0.006), safe.y1 - block.height)
            taken.append((x, y, x + block.width, y + block.height))
            name = sprite(text_sprite(block, colors.text, align="center"), (x, y), start, canvas.theme.motion.entrance)
            return sprite(layer, (0, 0), start, canvas.theme.motion.entrance), name
    return sprite(layer, (0, 0), start, canvas.theme.motion.entrance), None


def _map(canvas: Canvas, view: cartography.MapView, named: set[str]) -> Image.Image:
    key = f"map:{view}:{sorted(named)}"
    if key in canvas.memo:
        return canvas.memo[key]
    colors = canvas.theme.colors
    w, h, ss = canvas.width, canvas.height, 2
    image = background(canvas, shapes=False).resize((w * ss, h * ss))  # shapes would float on the sea
    draw = ImageDraw.Draw(image)
    land = _mix(colors.panel, colors.muted, 0.10)
    lit = _mix(colors.panel, colors.muted, 0.32)
    border = max(1, round(canvas.px(0.0016) * ss))
    for outline in view.outlines(w, h):
        fill = lit if outline.country.name in named else land
        for ring in outline.rings:
            if len(ring) > 2:
                draw.polygon([(x * ss, y * ss) for x, y in ring], fill=fill)
        for line in outline.borders:
            draw.line([(x * ss, y * ss) for x, y in line], fill=colors.grid, width=border)
    image = image.resize((w, h), Image.Resampling.LANCZOS)
    canvas.memo[key] = image
    return image


def _ground(canvas: Canvas, view: cartography.MapView, named: set[str], style: str) -> Image.Image:
    """The route's map on the map engine's ground (``maps.ground``: relief or satellite), seen through the route's
    own projection, with borders and coasts drawn over it and the route's countries lit."""
    key = f"map:{view}:{sorted(named)}:{style}"
    if key in canvas.memo:
        return canvas.memo[key]
    w, h = canvas.width, canvas.height
    back = cartography._transformer(view.proj, inverse=True)

    def inverse(xs, ys):
        return back.transform((xs - view.dx) / view.scale, (view.dy - ys) / view.scale)

    image = ground.warp(style, (w, h), inverse, view.scale, work=1.0)
    if view.kind == "world":  # the world's outline: nothing of the picture beyond it
        edge = view.lon0 + 179.999
        lats = np.linspace(-90, 90, 181)
        xs, ys = view.many(np.r_[np.full(181, edge), np.full(181, edge - 359.998)], np.r_[lats, lats[::-1]])
        outline = layers.Mask(w, h)
        outline.polygon(np.column_stack([xs, ys]))
        world = Image.new("RGB", (w, h))
        world.paste(background(canvas, shapes=False))
        mask, at = outline.done()
        world.paste(image.crop((*at, at[0] + mask.width, at[1] + mask.height)), at, mask)
        image = world
    lit, edges = layers.Mask(w, h), layers.Mask(w, h)
    for outline in view.outlines(w, h):
        for ring in outline.rings:
            if outline.country.name in named and len(ring) > 2:
                lit.polygon(np.asarray(ring))
        for line in outline.borders:
            edges.line(np.asarray(line), max(1.0, canvas.px(0.0011)))
    lit.tint(image, (255, 255, 255), 0.16)
    edges.tint(image, (255, 255, 255), 0.55)
    if view.kind != "world":  # an azimuthal map: the far side of the Earth is a ring round it
        image = _near_side(image, canvas, back, view)
    image = ground.scrim(image, rgb(canvas.theme.colors.background_edge))
    canvas.memo[key] = image
    return image


#: An azimuthal map's ground is shown this far from its centre (degrees of arc), fading to the background over
#: FAR_FADE more: beyond it the far side of the Earth wraps round the map as a ring, so squeezed that the picture,
#: warped quad by quad, smeared into stripes (New York to San Francisco by Cape Horn, in relief).
NEAR_SIDE, FAR_FADE = 95.0, 15.0


def _near_side(image: Image.Image, canvas: Canvas, back, view: cartography.MapView) -> Image.Image:
    """``image`` (the ground of a regional or polar map) faded to the background beyond NEAR_SIDE of arc from the
    map's centre, and where no point of the Earth is (outside its disc)."""
    w, h = image.size
    step = max(2, min(w, h) // 135)  # the fade is computed on a coarse grid and scaled up: it is smooth
    gx, gy = np.meshgrid(np.arange(0, w + step, step, dtype=float), np.arange(0, h + step, step, dtype=float))
    lons, lats = back.transform((gx - view.dx) / view.scale, (view.dy - gy) / view.scale)
    lon0, lat0 = back.transform(0.0, 0.0)  # the projection's centre
    ok = np.isfinite(lons) & np.isfinite(lats) & (np.abs(lats) <= 90)
    la, lo, la0 = np.radians(np.where(ok, lats, 0.0)), np.radians(np.where(ok, lons - lon0, 0.0)), np.radians(lat0)
    cos_arc = np.sin(la) * np.sin(la0) + np.cos(la) * np.cos(la0) * np.cos(lo)
    arc = np.degrees(np.arccos(np.clip(cos_arc, -1.0, 1.0)))
    away = np.where(ok, np.clip((arc - NEAR_SIDE) / FAR_FADE, 0.0, 1.0), 1.0)
    if not away.any():
        return image
    mask = (
        Image.fromarray(np.round(away * 255).astype(np.uint8))
        .resize((gx.shape[1] * step, gx.shape[0] * step), Image.Resampling.BILINEAR)
        .crop((0, 0, w, h))
    )
    out = image.copy()
    out.paste(background(canvas, shapes=False).resize((w, h)), (0, 0), mask)
    return out


def _mix(a: str, b: str, f: float) -> tuple[int, int, int]:
    ca, cb = rgb(a), rgb(b)
    return tuple(round(x + (y - x) * f) for x, y in zip(ca, cb, strict=True))


@dataclass
class Obstacles:
    """What a place's name tag should not cover: the markers, names already placed (and the title), the routes."""

    dots: list[tuple[float, float]]
    boxes: list[tuple[float, float, float, float]]
    paths: list[list[tuple[float, float]]]
    #: What stands over the map (the title): a name keeps off it before anything else.
    fixed: list[tuple[float, float, float, float]] = default(default_factory=list)

    def cost(self, box: tuple[float, float, float, float], own: tuple[float, float], r: float) -> float:
        x0, y0, x1, y1 = box

        def share(boxes: list) -> float:
            return sum(
                max(0.0, min(x1, b[2]) - max(x0, b[0])) * max(0.0, min(y1, b[3]) - max(y0, b[1])) for b in boxes
            ) / max(1.0, (x1 - x0) * (y1 - y0))

        # Every marker counts, its own too: a tag pushed inside the safe area over its own dot hid it.
        covered = sum(1 for x, y in self.dots if x0 - r < x < x1 + r and y0 - r < y < y1 + r)
        crossed = sum(1 for path in self.paths for x, y in path[::2] if x0 < x < x1 and y0 < y < y1)
        return 100 * covered + 20 * share(self.boxes) + 1000 * share(self.fixed) + min(crossed, 10)


def _tag_spots(x: float, y: float, r: float, w: int, h: int) -> list[tuple[int, int]]:
    """Where a w x h tag may sit around a marker at (x, y), in order of preference: right, left, above, below."""
    gap = r * 1.8
    return [
        (round(x + gap), round(y - h / 2)),
        (round(x - gap - w), round(y - h / 2)),
        (round(x + gap * 0.6), round(y - gap * 0.6 - h)),
        (round(x + gap * 0.6), round(y + gap * 0.6)),
        (round(x - gap * 0.6 - w), round(y - gap * 0.6 - h)),
        (round(x - gap * 0.6 - w), round(y + gap * 0.6)),
        (round(x - w / 2), round(y - gap - h)),
        (round(x - w / 2), round(y + gap)),
    ]


def place_marker(
    canvas: Canvas, label: Label | str, xy: tuple[float, float], strong: bool, start: float, avoid: Obstacles
) -> Element:
    """A dot and the place's name in a dark tag beside it, inside the safe area.

    The tag takes the first spot around the dot (right, left, above, below) that covers no other
    marker, name or route; failing that, the one that covers least. It joins ``avoid`` for the next.
    """
    label = label if isinstance(label, Label) else Label(label, "stops", written=False)
    colors, safe = canvas.theme.colors, canvas.safe
    block = _label_block(canvas, label)
    pad = canvas.px(0.01)
    r = canvas.px(0.013 if strong else 0.01)
    tag = Image.new("RGBA", (block.width + 2 * pad, block.height + pad), (*rgb(colors.background_edge), 210))
    block.draw(ImageDraw.Draw(tag), pad, pad // 2, colors.text if strong else colors.muted)
    x, y = xy
    spots = []
    for i, (tx, ty) in enumerate(_tag_spots(x, y, r, tag.width, tag.height)):
        tx = min(max(tx, safe.x0), safe.x1 - tag.width)
        ty = min(max(ty, safe.y0), safe.y1 - tag.height)
        spots.append((avoid.cost((tx, ty, tx + tag.width, ty + tag.height), xy, r) + i * 0.01, tx, ty))
    _, tx, ty = min(spots)
    avoid.boxes.append((tx, ty, tx + tag.width, ty + tag.height))
    size = 2 * r + 2
    dot = Image.new("RGBA", (size * 4, size * 4), (0, 0, 0, 0))
    ImageDraw.Draw(dot).ellipse(
        (4, 4, size * 4 - 5, size * 4 - 5),
        fill=colors.accent if strong else colors.text,
        outline=colors.background_edge,
        width=4,
    )
    dot = dot.resize((size, size), Image.Resampling.LANCZOS)
    dot_x, dot_y = round(x - size / 2), round(y - size / 2)
    left, top = min(tx, dot_x), min(ty, dot_y)
    right, bottom = max(tx + tag.width, dot_x + size), max(ty + tag.height, dot_y + size)
    layer = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
    layer.alpha_composite(tag, (tx - left, ty - top))
    layer.alpha_composite(dot, (dot_x - left, dot_y - top))
    return sprite(layer, (left, top), start, 0.4)


def _label_block(canvas: Canvas, label: Label):
    """The marker's text on one line: the label, or a place's name shortened as atlases do when it does not fit
    (``Washington, D.C.`` -> ``Washington``); failing that, a problem at the one label, saying how to fix it."""
    texts = [label.text] if label.written else [label.text, *short_forms(label.text)]
    for text in texts:
        try:
            return canvas.fit(text.upper(), "label", canvas.theme.sizes.label, field=label.field,
                              width=canvas.safe.width * 0.3, height=canvas.px(0.1), max_lines=1)  # fmt: skip
        except FitError:
            continue
    fits = _longest_fitting(canvas, label.text)
    what = "the label" if label.written else "the place's name"
    how = (
        "shorten it"
        if label.written
        else f'write the stop as {{places: ["{label.text}"], label: ...}} with a shorter label'
    )
    raise FitError(
        label.field,
        f"{what} '{label.text}' is too long for its marker ({len(label.text)} characters; about {fits} fit on "
        f"one line here): {how}",
    )


def _longest_fitting(canvas: Canvas, text: str) -> int:
    """How many of ``text``'s first characters fit on a marker's line (a hint for the message)."""
    for n in range(len(text) - 1, 0, -1):
        try:
            canvas.fit(text[:n].upper(), "label", canvas.theme.sizes.label, field="", width=canvas.safe.width * 0.3,
                       height=canvas.px(0.1), max_lines=1)  # fmt: skip
            return n
        except FitError:
            continue
    return 0


def _bowed(path: list[tuple[float, float]], centre: tuple[float, float], bow: bool = True) -> list[tuple[float, float]]:
    """``path`` (a great circle on the screen) bowed a little away from the ``centre`` of the route, so arrows
    that meet at one place fan out instead of crossing; a path through waypoints (``bow`` False) keeps to them.
    """
    (x0, y0), (x1, y1) = path[0], path[-1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    mid_x, mid_y = path[len(path) // 2]
    side = 1.0 if (mid_x - centre[0]) * nx + (mid_y - centre[1]) * ny >= 0 else -1.0
    bend = 0.12 * length * side if bow else 0.0
    last = len(path) - 1
    return [(x + nx * bend * math.sin(math.pi * i / last), y + ny * bend * math.sin(math.pi * i / last))
            for i, (x, y) in enumerate(path)]  # fmt: skip


def _arrow(
    curve: list[tuple[float, float]],
    width: int,
    color: str,
    start: float,
    duration: float,
    canvas: Canvas,
    dashed: bool = False,
) -> Element:
    """An arrow along ``curve`` that draws itself on, head last; ``dashed`` for an alternative route."""
    x1, y1 = curve[-1]
    # Stop short of the marker so the head does not cover the dot.
    gap = canvas.px(0.022)
    keep = [p for p in curve if math.hypot(p[0] - x1, p[1] - y1) > gap] or curve[:2]
    head = canvas.px(0.028)
    ss = 3
    x_lo = min(p[0] for p in curve) - head * 2
    y_lo = min(p[1] for p in curve) - head * 2
    box_w = round(max(p[0] for p in curve) - x_lo + head * 2)
    box_h = round(max(p[1] for p in curve) - y_lo + head * 2)

    fill = rgb(color)

    def paint(frame: Image.Image, p: float) -> None:
        # The line is drawn as a coverage mask at 3x and box-averaged down (reduce): the same anti-aliasing
        # as resampling an RGBA layer, in a quarter of the time, and the colour itself is never averaged.
        n = max(2, round(len(keep) * ease_in_out(p)))
        pts = [((x - x_lo) * ss, (y - y_lo) * ss) for x, y in keep[:n]]
        mask = Image.new("L", (box_w * ss, box_h * ss), 0)
        draw = ImageDraw.Draw(mask)
        if dashed:  # dashes about three line widths long, with gaps as long
            dash, run, on = width * ss * 3, 0.0, True
            segment = [pts[0]]
            for (ax, ay), (bx, by) in itertools.pairwise(pts):
                run += math.hypot(bx - ax, by - ay)
                segment.append((bx, by))
                if run >= dash:
                    if on and len(segment) > 1:
                        draw.line(segment, fill=255, width=width * ss, joint="curve")
                    segment, run, on = [(bx, by)], 0.0, not on
            if on and len(segment) > 1:
                draw.line(segment, fill=255, width=width * ss, joint="curve")
        else:
            draw.line(pts, fill=255, width=width * ss, joint="curve")
        (px, py), (qx, qy) = pts[-2], pts[-1]
        angle = math.atan2(qy - py, qx - px)
        hs = head * ss
        draw.polygon(
            [
                (qx + math.cos(angle) * hs * 0.6, qy + math.sin(angle) * hs * 0.6),
                (qx + math.cos(angle + 2.5) * hs * 0.7, qy + math.sin(angle + 2.5) * hs * 0.7),
                (qx + math.cos(angle - 2.5) * hs * 0.7, qy + math.sin(angle - 2.5) * hs * 0.7),
            ],
            fill=255,
        )
        x, y = round(x_lo), round(y_lo)
        frame.paste(fill, (x, y, x + box_w, y + box_h), mask.reduce(ss))

    return Element(start, duration, paint)


KIND = SlideKind(Spec, build)
