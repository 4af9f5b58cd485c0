"""`map`: a map for showing, not travelling: where a place is, regions lit as the narrator names them, lines
drawn on (a border, a river, coordinates), pins with callouts, names of seas, rivers, ranges and cities, a scale
bar, values per country, and a camera that flies between views.

The map is the engine's (``drawing/maps``): an orthographic globe recentred on the camera each frame, its ground
in the theme's or the map's style, vectors drawn at each frame's own scale. Everything on the map is painted by
one element per stretch of time in which something moves (the camera, a region fading in, a line drawing
itself); between them the slide holds a frame that is drawn once and encoded as a repeat, so a map held still
costs one frame. Reveals tie to a sentence (``at``) and, with word times, to the word that names the thing.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from pydantic import Field
from shapely.geometry import Polygon

from pipeline.core.schema import Plain
from pipeline.drawing.maps import camera as flight
from pipeline.drawing.maps import gazetteer, ground, layers, places
from pipeline.drawing.maps.globe import RADIUS, View, angle, centre_of, fit
from pipeline.drawing.maps.names import fold
from pipeline.drawing.slides import backdrop, geo
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import background, rgb, section_label
from pipeline.drawing.slides.easing import ease_out
from pipeline.drawing.slides.motion import sprite, text_sprite
from pipeline.drawing.slides.problems import SlideError
from pipeline.drawing.slides.text import TextBlock
from pipeline.drawing.slides.theme import Shapes

Name = Annotated[str, Field(min_length=1, max_length=60)]
#: [longitude, latitude].
LonLat = tuple[float, float]
Sentence = Annotated[int, Field(ge=1, description="Reveal as this sentence starts (or as its word is said).")]
Word = Annotated[str, Field(min_length=1, max_length=40)]


class Shot(Plain):
    """One view of the camera: places to fit, or a centre and a span."""

    show: list[Name] = Field(
        default_factory=list, max_length=12, description="Places, regions, seas or rivers to fit in the frame."
    )
    centre: Name | LonLat | None = Field(None, description="The place (or [longitude, latitude]) in the middle.")
    span: float | None = Field(
        None,
        ge=2,
        le=40000,
        description="Kilometres across the frame's shorter side (top to bottom in a wide frame, side to side in a "
        "vertical one; 16000: the whole globe).",
    )
    at: Sentence | None = None
    word: Word | None = Field(None, description="Start the move as this word of the sentence 'at' is said.")
    seconds: float = Field(2.5, ge=0.3, le=12, description="How long the move takes, eased in and out.")


class Region(Plain):
    name: Name = Field(
        description="A country, sea, gulf, strait, lake, or any country's state or province "
        "('Sichuan', 'Bavaria'; 'Georgia, USA' where a name is shared)."
    )
    label: str | None = Field(None, max_length=30, description="A name written on it (default: none).")
    color: Literal["accent", "soft", "muted", "water"] = Field(
        "accent",
        description="accent, soft (the theme's quieter accent; the accent made lighter where that is a blue, which "
        "reads as water), muted or water (a lake's blue; on a flat map, its sea's).",
    )
    at: Sentence | None = None
    word: Word | None = Field(None, description="The word it lights on (default: its own name, when said).")


class Line(Plain):
    """A line drawn on: a border between two countries, a river by name, or coordinates."""

    border: tuple[Name, Name] | None = Field(None, description="Two countries: where they meet (the DMZ).")
    river: Name | None = Field(None, description="A river by name (Natural Earth's: 'Yalu', 'Danube').")
    points: list[LonLat] = Field(default_factory=list, max_length=200, description="[longitude, latitude] points.")
    label: str | None = Field(None, max_length=30, description="A name written along it.")
    style: Literal["solid", "dashed"] = "solid"
    color: Literal["accent", "soft", "water", "text"] = Field("accent", description="accent, soft, water or text.")
    at: Sentence | None = None
    word: Word | None = None


class Pin(Plain):
    place: Name = Field(description="A city or place by name, or one given under 'places:'.")
    note: str | None = Field(None, max_length=40, description="A short callout under its name.")
    label: str | None = Field(None, max_length=30, description="Its name as written (default: the place's).")
    at: Sentence | None = None
    word: Word | None = None


class Label(Plain):
    text: str = Field(min_length=1, max_length=30, description="The name as written on the map.")
    kind: Literal["sea", "river", "range", "country", "city", "region"] = Field(
        "sea", description="How it is set: seas and rivers in spaced italic blue, ranges and countries spaced."
    )
    place: Name | LonLat | None = Field(
        None, description="Where it goes: a place, or [longitude, latitude] (default: the place called 'text')."
    )

    def where(self) -> str | LonLat:
        """The place the name goes at: its 'place', or the place its text names."""
        return self.place if self.place is not None else self.text

    at: Sentence | None = None
    word: Word | None = None


class Data(Plain):
    """A value per country, coloured from the map's land to the accent, with a legend."""

    values: dict[Name, Annotated[float, Field(ge=-1e15, le=1e15)]] = Field(
        min_length=1, max_length=60, description="Country -> value."
    )
    legend: str | None = Field(None, max_length=40, description="What the values are.")
    unit: str = Field("", max_length=8, description="Written after each value in the legend ('%', ' km').")
    at: Sentence | None = None


class Spec(SpecBase):
    kind: Literal["map"]
    title: str | None = Field(None, max_length=60, description="Heading in the top-left corner.")
    style: Literal["flat", "relief", "satellite"] | None = Field(
        None, description="The ground: flat, relief (shaded relief) or satellite; default the theme's maps.style."
    )
    camera: list[Shot] = Field(
        default_factory=list, max_length=8, description="The first view, then each move (default: fit everything)."
    )
    regions: list[Region] = Field(default_factory=list, max_length=12)
    lines: list[Line] = Field(default_factory=list, max_length=8)
    pins: list[Pin] = Field(default_factory=list, max_length=8)
    labels: list[Label] = Field(default_factory=list, max_length=16)
    data: Data | None = None
    places: dict[Name, LonLat] = Field(
        default_factory=dict, description="[longitude, latitude] of places the map does not know."
    )
    scale_bar: bool = Field(True, description="A scale bar at the bottom left (not while the whole globe shows).")

    def sentence_refs(self) -> list[tuple[str, int]]:
        refs = []
        for group in ("camera", "regions", "lines", "pins", "labels"):
            refs += [(f"{group}.{i}.at", item.at) for i, item in enumerate(getattr(self, group)) if item.at]
        return refs + ([("data.at", self.data.at)] if self.data and self.data.at else [])

    def check(self) -> list[SlideError]:
        problems = [
            SlideError(f"places.{name}", f"[{lon:g}, {lat:g}] is not [longitude, latitude]: longitude runs from "
                       "-180 to 180 and latitude from -90 to 90; write longitude first")
            for name, (lon, lat) in self.places.items() if not (-180 <= lon <= 180 and -90 <= lat <= 90)
        ]  # fmt: skip
        for i, line in enumerate(self.lines):
            given = [line.border is not None, line.river is not None, bool(line.points)]
            if sum(given) != 1:
                problems.append(SlideError(f"lines.{i}", "a line needs one of 'border' (two countries), 'river' or "
                                           "'points' (two or more [longitude, latitude])"))  # fmt: skip
            if line.points and len(line.points) < 2:
                problems.append(SlideError(f"lines.{i}.points", "a line needs two points or more"))
            for j, (lon, lat) in enumerate(line.points):
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    problems.append(SlideError(f"lines.{i}.points.{j}", f"[{lon:g}, {lat:g}] is not [longitude, "
                                               "latitude]: write longitude (-180..180) first"))  # fmt: skip
            if line.border:
                for j, name in enumerate(line.border):
                    if geo.find(name) is None:
                        problems.append(unknown_place(f"lines.{i}.border.{j}", name, "a country"))
                if not problems and not layers.shared_border(*line.border):
                    problems.append(SlideError(f"lines.{i}.border", f"{line.border[0]} and {line.border[1]} do not "
                                               "share a border; give the line as 'points'"))  # fmt: skip
            if line.river and places.river(line.river) is None:
                problems.append(unknown_place(f"lines.{i}.river", line.river, "a river Natural Earth names",
                                              kind="river"))  # fmt: skip
        for i, region in enumerate(self.regions):
            if not outlined(region.name):
                problems.append(not_outlined(f"regions.{i}.name", region.name))
        for i, pin in enumerate(self.pins):
            if self._where(pin.place) is None:
                problems.append(unknown_place(f"pins.{i}.place", pin.place, "a place", coordinates=True))
        for i, label in enumerate(self.labels):
            name = label.where()
            if isinstance(name, tuple):
                if not (-180 <= name[0] <= 180 and -90 <= name[1] <= 90):
                    problems.append(SlideError(f"labels.{i}.place", "not [longitude, latitude]: longitude first"))
            elif self._where(name) is None:
                field = f"labels.{i}.place" if label.place else f"labels.{i}.text"
                problems.append(unknown_place(field, name, "a place, sea, river or range", coordinates=True))
        for i, shot in enumerate(self.camera):
            for j, name in enumerate(shot.show):
                if self._where(name) is None:
                    problems.append(unknown_place(f"camera.{i}.show.{j}", name, "a place", coordinates=True))
            if isinstance(shot.centre, str) and self._where(shot.centre) is None:
                problems.append(unknown_place(f"camera.{i}.centre", shot.centre, "a place", coordinates=True))
            elif isinstance(shot.centre, tuple) and not (-180 <= shot.centre[0] <= 180 and -90 <= shot.centre[1] <= 90):
                problems.append(SlideError(f"camera.{i}.centre", "not [longitude, latitude]: write longitude first"))
            if not shot.show and shot.centre is None and shot.span is None:
                problems.append(SlideError(f"camera.{i}", "a camera view needs 'show' (places to fit), or 'centre' "
                                           "and/or 'span'"))  # fmt: skip
        if self.data:
            for name in self.data.values:
                if geo.find(name) is None:
                    problems.append(unknown_place(f"data.values.{name}", name, "a country"))
        if self.style and (why := ground.missing(self.style)):
            problems.append(SlideError("style", why))
        if not problems:
            problems += self._view_problems()
        return problems

    def _view_problems(self) -> list[SlideError]:
        """A camera view given by centre and span that shows none of the map's places."""
        known = [p for p in (self._where(n) for n in self._names()) if p]
        out = []
        for i, shot in enumerate(self.camera):
            if shot.show or shot.centre is None or shot.span is None or not known:
                continue
            centre = self._where(shot.centre) if isinstance(shot.centre, str) else shot.centre
            reach = shot.span * 1000 * 0.9  # half the frame's width at 16:9, about
            if all(_metres(centre, p) > reach for p in known):
                nearest = min(self._names(), key=lambda n: _metres(centre, self._where(n) or centre))
                out.append(SlideError(f"camera.{i}", f"this view ({shot.span:g} km across {_fmt(centre)}) shows none "
                                      f"of the map's places; widen 'span', or centre it on one (did you mean centre: "
                                      f"{nearest}?)"))  # fmt: skip
        return out

    def _names(self) -> list[str]:
        names = [r.name for r in self.regions] + [p.place for p in self.pins]
        return names + [label.where() for label in self.labels if isinstance(label.where(), str)]

    def _where(self, name: str) -> LonLat | None:
        return where(name, self.places)


