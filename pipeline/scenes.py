"""Stage: draw and encode the scenes whose clips are not in the cache, on every core.

Each scene is drawn and encoded whole by one worker process (a fresh
interpreter, so fonts and slide memos live per process); the parent hands
out the longest scenes first and turns the workers' frame counts into one
progress display. With one worker, or one scene, everything runs in this
process and nothing is spawned.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import preview
from pipeline.captions import Cue
from pipeline.errors import RenderError, Stopped
from pipeline.plan import Plan
from pipeline.render import encode_scene, scene_clip
from pipeline.slides import subtitles
from pipeline.slides.base import Canvas
from pipeline.slides.problems import SlideError
from pipeline.storyboard import Project, Scene


@dataclass(frozen=True)
class Setup:
    """What every scene of one render shares."""

    project: Project
    plan: Plan
    size: tuple[int, int]
    burn_captions: bool


@dataclass(frozen=True)
class SceneJob:
    """One scene to draw and encode into ``path``."""

    index: int
    number: int
    section_title: str
    scene: Scene
    timing: dict[str, Any]
    cues: tuple[Cue, ...]
    path: Path

    def frames(self, plan: Plan) -> int:
        return plan.scenes[self.index].frames


def render(
    setup: Setup, jobs: list[SceneJob], workers: int, on_frames: Callable[[int], None]
) -> dict[str, dict[str, Any]]:
    """Render every job; returns, per scene id, its seconds and frames drawn and encoded."""
    if workers <= 1 or len(jobs) <= 1:
        canvas = _canvas(setup)
        return {job.scene.id: _render(setup, canvas, job, on_frames) for job in jobs}
    context = multiprocessing.get_context("spawn")
    results: dict[str, dict[str, Any]] = {}
    order = sorted(jobs, key=lambda job: -job.frames(setup.plan))
    with _sigint_ignored():  # processes started now ignore Ctrl-C for good (it is inherited through exec)
        progress, stop = context.Queue(), context.Event()
        pool = ProcessPoolExecutor(
            min(workers, len(jobs)), mp_context=context, initializer=_start, initargs=(setup, progress, stop)
        )
        futures = {pool.submit(_work, job): job for job in order}
    with pool:
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                _drain(progress, on_frames)
                for future in done:
                    results[futures[future].scene.id] = future.result()
        except BaseException:
            # Ctrl-C or a failed scene: the others stop at their next frame, removing their partial files
            # (the pool then waits for them), and scenes not started are dropped.
            stop.set()
            for future in pending:
                future.cancel()
            raise
    _drain(progress, on_frames)
    return results


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while worker processes start, so that it reaches only this process.

    A terminal sends Ctrl-C to every process in the foreground group; a worker
    still importing would die with a traceback. Started with it ignored, the
    workers keep ignoring it, and this process stops them through ``stop``.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _canvas(setup: Setup) -> Canvas:
    return preview.canvas_for(setup.project, setup.size, setup.burn_captions)


def _render(setup: Setup, canvas: Canvas, job: SceneJob, on_frames: Callable[[int], None]) -> dict[str, Any]:
    started = time.perf_counter()
    scene_plan = setup.plan.scenes[job.index]
    fps = setup.plan.fps
    try:
        slide = preview.build(setup.project, canvas, job.number, job.section_title, job.scene, **job.timing)
        frame = subtitles.burn(slide.frame, job.cues, canvas)
        clip = scene_clip(frame, scene_plan.frames, fps, setup.project.theme)
        counts = encode_scene(clip, scene_plan.frames, fps, job.path, on_frames=on_frames)
    except SlideError as exc:
        where = f"{job.scene.slide.kind}.{exc.field} at {canvas.width}x{canvas.height}"
        raise RenderError(f"scene '{job.scene.id}' cannot be drawn ({where}): {exc}") from None
    return {"seconds": round(time.perf_counter() - started, 3), **counts}


# -- in a worker process ------------------------------------------------------

_worker: dict[str, Any] = {}


def _start(setup: Setup, progress: Any, stop: Any) -> None:
    """Worker initializer: the render's shared data and this process's canvas (fonts loaded once).

    Workers ignore Ctrl-C (see _sigint_ignored): the parent hears it and tells them to stop through ``stop``.
    """
    _worker.update(setup=setup, canvas=_canvas(setup), progress=progress, stop=stop)


def _work(job: SceneJob) -> dict[str, Any]:
    return _render(_worker["setup"], _worker["canvas"], job, _advance)


def _advance(frames: int) -> None:
    if _worker["stop"].is_set():
        raise Stopped
    _worker["progress"].put(frames)


def _drain(progress: Any, on_frames: Callable[[int], None]) -> None:
    while True:
        try:
            on_frames(progress.get_nowait())
        except queue.Empty:
            return
