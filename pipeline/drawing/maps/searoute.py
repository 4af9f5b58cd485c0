"""A leg by sea: the shortest way through water between two places by the sea, drawn as a ship would sail it.

Land is Natural Earth's 1:10m land as a raster of 0.1 degree (``pipeline/data/naturalearth/land.png``, built by
its ``build.py``). Canals and straits narrower than that are opened by hand (``PASSAGES``: Suez, Panama, the
Bosporus and Dardanelles, Gibraltar, Malacca and Singapore, Kiel, the Danish straits, Dover, Messina, Bab el
Mandeb, Hormuz). The way is found on a grid of half a degree (a cell is water where most of it is, and a step
between two cells is taken only where the line between their centres crosses no land on the fine raster), by A*
with each step's length on the sphere, from the water cell nearest each place; then pulled tight (each point joined
to the farthest later one it can see across water on the fine raster) and rounded at its corners where the
rounding stays at sea, so it reads as a drawn route, not a staircase.

Nothing is read at import; the raster is read once per process, on first use, and each way found is kept for the
process (a route is drawn more than once: fitted, then rendered).
"""

from __future__ import annotations

import heapq
import itertools
import math
from functools import cache
from pathlib import Path

import numpy as np

LAND = Path(__file__).resolve().parents[2] / "data" / "naturalearth" / "land.png"
FINE = 0.1  # degrees per pixel of land.png
CELL = 0.5  # degrees per cell of the grid the way is found on
EARTH_KM = 6371.0
ICE_NORTH = 66.0  # degrees: north of it, east of 60°E and west of 30°W, the sea is ice
ICE_SOUTH = -68.0

#: Canals and straits too narrow for the grid, opened by hand along their fairways (longitude, latitude).
PASSAGES: dict[str, tuple[tuple[float, float], ...]] = {
    "Suez Canal and Gulf of Suez": ((32.30, 31.35), (32.32, 30.95), (32.33, 30.60), (32.45, 30.25), (32.55, 29.93),
                                    (32.75, 29.50), (33.20, 28.70), (33.70, 27.90), (34.20, 27.40)),
    "Panama Canal": ((-79.92, 9.45), (-79.90, 9.30), (-79.85, 9.20), (-79.70, 9.10), (-79.57, 8.90), (-79.50, 8.70)),
    "Bosporus": ((29.15, 41.30), (29.12, 41.20), (29.06, 41.12), (29.02, 41.05), (28.99, 40.98)),
    "Sea of Marmara": ((28.99, 40.98), (28.50, 40.85), (27.80, 40.70), (27.20, 40.55), (26.68, 40.40)),
    "Dardanelles": ((26.68, 40.40), (26.50, 40.28), (26.38, 40.15), (26.20, 40.03), (26.00, 39.95)),
    "Strait of Gibraltar": ((-6.30, 35.90), (-5.90, 35.95), (-5.60, 35.97), (-5.35, 36.02), (-5.00, 36.10)),
    "Strait of Malacca": ((98.00, 5.50), (99.50, 4.00), (100.80, 2.70), (101.80, 2.00), (102.80, 1.40),
                          (103.40, 1.15)),
    "Singapore Strait": ((103.40, 1.15), (103.80, 1.18), (104.10, 1.25), (104.50, 1.40)),
    "Kiel Canal": ((8.90, 53.95), (9.14, 53.89), (9.40, 54.05), (9.70, 54.25), (9.95, 54.33), (10.15, 54.37),
                   (10.30, 54.50)),
    "Øresund": ((12.70, 55.30), (12.75, 55.60), (12.65, 55.85), (12.60, 56.05), (12.45, 56.30)),
    "Great Belt": ((10.95, 54.80), (11.00, 55.15), (10.95, 55.45), (10.90, 55.75), (11.00, 56.05)),
    "Strait of Dover": ((1.20, 50.80), (1.45, 51.00), (1.70, 51.15), (2.10, 51.35)),
    "Strait of Messina": ((15.60, 37.90), (15.62, 38.10), (15.65, 38.28), (15.75, 38.40)),
    "Bab el Mandeb": ((43.10, 13.10), (43.35, 12.65), (43.50, 12.40), (43.80, 12.20)),
    "Strait of Hormuz": ((55.80, 26.60), (56.30, 26.55), (56.60, 26.30), (56.90, 25.90), (57.30, 25.50)),
}  # fmt: skip

