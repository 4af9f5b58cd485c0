"""Rendering on Dask: a real scheduler and real workers, started as separate processes on loopback."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import explainer

from pipeline.core import cache
from pipeline.core.errors import UsageError
from pipeline.rendering.executors import executor_for
from pipeline.rendering.executors.cluster import RendererMismatch, check_workers
from pipeline.rendering.jobs import identity

STORY = """\
title: Cluster test
video: {width: 640, height: 360, fps: 30}
narration: {engine: piper}
sections:
  - title: One
    scenes:
      - id: hello
        slide: {kind: title, title: Hello cluster, subtitle: Scenes rendered elsewhere}
        narration: Hello there. These scenes are drawn by workers on a cluster, then joined here.
      - id: number
        slide: {kind: stat, value: 34000, label: people, source: Ministry of Unification}
        narration: Thirty four thousand people, counted one by one, over thirty years.
  - title: Two
    scenes:
      - id: years
        slide:
          kind: timeline
          events:
            - {date: "1991", text: The Soviet Union collapses}
            - {date: "2009", text: Defections peak}
            - {date: "2019", text: Only a thousand get out}
        narration: Three dates tell the story. First the collapse, then the peak, then almost nobody.
"""


def _dask(*args: str, env: dict | None = None) -> subprocess.Popen:
    exe = shutil.which("dask")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]]
    env = {**os.environ, **(env or {})}
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


class Cluster:
    """A scheduler and workers on loopback, each its own process (no nanny: a worker is one process to kill)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []
        self.workers: dict[str, tuple[subprocess.Popen, Path]] = {}
        folder.mkdir(parents=True, exist_ok=True)
        where = ["--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(self.file)]
        self.processes.append(_dask("scheduler", *where))
        deadline = time.monotonic() + 60
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]

    def worker(self, name: str, preload: Path | None = None) -> None:
        store = self.folder / f"store-{name}"
        args = ["worker", "--scheduler-file", str(self.file), "--nthreads", "1", "--no-nanny", "--no-dashboard",
                "--name", name, "--host", "127.0.0.1"]  # fmt: skip
        if preload:
            args += ["--preload", str(preload)]
        process = _dask(*args, env={"EXPLAINER_WORKER_STORE": str(store)})
        self.processes.append(process)
        self.workers[name] = (process, store)

    def wait_for(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(count, timeout=120)

    @property
    def url(self) -> str:
        return "dask://" + self.address.removeprefix("tcp://")

    def close(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:  # a worker could take the whole 15 s it was given to leave (the fast tier's longest 15 s)
                process.wait(3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    made = Cluster(tmp_path_factory.mktemp("cluster"))
    made.worker("w1")
    made.worker("w2")
    made.wait_for(2)
    yield made
    made.close()


def _project(root: Path, text: str = STORY) -> Path:
    (root / "assets").mkdir(parents=True, exist_ok=True)
    (root / "script").mkdir(exist_ok=True)
    if "assets/picture.png" in text:
        from PIL import Image

        Image.radial_gradient("L").resize((800, 450)).convert("RGB").save(root / "assets" / "picture.png")
    story = root / "script" / "story.yaml"
    story.write_text(textwrap.dedent(text), encoding="utf-8")
    return story


def _decoded(video: Path) -> tuple[str, str]:
    """MD5 of the decoded pictures, and of the decoded sound."""
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    out = []
    for stream in ("0:v", "0:a"):
        run = subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(video), "-map", stream, "-f", "md5", "-"],
                             capture_output=True, text=True, check=True)  # fmt: skip
        out.append(run.stdout.strip())
    return out[0], out[1]


#: A second storyboard for batches: one scene shared with STORY, one of its own, and a picture (a file the workers
#: are sent).
OTHER = (
    STORY.replace("title: Cluster test", "title: Cluster test two").replace("Hello cluster", "Hello again")
    + """\
  - title: Three
    scenes:
      - id: picture
        slide: {kind: image, file: assets/picture.png, caption: A picture sent to the workers, move: in}
        narration: A picture, which the workers are sent once.
"""
)


@pytest.fixture(scope="module")
def local_render(tmp_path_factory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("local")
    story = _project(root)
    run = explainer("render", str(story), "--quiet", cwd=root)
    assert run.returncode == 0, run.stderr
    return _decoded(root / "output" / "story" / "story.mp4")


@pytest.fixture(scope="module")
def local_other(tmp_path_factory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("local-other")
    story = _project(root, OTHER)
    run = explainer("render", str(story), "--quiet", cwd=root)
    assert run.returncode == 0, run.stderr
    return _decoded(root / "output" / "story" / "story.mp4")


@pytest.mark.slow
@pytest.mark.xdist_group("dask-cluster")  # the tests of the module's cluster and local renders: made once a run
def test_a_batch_on_the_cluster_is_the_local_renders(cluster, local_render, local_other, tmp_path):
    """Two storyboards as one batch through the cluster, sharing a cache folder: each video equals its local render,
    and a scene the two share is drawn once."""
    story = _project(tmp_path / "one").relative_to(tmp_path)
    other = _project(tmp_path / "two", OTHER).relative_to(tmp_path)
    other = (tmp_path / other).rename(tmp_path / other.with_name("other.yaml")).relative_to(tmp_path)
    shared = tmp_path / "shared-cache"
    run = explainer("render", str(story), str(other), "--executor", cluster.url, "--cache", str(shared), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert _decoded(tmp_path / "one" / "output" / "story" / "story.mp4") == local_render
    assert _decoded(tmp_path / "two" / "output" / "other" / "other.mp4") == local_other
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines() if line.strip().endswith("ok")}
    drawn = [rows[str(path)][rows[str(path)].index("of") - 1] for path in (story, other)]
    # The stat was drawn for the first storyboard only: in both videos it is cut to within its section and wiped
    # from into the next, so it is the same clip. The timeline is not: it ends the first video (a dip) but is
    # wiped from into the second's third section, a join of its own.
    assert drawn == ["3", "3"], run.stdout
    assert len(list((shared / "scenes").glob("*.mp4"))) == 6
    # The workers kept nothing but what they may reuse: no clip left behind.
    for _, store in cluster.workers.values():
        assert not list((store / "clips").glob("*")), list((store / "clips").glob("*"))


@pytest.mark.slow
@pytest.mark.xdist_group("dask-cluster")
def test_a_worker_killed_mid_scene_leaves_the_video_right(tmp_path, local_render):
    made = Cluster(tmp_path / "cluster")
    try:
        made.worker("k1")
        made.worker("k2")
        made.wait_for(2)
        story = _project(tmp_path / "project")
        cmd = [shutil.which("explainer") or sys.executable, "render", str(story), "--executor", made.url, "--quiet"]
        render = subprocess.Popen(cmd, cwd=story.parent.parent, stderr=subprocess.PIPE, text=True)
        killed = None
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and render.poll() is None:
            for name, (process, store) in made.workers.items():
                if any((store / "clips").glob(".explainer-part-*")):  # drawing a scene right now
                    process.send_signal(signal.SIGKILL)
                    killed = name
                    break
            time.sleep(0.02)
        assert killed, "no worker was seen drawing a scene"
        assert render.wait(300) == 0, render.stderr.read()
        assert _decoded(story.parent.parent / "output" / "story" / "story.mp4") == local_render
    finally:
        made.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("patch", "said"),
    [
        # Another drawing stack: refused before any work.
        ('import pipeline.rendering.jobs\npipeline.rendering.jobs.RENDERER = "explainer 0.0.1/scene-1"\n',
         ["worker", "renders with explainer 0.0.1/scene-1", "install the same explainer"]),
        # Another voice (here, another piper noise): its narration tasks refuse the sentences.
        ('import pipeline.narration.engines.piper\npipeline.narration.engines.piper.NOISE = "noise unseeded"\n',
         ["worker tcp://127.0.0.1:", "narrates with piper piper-tts", "noise unseeded", "install the same explainer"]),
    ],
    ids=["renderer", "voice"],
)  # fmt: skip
def test_a_worker_that_would_draw_or_narrate_otherwise_is_refused(tmp_path, patch, said):
    preload = tmp_path / "preload.py"
    preload.write_text(patch)
    made = Cluster(tmp_path / "cluster")
    try:
        made.worker("other", preload=preload)
        made.wait_for(1)
        story = _project(tmp_path / "project")
        run = explainer("render", str(story), "--executor", made.url, cwd=story.parent.parent)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert all(words in run.stderr for words in said), run.stderr
        assert not list((story.parent.parent / "output").rglob("*.f32")), "no sentence was stored"
    finally:
        made.close()


class _Recording:
    """A real client, with the out-of-band functions it runs on workers written down."""

    def __init__(self, client):
        self.client, self.calls = client, []

    def run(self, function, *args, workers=None):
        self.calls.append((function.__name__, workers))
        return self.client.run(function, *args, workers=workers)


@pytest.mark.slow  # 1.5-2.5 s: the full run's (the fast tier keeps to a minute)
@pytest.mark.xdist_group("dask-cluster")
def test_a_file_is_sent_only_to_the_workers_that_lack_it(cluster, tmp_path):
    from types import SimpleNamespace

    from distributed import Client

    from pipeline.core.assets import Asset
    from pipeline.rendering.executors.cluster import send_files

    data = f"the bytes of a picture, {tmp_path.name}".encode()
    picture = tmp_path / "picture.png"
    picture.write_bytes(data)
    asset = Asset("assets/picture.png", picture, hashlib.sha256(data).hexdigest()[:32])
    job = SimpleNamespace(assets=(asset,))
    kept = {name: store / "files" / f"{asset.digest}.png" for name, (_, store) in cluster.workers.items()}
    kept["w1"].parent.mkdir(parents=True, exist_ok=True)
    kept["w1"].write_bytes(data)  # w1 has it from an earlier render
    with Client(cluster.address, timeout=60) as client:
        names = {address: info["name"] for address, info in client.scheduler_info()["workers"].items()}
        spy = _Recording(client)
        send_files(spy, [job])
        sent = [[names[w] for w in workers] for function, workers in spy.calls if function == "keep_file"]
        assert sent == [["w2"]] and kept["w2"].read_bytes() == data
        spy.calls.clear()
        send_files(spy, [job])
        assert [function for function, _ in spy.calls] == ["kept_files"], "every worker keeps it: nothing is sent"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the test connects: nothing listens there


def test_executor_names_and_addresses():
    port = _closed_port()
    said = rf"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:{port}: .*--port {port}"
    with pytest.raises(UsageError, match=said):
        executor_for(f"dask://127.0.0.1:{port}")
    for wrong in ("dask://", "dask://127.0.0.1", "dask://:8786", "ray://x:1", "threads"):
        with pytest.raises(UsageError, match="--executor"):
            executor_for(wrong)


def test_a_scheduler_that_is_not_there_is_said_before_anything_is_narrated(tmp_path):
    """It was found only when the scenes were sent, after the narration and a 30 s wait."""
    story = _project(tmp_path / "project")
    run = explainer("render", str(story), "--executor", f"dask://127.0.0.1:{_closed_port()}", cwd=story.parent.parent)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "cannot reach the Dask scheduler" in run.stderr and "dask scheduler --port" in run.stderr
    assert not list((story.parent.parent / "output").rglob("*.f32")), "nothing was narrated"


def test_a_stack_that_differs_is_named():
    ours = identity()
    theirs = {**ours, "stack": {**ours["stack"], "pillow": "9.0.0"}}
    with pytest.raises(RendererMismatch, match=r"worker tcp://w:1 draws with another stack: pillow 9\.0\.0 there"):
        check_workers({"tcp://w:1": theirs, "tcp://w:2": ours}, ours)
    with pytest.raises(UsageError, match="no workers"):
        check_workers({}, ours)


# -- hangs: a cluster that dies, a port that never answers, Ctrl-C -----------------------------------------------


def _render(story: Path, url: str, *extra: str) -> subprocess.Popen:
    """``explainer render`` on the cluster at ``url``, in its own process group (a terminal's Ctrl-C reaches the
    whole group), its stderr read into a list as it comes."""
    cmd = [shutil.which("explainer") or sys.executable, "render", str(story), "--executor", url, *extra]
    process = subprocess.Popen(
        cmd, cwd=story.parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    process.said = []  # type: ignore[attr-defined]
    threading.Thread(target=lambda: process.said.extend(process.stderr), daemon=True).start()  # type: ignore[attr-defined]
    return process


def _ended(process: subprocess.Popen, seconds: float) -> int | None:
    """The exit status within ``seconds``, or None after killing the process group that did not end."""
    try:
        return process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None


def _until(condition, seconds: float, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _drawing(store: Path) -> bool:
    return any((store / "clips").glob(".explainer-part-*"))


def _clips(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / "output" / ".cache" / "scenes").glob("*.mp4")}


@pytest.mark.slow
def test_a_render_whose_last_worker_dies_says_so_keeps_what_finished_and_the_next_one_recovers(tmp_path):
    """It waited for a worker for good, and Ctrl-C did nothing."""
    made = Cluster(tmp_path / "cluster")
    try:
        made.worker("only")
        made.wait_for(1)
        story = _project(tmp_path / "project")
        root = story.parent.parent
        render = _render(story, made.url)
        worker, store = made.workers["only"]
        # One scene at a time on the one worker: killed while it draws another, once one is back in the cache.
        assert _until(lambda: _clips(root) and _drawing(store), 180, render), "".join(render.said)
        kept = _clips(root)
        worker.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        code = _ended(render, 60)
        took = time.monotonic() - killed
        said = "".join(render.said)
        assert code == 1, (code, said)
        assert took < 20, took  # the cluster's grace (5 s) and a poll: not forever
        assert "no worker is left in the Dask cluster" in said and "dask worker tcp://127.0.0.1:" in said, said
        finished = _clips(root)
        assert f"{len(finished)} of 3 scene(s) finished and stay in the cache" in said, said
        assert "Traceback" not in said and said.count("error:") == 1, said
        assert {name: data for name, data in finished.items() if name in kept} == kept
        assert not [p for p in root.rglob("*") if cache.is_partial(p.name)], "no partial file"

        # A worker again: the next render draws only what was missing, and makes the local render's video.
        made.worker("again")
        made.wait_for(1)
        again = explainer("render", str(story), "--executor", made.url, cwd=root, timeout=300)
        assert again.returncode == 0, again.stderr
        assert f"{3 - len(finished)} rendered, {len(finished)} from cache" in again.stderr, again.stderr
    finally:
        made.close()


@pytest.mark.slow
def test_a_render_whose_scheduler_dies_says_so_in_one_line(tmp_path):
    made = Cluster(tmp_path / "cluster")
    try:
        made.worker("only")
        made.wait_for(1)
        story = _project(tmp_path / "project")
        render = _render(story, made.url)
        _, store = made.workers["only"]
        assert _until(lambda: _drawing(store), 180, render), "".join(render.said)
        made.processes[0].send_signal(signal.SIGKILL)  # the scheduler
        killed = time.monotonic()
        code = _ended(render, 60)
        took = time.monotonic() - killed
        said = "".join(render.said)
        assert code == 1 and took < 20, (code, took, said)
        assert f"the Dask scheduler at {made.address}" in said and "start the scheduler" in said, said
        assert "Traceback" not in said and said.count("error:") == 1, said
    finally:
        made.close()


#: A storyboard with 15 sentences to speak: the one worker is killed while it speaks them.
TALKATIVE = STORY.replace(
    "Hello there. These scenes are drawn by workers on a cluster, then joined here.",
    " ".join(f"Sentence number {n} of a long opening, spoken on the cluster." for n in range(1, 13)),
)


@pytest.mark.slow
def test_a_render_whose_last_worker_dies_while_it_speaks_keeps_the_sentences_spoken(tmp_path):
    made = Cluster(tmp_path / "cluster")
    try:
        made.worker("only")
        made.wait_for(1)
        story = _project(tmp_path / "project", TALKATIVE)
        root = story.parent.parent
        render = _render(story, made.url)
        worker, _ = made.workers["only"]

        def stored() -> list[Path]:
            return list((root / "output" / ".cache").rglob("*.f32"))

        assert _until(stored, 180, render), "".join(render.said)  # the first sentence is back, and stored
        worker.send_signal(signal.SIGKILL)
        code = _ended(render, 60)
        said = "".join(render.said)
        kept = len(stored())
        assert code == 1 and "Traceback" not in said and said.count("error:") == 1, (code, said)
        assert "no worker is left in the Dask cluster" in said, said
        assert f"{kept} of 15 sentence(s) finished and stay in the cache" in said, said
        assert 0 < kept < 15, kept

        made.worker("again")
        made.wait_for(1)
        again = explainer("render", str(story), "--executor", made.url, cwd=root, timeout=300)
        assert again.returncode == 0, again.stderr
        assert f"{15 - kept} sentence(s) synthesized" in again.stderr, again.stderr
    finally:
        made.close()


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["while a worker draws", "once the last worker died"])
def test_ctrl_c_ends_a_dask_render_within_seconds(tmp_path, moment):
    made = Cluster(tmp_path / "cluster")
    try:
        made.worker("only")
        made.wait_for(1)
        story = _project(tmp_path / "project")
        render = _render(story, made.url)
        worker, store = made.workers["only"]
        assert _until(lambda: _drawing(store), 180, render), "".join(render.said)
        if moment == "once the last worker died":
            worker.send_signal(signal.SIGKILL)
            time.sleep(1)  # within the cluster's grace: the render is waiting for a worker
        os.killpg(render.pid, signal.SIGINT)
        pressed = time.monotonic()
        code = _ended(render, 30)
        took = time.monotonic() - pressed
        said = "".join(render.said)
        assert code == 130 and took < 5, (code, took, said)
        assert "interrupted" in said and "Traceback" not in said, said
        assert not [p for p in story.parent.parent.rglob("*") if cache.is_partial(p.name)], "no partial file"
    finally:
        made.close()


@contextlib.contextmanager
def _silent_server(seconds: float = 90) -> Iterator[int]:
    """A port on loopback that accepts connections and never answers (for ``seconds`` at most); its number."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        deadline = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
        for connection in held:
            connection.close()
        server.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)


@contextlib.contextmanager
def _http_server(seconds: float = 90) -> Iterator[int]:
    """An HTTP server on loopback (as a dashboard's port is), serving for ``seconds`` at most; its port."""
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    timer = threading.Timer(seconds, server.shutdown)
    timer.start()
    try:
        yield server.server_port
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("server", [_silent_server, _http_server], ids=["silent", "http"])
def test_a_port_that_never_answers_as_a_scheduler_is_said_within_seconds(tmp_path, server):
    """It printed nothing for 240 s: the connect timeout does not cover Dask's handshake."""
    story = _project(tmp_path / "project")
    with server() as port:
        started = time.monotonic()
        try:
            run = explainer("render", str(story), "--executor", f"dask://127.0.0.1:{port}", cwd=tmp_path, timeout=45)
        except subprocess.TimeoutExpired:
            pytest.fail("still silent after 45 s")
        took = time.monotonic() - started
    assert run.returncode == 2 and took < 15, (took, run.stderr)
    assert f"the server at tcp://127.0.0.1:{port} took the connection but did not answer" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("error:") == 1, run.stderr
    assert not list((tmp_path / "project" / "output").rglob("*.f32")), "nothing was narrated"


@pytest.mark.slow
def test_an_executor_address_is_checked_and_an_ipv6_one_is_parsed(tmp_path):
    story = _project(tmp_path / "project")
    for spec, said in [
        ("dask://127.0.0.1:99999", "port 99999 is invalid: a port is a number from 1 to 65535"),
        ("dask://127.0.0.1:0", "port 0 is invalid"),
        ("dask://::1:8786", "an IPv6 address goes in brackets, e.g. dask://[::1]:8786"),
    ]:
        run = explainer("render", str(story), "--executor", spec, cwd=tmp_path)
        assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr, (spec, run.stderr)
    # A scheduler on IPv6 loopback is reached (it has no workers yet, which is what it says).
    folder = tmp_path / "cluster"
    folder.mkdir()
    file = folder / "scheduler.json"
    scheduler = _dask("scheduler", "--host", "[::1]", "--port", "0", "--no-dashboard", "--scheduler-file", str(file))
    try:
        assert _until(file.exists, 60, scheduler), "the scheduler did not start"
        address = json.loads(file.read_text())["address"]
        assert address.startswith("tcp://[::1]:"), address
        run = explainer("render", str(story), "--executor", "dask://" + address.removeprefix("tcp://"), cwd=tmp_path)
        assert run.returncode == 2 and "the Dask cluster has no workers" in run.stderr, run.stderr
    finally:
        scheduler.terminate()
        try:
            scheduler.wait(5)
        except subprocess.TimeoutExpired:
            scheduler.kill()
            scheduler.wait()


#: The user's own files, in the project and beside the video: a render killed or interrupted leaves each as it was.
USERS = {
    "notes/.party-plan.txt": b"the user's hidden notes",
    "output/story/my-edit.txt": b"the user's file beside the video",
    "output/.story.next.txt": b"a name like the tool's",
}


@pytest.mark.slow
@pytest.mark.xdist_group("dask-cluster")
@pytest.mark.parametrize("stage", ["narration", "scenes"])
@pytest.mark.parametrize("how", ["SIGKILL", "Ctrl-C"])
def test_a_dask_render_killed_or_interrupted_at_random_loses_nothing_and_the_next_one_recovers(
    cluster, local_render, tmp_path, how, stage
):
    # A moment past the stage's start, another each run; EXPLAINER_TEST_SEED=N replays the one a failure names.
    seed = int(os.environ.get("EXPLAINER_TEST_SEED") or random.randrange(10**6))
    wait = random.Random(seed).uniform(0, 1.5)
    story = _project(tmp_path / "project")
    root = story.parent.parent
    for name, data in USERS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    stores = [store for _, store in cluster.workers.values()]
    render = _render(story, cluster.url)
    reached = {
        "narration": lambda: "Narrating" in "".join(render.said),
        "scenes": lambda: any(_drawing(store) for store in stores),
    }[stage]
    assert _until(reached, 180, render), f"the render ended before {stage}: {''.join(render.said)}"
    time.sleep(wait)
    if how == "SIGKILL":
        render.send_signal(signal.SIGKILL)  # the main process only, as the out-of-memory killer does
        assert _ended(render, 10) == -signal.SIGKILL
    else:
        os.killpg(render.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole group
        code = _ended(render, 10)
        said = "".join(render.said)
        assert code in (130, 0) and "Traceback" not in said, (seed, wait, code, said)  # 0: it had just finished
    assert _until(lambda: not _group_alive(render.pid), 15), "a process of the render is left"
    assert {name: (root / name).read_bytes() for name in USERS} == USERS, (seed, wait)

    again = explainer("render", str(story), "--executor", cluster.url, cwd=root, timeout=300)
    assert again.returncode == 0, (seed, wait, again.stderr)
    assert _decoded(root / "output" / "story" / "story.mp4") == local_render
    assert {name: (root / name).read_bytes() for name in USERS} == USERS, (seed, wait)
    ours = (".explainer-staging", ".explainer-lock")
    left = [p for p in root.rglob("*") if cache.is_partial(p.name) or p.name.endswith(ours)]
    assert [p for p in left if p.relative_to(root).as_posix() not in USERS] == [], "nothing of the tool's is left"
    # A scene the killed render left running ends on its worker, which keeps no clip of it.
    assert _until(lambda: not any(list((store / "clips").glob("*")) for store in stores), 60)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_a_batch_whose_last_worker_dies_ends_with_its_table_in_seconds(tmp_path):
    """Each storyboard is not given the cluster's grace again: the batch fails as a whole within seconds."""
    made = Cluster(tmp_path / "cluster")
    try:
        made.worker("only")
        made.wait_for(1)
        stories = [_project(tmp_path / name, TALKATIVE.replace("Cluster test", f"Cluster {name}")) for name in "abc"]
        cmd = [shutil.which("explainer") or sys.executable, "render", *map(str, stories), "--executor", made.url]
        render = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  start_new_session=True)  # fmt: skip
        render.said = []  # type: ignore[attr-defined]
        threading.Thread(target=lambda: render.said.extend(render.stderr), daemon=True).start()  # type: ignore[attr-defined]
        worker, _ = made.workers["only"]
        first = tmp_path / "a" / "output" / ".cache"
        assert _until(lambda: list(first.rglob("*.f32")), 180, render), "".join(render.said)
        worker.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        code = _ended(render, 120)
        took = time.monotonic() - killed
        said, table = "".join(render.said), render.stdout.read()
        # One grace of 5 s, then a second for each wait that follows: 7.5 s here; 18 s when each storyboard's
        # narration waited the whole grace again.
        assert code == 1 and took < 13, (code, took, said)
        assert "Traceback" not in said and "no worker is left in the Dask cluster" in said, said
        assert "3 of 3 videos failed" in said or table.count("failed") == 3, (said, table)
    finally:
        made.close()
