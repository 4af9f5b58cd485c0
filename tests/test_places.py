"""The map engine's places: rivers, lakes and admin-1 regions by name, and the gazetteer's lookups."""

from __future__ import annotations

import json

from pipeline.drawing.maps import gazetteer, places
from pipeline.drawing.maps.names import fold, split_hint
from pipeline.drawing.slides import geo


def test_names_fold_accents_case_dotless_i_and_punctuation():
    assert fold("Üsküdar") == fold("USKUDAR") == "uskudar"
    assert fold("Sarıyer") == "sariyer" and fold("Beşiktaş") == "besiktas"
    assert fold("Washington, D.C.") == "washington d c"
    assert fold("Côte d'Ivoire") == fold("COTE D'IVOIRE") == fold("cote divoire") == "cote divoire"
    assert fold("  Rio_Grande--del  Norte ") == fold("Río Grande del Norte") == "rio grande del norte"
    assert split_hint("Victoria, Canada") == ("Victoria", "Canada") and split_hint("Yalu") == ("Yalu", None)


def test_rivers_of_the_korean_border_and_the_great_rivers_are_lines():
    for name in ("Yalu", "Tumen", "Nile", "Danube"):
        lines = places.river(name)
        assert lines and all(len(line) >= 2 for line in lines), name
    yalu = [p for line in places.river("Yalu River") for p in line]
    assert all(120 < lon < 130 and 39 < lat < 43 for lon, lat in yalu)  # the China-North Korea border
    assert places.river("Yalu") == places.river("yalu river") == places.river("Yalu, China")  # through the gazetteer
    assert places.find("Victoria, Malta", "region").country == "Malta"
    assert places.river("Atlantis") is None


def test_lakes_and_regions_are_outlines_resolved_with_a_hint():
    assert places.lake("Lake Baikal") == places.lake("Baikal")
    georgia = places.find("Georgia", "region")
    assert georgia.country == "United States of America" and places.region("Georgia, USA")
    assert places.find("Victoria, Australia", "region").country == "Australia"
    assert places.find("Victoria, Canada", "region") is None
    istanbul = places.find("Istanbul", "region")  # outlined at 1:10m, like every country's regions
    assert istanbul.country == "Turkey" and places.region("Istanbul")


def test_bosphorus_towns_are_found_by_name_and_by_their_ascii_spelling():
    for name, ascii_name in (("Üsküdar", "Uskudar"), ("Beşiktaş", "Besiktas"), ("Sarıyer", "Sariyer")):
        place = gazetteer.resolve(name)
        assert place is not None and place == gazetteer.resolve(ascii_name), name
        assert place.country == "Turkey" and place.admin1 == "Istanbul", place
        lon, lat = place.label
        assert 28.9 < lon < 29.2 and 40.95 < lat < 41.25, place  # on the Bosphorus, not a namesake inland


def test_a_hint_picks_among_places_of_one_name():
    canada, seychelles = gazetteer.resolve("Victoria, Canada"), gazetteer.resolve("Victoria, Seychelles")
    assert canada.country == "Canada" and seychelles.country == "Seychelles"
    assert canada.label != seychelles.label
    assert gazetteer.resolve("Georgia").kind == "country"
    assert gazetteer.resolve("Georgia, USA").kind == "admin-1 region"
    illinois = gazetteer.resolve("Springfield, Illinois")
    assert illinois.admin1 == "Illinois" and illinois == gazetteer.resolve("Springfield, IL")
    assert gazetteer.resolve("Springfield").admin1 == "Missouri"  # the most populous
    assert gazetteer.resolve("Washington, D.C.").kind == "city"  # a name with a comma of its own
    assert gazetteer.resolve("Victoria, Narnia") is None


def test_every_kind_is_in_the_gazetteer_with_did_you_mean_across_them():
    kinds = {name: gazetteer.resolve(name).kind for name in ("North Korea", "Yalu River", "Lake Baikal", "Bosphorus",
                                                            "Chicago", "Mount Everest", "Illinois")}  # fmt: skip
    assert kinds == {"North Korea": "country", "Yalu River": "river", "Lake Baikal": "lake", "Bosphorus": "strait",
                     "Chicago": "city", "Mount Everest": "elevation", "Illinois": "admin-1 region"}  # fmt: skip
    assert gazetteer.closest("Uskudr") == ["Üsküdar"]
    assert "Bering Sea" in gazetteer.closest("Berring Sea") and "Danube" in gazetteer.closest("Danub")
    assert gazetteer.closest("Springfeld, Illinois")[0] == "Springfield"


def test_a_route_finds_a_village_through_geo():
    assert geo.where("Sarıyer") == gazetteer.resolve("Sariyer").label
    assert geo.area("Lake Baikal") and geo.area("Georgia, USA")


