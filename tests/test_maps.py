"""Maps on real projections: the route's own side of the world, the poles inside the frame, places by name."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image

from pipeline.drawing.slides import cartography, geo

FRAME = (0.0, 0.0, 960.0, 540.0)


def _view(*names: str) -> tuple[cartography.MapView, list[tuple[float, float]]]:
    points = [geo.where(name) for name in names]
    assert all(points), names
    return cartography.MapView.fit(points, FRAME, pad=0.16), points


def test_a_route_from_tokyo_to_los_angeles_crosses_the_pacific():
    """The flat world map cut at 180° drew it the long way round, over Europe and Asia."""
    view, (tokyo, la) = _view("Tokyo", "Los Angeles")
    assert abs(view.lon0) > 150, "the map is centred on the Pacific"
    arc = cartography.great_circle(tokyo, la, 64)
    assert all(lon >= 139 or lon <= -118 for lon, _ in arc), "every point of the route is over the Pacific"
    xs = [x for x, _ in view.arc(tokyo, la)]
    assert xs == sorted(xs), "drawn left to right without wrapping round the map"
    assert FRAME[0] <= min(xs) and max(xs) <= FRAME[2]


def test_a_map_of_places_south_of_60_has_the_pole_inside_the_frame():
    """Polar places were strips along the frame's edge, the pole a dot on the edge."""
    points = [(-68.0, -62.0), (30.0, -70.0), (150.0, -66.0)]
    view = cartography.MapView.fit(points, FRAME, pad=0.16)
    assert view.kind == "polar"
    x, y = view(0.0, -90.0)
    margin = 0.1 * min(FRAME[2], FRAME[3])
    assert margin < x < FRAME[2] - margin and margin < y < FRAME[3] - margin
    for lon, lat in points:  # every place is in the frame too
        px, py = view(lon, lat)
        assert 0 < px < FRAME[2] and 0 < py < FRAME[3]


def test_the_projection_follows_the_extent():
    assert _view("London", "New York", "Tokyo", "Sydney")[0].kind == "world"
    assert _view("North Korea", "China", "Thailand")[0].kind == "regional"
    assert _view("Murmansk", "Bering Strait")[0].kind == "polar"
    lon0, span = cartography.middle_longitude([170.0, -170.0])
    assert span == pytest.approx(20.0) and abs(lon0) == pytest.approx(180.0), "across the antimeridian, not the globe"


@pytest.mark.slow
def test_world_outlines_are_cut_at_the_maps_own_seam():
    """Centred on the Pacific, no country's outline spans the whole map (a polygon wrapped round the back)."""
    view, _ = _view("Tokyo", "Los Angeles", "Sydney", "London")
    assert view.kind == "world"
    outlines = view.outlines(960, 540)
    width = max(x for o in outlines for ring in o.rings for x, _ in ring)
    for outline in outlines:
        for ring in outline.rings:
            xs = [x for x, _ in ring]
            assert max(xs) - min(xs) < 0.6 * width, outline.country.name


@pytest.mark.parametrize(
    ("name", "near"),
    [
        ("UK", (-2.0, 54.0)),
        ("USA", (-100.0, 40.0)),
        ("DPRK", (127.0, 40.0)),
        ("Tokyo", (139.7, 35.7)),
        ("Los Angeles", (-118.2, 34.0)),
        ("Los Angeles, Chile", (-72.4, -37.5)),
        ("Bering Strait", (-169.0, 65.8)),
        ("Suez Canal", (32.35, 30.6)),
        ("Mount Everest", (86.9, 28.0)),
        ("Sahara", (10.0, 24.0)),
    ],
)
def test_places_are_found_by_name_alias_and_kind(name, near):
    """Only countries (and raw coordinates) could be named: no cities, seas, straits, canals or regions."""
    lon, lat = geo.where(name)
    assert np.hypot(lon - near[0], lat - near[1]) < 15, (name, lon, lat)


def test_a_misspelled_place_gets_a_suggestion_from_every_kind():
    assert "Tokyo" in geo.closest("Tokio") and "Bering Sea" in geo.closest("Berring Sea")


