"""Every named place a map can find: countries, admin-1 regions, GeoNames' towns down to 1,000 people, Natural
Earth's cities, seas, straits, gulfs, regions, peaks, rivers and lakes, each with its kind and country.

Read from ``pipeline/data/gazetteer/places.sqlite``, an index built beforehand by the ``build.py`` beside it (see
its README), so a look-up reads a few pages of it instead of parsing 179,000 rows: the first query of a process
opens it (read-only), each later one costs well under a millisecond.

A name is found in any case and spelling of accents (``Üsküdar``, ``Uskudar``), and where a name is shared the most
prominent place wins: a country, then Natural Earth's places by rank, then towns by their people. A hint after a
comma picks another: a country (``Victoria, Seychelles``), its ISO code, or an admin-1 region or its postal code
(``Springfield, Illinois``, ``Georgia, USA``).
"""

from __future__ import annotations

import difflib
import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.drawing.maps.names import fold, split_hint

INDEX = Path(__file__).resolve().parents[2] / "data" / "gazetteer" / "places.sqlite"


@dataclass(frozen=True)
class Place:
    """A place the gazetteer knows: its name, kind ('town', 'city', 'country', 'admin-1 region', 'sea', 'river'...),
    where its label goes, its country and admin-1 region where it has them, and how many live there."""

    name: str
    kind: str
    lon: float
    lat: float
    country: str | None = None
    admin1: str | None = None
    population: int | None = None
    #: Its place among places of the same name: 1 is the most prominent of all.
    prominence: int = 0

    @property
    def label(self) -> tuple[float, float]:
        return (self.lon, self.lat)

    def describe(self) -> str:
        """``Üsküdar (town; Istanbul, Turkey)``."""
        within = ", ".join(dict.fromkeys(x for x in (self.admin1, self.country) if x and x != self.name))
        return f"{self.name} ({self.kind}; {within})" if within else f"{self.name} ({self.kind})"


