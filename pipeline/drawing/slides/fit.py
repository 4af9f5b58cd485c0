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

from pipeline import __version__
from pipeline.core import cache
from pipeline.core.assets import Asset
from pipeline.core.errors import Problem
from pipeline.core.lock import sharing
from pipeline.core.yamlsrc import Path_, SourceMap
from pipeline.drawing.slides import KINDS
from pipeline.drawing.slides.base import Canvas, SceneContext, SpecBase
from pipeline.drawing.slides.fonts import cannot_draw
from pipeline.drawing.slides.problems import FitError, SlideError
from pipeline.drawing.slides.theme import Layout

#: Part of the key under which a slide that fits is remembered: bump when layout code changes (why each bump was
#: made: git log -S 'fit-N' pipeline/drawing/slides/fit.py).
FIT_CHECK = "fit-21-layouts"


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
    #: Where its visual goes (drawing/layouts.py), as the render will draw it.
    layout: Layout = "right"


def problems(items: Iterable[FitItem], canvas: Canvas, smap: SourceMap, cache_root: Path | None) -> list[Problem]:
    """Every problem drawing ``items`` on ``canvas`` finds (``cache_root``: where fitting slides are remembered)."""
    store = cache.Store(cache_root) if cache_root else None
    fitting: list[Path] = []
    found = _problems(items, canvas, smap, store, fitting)
    if fitting and store:
        with sharing(store), contextlib.suppress(OSError):  # a read-only project still checks, again next time
            for path in fitting:
                cache.write_bytes(path, b"")
    return found


def _problems(
    items: Iterable[FitItem], canvas: Canvas, smap: SourceMap, store: cache.Store | None, fitting: list[Path]
) -> list[Problem]:
    """The problems of ``items``; adds to ``fitting`` the cache entries of the slides found to fit."""
    shared = {
        "version": [__version__, FIT_CHECK], "theme": canvas.theme.model_dump(mode="json"),
        "fonts": canvas.fonts.fingerprint(), "size": [canvas.width, canvas.height],
        "band": canvas.caption_band, "format": dataclasses.asdict(canvas.profile),
    }  # fmt: skip
    found: list[Problem] = []
    for item in items:
        slide = item.spec.model_dump(mode="json")
        digest = cache.key(
            {**shared, "slide": slide, "section": item.section_title, "files": {a.name: a.digest for a in item.assets},
             **({"layout": item.layout} if item.layout != "right" else {})}
        )  # fmt: skip
        fits = store.path("fit", digest, "") if store else None
        if fits is not None and fits.exists():
            continue
        errors = item.spec.problems()
        unknown: list[tuple[Path_, str]] = []
        if not errors:
            canvas.fonts.missing.clear()
            try:
                files = {a.name: a.path for a in item.assets}
                context = SceneContext(item.section_title, item.section_number, assets=files, layout=item.layout)
                KINDS[item.spec.kind].build(item.spec, canvas, context)
            except SlideError as exc:
                errors = [exc]
            unknown = _undrawn(item, canvas.fonts.missing)
            found += [smap.problem(path, message) for path, message in unknown]
        for exc in errors:
            found.append(smap.problem((*item.place, "slide", *exc.path), _message(exc, item, canvas)))
        if not errors and not unknown and fits is not None:  # remembered only when it drew whole
            fitting.append(fits)
    return found


def spec_problems(items: Iterable[FitItem], smap: SourceMap) -> list[Problem]:
    """The problems of ``items`` found without laying them out (unknown places, icons, mismatched lists), for a
    storyboard whose look cannot be loaded: its other mistakes are still said in the same round."""
    return [
        smap.problem((*item.place, "slide", *exc.path), _message(exc, item, None))
        for item in items
        for exc in item.spec.problems()
    ]


def _undrawn(item: FitItem, missing: set[str]) -> list[tuple[Path_, str]]:
    """Each text of the slide (or its section title) with characters no font has: where it is and what to do."""
    if not missing:
        return []
    files = set(item.spec.asset_files())
    texts = [((*item.place[:2], "title"), item.section_title)]
    texts += [
        ((*item.place, "slide", *path), text) for path, text in _strings(item.spec.model_dump()) if text not in files
    ]
    out = []
    for path, text in texts:
        chars = [c for c in dict.fromkeys(text) if c in missing]
        if chars:
            out.append((path, cannot_draw(chars)))
    return out


def _strings(data: object, path: Path_ = ()) -> list[tuple[Path_, str]]:
    if isinstance(data, str):
        return [(path, data)]
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in _strings(value, (*path, key))]
    if isinstance(data, (list, tuple)):
        return [found for i, value in enumerate(data) for found in _strings(value, (*path, i))]
    return []


def _message(exc: SlideError, item: FitItem, canvas: Canvas | None) -> str:
    at = ""
    if isinstance(exc, FitError) and canvas is not None:
        at = f", at {canvas.width}x{canvas.height}"
        at += f" ({canvas.profile.name})" if canvas.profile.name != "wide" else ""
        at += " above burned-in captions" if canvas.caption_band else ""
    return f"{exc} (scene '{item.scene_id}', {item.spec.kind}.{exc.field}{at})"
