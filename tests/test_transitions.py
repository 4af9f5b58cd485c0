"""How scenes join: a cut inside a section, a wipe at a new one, a zoom into a map, a dip at the video's two ends; a
scene's own 'transition' decides its start. Each transition is two halves, each drawn from its own scene alone,
on frames the plan already has: the scenes' starts do not move, and frames outside the halves pass untouched."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import get_args

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

import pipeline
from pipeline.core.errors import StoryboardError
from pipeline.drawing.effects.dip import Dip
from pipeline.drawing.effects.joins import EFFECTS, halves, layers
from pipeline.drawing.effects.whip import Whip
from pipeline.drawing.effects.wipe import Wipe
from pipeline.drawing.effects.zoom import Zoom
from pipeline.drawing.slides.theme import Join
from pipeline.drawing.slides.theme import load as load_theme
from pipeline.drawing.sources.base import Wrapped
from pipeline.planning.transitions import joins
from tests.test_golden import GOLDEN, _matches

DATA = Path(__file__).parent / "data"
ACCEPTED = "'dip', 'cut', 'whip', 'wipe' or 'zoom'"


def _project(tmp_path, extra: str = "", theme: str = "documentary", fourth: str = "{kind: title, title: D}"):
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
                  - {{id: d, slide: {fourth}, narration: Four.}}
            """
        ),
        encoding="utf-8",
    )
    return pipeline.load(tmp_path / "s.yaml")


MAP = "{kind: route, title: South, stops: [North Korea, China]}"


def test_a_cut_inside_a_section_a_wipe_between_sections_and_a_dip_at_the_ends(tmp_path):
    found = joins(_project(tmp_path))
    assert found == {"a": ("dip", "cut"), "b": ("cut", "wipe"), "c": ("wipe", "cut"), "d": ("cut", "dip")}


def test_a_map_scene_is_zoomed_into_unless_the_scene_or_the_theme_says_otherwise(tmp_path):
    assert joins(_project(tmp_path, fourth=MAP))["d"] == ("zoom", "dip")
    plain = "{extends: documentary, transition: {into_map: null}}"
    assert joins(_project(tmp_path, theme=plain, fourth=MAP))["d"] == ("cut", "dip")
    whips = "{extends: documentary, transition: {into_map: whip}}"
    assert joins(_project(tmp_path, theme=whips, fourth=MAP))["c"] == ("wipe", "whip")
    own = MAP.replace("}", "}, transition: cut")  # the scene's own wins over the map's
    assert joins(_project(tmp_path, fourth=own))["d"] == ("cut", "dip")


def test_a_scene_asks_for_its_own_start_and_the_theme_for_the_rest(tmp_path):
    found = joins(_project(tmp_path, ", transition: whip"))
    assert found["a"] == ("dip", "whip") and found["b"] == ("whip", "wipe")
    within = "{extends: documentary, transition: {within: dip, style: dip}}"
    assert set(joins(_project(tmp_path, theme=within)).values()) == {("dip", "dip")}
    cuts = "{extends: documentary, transition: {style: cut}}"
    assert set(joins(_project(tmp_path, theme=cuts)).values()) == {("cut", "cut")}, "a cut theme cuts at its ends"
    opened = "{extends: documentary, transition: {style: cut, ends: dip}}"
    assert joins(_project(tmp_path, theme=opened))["a"] == ("dip", "cut")


def test_an_unknown_transition_is_named_where_it_is_written_with_those_there_are(tmp_path):
    theme = "{extends: documentary, transition: {style: fade, into_map: swipe}}"
    with pytest.raises(StoryboardError) as caught:
        _project(tmp_path, ", transition: swoosh", theme=theme)
    problems = {p.message.split()[0]: p for p in caught.value.problems}
    assert set(problems) == {"'style'", "'into_map'", "'transition'"}, caught.value
    for problem in problems.values():
        assert Path(problem.file).name == "s.yaml" and problem.line > 1 and problem.column > 1, problem
        assert ACCEPTED in problem.message, problem.message
    assert problems["'transition'"].line == 8 and "'swoosh'" in problems["'transition'"].message
    assert problems["'style'"].line == 2 and "'fade'" in problems["'style'"].message