Point = tuple[float, float]


def _cells(points: tuple[Point, ...], size: float) -> set[tuple[int, int]]:
    """(row, column) of every cell of ``size`` degrees a polyline passes through, four-connected."""
    out: list[tuple[int, int]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        steps = max(1, math.ceil(max(abs(x1 - x0), abs(y1 - y0)) / (size / 4)))
        for i in range(steps + 1):
            x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
            cell = (int((90 - y) / size), int((x + 180) / size))
            if out and cell != out[-1] and cell[0] != out[-1][0] and cell[1] != out[-1][1]:
                out.append((out[-1][0], cell[1]))  # no diagonal step: a ship cannot pass between two corners
            out.append(cell)
    return set(out)


@cache
def land() -> np.ndarray:
    """Land (True) on the fine raster, 1800 rows from the north by 3600 columns from 180°W, the passages open."""
    from PIL import Image

    with Image.open(LAND) as image:
        grid = np.array(image, dtype=bool)
    for points in PASSAGES.values():
        for r, c in _cells(points, FINE):
            grid[max(0, r - 1) : r + 2, max(0, c - 1) : c + 2] = False  # three pixels wide: seen through
    return grid


@cache
def coasts() -> np.ndarray:
    """Land grown by a pixel (about 10 km) on every side, the passages open again: what a drawn segment keeps off,
    so it clears islands and capes narrower than the raster's pixel (Kythira, Cape Maleas)."""
    grid = land()
    grown = grid.copy()
    grown[1:] |= grid[:-1]
    grown[:-1] |= grid[1:]
    grown |= np.roll(grown, 1, axis=1) | np.roll(grown, -1, axis=1)
    for points in PASSAGES.values():
        for r, c in _cells(points, FINE):
            grown[max(0, r - 1) : r + 2, max(0, c - 1) : c + 2] = False
    return grown


@cache
def water() -> np.ndarray:
    """Water (True) on the routing grid: a cell is water where most of its fine pixels are, and the passages."""
    k = round(CELL / FINE)
    fine = land()
    grid = fine.reshape(fine.shape[0] // k, k, fine.shape[1] // k, k).mean(axis=(1, 3)) < 0.5
    # Sea ice: the Arctic north of Siberia and Canada is no ship's way (the Barents and Norwegian seas are).
    rows = np.arange(grid.shape[0])[:, None]
    lons = -180 + (np.arange(grid.shape[1])[None, :] + 0.5) * CELL
    grid &= ~((90 - (rows + 0.5) * CELL > ICE_NORTH) & ((lons > 60) | (lons < -30)))
    grid &= ~(90 - (rows + 0.5) * CELL < ICE_SOUTH)
    for points in PASSAGES.values():
        for r, c in _cells(points, CELL):
            grid[r, c % grid.shape[1]] = True
    return grid


#: Names a creator may close a passage by (``avoid:`` on a route's stop): each passage's own, and the canals' short
#: names.
CLOSABLE = {**{name: name for name in PASSAGES}, "Suez Canal": "Suez Canal and Gulf of Suez"}


@cache
def closed_cells(names: frozenset[str]) -> frozenset[int]:
    """The routing grid's cells (row-major) along the passages ``names`` (CLOSABLE's keys), its ends at sea too (a
    cell of open water there lets a step cross the isthmus beside it): closed, a ship goes round (the Panama Canal
    closed, New York to San Francisco rounds Cape Horn)."""
    cols = water().shape[1]
    return frozenset(r * cols + c % cols for name in names for r, c in _cells(PASSAGES[CLOSABLE[name]], CELL))


#: The eight steps from a cell to its neighbours, (rows, columns).
STEPS = tuple((dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc)


@cache
def passages() -> np.ndarray:
    """The routing grid's cells a passage runs through (opened by hand, trusted as they are)."""
    grid = np.zeros_like(water())
    for points in PASSAGES.values():
        for r, c in _cells(points, CELL):
            grid[r, c % grid.shape[1]] = True
    return grid


@cache
def steps() -> tuple[list[bool], ...]:
    """For each of ``STEPS``, whether a ship may go from each cell (row-major) to that neighbour: both are water and
    the straight line between their centres crosses no land on the fine raster (or both are on a passage). A cell
    that is mostly water may still have a cape or an island between its centre and the next one's (Cape Maleas,
    Kythira). Half the steps are measured; a step back is allowed as the step there is."""
    grid, fine, open_ = water(), land(), passages()
    rows, cols = grid.shape
    r = np.arange(rows)[:, None].repeat(cols, axis=1)
    c = np.arange(cols)[None, :].repeat(rows, axis=0)
    lat0, lon0 = 90 - (r + 0.5) * CELL, -180 + (c + 0.5) * CELL
    measured: dict[tuple[int, int], np.ndarray] = {}
    for dr, dc in STEPS[len(STEPS) // 2 :]:  # (0, 1), (1, -1), (1, 0), (1, 1)
        rr, cc = (r + dr).clip(0, rows - 1), (c + dc) % cols
        ok = grid & grid[rr, cc] & (r + dr < rows)
        seen = np.ones_like(ok)
        for t in np.linspace(0.1, 0.9, 7):
            fr = ((90 - (lat0 - dr * CELL * t)) / FINE).astype(int).clip(0, fine.shape[0] - 1)
            fc = (((lon0 + dc * CELL * t + 180) % 360) / FINE).astype(int) % fine.shape[1]
            seen &= ~fine[fr, fc]
        measured[(dr, dc)] = ok & (seen | (open_ & open_[rr, cc]))
    out = []
    for dr, dc in STEPS:
        if (dr, dc) in measured:
            out.append(measured[(dr, dc)].ravel().tolist())
        else:  # the step back from the neighbour: that cell's measured step, moved onto this one
            back = np.roll(measured[(-dr, -dc)], (-dr, -dc), axis=(0, 1))  # back[r, c] = there[r + dr, c + dc]
            if dr < 0:
                back[0, :] = False  # no row above the first
            out.append(back.ravel().tolist())
    return tuple(out)


def _fine_cell(p: Point) -> tuple[int, int]:
    lon, lat = p
    return min(int((90 - lat) / FINE), 1799), int(((lon + 180) % 360) / FINE) % 3600


def on_land(p: Point) -> bool:
    return bool(land()[_fine_cell(p)])


def _centre(r: int, c: int) -> Point:
    return (-180 + (c + 0.5) * CELL, 90 - (r + 0.5) * CELL)


def km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres."""
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def harbour(p: Point, reach: float = 1.0) -> tuple[int, int] | None:
    """The water cell of the grid nearest ``p`` within ``reach`` degrees, or None: ``p`` is not by the sea."""
    grid = water()
    rows, cols = grid.shape
    r0, c0 = int((90 - p[1]) / CELL), int(((p[0] + 180) % 360) / CELL)
    n = math.ceil(reach / CELL)
    best = None
    for r in range(max(0, r0 - n), min(rows, r0 + n + 1)):
        for c in range(c0 - n, c0 + n + 1):
            if grid[r, c % cols]:
                d = km(p, _centre(r, c % cols))
                if best is None or d < best[0]:
                    best = (d, (r, c % cols))
    return best[1] if best and best[0] <= reach * 111 else None


def by_the_sea(p: Point) -> bool:
    """Whether a ship can reach ``p``: water within about 60 km of it."""
    return harbour(p, 0.6) is not None


def _search(
    start: tuple[int, int], goal: tuple[int, int], blocked: frozenset[int] = frozenset()
) -> list[tuple[int, int]] | None:
    """A* over the grid's water cells but ``blocked``, eight neighbours, each step its length on the sphere (km)."""
    rows, cols = water().shape
    allowed = steps()
    lat = [math.radians(90 - (r + 0.5) * CELL) for r in range(rows)]
    ns = EARTH_KM * math.radians(CELL)
    ew = [ns * math.cos(a) for a in lat]
    gr, gc = goal
    goal_point = _centre(gr, gc)
    s = start[0] * cols + start[1]
    g = goal[0] * cols + goal[1]
    best = {s: 0.0}
    came: dict[int, int] = {}
    heap = [(km(_centre(*start), goal_point), 0.0, s)]
    while heap:
        _, cost, node = heapq.heappop(heap)
        if node == g:
            path = [node]
            while node in came:
                node = came[node]
                path.append(node)
            return [divmod(n, cols) for n in reversed(path)]
        if cost > best.get(node, math.inf):
            continue
        r, c = divmod(node, cols)
        for k, (dr, dc) in enumerate(STEPS):
            if not allowed[k][node]:
                continue
            rr, cc = r + dr, (c + dc) % cols
            nxt = rr * cols + cc
            if nxt in blocked:
                continue
            step = math.hypot(ns, (ew[r] + ew[rr]) / 2) if dr and dc else (ns if dr else ew[r])
            total = cost + step
            if total < best.get(nxt, math.inf):
                best[nxt] = total
                came[nxt] = node
                heapq.heappush(heap, (total + km(_centre(rr, cc), goal_point), total, nxt))
    return None


def _unwrapped(points: list[Point]) -> list[Point]:
    """Longitudes made continuous (a way across 180° goes on to 181°...), so segments do not wrap the globe."""
    out = [points[0]]
    for lon, lat in points[1:]:
        prev = out[-1][0]
        lon += 360 * round((prev - lon) / 360)
        out.append((lon, lat))
    return out


#: How far (degrees) from a port the way may still be over land: a port's centre is ashore.
ASHORE = 0.2


def clear(a: Point, b: Point, ports: tuple[Point, ...] = ()) -> bool:
    """Whether the straight segment (in longitude and latitude, as it is drawn) from ``a`` to ``b`` stays at sea,
    clear of the coasts (``coasts``), but for its stretch within ``ASHORE`` of a port."""
    steps = max(1, math.ceil(max(abs(b[0] - a[0]), abs(b[1] - a[1])) / (FINE / 2)))
    grid = coasts()
    for i in range(steps + 1):
        t = i / steps
        p = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        if grid[_fine_cell(p)] and not any(max(abs(p[0] - q[0]), abs(p[1] - q[1])) < ASHORE for q in ports):
            return False
    return True


#: The longest straight segment a way is pulled into (degrees): across an ocean it keeps the great circle's curve
#: that the search found, where one straight line in longitude and latitude would not.
LONGEST = 8.0


def _pulled(points: list[Point], ports: tuple[Point, ...]) -> list[Point]:
    """Each point joined to the farthest later one it sees across water (at most ``LONGEST`` away): the staircase
    pulled tight."""
    out, i = [points[0]], 0
    while i < len(points) - 1:
        j = i + 1
        while (
            j + 1 < len(points)
            and max(abs(points[j + 1][0] - points[i][0]), abs(points[j + 1][1] - points[i][1])) <= LONGEST
        ):
            j += 1
        while j > i + 1 and not clear(points[i], points[j], ports):
            j -= 1
        out.append(points[j])
        i = j
    return out


#: The most a corner is cut back along each of its sides (degrees): corners round where they are, not far away.
CUT = 1.0


def _toward(b: Point, a: Point) -> Point:
    """The point a quarter of the way from ``b`` to ``a``, or ``CUT`` degrees from ``b`` if that is nearer."""
    d = max(abs(a[0] - b[0]), abs(a[1] - b[1])) or 1.0
    t = min(0.25, CUT / d)
    return (b[0] + (a[0] - b[0]) * t, b[1] + (a[1] - b[1]) * t)


def _rounded(points: list[Point], ports: tuple[Point, ...], passes: int = 3) -> list[Point]:
    """Chaikin's corner cutting, each cut kept only where it stays at sea."""
    for _ in range(passes):
        out = [points[0]]
        for a, b, c in zip(points, points[1:], points[2:], strict=False):
            p, q = _toward(b, a), _toward(b, c)
            if clear(out[-1], p, ports) and clear(p, q, ports):
                out += [p, q]
            else:
                out.append(b)
        out.append(points[-1])
        points = out
    return points


@cache
def way(a: Point, b: Point, avoid: frozenset[str] = frozenset()) -> tuple[Point, ...] | None:
    """The way by sea from ``a`` to ``b`` (longitude, latitude), ends included, through none of the passages
    ``avoid`` names (CLOSABLE's keys), or None when either is not by the sea or no water joins them (the Caspian's
    shores and the ocean's)."""
    start, goal = harbour(a), harbour(b)
    if start is None or goal is None:
        return None
    cells = _search(start, goal, closed_cells(avoid))
    if cells is None:
        return None
    points = _unwrapped([a, *(_centre(r, c) for r, c in cells), b])
    ports = (points[0], points[-1])  # ashore: the way may leave and reach them over a little land
    out = _rounded(_pulled(points, ports), ports)
    return (a, *((((lon + 180) % 360) - 180, lat) for lon, lat in out[1:-1]), b)


def great_circle(a: Point, b: Point, n: int) -> list[Point]:
    """``n`` points from ``a`` to ``b`` along the great circle, ends included (spherical interpolation)."""

    def vec(p: Point) -> np.ndarray:
        lon, lat = map(math.radians, p)
        return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])

    u, v = vec(a), vec(b)
    omega = math.acos(max(-1.0, min(1.0, float(u @ v))))
    if omega < 1e-9:
        return [a] * n
    out = []
    for i in range(n):
        t = i / max(1, n - 1)
        w = (math.sin((1 - t) * omega) * u + math.sin(t * omega) * v) / math.sin(omega)
        out.append((math.degrees(math.atan2(w[1], w[0])), math.degrees(math.asin(max(-1.0, min(1.0, w[2]))))))
    return out


def along(way: tuple[tuple[float, float], ...], step: float = 0.25) -> list[tuple[float, float]]:
    """A way's points every ``step`` degrees or so, straight in longitude and latitude as its segments were found
    clear of land (across 180° the short way round)."""
    out = [way[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(way):
        x1 = x0 + ((x1 - x0 + 180) % 360) - 180
        n = max(1, math.ceil(max(abs(x1 - x0), abs(y1 - y0)) / step))
        out += [(((x0 + (x1 - x0) * i / n + 180) % 360) - 180, y0 + (y1 - y0) * i / n) for i in range(1, n + 1)]
    return out


def length_km(points: tuple[Point, ...] | list[Point]) -> float:
    return sum(km(p, q) for p, q in itertools.pairwise(points))


def crosses_land_km(a: Point, b: Point, samples: int = 200) -> float:
    """About how many kilometres of the great circle from ``a`` to ``b`` lie over land (its ends' 60 km aside)."""
    points = great_circle(a, b, samples)
    step = km(a, b) / max(1, samples - 1)
    return sum(step for p in points if on_land(p) and km(p, a) > 60 and km(p, b) > 60)
