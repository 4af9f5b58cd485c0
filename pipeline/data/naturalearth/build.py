#!/usr/bin/env python3
"""Build a compact offline gazetteer (places.json, areas.json) from Natural Earth.

Source: GeoJSON conversions of Natural Earth 10m layers (data version 4.0.0)
from the git snapshot of github.com/martynafford/natural-earth-geojson, because
the upstream github.com/nvkelso/natural-earth-vector snapshot (745 MB) was too
large to fetch here.  Large layers are stored there only as .7z archives.

Usage:
    python3 build.py [GIT_DIR] [OUT_DIR]
      GIT_DIR default: /work/.mirror/martynafford+natural-earth-geojson/repo
      OUT_DIR default: the directory containing this script

Requires: shapely>=2, py7zr (pip install py7zr).  Reads the snapshot with
`git --git-dir=GIT_DIR show COMMIT:path`, so no work tree is needed.
"""

import io
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

import py7zr
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import polylabel

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
GIT_DIR = ARGS[0] if ARGS else "/work/.mirror/martynafford+natural-earth-geojson/repo"
OUT_DIR = ARGS[1] if len(ARGS) > 1 else os.path.dirname(os.path.abspath(__file__))
COMMIT = "0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e"  # data files last changed in 90266457 (NE 4.0.0)

LAYERS = {
    "places": "10m/cultural/ne_10m_populated_places.7z",
    "marine": "10m/physical/ne_10m_geography_marine_polys.7z",
    "regions_polys": "10m/physical/ne_10m_geography_regions_polys.7z",
    "regions_points": "10m/physical/ne_10m_geography_regions_points.json",
    "elev_points": "10m/physical/ne_10m_geography_regions_elevation_points.json",
    # For the map engine (rivers.json, lakes.json, regions.json):
    "rivers": "10m/physical/ne_10m_rivers_lake_centerlines.7z",
    "lakes": "10m/physical/ne_10m_lakes.7z",
    "admin1_points": "10m/cultural/ne_10m_admin_1_label_points.7z",
    # The 10m admin-1 polygons are missing from the snapshot (its largest files are absent); 1:50m has polygons for
    # the four countries Natural Earth details at that scale (USA, Canada, Australia, Brazil).
    "admin1_polys": "50m/cultural/ne_50m_admin_1_states_provinces.json",
    # For sea routes (land.png): land, and the lakes it leaves as land would let no ship through anyway.
    "land": "10m/physical/ne_10m_land.7z",
}

CITY_MIN_POP = 500_000
CITY_MAX_SCALERANK = 4
MAX_POINTS = 200  # per area feature, all rings together
AREA_DECIMALS = 2
MIN_AREA = 2e-4  # deg^2; smaller polygons (or <=5 vertices) are NE label stubs -> places only
POINT_DECIMALS = 3
RIVER_TOLERANCE = 0.01  # deg; Douglas-Peucker on each river line (about 1 km: sharp at a country's scale)
RIVER_DECIMALS = 3
LAKE_POINTS = 300  # per lake, all rings together
REGION_POINTS = 400  # per admin-1 region