def test_a_filled_sector_lies_between_its_meridians():
    """Areas could not be filled, only arrows drawn: a sector of a claim on Antarctica, say."""
    from pipeline.drawing.slides.route import Area

    sector = Area(sector=(-74.0, -25.0), south_of=-60.0)
    (ring,) = sector.rings()
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert min(lons) == -74.0 and max(lons) == -25.0 and max(lats) == -60.0 and min(lats) == -90.0
    across = Area(sector=(170.0, -170.0)).rings()[0]  # eastward across the antimeridian: 20 degrees, not 340
    assert max(p[0] for p in across) - min(p[0] for p in across) == pytest.approx(20.0)
    view = cartography.MapView.fit(ring[::8], FRAME, pad=0.12)
    assert view.kind == "polar" and view.areas(sector.rings(), 960, 540), "drawn on a polar map"


def test_routes_and_areas_are_checked_and_drawn(tmp_path):
    import numpy as np

    from pipeline.drawing.slides import KINDS
    from tests.test_slides import build, small_canvas

    spec = KINDS["route"].spec.model_validate
    assert [e.field for e in spec({"kind": "route", "stops": ["Chile"]}).check()] == ["stops"]
    bad = spec({"kind": "route", "areas": [{"fill": ["Sahra"]}, {"fill": ["Chile"], "sector": [0, 10]}]})
    assert [e.field for e in bad.check()] == ["areas.0.fill.0", "areas.1"]
    assert "did you mean 'Sahara'" in str(bad.check()[0])
    canvas = small_canvas()
    flat = {"kind": "route", "style": "flat"}  # the colours below are the flat style's
    only_areas = build(canvas, {**flat, "areas": [{"fill": ["Sahara"], "label": "Sahara"}]}).still()
    accent = np.abs(only_areas.astype(int) - [0xE5, 0x38, 0x3B]).max(axis=2) < 90
    assert accent.sum() > 200, "a map of an area alone fills it"
    solid = build(canvas, {**flat, "stops": ["Lagos", "Cairo"]}).still().astype(int)
    dashed = build(canvas, {**flat, "stops": ["Lagos", {"places": ["Cairo"], "style": "alternative"}]})
    soft = np.abs(dashed.still().astype(int) - [0xF2, 0xA5, 0x41]).max(axis=2) < 40
    assert soft.sum() > 20 and (np.abs(solid - [0xF2, 0xA5, 0x41]).max(axis=2) < 40).sum() == 0


def test_a_leg_follows_its_waypoints_and_an_alternative_can_start_where_the_main_route_did():
    """Routes were one great circle per leg, and a detour and a shortcut from one place could not both be drawn."""
    from pipeline.drawing.slides import KINDS

    spec = KINDS["route"].spec.model_validate({
        "kind": "route",
        "stops": [
            "Singapore",
            {"places": ["Rotterdam"], "via": ["Suez Canal"]},
            {"places": ["Rotterdam"], "from": "Singapore", "via": ["Cape of Good Hope"], "style": "alternative"},
        ],
        "places": {"Cape of Good Hope": [18.5, -34.4]},
    })  # fmt: skip
    assert spec.check() == []
    stops = spec.stop_list()
    assert stops[2].origins(stops[1].places) == ["Singapore"] and stops[1].origins(stops[0].places) == ["Singapore"]
    bad = KINDS["route"].spec.model_validate(
        {"kind": "route", "stops": ["China", {"places": ["Japan"], "via": ["Atlantis Qz"]}]}
    )
    assert [e.field for e in bad.check()] == ["stops.1.via.0"]


def test_a_place_name_keeps_off_the_other_markers_and_the_routes():
    """Names always sat right of their dot, so a close neighbour's dot (Brussels, Cologne) was under a name."""
    from pipeline.drawing.slides.base import Canvas
    from pipeline.drawing.slides.fonts import FontBook
    from pipeline.drawing.slides.route import Obstacles, place_marker
    from pipeline.drawing.slides.theme import load

    theme = load("documentary")
    canvas = Canvas(640, 360, theme, FontBook(theme.fonts))
    dots = [(300.0, 200.0), (340.0, 200.0), (320.0, 160.0), (280.0, 230.0)]
    route = [[(300.0 + i, 200.0 - i * 2) for i in range(20)]]  # up and to the right of the first dot
    avoid = Obstacles(dots=dots, boxes=[], paths=route)
    for i, dot in enumerate(dots):
        place_marker(canvas, f"Place {i}", dot, False, 0.0, avoid)
    tags = avoid.boxes
    assert len(tags) == len(dots)
    for i, (x0, y0, x1, y1) in enumerate(tags):
        assert not any(x0 <= x <= x1 and y0 <= y <= y1 for j, (x, y) in enumerate(dots) if j != i), (i, tags[i])
        assert not any(x0 < x < x1 and y0 < y < y1 for x, y in route[0]), (i, tags[i])
        for other in tags[:i]:  # no two names on top of each other
            assert min(x1, other[2]) <= max(x0, other[0]) or min(y1, other[3]) <= max(y0, other[1])


