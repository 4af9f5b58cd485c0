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
- **Never a hang.** Reaching the scheduler waits for its greeting (a port that accepts and never
  answers, a dashboard's HTTP port, is said within ANSWER_TIMEOUT). While tasks run, this process
  looks every POLL seconds at the cancel, and every second at the scheduler and its workers: a
  cluster left with no worker for NO_WORKER_GRACE seconds (the last one died), or a scheduler that
  stopped answering, ends the render with one message; the sentences and clips that came back stay
  in the cache (each sentence is handed to the narration as it comes). The client's threads start
  with Ctrl-C blocked, so Ctrl-C always reaches the main thread, and every clean-up call to the
  scheduler is bounded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import signal
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, InvalidStateError
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core import cache
from pipeline.core.assets import Asset
from pipeline.core.errors import RendererMismatch, RenderError, Stopped, UsageError
from pipeline.rendering import jobs
from pipeline.rendering.executors.base import Cancel, Event, Feed, FramesDone, SceneDone
from pipeline.rendering.jobs import SceneJob, SceneStats

if TYPE_CHECKING:
    from pipeline.narration.engines.base import Spoken
    from pipeline.narration.jobs import SpeechJob

#: How often a running task asks whether the render was cancelled (seconds).
CANCEL_CHECK = 0.5
#: How long to wait for the scheduler and a first worker (seconds).
CONNECT_TIMEOUT = 30
#: How long a scheduler has to take the connection and greet (seconds): a Dask scheduler greets at once.
ANSWER_TIMEOUT = 8
#: How long the cluster may have no worker, or its scheduler not answer, before a render stops (seconds): a worker
#: restarted by its nanny or a supervisor comes back within it.
NO_WORKER_GRACE = 5
#: How often a wait for tasks looks at the cancel, the workers and the scheduler (seconds).
POLL = 0.1
#: The most any one call to the scheduler may take while a render waits or cleans up (seconds).
CALL_TIMEOUT = 5


class DaskCluster:
    """Scene jobs on the Dask scheduler at ``address`` (``tcp://HOST:PORT``, an IPv6 host in brackets)."""

    def __init__(self, address: str):
        self.address = address
        self._client = None
        self._loop = None  # the client's IO loop, run by a thread of ours that never takes Ctrl-C
        #: Since when the cluster has had no worker or no answer (monotonic), or None: kept from one wait to the
        #: next, so that a batch's later storyboards are not each given the grace again.
        self._trouble_since: float | None = None

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
            from distributed.utils import LoopRunner
        except ImportError:
            raise UsageError('--executor dask:// needs Dask distributed: pip install -e ".[cluster]"') from None
        with _ctrl_c_blocked():  # the loop's thread, and each thread it starts, inherit the mask: Ctrl-C comes here
            loop = LoopRunner()
            loop.start()
        try:
            greet(self.address, loop.loop)  # a port that takes the connection and never answers: said now
            client = Client(self.address, loop=loop.loop, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except BaseException as exc:
            loop.stop(CALL_TIMEOUT)
            if isinstance(exc, OSError):
                raise UsageError(unreachable(self.address, exc)) from None
            raise
        try:
            check_workers(client.run(jobs.identity), jobs.identity())
        except BaseException:
            _close(client, loop)
            raise
        self._client, self._loop = client, loop
        return client

    def run(
        self, scene_jobs: Sequence[SceneJob] | Feed, on_event: Callable[[Event], None], cancel: Cancel
    ) -> dict[str, SceneStats]:
        # A feed's jobs once it is closed: the cluster has spoken every sentence by the time a render fills it, and
        # the files go out in one round.
        scene_jobs = list(scene_jobs)
        if cancel.is_set():
            self.close()
            raise Stopped

        if self._client is None:
            self._open()
        client, loop = self._client, self._loop  # one client a run: closed when it ends
        self._client = self._loop = None
        stop = f"explainer-stop-{uuid.uuid4().hex}"
        futures = {}
        results: dict[str, SceneStats] = {}

        def done(job: SceneJob, result: tuple[SceneStats, bytes]) -> None:
            stats, clip = result
            cache.write_bytes(job.target, clip, once=True)
            results[job.scene_id] = stats
            on_event(FramesDone(job.scene_id, job.frames))
            on_event(SceneDone(job, stats))

        try:
            expected = jobs.identity()
            found = client.run(jobs.identity)
            if not found:  # the last worker left during the narration: as while scenes run, a moment to come back
                since = self._trouble_since = self._trouble_since or time.monotonic()
                left = NO_WORKER_GRACE - (time.monotonic() - since)
                if left > 0:
                    _quietly(lambda: client.wait_for_workers(1, timeout=left))
                found = client.run(jobs.identity)
                if not found:
                    raise RenderError(self._stopped(f"no worker is left in the Dask cluster at {self.address}", ""))
            check_workers(found, expected)  # again: workers may have joined since
            send_files(client, scene_jobs)
            for job in sorted(scene_jobs, key=lambda job: -job.frames):
                key = f"scene-{job.key}-{uuid.uuid4().hex[:8]}"
                futures[client.submit(render_on_worker, job, expected, stop, key=key, pure=False)] = job
            self._collect(client, futures, done, cancel.is_set, lambda: f"{len(results)} of {len(futures)} scene(s)")
        except BaseException:
            # Running tasks stop at their next frames, the others are dropped; each step bounded, so that a
            # scheduler gone quiet cannot hold the render.
            _quietly(lambda: client.sync(client.scheduler.event_set, name=stop, callback_timeout=CALL_TIMEOUT))
            _quietly(lambda: client.cancel(list(futures)))
            raise
        finally:
            _close(client, loop)
        return results

    def speak(self, engine: str, lines: Sequence[SpeechJob]) -> list[Future[Spoken]]:
        """A future of each of ``lines`` spoken by the cluster's workers, one task each (a worker loads the voice
        once), resolved as it comes back: the narration stores each sentence as it is spoken, and keeps them
        should the cluster fail. A worker whose engine is not the one the sentences are cached under refuses
        them. Cancelling the futures drops the tasks not done."""
        if self._client is None:
            self._open()  # kept open for the scenes that follow (run closes it)
        client = self._client
        tasks = {
            client.submit(_speak_on_worker, engine, line, key=f"speak-{uuid.uuid4().hex}", pure=False): index
            for index, line in enumerate(lines)
        }
        spoken: list[Future[Spoken]] = [Future() for _ in lines]

        def said(index: int, result: Spoken) -> None:
            with contextlib.suppress(InvalidStateError):  # cancelled meanwhile
                spoken[index].set_result(result)

        def kept() -> str:  # the narration stores them in order, up to the first one missing
            count = next((i for i, future in enumerate(spoken) if not future.done() or future.cancelled()), len(lines))
            return f"{count} of {len(lines)} sentence(s)"

        def wait() -> None:
            try:
                self._collect(client, tasks, said, lambda: any(future.cancelled() for future in spoken), kept)
            except BaseException as exc:
                _quietly(lambda: client.cancel(list(tasks)))
                for future in spoken:
                    with contextlib.suppress(InvalidStateError):
                        future.set_exception(exc)

        with _ctrl_c_blocked():  # Ctrl-C stays the main thread's, which waits on these futures
            threading.Thread(target=wait, name="dask-speak", daemon=True).start()
        return spoken

    def close(self) -> None:
        """Let the client go (a render's end; run does it itself)."""
        client, loop, self._client, self._loop = self._client, self._loop, None, None
        if client is not None:
            _close(client, loop)

    def _collect(
        self, client, futures: dict, on_result: Callable, stopped: Callable[[], bool], finished: Callable[[], str]
    ) -> None:
        """Hand each future's item and result to ``on_result`` as it finishes, looking every POLL seconds at
        ``stopped`` (then raising Stopped) and, every second, at the scheduler and its workers: none left, or no
        answer, for NO_WORKER_GRACE seconds is a RenderError saying what ``finished`` says was kept."""
        from distributed.scheduler import KilledWorker

        pending = dict(futures)
        checked = time.monotonic()
        while pending:
            if stopped():
                raise Stopped
            for future in [future for future in pending if future.done()]:
                item = pending.pop(future)
                if future.status == "cancelled":  # not by this render: the client lost the scheduler
                    lost = f"lost the Dask scheduler at {self.address}"
                    raise RenderError(self._stopped(lost, finished(), waited=False))
                try:
                    result = future.result()
                except KilledWorker:
                    raise RenderError(
                        f"every worker that took one task of this render died while running it ({future.key}): "
                        "out of memory, or killed; see the workers' logs"
                    ) from None
                on_result(item, result)
            now = time.monotonic()
            if pending and now - checked >= 1.0:
                checked = now
                trouble = self._trouble(client)
                if trouble is None:
                    self._trouble_since = None
                elif self._trouble_since is None:
                    self._trouble_since = now
                elif now - self._trouble_since >= NO_WORKER_GRACE:
                    raise RenderError(self._stopped(trouble, finished()))
            time.sleep(POLL)

    def _trouble(self, client) -> str | None:
        """What keeps the cluster from running tasks (no worker, no answer), or None."""
        try:
            workers = client.nthreads(callback_timeout=CALL_TIMEOUT)
        except Exception:  # a scheduler that is gone or stuck fails in many ways
            return f"the Dask scheduler at {self.address} stopped answering"
        return None if workers else f"no worker is left in the Dask cluster at {self.address}"

    def _stopped(self, trouble: str, finished: str, waited: bool = True) -> str:
        """The message for a render the cluster can no longer run: ``trouble`` (``waited`` for NO_WORKER_GRACE),
        what was kept, what to do."""
        kept = f"; {finished} finished and stay in the cache" if finished else ""
        again = (
            f"start a worker ('dask worker {self.address}')"
            if trouble.startswith("no worker")
            else "start the scheduler and its workers again"
        )
        waited_for = f" (for {NO_WORKER_GRACE} s)" if waited else ""
        return f"{trouble}{waited_for}{kept}; {again} and render again: only what is missing is drawn"


def greet(address: str, loop) -> None:
    """Connect to the scheduler at ``address`` and take its greeting, on ``loop`` (running in another thread),
    within ANSWER_TIMEOUT seconds: a port that takes connections but never answers (another server, a dashboard's
    HTTP port) is a UsageError saying so, and one that refuses them is said at once (Dask would try again for
    all of its timeout)."""
    import asyncio

    from distributed.comm import connect
    from distributed.utils import sync

    host, _, port = address.removeprefix("tcp://").rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=ANSWER_TIMEOUT).close()
    except OSError as exc:  # refused, no route, no such host, or no answer to the connection itself
        raise UsageError(unreachable(address, exc)) from None

    async def hello() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=ANSWER_TIMEOUT), ANSWER_TIMEOUT)
        await comm.close()

    try:
        sync(loop, hello)
    except TimeoutError:
        raise UsageError(
            f"the server at {address} took the connection but did not answer as a Dask scheduler does within "
            f"{ANSWER_TIMEOUT} s: is it another server, or the dashboard's port? A scheduler listens on 8786 unless "
            "started with 'dask scheduler --port PORT'"
        ) from None