#: Places of one name this far apart (km) are different places; a shared name is placed among the map's other
#: places when one of its namesakes lies within NEIGHBOURS km of them.
APART, NEIGHBOURS = 300.0, 2500.0
#: A shared name whose first place is a city this big keeps it, whatever its neighbours on the map.
BIG = 100_000


def among_neighbours(spec: Spec) -> dict[str, LonLat]:
    """Where the map's shared names go when its other places say which is meant: 'Colón' beside 'Panama City' is
    the Panamanian city, where alone the name is its most prominent place (a region of Honduras), and a creator's
    camera framed Central America with Panama at its edge. Conservative: a name whose first place is a big city
    (Paris, beside Dallas, stays in France) or which has a hint ('Colón, Panama'), countries and coordinates given
    stay as they are; another namesake is taken only when it lies among the others and the first does not."""
    names = [*spec._names(), *(n for shot in spec.camera for n in shot.show)]
    names += [shot.centre for shot in spec.camera if isinstance(shot.centre, str)]
    names += [n for line in spec.lines if line.border for n in line.border]
    spots: dict[str, list[LonLat]] = {}  # every place each name may be
    shared: dict[str, list] = {}
    for name in dict.fromkeys(names):
        if name in spec.places:
            spots[name] = [spec.places[name]]
        elif "," in name or geo.find(name) is not None:
            spots[name] = [point] if (point := where(name, {})) is not None else []
        else:
            found = gazetteer.named_points(name)  # a province with a town of its name in it: the town
            spots[name] = [p.label for p in found] or ([point] if (point := where(name, {})) else [])
            first = found[0] if found else None
            spread = first is not None and any(_metres(p.label, first.label) > APART * 1000 for p in found)
            if spread and (first.kind not in ("city", "town") or (first.population or 0) < BIG):
                shared[name] = found
    chosen: dict[str, LonLat] = {}
    for name, found in shared.items():
        others = [p for other, points in spots.items() if other != name for p in points]
        if not others:
            continue
        reach = {id(place): min(_metres(place.label, q) for q in others) for place in found}
        best = min(found, key=lambda place: reach[id(place)])
        near, first = reach[id(best)], reach[id(found[0])]
        if best is not found[0] and near <= NEIGHBOURS * 1000 and near * 10 <= first:
            chosen[name] = best.label
    return chosen


def _metres(a: LonLat, b: LonLat) -> float:
    return angle(a, b) * RADIUS


def _fmt(p: LonLat) -> str:
    return f"[{p[0]:g}, {p[1]:g}]"


def where(name: str, given: dict[str, LonLat]) -> LonLat | None:
    """Longitude and latitude of a place: given under 'places:', a country, a named place, a river, lake or region."""
    if name in given:
        return given[name]
    if found := geo.where(name):
        return found
    for kind in ("river", "lake", "region"):
        if feature := places.find(name, kind):
            return feature.label
    return None


def outlined(name: str) -> bool:
    return bool(geo.area(name) or places.lake(name) or places.region(name))


def not_outlined(field: str, name: str) -> SlideError:
    """``name`` cannot be highlighted: a place the gazetteer knows but has no outline for (a town, a peak, one of
    the few admin-1 regions Natural Earth redrew after the outlines' edition) says so, and what to do instead;
    any other name is an unknown place."""
    place = gazetteer.resolve(name)
    if place is None:
        return unknown_place(field, name, "a country, sea, lake or region")
    within = f" in {place.country}" if place.country and place.country != place.name else ""
    instead = f"highlight {place.country}, " if within else "highlight a country, sea, lake or region, "
    called = f"'{name}'" if fold(place.name) == fold(name) else f"'{name}' ({place.name})"
    article = "an" if place.kind[0] in "aeiou" else "a"
    return SlideError(
        field,
        f"{called} is {article} {place.kind}{within} with no outline to highlight; {instead}"
        f"or mark it with a pin ('pins: [{{place: {name}}}]')",
    )


def unknown_place(field: str, name: str, what: str, coordinates: bool = False, kind: str | None = None) -> SlideError:
    """``name`` is not a place the map knows: with the names of ``kind`` ('river', 'lake', 'region'; default any
    place) spelled most like it."""
    close = [repr(c) for c in (places.closest(name, kind) if kind else geo.closest(name))]
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    more = " or give its [longitude, latitude] under 'places:'" if coordinates else ""
    return SlideError(field, f"unknown place '{name}'{hint}; name {what} ('explainer places TEXT' finds them){more}")


# --- when things happen ---------------------------------------------------------------------------------------


def moment(context: SceneContext, at: int | None, word: str | None, names: list[str], default: float) -> float:
    """When a reveal starts: as sentence ``at`` starts, or, with word times, as its ``word`` (or the first of
    ``names`` the sentence says, all its words in a row) is said; ``default`` when not tied to a sentence."""
    if at is None:
        return default
    start = context.sentence_time(at, default)
    if not context.words:
        return start
    starts = context.sentence_starts
    end = starts[at] if at < len(starts) else math.inf
    said = [(fold(w), t) for w, t in context.words if start - 0.05 <= t < end]
    for name in [word] if word else names:
        wanted = fold(name or "").split()
        if not wanted:
            continue
        for i in range(len(said) - len(wanted) + 1):
            if all(said[i + k][0] == wanted[k] for k in range(len(wanted))):
                return max(start, said[i][1] - 0.1)
        if word is None and len(wanted) > 1:  # 'Yalu River' said as 'the Yalu': its first uncommon word
            hit = next((t for w, t in said if w == wanted[0] and w not in _COMMON), None)
            if hit is not None:
                return max(start, hit - 0.1)
    return start


#: Words too common to tie a reveal to alone.
_COMMON = {"the", "of", "sea", "river", "lake", "mount", "north", "south", "east", "west", "gulf", "bay"}


@dataclass(frozen=True)
class Reveal:
    start: float
    seconds: float

    def share(self, t: float) -> float:
        return 0.0 if t < self.start else min(1.0, (t - self.start) / self.seconds) if self.seconds > 0 else 1.0


# --- the map as the engine draws it -------------------------------------------------------------------------


@dataclass
class Sprite:
    """Something pinned to a place on the map: a name or a pin, drawn once, set ``offset`` from its anchor."""

    image: Image.Image
    anchor: LonLat
    offset: tuple[float, float]
    reveal: Reveal
    #: The view it was placed in (where the camera rests once it has appeared).
    rest: View | None = None
    #: The name's own box (left, top, width, height) from the anchor, where the image holds more (a leader line).
    own: tuple[float, float, int, int] | None = None

    def box(self, view: View) -> tuple[float, float, float, float]:
        """Where the name (or pin) itself is on the screen in ``view``: left, top, right, bottom."""
        x, y = view.point(*self.anchor)
        dx, dy, w, h = self.own or (*self.offset, self.image.width, self.image.height)
        return x + dx, y + dy, x + dx + w, y + dy + h


@dataclass
class Painted:
    """A region, line or data fill on the map, its shape in longitude and latitude, and when it shows."""

    rings: list[np.ndarray]
    color: tuple[int, int, int]
    reveal: Reveal
    line: bool = False
    width: float = 0.0
    dashed: bool = False
    fill: float = 0.35
    #: What it is drawn over: regions (0) under rivers (1) under borders and other lines (2), whatever their order.
    layer: int = 0