def test_a_route_across_the_pacific_is_not_cut_by_the_maps_seam():
    """Mexico City to Manila crosses the Pacific: the world map's seam goes elsewhere, so the leg is drawn as
    one unbroken arc (it ran back across the whole frame along its top edge)."""
    places = [(-3.70, 40.42), (-66.90, 10.48), (-99.13, 19.43), (120.98, 14.60)]  # Madrid ... Manila
    legs = list(itertools.pairwise(places))
    paths = [p for a, b in legs for p in cartography.great_circle(a, b, 16)]
    view = cartography.MapView.fit(places, (0, 0, 640, 360), pad=0.12, extra=paths)
    for a, b in legs:
        arc = view.arc(a, b)
        jumps = [abs(x1 - x0) for (x0, _), (x1, _) in itertools.pairwise(arc)]
        assert max(jumps) < 640 / 6, (a, b, max(jumps))


def test_checking_places_by_name_keeps_no_shapes():
    """The render's own process checks a route's places by name and draws no map: it kept Natural Earth's shapes
    (9.6 MB) through the render. Only a process that draws outlines keeps them."""
    geo.countries.cache_clear()
    geo.shape_reader.cache_clear()
    assert geo.where("North Korea") is not None
    assert geo.shape_reader.cache_info().currsize == 0
    assert geo.rings(geo.find("North Korea").index)
    assert geo.shape_reader.cache_info().currsize == 1


@pytest.mark.parametrize("style", ["relief", "satellite"])
def test_a_regional_maps_ground_stops_at_the_near_side_of_the_earth(style):
    """An azimuthal map of half the world (New York to San Francisco round Cape Horn) holds the far side of the
    Earth as a ring round it, warped so thin that the picture smeared into stripes there: the ground fades to the
    background beyond the near side, as the flat style's outlines stop."""
    from pipeline.drawing.slides import KINDS, chrome
    from tests.test_slides import build, small_canvas

    canvas = small_canvas()
    spec = {"kind": "route", "style": style, "stops": ["New York", {"places": ["San Francisco"], "by": "sea"},
            {"places": ["Punta Arenas"], "from": "New York"}]}  # fmt: skip
    assert cartography.MapView.fit([(-74, 40.7), (-122.4, 37.8), (-70.9, -53.2)], (0, 0, 320, 180), 0.1).kind != "world"
    frame = build(canvas, spec).still().astype(int)
    plain = np.asarray(chrome.background(canvas, shapes=False)).astype(int)
    sides = (slice(70, 110), slice(0, 12)), (slice(70, 110), slice(308, 320))  # where the far side wrapped round
    away = [np.abs(frame[side] - plain[side]).mean() for side in sides]
    assert max(away) < 3, away
    middle = frame[60:120, 130:190]
    assert np.abs(middle - plain[60:120, 130:190]).mean() > 20, "the near side shows its ground"
    assert KINDS["route"].spec.model_validate(spec).check() == []


def test_a_view_clear_of_the_seam_is_warped_from_the_picture_as_it_is(monkeypatch):
    """Every frame's ground was warped from its picture with a quarter of the world repeated on each side, made
    for every level of picture a process used: at half size 87 MB (and 0.15 s) beside the picture itself, though a
    map of Europe never shows the seam. The picture is padded by the first frame across the seam and held padded
    instead, and a frame warped from either gives the same pixels."""
    from pipeline.drawing.maps import ground
    from pipeline.drawing.maps.globe import View

    made = []
    real = ground.padded
    monkeypatch.setattr(ground, "padded", lambda style, reduce: made.append(reduce) or real(style, reduce))
    koreas = View(127.5, 38.0, 1080 / 1.1e6, 1920, 1080, 960, 600)
    pacific = View(179.5, 10.0, 1080 / 1.1e6, 1920, 1080, 960, 540)
    ground.release()
    clear = np.asarray(ground.picture("relief", koreas))
    assert made == [], "no padded copy of the picture for a view clear of the seam"
    across = np.asarray(ground.picture("relief", pacific))
    assert made, "a view across the seam is warped from the padded picture"
    (reduce,) = set(made)
    assert ground.held("relief", reduce)[1] > 0, "held padded, not beside the picture"
    assert np.array_equal(clear, np.asarray(ground.picture("relief", koreas))), "the same pixels from the padded one"
    ground.release()
    assert np.array_equal(across, np.asarray(ground.picture("relief", pacific)))


