"""The public library: its names, one check at the size that is drawn, and every problem found in one round."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

import pytest
from PIL import Image

import pipeline
from pipeline import RenderOptions
from pipeline.core.errors import StoryboardError
from tests.conftest import REPO, explainer


def test_the_stages_are_public_functions_whatever_was_imported_before():
    """`pipeline.narrate` and `pipeline.plan` stay the stage functions after every submodule is imported."""
    code = (
        "import importlib, pkgutil, pipeline\n"
        "for m in pkgutil.walk_packages(pipeline.__path__, 'pipeline.'):\n"
        "    m.name.endswith('__main__') or importlib.import_module(m.name)\n"
        "names = ['load', 'validate', 'check', 'narrate', 'plan', 'scene_jobs', 'render_scenes', "
        "'build_soundtrack', 'join', 'write_outputs', 'render', 'still', 'sheet', 'thumbnail']\n"
        "print([n for n in names if type(getattr(pipeline, n)).__name__ != 'function'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stdout


def test_importing_the_library_starts_nothing():
    code = (
        "import sys, pipeline; print(sorted(m for m in sys.modules if m.startswith(('pipeline.', 'moviepy', 'PIL'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pipeline.nope  # noqa: B018


@pytest.mark.skipif(importlib.util.find_spec("IPython") is None, reason="IPython is not installed here")
def test_drawing_a_scene_does_not_import_ipython_and_leaves_it_importable():
    """MoviePy imports IPython for notebooks whenever it is installed: 0.35 s of every scene process, before."""
    code = (
        "import sys\n"
        "from pipeline.rendering.encode import video_clip_class\n"
        "video_clip_class()\n"
        "print('moviepy' in sys.modules, 'IPython' in sys.modules)\n"
        "import IPython\n"
        "print(IPython.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split() == ["True", "False", "IPython"]


UNFIT = """\
title: Drafts are checked at their size
video: {width: 1920, height: 1080, fps: 30}
theme: {extends: documentary, sizes: {minimum: 0.1}}
narration: {engine: espeak}
sections:
  - title: One
    scenes:
      - id: first
        slide: {kind: bullets, title: Many, items: [Wide words in a long item, Two, Three, Four, Five, Six]}
        narration: One sentence here.
"""


@pytest.mark.slow
def test_a_draft_is_checked_at_the_size_it_draws(project):
    """Before, --draft checked at the storyboard's 1920x1080 and failed in a worker at 640x360, unlocated."""
    story = project(UNFIT)
    run = explainer("render", str(story), "--draft")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{story}:9:" in run.stderr and "at 640x360" in run.stderr, run.stderr
    assert "at 1920x1080" in explainer("validate", str(story)).stderr, "validate checks at the storyboard's size"
    assert not (story.parent / "output" / "story").exists(), "nothing was rendered"


def test_checks_use_the_frame_options_will_draw(project):
    story = project(UNFIT)
    for options, size in [
        (RenderOptions(), "1920x1080"),
        (RenderOptions(draft=True), "640x360"),
        (RenderOptions(size=(854, 480)), "854x480"),
        (RenderOptions(burn_captions=True), "1920x1080 above burned-in captions"),
    ]:
        with pytest.raises(StoryboardError) as info:
            pipeline.validate(story, options)
        assert [f"at {size})" in p.message for p in info.value.problems] == [True], info.value.problems


def test_loading_draws_nothing_and_writes_nothing(project):
    """load() finds what needs no drawing; the text that cannot fit is the check's to find."""
    story = project(UNFIT)
    assert pipeline.load(story).storyboard.sections[0].scenes[0].id == "first"
    assert not (story.parent / "output").exists()


def _one_scene(project, slide: str) -> list:
    """The problems of a storyboard with one scene, whose slide (line 6) is ``slide``."""
    head = "title: T\nsections:\n  - title: S\n    scenes:\n      - id: a\n"
    story = project(f"{head}        slide: {slide}\n        narration: Hi.\n")
    with pytest.raises(StoryboardError) as info:
        pipeline.validate(story)
    return info.value.problems


