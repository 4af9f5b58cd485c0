"""The built-in looks: what differs between them is theme data (background, shapes, marks, panels), read by one
drawing code; documentary leaves every such choice at its default, which is what it always drew."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageColor

from pipeline.core.errors import StoryboardError
from pipeline.drawing.slides import backdrop, kinetic
from pipeline.drawing.slides.base import Canvas, SceneContext
from pipeline.drawing.slides.fonts import FontBook
from pipeline.drawing.slides.theme import BUILTIN_DIR, DEFAULT, Background, Marks, Panels, Shapes, available_themes
from pipeline.drawing.slides.theme import load as load_theme
from pipeline.drawing.timing import SceneTiming

BUILT_IN = available_themes(None)


def test_the_built_in_looks_are_four_and_documentary_is_the_default():
    assert BUILT_IN == ["daylight", "documentary", "editorial", "flat"]
    assert DEFAULT == "documentary"
    assert {p.stem for p in BUILTIN_DIR.glob("*.yaml")} == set(BUILT_IN)


@pytest.mark.parametrize("name", ["documentary", "daylight"])
def test_the_first_two_looks_keep_every_new_choice_at_its_default(name):
    """What documentary (and the shipped video's theme over it) draws is what it drew before themes had these
    choices: the defaults are its own, and its file sets none of them."""
    theme = load_theme(name)
    assert (theme.background, theme.shapes, theme.marks, theme.panels) == (Background(), Shapes(), Marks(), Panels())


def test_a_storyboard_overrides_a_looks_choices_one_value_at_a_time():
    theme = load_theme({"extends": "flat", "marks": {"style": "highlight"}, "shapes": {"style": "bands"}})
    flat = load_theme("flat")
    assert theme.marks.style == "highlight" and theme.marks.opacity == flat.marks.opacity
    assert theme.shapes.style == "bands" and theme.shapes.colors == flat.shapes.colors
    with pytest.raises(StoryboardError) as caught:
        load_theme({"extends": "editorial", "background": {"style": "marble"}})
    assert "gradient" in str(caught.value) and "paper" in str(caught.value)


def test_the_paper_is_the_same_sheet_every_time_and_at_every_size():
    """From one seed, made at one reference size: two renders draw the same grain, and a smaller frame is the
    same sheet, smaller (not another sheet of noise)."""
    small, again = backdrop.paper(320, 180, 1.0), backdrop.paper(320, 180, 1.0)
    assert np.array_equal(small, again) and small.std() > 0.5
    larger = backdrop.paper(640, 360, 1.0)
    shrunk = np.asarray(Image.fromarray(larger).resize((320, 180), Image.Resampling.BOX))
    assert np.corrcoef(small.ravel(), shrunk.ravel())[0, 1] > 0.95


@pytest.mark.parametrize("style", ["circles", "bands"])
def test_shapes_keep_clear_of_where_text_starts(style):
    """The shapes stay off the top-left of the frame, where every slide's heading and text start, and its
    left side, where lists and figures run: only the background's own colour is there."""
    width, height = 320, 180
    shapes = Shapes(style=style, colors=("#ffffff", "#000000"))
    pixels = np.asarray(backdrop.made(width, height, "#336699", "#336699", Background(style="flat"), shapes))
    assert (pixels[: height // 2, : width // 2] == ImageColor.getrgb("#336699")).all()
    assert (pixels[:, : width * 3 // 10] == ImageColor.getrgb("#336699")).all()
    assert (pixels != ImageColor.getrgb("#336699")).any(axis=2).mean() > 0.1  # and they are there


@pytest.mark.parametrize("style", ["underline", "highlight", "bar"])
def test_a_mark_lies_where_its_style_says(style):
    """underline: over the word's lower half; highlight: behind the whole word, above its capitals' top to below
    its baseline; bar: under the baseline only."""
    theme = load_theme({"extends": "documentary", "marks": {"style": style, "opacity": 1.0}})
    canvas = Canvas(640, 360, theme, FontBook(theme.fonts))
    block = canvas.fit("Border", "heading", 0.15, field="t", width=600, height=300, max_lines=1)
    context = SceneContext("Section", 1, SceneTiming((0.0,), 3.0, (("border", 1.0),)))
    (mark,) = kinetic.marks(block, (20, 40), canvas, context, 0.5)
    frame = Image.new("RGB", (640, 360), "black")
    mark.paint(frame, 1.0)
    rows = np.flatnonzero(np.asarray(frame).any(axis=2).any(axis=1))
    baseline, size = 40 + block.ascent, block.size
    if style == "highlight":
        assert rows[0] <= baseline - 0.75 * size and rows[-1] >= baseline + 0.15 * size
    elif style == "bar":
        assert rows[0] > baseline and rows[-1] - rows[0] >= 0.1 * size
    else:
        assert baseline - 0.7 * size < rows[0] < baseline < rows[-1]


def test_words_said_in_one_breath_are_one_mark_and_punctuation_is_left_out():
    """A highlighter block per word read as karaoke to a creator ("new", a gap, "reservoir"): words next to each
    other said within a phrase are one mark, run on under each as it is said; "canal." is marked to its l."""
    theme = load_theme({"extends": "documentary", "marks": {"style": "highlight", "opacity": 1.0}})
    canvas = Canvas(640, 360, theme, FontBook(theme.fonts))
    block = canvas.fit("A new reservoir canal.", "heading", 0.1, field="t", width=600, height=300, max_lines=1)
    words = (("new", 1.0), ("reservoir", 1.4), ("canal", 3.0))
    context = SceneContext("Section", 1, SceneTiming((0.0,), 5.0, words))
    phrase, alone = kinetic.marks(block, (20, 40), canvas, context, 0.5)
    assert (phrase.start, alone.start) == (1.0, 3.0)
    frame = Image.new("RGB", (640, 360), "black")
    phrase.paint(frame, 1.0)
    columns = np.flatnonzero(np.asarray(frame).any(axis=2).any(axis=0))
    space = 20 + block.font.getlength("A new ")
    assert np.all(np.diff(columns) == 1), "no gap between the words"
    assert columns[0] < 20 + block.font.getlength("A ") < space < columns[-1]
    halfway = Image.new("RGB", (640, 360), "black")
    phrase.paint(halfway, 0.2 / (phrase.duration))  # 0.2 s in: under "new" only, reservoir not said yet
    assert np.asarray(halfway).any(axis=2).any(axis=0)[round(space) + 5 :].sum() == 0
    end = Image.new("RGB", (640, 360), "black")
    alone.paint(end, 1.0)
    marked = np.flatnonzero(np.asarray(end).any(axis=2).any(axis=0))
    period = 20 + block.font.getlength("A new reservoir canal")
    assert marked[-1] < period + 0.1 * block.size, "the mark stops at the word, not past its full stop"


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_look_draws_korean_with_its_fallback(name):
    """조선 in any look's heading, body and label faces is borrowed, glyph by glyph, from the CJK fallback (the
    romanization without its breve: DM Serif Display has no ŏ, which the fallback then draws, in its sans)."""
    theme = load_theme(name)
    book = FontBook(theme.fonts)
    for role in ("heading", "body", "label"):
        runs = book.face(role, 40).runs("Joseon 조선")
        assert [part for _, part in runs] == ["Joseon ", "조선"], role
        assert runs[1][0].getmask("조").getbbox() is not None, role
    assert not book.missing