@dataclass
class Scene:
    """Everything the map element paints at a moment: ``paint(frame, t)``."""

    canvas: Canvas
    style: str
    path: flight.Flight
    painted: list[Painted]
    sprites: list[Sprite]
    data: dict[int, tuple[int, int, int]]
    data_reveal: Reveal | None
    scale_bar: bool
    #: Lines and rings simplified per tolerance, kept for the frames after.
    memo: dict = dataclasses.field(default_factory=dict)
    #: The frame's ground with its settled items, by the view and what was whole in it (``paint``).
    _kept: tuple[tuple, Image.Image] | None = dataclasses.field(default=None, repr=False)
    _prepared: bool = dataclasses.field(default=False, repr=False)

    def paint(self, frame: Image.Image, t: float) -> None:
        if not self._prepared:  # at the first frame drawn, not as the slide is built (a layout check builds it)
            self._prepared = True
            ground.prepare(self.style, max(view.scale for view in self.path.views()))
        view = self.path.at(t)
        tol = layers.tolerance(view)
        # What a frame shares with the one before while the camera stands still (a region fading in, a line drawing
        # itself, a name appearing): the ground, the outlines and every painted item already whole, kept and pasted
        # (0.6 ms) rather than drawn again (30-60 ms): only what is changing is drawn over it.
        # Regions, then rivers, then borders and other lines: a river drawn over the red border it runs along (the
        # Yalu, the Tumen) hid it.
        painted = sorted(self.painted, key=lambda item: item.layer)
        shares = [item.reveal.share(t) for item in painted]
        steady = next((i for i, s in enumerate(shares) if s not in (0.0, 1.0)), len(shares))
        data_share = (self.data_reveal.share(t) if self.data_reveal else 1.0) if self.data else 0.0
        key = (view, data_share, tuple(shares[:steady]))
        if self._kept is not None and self._kept[0] == key:
            frame.paste(self._kept[1])
        else:
            self._ground(frame, view, tol, data_share)
            for item, share in zip(painted[:steady], shares[:steady], strict=True):
                self._painted(frame, view, item, share, tol)
            # Kept where the camera stands (while it flies, no frame has the view of another).
            moving = any(a <= t < b for a, b in self.path.spans())
            self._kept = None if moving else (key, frame.copy())
        for item, share in zip(painted[steady:], shares[steady:], strict=True):
            self._painted(frame, view, item, share, tol)
        self._sprites(frame, view, t)
        if self.scale_bar and not view.whole_globe():
            _scale_bar(frame, self.canvas, view)

    def _ground(self, frame: Image.Image, view: View, tol: float, data_share: float) -> None:
        """Land and sea in the map's style, the data's colours and the outlines of the countries."""
        canvas, colors = self.canvas, self.canvas.theme.colors
        w, h = frame.size
        packed = layers.countries(layers.in_sight_countries(view), tol)
        xs, ys, near = view.project_unit(packed.unit)
        rings, extents = layers.on_frame(packed, xs, ys, near, (w, h))
        disc = ground.globe_mask(view)
        if self.style == "flat":
            land_tone, sea = flat_colors(colors)
            if disc is None:
                frame.paste(sea, (0, 0, w, h))
            else:
                frame.paste(_space(canvas))
                frame.paste(sea, disc[1], disc[0])
            land = layers.Mask(w, h)
            for ring in rings:
                land.polygon(ring)
            land.tint(frame, land_tone)
        elif disc is None:
            frame.paste(ground.picture(self.style, view))
        else:  # only the globe's part of the frame is warped; around it is space
            frame.paste(_space(canvas))
            mask, box = disc
            # Darkened towards its rim at the working size, unless data is painted over it (darkened with it).
            frame.paste(ground.picture(self.style, view, box=box, limb=not self.data), box[:2])
            # Space over the corners of the globe's box: its clear middle left out (a whole box blended: 5 ms).
            r = RADIUS * view.scale
            ground.paste_clear(frame, _space(canvas), box, ImageChops.invert(mask), r - 2,
                               (view.cx - box[0], view.cy - box[1]))  # fmt: skip
        if self.data and data_share > 0:
            by_color: dict[tuple[int, int, int], layers.Mask] = {}
            for index, color in self.data.items():
                mask = by_color.setdefault(color, layers.Mask(w, h))
                for ring in layers.country_rings(index, tol):
                    xy, seen = layers.screen(view, ring)
                    if seen:
                        mask.polygon(xy)
            for color, mask in by_color.items():
                mask.tint(frame, color, 0.92 * ease_out(data_share))
        if disc is not None:
            shaded = self.style != "flat" and not self.data
            ground.shade_globe(frame, view, _mix(colors.muted, "#8fc1f0", 0.6), limb=not shaded)
        edges = layers.Mask(w, h)
        line_width = max(1.0, canvas.px(0.0011))
        # Islands of a few pixels: their fill is enough.
        shown = [ring for ring, extent in zip(rings, extents, strict=True) if extent > 6]
        edges.lines(layers.clipped(shown, (w, h), line_width + 2), line_width)
        # Borders and coasts fainter far out, where a hemisphere's worth of them would net the globe in white.
        faint = min(1.0, max(0.45, math.log10(max(1.0, 2.5e7 / view.span_m)) / 1.2))
        if self.style == "flat":
            edges.tint(frame, rgb(colors.grid), 0.9 * faint)
        else:
            edges.tint(frame, (255, 255, 255), 0.55 * faint)

    def _sprites(self, frame: Image.Image, view: View, t: float) -> None:
        """The names and pins, each faded in as it appears, and out as the camera carries it to the frame's edge:
        a name placed where the camera rests slid off the frame cut in half as the camera moved on."""
        w, h = frame.size
        safe = self.canvas.frame_safe
        ramp = max(2.0, min(safe.x0, safe.y0, w - safe.x1, h - safe.y1) / 2)  # a name at rest stays inside it
        for item in self.sprites:
            share = item.reveal.share(t)
            if share <= 0:
                continue
            x, y = view.point(*item.anchor)
            _, _, near = view.project([item.anchor[0]], [item.anchor[1]])
            if not near[0]:
                continue
            left, top = round(x + item.offset[0]), round(y + item.offset[1])
            room = min(left, top, w - left - item.image.width, h - top - item.image.height)
            if room <= 0:
                continue
            e = ease_out(share) * min(1.0, room / ramp)
            alpha = item.image.getchannel("A")
            if e < 1:
                alpha = alpha.point(lambda a, e=e: round(a * e))
            frame.paste(item.image, (left, top), alpha)

    def _painted(self, frame: Image.Image, view: View, item: Painted, share: float, tol: float) -> None:
        if share <= 0:
            return
        w, h = frame.size
        if item.line:
            casing, stroke = layers.Mask(w, h), layers.Mask(w, h)
            for line in item.rings:
                xy, seen = layers.screen(view, layers.simplified(line, tol, self.memo))
                if not seen:
                    continue
                part = layers.cut(xy, _ease(share))
                for piece in _dashes(part, item.width * 3) if item.dashed else [part]:
                    casing.line(piece, item.width + max(2, item.width))
                    stroke.line(piece, item.width)
            casing.tint(frame, rgb(self.canvas.theme.colors.background_edge), 0.55)
            stroke.tint(frame, item.color)
            return
        # The fill and its outline in one mask: the fill at its opacity, the outline over it at full.
        mask = layers.Mask(w, h)
        shown = []
        for ring in item.rings:
            xy, seen = layers.screen(view, layers.simplified(ring, tol, self.memo))
            if seen:
                mask.polygon(xy, round(255 * item.fill))
                shown.append(xy)
        for xy in shown:
            mask.line(xy, max(1.5, self.canvas.px(0.0022)))
        mask.tint(frame, item.color, 0.95 * ease_out(share))


def _ease(p: float) -> float:
    return 1 - (1 - p) ** 3 if p < 1 else 1.0


def _dashes(line: np.ndarray, length: float) -> list[np.ndarray]:
    """A polyline as dashes ``length`` long with gaps as long."""
    if len(line) < 2 or length <= 0:
        return [line]
    steps = np.hypot(*np.diff(line, axis=0).T)
    run = np.concatenate([[0.0], np.cumsum(steps)])
    out = []
    start = 0.0
    while start < run[-1]:
        end = min(start + length, run[-1])
        ts = np.concatenate([[start], run[(run > start) & (run < end)], [end]])
        xs, ys = np.interp(ts, run, line[:, 0]), np.interp(ts, run, line[:, 1])
        out.append(np.column_stack([xs, ys]))
        start += 2 * length
    return out


def _space(canvas: Canvas) -> Image.Image:
    """What the globe floats in: the theme's own background (its paper, its gradient or its colour, without its
    shapes), so a map that starts on the globe stands on what every other scene does. It was the edge colour made
    darker: a flat grey-taupe under the editorial look's paper."""
    key = "map:space"
    if key not in canvas.memo:
        theme = canvas.theme
        made = backdrop.made(canvas.width, canvas.height, theme.colors.background, theme.colors.background_edge,
                             theme.background, Shapes())  # fmt: skip
        canvas.memo[key] = made.convert("RGB")
    return canvas.memo[key]


#: A lake or sea lit in 'water' on a picture ground: a clear blue, not the pale one names are set in.
WATER_FILL = "#2f86d8"


def highlight_tones(colors, style: str) -> dict[str, tuple[int, int, int]]:
    """The colours a map lights regions (and draws lines, but for a river's light blue) in, by their names in the
    storyboard. 'soft' is the
    theme's quieter accent, unless that is a blue, which on a map reads as water (the editorial look's slate lit
    Panama as if it were a lake; on a title's backdrop, as nothing at all): then the accent made lighter. 'water'
    is the flat style's own sea on a flat map (a lake lit reads as the sea does), else a clear blue."""
    soft = rgb(colors.accent_soft)
    if _bluish(soft):
        soft = _mix(colors.accent, "#ffffff", 0.3)
    water = flat_colors(colors)[1] if style == "flat" else rgb(WATER_FILL)
    return {"accent": rgb(colors.accent), "soft": soft, "muted": rgb(colors.muted), "water": water,
            "text": rgb(colors.text)}  # fmt: skip