def test_scene_jobs_carry_their_joins_and_a_change_changes_only_the_key_of_its_scenes(tmp_path):
    from pipeline.core import cache
    from pipeline.rendering import jobs

    options = pipeline.RenderOptions(cache_dir=tmp_path / "cache", engine="espeak")
    project = _project(tmp_path)
    plan = pipeline.plan(project, pipeline.narrate(project, options), options)
    made = jobs.scene_jobs(project, plan, options, cache.Store(tmp_path / "cache"))
    assert [job.joins for job in made] == [("dip", "cut"), ("cut", "wipe"), ("wipe", "cut"), ("cut", "dip")]
    again = _project(tmp_path, ", transition: zoom")
    changed = jobs.scene_jobs(again, plan, options, cache.Store(tmp_path / "cache"))
    assert [a.key == b.key for a, b in zip(made, changed, strict=True)] == [False, False, True, True]


def test_a_scene_that_dips_or_cuts_keeps_the_key_it_had():
    """Scenes that dip at both ends put nothing of their joins in their key, and those that dip or cut what they
    put before there were other transitions: only the new transitions' scenes are keyed anew."""
    from pipeline.rendering.jobs import joins_key

    assert joins_key(("dip", "dip")) == {}
    assert joins_key(("dip", "cut")) == {"dips": [True, False]}
    assert joins_key(("cut", "cut")) == {"dips": [False, False]}
    assert joins_key(("cut", "whip")) != joins_key(("cut", "wipe")) != joins_key(("wipe", "cut"))


# -- the halves, frame by frame ------------------------------------------------------------------------------------

FPS, FRAMES = 30, 60  # a two-second scene: each half is 0.25 s, frames 0-7 and 53-59
DURATION = FRAMES / FPS


def picture(width: int = 320, height: int = 180) -> np.ndarray:
    """A made-up scene (nothing drawn by a slide kind, so only the transitions change it): a dark ground, a heading's
    bar, lines of 'text', a disc and a grid of thin lines, with edges that show every move and blur."""
    image = Image.new("RGB", (width, height), (20, 23, 28))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, width // 16):
        draw.line([(x, 0), (x, height)], fill=(50, 56, 67))
    draw.rectangle([width * 0.06, height * 0.15, width * 0.5, height * 0.28], fill=(243, 239, 230))
    for row in range(3):
        y = height * (0.4 + 0.1 * row)
        draw.rectangle([width * 0.06, y, width * (0.4 - 0.05 * row), y + height * 0.04], fill=(154, 161, 171))
    draw.ellipse([width * 0.62, height * 0.3, width * 0.88, height * 0.76], fill=(229, 56, 59))
    return np.asarray(image)


class Hold:
    """A scene that shows one picture throughout: the very same array every frame, as a slide's hold is."""

    def __init__(self, image: np.ndarray):
        self.image = image

    def frame(self, t: float) -> np.ndarray:
        return self.image

    def still(self) -> np.ndarray:
        return self.image

    still_time = 0.0

    def close(self) -> None:
        pass


def _made(kind: str, ends=(True, True)):
    return {
        "dip": Dip(0.25, (7, 8, 10), DURATION, ends),
        "whip": Whip(0.25, DURATION, ends),
        "wipe": Wipe(0.25, DURATION, ends, color=(229, 56, 59), edge=(242, 165, 65)),
        "zoom": Zoom(0.25, DURATION, ends),
    }[kind]


KINDS = ["dip", "whip", "wipe", "zoom"]
#: The frames of each half the goldens hold: its first, middle and last.
MOMENTS = {"out": (53, 56, 59), "in": (0, 4, 7)}


