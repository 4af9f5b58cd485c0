"""Frames sent once with their times (pipeline/rendering/timed.py): each lands on its own frame; a drawn scene's
encoder writes its repeats."""

from __future__ import annotations

import av
import numpy as np
import pytest

from pipeline.core import ffmpeg
from pipeline.rendering import encode, timed


def _decoded(data: bytes, fps: int, w: int, h: int) -> list[int]:
    """The frames ffmpeg makes of a timed stream, each as the red value it was drawn with."""
    repeated = f"{timed.clocked(fps, 'format=rgb24')},fps={fps}"  # each repeated until the next, by ffmpeg
    out = ffmpeg.run([*timed.INPUT, "-vf", repeated, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], input=data)
    return np.frombuffer(out, np.uint8).reshape(-1, h, w, 3)[:, 0, 0, 0].tolist()


class _Sink:
    def __init__(self):
        self.data = bytearray()

    def write(self, chunk) -> int:
        self.data += bytes(chunk)
        return len(chunk)


@pytest.mark.parametrize("fps", [24, 30, 60])
def test_each_frame_lands_on_its_own_frame_and_lasts_until_the_next(fps):
    w, h = 16, 8
    starts = [0, 1, 2, 7, 8, fps * 35, fps * 35 + 3]  # over a cluster's 30 s too
    frames = fps * 35 + 9
    sink = _Sink()
    stream = timed.TimedFrames(sink, w, h, fps)
    for value, start in enumerate(starts):
        stream.send(np.full((h, w, 3), value * 30, np.uint8), start)
    stream.send(np.full((h, w, 3), (len(starts) - 1) * 30, np.uint8), frames - 1)  # the last one held to the end
    expected = []
    for value, (start, until) in enumerate(zip(starts, [*starts[1:], frames], strict=True)):
        expected += [value * 30] * (until - start)
    assert _decoded(bytes(sink.data), fps, w, h) == expected


def test_a_drawn_scenes_repeated_frame_is_sent_once_and_comes_out_as_often_as_it_stands(tmp_path, monkeypatch):
    """A frame that stands for a few frames (a camera step, a word marked) crossed the pipe, was converted and was
    encoded once per frame; now it is sent and encoded once, and its repeats are skipped pictures. The scene
    decodes to the same frames."""
    sent = []
    original = timed.TimedFrames.send

    def send(self, image, frame):
        sent.append(frame)
        original(self, image, frame)

    monkeypatch.setattr(timed.TimedFrames, "send", send)
    fps, w, h = 30, 64, 36
    scene = encode.SceneEncoder(tmp_path / "scene.mp4", w, h, fps)
    runs = [(40, 5), (120, 3), (200, 1), (80, 4)]
    for value, count in runs:
        scene.add(np.full((h, w, 3), value, np.uint8), count)
    scene.finish()
    assert sent == [0, 5, 8, 9], "each image once, at its first frame"
    assert scene.frames == 13 and scene.encoded == 4
    decoded = _scene(tmp_path / "scene.mp4", w, h)
    expected = [value for value, count in runs for _ in range(count)]
    assert len(decoded) == len(expected)
    assert max(abs(a - b) for a, b in zip(decoded, expected, strict=True)) <= 3


def _scene(path, w: int, h: int) -> list[int]:
    with av.open(str(path)) as container:
        return [round(f.to_ndarray(format="rgb24")[h // 2, w // 2].mean()) for f in container.decode(video=0)]


def test_frames_held_longer_than_the_pacing_allows_are_still_sent_paced_never_stalled(tmp_path, monkeypatch):
    """Pacing counts pictures sent against pictures given out: a frame held longer than AHEAD frames is one
    picture, so pacing never waits for its repeats (once it did, until STALL gave up: 5 s a segment)."""
    monkeypatch.setattr(encode, "STALL", 2.0)
    fps, w, h = 30, 64, 36
    scene = encode.SceneEncoder(tmp_path / "scene.mp4", w, h, fps)
    runs = [(value, 20) for value in range(10, 250, 20)]  # 12 frames held 20 each: more than AHEAD
    for value, count in runs:
        scene.add(np.full((h, w, 3), value, np.uint8), count)
    scene.finish()
    assert not scene.given.stalled and scene.frames == 240
    assert len(_scene(tmp_path / "scene.mp4", w, h)) == 240


def test_small_frames_sent_one_by_one_are_not_held_back_by_ffmpeg_probing_its_input(tmp_path, monkeypatch):
    """ffmpeg read 5 MB or 5 s of a timed stream before decoding any of it; small frames (a 320x180 draft) sent
    one by one under the pacing never made that much, so every encoder stalled until the pacing gave up (5 s):
    a draft's render at 320x180 took 110 s, not 20. The stream is not probed."""
    monkeypatch.setattr(encode, "STALL", 2.0)
    fps, w, h = 5, 64, 36
    scene = encode.SceneEncoder(tmp_path / "scene.mp4", w, h, fps)
    for value in range(3 * encode.AHEAD):
        scene.add(np.full((h, w, 3), value * 8, np.uint8), 1)
    scene.finish()
    assert not scene.given.stalled
