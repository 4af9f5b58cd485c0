"""The map engine's places: rivers, lakes and admin-1 regions by name, and the gazetteer's lookups."""

from __future__ import annotations

from pipeline.drawing.maps import places
from pipeline.drawing.maps.names import fold, split_hint


def test_names_fold_accents_case_dotless_i_and_punctuation():
    assert fold("Üsküdar") == fold("USKUDAR") == "uskudar"
    assert fold("Sarıyer") == "sariyer" and fold("Beşiktaş") == "besiktas"
    assert fold("Washington, D.C.") == "washington d c"
    assert split_hint("Victoria, Canada") == ("Victoria", "Canada") and split_hint("Yalu") == ("Yalu", None)


def test_rivers_of_the_korean_border_and_the_great_rivers_are_lines():
    for name in ("Yalu", "Tumen", "Nile", "Danube"):
        lines = places.river(name)
        assert lines and all(len(line) >= 2 for line in lines), name
    yalu = [p for line in places.river("Yalu River") for p in line]
    assert all(120 < lon < 130 and 39 < lat < 43 for lon, lat in yalu)  # the China-North Korea border
    assert places.river("Yalu") == places.river("yalu river")
    assert places.river("Atlantis") is None


def test_lakes_and_regions_are_outlines_resolved_with_a_hint():
    assert places.lake("Lake Baikal") == places.lake("Baikal")
    georgia = places.find("Georgia", "region")
    assert georgia.country == "United States of America" and places.region("Georgia, USA")
    assert places.find("Victoria, Australia", "region").country == "Australia"
    assert places.find("Victoria, Canada", "region") is None
    istanbul = places.find("Istanbul", "region")  # a label point only: 1:50m outlines four countries' regions
    assert istanbul.country == "Turkey" and places.region("Istanbul") is None
