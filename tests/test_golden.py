"""Golden images: every kind drawn at 320x180, settled and mid-entrance, in documentary and daylight, against
stored PNGs; settled in every other format in test_slides.FORMAT_SIZES (at a quarter of its size), in
tests/golden/<format>/; and a few kinds in the looks that draw differently (paper, shapes, marks, panels), with
words said so that their marks show, in tests/golden/<theme>/.

After an intended visual change, look at the new frames and run
``pytest tests/test_golden.py --update-golden -k NAME``, NAME the kind or format changed: without ``-k``
every image is written again, unrelated ones too. A missing image is written (and its test fails once, to be
looked at). A failing comparison writes the actual frame and an amplified difference to tests/_artifacts/golden/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.core.formats import FORMATS
from pipeline.drawing.slides import KINDS
from pipeline.drawing.slides.base import Canvas, SceneContext
from pipeline.drawing.sources import open_source
from pipeline.drawing.timing import SceneTiming
from tests.test_slides import ALL, FORMAT_SIZES, PICTURE, small_canvas, source

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
    # The daylight look in the slow tier: the fast tier draws each kind in the documentary look.
    [("documentary", kind) for kind in sorted(ALL)]
    + [pytest.param("daylight", kind, marks=pytest.mark.slow) for kind in sorted(ALL)],
)
def test_kind_matches_its_golden_images(theme, kind, update_golden):
    canvas = small_canvas(theme=theme)
    folder = GOLDEN if theme == "documentary" else GOLDEN / theme
    for moment, frame in frames(canvas, kind).items():
        _matches(frame, folder / f"{kind}-{moment}.png", update_golden)


@pytest.mark.parametrize(
    "fmt", [f if f == "vertical" else pytest.param(f, marks=pytest.mark.slow) for f in sorted(FORMAT_SIZES)]
)  # vertical, the format that differs most, in the fast tier; the others in the full run
@pytest.mark.parametrize("kind", sorted(ALL))
def test_kind_matches_its_golden_image_in_each_format(fmt, kind, update_golden):
    theme = small_canvas().theme
    canvas = Canvas(*FORMAT_SIZES[fmt], theme, small_canvas().fonts, profile=FORMATS[fmt])
    _matches(frames(canvas, kind)["settled"], GOLDEN / fmt / f"{kind}-settled.png", update_golden)


#: The looks whose backgrounds, shapes, marks and panels differ in kind, and the kinds that show them: a title with
#: a picture, a list and a stat with words marked, a section card.
LOOKS = ("editorial", "flat")
LOOK_KINDS = ("title-visual", "bullets-visual", "stat", "section")
#: Words the narrator says, and when: each kind above has one or two of them on screen to mark.
SAID = (("hard", 1.4), ("three", 1.5), ("sides", 1.7), ("leaving", 1.5), ("prison", 2.0), ("defectors", 1.6))


@pytest.mark.parametrize("kind", LOOK_KINDS)
@pytest.mark.parametrize("theme", LOOKS)
def test_a_look_matches_its_golden_images(theme, kind, update_golden):
    canvas = small_canvas(theme=theme)
    timing = SceneTiming((0.5, 1.5, 2.5), 6.0, SAID)
    context = SceneContext("Section", 2, timing, {"picture.png": PICTURE})
    scene = open_source(KINDS[ALL[kind]["kind"]].spec.model_validate(ALL[kind]), canvas, context)
    try:
        for moment, frame in {"settled": scene.still(), "entering": scene.frame(0.45)}.items():
            _matches(frame, GOLDEN / theme / f"{kind}-{moment}.png", update_golden)
    finally:
        scene.close()


#: Each layout a slide with a visual takes (drawing/layouts.py) and slides that show it: the visual on the left of a
#: stat over its backdrop (the picture faded on the right, under the text) and of a list; a picture over the whole
#: frame under a title and a quote, set as a lower third. The left in a wide frame only (a tall one keeps the visual
#: under the text); the whole frame in each format.
LAYOUT_KINDS = {
    "left": ("stat-backdrop", "bullets-visual"),
    "full": ("title-visual", "quote-picture"),
}
QUOTE_PICTURE = {
    "kind": "quote", "text": "A state without parallel.", "attribution": "A report",
    "visual": {"picture": "picture.png"},
}  # fmt: skip


@pytest.mark.parametrize(
    ("layout", "kind", "fmt"),
    [(layout, kind, "wide") for layout, kinds in LAYOUT_KINDS.items() for kind in kinds]
    + [("full", kind, fmt) for kind in LAYOUT_KINDS["full"] for fmt in sorted(FORMAT_SIZES)],
)
def test_a_layout_matches_its_golden_image(layout, kind, fmt, update_golden):
    base = small_canvas()
    size = (base.width, base.height) if fmt == "wide" else FORMAT_SIZES[fmt]
    canvas = Canvas(*size, base.theme, base.fonts, profile=FORMATS[fmt])
    spec = QUOTE_PICTURE if kind == "quote-picture" else ALL[kind]
    context = SceneContext("Section", 2, SceneTiming((0.5, 1.5), 6.0), {"picture.png": PICTURE}, layout=layout)
    scene = open_source(KINDS[spec["kind"]].spec.model_validate(spec), canvas, context)
    try:
        _matches(scene.still(), GOLDEN / "layouts" / f"{layout}-{kind}-{fmt}.png", update_golden)
    finally:
        scene.close()


def _matches(frame: np.ndarray, path: Path, update_golden: bool) -> None:
    """``frame`` is the golden image at ``path`` within the tolerance (written when asked, or when missing)."""
    if update_golden or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame).save(path)
        if not update_golden:
            pytest.fail(f"no golden image yet; wrote {path} - look at it, then commit it")
        return
    expected = np.asarray(Image.open(path).convert("RGB")).astype(int)
    diff = np.abs(frame.astype(int) - expected)
    mean, outliers = diff.mean(), (diff.max(axis=2) > 48).mean()
    if mean > MEAN_TOLERANCE or outliers > OUTLIER_SHARE:
        name = f"{path.parent.name}-{path.stem}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame).save(ARTIFACTS / f"{name}-actual.png")
        Image.fromarray(np.clip(diff * 4, 0, 255).astype(np.uint8)).save(ARTIFACTS / f"{name}-diff.png")
        pytest.fail(
            f"{path.stem} differs from {path}: mean {mean:.2f}, {outliers:.2%} of pixels far off; "
            f"see {ARTIFACTS}; if the change is intended, rerun with --update-golden"
        )


def test_a_changed_drawing_is_caught(canvas):
    """The comparison is not vacuous: a 2-pixel shift of the title slide fails the tolerance."""
    frame = frames(canvas, "title")["settled"]
    shifted = np.roll(frame, 2, axis=1)
    diff = np.abs(frame.astype(int) - shifted.astype(int))
    assert diff.mean() > MEAN_TOLERANCE or (diff.max(axis=2) > 48).mean() > OUTLIER_SHARE