FOUR_ROUNDS = """\
title: Four rounds before, one now
video: {width: 320, height: 180}
narration: {engine: espeak}
sections:
  - title: One
    scenes:
      - id: typed
        slide: {kind: stat, value: lots, label: People}
        narration: One.
      - id: empty
        slide: {kind: title, title: Hi}
        narration: "  "
      - id: highlighted
        slide: {kind: chart, type: bar, labels: [a, b], values: [1, 2], highlight: [zz]}
        narration: Two.
      - id: picture
        slide: {kind: image, file: assets/missing.png}
        narration: Three.
      - id: route
        slide: {kind: route, stops: [Chnia, North Korae, {places: [Japan], sentence: 4}]}
        narration: Four. Five.
"""


def test_every_problem_is_found_in_one_round(project):
    """Field errors used to hide the missing picture, the unknown places and the sentence that does not exist."""
    story = project(FOUR_ROUNDS)
    with pytest.raises(StoryboardError) as info:
        pipeline.validate(story)
    found = {(p.line, p.message.split(";")[0].split(" (")[0]) for p in info.value.problems}
    assert found == {
        (8, "'value' must be a number, not 'lots'"),
        (12, "narration is empty"),
        (14, "highlight names 'zz', which is not one of the labels"),
        (17, "no picture at 'assets/missing.png'"),
        (20, "unknown place 'Chnia'"),
        (20, "unknown place 'North Korae'"),
        (20, "sentence 4 does not exist: the narration of scene 'route' has 2 sentence(s)"),
    }, info.value.problems
    places = [p for p in info.value.problems if "unknown place" in p.message]
    assert places[0].column < places[1].column, "each place at its own column"
    assert "did you mean 'China'" in places[0].message and "did you mean 'North Korea'" in places[1].message
    assert "'explainer places TEXT' finds them" in places[0].message


def test_an_unknown_theme_does_not_hide_the_slides_own_problems(project):
    """With a theme it could not load, validate said only the theme's name (and the fields' types): the unknown
    icon, place and list lengths came a round later, once the theme was fixed."""
    story = project(
        FOUR_ROUNDS.replace("narration: {engine: espeak}", "theme: no-such-look\nnarration: {engine: espeak}")
        + """\
      - id: icon
        slide: {kind: stat, value: 14000, label: ships, icon: boatt}
        narration: Six.
      - id: chart
        slide: {kind: chart, labels: [a, b], values: [1, 2, 3]}
        narration: Seven.
"""
    )
    with pytest.raises(StoryboardError) as info:
        pipeline.validate(story)
    said = " | ".join(p.message for p in info.value.problems)
    for expected in ("no-such-look", "unknown place 'Chnia'", "zz", "boatt", "'value' must be a number"):
        assert expected in said, said
    assert sum("values" in p.message or "labels" in p.message for p in info.value.problems) >= 1, said


@pytest.mark.parametrize(
    ("field", "says"),
    [
        ("value: '\u22124\u20130'", "type the figure with a plain hyphen-minus: -4-0"),  # dashes pasted mid-figure
        ("value: '34 000 people'", "this field takes a figure: write just the number here"),
        ("value: '1,400'", "plain number without quotes, commas or units: 1400"),
        ("value: 1, label: 2024", "put it in quotes, '2024': YAML reads a bare figure as a number"),
        ("value: 1, label: People, prefix: 'about '", "'prefix' is too long: 6 characters, at most 4; shorten it"),
    ],
)
def test_messages_say_what_to_write(project, field, says):
    problems = _one_scene(project, f"{{kind: stat, {field if 'label' in field else field + ', label: People'}}}")
    assert any(says in p.message for p in problems), problems
    assert all("split it across scenes" not in p.message for p in problems)


