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
from typing import Protocol

from pipeline.jobs import SceneJob, SceneStats


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
    scene_id: str
    stats: SceneStats


Event = FramesDone | SceneDone


class Executor(Protocol):
    def run(self, jobs: Sequence[SceneJob], on_event: Callable[[Event], None], cancel: Cancel) -> dict[str, SceneStats]:
        """Render every job; per scene id, what it took. Raises Stopped once ``cancel`` is set."""
        ...
