"""A list's items enter as the narrator reaches them by default: tied to the sentence that says each, in order,
or spread over the sentences when none says it; ties written by hand and ``reveal: together`` are kept."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import pipeline
from pipeline.drawing.slides.reveals import content, ties


def _ties(items: list[str], narration: list[str]) -> list[int]:
    return ties([content(text) for text in items], narration)


def test_each_item_is_tied_to_the_sentence_that_says_it():
    said = ["After 2011 the border changed.", "Border guards doubled.", "Signal jammers went up.", "New fences came."]
    assert _ties(["Border guards doubled", "Signal jammers installed", "New fences"], said) == [2, 3, 4]


def test_items_keep_their_order_and_unsaid_ones_spread_over_the_sentences():
    said = ["Here is the plan.", "It has many parts.", "Each matters.", "The end is near.", "Go."]
    assert _ties(["Alpha", "Beta", "Gamma"], said) == [1, 2, 4], "none said: an even spread, the first at once"
    # Said out of order: the list still builds top to bottom (the second waits for the first).
    found = _ties(["fences first", "guards second"], ["Guards came.", "Fences came."])
    assert found == sorted(found)
    assert _ties(["One", "Two"], ["Only one sentence."]) == [1, 1]


def _project(tmp_path, slide: str, narration: str):
    (tmp_path / "s.yaml").write_text(
        textwrap.dedent(
            f"""\
            title: Reveals
            video: {{width: 320, height: 180, fps: 10}}
            sections:
              - title: S
                scenes:
                  - id: a
                    slide: {slide}
                    narration: {narration}
            """
        ),
        encoding="utf-8",
    )
    return pipeline.load(tmp_path / "s.yaml")


NARRATION = "After 2011 the border changed. Border guards doubled. Signal jammers went up. Then came new fences."


def test_loading_ties_a_lists_items_to_the_narration(tmp_path):
    bullets = "{kind: bullets, items: [Border guards doubled, Signal jammers installed, New fences]}"
    slide = _project(tmp_path, bullets, NARRATION).entries()[0].scene.slide
    assert [item.sentence for item in slide.items] == [2, 3, 4]
    steps = "{kind: steps, steps: [Guards doubled, {text: Jammers went up, icon: bolt}, New fences]}"
    slide = _project(tmp_path, steps, NARRATION).entries()[0].scene.slide
    assert [step.sentence for step in slide.steps] == [2, 3, 4] and slide.steps[1].icon == "bolt"
    events = "{kind: timeline, events: [{date: '2011', text: Border changed}, {date: '2012', text: New fences}]}"
    slide = _project(tmp_path, events, NARRATION).entries()[0].scene.slide
    assert [event.sentence for event in slide.events] == [1, 4]


def test_ties_by_hand_and_together_are_kept(tmp_path):
    by_hand = "{kind: bullets, items: [Border guards doubled, {text: New fences, sentence: 2}]}"
    slide = _project(tmp_path, by_hand, NARRATION).entries()[0].scene.slide
    assert slide.items[0] == "Border guards doubled" and slide.items[1].sentence == 2
    together = "{kind: bullets, reveal: together, items: [Border guards doubled, New fences]}"
    slide = _project(tmp_path, together, NARRATION).entries()[0].scene.slide
    assert list(slide.items) == ["Border guards doubled", "New fences"], "all with the slide, as written"


def test_a_point_is_not_drawn_before_its_sentence(tmp_path):
    """Drawn with the real sentence starts, the last point appears only once the last sentence begins."""
    from pipeline.drawing import canvases
    from pipeline.drawing.slides import KINDS
    from pipeline.drawing.slides.base import SceneContext
    from pipeline.drawing.timing import SceneTiming

    bullets = "{kind: bullets, items: [Border guards doubled, Signal jammers installed, New fences]}"
    project = _project(tmp_path, bullets, NARRATION)
    spec = project.entries()[0].scene.slide
    canvas = canvases.canvas(pipeline.RenderOptions().frame(project.storyboard.video), project.theme)
    timing = SceneTiming((0.5, 2.0, 4.0, 6.0), 8.0)
    slide = KINDS["bullets"].build(spec, canvas, SceneContext("S", 1, timing, {}, 10))
    before, after = slide.frame(5.9), slide.frame(7.5)
    changed = np.abs(after.astype(int) - before.astype(int)).sum(axis=2) > 30
    rows = np.flatnonzero(changed.any(axis=1))
    assert rows.size, "the last point appears after its sentence starts"
    assert rows.min() > canvas.height * 0.45, "only the last point, low on the slide, appears then"


def test_a_figure_counts_up_until_the_sentence_that_says_it_ends(tmp_path):
    """Tied at load to the sentence that says the figure as written, the count lands as the narrator says it."""
    from pipeline.drawing import canvases
    from pipeline.drawing.slides import KINDS
    from pipeline.drawing.slides.base import SceneContext
    from pipeline.drawing.timing import SceneTiming

    narration = "It began slowly. By the end, 34,000 people had made it. Few others did."
    project = _project(tmp_path, "{kind: stat, value: 34000, label: people}", narration)
    spec = project.entries()[0].scene.slide
    assert spec.sentence == 2
    canvas = canvases.canvas(pipeline.RenderOptions().frame(project.storyboard.video), project.theme)
    slide = KINDS["stat"].build(spec, canvas, SceneContext("S", 1, SceneTiming((0.5, 2.5, 5.5), 8.0), {}, 10))
    assert 4.5 < slide.settle_time <= 5.5, "still counting through the second sentence, landed by the third"
    assert not np.array_equal(slide.frame(3.0), slide.frame(5.0))


def test_a_comparisons_right_side_enters_when_the_narrator_gets_to_it(tmp_path):
    from pipeline.drawing import canvases
    from pipeline.drawing.slides import KINDS
    from pipeline.drawing.slides.base import SceneContext
    from pipeline.drawing.timing import SceneTiming

    compare = "{kind: compare, before: {value: China, label: sent back}, after: {value: Thailand, label: sent on}}"
    narration = "China sends them back. So they keep going. Thailand sends them on."
    project = _project(tmp_path, compare, narration)
    spec = project.entries()[0].scene.slide
    assert spec.sentence == 3, "the sentence that says the right side"
    canvas = canvases.canvas(pipeline.RenderOptions().frame(project.storyboard.video), project.theme)
    slide = KINDS["compare"].build(spec, canvas, SceneContext("S", 1, SceneTiming((0.5, 2.5, 4.5), 7.0), {}, 10))
    assert np.array_equal(slide.frame(2.0), slide.frame(4.4)), "only the left side until then"
    assert not np.array_equal(slide.frame(4.4), slide.frame(6.5))
    # Within one sentence, the word that says its value.
    one = KINDS["compare"].spec.model_validate(
        {"kind": "compare", **{k: getattr(spec, k).model_dump() for k in ("before", "after")}}
    )
    words = (("China", 0.6), ("sends", 1.0), ("them", 1.2), ("back,", 1.4), ("Thailand", 3.2), ("on.", 3.6))
    slide = KINDS["compare"].build(one, canvas, SceneContext("S", 1, SceneTiming((0.5,), 5.0, words), {}, 10))
    assert np.array_equal(slide.frame(2.0), slide.frame(2.7)) and not np.array_equal(slide.frame(2.7), slide.frame(4.5))


def test_a_side_alone_for_a_while_stands_in_the_middle_then_glides_to_its_place(tmp_path):
    from pipeline.drawing import canvases
    from pipeline.drawing.slides import KINDS
    from pipeline.drawing.slides.base import SceneContext
    from pipeline.drawing.timing import SceneTiming

    compare = "{kind: compare, before: {value: China, label: sent back}, after: {value: Thailand, label: sent on}}"
    project = _project(tmp_path, compare, "China sends them back. So they keep going. Thailand sends them on.")
    spec = project.entries()[0].scene.slide
    canvas = canvases.canvas(pipeline.RenderOptions().frame(project.storyboard.video), project.theme)

    def middle_of_ink(frame: np.ndarray) -> float:
        columns = np.flatnonzero((frame[canvas.height // 3 :].max(axis=2) > 120).any(axis=0))
        return (columns[0] + columns[-1]) / 2 / canvas.width

    timing = SceneTiming((0.5, 2.5, 4.5), 7.0)
    slide = KINDS["compare"].build(spec, canvas, SceneContext("S", 1, timing, {}, 10))
    assert abs(middle_of_ink(slide.frame(4.0)) - 0.5) < 0.05, "alone: in the middle of the frame"
    assert middle_of_ink(slide.frame(6.9)) == pytest.approx(0.5, abs=0.05), "both sides: the pair is centred"
    settled = slide.frame(6.9)[canvas.height // 3 :, : canvas.width // 3]
    assert settled.max() > 120, "the first side has glided to the left third"
    soon = KINDS["compare"].build(spec, canvas, SceneContext("S", 1, SceneTiming((0.5, 1.0, 1.5), 4.0), {}, 10))
    assert middle_of_ink(soon.frame(1.2)) < 0.4, "joined within a second or two: it enters in its place"


def test_a_plural_in_es_meets_its_singular():
    """'provinces' and 'province' (the shipped video's third point waited a sentence early for want of it)."""
    said = ["Leaving is treason.", "Life in prison.", "Moving from one province to another is banned."]
    assert _ties(["Treason", "Prison", "Moving between provinces"], said) == [1, 2, 3]
    assert content("provinces fences") == content("province fence")
