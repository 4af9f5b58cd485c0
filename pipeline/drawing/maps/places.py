"""Rivers, lakes and admin-1 regions (states, provinces) from Natural Earth, by name, for the map engine.

Read from ``pipeline/data/naturalearth`` (``rivers.json``, ``lakes.json``, ``regions.json``, built by its
``build.py``; see its README). Each file is read once per process, on first use. A name is found in any case and
spelling of accents (``fold``), with or without the word River or Lake, and with a hint after a comma where one
name is shared (``Georgia, United States``, ``Victoria, Australia``): the hint is the country or, for a region, its
postal code.
"""

from __future__ import annotations

import difflib
import gzip
import json
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from pipeline.drawing.maps import gazetteer
from pipeline.drawing.maps.names import fold, split_hint

DATA = Path(__file__).resolve().parents[2] / "data" / "naturalearth"

Point = tuple[float, float]
Line = list[Point]


@dataclass(frozen=True)
class Feature:
    """A river, lake or region: its name, kind, country (regions only), label point and Natural Earth rank."""

    name: str
    kind: str
    lon: float
    lat: float
    rank: int
    country: str | None = None
    #: A region's Natural Earth code (``adm1_code``), which admin1.json keys its outline by.
    code: str | None = None
    #: A river's lines, or a lake's or region's polygons (each a list of rings, the first the outline, then holes).
    shapes: tuple = field(default=(), repr=False, compare=False)

    @property
    def label(self) -> Point:
        return (self.lon, self.lat)


_AFFIXES = {"river": (("river ", ""), (" river", ""), ("rio ", ""), (" he", ""), (" jiang", "")),
            "lake": (("lake ", ""), (" lake", ""), ("lac ", ""), ("lago ", "")), "region": ()}  # fmt: skip


def _keys(name: str, kind: str) -> set[str]:
    key = fold(name)
    keys = {key}
    for prefix_or_suffix, _ in _AFFIXES[kind]:
        if prefix_or_suffix.startswith(" ") and key.endswith(prefix_or_suffix):
            keys.add(key.removesuffix(prefix_or_suffix))
        elif prefix_or_suffix.endswith(" ") and key.startswith(prefix_or_suffix):
            keys.add(key.removeprefix(prefix_or_suffix))
    return {k for k in keys if k}


@cache
def _index(kind: str) -> dict[str, list[Feature]]:
    """Every feature of a kind by each key of its names, the most important (lowest rank) first."""
    file = {"river": "rivers.json", "lake": "lakes.json", "region": "regions.json"}[kind]
    entries = json.loads((DATA / file).read_text(encoding="utf-8"))
    index: dict[str, list[Feature]] = {}
    for entry in sorted(entries, key=lambda e: e["rank"]):
        shapes = entry.get("lines") or entry.get("polygons") or []
        feature = Feature(entry["name"], entry["kind"], entry["lon"], entry["lat"], entry["rank"],
                          entry.get("country"), entry.get("code"), tuple(shapes))  # fmt: skip
        for name in [entry["name"], *entry.get("aliases", [])]:
            for key in _keys(name, kind):
                found = index.setdefault(key, [])
                if feature not in found:
                    found.append(feature)
    return index


#: The gazetteer's kinds of each kind of feature here.
_GAZETTEER_KINDS = {"river": {"river", "lake centerline"}, "lake": {"lake"}, "region": {"admin-1 region"}}


def load() -> None:
    """Read every kind's index now (a worker's warm-up)."""
    for kind in _AFFIXES:
        _index(kind)


def find(name: str, kind: str) -> Feature | None:
    """The feature of ``kind`` ('river', 'lake' or 'region') called ``name``, with an optional hint after a comma:
    a region's country, or for any kind what the gazetteer takes (``Victoria, Australia``, ``Georgia, USA``,
    ``Mekong, Laos``: the country the feature's label lies in)."""
    index = _index(kind)
    for text, hint in ((name, None), split_hint(name)):
        for key in _keys(text, kind):
            candidates = index.get(key, [])
            if hint is not None:
                wanted = fold(hint)
                candidates = [f for f in candidates if f.country and _country_matches(f.country, wanted)]
            if candidates:
                return candidates[0]
    # Through the gazetteer: its hints (ISO codes, postal codes, countries of rivers and lakes) and spellings.
    place = gazetteer.resolve(name)
    if place is None or place.kind not in _GAZETTEER_KINDS[kind]:
        return None
    same = index.get(fold(place.name), [])
    return min(same, key=lambda f: abs(f.lon - place.lon) + abs(f.lat - place.lat), default=None)


_COUNTRY_ALIASES = {"united states": "united states of america", "usa": "united states of america",
                    "us": "united states of america", "uk": "united kingdom"}  # fmt: skip


def _country_matches(country: str, wanted: str) -> bool:
    return fold(country) in {wanted, _COUNTRY_ALIASES.get(wanted, wanted)}


def river(name: str) -> list[Line] | None:
    """A river's (or lake centre line's) lines in longitude and latitude, from source to mouth as Natural Earth
    draws them, or None. 'Yalu', 'Yalu River' and 'Amnok'-style aliases Natural Earth carries all work."""
    feature = find(name, "river")
    return [[(x, y) for x, y in line] for line in feature.shapes] if feature else None


def _outlines(feature: Feature | None) -> list[Line] | None:
    if feature is None or not feature.shapes:
        return None
    return [[(x, y) for x, y in polygon[0]] for polygon in feature.shapes]


def lake(name: str) -> list[Line] | None:
    """A lake's outer rings (longitude, latitude), or None: 'Lake Baikal', 'Baikal', 'Lake Victoria'."""
    return _outlines(find(name, "lake"))


@cache
def _admin1() -> dict[str, list]:
    """Every other admin-1 region's polygons by its code (admin1.json, Natural Earth 1:10m), read on first use."""
    return json.loads(gzip.decompress((DATA / "admin1.json.gz").read_bytes()))  # 6.9 MB as text: kept gzipped


def region(name: str) -> list[Line] | None:
    """An admin-1 region's outer rings, or None: Natural Earth 1:50m's for the United States, Canada, Australia
    and Brazil, 1:10m's (admin1.json) for the rest. A few that Natural Earth redrew after that copy (see the README
    of pipeline/data/naturalearth) have none and are a label point only (``find(name, 'region').label``)."""
    feature = find(name, "region")
    if feature is not None and not feature.shapes and feature.code in _admin1():
        feature = replace(feature, shapes=tuple(_admin1()[feature.code]))
    return _outlines(feature)


def closest(name: str, kind: str, n: int = 3) -> list[str]:
    """Names of features of ``kind`` ('river', 'lake' or 'region') spelled like ``name``, the most important first
    among the equally close: a river's misspelling is answered with rivers, not towns."""
    index = _index(kind)
    wanted = fold(name)
    scored = {}
    for key, features in index.items():
        ratio = difflib.SequenceMatcher(None, wanted, key).ratio()
        if ratio >= 0.6:
            feature = features[0]
            best = scored.get(feature.name)
            scored[feature.name] = max(best or (0.0, 0), (round(ratio, 1), -feature.rank))
    return [name for name, _ in sorted(scored.items(), key=lambda item: item[1], reverse=True)[:n]]
