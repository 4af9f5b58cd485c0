"""The shipped storyboard fits every format in every built-in look: a layout that grows its type to fill the frame
must still leave each text room in a square or vertical frame (a timeline's larger dates once left its texts too
little room in a square one, and only `validate --format square` said so)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import pipeline
from pipeline import RenderOptions
from pipeline.core.formats import FORMATS
from pipeline.drawing.slides.theme import BUILTIN_DIR

REPO = Path(__file__).resolve().parent.parent
LOOKS = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("look", LOOKS)
def test_the_shipped_storyboard_fits_every_format_in_every_look(look, tmp_path):
    shutil.copytree(REPO / "assets", tmp_path / "assets")
    story = (REPO / "script" / "escape-north-korea.yaml").read_text(encoding="utf-8")
    assert "\ntheme: north-korea\n" in story
    (tmp_path / "script").mkdir()
    target = tmp_path / "script" / "escape-north-korea.yaml"
    target.write_text(story.replace("\ntheme: north-korea\n", f"\ntheme: {look}\n"), encoding="utf-8")
    for name in FORMATS:
        pipeline.validate(
            target, RenderOptions(format=name, cache_dir=tmp_path / "cache")
        )  # raises when a text does not fit