def unreachable(address: str, exc: OSError) -> str:
    port = address.rpartition(":")[2]
    return (
        f"cannot reach the Dask scheduler at {address}: {exc}; start it with 'dask scheduler --port {port}', or "
        "check the address"
    )


@contextlib.contextmanager
def _ctrl_c_blocked() -> Iterator[None]:
    """Ctrl-C blocked in this thread for a moment, so that threads started meanwhile never take it (a signal mask
    is inherited): the kernel then gives it to the main thread, which may be waiting on them. One pressed
    meanwhile arrives as it is unblocked."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _close(client, loop) -> None:
    """Close ``client`` and stop its loop, each within CALL_TIMEOUT (a lost scheduler cannot hold it). Dask's
    own log is silenced meanwhile: closing while it tries to reach a lost scheduler again makes it log the
    cancelled attempt, with a traceback, where the render has said what happened in one line."""
    before = logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # every logger: Dask's log under 'distributed.*' with levels of their own
    try:
        _quietly(lambda: client.close(timeout=CALL_TIMEOUT))
        if loop is not None:
            _quietly(lambda: loop.stop(CALL_TIMEOUT))
    finally:
        logging.disable(before)


def _quietly(step: Callable[[], object]) -> None:
    """A clean-up step that may fail (the scheduler gone): the failure that led here is the one to tell."""
    with contextlib.suppress(Exception):
        step()


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


def send_files(client, scene_jobs: Sequence[SceneJob]) -> None:
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
