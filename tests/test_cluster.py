"""Rendering on Dask: a real scheduler and real workers, started as separate processes on loopback."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import explainer

from pipeline.errors import UsageError
from pipeline.executors import executor_for
from pipeline.executors.cluster import RendererMismatch, check_workers
from pipeline.jobs import identity

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
    assert drawn == ["3", "2"], run.stdout  # the stat and the timeline were drawn for the first storyboard only
    assert len(list((shared / "scenes").glob("*.mp4"))) == 5
    # The workers kept nothing but what they may reuse: no clip left behind.
    for _, store in cluster.workers.values():
        assert not list((store / "clips").glob("*")), list((store / "clips").glob("*"))


@pytest.mark.slow
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
        ('import pipeline.jobs\npipeline.jobs.RENDERER = "explainer 0.0.1/scene-1"\n',
         ["worker", "renders with explainer 0.0.1/scene-1", "install the same explainer"]),
        # Another voice (here, another piper noise): its narration tasks refuse the sentences.
        ('import pipeline.narration.piper\npipeline.narration.piper.NOISE = "noise unseeded"\n',
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


def test_a_file_is_sent_only_to_the_workers_that_lack_it(cluster, tmp_path):
    from types import SimpleNamespace

    from distributed import Client

    from pipeline.assets import Asset
    from pipeline.executors.cluster import _send

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
        _send(spy, [job])
        sent = [[names[w] for w in workers] for function, workers in spy.calls if function == "keep_file"]
        assert sent == [["w2"]] and kept["w2"].read_bytes() == data
        spy.calls.clear()
        _send(spy, [job])
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
