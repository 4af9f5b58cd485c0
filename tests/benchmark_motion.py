"""Benchmark: how much of a video stands still and how much of the frame it uses, from its MP4 alone.

    python tests/benchmark_motion.py VIDEO.mp4 [--json] [--scenes]

Run on demand, not by pytest. Two figures, read from the decoded frames:

- frozen share: the share of the video's length spent in runs of 4 s or more in which consecutive frames are
  the same (mean absolute difference under 0.05 of 255 on a small grey copy). A repeated frame decodes exactly,
  and even a slow push-in moves more than that, so a run is a picture that stands still.
- frame fill: the share of a 16x9 grid of cells that hold anything but background (the cell's pixels have a
  standard deviation of at least 6 of 255), averaged over one frame a second. A text card in the left half
  leaves most cells empty; a full-bleed picture fills them all.

Also the longest frozen run and, per frame a second, the emptiest frame's fill, so a single empty layout shows.
With ``--scenes``, each scene's fill and frozen seconds, read from the ``render.json`` beside the video (where the
frozen runs are, and which layouts leave the frame empty).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: Consecutive frames closer than this (mean absolute difference of the grey copy, of 255) are the same frame.
SAME = 0.05
#: A run of the same frame this long or longer is a frozen picture.
FROZEN_SECONDS = 4.0
#: The grid the frame is judged on, and the spread of a cell's pixels that counts as content.
GRID = (16, 9)
CONTENT_STD = 6.0
#: The grey copies' sizes: small for the frame-to-frame differences, larger for the cells' content.
MOTION_SIZE = (160, 90)
FILL_SIZE = (640, 360)


@dataclass(frozen=True)
class Motion:
    seconds: float
    frozen_share: float
    longest_frozen: float
    frozen_runs: int
    frame_fill: float
    emptiest_fill: float
    #: Each frozen run as (start, seconds), and each second's fill: what ``--scenes`` places in scenes.
    spans: tuple[tuple[float, float], ...] = ()
    fills: tuple[float, ...] = ()


def grey_frames(video: Path, size: tuple[int, int], fps: float | None = None):
    """The video's frames as grey arrays of ``size``, one by one (every frame, or ``fps`` a second)."""
    from pipeline.core import ffmpeg

    width, height = size
    chain = f"scale={width}:{height}:flags=area,format=gray"
    if fps:
        chain = f"fps={fps}," + chain
    cmd = ffmpeg.command(["-i", str(video), "-vf", chain, "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"])
    process = ffmpeg.popen(cmd, stdout=-1, stderr=-3)
    try:
        while chunk := process.stdout.read(width * height):
            if len(chunk) < width * height:
                break
            yield np.frombuffer(chunk, dtype=np.uint8).reshape(height, width)
    finally:
        process.stdout.close()
        process.wait()


def frame_rate(video: Path) -> float:
    import av

    with av.open(str(video)) as container:
        return float(container.streams.video[0].average_rate)


def frozen_runs(differences: list[float], fps: float) -> list[float]:
    """The lengths in seconds of the runs of 4 s or more whose consecutive frames differ by less than SAME."""
    return [seconds for _, seconds in frozen_spans(differences, fps)]


def frozen_spans(differences: list[float], fps: float) -> list[tuple[float, float]]:
    """Each run of 4 s or more whose consecutive frames differ by less than SAME, as (start, seconds)."""
    runs, current = [], 1
    for i, difference in enumerate([*differences, float("inf")]):
        if difference < SAME:
            current += 1
            continue
        if current / fps >= FROZEN_SECONDS:
            runs.append(((i + 1 - current) / fps, current / fps))
        current = 1
    return runs


def by_scene(found: Motion, scenes: list[dict]) -> list[tuple[str, str, float, float]]:
    """Per scene of a render's report: (id, kind, mean fill, frozen seconds inside it)."""
    rows = []
    for scene in scenes:
        start, end = scene["start"], scene["start"] + scene["duration"]
        fills = [f for second, f in enumerate(found.fills) if start <= second < end]
        frozen = sum(max(0.0, min(end, s + n) - max(start, s)) for s, n in found.spans)
        rows.append((scene["id"], scene["kind"], float(np.mean(fills)) if fills else 0.0, frozen))
    return rows


def fill(frame: np.ndarray) -> float:
    """The share of GRID's cells whose pixels spread by CONTENT_STD or more."""
    columns, rows = GRID
    height, width = frame.shape
    cells = frame[: height - height % rows, : width - width % columns].astype(np.float32)
    cells = cells.reshape(rows, cells.shape[0] // rows, columns, cells.shape[1] // columns)
    return float((cells.std(axis=(1, 3)) >= CONTENT_STD).mean())


def measure(video: Path) -> Motion:
    fps = frame_rate(video)
    differences, previous, count = [], None, 0
    for frame in grey_frames(video, MOTION_SIZE):
        current = frame.astype(np.int16)
        if previous is not None:
            differences.append(float(np.abs(current - previous).mean()))
        previous, count = current, count + 1
    seconds = count / fps
    spans = frozen_spans(differences, fps)
    runs = [seconds for _, seconds in spans]
    fills = [fill(frame) for frame in grey_frames(video, FILL_SIZE, fps=1)]
    return Motion(
        seconds=round(seconds, 2),
        frozen_share=round(sum(runs) / seconds, 3) if seconds else 0.0,
        longest_frozen=round(max(runs, default=0.0), 2),
        frozen_runs=len(runs),
        frame_fill=round(float(np.mean(fills)), 3) if fills else 0.0,
        emptiest_fill=round(min(fills), 3) if fills else 0.0,
        spans=tuple(spans),
        fills=tuple(fills),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--scenes", action="store_true", help="each scene's fill and frozen seconds (render.json)")
    args = parser.parse_args()
    found = measure(args.video)
    if args.json:
        print(json.dumps({k: v for k, v in asdict(found).items() if k not in ("spans", "fills")}))
        return
    print(f"{args.video}: {found.seconds:.1f} s")
    runs = f"{found.frozen_runs} runs of 4 s or more, longest {found.longest_frozen:.1f} s"
    print(f"  frozen share  {found.frozen_share:.0%} ({runs})")
    print(f"  frame fill    {found.frame_fill:.0%} (emptiest frame {found.emptiest_fill:.0%})")
    report = args.video.parent / "render.json"
    if args.scenes and report.is_file():
        for scene_id, kind, mean_fill, frozen in by_scene(found, json.loads(report.read_text())["scenes"]):
            print(f"  {scene_id:<22} {kind:<9} fill {mean_fill:4.0%}  frozen {frozen:4.1f} s")


if __name__ == "__main__":
    main()
