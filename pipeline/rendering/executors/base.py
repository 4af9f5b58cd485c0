"""What runs scene jobs: an executor, with a cancel object and progress events.

An executor takes self-contained ``SceneJob``s (see jobs.py), draws and
encodes each into its target, reports progress as events, and stops the work
under way at its next frame when the cancel object is set (Ctrl-C, a failed
scene, a newer edit). Finished clips stay; partial files are removed.

The jobs come as a list, or as a ``Feed`` that a render fills while it runs:
a scene's job is ready as soon as its own sentences are spoken, so an
executor that takes them as they come draws scene N while scene N+1 is still
being spoken.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the drawing is imported where a job is run: a pool starts its workers before it is needed
    from pipeline.rendering.jobs import SceneJob, SceneStats


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


class Feed:
    """Scene jobs that become ready while an executor runs them: ``put`` each, then ``close``. Iterating gives
    the jobs as they come (waiting for the next) until it is closed; ``take`` gives those come so far."""

    def __init__(self, jobs: Sequence[SceneJob] = (), closed: bool = False) -> None:
        self._jobs: list[SceneJob] = list(jobs)
        self._taken = 0
        self._closed = closed
        self._changed = threading.Condition()

    @classmethod
    def of(cls, jobs: Sequence[SceneJob] | Feed) -> Feed:
        """``jobs`` as a feed: a list becomes a closed one."""
        return jobs if isinstance(jobs, Feed) else cls(jobs, closed=True)

    def put(self, job: SceneJob) -> None:
        with self._changed:
            if self._closed:
                raise ValueError("a closed feed takes no more jobs")
            self._jobs.append(job)
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def take(self, timeout: float = 0.0) -> tuple[list[SceneJob], bool]:
        """The jobs put since the last take (waiting up to ``timeout`` for one), and whether the feed is closed
        with nothing left to take."""
        with self._changed:
            if self._taken == len(self._jobs) and not self._closed and timeout > 0:
                self._changed.wait(timeout)
            new, self._taken = self._jobs[self._taken :], len(self._jobs)
            return new, self._closed

    def __iter__(self) -> Iterator[SceneJob]:
        while True:
            new, closed = self.take(timeout=0.2)
            yield from new
            if closed and not new:
                return


class Executor(Protocol):
    def run(
        self, jobs: Sequence[SceneJob] | Feed, on_event: Callable[[Event], None], cancel: Cancel
    ) -> dict[str, SceneStats]:
        """Render every job (of a feed: until it is closed); per scene id, what it took. Raises Stopped once
        ``cancel`` is set."""
        ...
