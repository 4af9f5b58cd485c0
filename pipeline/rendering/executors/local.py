"""The local executor: scene jobs on every core of this machine, one worker process each.

Each scene is drawn and encoded whole by one worker process (a fresh
interpreter, so fonts and slide memos live per process); the parent hands
out the longest scenes first and turns the workers' frame counts into
progress events. With one worker, or one scene, the serial executor runs
them in this process and nothing is spawned.

Ctrl-C reaches only the parent: workers start with it blocked, and stop at
their next frame when the parent sets their stop event (on Ctrl-C, a failed
scene, or the caller's cancel object). A parent killed outright (SIGKILL,
the out-of-memory killer) sets nothing: each worker watches its parent and
exits within half a second of losing it, instead of waiting forever for work.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import resource_tracker
from typing import TYPE_CHECKING, Any

from pipeline.core import memory
from pipeline.core.errors import Stopped
from pipeline.rendering.executors.base import Cancel, Event, Feed, FramesDone, SceneDone
from pipeline.rendering.executors.serial import Serial

if TYPE_CHECKING:  # the drawing is imported in the workers, as they start: this process starts them first
    from pipeline.core.formats import Frame
    from pipeline.loading.storyboard import Project
    from pipeline.narration.engines.base import Spoken
    from pipeline.narration.jobs import SpeechJob
    from pipeline.rendering.jobs import SceneJob, SceneStats

#: Sentences to synthesize before they are spoken on every core at once: each worker process loads the voice
#: (about 1.5 s with its imports), which a handful of sentences does not repay.
POOL_FROM = 8


@dataclass(frozen=True)
class Warmup:
    """What each worker does as it starts, before its first task: ``task(*args)`` (a module-level function, its
    arguments picklable), loading what the tasks to come need while the caller is still making them. A warm-up
    that fails is let go: the task that needs what it loads loads it (and says what is wrong)."""

    task: Callable[..., Any]
    args: tuple[Any, ...] = ()


class LocalPool:
    """Scene jobs (and narration) on worker processes of this machine, one per core.

    The workers start on the first call that needs them and serve the whole render: narration first, then
    each scene as soon as its job comes (a feed's jobs come as their sentences are spoken), longest first
    among those waiting, so no core waits for narration to finish and no second set of workers starts.
    ``close`` (a render's end, a failure) lets them go."""

    def __init__(self, workers: int = 0, warmup: Warmup | None = None):
        #: Worker processes at most (0: one per core).
        self.workers = workers or os.cpu_count() or 1
        #: Run by each worker as it starts (None: nothing).
        self.warmup = warmup
        self._pool: ProcessPoolExecutor | None = None
        self._started = 0
        self._progress: Any = None
        self._stop: Any = None

    def run(
        self, scene_jobs: Sequence[SceneJob] | Feed, on_event: Callable[[Event], None], cancel: Cancel
    ) -> dict[str, SceneStats]:
        alone = not isinstance(scene_jobs, Feed) and self._pool is None and len(scene_jobs) <= 1
        if self.workers <= 1 or alone:  # one core, or one scene and no workers up: drawn here, nothing started
            return Serial().run(scene_jobs, on_event, cancel)
        feed = Feed.of(scene_jobs)
        size = self.workers if isinstance(scene_jobs, Feed) else len(scene_jobs)
        pool = self._pool  # started with the first job, if narration did not start it
        results: dict[str, SceneStats] = {}
        waiting: list[SceneJob] = []
        running: dict[Future, SceneJob] = {}
        try:
            while True:
                new, closed = feed.take(timeout=0.0 if running or waiting else 0.2)
                waiting = sorted([*waiting, *new], key=lambda job: -job.frames)  # the longest first
                while waiting and len(running) < self.workers:  # one each: the rest wait here, longest first
                    pool = pool or self._open(size)
                    job = waiting.pop(next_job(waiting, running.values()))
                    running[pool.submit(_work, job)] = job
                if closed and not running and not waiting:
                    break
                done = wait(running, timeout=0.2, return_when=FIRST_COMPLETED).done if running else set()
                _drain(self._progress, on_event)
                if cancel.is_set():
                    raise Stopped
                for future in done:
                    job = running.pop(future)
                    results[job.scene_id] = future.result()
                    on_event(SceneDone(job, results[job.scene_id]))
        except BaseException:
            # Ctrl-C, a cancel or a failed scene: the others stop at their next frame, removing their partial
            # files (closing waits for them), and scenes not started are dropped.
            self.close()
            raise
        _drain(self._progress, on_event)
        self.close()
        return results

    @property
    def started(self) -> bool:
        """Whether the workers are up (started by a task, or ahead of them by ``start``)."""
        return self._pool is not None

    def submit(self, task: Callable[..., Any], *args: Any) -> Future:
        """``task(*args)`` on a worker (a module-level function, its arguments picklable), for work that is not a
        scene job, such as the preview's outline stills. The workers start with the first task."""
        return self._open(self.workers).submit(task, *args)

    def start(self) -> None:
        """Start every worker now (each running the warm-up), ahead of the tasks: a worker takes 0.6-0.7 s to
        start and import, and more to load a map's data, which can go on while the caller reads the storyboard."""
        self._open(self.workers)

    def still(self, project: Project, frame: Frame, scene_id: str) -> Future[bytes | None]:
        """The settled still of ``scene_id`` as PNG data (``stills.still_png``), drawn on a worker: each worker
        draws on one canvas per frame and theme, so its fonts open once and what its memo holds (a map's ground,
        a backdrop) serves every still after the first that drew it."""
        return self._open(self.workers).submit(_still, project, frame, scene_id)

    def speak(self, engine: str, lines: Sequence[SpeechJob]) -> list[Future[Spoken]] | None:
        """A future of each line spoken on the workers, when there are POOL_FROM or more (else None: the caller
        speaks them). The workers go on to the scenes that follow."""
        if self.workers <= 1 or len(lines) < POOL_FROM:
            return None
        pool = self._open(len(lines))
        return [pool.submit(_speak, engine, line) for line in lines]

    def close(self) -> None:
        """Stop the workers (a scene under way stops at its next frame; narration not started is dropped) and wait
        for them to exit."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        self._stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        self._started = 0

    def _open(self, tasks: int) -> ProcessPoolExecutor:
        """The workers, started now (as many as ``tasks`` can use, up to one per core) if they are not yet."""
        wanted = min(self.workers, max(tasks, 1))
        if self._pool is not None and self._started >= wanted:
            return self._pool
        context = multiprocessing.get_context("spawn")
        with sigint_deferred() as pressed:  # workers start deaf to Ctrl-C; one pressed meanwhile is kept
            if self._pool is None:
                self._progress, self._stop = context.Queue(), context.Event()
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=context, initializer=_start,
                    initargs=(self._progress, self._stop, os.getpid(), self.warmup),
                )  # fmt: skip
            # Each process starts when a task finds no idle one: start them here, while Ctrl-C is held back.
            for _ in range(wanted - self._started):
                self._pool.submit(_ready)
            self._started = max(self._started, wanted)
        if pressed:  # Ctrl-C while the workers started: heard now, and the pool is shut down cleanly
            self.close()
            raise KeyboardInterrupt
        return self._pool


def next_job(waiting: Sequence[SceneJob], running: Iterable[SceneJob]) -> int:
    """Which of ``waiting`` (longest first) to start: the longest, but not a second layered scene while another
    is running and a drawn one can go instead. A worker drawing a layered scene holds 150-190 MB more than one
    drawing a slide at 1080p: two at once were the cold render's peak (1.12-1.16 GB summed RSS in three runs)."""
    if any(job.layered for job in running):
        return next((i for i, job in enumerate(waiting) if not job.layered), 0)
    return 0


@contextlib.contextmanager
def sigint_deferred() -> Iterator[list[int]]:
    """Start worker processes deaf to Ctrl-C, and keep one pressed meanwhile for the caller to act on.

    A terminal sends Ctrl-C to every process in the foreground group; a worker
    still importing would die with a traceback. Ctrl-C is blocked in this
    thread while the workers start, so they start with it blocked (a signal
    mask is inherited through fork and exec), and each one ignores it before
    unblocking it (``_start``); this process stops them through ``stop``.

    Here a Ctrl-C is never ignored: it is recorded in the yielded list by a
    handler that replaces Python's for the moment (whichever thread the kernel
    gives it to), and the caller raises KeyboardInterrupt once the pool exists.
    Before, it was ignored here for the moment, and one given to a helper
    thread was lost and the render went on. multiprocessing's resource tracker
    unblocks Ctrl-C when it starts, so it is started first.
    """
    pressed: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        # Another thread (the preview renders on one) cannot set a handler, and needs none: Python hears Ctrl-C
        # in the main thread only. Blocked in this thread, the workers it starts still start deaf to it (they
        # were started hearing it, and one pressed as they imported printed its traceback).
        resource_tracker.ensure_running()
        before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield pressed
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
        return
    resource_tracker.ensure_running()
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield pressed
    finally:
        # One held back for this thread arrives as it is unblocked, and Python runs the handler at the very
        # next instruction, before its own handler is put back.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        signal.signal(signal.SIGINT, previous)


def quiet_thread() -> None:
    """Keep Ctrl-C off this (helper) thread, so that the kernel gives it to the main thread (a thread initializer)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _drain(progress: Any, on_event: Callable[[Event], None]) -> None:
    while progress is not None:  # None: no workers were started
        try:
            scene_id, frames = progress.get_nowait()
        except queue.Empty:
            return
        on_event(FramesDone(scene_id, frames))


# -- in a worker process ------------------------------------------------------

#: This worker's progress queue, stop event and canvases, set once by the pool's initializer.
_worker: dict[str, Any] = {}


#: How often a worker checks that its parent is still there (seconds).
PARENT_CHECK = 0.5


def deaf_to_ctrl_c() -> None:
    """In a worker started with Ctrl-C blocked (see sigint_deferred): ignore it, dropping one held back, then
    unblock it. The parent stops its workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _start(progress: Any, stop: Any, parent: int, warmup: Warmup | None) -> None:
    from pipeline.rendering import jobs

    deaf_to_ctrl_c()
    _worker.update(progress=progress, stop=stop, canvases=jobs.Canvases())
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()
    if warmup is not None:
        with contextlib.suppress(Exception):  # an initializer that raises breaks the pool; the tasks load it again
            warmup.task(*warmup.args)


def _watch_parent(parent: int) -> None:
    """Exit when the parent is gone (this process is then adopted: its parent id changes)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)  # its ffmpeg, if any, sees its input close and exits too


def _ready() -> None:
    """A task that only makes the pool start a worker process (see LocalPool._open)."""


def _still(project: Project, frame: Frame, scene_id: str) -> bytes | None:
    from pipeline.rendering import stills

    return stills.still_png(project, frame, scene_id, _worker["canvases"].of(frame, project.theme))


def _speak(engine: str, line: SpeechJob) -> Spoken:
    """A narration task: ``line`` spoken by this worker, which keeps the voice loaded for the next sentence."""
    from pipeline.narration.jobs import speak_job

    _worker.setdefault("voices", set()).add(engine)
    return speak_job(engine, line)


def _work(job: SceneJob) -> SceneStats:
    if _worker.get("voices"):  # narration is done: the voice's memory goes before the scene's (piper: 330 MB)
        from pipeline.narration.jobs import release

        release(_worker.pop("voices"))

    def advance(frames: int) -> None:
        if _worker["stop"].is_set():
            raise Stopped
        _worker["progress"].put((job.scene_id, frames))

    from pipeline.rendering import jobs

    try:
        return jobs.run(job, _worker["canvases"].get(job), advance)
    finally:
        memory.trim()  # this scene's peak is not kept into the next
