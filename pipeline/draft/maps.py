"""Maps from the script: a ``map`` where the script places places relative to each other or something moves
between them, as an editor would draw it.

What makes a map (the first that a chunk has):

- a place placed between two others ("Bremen lies between Hamburg and Amsterdam", "the border between Kazakhstan
  and Uzbekistan"), or beside another ("Kaunas lies about 100 km west of Vilnius");
- something moving between places (from, through, travel, cross, flee, reach...): two cities or more ("the road
  climbs north to Abuja, and then on to Kano"), or countries at three stops or more (places listed together,
  "Thailand, Vietnam or Mongolia", are one stop), four countries at two stops, or two joined by "from A … to B".
  When two cities or more are named, the stops are the cities (the countries are what the road crosses).

What the map shows: each city pinned, each country lit (the place placed, or the stops, in the accent; its
neighbours in the quieter one), a border drawn where one is named, the way drawn leg by leg (by sea where a ship
would go round land), rivers and lakes the chunk names drawn in water; each as the sentence that names it
starts (on the word itself, with word times), and the camera fitting the places the relation is about.

Only names the gazetteer resolves unambiguously are drawn: a country, or a place whose name no other place of
comparable size shares far from it (Dallas, Texas, not Dallas, Oregon), or whose rivals lie far from the other
places the chunk names (Halifax beside Boston is the Nova Scotian one). A single capitalised word at a
sentence's start is a place only when it is a country or a city of a million ('Split', 'Nice' and 'Reading' are
words there), or the place the sentence places ('Kaunas lies west of Vilnius'). A map
the kind's own checks refuse is not drafted.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from pipeline.draft.chunks import Chunk, Drafted, lines
from pipeline.draft.phrases import phrase
from pipeline.drawing.maps import gazetteer, layers, places, searoute
from pipeline.drawing.slides import KINDS, geo
from pipeline.drawing.slides import map as map_kind
from pipeline.drawing.slides import route as route_kind

FROM_TO = re.compile(
    r"\bfrom\s+(?P<a>(?:[^,;]|,(?=\d))+?)\s+to\s+(?P<b>(?:[^,;]|,(?=\d))+?)(?=[,;.](?!\d)|\s+(?:in|by|and|—|–)\b|$)"
)
#: Words that say something moves between places: a route needs one (places named for another reason are not one).
MOVES = re.compile(
    r"\b(?:from|through|via|across|travel\w*|route|road|drive\w*|driv\w+|cross\w*|flee\w*|fled|escape\w*|reach\w*"
    r"|journey\w*|head\w*|sail\w*|fl(?:y|ew|ies)|march\w*|migrat\w+|follow\w*|on to|onward)\b",
    re.IGNORECASE,
)
_CAPITALISED = r"[A-Z](?:[a-z]+|(?=['’-][A-Z]?[a-z]))(?:['’-][A-Z]?[a-z]+)*"  # Kano, N'Djamena, Guinea-Bissau
NAME = re.compile(rf"\b(?:{_CAPITALISED}|[A-Z]{{2,}})(?:\s+(?:of\s+|the\s+)?(?:{_CAPITALISED}|[A-Z]{{2,}}))*")
_LEADING = re.compile(r"^(?:The|From|To|In|Into|Through|Via|Across|And|But|Then|Past|Beyond)\s+")
_GROUPED = re.compile(r"^\s*(?:,|,?\s*or|,?\s*and)\s*$")
#: A place placed between two others: 'lies … between Hamburg and Dresden', 'the border between A and B' (not 'a
#: crossing between Europe and North America', which places nothing).
_BETWEEN = re.compile(rf"\b(?:lies|lie|lay|sits|sit|stands|is|are|was|located|situated|(?P<border>border|frontier))\b"
                      rf"[^.;]{{0,80}}?\bbetween\s+(?:the\s+)?(?P<a>{_CAPITALISED}(?:\s+{_CAPITALISED})*)\s+and\s+"
                      rf"(?:the\s+)?(?P<b>{_CAPITALISED}(?:\s+{_CAPITALISED})*)")  # fmt: skip
#: A place placed beside another: 'lies about 100 km west of Vilnius', 'sits just north of the Tagus'.
_BESIDE = re.compile(rf"\b(?:lies|lie|lay|sits|sit|stands|is|are|was|located|situated|built)\b[^.;]{{0,50}}?"
                     rf"\b(?:north|south|east|west)(?:-?(?:east|west))?(?:ward)?\s+of\s+(?:the\s+)?"
                     rf"(?P<b>{_CAPITALISED}(?:\s+{_CAPITALISED})*)")  # fmt: skip
_WATER = re.compile(r"\b(?:Lake|Sea|Gulf|Bay|Strait|Ocean|Lagoon)\b")

#: A rival place of the same name this far (km) from the first is another place, not the first in another guise
#: (the city's own province, its district).
SAME_PLACE_KM = 300.0
#: The first place of a name is meant, with no other place named to judge by, when it has this many times the
#: people of any rival.
PROMINENT = 10.0
#: A single capitalised word opening a sentence is a city when this many people live there (Lagos, Kano): a word
#: such as 'Split', 'Nice' or 'Reading' opens a sentence as often as it names a town.
OPENING_PEOPLE = 1_000_000
#: A town said in passing, not in a place's slot ('on Earth', Texas), is a place when this many people live there.
PASSING_PEOPLE = 100_000
#: A country this many degrees across or less is framed whole around pins alone in it.
COMPACT_DEGREES = 30.0
#: Capitalised words that are never a place here, however many villages bear them.
NOT_PLACES = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
              "today", "christmas", "easter", "god", "earth"}  # fmt: skip
#: Pins, regions and lines a drafted map holds (the kind takes 8, 12 and 8).
PINS, REGIONS, LINES = 8, 8, 8


@dataclass(frozen=True)
class Place:
    """A name of the script the map can draw: as written for the storyboard, what it is, and where."""

    name: str
    kind: str  # 'country', 'city', 'water' (a lake, sea or gulf) or 'river'
    where: tuple[float, float]
    #: The map finds another place of that name first: its longitude and latitude go under the map's 'places:'.
    given: bool = False
    #: The country a city or town is in (as the map names countries), or None.
    country: str | None = None


def place_map(chunk: Chunk) -> Drafted | None:
    """A ``map`` for a chunk that places places relative to each other or moves between them (see the module's
    docstring), or None."""
    if chunk.quotation:
        return None
    said = lines(chunk)
    relation = _placed(said)
    moving = _moving(chunk, skip=relation[0] if relation else None)
    if relation is None and moving is None:
        return None
    drawn = _Map(said)
    notes: list[str] = []
    if relation is not None:
        number, middle, a, b, border = relation
        for place in (middle, a, b):
            if place is not None:
                drawn.add(place, number, accent=place is middle or middle is None)
        if border and a.kind == b.kind == "country" and layers.shared_border(a.name, b.name):
            drawn.lines.append({"border": [a.name, b.name], "at": number})
        drawn.focus = [p for p in dict.fromkeys((middle, a, b)) if p is not None]
    if moving is not None:  # the way something moves: alone, or after the places placed
        stops = moving.stops[:6]
        for stop in stops:
            for place in stop["places"]:
                drawn.add(place, stop["sentence"], accent=True)
        drawn.legs(stops)
        drawn.focus += [p for stop in stops for p in stop["places"] if p not in drawn.focus]
        notes = [
            f"the map does not know {name!r}: `explainer places {name.split()[0]}` finds names it knows, or give "
            "its longitude and latitude under `places:`"
            for name in dict.fromkeys(moving.unknown)
        ]
    drawn.others()
    slide = drawn.slide()
    if slide is None:
        return None
    return Drafted(slide, notes, " ".join(p.name for p in drawn.focus))


#: A sentence's subject, when it opens with names: capitalised words, 'the', 'and' and commas ('Harare and Bulawayo
#: were', 'The Aral Sea was'); a number or a lower-case word ends it.
_SUBJECT = re.compile(r"^(?:(?:the|and|The|[A-Z][\w'’.-]*)[ ,]+)+")


def place_statement(chunk: Chunk) -> Drafted | None:
    """A ``map`` titled with the chunk's first sentence when that sentence is about places the map knows, named as
    its subject ('Uzbekistan became one of the biggest cotton exporters', 'Harare and Bulawayo were busy cities'):
    an editor shows the place the line is about, where a statement card showed its words alone. The places lit
    or pinned from the start, the chunk's other places near them as their sentences name them; None when the
    sentence is not about a place."""
    if chunk.quotation or chunk.items is not None:
        return None
    said = lines(chunk)
    number, first = said[0]
    opening = _SUBJECT.match(first)
    if opening is None:
        return None
    about = [place for start, place in _named_in(first, subject=True) if start < opening.end()]
    if not about or any(place.kind == "river" for place in about):
        return None
    drawn = _Map(said)
    for place in about:
        drawn.add(place, number, accent=True)
    drawn.focus = about
    drawn.others()
    slide = drawn.slide(least=1)
    if slide is None:
        return None
    title = phrase(first, map_kind.Spec.model_fields["title"].metadata[0].max_length)
    slide = {"kind": "map", "title": title, **{k: v for k, v in slide.items() if k != "kind"}}
    for group in ("regions", "pins", "lines"):  # what the first sentence names is there from the start
        for item in slide.get(group, []):
            if item.get("at") == number:
                item.pop("at")
    if KINDS["map"].spec.model_validate(slide).check():
        return None
    return Drafted(slide, [], title)


def _placed(said: list[tuple[int, str]]) -> tuple[int, Place | None, Place, Place, bool] | None:
    """The first place placed relative to others: (sentence, the place placed or None, one neighbour, the other
    (or the first again), whether a border is named)."""
    for number, line in said:
        m = _BETWEEN.search(line)
        if m is not None:
            named = _named_in(line, subject=True)
            near = [p.where for _, p in named]
            a, b = locate(m.group("a"), near), locate(m.group("b"), near)
            before = [p for start, p in named if start < m.start() and p not in (a, b)]
            middle = before[-1] if before else None
            border = re.search(r"\b(?:border|frontier)\b", line[m.start() : m.start("a")]) is not None
            if a is not None and b is not None and a != b:
                return number, middle, a, b, border
            if (a or b) and middle:
                return number, middle, a or b, a or b, False  # type: ignore[return-value]
        m = _BESIDE.search(line)
        if m is not None:
            named = _named_in(line, subject=True)
            near = [p.where for _, p in named]
            b = locate(m.group("b"), near)
            before = [p for start, p in named if start < m.start() and p != b]
            if b is not None and before:
                return number, before[-1], b, b, False
    return None


def _named_in(line: str, *, subject: bool = False) -> list[tuple[int, Place]]:
    """The places ``line`` names that the map can draw, with where each starts; a first pass without neighbours
    to judge shared names by, then one with them. With ``subject``, the line places its first word ('Kaunas lies
    west of Vilnius'), which is then a place whatever its size."""
    said = [(m, _context(line, m)) for m in NAME.finditer(line)]
    if subject and said:
        said[0] = (said[0][0], {**said[0][1], "start": False, "slot": True})
    first = [(m, how, locate(m.group(0), (), **how)) for m, how in said]
    near = [p.where for *_, p in first if p is not None]
    out = []
    for m, how, _ in first:
        place = locate(m.group(0), near, **how)
        if place is not None:
            out.append((m.start(), place))
    return out


def _first_word(line: str) -> int:
    m = re.search(r"[A-Za-z]", line)
    return m.start() if m else 0


def locate(
    name: str, near: list[tuple[float, float]] | tuple = (), *, start: bool = False, slot: bool = True,
    the: bool = False,
) -> Place | None:  # fmt: skip
    """``name`` (or it without a leading function word: 'From Kano', 'The Gambia'; 'Lake Chad' is not Chad) as
    the map draws it, when the gazetteer resolves it unambiguously (see the module's docstring); ``near``: where
    the other places the text names are, to judge a shared name by; ``start``: the name opens its sentence;
    ``slot``: the text says it is a place ('to Mopti', 'between A and B'), so a town is as good as a city (a
    capitalised word said in passing, 'on Earth', is a town only when a big one); ``the``: 'the' comes before it
    (a country of one word after 'the' is its river when there is one: 'up the Niger')."""
    for candidate in dict.fromkeys((name, _LEADING.sub("", name))):
        if candidate.lower() in NOT_PLACES:
            continue
        if len(candidate) <= 3 and not candidate.isupper():  # 'It', 'In': words, not the ISO codes IT and IN
            continue
        if candidate.isupper() and len(candidate) <= 3:
            continue  # 'UN', 'US', 'USSR': an acronym is an organisation as often as a place
        if (country := geo.find(candidate)) is not None:
            if the and " " not in candidate and (river := gazetteer.named(candidate)) and places.river(candidate):
                where = next((p.label for p in river if p.kind == "river"), None)
                if where is not None:
                    return Place(candidate, "river", where)
            return Place(candidate, "country", country.label)
        opening = start and candidate == name and " " not in candidate  # 'Split', 'Nice': words there, or towns
        if _WATER.search(candidate) and (places.lake(candidate) or geo.area(candidate)):
            where = map_kind.where(candidate, {})
            if where is not None:
                return Place(candidate, "water", where)
        found = gazetteer.named(candidate)
        if not found:
            continue
        top = found[0]
        if top.kind == "river" and places.river(candidate):
            return Place(candidate, "river", top.label)
        if top.kind == "admin-1 region":  # a region named after its town ('Mopti'): the town
            top = next((p for p in found if p.kind in ("city", "town") and p.country == top.country), top)
        others = [p for p in found if p is not top and not (p.kind == "admin-1 region" and p.country == top.country)]
        if top.kind not in ("city", "town") or not _unambiguous(top, others, near):
            continue
        if opening and (top.kind != "city" or (top.population or 0) < OPENING_PEOPLE):
            continue
        if not slot and top.kind == "town" and (top.population or 0) < PASSING_PEOPLE:
            continue
        where = map_kind.where(candidate, {})
        given = where is None or _km(where, top.label) > 50  # the map would find another place of that name
        country = top.country if top.country and geo.find(top.country) else None
        return Place(candidate, "city", top.label, given, country)
    return None


def _context(line: str, m: re.Match) -> dict[str, bool]:
    """How ``line`` says the name ``m`` found: at its start, in a place's slot ('to', 'from', 'between'...), after
    'the'."""
    before = line[: m.start()]
    return {
        "start": not before.strip(" \"“‘'(") and m.start() == _first_word(line),
        "slot": bool(_SLOT.search(before)),
        "the": bool(re.search(r"\bthe\s+$", before, re.IGNORECASE)),
    }


#: Words that say the name after them is a place.
_SLOT = re.compile(
    r"\b(?:from|to|through|via|into|in|at|near|reach\w*|between|and|of|towards?|past|beyond|around|outside)\s+$"
    r"|,\s*$",
    re.IGNORECASE,
)


def _unambiguous(top: gazetteer.Place, others: list[gazetteer.Place], near) -> bool:
    """Whether ``top`` is clearly the place its name means: no rival of the name far from it; or rivals with a
    tenth of its people (a town whose people are not counted is small); or most of the other places named lie
    nearer to it than to any rival (half of them, when it has three times the rival's people)."""
    people = top.population or 0

    def small(p: gazetteer.Place) -> bool:  # a place of a tenth of its people (a town not counted is small)
        theirs = p.population if p.population is not None or p.kind != "town" else 0
        return bool(people) and theirs is not None and people >= PROMINENT * theirs

    rivals = [p for p in others if p.kind in ("city", "town", "admin-1 region", "country")
              and _km(p.label, top.label) > SAME_PLACE_KM and not small(p)]  # fmt: skip
    if not rivals:
        return True
    theirs = rivals[0].population
    near = [p for p in near if _km(p, top.label) > 1]  # the place itself is no evidence
    if not near or min(_km(p, top.label) for p in near) > 3000:
        return False
    nearer = sum(_km(p, top.label) < min(_km(p, r.label) for r in rivals) for p in near)
    return nearer * 2 > len(near) or (nearer * 2 == len(near) and theirs is not None and people >= 3 * theirs)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return searoute.km(a, b)


def _moving(chunk: Chunk, skip: int | None = None) -> _Stops | None:
    """The stops of a chunk where something moves between places, or None (see the module's docstring); not in
    sentence ``skip`` (one that places places, whose 'between A and B' are not two stops)."""
    if not any(MOVES.search(s) for s in chunk.sentences):
        return None  # before any name is looked up on the map
    collected = _stops(chunk, skip)
    from_to = any(FROM_TO.search(s) for s in chunk.sentences)
    count = sum(len(stop["places"]) for stop in collected.stops)
    if len(collected.stops) < 2 or (len(collected.stops) < 3 and count < 4 and not from_to and not collected.cities):
        return None  # two countries named with a verb of movement are as often a trade as a journey
    return collected


#: 'Lagos to Kano': a leg, named as one.
_LEG = re.compile(r"[A-Z][\w'’-]+\s+to\s+[A-Z]")


def _stops(chunk: Chunk, skip: int | None = None) -> _Stops:
    """The stops the chunk names, in the order it names them, in the sentences that say something moves (a city
    named in a sentence before, 'hatches near Toronto', is not where the journey starts unless named again)."""
    said = [(number, line) for number, line in lines(chunk)
            if number != skip and (MOVES.search(line) or _LEG.search(line))]  # fmt: skip
    found = [(number, line, [(m, _stop(m.group(0), _context(line, m))) for m in NAME.finditer(line)])
             for number, line in said]  # fmt: skip
    near = [p.where for *_, names in found for _, p in names if p is not None]
    named = [(number, line, [(m, _stop(m.group(0), _context(line, m), near)) for m, _ in names])
             for number, line, names in found]  # fmt: skip
    cities = len({p.name for *_, names in named for _, p in names if p and p.kind == "city"}) >= 2
    collected = _Stops(cities)
    for number, line, names in named:
        collected.add(number, line, names)
    return collected


def _stop(name: str, how: dict[str, bool], near: list | tuple = ()) -> Place | None:
    """A name that can be a stop: a country, or a city or town in a place's slot ('to Aquileia'), resolved
    unambiguously."""
    place = locate(name, near, **how)
    if place is None or place.kind not in ("country", "city"):
        return None
    return place


@dataclass
class _Stops:
    """The stops a chunk names, line by line: each a place the map knows, or places listed together ("Thailand,
    Vietnam or Mongolia"); each place once, where first named."""

    #: Whether the route is between cities: the countries it passes through are then not stops.
    cities: bool
    stops: list[dict[str, Any]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    #: Names after 'to', 'through'... that the map does not know.
    unknown: list[str] = field(default_factory=list)

    def add(self, number: int, line: str, names: list[tuple[re.Match, Place | None]]) -> None:
        """The stops sentence ``number`` names: ``names`` are the capitalised names in ``line``, as the map knows
        them (or None)."""
        last_end, group = None, None
        for m, found in names:
            if found is None:
                after = m.start() and re.search(r"\b(?:to|through|via|into|across|from)\s+$", line[: m.start()])
                if after and not _known(m.group(0)):
                    self.unknown.append(m.group(0))
                continue
            if self.cities and found.kind != "city":
                continue  # a route between cities passes through countries; they are not stops
            if re.search(r"\b(?:not|never|back)\s+(?:\w+\s+)?$", line[: m.start()]):
                continue  # "not back to North Korea": a place the route does not go
            if found.name not in self.seen:
                self.seen.add(found.name)
                between = line[last_end : m.start()] if last_end is not None else None
                if group is not None and between is not None and _GROUPED.match(between):
                    group["places"].append(found)
                    group["or"] = group.get("or", False) or "or" in between.split()
                else:
                    lead = re.search(r"\b(from|through|via|across|past)\s+$", line[: m.start()], re.IGNORECASE)
                    group = {"places": [found], "sentence": number, "lead": lead.group(1).lower() if lead else ""}
                    self.stops.append(group)
            last_end = m.end()


def _known(name: str) -> bool:
    """Whether the map finds ``name`` at all (a place too small or too ambiguous to draw is no unknown place)."""
    return any(map_kind.where(c, {}) is not None for c in (name, _LEADING.sub("", name)))


def _unbroken(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A line of (lon, lat) as runs that do not jump across the 180th meridian (a line's points are joined straight
    in longitude, so a jump from 179 to -179 would be drawn the long way round the globe), each ending on it."""
    runs = [[points[0]]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if abs(x1 - x0) > 180:
            edge = 180.0 if x0 > 0 else -180.0
            span = (360 - abs(x1 - x0)) or 1.0
            lat = y0 + (y1 - y0) * (abs(edge - x0) / span)
            runs[-1].append((edge, lat))
            runs.append([(-edge, lat)])
        runs[-1].append((x1, y1))
    return [run for run in runs if len(run) >= 2]


class _Map:
    """A map being drafted: its pins, regions and lines, each as the sentence that first names it."""

    def __init__(self, said: list[tuple[int, str]]) -> None:
        self.said = said
        self.pins: list[dict[str, Any]] = []
        self.regions: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.focus: list[Place] = []
        self.drawn: set[str] = set()
        self.given: dict[str, tuple[float, float]] = {}
        #: A leg goes by sea, round land: the camera fits the way, not only the places.
        self.by_sea = False
        #: The countries the pins are in, each with the sentence of its first pin.
        self.countries: dict[str | None, int] = {}

    def add(self, place: Place, number: int, *, accent: bool) -> None:
        if place.name in self.drawn:
            return
        self.drawn.add(place.name)
        if place.kind == "city" and len(self.pins) < PINS:
            self.pins.append({"place": place.name, "at": number})
            self.countries.setdefault(place.country, number)
            if place.given:
                self.given[place.name] = place.where
        elif place.kind in ("country", "water") and len(self.regions) < REGIONS:
            color = "water" if place.kind == "water" else "accent" if accent else "soft"
            self.regions.append({"name": place.name, "color": color, "at": number})
        elif place.kind == "river" and len(self.lines) < LINES:
            self.lines.append({"river": place.name, "label": place.name[:30], "color": "water", "at": number})

    def legs(self, stops: list[dict[str, Any]]) -> None:
        """The way from stop to stop, each leg drawn as the sentence naming where it goes starts: by sea where a
        ship would go round land (as the route kind goes), else along the great circle. Places listed together are
        passed one after the other ('through Niger, Chad and Sudan'), or else each reached from the stop before
        ('Thailand, Vietnam or Mongolia'); places the way starts from ('from A and B, and from C') each join the
        first stop after them."""
        legs = []
        origins = 0  # 'from Frankfurt and Wiesbaden …, and from Hamburg and Hanover': each a start of the way on
        while origins < len(stops) - 1 and (origins == 0 or stops[origins]["lead"] == "from"):
            origins += 1
        if origins > 1:
            legs += [(a, stops[origins]["places"][0], stops[origins]["sentence"])
                     for stop in stops[:origins] for a in stop["places"]]  # fmt: skip
            stops = stops[origins - 1 :]
            stops[0] = {**stops[0], "places": [stops[1]["places"][0]], "or": False}
            stops = stops[1:]
        for before, stop in itertools.pairwise(stops):
            start = before["places"][0] if before.get("or") else before["places"][-1]
            if stop.get("or") or stop["lead"] not in ("through", "via", "across", "past"):
                # 'Thailand, Vietnam or Mongolia', 'to Boston and New York': each reached from the stop before
                legs += [(start, b, stop["sentence"]) for b in stop["places"]]
            else:  # 'through Niger, Chad and Sudan': one after the other
                for b in stop["places"]:
                    legs.append((start, b, stop["sentence"]))
                    start = b
        room = LINES - len(self.lines)
        if not legs or room <= 0:
            return
        if len(legs) > room:  # joined into as many lines as there is room for, each drawn on its last leg's cue
            size = math.ceil(len(legs) / room)
            groups = [legs[i : i + size] for i in range(0, len(legs), size)]
        else:
            groups = [[leg] for leg in legs]
        for group in groups:
            points: list[tuple[float, float]] = []
            for a, b, _ in group:
                way = route_kind.by_sea(route_kind.Stop(places=[b.name]), a.where, b.where)
                self.by_sea = self.by_sea or way is not None
                hop = searoute.along(way) if way else searoute.great_circle(a.where, b.where, 16)
                points += hop if not points else hop[1:]
            step = max(1, math.ceil(len(points) / 150))
            kept = points[::step] + ([points[-1]] if (len(points) - 1) % step else [])
            for run in _unbroken(kept):
                if len(self.lines) < LINES:
                    self.lines.append({"points": [[round(x, 2), round(y, 2)] for x, y in run], "at": group[-1][2]})

    def others(self) -> None:
        """The chunk's other cities, rivers and lakes, and the countries near the places the map is about: drawn
        as the sentence that names them starts (a country far off is named for another reason)."""
        focus = [p.where for p in self.focus]
        reach = max((_km(a, b) for a in focus for b in focus), default=0.0)
        for number, line in self.said:
            for _, place in _named_in(line):
                if place.name in self.drawn:
                    continue
                if place.kind in ("country", "city") and (
                    not focus or min(_km(place.where, p) for p in focus) > max(800.0, 1.5 * reach)
                ):
                    continue
                self.add(place, number, accent=False)

    def slide(self, least: int = 2) -> dict[str, Any] | None:
        """The map's slide, or None when the kind's checks refuse it or it has fewer than ``least`` things to
        show."""
        if len(self.pins) + len(self.regions) + len([line for line in self.lines if "points" in line]) < least:
            return None
        slide: dict[str, Any] = {"kind": "map"}
        shown = [p.name for p in self.focus if p.kind != "river"][:12]
        countries = [c for c in self.countries if c is not None]
        if not self.regions and countries and len(countries) <= 3 and None not in self.countries and not self.by_sea:
            # Pins alone on bare land say nowhere: the countries they are in, lit quietly; one country, in frame
            # when it is compact (not the United States with Alaska, not China).
            self.regions = [{"name": c, "color": "soft", "at": self.countries[c]} for c in countries]
            box = geo.find(countries[0]).bbox  # type: ignore[union-attr]
            if len(countries) == 1 and box[2] - box[0] <= COMPACT_DEGREES and box[3] - box[1] <= COMPACT_DEGREES:
                shown.append(countries[0])
        if self.by_sea:
            shown = []  # the default view fits everything drawn: the way round land too
        if len(shown) >= 2:
            slide["camera"] = [{"show": shown}]
        for key, items in (("regions", self.regions), ("lines", self.lines), ("pins", self.pins)):
            if items:
                slide[key] = items
        if self.given:
            slide["places"] = {name: [round(lon, 3), round(lat, 3)] for name, (lon, lat) in self.given.items()}
        spec = KINDS["map"].spec
        try:
            if spec.model_validate(slide).check():
                return None
        except ValueError:
            return None
        return slide