# Marine names in NE 4.0.0 with obvious defects.  Original kept as an alias.
MARINE_FIXES = {
    "B. Inutil": "Bahía Inútil",
    "Bransfield Str.": "Bransfield Strait",
    "Cumberland Sd.": "Cumberland Sound",
    "Golfo San Mat’as": "Golfo San Matías",  # damaged 'í'
    "Gulf of Olen‘k": "Gulf of Olenëk",  # damaged 'ë'
    "Prince ALbert Sound": "Prince Albert Sound",
    "Kaliningrad": "Vistula Lagoon",  # lagoon, would shadow the city
    "Estrecho de Magellanes": "Strait of Magellan",
}
# Extra English aliases for marine/region features (lookup convenience only).
EXTRA_ALIASES = {
    "Estrecho de Magellanes": ["Estrecho de Magallanes"],
    "Bosporus": ["Bosphorus", "Istanbul Strait"],
    "Bab el Mandeb": ["Bab-el-Mandeb", "Bab al-Mandab"],
    "Golfo de California": ["Gulf of California", "Sea of Cortez"],
    "Golfo de Panamá": ["Gulf of Panama"],
    "Golfe du Lion": ["Gulf of Lion", "Gulf of Lions"],
    "Bahía de Campeche": ["Bay of Campeche"],
    "Río de la Plata": ["River Plate"],
    "Øresund": ["Oresund"],
    "Dardanelles": ["Çanakkale Strait"],
    "Kaliningrad": ["Kaliningrad Lagoon", "Vistula Lagoon"],
}
# Damaged or wrong city alternates seen in NE 4.0.0 namealt/namepar fields.
BAD_CITY_ALIASES = {
    "Th nh Pho Ho Chy Minh",
    "Sio Paulo",
    "N'Djamnna",
    "El Djazacr",
    "Hai Phnng",
    "San Miguel de Tucumnn",
    "Zaporiyhzhya",
    "Zhytomyra",
    "Dongguan, Guangdong",
    "West Yorkshire",
    "Klintsy",
    "Lianyungang",
    "Tianmen",
    "Norte/Nordeste Catarinense",
    "Baixada Santista",
    "Jalabad",
    "Gisenyi",
    "Masuku",
    "Seyhan",
}
DROP_REGION_CLASSES = {"Dragons-be-here"}  # 'Null Island'


def git_bytes(path):
    return subprocess.run(
        ["git", "--git-dir", GIT_DIR, "show", f"{COMMIT}:{path}"], check=True, capture_output=True
    ).stdout


def load(layer):
    path = LAYERS[layer]
    raw = git_bytes(path)
    if path.endswith(".7z"):
        import tempfile

        with py7zr.SevenZipFile(io.BytesIO(raw)) as z, tempfile.TemporaryDirectory() as td:
            z.extractall(td)
            name = next(n for n in os.listdir(td) if n.endswith(".json"))
            with open(os.path.join(td, name), "rb") as f:
                raw = f.read()
    return json.loads(raw)["features"]


def clean(name):
    """Collapse whitespace; title-case ALL-CAPS names. Returns (clean, original_or_None)."""
    if name is None:
        return None, None
    n = re.sub(r"\s+", " ", name).strip()
    if n.isupper() and len(n) > 3:
        n = " ".join(
            w.capitalize() if not re.fullmatch(r"(OF|THE|DE|DEL|LA|AND)", w) else w.lower() for w in n.split(" ")
        )
        n = n[0].upper() + n[1:]
        n = re.sub(r"\bMc(\w)", lambda m: "Mc" + m.group(1).upper(), n)
    return n, (name if n != name else None)


def alias_list(name, *cands):
    out = []
    for c in cands:
        if not c:
            continue
        for a in str(c).split("|"):
            a = re.sub(r"\s+", " ", a).strip()
            if (
                not a
                or a == name
                or a in out
                or a in BAD_CITY_ALIASES
                or a[0].islower()
                or re.search(r"(^|\s)[A-Za-z](\s|$)", a)
            ):
                continue
            out.append(a)
    return out


def rpoint(geom):
    """Representative label point: pole of inaccessibility of the largest part."""
    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    big = max(parts, key=lambda p: p.area)
    if not big.is_valid:
        big = shapely.make_valid(big)
        if not isinstance(big, Polygon):
            big = max((g for g in getattr(big, "geoms", [big]) if isinstance(g, Polygon)), key=lambda p: p.area)
    try:
        tol = max(1e-4, (big.bounds[2] - big.bounds[0]) / 200)
        p = polylabel(big, tolerance=tol)
        if not big.contains(p):
            p = big.point_on_surface()
    except Exception:
        p = big.point_on_surface()
    return round(p.x, POINT_DECIMALS), round(p.y, POINT_DECIMALS)


