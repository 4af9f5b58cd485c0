"""The motion benchmark's two figures (tests/benchmark_motion.py) measure what they say, on made-up frames and on a
real MP4 that moves for 2 s and then stands still for 5."""

from __future__ import annotations

import numpy as np

from pipeline.core import ffmpeg
from tests.benchmark_motion import FROZEN_SECONDS, SAME, fill, frozen_runs, measure


def test_only_runs_of_four_seconds_or_more_of_the_same_frame_are_frozen():
    fps = 10
    moving = [1.0] * 20
    still = [0.0] * 45  # 46 frames the same: 4.6 s
    short_still = [0.01] * 30  # 3.1 s: a hold, not a frozen picture
    runs = frozen_runs([*moving, *still, 1.0, *short_still, 1.0], fps)
    assert runs == [4.6]
    assert frozen_runs([SAME * 2] * 100, fps) == [], "a slow move is motion"
    assert frozen_runs([0.0] * int(FROZEN_SECONDS * fps - 1), fps) == [4.0], "a whole video of one frame"


def test_fill_counts_the_cells_with_content():
    frame = np.full((360, 640), 20, dtype=np.uint8)
    assert fill(frame) == 0.0
    frame[:, :320] = np.random.default_rng(1).integers(0, 255, (360, 320), dtype=np.uint8)  # the left half busy
    assert fill(frame) == 0.5
    flat_grey = np.full((360, 640), 200, dtype=np.uint8)
    assert fill(flat_grey) == 0.0, "a flat colour is background, however bright"


def test_a_video_that_moves_then_holds(tmp_path):
    video = tmp_path / "clip.mp4"
    ffmpeg.run(
        [
            "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10:duration=2",
            "-f", "lavfi", "-i", "color=c=0x202020:size=320x180:rate=10:duration=5",
            "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video),
        ]
    )  # fmt: skip
    found = measure(video)
    assert abs(found.seconds - 7.0) < 0.2
    assert found.frozen_runs == 1 and 4.5 <= found.longest_frozen <= 5.1
    assert 0.6 <= found.frozen_share <= 0.75
    assert 0.1 < found.frame_fill < 2 / 7, "2 of 7 frames (a test pattern) busy, 5 empty"
    assert found.emptiest_fill == 0.0
