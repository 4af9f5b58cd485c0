"""The Dask executor: scene and narration jobs on a Dask distributed cluster (``--executor dask://HOST:PORT``).

A real scheduler and real workers (``dask scheduler``, ``dask worker tcp://HOST:PORT`` on each
machine, each with explainer and its packages installed: ``pip install -e ".[cluster]"``).
Each scene is one task, longest first:

- **Self-contained.** A task carries its job (slide, timing, theme, frame) and the digests of the
  files the slide reads. Each worker keeps files on disk by digest (as it keeps a footage clip
  it normalized); a file some worker lacks is sent to the cluster once per render, and only a
  worker that lacks it fetches it, so a worker that has a file is never sent it again. The clip
  comes back to this machine, which writes it into the cache and joins the video, so the final
  join runs where the output goes.
- **Narration too.** Each sentence the cache lacks is a task (``speak``): a worker loads the voice
  once and speaks any number of sentences, refusing them when its engine's identity (engine,
  version, voice) is not the one the sentence is cached under.
- **Checked.** Before any work, every worker's renderer identity (explainer's renderer version and
  the drawing stack, the versions in every scene key) is compared with this machine's; a worker
  that differs is named in one message. Each task checks again, for workers that join later.
- **Faults.** A worker that dies in the middle of a scene (killed, out of memory) loses its
  task; the scheduler runs it again on another worker, and the clip that comes back is the
  whole clip, written once into the cache.
- **Cancel.** A Dask ``Event`` tells running tasks to stop at their next frames; tasks not
  started are cancelled.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import cache, jobs
from pipeline.assets import Asset
from pipeline.errors import RendererMismatch, RenderError, Stopped, UsageError
from pipeline.executors.base import Cancel, Event, Feed, FramesDone, SceneDone
from pipeline.jobs import SceneJob, SceneStats

if TYPE_CHECKING:
    from pipeline.narration.base import Spoken
    from pipeline.narration.jobs import SpeechJob

#: How often a running task asks whether the render was cancelled (seconds).
CANCEL_CHECK = 0.5
#: How long to wait for the scheduler and a first worker (seconds).
CONNECT_TIMEOUT = 30


class DaskCluster:
    """Scene jobs on the Dask scheduler at ``address`` (``tcp://HOST:PORT``)."""

    def __init__(self, address: str):
        self.address = address
        self._client = None

    @classmethod
    def connect(cls, address: str) -> DaskCluster:
        """The cluster at ``address``, reached and its workers checked now: a scheduler that is not there, or
        a worker that would draw differently, is said before anything is narrated or drawn."""
        cluster = cls(address)
        cluster._open()
        return cluster

    def _open(self):
        try:
            from distributed import Client
        except ImportError:
            raise UsageError('--executor dask:// needs Dask distributed: pip install -e ".[cluster]"') from None
        host, _, port = self.address.removeprefix("tcp://").rpartition(":")
        try:  # refused at once: the Client would retry for all of CONNECT_TIMEOUT
            socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
            client = Client(self.address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except OSError as exc:
            raise UsageError(
                f"cannot reach the Dask scheduler at {self.address}: {exc}; start it with "
                f"'dask scheduler --port {port}', or check the address"
            ) from None
        try:
            check_workers(client.run(jobs.identity), jobs.identity())
        except BaseException:
            client.close()
            raise
        self._client = client
        return client

    def run(
        self, scene_jobs: Sequence[SceneJob] | Feed, on_event: Callable[[Event], None], cancel: Cancel
    ) -> dict[str, SceneStats]:
        from distributed import Event as DaskEvent
        from distributed import as_completed

        # A feed's jobs once it is closed: the cluster has spoken every sentence by the time a render fills it, and
        # the files go out in one round.
        scene_jobs = list(scene_jobs)

        client, self._client = self._client or self._open(), None  # one client a run: closed when it ends
        with client:
            expected = jobs.identity()
            check_workers(client.run(jobs.identity), expected)  # again: workers may have joined since
            stop = DaskEvent(f"explainer-stop-{uuid.uuid4().hex}", client=client)
            _send(client, scene_jobs)
            order = sorted(scene_jobs, key=lambda job: -job.frames)
            futures = {
                client.submit(
                    render_on_worker, job, expected, stop.name,
                    key=f"scene-{job.key}-{uuid.uuid4().hex[:8]}", pure=False,
                ): job
                for job in order
            }  # fmt: skip
            results: dict[str, SceneStats] = {}
            try:
                for future in as_completed(futures, loop=client.loop):
                    if cancel.is_set():
                        raise Stopped
                    job = futures[future]
                    stats, clip = future.result()
                    cache.write_bytes(job.target, clip, once=True)
                    results[job.scene_id] = stats
                    on_event(FramesDone(job.scene_id, job.frames))
                    on_event(SceneDone(job, stats))
                    if cancel.is_set():
                        raise Stopped
            except BaseException:
                stop.set()
                client.cancel(list(futures))
                raise
        return results

    def speak(self, engine: str, lines: Sequence[SpeechJob]) -> list[Spoken]:
        """``lines`` spoken by the cluster's workers, one task each (a worker loads the voice once); a worker whose
        engine is not the one the sentences are cached under refuses them."""
        if self._client is None:
            self._open()  # kept open for the scenes that follow (run closes it)
        client = self._client
        futures = [
            client.submit(_speak_on_worker, engine, line, key=f"speak-{uuid.uuid4().hex}", pure=False) for line in lines
        ]
        try:
            return client.gather(futures)
        except BaseException:
            client.cancel(futures)
            raise


def _speak_on_worker(engine: str, line: SpeechJob) -> Spoken:
    """A narration task: the sentence spoken by the worker it runs on, which a refusal names by its address."""
    from distributed import get_worker

    from pipeline.narration.jobs import speak_job

    return speak_job(engine, line, who=f"worker {get_worker().address}")


def check_workers(found: dict[str, dict], expected: dict) -> None:
    """Refuse the cluster when a worker's renderer identity differs from ``expected``, naming what differs."""
    if not found:
        raise UsageError("the Dask cluster has no workers: start some with 'dask worker tcp://HOST:PORT'")
    for worker, identity in sorted(found.items()):
        if identity != expected:
            raise RendererMismatch(
                f"worker {worker} {_difference(identity, expected)}; install the same explainer and packages on "
                'every worker (pip install -e ".[cluster]"), then restart it'
            )


def _difference(theirs: dict, ours: dict) -> str:
    if theirs.get("renderer") != ours.get("renderer"):
        return f"renders with {theirs.get('renderer')}, this machine with {ours.get('renderer')}"
    stack, mine = theirs.get("stack", {}), ours.get("stack", {})
    parts = [f"{name} {stack.get(name)} there, {mine.get(name)} here" for name in mine if stack.get(name) != mine[name]]
    return "draws with another stack: " + ", ".join(parts)


def _send(client, scene_jobs: Sequence[SceneJob]) -> None:
    """Every file the jobs read, written to the disk of each worker that lacks it (asked first, by digest): a
    worker that keeps a file already is not sent it again."""
    wanted = {a.digest: a for job in scene_jobs for a in job.assets}
    if not wanted:
        return
    kept = client.run(kept_files, [(a.digest, a.path.suffix) for a in wanted.values()])
    for digest, asset in wanted.items():
        lacking = [worker for worker, found in kept.items() if digest not in found]
        if lacking:
            client.run(keep_file, digest, asset.path.suffix, asset.path.read_bytes(), workers=lacking)


# -- on a worker ----------------------------------------------------------------------------------


def render_on_worker(job: SceneJob, expected: dict, stop_name: str) -> tuple[SceneStats, bytes]:
    """Draw and encode ``job`` on this worker; its stats and the clip's bytes."""
    from distributed import Event as DaskEvent

    identity = jobs.identity()
    if identity != expected:
        raise RendererMismatch(f"this worker {_difference(identity, expected)}")
    store = worker_store()
    local = dataclasses.replace(
        job,
        assets=tuple(_kept(store, asset) for asset in job.assets),
        target=store / "clips" / f"{job.key}.{uuid.uuid4().hex}.mp4",
        prepared=store / "footage" / job.prepared.name if job.prepared else None,
    )
    for folder in (local.target.parent, store / "footage"):
        folder.mkdir(parents=True, exist_ok=True)
    stop, checked = DaskEvent(stop_name), [time.monotonic()]

    def advance(frames: int) -> None:
        if time.monotonic() - checked[0] >= CANCEL_CHECK:
            checked[0] = time.monotonic()
            if stop.is_set():
                raise Stopped

    try:
        stats = jobs.run(local, _canvases().get(local), advance)
        return stats, local.target.read_bytes()
    finally:
        local.target.unlink(missing_ok=True)


def worker_store() -> Path:
    """This worker's own folder for files by digest and prepared footage (``EXPLAINER_WORKER_STORE`` to choose)."""
    chosen = os.environ.get("EXPLAINER_WORKER_STORE")
    return Path(chosen) if chosen else Path(tempfile.gettempdir()) / f"explainer-worker-{os.getuid()}"


def kept_files(files: list[tuple[str, str]]) -> list[str]:
    """Which of ``files`` (digest, suffix) this worker keeps on disk."""
    folder = worker_store() / "files"
    return [digest for digest, suffix in files if (folder / f"{digest}{suffix}").exists()]


def keep_file(digest: str, suffix: str, data: bytes) -> None:
    """Keep ``data`` on this worker's disk by its digest, written once."""
    cache.write_bytes(worker_store() / "files" / f"{digest}{suffix}", data, once=True)


def _kept(store: Path, asset: Asset) -> Asset:
    """``asset`` as this worker keeps it (sent before the scenes, by digest)."""
    path = store / "files" / f"{asset.digest}{asset.path.suffix}"
    if not path.exists():  # a worker that joined after the files were sent, or lost them since
        raise RenderError(f"worker has no copy of {asset.name} (it joined the cluster during the render); render again")
    return Asset(asset.name, path, asset.digest)


@functools.cache
def _canvases() -> jobs.Canvases:
    """The canvases of this worker process, made on its first scene (fonts load once per worker)."""
    return jobs.Canvases()