def count_pts(geom):
    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    return sum(len(p.exterior.coords) + sum(len(i.coords) for i in p.interiors) for p in parts)


def ring_out(coords):
    out = []
    for x, y in coords:
        pt = [round(x, AREA_DECIMALS), round(y, AREA_DECIMALS)]
        if not out or out[-1] != pt:
            out.append(pt)
    if len(out) >= 2 and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def simplify_to_budget(geom, budget=MAX_POINTS):
    """Return list of polygons (list of rings) with <= budget points in total."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [g for g in (geom.geoms if hasattr(geom, "geoms") else [geom]) if isinstance(g, (Polygon, MultiPolygon))]
    polys = []
    for g in parts:
        polys.extend(g.geoms if isinstance(g, MultiPolygon) else [g])
    total_area = sum(p.area for p in polys) or 1.0
    # drop holes smaller than 1% of the feature (lakes etc.) before simplifying
    polys = [Polygon(p.exterior, [h for h in p.interiors if Polygon(h).area > 0.01 * total_area]) for p in polys]
    polys.sort(key=lambda p: -p.area)
    tol = 10**-AREA_DECIMALS / 2
    while True:
        out, npts = [], 0
        for p in polys:
            s = p.simplify(tol, preserve_topology=True)
            if s.is_empty:
                continue
            for q in s.geoms if isinstance(s, MultiPolygon) else [s]:
                ext = ring_out(q.exterior.coords)
                if not ext:
                    continue
                poly = [ext] + [h for h in (ring_out(i.coords) for i in q.interiors) if h]
                n = sum(len(r) for r in poly)
                if npts + n > budget:
                    continue  # does not fit: skip this (smaller) part
                out.append(poly)
                npts += n
        if out and count_ok(out, polys, tol, budget):
            return out
        tol *= 1.15
        if tol > 5:
            return out


def count_ok(out, polys, tol, budget):
    # Accept if no part bigger than 2% of the largest was dropped for lack of budget.
    kept_area = sum(Polygon(p[0]).area for p in out)
    largest = polys[0].area if polys else 0
    dropped_big = sum(p.area for p in polys if p.area > 0.02 * largest) - kept_area
    return dropped_big <= 0.05 * sum(p.area for p in polys) + 1e-9


def clusters(items, max_gap=1.0):
    """Split same-named features into groups of geometries within max_gap degrees."""
    geoms = [shape(f["geometry"]).buffer(0) for f, _ in items]
    groups = []
    for i, g in enumerate(geoms):
        shifted = [g, shapely.affinity.translate(g, 360), shapely.affinity.translate(g, -360)]
        hit = [
            k for k, grp in enumerate(groups) if any(min(s.distance(geoms[j]) for s in shifted) <= max_gap for j in grp)
        ]
        if not hit:
            groups.append([i])
        else:
            merged = [i] + [j for k in hit for j in groups[k]]
            groups = [grp for k, grp in enumerate(groups) if k not in hit] + [merged]
    return [([items[j] for j in grp], shapely.union_all([geoms[j] for j in grp])) for grp in groups]


def add_area(areas, label_only, rec, geom):
    stub = geom.area < MIN_AREA or shapely.get_num_coordinates(geom) <= 5
    polys = [] if stub else simplify_to_budget(geom)
    if polys:
        rec["polygons"] = polys
        areas.append(rec)
    else:
        label_only.append(rec["name"])


def line_out(coords, decimals):
    out = []
    for x, y in coords:
        pt = [round(x, decimals), round(y, decimals)]
        if not out or out[-1] != pt:
            out.append(pt)
    return out if len(out) >= 2 else None


def build_rivers():
    """Named rivers and lake centre lines, merged by name: the lines of each, simplified."""
    groups = defaultdict(list)
    for f in load("rivers"):
        p, g = f["properties"], f["geometry"]
        name = (p.get("name_en") or p.get("name") or "").strip()
        if not name or not g:
            continue
        groups[re.sub(r"\s+", " ", name)].append(f)
    rivers = []
    for name, feats in groups.items():
        lines, aliases = [], []
        for f in feats:
            p = f["properties"]
            for alt in (p.get("name"), p.get("name_alt")):
                for a in str(alt or "").split("|"):
                    a = a.strip()
                    if a and a != name and a not in aliases and not a.isupper():
                        aliases.append(a)
            geom = shape(f["geometry"]).simplify(RIVER_TOLERANCE)
            for part in getattr(geom, "geoms", [geom]):
                if (out := line_out(part.coords, RIVER_DECIMALS)) is not None:
                    lines.append(out)
        if not lines:
            continue
        ranks = [int(f["properties"]["scalerank"]) for f in feats]
        classes = {f["properties"]["featurecla"] for f in feats}
        longest = max(lines, key=len)
        mid = longest[len(longest) // 2]
        e = {
            "name": name,
            "kind": "river" if "River" in classes else "lake centerline",
            "rank": min(ranks),
            "lon": mid[0],
            "lat": mid[1],
            "lines": sorted(lines),
        }
        if aliases:
            e["aliases"] = sorted(aliases)
        rivers.append(e)
    rivers.sort(key=lambda e: (e["rank"], e["name"]))
    return rivers


def build_lakes():
    groups = defaultdict(list)
    for f in load("lakes"):
        p = f["properties"]
        name = re.sub(r"\s+", " ", (p.get("name") or "")).strip()
        if name and f["geometry"]:
            groups[name].append((f, None))
    lakes = []
    for name, allitems in groups.items():
        for items, geom in clusters(allitems):
            polys = simplify_to_budget(geom, LAKE_POINTS)
            if not polys:
                continue
            lon, lat = rpoint(geom)
            ps = [f["properties"] for f, _ in items]
            e = {
                "name": name,
                "kind": "lake",
                "class": ps[0]["featurecla"].lower(),
                "rank": min(int(p["scalerank"]) for p in ps),
                "lon": lon,
                "lat": lat,
                "polygons": polys,
            }
            aliases = sorted({a for p in ps for a in (p.get("name_alt"), p.get("name_abb")) if a and a != name})
            if aliases:
                e["aliases"] = aliases
            lakes.append(e)
    lakes.sort(key=lambda e: (e["rank"], e["name"], e["lon"]))
    return lakes


def build_regions():
    """Admin-1 regions (states, provinces): every one as a label point (1:10m), polygons where 1:50m has them."""
    polys = {}
    for f in load("admin1_polys"):
        p = f["properties"]
        polys[p["adm1_code"]] = (shape(f["geometry"]).buffer(0), p)
    points = defaultdict(list)
    for f in load("admin1_points"):
        points[f["properties"]["adm1_code"]].append(f)
    regions = []
    for code in sorted(points):
        feats = points[code]
        p = feats[0]["properties"]
        if not p.get("name") or re.match(r"[A-Z]{3}-99 ", p["name"]):
            continue  # NE's stand-ins for a country's minor islands ('PRK-99 (North Korea minor island)')
        e = {
            "name": re.sub(r"\s+", " ", p["name"]).strip(),
            "kind": "region",
            "class": "admin-1",
            "country": p["admin"],
            "iso_a2": p["iso_a2"],
            "code": code,
            "rank": min(int(f["properties"]["scalerank"]) for f in feats),
        }
        if code in polys:
            geom, pp = polys[code]
            e["lon"], e["lat"] = rpoint(geom)
            for key in ("postal", "name_alt"):
                if pp.get(key):
                    e.setdefault("aliases", []).extend(a.strip() for a in pp[key].split("|") if a.strip())
            e["polygons"] = simplify_to_budget(geom, REGION_POINTS)
        else:
            # One label point per piece (islands included): the medoid of the most important pieces' points.
            best = min(int(f["properties"]["scalerank"]) for f in feats)
            pts = [tuple(f["geometry"]["coordinates"]) for f in feats if int(f["properties"]["scalerank"]) == best]
            lon, lat = min(pts, key=lambda a: (sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in pts), a))
            e["lon"], e["lat"] = round(lon, POINT_DECIMALS), round(lat, POINT_DECIMALS)
        regions.append(e)
    return regions


LAND_CELL = 0.1  # degrees: land.png is 3600 x 1800


def build_land():
    """land.png: Natural Earth's 1:10m land as a 1-bit equirectangular raster, one pixel per 0.1 degree (white
    is land; row 0 is the band under 90°N, column 0 the band east of 180°W). Sea routes are found on it."""
    from PIL import Image, ImageDraw

    w, h = round(360 / LAND_CELL), round(180 / LAND_CELL)
    image = Image.new("1", (w, h), 0)
    draw = ImageDraw.Draw(image)

    def px(ring):
        return [((x + 180) / LAND_CELL, (90 - y) / LAND_CELL) for x, y in ring]

    for f in load("land"):
        g = f["geometry"]
        for poly in g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]:
            draw.polygon(px(poly[0]), fill=1, outline=1)
            for hole in poly[1:]:
                draw.polygon(px(hole), fill=0)
    path = os.path.join(OUT_DIR, "land.png")
    image.save(path, optimize=True)
    print("land.png", f"{w}x{h},", os.path.getsize(path), "bytes")


def write(name, data):
    with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
    print(name, len(data), "entries,", os.path.getsize(os.path.join(OUT_DIR, name)), "bytes")


def build_maps():
    """The map engine's vectors: rivers.json, lakes.json, regions.json (see the README)."""
    write("rivers.json", build_rivers())
    write("lakes.json", build_lakes())
    write("regions.json", build_regions())
    build_land()