def test_a_coordinate_out_of_range_gives_the_ranges(project):
    (problem,) = _one_scene(project, "{kind: route, stops: [Base, China], places: {Base: [200, 95]}}")
    assert problem.line == 6 and "longitude runs from -180 (west) to 180 (east)" in problem.message
    assert "latitude from -90 (south) to 90 (north)" in problem.message


def test_a_value_that_may_take_two_shapes_is_told_about_the_shape_written(project):
    """A bullet item is text or {text, sentence}: a wrong mapping is not also told it "must be text"."""
    messages = [p.message for p in _one_scene(project, "{kind: bullets, items: [fine, {text: 5}, {txt: x}]}")]
    assert len(messages) == 3, messages
    assert messages[0].startswith("'text' must be text, not a number")
    assert "missing required field 'text'" in messages[1] and "unknown field 'txt'" in messages[2]
    assert not any("constrained-str" in m or "'str'" in m or "must be text, not a mapping" in m for m in messages)


def test_a_field_named_like_its_slide_kind_is_found_where_it_is_missing(project):
    """A title slide without its title was reported as a scene missing its 'slide' (the kind's tag is 'title' too)."""
    (problem,) = _one_scene(project, "{kind: title, subtitle: No headline}")
    assert problem.line == 6 and "missing required field 'title' in this title slide" in problem.message


def test_a_huge_value_is_quoted_short_and_a_broken_section_is_not_drawn(project):
    """A 20,000-character section title failed its limit, but its scenes were drawn with it: 3 minutes."""
    story = project(f"""\
        title: T
        narration: {{engine: {"W" * 20_000}}}
        sections:
          - title: {"W" * 20_000}
            scenes:
              - id: a
                slide: {{kind: stat, value: 1, label: People}}
                narration: Hi.
        """)
    started = time.perf_counter()
    with pytest.raises(StoryboardError) as info:
        pipeline.validate(story)
    assert time.perf_counter() - started < 5
    assert {p.line for p in info.value.problems} == {2, 4}
    assert all(len(p.message) < 300 for p in info.value.problems), info.value.problems


