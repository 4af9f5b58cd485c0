"""What a worker loads before its first still or scene: a pool's warm-up (``executors.local.Warmup``).

Kept apart from ``stills``, which imports the drawing: a process names this to the workers it starts before it
has imported the drawing itself (the preview starts its outline's worker first thing).
"""

from __future__ import annotations

from pathlib import Path


def stills() -> None:
    """Load what drawing stills needs before the first: every slide kind's code, and the tables maps are drawn from
    and look places up in (Natural Earth's countries and their shapes, the coarse outlines, places, areas, rivers,
    lakes and regions). About 0.6 s of a worker's first map still, done while the storyboard is read."""
    import pipeline.drawing.slides  # noqa: F401 - every kind, imported for what follows
    from pipeline.drawing.maps import places
    from pipeline.drawing.slides import geo
    from pipeline.rendering import jobs  # noqa: F401 - what runs a scene, and the canvases

    geo.load()
    places.load()


def render(engines: tuple[str, ...], prepared: Path | None = None) -> None:
    """What a render's worker loads before its first task, while the storyboard is checked: the drawing and
    encoding code its first scene needs, and the voices it may speak with (``engines``, in the order tried; none
    when this process says the few sentences there are), prepared in the cache's folder ``prepared``."""
    import contextlib

    import pipeline.drawing.slides  # noqa: F401 - every kind, imported for what follows
    from pipeline.rendering import encode, jobs  # noqa: F401 - what runs a scene, and the canvases

    encode.video_clip_class()
    if not engines:
        return
    from pipeline.core.errors import EngineUnavailable
    from pipeline.narration.engines import ENGINES

    for engine in engines:
        with contextlib.suppress(EngineUnavailable):
            ENGINES[engine](prepared=prepared).warm()