def main():
    places, areas, label_only = [], [], []

    # ---- cities ----
    for f in load("places"):
        p = f["properties"]
        pop = int(p.get("POP_MAX") or 0)
        cap = p["FEATURECLA"].startswith("Admin-0 capital")
        if not (pop >= CITY_MIN_POP or cap or p["SCALERANK"] <= CITY_MAX_SCALERANK):
            continue
        name, _ = clean(p["NAME"])
        lon, lat = f["geometry"]["coordinates"]
        e = {
            "name": name,
            "kind": "city",
            "lon": round(lon, POINT_DECIMALS),
            "lat": round(lat, POINT_DECIMALS),
            "rank": int(p["SCALERANK"]),
            "country": p["ADM0NAME"],
            "iso_a2": p["ISO_A2"],
            "pop": pop,
        }
        if cap:
            e["capital"] = True
        al = alias_list(name, p.get("NAME_EN"), p.get("NAMEASCII"), p.get("NAMEPAR"), p.get("NAMEALT"))
        if al:
            e["aliases"] = al
        places.append(e)

    # ---- marine polygons (merged by name+class) ----
    groups = defaultdict(list)
    for f in load("marine"):
        p = f["properties"]
        if not p.get("name"):
            continue  # unnamed 'generic' pieces
        name, orig = clean(p["name"])
        groups[(name, p["featurecla"])].append((f, orig))
    for (raw_name, cls), allitems in groups.items():
        for items, geom in clusters(allitems):
            name, aliases = raw_name, []
            if raw_name in MARINE_FIXES:
                name = MARINE_FIXES[raw_name]
                if raw_name != "Kaliningrad":
                    aliases.append(raw_name)
            for f, orig in items:
                for a in (orig, f["properties"].get("namealt")):
                    if (
                        a
                        and a not in aliases
                        and a != name
                        and not a.isupper()
                        and re.sub(r"\s+", " ", a).strip() != name
                    ):
                        aliases.append(a)
            for a in EXTRA_ALIASES.get(raw_name, []):
                if a not in aliases and a != name:
                    aliases.append(a)
            lon, lat = rpoint(geom)
            rank = min(int(f["properties"]["scalerank"]) for f, _ in items)
            e = {"name": name, "kind": cls, "lon": lon, "lat": lat, "rank": rank}
            if aliases:
                e["aliases"] = aliases
            places.append(e)
            add_area(areas, label_only, {"name": name, "kind": cls, "rank": rank}, geom)

    # ---- region polygons ----
    groups = defaultdict(list)
    for f in load("regions_polys"):
        p = f["properties"]
        if not p.get("name") or p["featurecla"] in DROP_REGION_CLASSES:
            continue
        name, orig = clean(p["name"])
        groups[(name, p["featurecla"])].append((f, orig))
    for (name, cls), allitems in groups.items():
        for items, geom in clusters(allitems):
            p = items[0][0]["properties"]
            aliases = []
            for f, _ in items:
                a = f["properties"].get("namealt")
                if a:
                    a = re.sub(r"\s+", " ", a).strip()
                    if a != name and a not in aliases:
                        aliases.append(a)
            lon, lat = rpoint(geom)
            rank = min(int(f["properties"]["scalerank"]) for f, _ in items)
            c = cls.lower()
            e = {"name": name, "kind": "region", "class": c, "lon": lon, "lat": lat, "rank": rank}
            if p.get("region"):
                e["continent"] = p["region"]
            if aliases:
                e["aliases"] = aliases
            places.append(e)
            if c == "continent":  # NE continent polygons have holes punched for other regions
                geom = shapely.union_all(
                    [Polygon(q.exterior) for q in (geom.geoms if isinstance(geom, MultiPolygon) else [geom])]
                )
            add_area(areas, label_only, {"name": name, "kind": "region", "class": c, "rank": rank}, geom)

    # ---- region points (capes, islands, waterfalls, poles) ----
    for layer, kind in (("regions_points", "region"), ("elev_points", "elevation")):
        for f in load(layer):
            p = f["properties"]
            if not p.get("name"):
                continue
            name, orig = clean(p["name"])
            lon, lat = f["geometry"]["coordinates"]
            e = {
                "name": name,
                "kind": kind,
                "class": p["featurecla"].lower(),
                "lon": round(lon, POINT_DECIMALS),
                "lat": round(lat, POINT_DECIMALS),
                "rank": int(p["scalerank"]),
            }
            if p.get("elevation"):
                e["elevation_m"] = int(p["elevation"])
            al = [a for a in (p.get("name_alt"),) if a and a != name]
            if al:
                e["aliases"] = al
            places.append(e)

    order = {"city": 9}
    places.sort(key=lambda e: (order.get(e["kind"], 0), e["kind"], e["rank"], e["name"]))
    areas.sort(key=lambda e: (e["kind"], e["rank"], e["name"]))
    with open(os.path.join(OUT_DIR, "places.json"), "w", encoding="utf-8") as f:
        json.dump(places, f, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(OUT_DIR, "areas.json"), "w", encoding="utf-8") as f:
        json.dump(areas, f, ensure_ascii=False, separators=(",", ":"))

    kinds = Counter(e["kind"] for e in places)
    print("places:", len(places), dict(kinds))
    print(
        "areas:",
        len(areas),
        Counter(a["kind"] for a in areas),
        "max pts:",
        max(sum(len(r) for poly in a["polygons"] for r in poly) for a in areas),
    )
    print("label-only (no usable polygon):", sorted(label_only))
    for fn in ("places.json", "areas.json"):
        print(fn, os.path.getsize(os.path.join(OUT_DIR, fn)), "bytes")


if __name__ == "__main__":
    if "--maps-only" not in sys.argv:
        main()
    build_maps()