def test_the_command_lists_the_first_hundred_problems(project):
    from click.testing import CliRunner

    from pipeline.cli import main

    scenes = "".join(f"      - {{id: s{i}, slide: {{kind: nope}}, narration: Hi.}}\n" for i in range(130))
    story = project("title: T\nsections:\n  - title: S\n    scenes:\n" + scenes)
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    result = runner.invoke(main, ["validate", str(story)])
    assert result.exit_code == 2
    assert result.stderr.count("unknown slide kind 'nope'") == 100
    assert "... and 30 more, not shown; fix these first" in result.stderr and "130 problems found" in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_file_that_is_not_a_regular_file_is_refused_without_reading_it(project, kind):
    """A link to /dev/zero or a FIFO was read into memory (a MemoryError after 10 s), or forever."""
    import os

    story = project("title: T\nsections: []\n")
    lexicon = story.parent / "assets" / "words.yaml"
    if kind == "fifo":
        os.mkfifo(lexicon)
    else:
        lexicon.symlink_to("/dev/zero")
    story.write_text(
        "title: T\nnarration: {lexicon_files: [assets/words.yaml]}\nsections:\n  - title: S\n    scenes:\n"
        "      - {id: a, slide: {kind: title, title: Hi}, narration: Hi.}\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    with pytest.raises(StoryboardError) as info:
        pipeline.validate(story, RenderOptions(allow_outside_assets=True))
    assert time.perf_counter() - started < 5
    (problem,) = info.value.problems
    assert "not a regular file; a lexicon is a text file" in problem.message
    assert ("FIFO" if kind == "fifo" else "character device") in problem.message


def test_a_picture_that_is_a_fifo_is_refused_without_reading_it(project):
    """A FIFO named as a picture was hashed for the cache key, which waited on it forever."""
    import os

    story = project("""\
        title: T
        video: {width: 320, height: 180}
        sections:
          - title: S
            scenes:
              - {id: a, slide: {kind: image, file: assets/p.png}, narration: Hi.}
        """)
    os.mkfifo(story.parent / "assets" / "p.png")
    run = explainer("validate", str(story), timeout=20)
    assert run.returncode == 2 and "'assets/p.png' is a FIFO (named pipe), not a regular file" in run.stderr


def test_a_theme_linked_from_outside_the_project_is_refused_unread(project, tmp_path_factory):
    """A link in assets/themes/ to any YAML on the machine was read, and its values came back in messages."""
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.yaml"
    outside.write_text("extends: documentary\ncolors: {accent: 'TOP-SECRET-VALUE'}\n", encoding="utf-8")
    story = project("title: T\ntheme: linked\nsections:\n  - title: S\n    scenes:\n"
                    "      - {id: a, slide: {kind: title, title: Hi}, narration: Hi.}\n")  # fmt: skip
    (story.parent / "assets" / "themes").mkdir()
    (story.parent / "assets" / "themes" / "linked.yaml").symlink_to(outside)
    for options in (RenderOptions(), RenderOptions(allow_outside_assets=True)):
        with pytest.raises(StoryboardError) as info:
            pipeline.validate(story, options)
        (problem,) = info.value.problems
        assert problem.line == 2 and "is a link to" in problem.message and "outside the project" in problem.message
        assert "TOP-SECRET" not in problem.message


def test_a_missing_backdrop_is_found_at_its_own_field(project):
    """A slide names two files (its visual and its backdrop): a problem with one is located at that one's line."""
    story = project(
        """\
        title: Backdrop
        sections:
          - title: One
            scenes:
              - id: card
                slide:
                  kind: title
                  title: Hi
                  visual: {picture: assets/here.png}
                  backdrop: {picture: assets/gone.png}
                narration: One.
        """
    )
    Image.new("RGB", (64, 36), (40, 90, 140)).save(story.parent / "assets" / "here.png")
    with pytest.raises(StoryboardError) as info:
        pipeline.validate(story)
    (problem,) = info.value.problems
    assert problem.line == 10 and "no picture at 'assets/gone.png'" in problem.message, problem


def test_a_backdrop_maps_unknown_place_is_found_at_its_line(project):
    """A section card has no check of its own for a map under it: the name is still said at its line, with the
    names the map knows that are nearest."""
    story = project(
        """\
        title: Backdrop
        sections:
          - title: One
            scenes:
              - id: card
                slide:
                  kind: section
                  backdrop:
                    map: {show: [Nroth Korea]}
                narration: One.
        """
    )
    with pytest.raises(StoryboardError) as info:
        pipeline.validate(story)
    (problem,) = info.value.problems
    assert problem.line == 9 and "unknown place 'Nroth Korea'" in problem.message, problem
    assert "did you mean 'North Korea'" in problem.message


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("section", {"title": "One"}),
        ("chart", {"title": "T", "labels": ["a", "b"], "values": [1, 2]}),
        ("timeline", {"title": "T", "events": [{"date": "1990", "text": "a"}, {"date": "2000", "text": "b"}]}),
        ("stat", {"value": "5", "label": "things"}),
        ("title", {"title": "T"}),
        ("closing", {"title": "T"}),
    ],
)
def test_every_kind_finds_an_unknown_place_in_the_map_behind_it_without_drawing(kind, fields):
    """A kind with rules of its own (a chart's labels, a timeline's dates, a stat's one thing) found the unknown
    place in its backdrop's map only when the slide was drawn, because its own check did not ask its base's: the
    name was looked up twice, once to find it and once to say it. Now the spec's problems are its own and those of
    what it shows, found once, before drawing."""
    from pipeline.drawing.slides import KINDS

    spec = KINDS[kind].spec.model_validate({"kind": kind, **fields, "backdrop": {"map": {"show": ["Nroth Korea"]}}})
    (problem,) = spec.problems()
    assert problem.field.startswith("backdrop.map") and "unknown place 'Nroth Korea'" in str(problem)
