"""Benchmark: CPU-seconds per second of video, per slide kind and format (run on demand, not by pytest).

    python tests/benchmark_kinds.py [--formats wide vertical square]

Draws and encodes every scene of the shipped storyboard alone, one after another in this
process (narration from the cache, or synthesized first), into a scratch cache, and counts
the CPU time of this process and of the ffmpeg encoders it starts (getrusage of children).
Prints a Markdown table: per kind and format, scenes, seconds of video, CPU-seconds, and
CPU-seconds per second of video (what a worker core spends to make one second of it).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    import pipeline
    from pipeline import RenderOptions
    from pipeline.rendering import jobs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", nargs="+", default=["wide", "vertical"])
    args = parser.parse_args()
    rows = []
    for format_name in args.formats:
        with tempfile.TemporaryDirectory() as scratch:
            narration_cache = REPO / "output" / ".cache"
            options = RenderOptions(cache_dir=narration_cache, format=format_name)
            project = pipeline.validate(REPO / "script" / "escape-north-korea.yaml", options)
            plan = pipeline.plan(project, pipeline.narrate(project, options), options)
            canvases = jobs.Canvases()
            per_kind: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
            for job in pipeline.scene_jobs(project, plan, options):
                job = dataclasses.replace(job, target=Path(scratch) / f"{job.key}.mp4")
                before, started = cpu(), time.perf_counter()
                jobs.run(job, canvases.get(job))
                used = cpu() - before
                row = per_kind[job.spec.kind]
                row[0] += 1
                row[1] += job.frames / plan.fps
                row[2] += used
                row[3] += time.perf_counter() - started
            total = [sum(r[i] for r in per_kind.values()) for i in range(4)]
            for kind, (count, seconds, used, wall) in sorted(per_kind.items(), key=lambda kv: -kv[1][2] / kv[1][1]):
                rows.append((format_name, kind, count, seconds, used, wall))
            rows.append((format_name, "**all**", *total))
            size = f"{plan.width}x{plan.height}"
            print(f"{format_name}: {size}, {total[1]:.0f} s of video, {total[2]:.0f} CPU-s", flush=True)
    print("\n| format | kind | scenes | video (s) | CPU (s) | CPU-s per s of video | wall (s) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for format_name, kind, count, seconds, used, wall in rows:
        print(f"| {format_name} | {kind} | {count} | {seconds:.1f} | {used:.1f} | {used / seconds:.2f} | {wall:.1f} |")


if __name__ == "__main__":
    main()
