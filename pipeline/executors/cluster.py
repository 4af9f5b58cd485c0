"""The Dask executor: scene jobs on a Dask distributed cluster (``--executor dask://HOST:PORT``).

A real scheduler and real workers (``dask scheduler``, ``dask worker tcp://HOST:PORT`` on each
machine, each with explainer and its packages installed: ``pip install -e ".[cluster]"``).
Each scene is one task, longest first:

- **Self-contained.** A task carries its job (slide, timing, theme, frame) and the files the
  slide reads, by content: each file is scattered once per render under a key made from its
  bytes, so a worker that holds it already is not sent it again, and a worker keeps it on disk
  by digest (as it keeps a footage clip it normalized). The clip comes back to this machine,
  which writes it into the cache and joins the video, so the final join runs where the output
  goes.
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

from pipeline import cache, jobs
from pipeline.assets import Asset
from pipeline.errors import ExplainerError, Stopped, UsageError
from pipeline.executors.base import Cancel, Event, FramesDone, SceneDone
from pipeline.jobs import SceneJob, SceneStats

#: How often a running task asks whether the render was cancelled (seconds).
CANCEL_CHECK = 0.5
#: How long to wait for the scheduler and a first worker (seconds).
CONNECT_TIMEOUT = 30


class RendererMismatch(ExplainerError):
    """A worker would draw with another renderer than this machine's."""


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
        self, scene_jobs: Sequence[SceneJob], on_event: Callable[[Event], None], cancel: Cancel
    ) -> dict[str, SceneStats]:
        from distributed import Event as DaskEvent
        from distributed import as_completed

        client, self._client = self._client or self._open(), None  # one client a run: closed when it ends
        with client:
            expected = jobs.identity()
            check_workers(client.run(jobs.identity), expected)  # again: workers may have joined since
            stop = DaskEvent(f"explainer-stop-{uuid.uuid4().hex}", client=client)
            files = _scatter(client, scene_jobs)
            order = sorted(scene_jobs, key=lambda job: -job.frames)
            futures = {
                client.submit(
                    render_on_worker, job, expected, {a.digest: files[a.digest] for a in job.assets}, stop.name,
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
                    on_event(SceneDone(job.scene_id, stats))
                    if cancel.is_set():
                        raise Stopped
            except BaseException:
                stop.set()
                client.cancel(list(futures))
                raise
        return results


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


def _scatter(client, scene_jobs: Sequence[SceneJob]) -> dict[str, object]:
    """Every file the jobs read, sent to the cluster once under a key made from its content."""
    wanted = {a.digest: a for job in scene_jobs for a in job.assets}
    return {digest: client.scatter(asset.path.read_bytes(), hash=True) for digest, asset in wanted.items()}


# -- on a worker ----------------------------------------------------------------------------------


def render_on_worker(
    job: SceneJob, expected: dict, files: dict[str, bytes], stop_name: str
) -> tuple[SceneStats, bytes]:
    """Draw and encode ``job`` on this worker; its stats and the clip's bytes."""
    from distributed import Event as DaskEvent

    identity = jobs.identity()
    if identity != expected:
        raise RendererMismatch(f"this worker {_difference(identity, expected)}")
    store = worker_store()
    local = dataclasses.replace(
        job,
        assets=tuple(_kept(store, asset, files[asset.digest]) for asset in job.assets),
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


def _kept(store: Path, asset: Asset, data: bytes) -> Asset:
    """``asset`` as this worker keeps it: its bytes on disk by digest, written once."""
    path = store / "files" / f"{asset.digest}{asset.path.suffix}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(path, data, once=True)
    return Asset(asset.name, path, asset.digest)


@functools.cache
def _canvases() -> jobs.Canvases:
    """The canvases of this worker process, made on its first scene (fonts load once per worker)."""
    return jobs.Canvases()