def test_a_countrys_points_are_made_unit_vectors_once_whatever_countries_are_in_sight_with_it(monkeypatch):
    """The countries in sight change every few frames of a flight (36 sets in the 90 frames of the shipped globe-to-
    Koreas move), and each set's points were all made unit vectors again (0.12 s a flight): each country's are
    made once, and a set's joined, the same numbers."""
    from pipeline.drawing.maps import globe, layers

    made: list[int] = []
    real = globe.unit_vectors
    monkeypatch.setattr(globe, "unit_vectors", lambda lons, lats: made.append(len(lons)) or real(lons, lats))
    korea, japan = geo.find("South Korea").index, geo.find("Japan").index
    tol = 0.003  # a tolerance of no view's: nothing made for it before
    alone, both = layers.countries((korea,), tol), layers.countries((korea, japan), tol)
    assert len(alone.unit) == len(alone.points) and sum(made) == len(both.points), made
    assert np.array_equal(both.unit, real(both.points[:, 0], both.points[:, 1]))


def test_a_misspelled_river_is_answered_with_rivers_and_an_icon_with_icons_of_its_words():
    """A creator's 'Chagres' got 'The Hague', 'Le Havre' and 'Charmes' (towns) for a river, and 'rain-drop' got
    'train-tram' and 'rainbow', not 'cloud-rain' or 'droplet'."""
    from pipeline.drawing.slides import KINDS, icons

    spec = KINDS["map"].spec.model_validate({"kind": "map", "lines": [{"river": "Danub"}]})
    (problem,) = spec.check()
    assert problem.field == "lines.0.river" and "did you mean 'Danube'" in str(problem), problem
    assert "Hague" not in str(problem)
    said = icons.problem("rain-drop")
    assert "'cloud-rain'" in said and "'droplet'" in said, said


def test_a_shared_name_on_a_map_is_the_one_among_its_other_places():
    """A creator's camera on [Colón, Panama City] framed Central America with Panama at its edge: 'Colón' alone is
    a region of Honduras. Beside Panama City it is Panama's; a big city keeps its first place whatever is near."""
    from pipeline.drawing.slides import map as maps

    def chosen(*names: str) -> dict:
        return maps.among_neighbours(maps.Spec.model_validate({"kind": "map", "pins": [{"place": n} for n in names]}))

    (colon,) = chosen("Colón", "Panama City").values()
    assert -80.5 < colon[0] < -79 and 8.5 < colon[1] < 9.8, colon
    assert chosen("Colón") == {} and chosen("Paris", "Dallas") == {} and chosen("Colón, Honduras", "Panama City") == {}
    spec = maps.Spec.model_validate({"kind": "map", "camera": [{"show": ["Colón", "Panama City"]}]})
    assert maps.among_neighbours(spec), "the camera's names count too"


def test_the_description_credits_the_pictures_every_map_stands_on(tmp_path):
    """The look's own map style counts (the documentary look stands its maps on Blue Marble), and so do a route's
    ground and a map under or beside a text slide, not only the map kind's own style."""
    import pipeline
    from pipeline.publishing.outputs import map_credits

    (tmp_path / "assets").mkdir()
    story = tmp_path / "s.yaml"
    story.write_text(
        "title: Credits\nvideo: {width: 320, height: 180, fps: 30}\nnarration: {engine: piper}\nsections:\n"
        "  - title: One\n    scenes:\n"
        "      - id: way\n        slide: {kind: route, stops: [Lagos, Cairo]}\n        narration: One.\n"
        "      - id: card\n        slide: {kind: title, title: Hi, backdrop: {map: {show: [Chad], style: relief}}}\n"
        "        narration: Two.\n",
        encoding="utf-8",
    )
    (credit,) = map_credits(pipeline.validate(story))
    assert "Blue Marble" in credit and "shaded relief" in credit, credit


