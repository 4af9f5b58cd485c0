"""Sea routes that stay at sea: a leg between ports goes through water, canals and straits, not over land."""

from __future__ import annotations

import time

import pytest
import shapely
from shapely.geometry import Point, Polygon

from pipeline.drawing.maps import searoute
from pipeline.drawing.slides import geo
from pipeline.drawing.slides.route import Spec, Stop, by_sea


def _near(way, place: tuple[float, float], degrees: float) -> bool:
    return any(abs(lon - place[0]) < degrees and abs(lat - place[1]) < degrees for lon, lat in searoute.along(way))


def _land_within(bbox: tuple[float, float, float, float]):
    """Natural Earth's 1:10m countries (not the raster the way was found on) inside ``bbox``, as one shape."""
    x0, y0, x1, y1 = bbox
    parts = []
    for country in geo.countries()[0]:
        cx0, cy0, cx1, cy1 = country.bbox
        if cx1 < x0 or cx0 > x1 or cy1 < y0 or cy0 > y1:
            continue
        parts += [Polygon(ring) for ring in geo.rings(country.index) if len(ring) >= 4]
    return shapely.union_all([p.buffer(0) for p in parts])


def test_suez_to_gibraltar_goes_through_the_mediterranean_and_never_crosses_land():
    """It was drawn straight across North Africa."""
    suez, gibraltar = geo.where("Suez"), geo.where("Gibraltar")
    way = by_sea(Stop(places=["Gibraltar"]), suez, gibraltar)  # by: auto, both by the sea, the arc over land
    assert way is not None and way[0] == suez and way[-1] == gibraltar
    land = _land_within((-8, 28, 36, 40))
    canal = shapely.box(32.2, 29.9, 32.65, 31.3)  # the Suez Canal, which the countries' outlines do not cut
    ashore = [
        (round(lon, 2), round(lat, 2))
        for lon, lat in searoute.along(way, 0.05)
        if land.contains(Point(lon, lat)) and not canal.contains(Point(lon, lat))
        and searoute.km((lon, lat), suez) > 25 and searoute.km((lon, lat), gibraltar) > 25
    ]  # fmt: skip
    assert ashore == [], "every point but the canal's, more than 25 km from the ports, is at sea"
    assert all(lat > 31 for lon, lat in way if lon < 30), "north of Africa's coast, not across the Sahara"
    assert searoute.length_km(way) < 1.15 * searoute.km(suez, gibraltar) + 400


def test_shanghai_to_rotterdam_goes_by_malacca_and_suez():
    shanghai, rotterdam = geo.where("Shanghai"), geo.where("Rotterdam")
    started = time.perf_counter()
    way = searoute.way(shanghai, rotterdam)
    took = time.perf_counter() - started
    assert way is not None
    assert _near(way, (101.5, 2.6), 1.5), "through the Strait of Malacca"
    assert _near(way, (32.4, 30.5), 0.6), "through the Suez Canal"
    assert _near(way, (-5.6, 36.0), 0.6), "through the Strait of Gibraltar"
    assert max(lat for _, lat in way) < 56, "not by the Arctic's ice"
    assert 17_000 < searoute.length_km(way) < 21_000  # about 19,500 km by sea
    assert took < 5, took  # about 0.4 s here


def test_the_black_sea_reaches_the_mediterranean_through_the_bosporus_and_dardanelles():
    way = searoute.way(geo.where("Odesa"), geo.where("Athens"))
    assert way is not None and _near(way, (29.05, 41.1), 0.3) and _near(way, (26.4, 40.2), 0.3)


def test_a_land_leg_stays_a_great_circle_and_by_direct_is_a_flight():
    assert by_sea(Stop(places=["Cairo"]), geo.where("Lagos"), geo.where("Cairo")) is None  # Cairo is inland
    assert by_sea(Stop(places=["Moscow"]), geo.where("Berlin"), geo.where("Moscow")) is None
    flight = Stop.model_validate({"places": ["Gibraltar"], "by": "direct"})
    assert by_sea(flight, geo.where("Suez"), geo.where("Gibraltar")) is None
    # A short hop along a strait stays direct unless marked: the raster is a tenth of a degree.
    assert by_sea(Stop(places=["Üsküdar"]), geo.where("Sarıyer"), geo.where("Üsküdar")) is None


@pytest.mark.parametrize(
    ("stops", "why"),
    [
        (["Baku", {"places": ["Istanbul"], "by": "sea"}], "no sea joins them"),
        (["Lisbon", {"places": ["Madrid"], "by": "sea"}], "'Madrid' is not by the sea"),
    ],
)
def test_a_leg_by_sea_that_no_water_joins_is_a_problem_at_its_by(stops, why):
    problems = Spec.model_validate({"kind": "route", "stops": stops}).check()
    assert [p.field for p in problems] == ["stops.1.by"] and why in str(problems[0])
    assert "by: direct" in str(problems[0])


def test_a_stop_that_avoids_the_panama_canal_goes_round_cape_horn():
    """New York to San Francisco 'round the Horn' went through the Panama Canal whatever the waypoints said (the
    shortest way by sea from New York to Cape Horn is through it): a creator's clipper route could not be drawn."""
    new_york, san_francisco = geo.where("New York"), geo.where("San Francisco")
    canal = (-79.7, 9.1)
    assert _near(by_sea(Stop(places=["San Francisco"], by="sea"), new_york, san_francisco), canal, 1.5)
    stop = Stop(places=["San Francisco"], avoid=["Panama Canal"])  # by: auto goes by sea when a passage is avoided
    way = by_sea(stop, new_york, san_francisco)
    assert way is not None and not _near(way, canal, 1.5)
    assert min(lat for _, lat in way) < -52, "round the tip of South America"
    spec = Spec.model_validate({"kind": "route", "stops": ["New York", stop.model_dump(by_alias=True)]})
    assert spec.check() == []


def test_a_passage_to_avoid_that_the_sea_does_not_know_is_a_problem_at_its_line():
    spec = Spec.model_validate(
        {"kind": "route", "stops": ["New York", {"places": ["San Francisco"], "avoid": ["Panama Canall"]}]}
    )
    (problem,) = spec.check()
    assert problem.field == "stops.1.avoid.0" and "did you mean 'Panama Canal'" in str(problem)
