"""Pacing where scenes meet, from the plan: tight cuts inside a section, a breath at a section change, room at the
video's two ends; a storyboard that sets ``lead_in`` and ``tail`` gets one number everywhere, as before.

The silence across a boundary is measured as a viewer hears it: from the end of the outgoing scene's last sentence
to the start of the incoming scene's first, on the plan's clock (frames rounded as the render rounds them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.formats import FORMATS, Frame
from pipeline.loading.storyboard import Project, load
from pipeline.narration.speech import Narration, SentenceAudio
from pipeline.planning import scenes, shorts
from pipeline.planning.timeline import Plan

FRAME = Frame(320, 180, 30, FORMATS["wide"])
#: One frame: a scene lasts whole frames, so its tail is up to one frame longer than asked.
FRAME_S = 1 / 30
#: Sums of float seconds.
EPS = 1e-6

STORY = """\
title: Pacing
narration: {{engine: espeak{extra}}}
sections:
  - title: One
    scenes:
      - {{id: a, slide: {{kind: title, title: A}}, narration: One. Two.}}
      - {{id: b, slide: {{kind: title, title: B}}, narration: Three. Four.}}
      - {{id: c, slide: {{kind: title, title: C}}, narration: Five.}}
  - title: Two
    scenes:
      - {{id: d, slide: {{kind: section}}, narration: Six.}}
      - {{id: e, slide: {{kind: title, title: E}}{transition}, narration: Seven. Eight.}}
"""


def _planned(project_file: Path) -> Plan:
    """The storyboard's plan with every sentence 2.0 s of speech (no voice needed)."""
    return _plan(load(project_file))


def _plan(project: Project) -> Plan:
    said = tuple(
        tuple(SentenceAudio(s, s, project.file, 96_000, {}) for s in entry.scene.narration.split(". "))
        for entry in project.entries()
    )
    return scenes.on_timeline(project, project.entries(), Narration({}, None, said, 0), FRAME)


def _silences(plan: Plan) -> dict[str, float]:
    """Per boundary 'outgoing>incoming', the silence from the last word before it to the first after it."""
    fps = plan.fps
    out = {}
    for before, after in zip(plan.scenes, plan.scenes[1:], strict=False):
        last = before.start(fps) + before.sentences[-1].end
        first = after.start(fps) + after.sentences[0].start
        out[f"{before.id}>{after.id}"] = first - last
    return out


def _gaps(plan: Plan) -> list[float]:
    return [b.start - a.end for s in plan.scenes for a, b in zip(s.sentences, s.sentences[1:], strict=False)]


@pytest.fixture
def story(project):
    def write(extra: str = "", transition: str = "") -> Plan:
        return _planned(project(STORY.format(extra=extra, transition=transition)))

    return write


def test_a_cut_inside_a_section_is_about_the_gap_between_sentences(story):
    """The judge heard 1.4 s of silence at every cut (a 0.9-s tail and a 0.5-s lead-in): inside a section the
    silence across a cut is now the gap between sentences and a beat more, the picture changing a little before
    the voice starts."""
    plan = story()
    gap = max(_gaps(plan))
    assert gap == pytest.approx(0.35, abs=1e-3)
    silences = _silences(plan)
    for boundary in ("a>b", "b>c", "d>e"):
        assert gap - EPS <= silences[boundary] <= gap + 0.15 + FRAME_S, (boundary, silences)
    for scene in plan.scenes[1:3]:  # the cut is before the voice: the incoming picture shows first
        assert 0.1 <= scene.sentences[0].start < 0.3


def test_a_section_change_is_a_longer_breath_than_a_cut(story):
    """At a new section the music carries a breath (1.5 s by default), most of it on the new section's first
    picture (its chapter card), which is on screen a second before the voice reads it."""
    plan = story()
    silences = _silences(plan)
    assert 1.4 <= silences["c>d"] <= 1.5 + FRAME_S
    assert silences["c>d"] > 2.5 * silences["a>b"]
    chapter = plan.scenes[3]
    assert chapter.sentences[0].start == pytest.approx(1.0, abs=1e-3)


def test_the_video_opens_and_closes_with_room(story):
    plan = story()
    fps = plan.fps
    assert plan.scenes[0].sentences[0].start == pytest.approx(0.8, abs=1e-3)
    last = plan.scenes[-1]
    assert last.duration(fps) - last.sentences[-1].end == pytest.approx(2.0, abs=FRAME_S)


def test_lead_in_and_tail_set_in_the_storyboard_are_every_scenes_as_before(story):
    """The old vocabulary, written out: one lead-in and one tail for every scene, whatever the boundary."""
    plan = story(", lead_in: 0.5, gap: 0.35, tail: 0.9")
    for boundary, silence in _silences(plan).items():
        assert 1.4 - EPS <= silence <= 1.4 + FRAME_S, boundary
    assert all(scene.sentences[0].start == pytest.approx(0.5, abs=1e-3) for scene in plan.scenes)


def test_the_creator_sets_the_cut_and_the_section_change(story):
    plan = story(", gap: 0.5, cut: 0.8, section: 2.4")
    silences = _silences(plan)
    assert 0.8 - EPS <= silences["a>b"] <= 0.8 + FRAME_S
    assert 2.4 - EPS <= silences["c>d"] <= 2.4 + FRAME_S


def test_the_cut_follows_a_longer_gap(story):
    """Unset, the cut is the gap and 0.1: a slow narrator's cuts stay a beat longer than the gaps."""
    plan = story(", gap: 0.6")
    assert 0.7 - EPS <= _silences(plan)["a>b"] <= 0.7 + FRAME_S


def test_a_transition_that_moves_lies_in_the_silence_between_the_voices(story):
    """A zoom into a scene inside a section takes 0.25 s each side of the cut: the voices keep off it, so the
    picture changes between them, not over a word."""
    plan = story(transition=", transition: zoom")
    fps = plan.fps
    before, into = plan.scenes[3], plan.scenes[4]
    assert into.sentences[0].start >= 0.25 - EPS
    assert before.duration(fps) - before.sentences[-1].end >= 0.25 - EPS


def test_a_short_cuts_tight_from_its_hook_through_its_scenes(project):
    """A Short has no chapters: its hook card and its scenes from two sections meet as cuts inside a section do
    (its wipes at a change of section keep their quarter second a side clear of the voice: 0.5 s, not 0.45)."""
    short = "shorts:\n  - {id: quick, title: A quick one, scenes: [b, d]}\n"
    plan = _plan(shorts.short_project(load(project(STORY.format(extra="", transition="") + short)), 0))
    silences = _silences(plan)
    assert list(silences) == ["hook>b", "b>d"]
    assert all(0.45 - EPS <= s <= 0.5 + FRAME_S for s in silences.values()), silences
