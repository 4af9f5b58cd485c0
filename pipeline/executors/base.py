"""What runs scene jobs: an executor, with a cancel object and progress events.

An executor takes self-contained ``SceneJob``s (see jobs.py), draws and
encodes each into its target, reports progress as events, and stops the work
under way at its next frame when the cancel object is set (Ctrl-C, a failed
scene, a newer edit). Finished clips stay; partial files are removed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pipeline.jobs import SceneJob, SceneStats

if TYPE_CHECKING:
    from pipeline.narration.base import Spoken
    from pipeline.narration.jobs import SpeechJob


class Cancel:
    """Set to stop a render's scene jobs; work in progress stops at its next frame."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class FramesDone:
    """``frames`` more frames of scene ``scene_id`` are drawn and encoded."""

    scene_id: str
    frames: int


@dataclass(frozen=True)
class SceneDone:
    """``job``'s clip is written to its target."""

    job: SceneJob
    stats: SceneStats

    @property
    def scene_id(self) -> str:
        return self.job.scene_id


Event = FramesDone | SceneDone


class Executor(Protocol):
    def run(self, jobs: Sequence[SceneJob], on_event: Callable[[Event], None], cancel: Cancel) -> dict[str, SceneStats]:
        """Render every job; per scene id, what it took. Raises Stopped once ``cancel`` is set."""
        ...


class Speaker(Protocol):
    """An executor that also speaks narration on its workers (optional: one without ``speak`` only draws, and the
    narration is spoken in this process)."""

    def speak(self, engine: str, lines: Sequence[SpeechJob]) -> list[Spoken] | None:
        """Every line spoken by ``engine`` (an offline engine's name), in order; None when it is not worth it here
        (too few lines to repay starting workers), and the caller speaks them itself."""
        ...
