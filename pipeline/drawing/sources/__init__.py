"""Scene sources, keyed by the slide kind that asks for them; every drawn kind is a ``slide`` source.

A new source (a video clip, ...) is one module with ``open_source(spec,
canvas, context) -> SceneSource`` and a ``KIND = SourceKind(open_source, ...)``
(with its own length, sound and prepared media if it has them), plus one line
in ``SOURCES`` naming the slide kind whose scenes it makes.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core.assets import Asset
from pipeline.core.cache import Store
from pipeline.core.formats import Frame
from pipeline.drawing.slides.base import Canvas, SceneContext, SpecBase
from pipeline.drawing.sources import image, slide, video
from pipeline.drawing.sources.base import Effect, OwnSound, SceneSource, SourceKind, Wrapped

#: Slide kind -> what makes its scenes (kinds not listed are drawn slides, with no length or sound of their own).
SOURCES: dict[str, SourceKind] = {"video": video.KIND, "image": image.KIND}
DRAWN = SourceKind(slide.open_source)
#: The kinds whose source is ``Layered``, known before a source is opened: a worker drawing one of their scenes,
#: with its encoder, holds the most memory (test_layered checks each against its source).
LAYERED = frozenset({"video", "image"})


def open_source(spec: SpecBase, canvas: Canvas, context: SceneContext) -> SceneSource:
    """The source of a scene whose slide is ``spec``."""
    return SOURCES.get(spec.kind, DRAWN).open(spec, canvas, context)


def own_seconds(spec: SpecBase, root: Path) -> float | None:
    """The scene's own length (a clip's cut), or None when its narration decides (see ``SourceKind``)."""
    return SOURCES.get(spec.kind, DRAWN).own_seconds(spec, root)


def own_sound(spec: SpecBase, root: Path, seconds: float) -> OwnSound | None:
    """The sound a scene of ``seconds`` brings with it, or None (see ``SourceKind``)."""
    return SOURCES.get(spec.kind, DRAWN).own_sound(spec, root, seconds)


def prepared(spec: SpecBase, files: tuple[Asset, ...], frame: Frame, seconds: float, store: Store) -> Path | None:
    """Where media made once for the scene goes in the cache, or None (see ``SourceKind``)."""
    return SOURCES.get(spec.kind, DRAWN).prepared(spec, files, frame, seconds, store)


def with_effects(source: SceneSource, effects: list[Effect]) -> SceneSource:
    for effect in effects:
        source = effect.apply(source)
    return source


__all__ = [
    "LAYERED", "SOURCES", "Effect", "OwnSound", "SceneSource", "SourceKind", "Wrapped",
    "open_source", "own_seconds", "own_sound", "prepared", "with_effects",
]  # fmt: skip
