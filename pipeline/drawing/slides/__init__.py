"""Slide kinds, keyed by the ``kind`` a storyboard writes.

A new kind is one module with a ``Spec`` (its pydantic model, whose literal
``kind`` field is the kind's name) and ``build(spec, canvas, context) -> Slide``,
ending in ``KIND = SlideKind(Spec, build)``; plus its ``KIND`` in the list here.
"""

from __future__ import annotations

from pipeline.drawing.slides import (
    bullets,
    chart,
    closing,
    compare,
    image,
    map,
    profile,
    quote,
    route,
    scale,
    section,
    stat,
    steps,
    timeline,
    title,
    video,
)
from pipeline.drawing.slides.base import SlideKind

KINDS: dict[str, SlideKind] = {
    kind.name: kind
    for kind in (
        title.KIND,
        section.KIND,
        stat.KIND,
        bullets.KIND,
        quote.KIND,
        compare.KIND,
        chart.KIND,
        timeline.KIND,
        steps.KIND,
        scale.KIND,
        profile.KIND,
        route.KIND,
        map.KIND,
        image.KIND,
        video.KIND,
        closing.KIND,
    )
}
