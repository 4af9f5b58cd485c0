"""A slide's visual: beside the text in a wide frame, under it in a portrait one; an icon enters, then pings as each
later sentence starts and holds still between (the same frame, which the encoder repeats for nothing); a picture
drifts in steps of a tenth of a second."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pipeline.core.formats import FORMATS
from pipeline.drawing.slides import KINDS, stat, visual
from pipeline.drawing.slides.base import Canvas, SceneContext, Slide
from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.slides.theme import Ornament
from pipeline.drawing.timing import SceneTiming
from tests.test_slides import PICTURE, small_canvas

TIMING = SceneTiming((0.5, 3.0, 6.0), 9.0)


def _unornamented() -> Canvas:
    """The test canvas in a look without an ornament: the plain background a backdrop replaces."""
    canvas = small_canvas()
    return dataclasses.replace(canvas, theme=canvas.theme.model_copy(update={"ornament": Ornament()}))


def _slide(spec: dict, canvas: Canvas | None = None):
    canvas = canvas or small_canvas()
    kind = KINDS[spec["kind"]]
    context = SceneContext("S", 1, TIMING, {"picture.png": PICTURE}, 10)
    return kind.build(kind.spec.model_validate(spec), canvas, context), canvas


BULLETS = {"kind": "bullets", "title": "Closed", "items": ["West", "East"], "visual": {"icon": "gavel"}}


def _icon_pixels(canvas: Canvas | None = None) -> tuple[np.ndarray, Canvas]:
    """Where the slide's visual is drawn: its frame against the same slide without the visual's elements (the
    entrance and a ping for each later sentence, the last three)."""
    slide, canvas = _slide(BULLETS, canvas)
    bare = Slide(slide.background, slide.elements[:-3])
    return np.abs(slide.still().astype(int) - bare.still().astype(int)).sum(axis=2) > 30, canvas


def test_the_visual_takes_the_side_the_text_leaves():
    drawn, canvas = _icon_pixels()
    column, box = visual.split(canvas)
    columns = np.flatnonzero(drawn.any(axis=0))
    assert columns.min() >= column.safe.x1 and columns.max() < box.x1, "right of the text, in its box"
    assert columns.min() > canvas.width * 0.55


def test_in_a_portrait_frame_the_visual_goes_under_the_text():
    theme = small_canvas().theme
    drawn, canvas = _icon_pixels(Canvas(270, 480, theme, small_canvas().fonts, profile=FORMATS["vertical"]))
    column, box = visual.split(canvas)
    rows = np.flatnonzero(drawn.any(axis=1))
    assert rows.min() >= column.safe.y1 and rows.max() < box.y1, "below the text's column, in its box"


def test_an_icon_pings_on_each_later_sentence_and_holds_still_between():
    slide, _ = _slide(BULLETS)
    assert slide.frame(4.0) is slide.frame(4.5), "between beats: the very same frame"
    ping = slide.frame(6.2)
    assert not np.array_equal(ping, slide.frame(5.9)), "the third sentence's start sends a ping"
    assert np.array_equal(slide.frame(7.5), slide.frame(5.9)), "and the ping leaves nothing behind"
    assert not np.array_equal(slide.frame(3.2), slide.frame(2.9)), "so does the second's"


def test_a_picture_drifts_ten_steps_a_second():
    slide, _ = _slide({"kind": "title", "title": "Hello", "visual": {"picture": "picture.png"}})
    assert slide.frame(3.01) is slide.frame(3.04), "the same step"
    assert not np.array_equal(slide.frame(3.05), slide.frame(8.05)), "it keeps moving"


@pytest.mark.parametrize("kind", ["title", "bullets", "stat", "quote", "closing"])
def test_every_text_led_kind_takes_a_visual(kind):
    from tests.test_slides import SPECS

    spec = {**SPECS[kind], "visual": {"icon": "bolt"}}
    slide, canvas = _slide(spec)
    assert slide.still().shape == (canvas.height, canvas.width, 3)


def test_a_word_the_narrator_says_is_marked_on_the_slide_when_it_is_said():
    """Kinetic type: 'treason' in the heading gets its highlighter stroke as the narrator says 'treason', not before;
    a word the narration never says is never marked."""
    timing = SceneTiming((0.5, 3.0), 6.0, (("Leaving", 0.6), ("is", 1.0), ("treason.", 1.3), ("Crossing", 3.1)))
    canvas = small_canvas()
    spec = KINDS["bullets"].spec.model_validate(
        {"kind": "bullets", "title": "Leaving is treason", "items": [{"text": "Never mind", "sentence": 2}]}
    )
    slide = KINDS["bullets"].build(spec, canvas, SceneContext("S", 1, timing, {}, 10))
    strokes = [e for e in slide.elements if e.duration == pytest.approx(0.3)]
    assert [round(e.start, 2) for e in strokes] == [1.3], "treason, when said ('Leaving' is said as it enters)"
    before, after = slide.frame(1.25), slide.frame(1.7)
    assert not np.array_equal(before, after)
    no_words = KINDS["bullets"].build(spec, canvas, SceneContext("S", 1, SceneTiming((0.5, 3.0), 6.0), {}, 10))
    assert len(no_words.elements) == len(slide.elements) - 1, "without word times (a still) nothing is marked"


def test_a_timeline_marker_pings_as_its_date_is_said():
    spec = KINDS["timeline"].spec.model_validate(
        {"kind": "timeline", "events": [{"date": "1991", "text": "Collapse"}, {"date": "2009", "text": "Peak"}]}
    )
    words = (("In", 0.6), ("1991", 1.0), ("it", 1.5), ("fell", 1.8), ("and", 2.5), ("in", 2.7), ("2009", 3.1))
    context = SceneContext("S", 1, SceneTiming((0.5,), 6.0, words), {}, 10)
    slide = KINDS["timeline"].build(spec, small_canvas(), context)
    pings = [round(e.start, 1) for e in slide.elements if "ping" in e.paint.__qualname__]
    assert pings == [3.1], "2009 said after its event is on screen; 1991 was said as it entered"
    assert not np.array_equal(slide.frame(3.0), slide.frame(3.3)) and np.array_equal(slide.frame(3.0), slide.frame(4.0))


def test_a_bar_pings_as_its_label_is_said_once_the_chart_is_drawn():
    spec = KINDS["chart"].spec.model_validate({"kind": "chart", "labels": ["2009", "2021"], "values": [2914, 63]})
    words = (("Arrivals", 0.6), ("peaked", 1.0), ("in", 1.4), ("2009.", 2.0), ("By", 3.0), ("2021,", 3.4), ("63.", 4))
    context = SceneContext("S", 1, SceneTiming((0.5, 2.9), 6.0, words), {}, 10)
    slide = KINDS["chart"].build(spec, small_canvas(), context)
    assert [round(e.start, 1) for e in slide.elements if "ping" in e.paint.__qualname__] == [2.0, 3.4]


@pytest.mark.parametrize(
    ("spec", "word"),
    [
        ({"kind": "stat", "value": 34000, "label": "defectors reached the South"}, "defectors"),
        ({"kind": "quote", "text": "A state without parallel in the world."}, "parallel"),
    ],
)
def test_a_stats_label_and_a_quote_mark_their_words_as_said(spec, word):
    words = (("Some", 0.6), ("words", 1.0), ("first,", 1.5), ("then", 2.2), (word, 2.6), ("here.", 3.0))
    context = SceneContext("S", 1, SceneTiming((0.5,), 5.0, words), {}, 10)
    slide = KINDS[spec["kind"]].build(KINDS[spec["kind"]].spec.model_validate(spec), small_canvas(), context)
    assert [round(e.start, 1) for e in slide.elements if "stroke" in e.paint.__qualname__] == [2.6]


def test_a_closing_cards_text_keeps_to_its_column_beside_the_visual():
    """The closing card centred its title on the whole frame, under the icon beside it (a creator's trial)."""
    spec = {"kind": "closing", "title": "The world's largest prison", "lines": ["Almost no one escapes now."]}
    spec["visual"] = {"icon": "dungeon"}
    slide, canvas = _slide(spec)
    column, _ = visual.split(canvas)
    text_only = KINDS["closing"].spec.model_validate({k: v for k, v in spec.items() if k != "visual"})
    text_elements = len(KINDS["closing"].build(text_only, column, SceneContext("S", 1, TIMING, {}, 10)).elements)
    beside = Slide(slide.background, slide.elements[:text_elements])  # the card's text, without the visual
    drawn = np.abs(beside.still().astype(int) - np.asarray(slide.base).astype(int)).sum(axis=2) > 30
    columns = np.flatnonzero(drawn.any(axis=0))
    assert columns.min() >= column.safe.x0 and columns.max() < column.safe.x1, "the text, in the text's column"


def test_bars_grow_across_the_first_sentence_and_a_highlight_fills_when_said():
    """A creator's chart showed its highlighted bar red from the first frame, before the narrator reached it, and
    grew every bar in the first second."""
    spec = KINDS["chart"].spec.model_validate(
        {"kind": "chart", "labels": ["2019", "2020", "2021"], "values": [1047, 229, 63], "highlight": ["2021"]}
    )
    words = (("Arrivals", 0.6), ("fell", 1.5), ("then", 3.0), ("collapsed", 4.6), ("to", 5.0), ("63.", 5.4))
    context = SceneContext("S", 1, SceneTiming((0.5, 4.5), 7.0, words), {}, 10)
    canvas = small_canvas()
    slide = KINDS["chart"].build(spec, canvas, context)
    accent = np.array(rgb(canvas.theme.colors.accent))

    def accent_columns(t: float) -> np.ndarray:
        plot = slide.frame(t)[canvas.height // 3 :]  # under the section label's accent rule
        return np.flatnonzero((np.abs(plot.astype(int) - accent).sum(axis=2) < 40).any(axis=0))

    assert not np.array_equal(slide.frame(1.0), slide.frame(3.0)), "still growing in the first sentence"
    assert accent_columns(5.0).size == 0, "the highlighted bar waits, muted, until it is said"
    assert accent_columns(6.5).min() > canvas.width * 0.6, "then fills with the accent: the last bar"


def test_a_charts_years_may_be_written_bare_as_a_timelines_are():
    """A creator's chart with labels [2019, 2020] got five 'must be text' errors where a timeline takes 1990."""
    spec = KINDS["chart"].spec.model_validate(
        {"kind": "chart", "labels": [2019, 2020], "values": [1, 2], "highlight": [2020]}
    )
    assert spec.labels == ["2019", "2020"] and spec.highlight == ["2020"]


def test_a_small_whole_figure_counts_up_in_tenths_and_lands_as_written():
    """A creator's "2 billion" counted 0, 1, 2 and showed "0 billion" for several frames."""
    from pipeline.drawing.slides.stat import figure_parts

    spec = KINDS["stat"].spec.model_validate({"kind": "stat", "value": 2, "suffix": " billion", "label": "cups"})
    shown = [figure_parts(spec, (v,), counting=True)[0] for v in (0.4, 1.13)]
    assert shown == ["0.4 billion", "1.1 billion"] and figure_parts(spec, (2,))[0] == "2 billion"
    big = KINDS["stat"].spec.model_validate({"kind": "stat", "value": 34000, "label": "people"})
    assert figure_parts(big, (1234.5,), counting=True)[0] == "1,234", "large figures count in whole numbers"
    slide = KINDS["stat"].build(spec, small_canvas(), SceneContext("S", 1, TIMING, {}, 10))
    assert not np.array_equal(slide.frame(0.9), slide.frame(1.0)), "every tick shows a new value"


def test_a_backdrop_shows_its_picture_faded_most_behind_the_text():
    """``backdrop:`` puts the picture under the whole slide: the frame follows the picture where nothing is drawn,
    faded towards the background colour, more on the text's side (left) than on the far side (right)."""
    title = {"kind": "title", "title": "Hi"}
    plain, _ = _slide(title, _unornamented())  # the plain background (a bare card stands on the ornament)
    behind, _ = _slide({**title, "backdrop": {"picture": "picture.png"}})
    plain_frame, frame = plain.still().astype(int), behind.still().astype(int)
    h, w = frame.shape[:2]
    rows = slice(h * 3 // 4, h)  # the bottom quarter: no text there
    left, right = slice(0, w // 5), slice(w * 4 // 5, w)
    change = np.abs(frame - plain_frame)[rows]
    assert change[:, right].mean() > 1.5 * change[:, left].mean() > 0
    # The picture's own detail shows through: the frame varies where the plain background is smooth.
    assert frame[rows, right].std() > 2 * plain_frame[rows, right].std()


def test_a_backdrop_fades_as_far_as_its_dim_says():
    faint, _ = _slide({"kind": "title", "title": "Hi", "backdrop": {"picture": "picture.png", "dim": 0.9}})
    clear, canvas = _slide({"kind": "title", "title": "Hi", "backdrop": {"picture": "picture.png", "dim": 0.2}})
    h = faint.still().shape[0]
    background = np.array(rgb(canvas.theme.colors.background))
    away = [np.abs(s.still()[h * 3 // 4 :].astype(int) - background).mean() for s in (faint, clear)]
    assert away[1] > 2 * away[0]


def test_a_map_backdrop_puts_its_places_beside_the_text():
    """``backdrop: {map: ...}``: a map under the whole slide, its places fitted where a visual goes (the right of a
    wide frame), the lit country in the theme's soft colour, and the text kept to its column on the left."""
    title = {"kind": "title", "title": "Why It's Hard to Leave"}
    where = {"show": ["North Korea", "South Korea"], "style": "flat"}
    mapped, canvas = _slide({**title, "backdrop": {"map": {**where, "highlight": ["North Korea"]}}})
    unlit, _ = _slide({**title, "backdrop": {"map": where}})
    plain, _ = _slide(title)
    frame, bare = mapped.still().astype(int), plain.still().astype(int)
    column, box = visual.split(canvas)
    lit = np.abs(frame - unlit.still().astype(int)).sum(axis=2) > 20  # North Korea, lit
    xs, ys = np.flatnonzero(lit.any(axis=0)), np.flatnonzero(lit.any(axis=1))
    assert len(xs) > box.width / 5, "the country is lit"
    assert xs.min() >= box.x0 - 2 and xs.max() <= box.x1 + 2, "North Korea lies in the visual's box"
    assert ys.min() >= box.y0 - 2 and ys.max() <= box.y1 + 2
    assert np.abs(unlit.still().astype(int) - bare).sum(axis=2)[:, box.x0 :].mean() > 5, "the map shows"
    # The title keeps to the text's column: its wrapped lines are narrower than the plain slide's (whole frame).
    ink = rgb(canvas.theme.colors.text)
    text_cols = lambda f: np.flatnonzero((np.abs(f - ink).sum(axis=2) < 60).any(axis=0))  # noqa: E731
    assert text_cols(frame).max() <= column.safe.x1 < text_cols(bare).max()


def test_a_map_backdrops_unknown_place_is_said_at_its_field():
    spec = KINDS["title"].spec.model_validate(
        {"kind": "title", "title": "Hi", "backdrop": {"map": {"show": ["Nroth Korea"], "highlight": ["Atlantis"]}}}
    )
    found = {(p.field, str(p)) for p in spec.problems()}
    (show,) = [m for f, m in found if f == "backdrop.map.show.0"]
    assert "unknown place 'Nroth Korea'" in show and "North Korea" in show, show
    assert any(f == "backdrop.map.highlight.0" for f, _ in found)


@pytest.mark.parametrize("given", [{}, {"picture": "picture.png", "map": {"show": ["Seoul"]}}])
def test_a_backdrop_is_a_picture_or_a_map(given):
    with pytest.raises(ValueError, match="a backdrop is a picture or a map"):
        KINDS["title"].spec.model_validate({"kind": "title", "title": "Hi", "backdrop": given})


@pytest.mark.parametrize("kind", [
    {"kind": "section", "title": "The Trap"},
    {"kind": "compare", "before": {"value": "A", "label": "one"}, "after": {"value": "B", "label": "two"}},
    {"kind": "timeline", "events": [{"date": 1991, "text": "One"}, {"date": 2009, "text": "Two"}]},
    {"kind": "chart", "labels": ["A", "B"], "values": [1, 2]},
])  # fmt: skip
def test_kinds_without_a_visual_stand_on_a_backdrop_too(kind):
    """Section cards, comparisons, timelines and charts lay their content over the whole frame: a map backdrop
    is fitted to the whole frame under it, and a picture covers it, faded like any backdrop."""
    plain, canvas = _slide(kind)
    mapped, _ = _slide({**kind, "backdrop": {"map": {"show": ["Korea"], "highlight": ["North Korea"]}}})
    pictured, _ = _slide({**kind, "backdrop": {"picture": "picture.png"}})
    bare = plain.still().astype(int)
    for slide in (mapped, pictured):
        changed = np.abs(slide.still().astype(int) - bare).sum(axis=2) > 12
        assert changed[:, : canvas.width // 2].mean() > 0.05 and changed[:, canvas.width // 2 :].mean() > 0.05


def test_a_map_inset_stands_in_the_visuals_box():
    """``visual: {map: ...}``: the map kind's picture of its places, drawn for the visual's box, rounded, drifting
    like a picture; the text keeps to its column."""
    spec = {"kind": "stat", "value": 34000, "label": "reached the South",
            "visual": {"map": {"show": ["North Korea", "South Korea"], "highlight": ["South Korea"]}}}  # fmt: skip
    inset, canvas = _slide(spec)
    # The same text in the same column with nothing in the box (the kind's own build, not a bare card's layout).
    context = SceneContext("S", 1, TIMING, {}, 10)
    text_only = {k: v for k, v in spec.items() if k != "visual"}
    bare = stat.build(KINDS["stat"].spec.model_validate(text_only), visual.split(canvas)[0], context)
    changed = np.abs(inset.still().astype(int) - bare.still().astype(int)).sum(axis=2) > 12
    column, box = visual.split(canvas)
    inside = changed[box.y0 : box.y1, box.x0 : box.x1]
    assert inside.mean() > 0.5, "the map fills its box"
    assert changed[:, : column.safe.x1].mean() < 0.2, "the figure and label redrawn in their column, no map there"
    assert not np.array_equal(inset.frame(4.0), inset.frame(8.0)), "it drifts as a picture does"


def test_a_visual_is_one_thing():
    with pytest.raises(ValueError, match="a visual is an icon, a picture or a map"):
        KINDS["title"].spec.model_validate({"kind": "title", "title": "Hi", "visual": {"icon": "gavel", "map": {
            "show": ["Seoul"]}}})  # fmt: skip


def test_one_map_beside_a_title_and_under_a_section_is_fitted_for_each():
    """A render's slides share their canvas's memo of backgrounds: the same map, fitted beside a title's text and
    under a whole chapter card, is two pictures, not the first one twice."""
    under = {"map": {"show": ["North Korea", "South Korea"], "style": "flat"}}
    shared = small_canvas()
    _slide({"kind": "title", "title": "Hi", "backdrop": under}, shared)[0].still()
    after_title, _ = _slide({"kind": "section", "title": "Trap", "backdrop": under}, shared)
    alone, _ = _slide({"kind": "section", "title": "Trap", "backdrop": under}, small_canvas())
    assert np.array_equal(after_title.still(), alone.still())


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "title", "title": "Why It's Hard to Leave", "backdrop": {"map": {"show": ["North Korea"]}}},
        {"kind": "stat", "value": 34000, "label": "people", "backdrop": {"picture": "picture.png"}},
        {"kind": "bullets", "title": "Closed", "items": ["West", "East"], "visual": {"map": {"show": ["Japan"]}}},
        {"kind": "quote", "text": "Nobody leaves.", "attribution": "A guard"},
        {"kind": "closing", "title": "Thanks for watching"},
    ],
    ids=lambda spec: spec["kind"],
)
def test_laying_out_a_slide_draws_no_background_until_a_frame_is_drawn(spec, monkeypatch):
    """The fit check builds every slide to lay it out; the cold check of the shipped storyboard drew every
    background, backdrop picture and map behind them too (3 of its 7 CPU-seconds), for pictures nobody saw."""
    from pipeline.drawing.slides import backdrop

    drawn: list[str] = []

    def counting(name: str):
        real = getattr(backdrop, name)

        def counted(*args, **kwargs):
            drawn.append(name)
            return real(*args, **kwargs)

        return counted

    for name in ("made", "pictured"):
        monkeypatch.setattr(backdrop, name, counting(name))
    slide, _ = _slide(spec)
    assert drawn == []
    slide.still()
    assert drawn
