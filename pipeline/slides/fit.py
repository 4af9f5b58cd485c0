"""The fit check: build each slide once, at the size it will be drawn, to find what cannot be drawn.

Text that cannot fit its box, a picture that cannot be opened, a place the
map does not know: each is a problem at the field that asked for it. A slide
found to fit is remembered under <cache>/fit/ by a key of all it is drawn
from, so checking an unchanged storyboard again builds nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__, cache
from pipeline.assets import Asset
from pipeline.errors import Problem
from pipeline.slides import KINDS
from pipeline.slides.base import Canvas, SceneContext, SpecBase
from pipeline.slides.problems import FitError, SlideError
from pipeline.yamlsrc import Path_, SourceMap

#: Part of the key under which a slide that fits is remembered: bump when layout code changes.
FIT_CHECK = "fit-2"


@dataclass(frozen=True)
class FitItem:
    """One scene's slide to check, and where it is written."""

    scene_id: str
    spec: SpecBase
    section_title: str
    section_number: int
    #: Where the scene is in the storyboard's data.
    place: Path_
    assets: tuple[Asset, ...]


def problems(items: Iterable[FitItem], canvas: Canvas, smap: SourceMap, cache_root: Path | None) -> list[Problem]:
    """Every problem drawing ``items`` on ``canvas`` finds (``cache_root``: where fitting slides are remembered)."""
    store = cache.Store(cache_root) if cache_root else None
    shared = {
        "version": [__version__, FIT_CHECK], "theme": canvas.theme.model_dump(mode="json"),
        "fonts": canvas.fonts.fingerprint(), "size": [canvas.width, canvas.height],
        "band": canvas.caption_band, "format": dataclasses.asdict(canvas.profile),
    }  # fmt: skip
    found: list[Problem] = []
    for item in items:
        slide = item.spec.model_dump(mode="json")
        digest = cache.key(
            {**shared, "slide": slide, "section": item.section_title, "files": {a.name: a.digest for a in item.assets}}
        )
        fits = store.path("fit", digest, "") if store else None
        if fits is not None and fits.exists():
            continue
        errors = item.spec.check()
        if not errors:
            try:
                files = {a.name: a.path for a in item.assets}
                context = SceneContext(item.section_title, item.section_number, assets=files)
                KINDS[item.spec.kind].build(item.spec, canvas, context)
            except SlideError as exc:
                errors = [exc]
        for exc in errors:
            found.append(smap.problem((*item.place, "slide", *exc.path), _message(exc, item, canvas)))
        if not errors and fits is not None:
            with contextlib.suppress(OSError):  # a read-only project still checks; it just checks again next time
                cache.write_bytes(fits, b"")
    return found


def _message(exc: SlideError, item: FitItem, canvas: Canvas) -> str:
    at = ""
    if isinstance(exc, FitError):
        at = f", at {canvas.width}x{canvas.height}"
        at += f" ({canvas.profile.name})" if canvas.profile.name != "wide" else ""
        at += " above burned-in captions" if canvas.caption_band else ""
    return f"{exc} (scene '{item.scene_id}', {item.spec.kind}.{exc.field}{at})"
