"""Golden images: every kind drawn at 320x180, settled and mid-entrance, against stored PNGs.

After an intended visual change, look at the new frames and run
``pytest tests/test_golden.py --update-golden``. A failing comparison writes
the actual frame and an amplified difference to tests/_artifacts/golden/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.test_slides import SPECS, build, small_canvas

GOLDEN = Path(__file__).parent / "golden"
ARTIFACTS = Path(__file__).parent / "_artifacts" / "golden"
#: Mean absolute difference per channel (0-255) allowed, and the share of pixels allowed to differ by more than 48.
MEAN_TOLERANCE = 1.5
OUTLIER_SHARE = 0.002


#: The options each kind grew for topics beyond the first video, each with its own golden images.
VARIANTS = {
    "stat-range": {"kind": "stat", "qualifier": "about", "value": "5\u20137", "unit": "days", "label": "on foot"},
    "stat-share": {"kind": "stat", "value": 73, "unit": "%", "label": "of the country is mountains"},
    "stat-of": {"kind": "stat", "value": 34000, "label": "have escaped", "of": {"value": 25700000, "label": "people"}},
    "stat-minus": {"kind": "stat", "value": "\u221240", "unit": "\u00b0C", "label": "on the coldest nights"},
    "compare-versus": {
        "kind": "compare", "mode": "versus",
        "before": {"value": "20 hours", "label": "by car"}, "after": {"value": "2 hours", "label": "by plane"},
    },
    "chart-negative": {
        "kind": "chart", "type": "line", "labels": ["Jan", "Apr", "Jul", "Oct"], "values": [-38.6, -4.8, 19.5, -7.8],
        "value_suffix": "\u00b0", "x_title": "Month", "y_title": "Temperature (\u00b0C)",
    },
    "timeline-time": {
        "kind": "timeline", "spacing": "time",
        "events": [{"date": "Dec 1911", "text": "Pole"}, {"date": 1959, "text": "Treaty"}, {"date": 1991, "text": "B"}],
    },
    "steps-icons": {
        "kind": "steps",
        "steps": [
            {"text": "Held", "icon": "water"}, {"text": "Spun", "icon": "fan"}, {"text": "Power", "icon": "bolt"}
        ],
    },
    "bullets-ten": {"kind": "bullets", "title": "Ten", "items": [f"Point {i}" for i in range(1, 11)]},
    "route-areas": {
        "kind": "route", "title": "Claims",
        "areas": [{"sector": [-74, -25], "south_of": -60, "label": "A"}, {"sector": [-80, -20], "south_of": -60}],
    },
    "route-alternative": {"kind": "route", "stops": ["Lagos", {"places": ["Cairo"], "style": "alternative"}]},
    "route-via": {
        "kind": "route",
        "stops": ["Singapore", {"places": ["Rotterdam"], "via": ["Suez Canal"]},
                  {"places": ["Rotterdam"], "from": "Singapore", "via": ["Cape Town"], "style": "alternative"}],
    },
}  # fmt: skip
ALL = {**SPECS, **VARIANTS}


@pytest.fixture(scope="module")
def canvas():
    return small_canvas()


def frames(canvas, kind: str) -> dict[str, np.ndarray]:
    slide = build(canvas, ALL[kind], sentence_starts=(0.5, 1.5, 2.5), duration=6.0)
    return {"settled": slide.still(), "entering": slide.frame(0.45)}


@pytest.mark.parametrize(
    ("theme", "kind"),
    [("documentary", kind) for kind in sorted(ALL)] + [("daylight", kind) for kind in sorted(ALL)],
)
def test_kind_matches_its_golden_images(theme, kind, update_golden):
    canvas = small_canvas(theme=theme)
    folder = GOLDEN if theme == "documentary" else GOLDEN / theme
    for moment, frame in frames(canvas, kind).items():
        path = folder / f"{kind}-{moment}.png"
        if update_golden or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(frame).save(path)
            if not update_golden:
                pytest.fail(f"no golden image yet; wrote {path} - look at it, then commit it")
            continue
        expected = np.asarray(Image.open(path).convert("RGB")).astype(int)
        diff = np.abs(frame.astype(int) - expected)
        mean, outliers = diff.mean(), (diff.max(axis=2) > 48).mean()
        if mean > MEAN_TOLERANCE or outliers > OUTLIER_SHARE:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            Image.fromarray(frame).save(ARTIFACTS / f"{kind}-{moment}-actual.png")
            Image.fromarray(np.clip(diff * 4, 0, 255).astype(np.uint8)).save(ARTIFACTS / f"{kind}-{moment}-diff.png")
            pytest.fail(
                f"{kind} ({moment}) differs from {path.name}: mean {mean:.2f}, {outliers:.2%} of pixels far off; "
                f"see {ARTIFACTS}; if the change is intended, rerun with --update-golden"
            )


def test_a_changed_drawing_is_caught(canvas):
    """The comparison is not vacuous: a 2-pixel shift of the title slide fails the tolerance."""
    frame = frames(canvas, "title")["settled"]
    shifted = np.roll(frame, 2, axis=1)
    diff = np.abs(frame.astype(int) - shifted.astype(int))
    assert diff.mean() > MEAN_TOLERANCE or (diff.max(axis=2) > 48).mean() > OUTLIER_SHARE