@pytest.mark.parametrize("kind", KINDS)
def test_each_transitions_halves_match_their_golden_frames(kind, update_golden):
    """The first, middle and last frame of the outgoing half (top row) and of the incoming half (bottom row), at
    320x180: pytest tests/test_transitions.py --update-golden -k golden writes them again (look at them)."""
    scene = _made(kind).apply(Hold(picture()))
    rows = [np.concatenate([scene.frame(i / FPS) for i in MOMENTS[side]], axis=1) for side in ("out", "in")]
    _matches(np.concatenate(rows, axis=0), GOLDEN / "transitions" / f"{kind}.png", update_golden)


@pytest.mark.parametrize("kind", KINDS)
def test_frames_outside_the_halves_are_the_frames_given_and_those_inside_are_changed(kind):
    """The encoder sees a hold by identity (``frame is previous``): every frame outside the transition is the very
    array the scene gave, so a hold stays one frame to encode; the frames inside are changed."""
    image = picture(64, 36)
    for ends in [(True, True), (True, False), (False, True)]:
        scene = _made(kind, ends).apply(Hold(image))
        inside = {i for i in range(FRAMES) if (ends[0] and i <= 7) or (ends[1] and i >= 53)}
        for i in range(FRAMES):
            got = scene.frame(i / FPS)
            if i not in inside:
                assert got is image, (kind, ends, i)
            elif got is not image:  # a whip's first frame has not moved a pixel yet: it may pass as it is
                assert got.shape == image.shape and got.dtype == np.uint8, (kind, ends, i)
        for i in (4, 56):  # each half's middle
            assert not np.array_equal(scene.frame(i / FPS), image) or i not in inside, (kind, ends, i)


def test_a_halves_course_runs_on_across_the_cut():
    """The outgoing half's last frame and the incoming half's first are one frame apart on the transition's course:
    the move (a whip's push, a wipe's panel) carries on from one scene into the next at the same pace."""
    whip = Whip(0.25, DURATION)
    before, at = whip.course((FRAMES - 1) / FPS), whip.course(0.0)
    assert at == 1.0 and at - before == pytest.approx(1 / (0.25 * FPS))
    (out_at, out_speed), (in_at, in_speed) = whip.offset(1.0), whip.offset(1.0 + 1e-9)
    assert out_at == pytest.approx(-in_at) and out_speed == pytest.approx(in_speed), "the cut is at the top speed"
    wipe = Wipe(0.25, DURATION)
    assert wipe.covered(1.0, 320) == (0.0, 320.0), "the panel covers the frame at the cut"
    assert wipe.covered(0.0, 320) == (0.0, 0.0) and wipe.covered(2.0, 320) == (320.0, 320.0)


def test_the_theme_makes_each_transition_and_a_cut_makes_none():
    theme = load_theme("documentary")
    assert halves(theme, 4.0, ("cut", "cut")) == []
    made = halves(theme, 4.0, ("zoom", "wipe"))
    assert [type(e) for e in made] == [Zoom, Wipe] and [e.ends for e in made] == [(True, False), (False, True)]
    assert made[1].color == (0xE5, 0x38, 0x3B), "the wipe's panel is the accent"
    assert made[1].edge == (0xF2, 0xA5, 0x41), "and the band along its edges the softer accent"
    assert made[0].half == 0.25, "a move takes a quarter second a side at most"
    (both,) = halves(theme, 4.0, ("dip", "dip"))
    assert isinstance(both, Dip) and both == Dip.for_theme(theme, 4.0), "a scene that dips at both ends is as before"
    assert halves(theme, 0.4, ("whip", "cut"))[0].half == pytest.approx(0.1), "a quarter of a short scene"
    assert set(EFFECTS) | {"cut"} == set(get_args(Join)), "every transition a theme or a scene may name is made"


def test_a_scene_that_cuts_at_its_end_is_not_faded_there():
    theme = load_theme("documentary")
    bright = np.full((18, 32, 3), 220, dtype=np.uint8)
    source = Wrapped(type("Solid", (), {"frame": lambda self, t: bright})(), lambda t, image: image)
    into_only = Dip.for_theme(theme, 4.0, (True, False)).apply(source)
    assert into_only.frame(0.0).mean() < 100, "faded in from the dip colour"
    assert into_only.frame(3.99).mean() == 220, "no fade at a cut"
    assert Dip.for_theme(theme, 4.0, (False, False)) is None


