"""The serial executor: every scene in this process, one after another (no workers to start).

What the local pool falls back to for one scene or one core, and the
simplest executor to read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pipeline.core.errors import Stopped
from pipeline.rendering.executors.base import Cancel, Event, Feed, FramesDone, SceneDone

if TYPE_CHECKING:
    from pipeline.narration.engines.base import Spoken
    from pipeline.narration.jobs import SpeechJob
    from pipeline.rendering.jobs import SceneJob, SceneStats


class Serial:
    def __init__(self) -> None:
        from pipeline.rendering import jobs

        self.canvases = jobs.Canvases()

    def run(
        self, scene_jobs: Sequence[SceneJob] | Feed, on_event: Callable[[Event], None], cancel: Cancel
    ) -> dict[str, SceneStats]:
        from pipeline.rendering import jobs

        results = {}
        for job in scene_jobs:

            def advance(frames: int, scene_id: str = job.scene_id) -> None:
                if cancel.is_set():
                    raise Stopped
                on_event(FramesDone(scene_id, frames))

            if cancel.is_set():
                raise Stopped
            results[job.scene_id] = stats = jobs.run(job, self.canvases.get(job), advance)
            on_event(SceneDone(job, stats))
        return results

    def speak(self, engine: str, lines: Sequence[SpeechJob]) -> list[Spoken] | None:
        """None: the caller speaks the lines itself, in this process, as this executor would."""
        return None
