"""Shorts: vertical videos cut from the storyboard, through the real command."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from pipeline import load
from pipeline.core.errors import StoryboardError
from pipeline.planning.shorts import HOOK, check_length, short_project
from tests.conftest import edit_lists, explainer, probe

STORY = """\
title: Shorts test
video: {width: 320, height: 180, fps: 30}
narration: {engine: espeak}
sections:
  - title: Opening
    scenes:
      - id: hello
        slide: {kind: title, title: Hello world}
        narration: Hello there.
  - title: Numbers
    scenes:
      - id: number
        slide: {kind: stat, value: 34000, label: people}
        narration: Thirty four thousand people.
      - id: more
        slide: {kind: bullets, title: More, items: [One, Two]}
        narration: One and two.
shorts:
  - id: numbers
    title: "34,000 people got out"
    section: 2
  - id: picked
    title: Two scenes
    scenes: [more, hello]
"""


def test_a_short_is_its_hook_then_its_scenes_with_their_own_sections(project):
    loaded = load(project(STORY))
    numbers, picked = short_project(loaded, 0), short_project(loaded, 1)
    assert [e.id for e in numbers.entries()] == [HOOK, "number", "more"]
    assert [e.id for e in picked.entries()] == [HOOK, "more", "hello"]
    assert [e.index for e in picked.entries()] == [0, 1, 2]
    assert picked.entries()[1].section_title == "Numbers", "a scene keeps the label it has in the video"
    hook = numbers.entries()[0]
    assert hook.scene.narration == "34,000 people got out" and hook.place == ("shorts", 0, "title")


def test_a_short_longer_than_three_minutes_is_a_located_error(project):
    cut = short_project(load(project(STORY)), 1)
    check_length(cut, 179.0)
    with pytest.raises(StoryboardError) as caught:
        check_length(cut, 181.0)
    (problem,) = caught.value.problems
    assert problem.line == 22 and "'picked' lasts 3:01, longer than a Short's 3:00" in problem.message


@pytest.mark.slow
def test_render_shorts_writes_each_as_a_vertical_upload(project):
    story = project(STORY)
    run = explainer("render", str(story), "--shorts", "--size", "180x320")
    assert run.returncode == 0, run.stderr
    shorts = story.parent / "output" / "story" / "shorts"
    assert sorted(p.name for p in shorts.iterdir()) == ["numbers", "picked"]
    folder = shorts / "numbers"
    assert sorted(p.name for p in folder.iterdir()) == [
        ".explainer-output", "numbers.mp4", "numbers.srt", "numbers.vtt", "render.json", "thumbnail.png"
    ], "no chapters"  # fmt: skip
    facts = probe(folder / "numbers.mp4")
    assert (facts["width"], facts["height"]) == (180, 320) and facts["video_duration"] < 180
    assert edit_lists(folder / "numbers.mp4") == [None, None], "no chapter track, no edit lists"
    with Image.open(folder / "thumbnail.png") as cover:
        assert cover.size == (1080, 1920)
    report = json.loads((folder / "render.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in report["scenes"]] == ["hook", "number", "more"]
    assert report["format"] == "vertical" and report["chapters"] == [] and report["captions"]["burned"]
    hook_words = [w[0] for w in report["scenes"][0]["sentences"][0]["words"]]
    assert hook_words == ["34,000", "people", "got", "out"], "said as written, timed word by word"
    again = explainer("render", str(story), "--shorts", "--size", "180x320")
    assert again.returncode == 0 and again.stderr.count("unchanged") == 2


def test_shorts_with_plain_caption_files_only_are_refused(project):
    """A Short's captions are drawn in; asking for files only is said to be impossible, not silently ignored."""
    run = explainer("render", str(project(STORY)), "--shorts", "--captions", "file")
    assert run.returncode == 2 and "Shorts always have their captions drawn in" in run.stderr


def test_a_mistake_in_one_short_does_not_hide_the_others(project):
    """A Short without its title and another naming a scene that does not exist: both are said at once."""
    story = project(STORY.replace('    title: "34,000 people got out"\n', "").replace("[more, hello]", "[more, helo]"))
    with pytest.raises(StoryboardError) as caught:
        load(story)
    messages = [p.message for p in caught.value.problems]
    assert any("missing required field 'title' in Short 'numbers'" in m for m in messages)
    assert any("no scene 'helo' (did you mean 'hello'?)" in m for m in messages)
