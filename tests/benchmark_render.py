"""Benchmark: the shipped storyboard, rendered the ways an author renders it (run on demand, not by pytest).

    python tests/benchmark_render.py [--size 1920x1080] [--runs 1]

Copies script/ and assets/ to a scratch project (its own empty cache) and
measures, in one run on this machine, each as a fresh `explainer` process:

1. cold: the full video with an empty cache (narration included), --runs times;
2. scenes cold: the full video with narration cached but no scene clips;
3. baseline: the plain MoviePy approach on the same narration (one ImageClip
   of each settled slide, concatenate_videoclips, write_videofile);
4. edit: one mid-video scene's narration changed, then the full video;
5. unchanged: a render with nothing changed;
6. draft: `--draft` with an empty scene cache (narration cached);

with wall time, its ratio to the video's length, and the peak resident
memory of the process tree, summed per process (RSS, read every 0.1 s) and
shared out (PSS, every 0.5 s: reading it walks each process's page tables).
The sampler shares the two cores with the render it measures: reading both
every 50 ms slowed a cold render by about 5%; this takes under 2% of one
core. Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STORYBOARD = "script/escape-north-korea.yaml"
EDIT_SCENE = "famine"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--runs", type=int, default=1, help="repeat the cold render and the warm steps; report medians")
    parser.add_argument("--keep", action="store_true", help="keep the scratch project")
    parser.add_argument("--baseline-only", metavar="PROJECT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    if args.baseline_only:
        baseline(Path(args.baseline_only), size)
        return

    work = Path(tempfile.mkdtemp(prefix="explainer-bench-"))
    try:
        for folder in ("script", "assets"):
            shutil.copytree(REPO / folder, work / folder)
        story = work / STORYBOARD
        render = [sys.executable, "-m", "pipeline", "render", str(story), "--quiet", "--size", args.size]
        rows, colds = [], []
        for _ in range(args.runs):  # each from nothing: no cache, no video
            shutil.rmtree(work / "output", ignore_errors=True)
            colds.append(measure(render, work))
        rows.append(("cold render (empty cache)", *medians(colds)))
        duration = json.loads((work / "output" / "escape-north-korea" / "render.json").read_text())["duration"]
        for folder in ("scenes", "soundtracks"):
            shutil.rmtree(work / "output" / ".cache" / folder)
        shutil.rmtree(work / "output" / "escape-north-korea")
        rows.append(("render, narration cached, no scene clips", *measure(render, work)))
        scenes_cold = rows[-1][1]
        rows.append(
            (
                "plain MoviePy baseline (same narration)",
                *measure([sys.executable, __file__, "--baseline-only", str(work), "--size", args.size], work),
            )
        )
        edits, unchanged = [], []
        for n in range(args.runs):
            edit_narration(story, n)
            edits.append(measure(render, work))
            unchanged.append(measure(render, work))
        rows.append(("edit one mid-video scene's narration, full render", *medians(edits)))
        rows.append(("render with nothing changed", *medians(unchanged)))
        draft = [sys.executable, "-m", "pipeline", "render", str(story), "--quiet", "--draft"]
        rows.append(("--draft (narration cached)", *measure(draft, work)))
        print(table(rows, duration, scenes_cold, rows[2][1]))
    finally:
        if args.keep:
            print(f"scratch project kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def edit_narration(story: Path, n: int) -> None:
    """Add a sentence to one mid-video scene's narration (a real edit: new audio, new timing after it)."""
    text = story.read_text(encoding="utf-8")
    head, tail = text.split(f"- id: {EDIT_SCENE}\n", 1)
    tail = tail.replace("million people.", f"million people. This is edit {n + 1}.", 1)
    story.write_text(f"{head}- id: {EDIT_SCENE}\n{tail}", encoding="utf-8")


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, and the peak resident MB of the process tree: summed per process (RSS, which counts a page
    shared by several processes, such as a library's, once in each) and shared out (PSS, each shared page split
    between the processes that map it: what the tree takes of the machine's memory)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        tick = 0
        while not done.is_set():
            tree = processes(proc.pid)
            peak[0] = max(peak[0], sum(_read(f"/proc/{pid}/statm", _statm_rss) for pid in tree))
            if tick % PSS_EVERY == 0:
                peak[1] = max(peak[1], sum(_read(f"/proc/{pid}/smaps_rollup", _pss) for pid in tree))
            tick += 1
            done.wait(EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')}")
    return elapsed, peak[0] / 1024, peak[1] / 1024


#: Seconds between samples of RSS; PSS is read every PSS_EVERY samples.
EVERY = 0.1
PSS_EVERY = 5
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def processes(root: int) -> list[int]:
    """``root`` and all its descendants, from each thread's list of the children it started."""
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue  # it has ended
        for tid in threads:
            stack += [int(child) for child in _read(f"/proc/{pid}/task/{tid}/children", str.split, [])]
    return found


def _read(path: str, parse, default=0):
    try:
        return parse(Path(path).read_text())
    except OSError:
        return default  # the process has ended


def _statm_rss(text: str) -> int:
    return int(text.split()[1]) * PAGE_KB


def _pss(text: str) -> int:
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")), 0)


def medians(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(statistics.median(r[k] for r in runs) for k in range(3))


def table(rows, duration: float, ours: float, plain: float) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        f"Video: {duration / 60:.1f} min. Machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}.",
        "",
        "| run | wall time | x video length | peak memory (RSS summed) | peak memory (PSS) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, seconds, rss, pss in rows:
        lines.append(f"| {name} | {seconds:.1f} s | {seconds / duration:.3f} | {rss:.0f} MB | {pss:.0f} MB |")
    lines += ["", f"Plain MoviePy / explainer (narration cached, no scene clips): {plain / ours:.1f}x"]
    return "\n".join(lines)


def baseline(work: Path, size: tuple[int, int]) -> None:
    """The approach most tools take: one ImageClip per scene, concatenate_videoclips, write_videofile."""
    import numpy as np
    from moviepy import AudioArrayClip, ImageClip, concatenate_videoclips

    import pipeline
    from pipeline import RenderOptions
    from pipeline.rendering import stills
    from pipeline.sound.mix import stereo
    from pipeline.sound.soundtrack import scene_track

    options = RenderOptions(size=size, fps=30)
    project = pipeline.load(work / STORYBOARD)
    timeline = pipeline.plan(project, pipeline.narrate(project, options), options)
    clips = []
    for entry, scene_plan in zip(project.entries(), timeline.scenes, strict=True):
        still = stills.still(project, timeline.frame, entry, timing=scene_plan.timing(30))
        audio = AudioArrayClip(stereo(scene_track(timeline, scene_plan)).astype(np.float64), fps=48000)
        clips.append(ImageClip(still).with_duration(scene_plan.duration(30)).with_audio(audio))
    video = concatenate_videoclips(clips)
    video.write_videofile(
        str(work / "output" / "baseline.mp4"), fps=30, codec="libx264", audio_codec="aac", logger=None
    )


if __name__ == "__main__":
    main()
