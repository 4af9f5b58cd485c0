"""Slide kinds, keyed by the ``kind`` a storyboard writes.

A new kind is one module with a ``Spec`` (its pydantic model, with a literal
``kind``) and ``build(spec, canvas, context) -> Slide``, plus one line here.
"""

from __future__ import annotations

from types import ModuleType

from pipeline.slides import bullets, chart, closing, compare, image, quote, route, section, stat, timeline, title

KINDS: dict[str, ModuleType] = {
    "title": title,
    "section": section,
    "stat": stat,
    "bullets": bullets,
    "quote": quote,
    "compare": compare,
    "chart": chart,
    "timeline": timeline,
    "route": route,
    "image": image,
    "closing": closing,
}
