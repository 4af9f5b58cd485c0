"""Where a slide's visual goes, varied as an editor varies the frame (issue 39): on the other side from the scene
before's, a picture over the whole frame under a short title or quote, a scene's own ``layout`` over both; chosen
over the whole video, and the same choice drawn by the render, a still and the fit check."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

import pipeline
from pipeline.core.formats import FORMATS, Frame
from pipeline.drawing.slides import visual
from pipeline.drawing.slides.base import Canvas
from pipeline.rendering import stills
from tests.test_slides import FORMAT_SIZES, H, W, small_canvas

DATA = Path(__file__).parent / "data"
ICON = "{kind: stat, value: 3, label: locks, visual: {icon: ship}}"
LIST = "{kind: bullets, title: Rain, items: [One, Two], visual: {icon: cloud-rain}}"
PICTURED = "{kind: title, title: The lake, visual: {picture: assets/picture.png}}"
MAP = "{kind: route, title: South, stops: [North Korea, China]}"
CARD = "{kind: title, title: A card}"


def _project(tmp_path, *slides: str, theme: str = "documentary", extra: dict[int, str] | None = None):
    """A storyboard of ``slides`` in one section (scene ids a, b, c...); ``extra``: more keys of a scene."""
    (tmp_path / "assets").mkdir(exist_ok=True)
    shutil.copy(DATA / "picture.png", tmp_path / "assets" / "picture.png")
    scenes = "\n".join(
        f"      - {{id: {chr(97 + i)}, slide: {slide}, narration: Said.{(extra or {}).get(i, '')}}}"
        for i, slide in enumerate(slides)
    )
    text = textwrap.dedent(f"""\
        title: Layouts
        theme: {theme}
        video: {{width: 320, height: 180, fps: 10}}
        sections:
          - title: One
            scenes:
        """)
    (tmp_path / "s.yaml").write_text(text + scenes + "\n", encoding="utf-8")
    return pipeline.load(tmp_path / "s.yaml")


def test_consecutive_visuals_alternate_sides(tmp_path):
    found = _project(tmp_path, ICON, LIST, ICON, LIST).layouts()
    assert found == {"a": "right", "b": "left", "c": "right", "d": "left"}


def test_a_visual_after_a_text_card_takes_the_side_its_text_left(tmp_path):
    """A text card stands on the left, its room on the right: the visual after it goes left. A map between two
    visuals fills the frame and is passed over: the one after it still takes the other side."""
    found = _project(tmp_path, CARD, ICON, MAP, LIST, MAP, MAP, ICON).layouts()
    assert found == {"a": "right", "b": "left", "c": "right", "d": "right", "e": "right", "f": "right", "g": "left"}


def test_a_picture_under_a_short_title_fills_the_frame(tmp_path):
    found = _project(tmp_path, ICON, PICTURED, LIST).layouts()
    assert found == {"a": "right", "b": "full", "c": "right"}, "a full-bleed scene has no side to mirror"


def test_the_scene_says_its_own_layout_and_the_theme_can_turn_the_rules_off(tmp_path):
    own = _project(tmp_path, ICON, LIST, PICTURED, extra={1: ", layout: right", 2: ", layout: left"}).layouts()
    assert own == {"a": "right", "b": "right", "c": "left"}
    plain = "{extends: documentary, layouts: {alternate: false, full: false}}"
    assert set(_project(tmp_path, ICON, LIST, PICTURED, theme=plain).layouts().values()) == {"right"}


def test_a_layout_the_storyboard_cannot_take_is_refused(tmp_path):
    with pytest.raises(pipeline.StoryboardError, match="layout"):
        _project(tmp_path, ICON, extra={0: ", layout: middle"})


def test_a_still_draws_the_layout_the_video_chose(tmp_path):
    """The second of two visuals is drawn with its icon on the left: the still knows the scene before it."""
    project = _project(tmp_path, ICON, ICON)
    frame = project.storyboard.video
    first, second = (
        stills.still(project, Frame(frame.width, frame.height, frame.fps, FORMATS["wide"]), project.entry(i))
        for i in "ab"
    )
    # The same slide twice: only the side differs. The icon's disc, the busiest thing in its part, moves left.
    assert not np.array_equal(first, second)
    left = slice(0, round(W * 0.3))
    assert second[:, left].std() > first[:, left].std() + 5


@pytest.mark.parametrize("fmt", ["wide", "vertical", "square"])
def test_the_text_and_the_visual_never_share_room_on_either_side(fmt):
    base = small_canvas()
    size = (W, H) if fmt == "wide" else FORMAT_SIZES[fmt]
    canvas = Canvas(*size, base.theme, base.fonts, profile=FORMATS[fmt])
    safe = canvas.safe
    for left in (False, True):
        for room in visual.ROOM:
            column, box = visual.split(canvas, room, left=left)
            text = column.safe
            apart = text.x1 <= box.x0 or box.x1 <= text.x0 or text.y1 <= box.y0 or box.y1 <= text.y0
            assert apart, (fmt, left, room)
            assert safe.x0 <= text.x0 and text.x1 <= safe.x1 and safe.y0 <= text.y0 and text.y1 <= safe.y1
    lower = visual.lower_third(canvas)
    assert safe.y0 < lower.y0 and lower.y1 == safe.y1 and safe.x0 == lower.x0 and lower.x1 <= safe.x1


def test_the_fit_check_lays_out_each_scene_as_the_video_will(tmp_path):
    """A scene moved to the other side is checked again, as drawn there (its layout is part of what was found to
    fit): the check never vouches for a layout the render does not draw."""
    from pipeline.loading.checks import check

    cache = tmp_path / "cache"
    size = Frame(320, 180, 10, FORMATS["wide"])
    check(_project(tmp_path, ICON, ICON, extra={1: ", layout: right"}), size, cache_dir=cache)
    before = set((cache / "fit").iterdir())
    check(_project(tmp_path, ICON, ICON), size, cache_dir=cache)  # the second visual now on the left
    assert len(set((cache / "fit").iterdir()) - before) == 1