def test_a_route_drawn_small_takes_its_outlines_from_the_coarse_ones(monkeypatch):
    """A route's first still at the preview's outline size (320 wide) read and simplified Natural Earth's own
    outlines of every country in sight (0.7 s); the coarse outlines are as fine as half a pixel there, as the
    map engine already used them. Drawn larger, the route keeps Natural Earth's own."""
    small = (320, 180)
    view = cartography.MapView.fit([geo.where("Pyongyang"), geo.where("Bangkok")], (0, 0, *small), pad=0.16)
    monkeypatch.setattr(geo, "ring_arrays", lambda index: pytest.fail("Natural Earth's own outlines were read"))
    outlines = {o.country.name: o for o in view.outlines(*small)}
    assert {"North Korea", "China", "Thailand"} <= set(outlines)
    assert all(len(ring) >= 3 for ring in outlines["China"].rings)


def test_the_coarse_outlines_serve_down_to_half_their_tolerance():
    tolerance, _ = geo.coarse()
    assert geo.coarse_rings("China", tolerance / 2) and geo.coarse_rings("China", tolerance * 4)
    assert geo.coarse_rings("China", tolerance / 4) is None, "finer than they are: Natural Earth's own"
    assert geo.coarse_rings("Atlantis", tolerance) is None


def test_a_routes_names_keep_off_the_title_and_their_own_markers(monkeypatch):
    """In a vertical frame 'SAN FRANCISCO' touched the last line of the title drawn over the globe; pushed off it, the
    tag sat on its own marker, whose dot did not count against it."""
    from pipeline.core.formats import FORMATS
    from pipeline.drawing.slides import route
    from pipeline.drawing.slides.base import Canvas, SceneContext
    from pipeline.drawing.slides.theme import load
    from tests.test_slides import small_canvas

    canvas = Canvas(540, 960, load("editorial"), small_canvas(theme="editorial").fonts, profile=FORMATS["vertical"])
    placed = []
    real = route.place_marker

    def place_marker(canvas, label, xy, strong, start, avoid):
        element = real(canvas, label, xy, strong, start, avoid)
        placed.append((avoid.boxes[-1], list(avoid.dots)))
        return element

    monkeypatch.setattr(route, "place_marker", place_marker)
    spec = route.Spec.model_validate({"kind": "route", "title": "New York to San Francisco", "style": "flat",
        "stops": ["New York", {"places": ["San Francisco"], "avoid": ["Panama Canal"], "style": "alternative"},
                  {"places": ["San Francisco"], "from": "New York"}]})  # fmt: skip
    slide = route.build(spec, canvas, SceneContext("Section", 1))
    title = Image.new("RGBA", (canvas.width, canvas.height), (0, 0, 0, 0))
    slide.elements[0].paint(title, 1.0)
    foot = title.getchannel("A").getbbox()[3]  # the foot of the title's last line
    assert len(placed) == 2
    for tag, dots in placed:
        assert tag[1] >= foot + canvas.px(0.04), (tag, foot)  # San Francisco's was 0.024 of the short side under it
        r = canvas.px(0.01)
        assert not any(tag[0] - r < x < tag[2] + r and tag[1] - r < y < tag[3] + r for x, y in dots), (tag, dots)


def test_the_countries_read_alone_or_from_the_held_outlines_are_the_same():
    """A process that draws maps reads the countries from the outlines' reader it holds (the archive opened once),
    only the fields it uses: the same countries, labels, boxes and names as a reading of its own."""
    geo.countries.cache_clear()
    geo.shape_reader.cache_clear()
    alone = geo.countries()
    geo.countries.cache_clear()
    geo.shape_reader()
    held = geo.countries()
    assert held == alone and len(held[0]) == 250
    assert geo.find("DPRK").name == geo.find("kp").name == geo.find("North Korea").name == "North Korea"
    korea = geo.find("PRK")
    assert 124 < korea.label[0] < 128 and 38 < korea.label[1] < 42 and korea.bbox[0] < korea.label[0] < korea.bbox[2]
