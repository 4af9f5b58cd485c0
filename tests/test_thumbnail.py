"""The designed thumbnail: the title shortened to its key words, the storyboard's forms of ``thumbnail:``, the
strongest visual chosen, its located errors, its cache key, and golden images at 320x180 in each look."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

import pipeline
from pipeline.core.errors import StoryboardError
from pipeline.core.formats import FORMATS, Frame
from pipeline.drawing import thumbnail as thumbnails
from pipeline.drawing.slides.base import Canvas, SceneContext
from pipeline.drawing.slides.fonts import FontBook
from pipeline.drawing.slides.theme import load as load_theme
from pipeline.drawing.slides.visual import MapBackdrop, Visual
from pipeline.rendering import stills
from tests.test_golden import GOLDEN, _matches
from tests.test_slides import PICTURE

STORY = """\
    title: Why It's Nearly Impossible to Escape North Korea
    {thumb}
    sections:
      - title: One
        scenes:
          - id: cover
            slide:
              kind: title
              title: Escape
              backdrop: {{map: {{show: [Korea], highlight: [North Korea], style: flat}}}}
            narration: First.
          - id: tools
            slide: {{kind: stat, value: 3, label: tools, visual: {{icon: ship}}}}
            narration: Second.
    """


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Why It's Nearly Impossible to Escape North Korea", "Impossible Escape North Korea"),
        ("Why the Panama Canal Needs Rain", "Panama Canal Needs Rain"),
        ("How a Bill Becomes a Law", "Bill Becomes Law"),
        ("The long way out of North Korea", "way out North Korea"),
        ("Why?", "Why"),
    ],
)
def test_a_title_is_shortened_to_its_key_words(title, words):
    assert " ".join(thumbnails.key_words(title)) == words


def test_stars_mark_the_accent_words():
    assert thumbnails.marked("The *impossible escape*") == [("The", False), ("impossible", True), ("escape", True)]


def test_the_forms_of_the_thumbnail_field(project):
    def loaded(thumb: str):
        return pipeline.load(project(STORY.format(thumb=thumb)))

    default = loaded("")
    assert stills.thumbnail_source(default).id == "cover", "the title's backdrop: a lit map"
    lit = ["North Korea"]
    assert stills.thumbnail_words(default, lit) == [
        ("Impossible", False), ("Escape", False), ("North", True), ("Korea", True)
    ], "the lit country's name in the accent"  # fmt: skip
    named = loaded("thumbnail: tools")
    assert stills.thumbnail_field(named).scene == "tools" and stills.thumbnail_source(named).id == "tools"
    given = loaded("thumbnail: {text: 'No *way* out', visual: {icon: door-open}}")
    assert stills.thumbnail_source(given) is None and stills.thumbnail_field(given).visual.icon == "door-open"
    assert stills.thumbnail_words(given, lit) == [("No", False), ("way", True), ("out", False)]
    image = stills.thumbnail(given, Frame(320, 180, 10, FORMATS["wide"]))
    assert image.size == FORMATS["wide"].thumbnail


def test_a_picture_scene_is_a_thumbnails_visual(project):
    """A picture scene (the image kind) names its picture 'file'; its spec's 'picture' is the method giving the
    fields of its look, which the thumbnail took for a file name: every render with a picture scene and no map
    failed with a traceback."""
    import shutil

    path = project(
        """\
        title: The Harbour at Night
        sections:
          - title: One
            scenes:
              - id: open
                slide: {kind: title, title: The Harbour}
                narration: First.
              - id: harbour
                slide: {kind: image, file: assets/picture.png}
                narration: Second.
        """
    )
    shutil.copy(PICTURE, path.parent / "assets" / "picture.png")
    loaded = pipeline.load(path)
    assert stills.thumbnail_source(loaded).id == "harbour"
    image = stills.thumbnail(loaded, Frame(320, 180, 10, FORMATS["wide"]))
    assert image.size == FORMATS["wide"].thumbnail and np.asarray(image).std() > 10


def test_the_cache_key_follows_the_thumbnail_field_only(project):
    def inputs(thumb: str, narration: str = "Second."):
        text = STORY.format(thumb=thumb).replace("narration: Second.", f"narration: {narration}")
        return stills.thumbnail_inputs(pipeline.load(project(text)))

    assert inputs("") == inputs("", "Second, said otherwise.")
    assert inputs("") != inputs("thumbnail: {text: Escape *North Korea*}")
    assert inputs("thumbnail: cover")[0] == "cover" and inputs("thumbnail: tools")[0] == "tools"


@pytest.mark.parametrize(
    ("thumb", "where", "says"),
    [
        ("thumbnail: {text: One two three four five six}", (2, 19), "6 words; a thumbnail shows at most 5"),
        ("thumbnail: {text: 'An *open star'}", (2, 19), "a '*' is not closed"),
        ("thumbnail: {visual: {icon: shipp}}", (2, 28), "'shipp'"),
        ("thumbnail: {visual: {picture: assets/none.png}}", (2, 31), "no picture at 'assets/none.png'"),
        ("thumbnail: {scene: tool}", (2, 20), "no scene 'tool' (did you mean 'tools'?)"),
    ],
)
def test_a_wrong_thumbnail_field_is_reported_where_it_is(project, thumb, where, says):
    with pytest.raises(StoryboardError) as caught:
        pipeline.load(project(STORY.format(thumb=thumb)))
    found = [(p.line, p.column, p.message) for p in caught.value.problems]
    assert any((line, column) == where and says in message for line, column, message in found), found


def _canvas(theme: str) -> Canvas:
    look = load_theme(theme)
    return Canvas(320, 180, look, FontBook(look.fonts))


WORDS = [("Impossible", False), ("Escape", False), ("North", True), ("Korea", True)]


@pytest.mark.parametrize("theme", ["documentary", "editorial", "flat", "daylight"])
def test_a_map_thumbnail_matches_its_golden_image(theme, update_golden):
    canvas = _canvas(theme)
    seen = MapBackdrop(show=["North Korea"], highlight=["North Korea"], style="flat")
    shown, lit = stills.thumbnail_visual(seen, canvas, SceneContext("One", 1))
    assert lit == ["North Korea"] and shown.lit is not None
    image = np.asarray(thumbnails.draw(WORDS, shown, canvas))
    _matches(image, GOLDEN / "thumbnail" / f"{theme}-map.png", update_golden)


@pytest.mark.parametrize(("theme", "seen"), [("documentary", Visual(icon="ship")), ("flat", Visual(picture="p.png"))])
def test_an_icon_or_picture_thumbnail_matches_its_golden_image(theme, seen, update_golden):
    canvas = _canvas(theme)
    shown, _ = stills.thumbnail_visual(seen, canvas, SceneContext("One", 1, assets={"p.png": PICTURE}))
    image = np.asarray(thumbnails.draw(WORDS[:2], shown, canvas))
    _matches(image, GOLDEN / "thumbnail" / f"{theme}-{'icon' if seen.icon else 'picture'}.png", update_golden)


def test_the_duration_badge_corner_is_left_to_the_visual():
    """Nothing of the design (words, arrow, bar) is drawn in the bottom-right corner YouTube covers."""
    canvas = _canvas("documentary")
    plain = thumbnails.Shown(picture=Image.new("RGB", (320, 180), (40, 90, 160)))
    bare = np.asarray(thumbnails.draw([], dataclasses.replace(plain), canvas)).astype(int)
    drawn = np.asarray(thumbnails.draw(WORDS, plain, canvas)).astype(int)
    w, h = round(320 * thumbnails.BADGE[0]), round(180 * thumbnails.BADGE[1])
    assert np.abs(drawn[-h:, -w:] - bare[-h:, -w:]).max() == 0
