"""Frames sent once with their times (pipeline/rendering/timed.py): ffmpeg repeats each until the next."""

from __future__ import annotations

import av
import numpy as np
import pytest

from pipeline.core import ffmpeg
from pipeline.rendering import encode, timed


def _decoded(data: bytes, fps: int, w: int, h: int) -> list[int]:
    """The frames ffmpeg makes of a timed stream, each as the red value it was drawn with."""
    out = ffmpeg.run(
        [*timed.INPUT, "-vf", timed.timed_chain(fps, "format=rgb24"), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        input=data,
    )
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
    stream.end(frames)  # the last one held to the end
    expected = []
    for value, (start, until) in enumerate(zip(starts, [*starts[1:], frames], strict=True)):
        expected += [value * 30] * (until - start)
    assert _decoded(bytes(sink.data), fps, w, h) == expected


def test_a_last_frame_that_is_not_held_is_not_sent_twice():
    sink = _Sink()
    stream = timed.TimedFrames(sink, 4, 2, 30)
    stream.send(np.zeros((2, 4, 3), np.uint8), 0)
    stream.send(np.full((2, 4, 3), 90, np.uint8), 1)
    size = len(sink.data)
    stream.end(2)
    assert len(sink.data) == size
    assert _decoded(bytes(sink.data), 30, 4, 2) == [0, 90]


def test_a_drawn_scenes_repeated_frame_is_sent_once_and_comes_out_as_often_as_it_stands(tmp_path, monkeypatch):
    """Between holds, a frame that stands for a few frames (a camera step, a word marked) crossed the pipe and was
    converted once per frame; now once, and ffmpeg repeats it. The segment decodes to the same frames."""
    sent = []
    original = timed.TimedFrames.send

    def send(self, image, frame):
        sent.append(frame)
        original(self, image, frame)

    monkeypatch.setattr(timed.TimedFrames, "send", send)
    fps, w, h = 30, 64, 36
    segments = encode.Segments(tmp_path, w, h, fps)
    runs = [(40, 5), (120, 3), (200, 1), (80, 4)]  # each under two GOPs: no hold
    for value, count in runs:
        segments.add(np.full((h, w, 3), value, np.uint8), count)
    segments.finish()
    assert sent == [0, 5, 8, 9, 12], "each image once at its first frame, and the held last one at the last"
    ((path, frames),) = segments.files
    assert frames == segments.encoded == 13
    with av.open(str(path)) as container:
        decoded = [round(f.to_ndarray(format="rgb24")[h // 2, w // 2].mean()) for f in container.decode(video=0)]
    expected = [value for value, count in runs for _ in range(count)]
    assert len(decoded) == len(expected)
    assert max(abs(a - b) for a, b in zip(decoded, expected, strict=True)) <= 3


@pytest.fixture
def encoders(monkeypatch) -> list[encode.EncoderProgress]:
    """Every encoder's progress a test's segments start (to see whether any stalled), with a 2-s stall."""
    monkeypatch.setattr(encode, "STALL", 2.0)
    made: list[encode.EncoderProgress] = []
    original = encode.EncoderProgress.__init__

    def init(self, stdout):
        original(self, stdout)
        made.append(self)

    monkeypatch.setattr(encode.EncoderProgress, "__init__", init)
    return made


def test_frames_held_longer_than_the_pacing_allows_are_still_sent_paced_never_stalled(tmp_path, encoders):
    """Pacing waited for the encoder to give out all but AHEAD of the frames sent, counting a held frame's
    repeats; but ffmpeg repeats a frame sent with its time only once the next one arrives, so a frame held longer
    than AHEAD frames was waited for until STALL (5 s) gave up, once per segment: a cold render at 1080p took as
    long as before while using a third less CPU. Pacing now counts frames sent."""
    made = encoders
    fps, w, h = 30, 64, 36
    segments = encode.Segments(tmp_path, w, h, fps)
    runs = [(value, 20) for value in range(10, 250, 20)]  # 12 frames held 20 each: more than AHEAD, under a hold
    for value, count in runs:
        segments.add(np.full((h, w, 3), value, np.uint8), count)
    segments.finish()
    assert made and not any(progress.stalled for progress in made)
    ((path, frames),) = segments.files
    assert frames == 240
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 240


def test_small_frames_sent_one_by_one_are_not_held_back_by_ffmpeg_probing_its_input(tmp_path, encoders):
    """ffmpeg read 5 MB or 5 s of a timed stream before decoding any of it; small frames (a 320x180 draft) sent
    one by one under the pacing never made that much, so every segment stalled until the pacing gave up (5 s):
    a draft's render at 320x180 took 110 s, not 20. The stream is not probed."""
    made = encoders
    fps, w, h = 5, 64, 36
    segments = encode.Segments(tmp_path, w, h, fps)
    for value in range(3 * encode.AHEAD):
        segments.add(np.full((h, w, 3), value * 8, np.uint8), 1)
    segments.finish()
    assert made and not any(progress.stalled for progress in made)
