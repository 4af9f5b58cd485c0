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


@pytest.mark.parametrize("fmt", ["wide", "vertical"])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("kind", sorted(CARDS))
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
