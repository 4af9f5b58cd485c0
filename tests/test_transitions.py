"""Scenes of one section cut to each other; a new section, and the video's two ends, dip through the theme's colour;
a scene's own 'transition' decides its start. Timing is the plan's either way."""

from __future__ import annotations

import textwrap

import numpy as np

import pipeline
from pipeline.drawing.effects.dip import Dip
from pipeline.drawing.slides.theme import load as load_theme
from pipeline.drawing.sources.base import Wrapped
from pipeline.planning.transitions import joins


def _project(tmp_path, extra: str = "", theme: str = "documentary"):
    (tmp_path / "s.yaml").write_text(
        textwrap.dedent(
            f"""\
            title: Joins
            theme: {theme}
            video: {{width: 320, height: 180, fps: 10}}
            sections:
              - title: One
                scenes:
                  - {{id: a, slide: {{kind: title, title: A}}, narration: One.}}
                  - {{id: b, slide: {{kind: title, title: B}}, narration: Two.{extra}}}
              - title: Two
                scenes:
                  - {{id: c, slide: {{kind: title, title: C}}, narration: Three.}}
                  - {{id: d, slide: {{kind: title, title: D}}, narration: Four.}}
            """
        ),
        encoding="utf-8",
    )
    return pipeline.load(tmp_path / "s.yaml")


def test_a_cut_inside_a_section_and_a_dip_between_sections_and_at_the_ends(tmp_path):
    found = joins(_project(tmp_path))
    assert found == {"a": (True, False), "b": (False, True), "c": (True, False), "d": (False, True)}


def test_a_scene_asks_for_its_own_start_and_the_theme_for_the_rest(tmp_path):
    found = joins(_project(tmp_path, ", transition: dip"))
    assert found["a"] == (True, True) and found["b"] == (True, True)
    within = "{extends: documentary, transition: {within: dip}}"
    assert set(joins(_project(tmp_path, theme=within)).values()) == {(True, True)}
    cuts = "{extends: documentary, transition: {style: cut}}"
    assert set(joins(_project(tmp_path, theme=cuts)).values()) == {(False, False)}


def test_a_scene_that_cuts_at_its_end_is_not_faded_there():
    theme = load_theme("documentary")
    bright = np.full((18, 32, 3), 220, dtype=np.uint8)
    source = Wrapped(type("Solid", (), {"frame": lambda self, t: bright})(), lambda t, image: image)
    into_only = Dip.for_theme(theme, 4.0, (True, False)).apply(source)
    assert into_only.frame(0.0).mean() < 100, "faded in from the dip colour"
    assert into_only.frame(3.99).mean() == 220, "no fade at a cut"
    assert Dip.for_theme(theme, 4.0, (False, False)) is None


def test_scene_jobs_carry_their_joins_and_a_cut_changes_only_the_key_of_its_scenes(tmp_path):
    from pipeline.core import cache
    from pipeline.rendering import jobs

    options = pipeline.RenderOptions(cache_dir=tmp_path / "cache", engine="espeak")
    project = _project(tmp_path)
    plan = pipeline.plan(project, pipeline.narrate(project, options), options)
    made = jobs.scene_jobs(project, plan, options, cache.Store(tmp_path / "cache"))
    assert [job.dips for job in made] == [(True, False), (False, True), (True, False), (False, True)]
    again = _project(tmp_path, ", transition: dip")
    changed = jobs.scene_jobs(again, plan, options, cache.Store(tmp_path / "cache"))
    assert [a.key == b.key for a, b in zip(made, changed, strict=True)] == [False, False, True, True]
