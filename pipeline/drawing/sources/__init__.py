"""Scene sources, keyed by the slide kind that asks for them; every drawn kind is a ``slide`` source.

A new source (a video clip, ...) is one module with ``open_source(spec,
canvas, context) -> SceneSource``, plus one line in ``SOURCES`` naming the
slide kind whose scenes it makes.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.drawing.slides.base import Canvas, SceneContext, SpecBase
from pipeline.drawing.sources import image, slide, video
from pipeline.drawing.sources.base import Effect, SceneSource, Wrapped

Opener = Callable[[SpecBase, Canvas, SceneContext], SceneSource]

#: Slide kind -> what opens its scenes' source (kinds not listed are drawn slides).
SOURCES: dict[str, Opener] = {"video": video.open_source, "image": image.open_source}
#: The kinds whose source is ``Layered``, known before a source is opened: a worker drawing one of their scenes,
#: with its encoder, holds the most memory (test_layered checks each against its source).
LAYERED = frozenset({"video", "image"})


def open_source(spec: SpecBase, canvas: Canvas, context: SceneContext) -> SceneSource:
    """The source of a scene whose slide is ``spec``."""
    return SOURCES.get(spec.kind, slide.open_source)(spec, canvas, context)


def with_effects(source: SceneSource, effects: list[Effect]) -> SceneSource:
    for effect in effects:
        source = effect.apply(source)
    return source


__all__ = ["LAYERED", "SOURCES", "Effect", "SceneSource", "Wrapped", "open_source", "with_effects"]
