"""Narration pipelined into the scenes: a scene is sent to the workers as soon as its own sentences are spoken.

The workers that speak the narration go on to draw scenes from a feed that
the render fills as each scene is spoken, longest first among those waiting.
The video must be the one a render that narrates first and draws after makes.
"""

from __future__ import annotations

import contextlib
import subprocess
import textwrap
import threading
import time
from types import SimpleNamespace

import imageio_ffmpeg
import pytest
import requests

import pipeline
from pipeline import RenderOptions
from pipeline.rendering.executors import Cancel, LocalPool, SceneDone
from pipeline.rendering.executors.base import Feed
from pipeline.rendering.executors.local import POOL_FROM, next_job

#: Three scenes, 1 + 4 + 5 sentences (enough to be spoken on the workers), the first one short, so that it is
#: spoken while the last scene's sentences are still waiting for a worker.
STORY = """\
title: Pipelined
video: {width: 320, height: 180, fps: 30}
narration: {engine: piper}
theme: {transition: {style: cut}}
sections:
  - title: One
    scenes:
      - id: hello
        slide: {kind: title, title: Hello}
        narration: Hello.
      - id: facts
        slide: {kind: bullets, title: Facts, items: [One, Two, Three, Four]}
        narration: >
          Here is the first fact. Here is the second one. A third fact comes
          next. And the fourth one ends the list.
  - title: Two
    scenes:
      - id: number
        slide: {kind: stat, value: 1990, label: the year it began}
        narration: >
          It began in 1990. Nobody saw it coming. It grew for ten years. Then
          it stopped, all at once. Nothing has changed since.
"""


def _story(root):
    (root / "assets").mkdir(parents=True)
    story = root / "story.yaml"
    story.write_text(textwrap.dedent(STORY), encoding="utf-8")
    return story


def _decoded(video) -> list[str]:
    """MD5 of the decoded pictures, and of the decoded sound."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    return [
        subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(video), "-map", stream, "-f", "md5", "-"],
                       capture_output=True, text=True, check=True).stdout.strip()
        for stream in ("0:v", "0:a")
    ]  # fmt: skip


class Watched(LocalPool):
    """The local pool, noting when each sentence was spoken and when the scenes began to be sent."""

    def __init__(self, workers: int):
        super().__init__(workers)
        self.spoken: list[float] = []
        self.fed_at: float | None = None
        self.done: list[str] = []

    def speak(self, engine, lines):
        futures = super().speak(engine, lines)
        for future in futures or []:
            future.add_done_callback(lambda f: self.spoken.append(time.monotonic()))
        return futures

    def run(self, scene_jobs, on_event, cancel):
        if isinstance(scene_jobs, Feed):
            self.fed_at = time.monotonic()

        def heard(event):
            if isinstance(event, SceneDone):
                self.done.append(event.scene_id)
            on_event(event)

        return super().run(scene_jobs, heard, cancel)


@pytest.mark.slow  # two workers load the voice and draw
def test_scenes_drawn_while_the_narration_is_spoken_make_the_video_drawn_after_it(tmp_path):
    options = RenderOptions(jobs=2)
    story = _story(tmp_path / "pipelined")
    pool = Watched(2)
    with contextlib.closing(pool):
        result = pipeline.render(pipeline.validate(story, options), options, executor=pool)
    assert len(pool.spoken) == 10 >= POOL_FROM, "the workers spoke the narration"
    assert pool.fed_at is not None and pool.fed_at < max(pool.spoken), "scenes were sent before it was all spoken"
    assert sorted(pool.done) == ["facts", "hello", "number"] == sorted(result.scenes_rendered)

    # The same storyboard narrated first, then drawn (one process: nothing is sent early).
    alone = _story(tmp_path / "after")
    one = RenderOptions(jobs=1)
    after = pipeline.render(pipeline.validate(alone, one), one)
    assert after.scene_keys == result.scene_keys
    assert _decoded(after.video) == _decoded(result.video)
    report = (tmp_path / "pipelined" / "output" / "story" / "render.json").read_text()
    assert '"cached": false' in report and '"cached": true' not in report, "scenes sent early are drawn, not cached"


@pytest.mark.slow  # two workers load the voice and draw
def test_a_scene_spoken_again_by_the_fallback_voice_is_sent_once_in_that_voice(tmp_path, monkeypatch):
    """gTTS had spoken the first scene (cached) and is offline now: piper speaks the whole video again, and only
    piper's scenes are drawn (the first scene's gTTS job, ready before gTTS failed, is not sent)."""
    from pipeline.core import ffmpeg
    from tests.test_narration import _google_reply

    story = _story(tmp_path)
    story.write_text(story.read_text().replace("engine: piper", "engine: gtts, fallback: piper"), encoding="utf-8")
    options = RenderOptions(jobs=2)
    project = pipeline.validate(story, options)
    tone = ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-ac", "1", "-c:a", "libmp3lame",
                       "-f", "mp3", "pipe:1"])  # fmt: skip
    monkeypatch.setattr(requests.Session, "send", lambda self, request, **kw: _google_reply(request, tone))
    pipeline.narrate(project, options, entries=[project.entry("hello")])  # gTTS's first scene, in the cache

    def offline(self, request, **kwargs):
        raise requests.exceptions.ConnectionError("no route to host")

    monkeypatch.setattr(requests.Session, "send", offline)
    pool = Watched(2)
    with contextlib.closing(pool):
        result = pipeline.render(project, options, executor=pool)
    assert result.narration.engine.engine == "piper" and len(pool.spoken) == 10
    assert sorted(pool.done) == ["facts", "hello", "number"], "each scene drawn once, in piper's voice"
    clips = {path.stem for path in (tmp_path / "output" / ".cache" / "scenes").glob("*.mp4")}
    assert clips == set(result.scene_keys.values())


def test_a_feed_gives_its_jobs_as_they_come_until_it_is_closed():
    feed = Feed()
    assert feed.take() == ([], False)
    feed.put("a")  # any job: the feed only passes them on
    feed.put("b")
    assert feed.take() == (["a", "b"], False)
    got = []
    reader = threading.Thread(target=lambda: got.extend(feed))
    reader.start()
    feed.put("c")
    time.sleep(0.05)
    feed.put("d")
    feed.close()
    reader.join(timeout=5)
    assert got == ["c", "d"] and not reader.is_alive()
    with pytest.raises(ValueError):
        feed.put("e")
    assert Feed.of(["x"]).take() == (["x"], True)


def test_a_second_layered_scene_waits_while_a_drawn_one_can_go():
    """Longest first, except that two layered scenes do not run at once while a drawn one is waiting (together
    they were a render's peak memory); with only layered scenes left, they go."""
    picture, footage, slide, card = (
        SimpleNamespace(name=n, frames=f, layered=lay)
        for n, f, lay in (("picture", 464, True), ("footage", 433, True), ("slide", 300, False), ("card", 90, False))
    )
    waiting = [footage, slide, card]
    assert waiting[next_job(waiting, [])] is footage
    assert waiting[next_job(waiting, [card])] is footage
    assert waiting[next_job(waiting, [picture])] is slide
    assert waiting[next_job([footage], [picture])] is footage


def test_a_pool_that_never_started_closes_and_runs_nothing():
    pool = LocalPool(2)
    pool.close()
    feed = Feed()
    feed.close()
    assert pool.run(feed, lambda event: None, Cancel()) == {}