@cache
def _db() -> sqlite3.Connection:
    """The index, opened read-only once per process (immutable: no locks, no journal)."""
    return sqlite3.connect(f"{INDEX.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)


_SELECT = """SELECT p.id, p.name, k.name, c.name, a.name, a.key, p.iso2, p.lon, p.lat, p.pop FROM place p
    JOIN kind k ON k.id = p.kind LEFT JOIN country c ON c.iso2 = p.iso2 LEFT JOIN admin1 a ON a.id = p.admin1"""


def _place(row: tuple) -> Place:
    pid, name, kind, country, admin1, _, _, lon, lat, pop = row
    return Place(name, kind, lon / 1e4, lat / 1e4, country, admin1, pop, pid)


def _rows(key: str) -> list[tuple]:
    return _db().execute(f"{_SELECT} JOIN name n ON n.id = p.id WHERE n.key = ? ORDER BY p.id", (key,)).fetchall()


def named(name: str) -> list[Place]:
    """Every place called ``name`` (no hint), the most prominent first."""
    return [_place(row) for row in _rows(fold(name))]


def _hinted(rows: list[tuple], hint: str) -> list[tuple]:
    """The rows a hint picks: those in the country or admin-1 region it names. An admin-1 region is not picked by
    its own name ('Colón, Colon' is the town in Panama's province of Colón, not the province, nor Honduras's
    department of the same name): a hint says what a place lies in."""
    wanted = _db().execute("SELECT iso2, admin1_key FROM hint WHERE key = ?", (fold(hint),)).fetchall()
    key = fold(hint)

    def picked(row: tuple) -> bool:
        region = row[2] == REGION
        if any(row[6] == iso2 and (not a1 or (row[5] == a1 and not region)) for iso2, a1 in wanted):
            return True
        return key in {fold(row[3] or ""), "" if region else fold(row[4] or "")} - {""}

    return [row for row in rows if picked(row)]


#: The kind of a state or province, and the kinds of a populated place.
REGION, SETTLED = "admin-1 region", ("city", "town")


def _found(text: str) -> list[tuple]:
    """The rows ``text`` names, the most prominent first: its name's, or with a hint the ones the hint picks."""
    if not fold(text):
        return []
    if rows := _rows(fold(text)):  # a name with a comma of its own: 'Washington, D.C.'
        return rows
    name, hint = split_hint(text)
    return _hinted(_rows(fold(name)), hint) if hint is not None else []


def resolve(text: str) -> Place | None:
    """The place ``text`` names (``Uskudar``, ``Victoria, Canada``, ``Springfield, Illinois``), or None."""
    rows = _found(text)
    return _place(rows[0]) if rows else None


def _as_points(rows: list[tuple]) -> list[tuple]:
    """``rows`` with each admin-1 region that has a city or town of its own name in it replaced by that town: a
    point (a pin, a marker, a name's place) on 'Colón, Panama' is the port, not the middle of its province."""
    out: list[tuple] = []
    for row in rows:
        if row[2] == REGION:
            row = next((r for r in rows if r[2] in SETTLED and r[6] == row[6] and r[5] == row[5]), row)
        if row not in out:
            out.append(row)
    return out


def point(text: str) -> Place | None:
    """The place ``text`` names as a point: as ``resolve``, but where that is a state or province with a city or
    town of the same name in it (Colón in Panama, Durango), the town. A highlight still fills the region."""
    rows = _as_points(_found(text))
    return _place(rows[0]) if rows else None


def named_points(name: str) -> list[Place]:
    """Every place called ``name`` as a point (``point``), the most prominent first."""
    return [_place(row) for row in _as_points(_rows(fold(name)))]


def written(text: str) -> str:
    """How a marker writes the place ``text`` names: ``text`` without its hint ('Colón, Colon' -> 'Colón'), unless
    the comma is part of the name ('Washington, D.C.')."""
    name, hint = split_hint(text)
    if hint is None or _rows(fold(text)):
        return text.strip()
    return name


def candidates(text: str) -> list[Place]:
    """The places a hint could choose among for ``text``'s name: what to list when a hint matched none."""
    return named(split_hint(text)[0])


def search(text: str, limit: int = 25) -> tuple[list[Place], int]:
    """Places with ``text`` in one of their names (``korea``: North Korea, South Korea, the Korea Strait), those
    called exactly that first, then by prominence; at most ``limit`` of them, and how many there are in all. With
    a hint (``Springfield, Illinois``), the places of that name the hint picks."""
    key = fold(text)
    if not key:
        return [], 0
    exact = _rows(key)
    name, hint = split_hint(text)
    if not exact and hint is not None:
        rows = _hinted(_rows(fold(name)), hint)
        return [_place(row) for row in rows[:limit]], len(rows)
    more = (
        _db()
        .execute(
            f"{_SELECT} JOIN (SELECT DISTINCT id FROM name WHERE instr(key, ?) > 0) n ON n.id = p.id ORDER BY p.id",
            (key,),
        )
        .fetchall()
    )
    seen = {row[0] for row in exact}
    rows = exact + [row for row in more if row[0] not in seen]
    return [_place(row) for row in rows[:limit]], len(rows)


def closest(text: str, n: int = 3) -> list[str]:
    """Names of places close to ``text`` (a misspelling, without its hint), best first; as close, the more
    prominent first. Any kind: countries, towns, seas, rivers..."""
    key = fold(split_hint(text)[0])
    if not key:
        return []
    low, high = max(1, len(key) - 2), len(key) + 2
    found = (
        _db()
        .execute(
            "SELECT n.key, p.id, k.name, p.pop FROM name n JOIN place p ON p.id = n.id JOIN kind k ON k.id = p.kind "
            "WHERE n.key >= ? AND n.key < ? AND length(n.key) BETWEEN ? AND ?",
            (key[0], key[0] + "\U0010ffff", low, high),
        )
        .fetchall()
    )
    scored = []
    for candidate, pid, kind, pop in found:
        matcher = difflib.SequenceMatcher(None, key, candidate)
        if matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75 and (ratio := matcher.ratio()) >= 0.75:
            # As close, the better known first: a country before a village one letter nearer ('Chnia': China).
            known = 0.15 if kind == "country" else 0.1 if kind != "town" else 0.05 if (pop or 0) >= 100_000 else 0
            scored.append((-(ratio + known), pid))
    names: list[str] = []
    for _, pid in sorted(scored):
        name = _db().execute("SELECT name FROM place WHERE id = ?", (pid,)).fetchone()[0]
        if name not in names and fold(name) != key:
            names.append(name)
        if len(names) == n:
            break
    return names


@cache
def countries() -> list[tuple[str, list[str]]]:
    """Every country's name and the ISO codes a storyboard may write instead, by name."""
    rows = _db().execute("SELECT name, codes FROM codes ORDER BY name").fetchall()
    return [(name, codes.split(",") if codes else []) for name, codes in rows]
