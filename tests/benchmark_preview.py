"""Benchmark: the loop an author lives in with `explainer preview` (run on demand, not by pytest).

    python tests/benchmark_preview.py [--edits 5] [--outline]

Copies script/ and assets/ to a scratch project, starts `explainer preview` (this checkout's, run as
`python -m pipeline` with the checkout first on PYTHONPATH) on the shipped
storyboard (draft quality), opens the page in headless Chromium and waits for the first render;
then, ``--edits`` times, changes one sentence of one mid-video scene's narration in the file and
measures the time from the save to the page showing the new narration with its re-rendered video,
and the CPU-seconds the preview's processes spent meanwhile (which another process on the machine moves less).
Prints each figure and the median. With ``--outline`` it stops once every scene's still is shown, and says how
many CPU-seconds the preview's processes had spent by then (a figure another process on the machine moves less
than the wall time).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STORYBOARD = "script/escape-north-korea.yaml"
#: The end of the famine scene's narration, where each edit adds a few words.
SCENE, SENTENCE = "famine", "million people.\n\n      - id: defectors-per-year"


#: How often the page is checked (ms). Playwright's default checks on every animation frame, which kept headless
#: Chromium drawing frames at 60 Hz while it waited: 2-3 CPU-s of a 2-core machine taken from the preview being
#: measured, which a creator's browser showing the page does not spend. Checking every 20 ms adds at most 20 ms.
POLL_MS = 20


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--outline", action="store_true", help="stop once every scene's still is shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for folder in ("script", "assets"):
            shutil.copytree(REPO / folder, root / folder)
        story = root / STORYBOARD
        text = story.read_text(encoding="utf-8")
        assert SENTENCE in text, "the benchmark's sentence is no longer in the shipped storyboard"
        # This checkout's code, whichever explainer is installed: the benchmark measures the tree it is in.
        command = [sys.executable, "-m", "pipeline", "preview", STORYBOARD]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        which = subprocess.run([sys.executable, "-c", "import pipeline; print(pipeline.__file__)"], cwd=root, env=env,
                               capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        print(f"running {which}")
        with sync_playwright() as playwright:  # the creator's browser is open before the preview starts
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), headless=True)
            page = browser.new_page()
            launched = time.perf_counter()
            process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True, env=env)
            try:
                url = re.search(r"(http://\S+/)", process.stdout.readline()).group(1)
                print(f"address printed, from the command's start: {time.perf_counter() - launched:.1f} s")
                started = time.perf_counter()
                page.goto(url)
                # The outline: every scene listed with its narration, then every still shown, before any video.
                scenes = text.count("\n      - id: ")
                page.wait_for_function(
                    "n => document.querySelectorAll('.scene').length === n", arg=scenes, polling=POLL_MS
                )
                took = time.perf_counter() - launched
                print(f"outline ({scenes} scenes, narration) from the command's start: {took:.1f} s")
                page.wait_for_function(
                    "n => document.querySelectorAll('.scene img').length === n",
                    arg=scenes,
                    timeout=60_000,
                    polling=POLL_MS,
                )
                print(f"every scene's still shown, from the command's start: {time.perf_counter() - launched:.1f} s")
                if args.outline:
                    print(f"CPU-seconds of the preview's processes by then: {cpu_seconds(process.pid):.1f}")
                    return
                page.wait_for_function(
                    "document.getElementById('status').dataset.status === 'ready'", timeout=600_000, polling=POLL_MS
                )
                print(f"first render (cold cache, narration included): {time.perf_counter() - started:.1f} s")
                figures, spent = [], []
                for edit in range(1, args.edits + 1):
                    said = SENTENCE.replace("people.", f"people, by estimate number {edit}.")
                    old_video = page.evaluate("document.getElementById('video').src")
                    before = cpu_seconds(process.pid)
                    saved = time.perf_counter()
                    story.write_text(text.replace(SENTENCE, said), encoding="utf-8")
                    page.wait_for_function(
                        "([id, words, old]) => document.querySelector(`.scene[data-id=${id}] .narration`)"
                        ".textContent.includes(words) && document.getElementById('video').src !== old"
                        " && document.getElementById('video').readyState >= 1",
                        arg=[SCENE, f"number {edit}", old_video],
                        timeout=120_000,
                        polling=POLL_MS,
                    )
                    figures.append(time.perf_counter() - saved)
                    spent.append(cpu_seconds(process.pid) - before)
                    print(f"edit {edit}: save to page {figures[-1]:.2f} s, {spent[-1]:.1f} CPU-s of the preview's "
                          f"processes ({page.inner_text('#status')})")  # fmt: skip
                    time.sleep(1.0)
                print(f"median of {len(figures)}: {statistics.median(figures):.2f} s, "
                      f"{statistics.median(spent):.1f} CPU-s; load {os.getloadavg()[0]:.1f}")  # fmt: skip
            finally:
                process.terminate()
                process.wait(30)
                browser.close()


def cpu_seconds(root: int) -> float:
    """User and system CPU-seconds of ``root``, its descendants and the children they have waited for."""
    from benchmark_render import processes  # beside this file, which is run as a script

    total = 0
    for pid in processes(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it has ended
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