def test_places_command_lists_a_shared_name_and_narrows_it_with_a_hint():
    from click.testing import CliRunner

    from pipeline.cli import main

    run = CliRunner().invoke(main, ["places", "Victoria"])
    assert run.exit_code == 0 and "Victoria  (city; Seychelles)" in run.output
    listed = CliRunner().invoke(main, ["places", "korea"]).output
    assert "North Korea  (country; KP, PRK)" in listed and "Korea Strait  (strait)" in listed  # in the name
    run = CliRunner().invoke(main, ["places", "Springfield, Illinois"])
    assert run.output.splitlines() == ["Springfield  (town; Illinois, United States of America)"]
    run = CliRunner().invoke(main, ["places", "Uskudr"])
    assert run.exit_code != 0 and "did you mean 'Üsküdar'" in run.output


LABELS = """\
title: Capitals
narration: {engine: piper}
sections:
  - title: Routes
    scenes:
      - id: capitals
        slide:
          kind: route
          stops:
            - Mexico City
            - places: ["Washington, D.C."]
            - {places: [Ottawa], label: The capital}
        narration: From Mexico City to Washington and on to Ottawa.
      - id: long
        slide:
          kind: route
          stops: [Montreal, Saint-Jean-sur-Richelieu, Ottawa]
        narration: From Montreal.
      - id: cut
        slide: {kind: route, stops: [Mexico City, [Washington, D.C.]]}
        narration: From Mexico City.
"""


def test_a_label_too_long_for_its_format_is_shortened_or_named_alone_with_its_fix(project):
    """A suggested name ('Washington, D.C.') was too long for a vertical label, and the message pointed at the
    whole list of stops."""
    import pytest

    import pipeline
    from pipeline.core.errors import StoryboardError
    from pipeline.loading.options import RenderOptions

    story = project(LABELS)
    with pytest.raises(StoryboardError) as info:
        pipeline.validate(story, RenderOptions(format="vertical"))
    found = sorted((p.line, p.column, p.message) for p in info.value.problems)
    assert len(found) == 2, found  # Washington, D.C. is shortened (to Washington), so the first scene fits
    (line, column, long), (cut_line, cut_column, cut) = found
    assert (line, column) == (17, 29), "at the one place, not the list"
    assert "'Saint-Jean-sur-Richelieu' is too long for its marker" in long and "label: ..." in long
    assert "scene 'long'" in long and "route.stops.1" in long and "vertical" in long
    assert (cut_line, cut_column) == (20, 52) and 'write it in quotes, ["Washington, D.C."]' in cut


def test_short_forms_are_the_name_before_its_comma_and_atlas_abbreviations():
    from pipeline.drawing.maps.names import short_forms

    assert short_forms("Washington, D.C.") == ["Washington"]
    assert short_forms("Saint Petersburg") == ["St. Petersburg"]
    assert short_forms("Oslo") == []


def test_a_hint_that_picks_no_place_says_where_places_of_that_name_are():
    from pipeline.drawing.slides.route import Spec

    problems = Spec.model_validate({"kind": "route", "stops": ["Ottawa", "Victoria, Narnia"]}).check()
    assert [p.field for p in problems] == ["stops.1"]
    assert "'Narnia' picks no place called 'Victoria' (there is one in British Columbia, Canada; Seychelles" in str(
        problems[0]
    )


def test_every_countrys_provinces_and_states_are_outlined_where_their_label_is():
    """Natural Earth 1:10m admin-1 (admin1.json) outlines the regions 1:50m leaves out: each lies where its label
    point is, in its own country's place, and not one region's outline given to another."""
    from shapely.geometry import Point, Polygon

    for name, country in (("Sichuan", "China"), ("Bavaria", "Germany"), ("Tamil Nadu", "India"),
                          ("Ontario", "Canada"), ("Hokkaido", "Japan"), ("Guangdong", "China")):  # fmt: skip
        feature, rings = places.find(name, "region"), places.region(name)
        assert feature is not None and feature.country == country and rings, name
        assert any(Polygon(r).buffer(0.05).contains(Point(feature.label)) for r in rings), name
    sichuan = max((Polygon(r) for r in places.region("Sichuan")), key=lambda p: p.area)
    assert 40 < sichuan.area < 55 and sichuan.contains(Point(104.07, 30.67))  # Chengdu; ~485,000 km2
    assert not sichuan.contains(Point(106.55, 29.56))  # Chongqing is its own
    outlined = sum(bool(places.region(f"{r.name}, {r.country}")) for r in _regions_of("India"))
    assert outlined >= 30, outlined


def _regions_of(country: str) -> list[places.Feature]:
    entries = json.loads((places.DATA / "regions.json").read_text(encoding="utf-8"))
    return [places.Feature(e["name"], e["kind"], e["lon"], e["lat"], e["rank"], e["country"])
            for e in entries if e["country"] == country]  # fmt: skip


