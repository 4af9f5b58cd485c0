"""A text card with nothing beside its text uses the frame (issue 39): each text-led kind, in each look, wide and
tall, fills at least 60% of the motion benchmark's grid (tests/benchmark_motion.py's ``fill``, on its grey copy of
the settled still), where left-aligned type on an empty background filled 15-50%."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.core.formats import FORMATS
from pipeline.drawing.slides.base import Canvas
from pipeline.drawing.slides.chrome import background
from tests.benchmark_motion import FILL_SIZE, fill
from tests.test_slides import FORMAT_SIZES, H, W, build, small_canvas, source

#: The issue's target: no text card leaving more than 40% of the frame empty.
LEAST = 0.6
#: Text-only cards as a storyboard writes them: a statement (a title alone), a short figure, a short quote...
CARDS = {
    "title": {"kind": "title", "title": "Why It's Hard to Escape", "subtitle": "A short subtitle", "kicker": "Kicker"},
    "statement": {"kind": "title", "title": "Almost no one gets out"},
    "stat": {"kind": "stat", "value": 997, "label": "people in 2019", "source": "Ministry of Unification"},
    "bullets": {"kind": "bullets", "title": "Three sides", "items": ["West: Yellow Sea", "East: Sea of Japan"]},
    "quote": {"kind": "quote", "text": "No parallel in the contemporary world.", "attribution": "UN inquiry, 2014"},
    "compare": {
        "kind": "compare", "title": "A broker's fee",
        "before": {"value": "$2,000", "label": "before"}, "after": {"value": "$10,000", "label": "after"},
    },
    "closing": {"kind": "closing", "title": "The world's largest prison", "lines": ["Almost no one escapes now."]},
    "section": {"kind": "section", "subtitle": "Through China"},
}  # fmt: skip
THEMES = ("documentary", "editorial", "flat", "daylight")


def filled(frame: np.ndarray) -> float:
    """The benchmark's figure for one frame: its grey copy at the benchmark's size, then the grid's share."""
    grey = Image.fromarray(frame).convert("L").resize(FILL_SIZE, Image.Resampling.BOX)
    return fill(np.asarray(grey))


#: Cards whose own content fills them, drawn on the plain background: a comparison's two halves. Its fill is what its
#: figures take (about 35-45% of a wide frame, 25-35% of a tall one, whose safe area is short); the theme's pattern
#: under it once raised that to 60%, texture a viewer read as decoration (issue 39's judge), not content.
OWN = {"compare"}


@pytest.mark.parametrize("fmt", ["wide", "vertical"])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("kind", sorted(set(CARDS) - OWN))
def test_a_text_card_with_nothing_beside_it_fills_the_frame(kind, theme, fmt):
    base = small_canvas(theme=theme)
    size = (W, H) if fmt == "wide" else FORMAT_SIZES[fmt]
    canvas = Canvas(*size, base.theme, base.fonts, profile=FORMATS[fmt])
    scene = source(canvas, CARDS[kind], sentence_starts=(0.5, 1.5), duration=6.0)
    try:
        share = filled(scene.still())
    finally:
        scene.close()
    assert share >= LEAST, f"{kind} in {theme} ({fmt}) fills {share:.0%} of the frame"


def test_the_ornament_is_only_under_a_card_with_nothing_beside_its_text():
    """Beside a visual, or with its own graphic only (a ring), the text keeps its sizes; the background is plain
    beside a visual and carries the ornament on a bare card."""
    canvas = small_canvas()
    plain = np.asarray(background(canvas))
    bare = np.asarray(build(canvas, CARDS["statement"]).base)
    beside = np.asarray(build(canvas, {**CARDS["statement"], "visual": {"icon": "bolt"}}).base)
    assert np.array_equal(beside, plain)
    assert not np.array_equal(bare, plain)
    assert filled(bare) > filled(plain) + 0.3, "the ornament takes the part of the frame the text leaves"


def test_no_pattern_under_a_card_that_shows_something_of_its_own():
    """A comparison fills its halves and a figure with its own icon has its graphic: neither stands on the theme's
    pattern, which is kept for a card with truly nothing to show (issue 39: texture under them read as filler)."""
    canvas = small_canvas()
    plain = np.asarray(background(canvas))
    whole = {"value": 25700000, "label": "people"}
    shown = [CARDS["compare"], {**CARDS["stat"], "icon": "droplet"}, {**CARDS["stat"], "of": whole}]
    for spec in shown:
        assert np.array_equal(np.asarray(build(canvas, spec).base)[H // 8 :], plain[H // 8 :]), spec["kind"]
    assert not np.array_equal(np.asarray(build(canvas, CARDS["stat"]).base), plain), "a bare figure keeps it"


@pytest.mark.parametrize("fmt", ["wide", "vertical"])
def test_a_comparison_on_a_bare_card_fills_what_its_figures_can(fmt):
    """Without the pattern, a bare comparison is set large (its figures grown to their halves, its bars slabs): a
    wide frame is still a third full, a tall one (its safe area short) a fifth. The grid's figure hardly moves with
    the type's size (measured: within 3 points); the pattern was what had raised it to 60%."""
    base = small_canvas()
    size = (W, H) if fmt == "wide" else FORMAT_SIZES[fmt]
    canvas = Canvas(*size, base.theme, base.fonts, profile=FORMATS[fmt])
    bare = filled(source(canvas, CARDS["compare"]).still())
    assert bare >= (0.3 if fmt == "wide" else 0.2)
