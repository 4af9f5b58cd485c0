"""Benchmark: what a map scene costs to render on one core, against its length.

    python tests/benchmark_maps.py [SCENE ...] [--storyboard FILE] [--cache DIR] [--runs N] [--json]

Run on demand, not by pytest. Each scene of the storyboard whose slide is a map or a route (or each SCENE named)
is drawn and encoded as a render's worker does it (``jobs.run``), in a process of its own each run (so what a
worker reads once, the gazetteer and the ground pictures, counts as it does for a worker's first map), and its
CPU time (this process and its encoders) is set against the scene's length: 1.0 is real time on one core. The
median of ``--runs`` runs (default 3) is printed, with the drawing's and the encoding's share a frame. The
narration is read from the cache (``--cache``, default the storyboard's own), so a cached render needs no network.

The shipped storyboard's two maps at 1080p on a shared 2-core machine (medians of 3, before and after the same
minute): three-sides (relief, a flight from the globe) 1.46x before the map engine's speed work, 1.02x after;
northern-border (satellite, a pan) 1.19x, 0.85x. About half of what is left is the encoder's (x264 on a moving
picture, 25 ms a frame).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def one(storyboard: Path, cache: Path | None, scene: str) -> dict:
    """Render ``scene`` once in this process: its length, frames and CPU (drawing here, encoding in ffmpeg)."""
    import pipeline
    from pipeline import RenderOptions
    from pipeline.rendering import jobs

    options = RenderOptions(cache_dir=cache) if cache else RenderOptions()
    project = pipeline.validate(str(storyboard), options)
    plan = pipeline.plan(project, pipeline.narrate(project, options), options)
    job = next(j for j in pipeline.scene_jobs(project, plan, options) if j.scene_id == scene)
    with tempfile.TemporaryDirectory() as folder:
        job = dataclasses.replace(job, target=Path(folder) / f"{scene}.mp4")
        canvas = jobs.Canvases().get(job)
        (own0, enc0), started = _cpu(), time.perf_counter()
        stats = jobs.run(job, canvas)
        own1, enc1 = _cpu()
    seconds = job.frames / job.frame.fps
    return {"scene": scene, "seconds": seconds, "frames": job.frames, "drawn": stats.drawn, "encoded": stats.encoded,
            "draw_cpu": own1 - own0, "encode_cpu": enc1 - enc0, "wall": time.perf_counter() - started}  # fmt: skip


def map_scenes(storyboard: Path) -> list[str]:
    import pipeline
    from pipeline import RenderOptions

    project = pipeline.validate(str(storyboard), RenderOptions())
    return [e.id for e in project.entries() if e.scene.slide.kind in ("map", "route")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenes", nargs="*")
    parser.add_argument("--storyboard", type=Path, default=REPO / "script" / "escape-north-korea.yaml")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a run in its own process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.storyboard, args.cache, args.one)))
        return
    results = []
    for scene in args.scenes or map_scenes(args.storyboard):
        runs = []
        for _ in range(args.runs):
            command = [sys.executable, __file__, "--one", scene, "--storyboard", str(args.storyboard)]
            command += ["--cache", str(args.cache)] if args.cache else []
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        cpu = statistics.median(r["draw_cpu"] + r["encode_cpu"] for r in runs)
        first = runs[0]
        result = {**first, "times_real_time": cpu / first["seconds"],
                  "draw_ms": statistics.median(r["draw_cpu"] for r in runs) / first["frames"] * 1000,
                  "encode_ms": statistics.median(r["encode_cpu"] for r in runs) / first["frames"] * 1000}  # fmt: skip
        results.append(result)
        if not args.json:
            print(f"{scene}: {result['seconds']:.1f} s, {result['frames']} frames ({result['drawn']} drawn, "
                  f"{result['encoded']} encoded): {result['times_real_time']:.2f}x real time on one core "
                  f"(median of {args.runs}); draw {result['draw_ms']:.1f} ms, "
                  f"encode {result['encode_ms']:.1f} ms a frame")  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