class Pictured(Hold):
    """A layered scene's stand-in: its whole picture, and a layer (a bar of 'text') drawn over a flat base."""

    def backdrop(self, scratch):  # not needed here
        raise NotImplementedError

    def layer(self, base):
        image = np.empty_like(self.image)
        image[...] = base
        image[10:14, 8:40] = 250
        return Hold(image)


@pytest.mark.parametrize("kind", KINDS)
def test_a_layered_scene_moves_its_whole_picture_and_changes_colours_on_its_layer(kind):
    """A whip or a zoom over a layered scene would move the text and not the picture ffmpeg makes under it: in their
    frames the layer is the whole picture, moved, and opaque (the same over black and white); a dip or a wipe is
    drawn on the layer, as over any picture. Outside the halves the layer is as it was, the very same arrays."""
    source = Pictured(picture(64, 36))
    effect = _made(kind)
    black, white = layers(source, [effect], ((0, 0, 0), (255, 255, 255)))
    held = black.frame(1.0)
    for i in range(FRAMES):
        dark, light = black.frame(i / FPS), white.frame(i / FPS)
        if kind in ("whip", "zoom") and effect.touches(i / FPS):
            assert dark is light, "the whole picture, opaque: one frame over both bases"
            assert np.array_equal(dark, effect.apply(source).frame(i / FPS))
        elif 8 <= i < 53:
            assert dark is held, "a hold on the layer stays one array"
        elif kind in ("dip", "wipe") and i in (4, 56):  # each half's middle
            assert not np.array_equal(dark, light), "drawn on the layer: the backdrop shows through"


KIND_STORY = """\
title: Kinds
theme: {{extends: documentary, transition: {{style: {kind}, within: {kind}, into_map: null}}}}
video: {{width: 320, height: 180, fps: 30}}
narration: {{engine: espeak}}
sections:
  - title: One
    scenes:
      - {{id: first, slide: {{kind: title, title: First}}, narration: One.}}
      - {{id: map, slide: {{kind: route, title: South, stops: [North Korea, China]}}, narration: Two.}}
  - title: Two
    scenes:
      - {{id: shown, slide: {{kind: image, file: assets/picture.png, move: in}}, narration: Three.}}
      - {{id: last, slide: {{kind: title, title: Last}}, narration: Four.}}
"""


@pytest.mark.slow
def test_every_scene_starts_where_the_plan_puts_it_whatever_the_transition(tmp_path):
    """For each kind at every boundary (a drawn slide, a map and a layered picture on either side): each scene's
    first frame is in the joined video on the frame the plan starts it, found by its picture, and the video has
    the plan's frames."""
    (tmp_path / "assets").mkdir()
    shutil.copy(DATA / "picture.png", tmp_path / "assets" / "picture.png")
    options = pipeline.RenderOptions(cache_dir=tmp_path / "cache")
    for kind in ["cut", *KINDS]:
        story = tmp_path / f"{kind}.yaml"
        story.write_text(KIND_STORY.format(kind=kind), encoding="utf-8")
        project = pipeline.validate(story, options)
        result = pipeline.render(project, options)
        with av.open(str(result.video)) as video:
            shown = [f.to_ndarray(format="rgb24") for f in video.decode(video=0)]
        plan = result.plan
        assert len(shown) == sum(s.frames for s in plan.scenes), kind
        for scene in plan.scenes[1:]:
            clip = options.store(project.root).path("scenes", result.scene_keys[scene.id], ".mp4")
            with av.open(str(clip)) as opened:
                decoded = [f.to_ndarray(format="rgb24") for f in opened.decode(video=0)]
            assert len(decoded) == scene.frames, (kind, scene.id)
            first = decoded[0].astype(np.int16)
            near = range(scene.start_frame - 3, scene.start_frame + 4)
            off = {i: float(np.abs(shown[i] - first).mean()) for i in near}
            found = min(off, key=off.get)
            assert off[found] < 0.5 and abs(found - scene.start_frame) <= 1, (kind, scene.id, off)