def test_an_admin1_region_is_found_by_its_english_name_too():
    """Natural Earth names Germany's states in German; GeoNames' English names find them (Bavaria, Lower Saxony)."""
    for name, native in (("Bavaria", "Bayern"), ("Lower Saxony", "Niedersachsen"), ("Sichuan", "Sichuan")):
        place = gazetteer.resolve(name)
        assert place is not None and place.kind == "admin-1 region" and place.name == native, (name, place)
        assert places.find(name, "region").name == native


def test_a_place_known_but_not_outlined_says_so_and_what_to_highlight_instead():
    """Ulster is one of the few admin-1 regions Natural Earth redrew after the 1:10m outlines' edition; Munich is
    a city. Neither is an 'unknown place'."""
    from pipeline.drawing.slides import map as mapkind

    assert places.find("Ulster", "region") and places.region("Ulster") is None
    ulster = str(mapkind.not_outlined("regions.0.name", "Ulster"))
    assert (
        "'Ulster' is an admin-1 region in United Kingdom with no outline" in ulster
        and "highlight United Kingdom" in ulster
    )
    munich = str(mapkind.not_outlined("regions.0.name", "Munich"))
    assert "a city in Germany" in munich and "pin" in munich and "unknown" not in munich
    assert "unknown place 'Bavarai'" in str(mapkind.not_outlined("regions.0.name", "Bavarai"))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    from pipeline.drawing.maps.globe import RADIUS, angle

    return angle(a, b) * RADIUS / 1000


COLON_PORT = (-79.90, 9.36)


def test_a_point_on_a_province_with_a_town_of_its_name_is_the_town():
    """A pin on 'Colón, Panama' stood in the middle of Gatun Lake, 20 km from the port: the province's centre. A pin,
    a marker or a name's place is a point, and a province with a town of its own name in it means the town; a
    highlight still fills the province, and a name that was first a city (São Paulo, New York) stays one."""
    from pipeline.drawing.slides import map as maps

    assert gazetteer.resolve("Colón, Panama").kind == "admin-1 region"  # what a highlight fills
    assert places.region("Colón, Panama")
    for name in ("Colón, Panama", "Colón, PA"):
        assert gazetteer.point(name).kind == "town" and _km(geo.where(name), COLON_PORT) < 3, name
        assert _km(maps.where(name, {}), COLON_PORT) < 3, name
    durango = gazetteer.point("Durango")  # the state's capital is Durango too (Victoria de Durango)
    assert durango.kind == "town" and durango.admin1 == "Durango"
    for name, kind in (("São Paulo", "city"), ("New York", "city"), ("Mexico", "country"), ("Ontario", REGION)):
        assert gazetteer.point(name).kind == kind == gazetteer.resolve(name).kind, name
    # Beside Panama City, 'Colón' alone is Panama's: the port, not the province's middle.
    spec = maps.Spec.model_validate({"kind": "map", "pins": [{"place": "Colón"}, {"place": "Panama City"}]})
    assert _km(maps.among_neighbours(spec)["Colón"], COLON_PORT) < 3
    # A camera shown the province's name frames the town, as a name that is first a city does (centred on it);
    # highlighted, the province (centred on its own middle, 14 km inland).
    from pipeline.drawing.slides.base import SceneContext
    from tests.test_slides import small_canvas

    views = []
    for regions in ([], [{"name": "Colón, Panama"}]):
        spec = {"kind": "map", "camera": [{"show": ["Colón, Panama"]}], "regions": regions}
        scene, _ = maps.compose(maps.Spec.model_validate(spec), small_canvas(), SceneContext("Section", 1))
        views.append(scene.path.at(0.0))
    town, province = views
    assert _km((town.lon, town.lat), COLON_PORT) < 3 and _km((province.lon, province.lat), COLON_PORT) > 8


REGION = "admin-1 region"


def test_a_hint_does_not_pick_a_province_by_its_own_name():
    """'Colón, Colon' put a pin in Honduras: the hint 'Colon' picked Honduras's department of Colón by its own name,
    though what the hint names is where a place lies (the town in Panama's province of Colón)."""
    place = gazetteer.resolve("Colón, Colon")
    assert place.kind == "town" and place.country == "Panama" and _km(place.label, COLON_PORT) < 3
    found, total = gazetteer.search("Colón, Colon")
    assert total == 1 and found[0].country == "Panama", found
    assert gazetteer.resolve("Georgia, USA").kind == REGION  # a hint naming the country still picks a region
    assert gazetteer.resolve("Colón, Honduras").country == "Honduras"


def test_a_marker_writes_the_places_name_not_the_hint_after_it():
    """A pin on 'Colón, Colon' was labelled 'COLÓN, COLON'."""
    from pipeline.drawing.slides import route

    assert gazetteer.written("Colón, Colon") == "Colón" and gazetteer.written("Victoria, Canada") == "Victoria"
    assert gazetteer.written("Washington, D.C.") == "Washington, D.C."  # a comma of the name's own
    spec = route.Spec.model_validate({"kind": "route", "stops": ["Colón, Panama", "Panama City"]})
    assert [label.text for label in spec.labels().values()] == ["Colón", "Panama City"]
