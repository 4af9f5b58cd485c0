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

from tests.test_slides import ALL, small_canvas, source

GOLDEN = Path(__file__).parent / "golden"
ARTIFACTS = Path(__file__).parent / "_artifacts" / "golden"
#: Mean absolute difference per channel (0-255) allowed, and the share of pixels allowed to differ by more than 48.
MEAN_TOLERANCE = 1.5
OUTLIER_SHARE = 0.002


@pytest.fixture(scope="module")
def canvas():
    return small_canvas()


def frames(canvas, kind: str) -> dict[str, np.ndarray]:
    """The settled frame and one mid-entrance, from the kind's scene source (footage is under the video's text)."""
    scene = source(canvas, ALL[kind], sentence_starts=(0.5, 1.5, 2.5), duration=6.0)
    try:
        return {"settled": scene.still(), "entering": scene.frame(0.45)}
    finally:
        scene.close()


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