def fill_share(style: str, color: str, sea: bool) -> float:
    """How opaque a lit region's fill is: a country more than a sea, lake or state; on a flat ground nearly solid, as
    flat graphics are, on a picture enough to read over its grain and tint (the editorial look's relief washed a
    country lit at a third, and a lake lit in water at a fifth, to a tint one could hardly see); water a lake's
    own colour."""
    if style == "flat":
        return 0.9 if color == "water" else 0.62 if sea else 0.78
    return 0.75 if color == "water" else 0.48 if sea else 0.6


def _bluish(color: tuple[int, int, int]) -> bool:
    """A colour of the sea's hues (cyan to blue), not grey."""
    import colorsys

    h, _, sat = colorsys.rgb_to_hls(*(c / 255 for c in color))
    return sat > 0.15 and 0.47 <= h <= 0.72


def land_color(colors) -> tuple[int, int, int]:
    """The land's colour in the flat style (``flat_colors``)."""
    return flat_colors(colors)[0]


def flat_colors(colors) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The land's and the sea's colours in the flat style: a map reads its land lighter than its sea. On a dark
    look, the sea is the background and the land its panel, a little towards its muted text; where that land is
    not lighter (a light look: daylight's grey land on its cream paper read as water), the land is the paper
    made lighter and the sea the paper washed blue; on a bright colour (the flat look's blue), the land is the
    background towards the text."""
    sea, land = rgb(colors.background), _mix(colors.panel, colors.muted, 0.16)
    if _luma(land) >= _luma(sea) + 12:
        return land, sea
    if _luma(sea) > 150:
        return _mix(colors.background, "#ffffff", 0.45), _mix(colors.background, "#7fa7c9", 0.3)
    return _mix(colors.background, colors.text, 0.22), sea


def _luma(color: tuple[int, int, int]) -> float:
    return 0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]


def _mix(a: str, b: str, f: float) -> tuple[int, int, int]:
    ca, cb = rgb(a), rgb(b)
    return tuple(round(x + (y - x) * f) for x, y in zip(ca, cb, strict=True))


def _nice(metres: float) -> float:
    """The largest 1, 2 or 5 times a power of ten no more than ``metres``."""
    power = 10 ** math.floor(math.log10(max(metres, 1.0)))
    return max(m * power for m in (1, 2, 5) if m * power <= metres)


def _scale_bar(frame: Image.Image, canvas: Canvas, view: View) -> None:
    """A bar of a round number of kilometres at the bottom left of the safe area, true at the frame's middle."""
    safe = canvas.safe
    metres = _nice(canvas.width * 0.14 / view.scale)
    length = metres * view.scale
    key = f"map:scale:{metres:g}"
    if key not in canvas.memo:
        km = metres / 1000
        text = f"{km:g} km" if km >= 1 else f"{metres:g} m"
        block = canvas.fit(text, "label", canvas.theme.sizes.label * 0.8, field="scale_bar", width=canvas.width * 0.2,
                           height=canvas.px(0.08), max_lines=1)  # fmt: skip
        canvas.memo[key] = _halo(text_sprite(block, canvas.theme.colors.text), canvas)
    label = canvas.memo[key]
    x0, y1 = safe.x0, safe.y1
    thick = max(2, canvas.px(0.005))
    y = y1 - thick
    draw = ImageDraw.Draw(frame)
    shade = rgb(canvas.theme.colors.background_edge)
    text = rgb(canvas.theme.colors.text)
    draw.rectangle((x0 - 1, y - 1, x0 + length + 1, y + thick + 1), fill=shade)
    draw.rectangle((x0, y, x0 + length, y + thick), fill=text)
    draw.rectangle((x0 + length / 2, y + 1, x0 + length, y + thick - 1), fill=shade)
    frame.paste(label, (x0, y - label.height - canvas.px(0.006)), label.getchannel("A"))


def _halo(image: Image.Image, canvas: Canvas, strength: float = 0.85) -> Image.Image:
    """``image`` (a name) over a soft dark halo, so it reads over any ground."""
    pad = canvas.px(0.012)
    out = Image.new("RGBA", (image.width + 2 * pad, image.height + 2 * pad), (0, 0, 0, 0))
    alpha = Image.new("L", out.size, 0)
    alpha.paste(image.getchannel("A"), (pad, pad))
    glow = alpha.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.GaussianBlur(pad / 2.2))
    glow = glow.point(lambda a: min(255, round(a * 2.2 * strength)))
    shade = Image.new("RGBA", out.size, (*rgb(canvas.theme.colors.background_edge), 0))
    shade.putalpha(glow)
    out.alpha_composite(shade)
    out.alpha_composite(image, (pad, pad))
    return out


# --- building the slide -------------------------------------------------------------------------------------

#: How long each kind of reveal takes (seconds).
FADE, DRAW, POP = 0.7, 1.6, 0.45
#: The colours names are set in, by kind (mixed into the theme's text colour).
WATER, RANGE = "#9fd0ff", "#f0d9a8"


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    scene, overlay = compose(spec, canvas, context)
    # A map that holds after its camera has landed is pushed in like any slide (a bitmap enlarged by at most 5%,
    # as text is): held still, the shipped trap and northern-border maps stood frozen for 4.5 and 5.5 s.
    return Slide(lambda: section_label(canvas, context, base=background(canvas, shapes=False)),
                 _segments(scene, _busy(scene)) + overlay)  # fmt: skip


def picture(spec: Spec, canvas: Canvas, context: SceneContext) -> Image.Image:
    """The map where its camera lands, everything revealed, and nothing over it (no title, legend or chapter
    marker): a map a text slide stands on (``backdrop: {map: ...}``)."""
    return lit_picture(spec, canvas, context)[0]


def lit_picture(spec: Spec, canvas: Canvas, context: SceneContext) -> tuple[Image.Image, Image.Image | None]:
    """``picture``, and where its regions are lit (a mask, None when none is): a backdrop fades them less."""
    scene, _ = compose(spec, canvas, context)
    image = Image.fromarray(Slide(lambda: background(canvas, shapes=False), _segments(scene, _busy(scene))).still())
    fills = [item for item in scene.painted if not item.line]
    if not fills:
        return image, None
    view = scene.path.at(math.inf)
    mask = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(mask)
    for item in fills:
        for ring in item.rings:
            xy, seen = layers.screen(view, ring)
            if seen and len(xy) > 2:
                draw.polygon([tuple(p) for p in xy], fill=255)
    return image, mask.filter(ImageFilter.GaussianBlur(max(1, canvas.px(0.002))))


def _busy(scene: Scene) -> list[tuple[float, float]]:
    """When something on the map moves: the camera's moves and each reveal."""
    busy = scene.path.spans() + [(p.reveal.start, p.reveal.start + p.reveal.seconds) for p in scene.painted]
    busy += [(s.reveal.start, s.reveal.start + s.reveal.seconds) for s in scene.sprites]
    if scene.data_reveal:
        busy.append((scene.data_reveal.start, scene.data_reveal.start + scene.data_reveal.seconds))
    return busy


def compose(spec: Spec, canvas: Canvas, context: SceneContext) -> tuple[Scene, list[Element]]:
    """The map (what moves with it, and when) and what stands over it (the title, a legend)."""
    problems = spec.check()
    if problems:
        raise problems[0]
    if chosen := among_neighbours(spec):  # a shared name: the place of that name among the map's others
        spec = spec.model_copy(update={"places": {**chosen, **spec.places}})
    style = ground.style_for(spec.style, canvas.theme.maps.style)
    if why := ground.missing(style):
        raise SlideError("style", why)
    colors, motion = canvas.theme.colors, canvas.theme.motion
    elements, box, heading = _titled(spec, canvas)
    frame_box = box or (canvas.safe.x0, canvas.safe.y0, canvas.safe.x1, canvas.safe.y1)
    path = _flight(spec, canvas, context, frame_box)
    stagger = motion.stagger
    first_rest = path.moves[0].end if path.moves and path.moves[0].start < 0.9 else 0.5

    def when(item, names: list[str], k: int) -> float:
        return moment(context, item.at, item.word, names, first_rest + 0.3 + k * stagger)

    tones = highlight_tones(colors, style)
    painted, sprites = [], []
    k = 0
    for region in spec.regions:
        rings = [np.asarray(r, float) for r in _region_rings(region.name)]
        reveal = Reveal(when(region, [region.name, region.label or ""], k), FADE)
        sea = geo.find(region.name) is None  # a sea, lake or region: a lighter wash than a country's
        painted.append(Painted(rings, tones[region.color], reveal, fill=fill_share(style, region.color, sea)))
        k += 1
    for line in spec.lines:
        reveal = Reveal(when(line, [line.label or line.river or ""], k), DRAW)
        width = canvas.px(0.0062 if line.border else 0.0042)
        dashed = line.style == "dashed"
        tone = _mix(colors.text, WATER, 0.8) if line.color == "water" else tones[line.color]  # a river: light
        painted.append(Painted(_line(line, spec.places), tone, reveal, True, width, dashed,
                               layer=1 if line.river else 2))  # fmt: skip
        k += 1
    # Names and pins: placed where they settle, none over another, a pin's dot, a leader line or the title; the pins'
    # tags first, then the names, each in the order they appear.
    safe = canvas.frame_safe
    fixed: list[Box] = [heading] if heading else []
    if spec.scale_bar:  # its corner: the widest bar (a sixth of the frame) and its figure above it
        fixed.append((canvas.safe.x0, canvas.safe.y1 - canvas.px(0.075), canvas.safe.x0 + canvas.width * 0.16,
                      canvas.safe.y1))  # fmt: skip
    data, data_reveal, legend = {}, None, None
    if spec.data:
        data, legend = _data(spec.data, canvas)
        fixed.append((legend[1][0], legend[1][1], legend[1][0] + legend[0].width, legend[1][1] + legend[0].height))
    layout = Layout(canvas, fixed, path.at(math.inf), top=heading[3] if heading else safe.y0)
    pending = []
    for i, region in enumerate(spec.regions):
        if region.label:
            rings = _region_rings(region.name)
            pending.append((painted[i].reveal, "area", region.label, _middle(rings), "country", f"regions.{i}.label",
                            rings))  # fmt: skip
    for i, line in enumerate(spec.lines):
        if line.label:
            item = painted[len(spec.regions) + i]
            pending.append((item.reveal, "line", line.label, item.rings, "river", f"lines.{i}.label", []))
    for i, label in enumerate(spec.labels):
        named = label.where()
        anchor = named if isinstance(named, tuple) else where(named, spec.places)
        reveal = Reveal(when(label, [label.text], k), FADE)
        k += 1
        field = f"labels.{i}.place" if label.place is not None else f"labels.{i}.text"
        if label.kind == "river" and not label.place and (lines := places.river(label.text)):
            pending.append((reveal, "line", label.text, [np.asarray(x) for x in lines], "river", field, []))
        else:
            # A name's expanse, where it has one (a sea, a gulf, a lake, a region): where to write it when its
            # point is out of sight.
            rings = _region_rings(label.text) if label.place is None and label.text not in spec.places else []
            pending.append((reveal, "area", label.text, anchor, label.kind, field, rings))
    for i, pin in enumerate(spec.pins):
        if not pin.label and pin.place not in spec.places:  # its name, not the hint after it: 'Colón, Colon'
            pin = pin.model_copy(update={"label": gazetteer.written(pin.place)})
        reveal = Reveal(when(pin, [pin.label or pin.place], k), POP)
        k += 1
        anchor = where(pin.place, spec.places)
        layout.dots.append((anchor, pin_radius(canvas)))
        pending.append((reveal, "pin", pin, anchor, "pin", f"pins.{i}", []))
    pending.sort(key=lambda p: (p[1] != "pin", p[0].start))
    for reveal, how, what, anchor, kind, field, rings in pending:
        rest = path.at(_settled(path, reveal.start + reveal.seconds))
        if how == "pin":
            made = _pin(canvas, what, anchor, reveal, rest, layout, field)
        else:
            edge, anchor_given = None, anchor
            if how == "area" and not _in_sight(rest, anchor, safe, heading, canvas.px(0.04)):
                moved = _into_view(canvas, layout, rest, anchor, rings, kind)
                if moved is None:
                    raise _unseen(field, what, anchor, rest, canvas, layout, kind)
                anchor, edge = moved
            made = [_name(canvas, what, kind, anchor, reveal, rest, layout, field, how == "line", edge is not None)]
            if edge == "edge" and not layout.clear:  # brought to the frame's edge, and no room there (a sea: water)
                raise _unseen(field, what, anchor_given, rest, canvas, layout, kind, crowded=True)
        for item in made:
            item.rest = rest
        sprites += made
    sprites.sort(key=lambda s: s.reveal.start)
    if spec.data:
        data_reveal = Reveal(moment(context, spec.data.at, None, [], 0.0), FADE) if spec.data.at else None
        elements.append(sprite(legend[0], legend[1], data_reveal.start if data_reveal else 0.0, motion.entrance))
    return Scene(canvas, style, path, painted, sprites, data, data_reveal, spec.scale_bar), elements


def _segments(scene: Scene, busy: list[tuple[float, float]]) -> list[Element]:
    """The map as elements: one holding the first frame, then one per stretch of time in which something on the
    map moves, each leaving as the next comes. Between them the slide holds one frame."""
    spans: list[list[float]] = []
    for a, b in sorted((max(0.0, a), b) for a, b in busy if b > max(0.0, a)):
        if spans and a <= spans[-1][1] + 1e-6:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    starts = [a for a, _ in spans]

    def first(frame: Image.Image, p: float) -> None:
        scene.paint(frame, 0.0)

    out = [Element(-1e-6, 0.0, first, until=starts[0] if starts else math.inf)]
    for i, (a, b) in enumerate(spans):
        until = starts[i + 1] if i + 1 < len(spans) else math.inf

        def paint(frame: Image.Image, p: float, a=a, b=b) -> None:
            scene.paint(frame, a - 1e-6 + (b - a + 1e-6) * p)

        # Starting a hair early, so the frame at ``a`` itself is painted (an element at progress 0 is not).
        out.append(Element(a - 1e-6, b - a + 1e-6, paint, until=until))
    for element in out:
        element.paint.map = True  # what paints the map itself (the tests tell it from the text over it)
    return out


def _settled(path: flight.Flight, t: float) -> float:
    """``t``, or the end of the camera move under way at ``t``: where a name revealed then comes to rest."""
    for a, b in path.spans():
        if a <= t < b:
            return b
    return t


def _title(spec: Spec, canvas: Canvas) -> tuple[list[Element], tuple[int, int, int, int] | None]:
    """The heading over a soft halo (it reads over any ground), and the box under it where the map is framed."""
    elements, box, _ = _titled(spec, canvas)
    return elements, box


def _titled(spec: Spec, canvas: Canvas) -> tuple[list[Element], tuple[int, int, int, int] | None, Box | None]:
    """``_title``, and the box the heading itself covers (names keep off it, not off the whole strip beside it)."""
    if not spec.title:
        return [], None, None
    safe, theme = canvas.safe, canvas.theme
    block = canvas.fit(spec.title, "heading", theme.sizes.heading, field="title", width=safe.width * 0.5,
                       height=canvas.height * 0.3, max_lines=2)  # fmt: skip
    top = safe.y0 + round(canvas.min_text * 2.2)
    image = _halo(text_sprite(block, theme.colors.text), canvas, 0.7)
    pad = canvas.px(0.012)
    element = sprite(image, (safe.x0, top - pad), 0.1, theme.motion.entrance, canvas.px(theme.motion.rise))
    covered = (safe.x0 - pad, canvas.frame_safe.y0, safe.x0 + image.width, top - pad + image.height)
    return [element], (safe.x0, top + block.height + pad, safe.x1, safe.y1), covered


def _flight(spec: Spec, canvas: Canvas, context: SceneContext, box) -> flight.Flight:
    """The camera's views from the storyboard's shots (or one view fitting everything), each move on its cue."""
    w, h = canvas.width, canvas.height
    everything = _everything(spec)
    views: list[View] = []
    for shot in spec.camera or [Shot(show=[])]:
        before = views[-1] if views else None
        if shot.show:
            # A name the map also highlights is framed by the outline it fills (a province, not its town).
            lit = {region.name for region in spec.regions}
            points = [p for name in shot.show for p in _points(name, spec.places, outline=name in lit)]
            # A city alone is framed with its surroundings: 400 km from top to bottom at the closest.
            views.append(fit(points, box, w, h, pad=0.08, least_m=400_000.0 if len(points) == 1 else 120_000.0))
        elif shot.centre is not None or shot.span is not None:
            centre = (where(shot.centre, spec.places) if isinstance(shot.centre, str) else shot.centre) or (
                (before.lon, before.lat) if before else _centre(everything)
            )
            if shot.span:
                scale = min(w, h) / (shot.span * 1000)
            else:
                scale = before.scale if before else fit(everything, box, w, h).scale
            # A view of the whole globe is centred in the frame; a closer one in the room under the title.
            whole = scale * 12.8e6 < min(w, h) * 0.9
            mid = (w / 2, h / 2) if whole else ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            views.append(View(centre[0], centre[1], scale, w, h, *mid))
        else:
            views.append(fit(everything, box, w, h))
    moves, t = [], 0.8
    for shot, view in zip(spec.camera[1:], views[1:], strict=False):
        names = shot.show or ([shot.centre] if isinstance(shot.centre, str) else [])
        start = max(t, moment(context, shot.at, shot.word, names, t))
        moves.append(flight.Move(start, start + shot.seconds, view))
        t = start + shot.seconds + 0.4
    return flight.Flight(views[0], tuple(moves))


def _everything(spec: Spec) -> list[LonLat]:
    points = []
    for region in spec.regions:
        points += _points(region.name, spec.places, outline=True)
    for line in spec.lines:
        points += [tuple(p) for arr in _line(line, spec.places) for p in arr[:: max(1, len(arr) // 32)]]
    for pin in spec.pins:
        points += _points(pin.place, spec.places)
    if spec.data:
        for name in spec.data.values:
            points += _points(name, spec.places, outline=True)
    named = [label.where() for label in spec.labels]
    at = [p for n in named for p in ([n] if isinstance(n, tuple) else _points(n, spec.places))]
    return points or at or [(0.0, 20.0)]


def _centre(points: list[LonLat]) -> LonLat:
    return centre_of(points)


def _points(name: str, given: dict[str, LonLat], outline: bool = False) -> list[LonLat]:
    """Points to frame a named thing by: its outline (sampled) or its line, else its point. A name that is first a
    city or town (Valparaíso, not the Chilean region of that name) is its point, unless ``outline`` (a highlighted
    region is the outline it fills)."""
    if name not in given and (outline or not _a_town(name)):
        rings = _region_rings(name)
        if rings:
            biggest = max(rings, key=lambda r: Polygon(r).area if len(r) > 3 else 0)
            # The largest piece frames a country (not its far islands), plus every piece near it.
            return [tuple(p) for p in biggest[:: max(1, len(biggest) // 64)]]
        if lines := places.river(name):
            return [tuple(p) for line in lines for p in line[:: max(1, len(line) // 16)]]
    point = where(name, given)
    return [point] if point else []


def _a_town(name: str) -> bool:
    """The gazetteer's first meaning of ``name`` as a point is a city or town (its prominence puts Natural Earth's
    cities before admin-1 regions, countries before both; a province with a town of its own name in it, 'Colón,
    Panama', is that town as a point)."""
    place = gazetteer.point(name)
    return place is not None and place.kind in ("city", "town") and geo.find(name) is None


def _region_rings(name: str) -> list[np.ndarray]:
    return [np.asarray(r) for r in layers.area_rings(name, 2.0**-9)]


def _line(line: Line, given: dict[str, LonLat]) -> list[np.ndarray]:
    if line.border:
        return list(layers.shared_border(*line.border))
    if line.river:
        return [np.asarray(x, float) for x in places.river(line.river) or []]
    return [layers.densify(line.points)]


def _middle(rings: list[np.ndarray]) -> LonLat:
    pieces = [Polygon(r) for r in rings if len(r) > 3]
    largest = max((p if p.is_valid else p.buffer(0) for p in pieces), key=lambda p: p.area)
    point = largest.representative_point()
    return point.x, point.y


def _spaced(kind: str) -> bool:
    """Whether names of ``kind`` are set in spaced capitals, as maps set seas, ranges and countries."""
    return kind in ("sea", "range", "country", "region")


def _tracked(block: TextBlock, fill: str, tracking: float) -> Image.Image:
    """``block`` drawn letter by letter ``tracking`` (of its size) apart, each line centred."""
    gap = block.size * tracking
    widths = [sum(block.font.getlength(c) + gap for c in line) - gap for line in block.lines]
    image = Image.new("RGBA", (max(1, math.ceil(max(widths))), max(1, block.height)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for i, (line, width) in enumerate(zip(block.lines, widths, strict=True)):
        x = (image.width - width) / 2
        for c in line:
            one = dataclasses.replace(block, lines=(c,), width=math.ceil(block.font.getlength(c)) or 1)
            one.draw(draw, x, i * block.line_height, fill)
            x += block.font.getlength(c) + gap
    return image


def _leader(canvas: Canvas, image: Image.Image, anchor, offset: tuple[float, float], reveal: Reveal) -> Sprite:
    """A name that had to move away from its place (others were there), with a thin line from the place to it,
    so it is not read as the name of what it now sits on."""
    dx, dy = offset
    left, top = min(0.0, dx), min(0.0, dy)
    right, bottom = max(0.0, dx + image.width), max(0.0, dy + image.height)
    pad = 4
    out = Image.new("RGBA", (math.ceil(right - left) + 2 * pad, math.ceil(bottom - top) + 2 * pad), (0, 0, 0, 0))
    ox, oy = -left + pad, -top + pad  # where the place is on ``out``
    # From the place to the nearest point of the name's box (inside its halo).
    bx = min(max(0.0, dx + image.width * 0.15), dx + image.width * 0.85)
    by = min(max(0.0, dy + image.height * 0.3), dy + image.height * 0.7)
    draw = ImageDraw.Draw(out)
    color = (*rgb(canvas.theme.colors.text), 200)
    draw.line((ox, oy, ox + bx, oy + by), fill=color, width=max(1, canvas.px(0.0015)))
    r = max(2, canvas.px(0.004))
    draw.ellipse((ox - r, oy - r, ox + r, oy + r), fill=color)
    out.alpha_composite(image, (round(ox + dx), round(oy + dy)))
    return Sprite(out, anchor, (-ox, -oy), reveal, own=(dx, dy, image.width, image.height))


def overlap(a, b) -> float:
    """The area two boxes (x0, y0, x1, y1) share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


#: Kinds of name that stand for an expanse (a sea, a range, a country, a region), not a point: such a name moved
#: within its expanse, or to the frame's edge towards it, needs no line back to its place.
EXPANSES = ("sea", "range", "country", "region")

Box = tuple[float, float, float, float]


@dataclass
class Layout:
    """Where the map's names and pins may go. What stands over the map on the screen (the title, the scale bar, a
    legend), the pins' dots (every one, from the start: a name shown before a pin does not sit where its dot will
    be), and each name and tag placed so far by its place, so it is found where it is in any view; and the lines
    that join names moved off their places to them, which no other name covers."""

    canvas: Canvas
    fixed: list[Box]
    #: Where the camera rests at the end, when everything shows: a name is placed clear there too.
    final: View
    #: The foot of the title (the top of the safe area without one).
    top: float = 0.0
    dots: list[tuple[LonLat, float]] = dataclasses.field(default_factory=list)
    placed: list[tuple[LonLat, Box]] = dataclasses.field(default_factory=list)
    leaders: list[tuple[LonLat, tuple[float, float]]] = dataclasses.field(default_factory=list)
    #: Whether the last name placed found a clear spot (``place``).
    clear: bool = True
    _land: dict = dataclasses.field(default_factory=dict)

    def boxes(self, view: View) -> list[Box]:
        """Everything a new name keeps off, on the screen of ``view``."""
        out = list(self.fixed)
        for anchor, r in self.dots:
            x, y = view.point(*anchor)
            out.append((x - r, y - r, x + r, y + r))
        for anchor, (a, b, c, d) in self.placed:
            x, y = view.point(*anchor)
            out.append((x + a, y + b, x + c, y + d))
        return out

    def lines(self, view: View) -> list[Box]:
        """The leader lines (x0, y0, x1, y1) on the screen of ``view``."""
        out = []
        for anchor, (ex, ey) in self.leaders:
            x, y = view.point(*anchor)
            out.append((x, y, x + ex, y + ey))
        return out

    def land(self, view: View) -> tuple[np.ndarray, int]:
        """Where the land is in ``view``, a mask at an eighth of the frame's size (from the outlines drawn)."""
        key = (view.lon, view.lat, view.scale, view.cx, view.cy)
        if key not in self._land:
            k = 8
            w, h = self.canvas.width, self.canvas.height
            packed = layers.countries(layers.in_sight_countries(view), layers.tolerance(view))
            xs, ys, near = view.project_unit(packed.unit)
            rings, _ = layers.on_frame(packed, xs, ys, near, (w, h))
            mask = Image.new("1", (math.ceil(w / k), math.ceil(h / k)), 0)
            draw = ImageDraw.Draw(mask)
            for ring in rings:
                if len(ring) > 2:
                    draw.polygon([(x / k, y / k) for x, y in ring], fill=1)
            self._land[key] = (np.asarray(mask, dtype=bool), k)
        return self._land[key]

    def on_land(self, view: View, box: Box) -> float:
        """The share of ``box`` (nine points of it) over land."""
        mask, k = self.land(view)
        h, w = mask.shape
        x0, y0, x1, y1 = box
        hits = 0
        for fx in (0.15, 0.5, 0.85):
            for fy in (0.2, 0.5, 0.8):
                i, j = int((y0 + (y1 - y0) * fy) / k), int((x0 + (x1 - x0) * fx) / k)
                hits += 0 <= i < h and 0 <= j < w and bool(mask[i, j])
        return hits / 9

    def obstacles(self, view: View) -> tuple[list[Box], list[Box], list[Box]]:
        """What a name placed in ``view`` keeps off: the boxes there, the leader lines there, the final view's boxes."""
        return self.boxes(view), self.lines(view), (self.boxes(self.final) if view != self.final else [])

    def cost(self, view: View, box: Box, anchor: LonLat, sea: bool, seen: tuple) -> float:
        """What placing a name's ``box`` in ``view`` costs: what it covers (ten a pixel), how far it leaves the safe
        area, a leader line it crosses and, for a sea's name, the land under it; and what it would cover in the
        final view. ``seen``: ``obstacles(view)``."""
        boxes, lines, last = seen
        safe = self.canvas.frame_safe
        wide, high = box[2] - box[0], box[3] - box[1]
        covered = sum(overlap(box, other) for other in boxes)
        covered += sum(wide * high * 0.3 for line in lines if _crosses(line, box))
        outside = max(0.0, safe.x0 - box[0]) + max(0.0, box[2] - safe.x1)
        outside += max(0.0, safe.y0 - box[1]) + max(0.0, box[3] - safe.y1)
        cost = covered * 10 + outside * high * 5
        if sea:  # a little land under a sea's name (a cape, an island) is no matter
            cost += max(0.0, self.on_land(view, box) - 0.25) * wide * high * 4
        if last:
            x, y = view.point(*anchor)
            fx, fy = self.final.point(*anchor)
            moved = (box[0] - x + fx, box[1] - y + fy, box[2] - x + fx, box[3] - y + fy)
            cost += 10 * sum(overlap(moved, other) for other in last)
        return cost

    def place(self, view: View, anchor: LonLat, at: tuple[float, float], wide: float, high: float, candidates,
              sea: bool = False, reach: float = 0.35) -> tuple[float, float]:  # fmt: skip
        """The first clear one of ``candidates`` (offsets from the point ``at``), else the nearest clear spot within
        ``reach`` of the frame's short side, searched outward ring by ring (a spot whose leader line would cross
        the title is not clear); where none is, the spot that covers least."""
        x, y = at
        seen = self.obstacles(view)
        safe = self.canvas.frame_safe
        best = None
        for i, (dx, dy) in enumerate(candidates):
            cost = self.cost(view, (x + dx, y + dy, x + dx + wide, y + dy + high), anchor, sea, seen)
            self.clear = cost == 0
            if cost == 0:
                return dx, dy
            if best is None or cost + i < best[0]:
                best = (cost + i, dx, dy)
        dx0, dy0 = candidates[0]
        step = max(2.0, high / 3)
        rings = max(1, round(reach * min(self.canvas.width, self.canvas.height) / step))
        for ring in range(1, rings + 1):
            found = None
            for kx in range(-ring, ring + 1):
                for ky in range(-ring, ring + 1) if abs(kx) == ring else (-ring, ring):
                    x0 = min(max(x + dx0 + kx * step * 1.5, safe.x0), safe.x1 - wide)
                    y0 = min(max(y + dy0 + ky * step, safe.y0), safe.y1 - high)
                    box = (x0, y0, x0 + wide, y0 + high)
                    cost = self.cost(view, box, anchor, sea, seen)
                    far = math.hypot(x0 + wide / 2 - x, y0 + high / 2 - y) > 1.6 * high
                    if far and any(_crosses((x, y, *_nearest_in(box, x, y)), f) for f in self.fixed):
                        cost += wide * high * 10
                    distance = math.hypot(x0 - x - dx0, y0 - y - dy0)
                    if cost == 0 and (found is None or distance < found[0]):
                        found = (distance, x0 - x, y0 - y)
                    elif cost + ring < best[0]:
                        best = (cost + ring, x0 - x, y0 - y)
            if found is not None:
                self.clear = True
                return found[1], found[2]
        self.clear = False
        x0 = min(max(x + best[1], safe.x0), safe.x1 - wide)  # the least covered, inside the safe area
        y0 = min(max(y + best[2], safe.y0), safe.y1 - high)
        return x0 - x, y0 - y

    def add(self, anchor: LonLat, offset: tuple[float, float], wide: float, high: float,
            leader: tuple[float, float] | None = None) -> None:  # fmt: skip
        dx, dy = offset
        self.placed.append((anchor, (dx, dy, dx + wide, dy + high)))
        if leader is not None:
            self.leaders.append((anchor, leader))


def _nearest_in(box: Box, x: float, y: float) -> tuple[float, float]:
    """The point of ``box`` a leader line from (x, y) goes to (inside its middle, as ``_leader`` draws it)."""
    wide, high = box[2] - box[0], box[3] - box[1]
    return (min(max(x, box[0] + wide * 0.15), box[0] + wide * 0.85),
            min(max(y, box[1] + high * 0.3), box[1] + high * 0.7))  # fmt: skip


def _crosses(line: Box, box: Box) -> bool:
    """Whether the segment ``line`` (x0, y0, x1, y1) passes through ``box``."""
    x0, y0, x1, y1 = line
    t0, t1 = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def _name(canvas: Canvas, text: str, kind: str, anchor, reveal: Reveal, rest: View, layout: Layout, field: str,
          along: bool, edge: bool = False) -> Sprite:  # fmt: skip
    """A name on the map, set for its kind, placed where it covers no other name, pin or the title (along a river:
    at the middle of what shows of it, turned with it). A name moved far from its place is joined to it by a leader
    line, unless it names an expanse it still lies on (a sea's name on its water) or was brought to the frame's edge
    from a place out of sight (``edge``)."""
    colors = canvas.theme.colors
    color = {"sea": _mix(colors.text, WATER, 0.75), "river": _mix(colors.text, WATER, 0.6),
             "range": _mix(colors.text, RANGE, 0.6)}.get(kind, rgb(colors.text))  # fmt: skip
    size = canvas.theme.sizes.label * {"sea": 1.05, "country": 1.2, "river": 1.0}.get(kind, 0.92)
    spaced = _spaced(kind)
    written = text.upper() if spaced else text
    room = min(canvas.safe.width, canvas.unit * (0.8 if along else 0.55 if spaced else 0.5))
    block = canvas.fit(written, "label", size, field=field, width=room,
                       height=canvas.px(0.14), max_lines=1 if along else 2)  # fmt: skip
    hexed = "#{:02x}{:02x}{:02x}".format(*color)
    image = _tracked(block, hexed, 0.22) if spaced else text_sprite(block, hexed, align="center")
    turn = 0.0
    if along:
        anchor, (a, b) = _river_middle(canvas, anchor, rest, field, text)
        turn = math.degrees(math.atan2(-(b[1] - a[1]), b[0] - a[0]))
        turn = (turn + 90) % 180 - 90  # never upside down
        turn = max(-40.0, min(40.0, turn))
        image = image.rotate(turn, resample=Image.Resampling.BICUBIC, expand=True)
        # Beside the river, not on it: off along the normal of its turn, by half the name's own height.
        normal = (math.sin(math.radians(turn)), -math.cos(math.radians(turn)))
        lift = block.height * 0.5 + canvas.px(0.012)
    image = _halo(image, canvas)
    x, y = rest.point(*anchor)
    gap = canvas.px(0.02)
    wide, high = image.width, image.height
    if along:  # beside the river, on one side or the other
        candidates = [(-wide / 2 + normal[0] * lift * k, -high / 2 + normal[1] * lift * k) for k in (1, -1, 1.8, -1.8)]
    else:
        candidates = [(-wide / 2, -high / 2), (-wide / 2, -high - gap), (-wide / 2, gap),
                      (gap, -high / 2), (-wide - gap, -high / 2)]  # fmt: skip
    sea = kind == "sea"
    offset = layout.place(rest, anchor, (x, y), wide, high, candidates, sea=sea, reach=0.12 if along else 0.35)
    box = (x + offset[0], y + offset[1], x + offset[0] + wide, y + offset[1] + high)
    far = math.hypot(offset[0] + wide / 2, offset[1] + high / 2) > 1.6 * high
    on_its_water = sea and layout.on_land(rest, box) <= 0.25
    if not along and far and not edge and not on_its_water:
        sprite_ = _leader(canvas, image, anchor, offset, reveal)
        layout.add(anchor, offset, wide, high, leader=_nearest_in((offset[0], offset[1], offset[0] + wide,
                                                                    offset[1] + high), 0.0, 0.0))  # fmt: skip
        return sprite_
    layout.add(anchor, offset, wide, high)
    return Sprite(image, anchor, offset, reveal)


def _river_middle(canvas: Canvas, lines: list[np.ndarray], rest: View, field: str, text: str):
    """Where a river's name goes: the middle of the longest stretch of it that shows where the camera rests (of
    the river's longest line), and two points either side of it on the screen, which the name is turned along."""
    safe = canvas.frame_safe
    best = None
    for line in lines:
        xs, ys, near = rest.project(line[:, 0], line[:, 1])
        shown = near & (xs >= safe.x0) & (xs <= safe.x1) & (ys >= safe.y0) & (ys <= safe.y1)
        run = 0
        for i, ok in enumerate([*shown.tolist(), False]):
            if ok:
                run += 1
                continue
            if run and (best is None or run > best[0]):
                best = (run, line, xs, ys, i - run, i)
            run = 0
    if best is None:
        raise SlideError(field, f"no part of the river '{text}' shows where this name appears: it would not be "
                         "seen; name it where the camera shows it, or widen the camera")  # fmt: skip
    _, line, xs, ys, i0, i1 = best
    k = (i0 + i1) // 2
    a, b = max(i0, k - (i1 - i0) // 6), min(i1 - 1, k + (i1 - i0) // 6)
    return tuple(line[k]), ((xs[a], ys[a]), (xs[b], ys[b]))


def _into_view(canvas: Canvas, layout: Layout, rest: View, anchor: LonLat | None, rings,
               kind: str) -> tuple[LonLat, str] | None:  # fmt: skip
    """Where a name whose place is out of sight where it settles goes instead: in the part of its expanse that shows
    (the point of the largest visible piece farthest from its edges, clear of the title), or, for a sea or another
    expanse named at a point, at the frame's edge towards that point when it lies within half a frame of it; with
    which ('expanse' or 'edge'). None when neither: the name would not be seen."""
    from shapely import box as shapely_box
    from shapely.geometry import Point
    from shapely.ops import nearest_points, polylabel, unary_union

    safe = canvas.frame_safe
    usable = shapely_box(safe.x0, safe.y0, safe.x1, safe.y1).difference(
        unary_union([shapely_box(*b) for b in layout.fixed])
    )
    least = canvas.px(0.1) ** 2 * 3  # room for a name
    pieces = []
    for ring in rings:
        xs, ys, near = rest.project(ring[:, 0], ring[:, 1])
        if len(ring) < 4 or not near.any():
            continue
        shape = Polygon(np.column_stack([xs, ys]))
        shape = shape if shape.is_valid else shape.buffer(0)
        seen = shape.intersection(usable)
        pieces += [p for p in getattr(seen, "geoms", [seen]) if isinstance(p, Polygon) and p.area >= least]
    if pieces:
        spot = polylabel(max(pieces, key=lambda p: p.area), tolerance=2.0)
        return _lonlat(rest, spot.x, spot.y), "expanse"
    if kind in EXPANSES and anchor is not None:
        x, y = rest.point(*anchor)
        _, _, near = rest.project([anchor[0]], [anchor[1]])
        inset = usable.buffer(-canvas.px(0.08))
        if near[0] and not inset.is_empty and usable.distance(Point(x, y)) <= 0.5 * min(canvas.width, canvas.height):
            spot = nearest_points(inset, Point(x, y))[0]
            return _lonlat(rest, spot.x, spot.y), "edge"
    return None


def _in_sight(view: View, anchor: LonLat | None, safe, heading: Box | None, slack: float = 0.0) -> bool:
    """Whether a name's place shows in ``view``: on the near side, inside the safe area (or within ``slack`` of it:
    a name there is placed as one inside is, moved in), not under the title."""
    if anchor is None:
        return False
    xs, ys, near = view.project([anchor[0]], [anchor[1]])
    x, y = float(xs[0]), float(ys[0])
    inside = bool(near[0]) and safe.x0 - slack <= x <= safe.x1 + slack and safe.y0 - slack <= y <= safe.y1 + slack
    return inside and not (heading and heading[0] <= x <= heading[2] and heading[1] <= y <= heading[3])


def _lonlat(view: View, x: float, y: float) -> LonLat:
    lons, lats, _ = view.inverse(np.array([x]), np.array([y]))
    return ((float(lons[0]) + 180) % 360 - 180, float(lats[0]))


def _unseen(field: str, text: str, anchor: LonLat | None, rest: View, canvas: Canvas, layout: Layout, kind: str,
            crowded: bool = False) -> SlideError:  # fmt: skip
    """A name that would not be seen where the camera rests as it appears: its place is out of sight, and neither
    its expanse nor the frame's edge towards it (``crowded``: which has no room for it) can take it. Where the view
    is, and a place to write instead (for a sea's name, the open water of the view nearest its place)."""
    safe = canvas.frame_safe
    corners = [_lonlat(rest, x, y) for x, y in ((safe.x0, safe.y0), (safe.x1, safe.y1))]
    spot = _open_water(canvas, layout, rest, anchor) if kind == "sea" else None
    if kind != "sea":
        spot = (safe.x0 + safe.x1) / 2, (max(safe.y0, min(layout.top, safe.y1)) + safe.y1) / 2
    elif (
        crowded and spot is not None and anchor is not None and math.dist(spot, rest.point(*anchor)) > 0.3 * canvas.unit
    ):
        spot = None  # the view's open water nearest it is another sea's
    at = f" at {_fmt(anchor)}" if anchor else ""
    why = (
        "with no room for it at the frame's edge towards it" if crowded else "too far from it to be brought to its edge"
    )
    instead = ""
    if spot is not None:
        instead = f"give it a place inside that view, e.g. place: {_fmt(_rounded(_lonlat(rest, *spot)))}, or "
    return SlideError(field, (
        f"'{text}' would be written{at}, outside the map as it shows when the name appears (about "
        f"{corners[0][0]:.2f} to {corners[1][0]:.2f} longitude, {corners[1][1]:.2f} to {corners[0][1]:.2f} "
        f"latitude, inside the format's safe area), {why}, so it would not be seen; {instead}widen the camera to "
        "show it (a larger 'span', or more places in its 'show')"
    ))  # fmt: skip


def _rounded(p: LonLat) -> LonLat:
    return round(p[0], 2), round(p[1], 2)


def _open_water(canvas: Canvas, layout: Layout, view: View, near: LonLat | None) -> tuple[float, float] | None:
    """The point of the view's safe area (clear of the title) in open water (room for a name around it) nearest to
    the place ``near``, or None if it has none."""
    mask, k = layout.land(view)
    safe = canvas.frame_safe
    water = Image.fromarray(np.where(mask, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(water)
    h, w = mask.shape
    outside = [(0, 0, w, safe.y0 / k), (0, safe.y1 / k, w, h), (0, 0, safe.x0 / k, h), (safe.x1 / k, 0, w, h)]
    for box in outside + [tuple(v / k for v in b) for b in layout.fixed]:
        draw.rectangle(box, fill=0)
    for _ in range(max(1, round(canvas.px(0.035) / k))):  # half a name's height of water all round
        eroded = water.filter(ImageFilter.MinFilter(3))
        if not np.asarray(eroded).any():
            break
        water = eroded
    ys, xs = np.nonzero(np.asarray(water))
    if len(xs) == 0:
        return None
    x, y = view.point(*near) if near else ((safe.x0 + safe.x1) / 2, (safe.y0 + safe.y1) / 2)
    i = int(np.argmin(np.hypot(xs * k - x, ys * k - y)))
    return float(xs[i] * k + k / 2), float(ys[i] * k + k / 2)


def _pin(canvas: Canvas, pin: Pin, anchor: LonLat, reveal: Reveal, rest: View, layout: Layout,
         field: str) -> list[Sprite]:  # fmt: skip
    """A dot at the place (kept clear from the start, ``pin_radius``) and its name (and note) in a dark tag beside
    it, clear of the others; a tag that had to move far off is joined to its dot by a line."""
    colors = canvas.theme.colors
    text = (pin.label or pin.place).upper()
    room = min(canvas.safe.width * 0.6, canvas.unit * 0.6)
    block = canvas.fit(text, "label", canvas.theme.sizes.label, field=f"{field}.place", width=room,
                       height=canvas.px(0.08), max_lines=1)  # fmt: skip
    note = None
    if pin.note:
        note = canvas.fit(pin.note, "body", canvas.theme.sizes.label * 0.8, field=f"{field}.note",
                          width=room, height=canvas.px(0.16), max_lines=2)  # fmt: skip
    pad = canvas.px(0.012)
    inner_w = max(block.width, note.width if note else 0)
    inner_h = block.height + (note.height + pad // 2 if note else 0)
    tag = Image.new("RGBA", (inner_w + 2 * pad, inner_h + pad), (*rgb(colors.background_edge), 215))
    draw = ImageDraw.Draw(tag)
    draw.rectangle((0, 0, max(2, canvas.px(0.004)) - 1, tag.height), fill=colors.accent)
    block.draw(draw, pad, pad // 2, colors.text)
    if note:
        note.draw(draw, pad, pad // 2 + block.height + pad // 2, colors.muted)
    r = canvas.px(0.011)
    size = 2 * r + 2
    dot = Image.new("RGBA", (size * 4, size * 4), (0, 0, 0, 0))
    ImageDraw.Draw(dot).ellipse((4, 4, size * 4 - 5, size * 4 - 5), fill=colors.accent,
                                outline=colors.text, width=max(4, size // 2))  # fmt: skip
    dot = dot.resize((size, size), Image.Resampling.LANCZOS)
    x, y = rest.point(*anchor)
    gap = r * 1.6
    candidates = [(gap, -tag.height / 2), (-gap - tag.width, -tag.height / 2), (-tag.width / 2, -gap - tag.height),
                  (-tag.width / 2, gap)]  # fmt: skip
    offset = layout.place(rest, anchor, (x, y), tag.width, tag.height, candidates, reach=0.2)
    dot_sprite = Sprite(dot, anchor, (-size / 2, -size / 2), reveal)
    box = (offset[0], offset[1], offset[0] + tag.width, offset[1] + tag.height)
    if math.hypot(*_nearest_in(box, 0.0, 0.0)) > gap + tag.height:
        layout.add(anchor, offset, tag.width, tag.height, leader=_nearest_in(box, 0.0, 0.0))
        return [dot_sprite, _leader(canvas, tag, anchor, offset, reveal)]
    layout.add(anchor, offset, tag.width, tag.height)
    return [dot_sprite, Sprite(tag, anchor, offset, reveal)]


def pin_radius(canvas: Canvas) -> float:
    """How far round a pin's place nothing else is written: its dot and a little room."""
    return canvas.px(0.011) * 1.4


def _data(data: Data, canvas: Canvas) -> tuple[dict[int, tuple[int, int, int]], tuple[Image.Image, tuple[int, int]]]:
    """Each country's colour, from the land's to the accent by its value, and the legend (image, where)."""
    colors = canvas.theme.colors
    low, high = min(data.values.values()), max(data.values.values())
    lo_c, hi_c = _mix(colors.panel, colors.accent, 0.22), rgb(colors.accent)

    def tone(value: float) -> tuple[int, int, int]:
        f = 0.0 if high == low else (value - low) / (high - low)
        f = round(f * 6) / 6  # seven steps, as a reader tells them apart (and one mask each)
        return tuple(round(a + (b - a) * f) for a, b in zip(lo_c, hi_c, strict=True))

    fills = {geo.find(name).index: tone(v) for name, v in data.values.items()}
    safe = canvas.safe
    bar_w, bar_h = canvas.px(0.32), canvas.px(0.018)
    pad = canvas.px(0.014)
    size = canvas.theme.sizes.label * 0.85
    title = canvas.fit(data.legend or "", "label", size, field="data.legend", width=bar_w, height=canvas.px(0.1),
                       max_lines=2) if data.legend else None  # fmt: skip
    ends = [canvas.fit(f"{v:g}{data.unit}", "label", size, field="data.values", width=bar_w / 2,
                       height=canvas.px(0.06), max_lines=1) for v in (low, high)]  # fmt: skip
    height = (title.height + pad if title else 0) + bar_h + pad + ends[0].height
    legend = Image.new("RGBA", (bar_w + 2 * pad, height + 2 * pad), (*rgb(colors.background_edge), 200))
    draw = ImageDraw.Draw(legend)
    y = pad
    if title:
        title.draw(draw, pad, y, colors.text)
        y += title.height + pad
    ramp = np.linspace(0, 1, bar_w)[None, :, None]
    strip = (np.array(lo_c)[None, None, :] * (1 - ramp) + np.array(hi_c)[None, None, :] * ramp).astype(np.uint8)
    legend.paste(Image.fromarray(np.repeat(strip, bar_h, axis=0)), (pad, y))
    y += bar_h + pad // 2
    ends[0].draw(draw, pad, y, colors.muted)
    ends[1].draw(draw, pad + bar_w - ends[1].width, y, colors.muted)
    return fills, (legend, (safe.x1 - legend.width, safe.y1 - legend.height))


KIND = SlideKind(Spec, build)
