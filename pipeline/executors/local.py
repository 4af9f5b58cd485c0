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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import resource_tracker
from typing import TYPE_CHECKING, Any

from pipeline import jobs, memory
from pipeline.errors import Stopped
from pipeline.executors.base import Cancel, Event, FramesDone, SceneDone
from pipeline.executors.serial import Serial
from pipeline.jobs import SceneJob, SceneStats

if TYPE_CHECKING:
    from pipeline.narration.base import Spoken
    from pipeline.narration.jobs import SpeechJob

#: Sentences to synthesize before they are spoken on every core at once: each worker process loads the voice
#: (about 1.5 s with its imports), which a handful of sentences does not repay.
POOL_FROM = 8


class LocalPool:
    def __init__(self, workers: int = 0):
        #: Worker processes at most (0: one per core).
        self.workers = workers or os.cpu_count() or 1

    def run(
        self, scene_jobs: Sequence[SceneJob], on_event: Callable[[Event], None], cancel: Cancel
    ) -> dict[str, SceneStats]:
        if self.workers <= 1 or len(scene_jobs) <= 1:
            return Serial().run(scene_jobs, on_event, cancel)
        context = multiprocessing.get_context("spawn")
        results: dict[str, SceneStats] = {}
        order = sorted(scene_jobs, key=lambda job: -job.frames)
        with sigint_deferred() as pressed:  # workers start deaf to Ctrl-C; one pressed meanwhile is kept
            progress, stop = context.Queue(), context.Event()
            pool = ProcessPoolExecutor(
                min(self.workers, len(scene_jobs)),
                mp_context=context,
                initializer=_start,
                initargs=(progress, stop, os.getpid()),
            )
            futures = {pool.submit(_work, job): job for job in order}
        with pool:
            pending = set(futures)
            try:
                if pressed:  # Ctrl-C while the workers started: heard now, so the pool is shut down cleanly
                    raise KeyboardInterrupt
                while pending:
                    done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    _drain(progress, on_event)
                    if cancel.is_set():
                        raise Stopped
                    for future in done:
                        job = futures[future]
                        results[job.scene_id] = future.result()
                        on_event(SceneDone(job, results[job.scene_id]))
            except BaseException:
                # Ctrl-C, a cancel or a failed scene: the others stop at their next frame, removing their
                # partial files (the pool then waits for them), and scenes not started are dropped.
                stop.set()
                for future in pending:
                    future.cancel()
                raise
        _drain(progress, on_event)
        return results

    def speak(self, engine: str, lines: Sequence[SpeechJob]) -> list[Spoken] | None:
        """``lines`` on every core at once, when there are POOL_FROM or more (else None: the caller speaks them)."""
        from pipeline.narration.jobs import speak_job

        if self.workers <= 1 or len(lines) < POOL_FROM:
            return None
        context = multiprocessing.get_context("spawn")
        with sigint_deferred() as pressed:  # the workers start deaf to Ctrl-C; this process stops them
            pool = ProcessPoolExecutor(min(self.workers, len(lines)), mp_context=context, initializer=deaf_to_ctrl_c)
            futures = [pool.submit(speak_job, engine, line) for line in lines]
        with pool:
            try:
                if pressed:
                    raise KeyboardInterrupt
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise


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
        yield pressed
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
    while True:
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


def _start(progress: Any, stop: Any, parent: int) -> None:
    deaf_to_ctrl_c()
    _worker.update(progress=progress, stop=stop, canvases=jobs.Canvases())
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Exit when the parent is gone (this process is then adopted: its parent id changes)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)  # its ffmpeg, if any, sees its input close and exits too


def _work(job: SceneJob) -> SceneStats:
    def advance(frames: int) -> None:
        if _worker["stop"].is_set():
            raise Stopped
        _worker["progress"].put((job.scene_id, frames))

    try:
        return jobs.run(job, _worker["canvases"].get(job), advance)
    finally:
        memory.trim()  # this scene's peak is not kept into the next
