"""Each slide kind, drawn small: content where it belongs, entrances that move, nothing outside the safe area."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from pipeline.slides import KINDS
from pipeline.slides.base import Canvas, SceneContext
from pipeline.slides.fonts import FontBook
from pipeline.slides.motion import text_sprite
from pipeline.slides.text import FitError
from pipeline.storyboard import _load_theme
from pipeline.yamlsrc import SourceMap

W, H = 320, 180

SPECS = {
    "title": {"kind": "title", "title": "Why It's Hard to Escape", "subtitle": "A short subtitle", "kicker": "Kicker"},
    "stat": {"kind": "stat", "value": 34000, "label": "defectors since 1990", "source": "Ministry of Unification"},
    "bullets": {
        "kind": "bullets",
        "title": "Three sides",
        "items": ["West: Yellow Sea", "East: Sea of Japan", "South"],
    },
    "quote": {"kind": "quote", "text": "No parallel in the contemporary world.", "attribution": "UN inquiry, 2014"},
    "compare": {
        "kind": "compare",
        "before": {"value": "$2,000", "label": "before"},
        "after": {"value": "$10,000", "label": "after"},
        "change": "5x",
    },
    "chart": {"kind": "chart", "labels": ["2009", "2019", "2021"], "values": [3000, 1000, 60], "source": "MOU"},
    "closing": {"kind": "closing", "title": "The world's largest prison", "lines": ["Almost no one escapes now."]},
}


@pytest.fixture(scope="module")
def canvas() -> Canvas:
    theme = _load_theme("documentary", None, SourceMap("test"))
    return Canvas(W, H, theme, FontBook(theme.fonts))


def build(canvas, spec):
    module = KINDS[spec["kind"]]
    return module.build(module.Spec.model_validate(spec), canvas, SceneContext("Section", 2))


def drawn(slide) -> np.ndarray:
    """Mask of pixels the slide's elements changed relative to its background."""
    diff = np.abs(slide.still().astype(int) - np.asarray(slide.background).astype(int)).max(axis=2)
    return diff > 40


def test_every_registered_kind_is_covered():
    assert set(SPECS) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_kind_draws_content_inside_the_safe_area_and_enters(canvas, kind):
    slide = build(canvas, SPECS[kind])
    mask = drawn(slide)
    assert mask.sum() > 150, "the slide drew (almost) nothing"
    ys, xs = np.nonzero(mask)
    safe = canvas.safe
    assert xs.min() >= safe.x0 - 1 and xs.max() <= safe.x1 + 1
    assert ys.min() >= safe.y0 - 1 and ys.max() <= safe.y1 + 1
    assert slide.settle_time > 0.3
    first = slide.frame(0.0)
    assert (first != slide.still()).any(), "no entrance: the first frame is already the still"
    assert slide.frame(slide.settle_time + 5) is slide.still(), "the hold must reuse one still frame"


def test_stat_counts_up(canvas):
    slide = build(canvas, SPECS["stat"])
    early, late = slide.frame(0.5), slide.still()
    accent = np.array([0xE5, 0x38, 0x3B])

    def accent_pixels(frame):
        return (np.abs(frame.astype(int) - accent).max(axis=2) < 60).sum()

    # Mid-count the figure is a smaller number with fewer digits lit than "34,000".
    assert 0 < accent_pixels(early) < accent_pixels(late)


def test_chart_bar_heights_follow_the_data(canvas):
    spec = dict(SPECS["chart"], labels=["a", "b"], values=[100, 50], source=None)
    slide = build(canvas, spec)
    frame = slide.still().astype(int)
    accent = np.array([0xE5, 0x38, 0x3B])
    is_bar = np.abs(frame - accent).max(axis=2) < 40
    safe = canvas.safe
    centers = [round(safe.x0 + safe.width / 2 * (i + 0.5)) for i in range(2)]
    heights = [is_bar[:, x].sum() for x in centers]
    assert heights[0] > 20
    assert abs(heights[1] / heights[0] - 0.5) < 0.05


def test_bullets_enter_one_after_another(canvas):
    slide = build(canvas, SPECS["bullets"])
    starts = [e.start for e in slide.elements]  # title, then the items in order
    assert len(starts) == 4 and all(b > a for a, b in itertools.pairwise(starts))


def test_text_that_cannot_fit_raises_fit_error_for_the_field(canvas):
    with pytest.raises(FitError) as info:
        build(canvas, {"kind": "quote", "text": " ".join(["unbelievably"] * 120)})
    assert info.value.field == "text"


def test_descenders_are_not_clipped(canvas):
    block = canvas.fit("gjpqy", "heading", 0.2, field="t", width=W, height=H, max_lines=1)
    ink = np.asarray(text_sprite(block, "#ffffff").getchannel("A")) > 0
    rows = np.nonzero(ink.any(axis=1))[0]
    # Descenders hang well below the baseline, and the block is tall enough to hold them.
    assert rows.max() - block.ascent >= block.size * 0.15
    assert rows.max() < ink.shape[0] - 1
