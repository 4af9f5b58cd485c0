"""What the voice may be given, and where its scratch goes: through the real command, with real piper."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import TINY, explainer


def _watched(folder: Path, seen: set[str], done: threading.Event) -> None:
    while not done.is_set():
        seen.update(os.listdir(folder))
        done.wait(0.005)


@pytest.mark.slow
def test_a_render_puts_nothing_in_the_system_temp_folder(project, tmp_path):
    """Piper copied its 63 MB model into $TMPDIR (an explainer-voice-* folder, left there for good when a render was
    killed while loading the voice) and onnxruntime's telemetry wrote a '.ses' file there; the README says scratch
    stays in the render's folders. The folder is watched all through the render, not only looked at after."""
    temp, home = tmp_path / "temp", tmp_path / "home"
    temp.mkdir()
    home.mkdir()
    story = project(TINY)
    seen: set[str] = set()
    done = threading.Event()
    watcher = threading.Thread(target=_watched, args=(temp, seen, done))
    watcher.start()
    try:
        env = {"TMPDIR": str(temp), "HOME": str(home)}
        proc = explainer("render", str(story), "--quiet", cwd=story.parent, env=env)
    finally:
        done.set()
        watcher.join()
    assert proc.returncode == 0, proc.stderr
    assert (story.parent / "output" / "story" / "story.mp4").exists()
    assert seen == set(), f"written in $TMPDIR during the render: {sorted(seen)}"
    assert not (home / ".cache" / "Microsoft").exists(), "onnxruntime's telemetry wrote under the home folder"


PEAK = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(proc.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
sys.exit(proc.returncode)
"""


def _peak(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, int]:
    """The real command run from a process of its own, and the peak resident memory (MB) of its largest process."""
    exe = shutil.which("explainer")
    command = [exe, *args] if exe else [sys.executable, "-m", "pipeline", *args]
    proc = subprocess.run([sys.executable, "-c", PEAK, *command], cwd=cwd, capture_output=True, text=True, timeout=600)
    return proc, int(proc.stdout.split()[-1])


LONG_SENTENCE = """\
title: One long sentence
video: {{width: 320, height: 180, fps: 5}}
narration: {{engine: piper}}
sections:
  - title: Opening
    scenes:
      - id: long
        slide: {{kind: title, title: A long sentence}}
        narration: {narration}
"""


@pytest.mark.slow
def test_a_long_sentence_is_spoken_in_pieces_within_a_fixed_budget(project):
    """A sentence of 1,400 characters, its clauses short, is one that validate accepts: piper said it in one call of
    its model, the process peaking at 1.8 GB (5,900 characters: 11.3 GB). Said in pieces, it stays near 600 MB."""
    clause = "the river rose again in the spring and the village moved its fields up the hill"
    narration = ", ".join([clause] * 17) + "."
    assert 1_350 < len(narration) < 1_500
    story = project(LONG_SENTENCE.format(narration=narration))
    proc, peak = _peak("render", str(story), "--quiet", cwd=story.parent)
    assert proc.returncode == 0, proc.stderr
    assert peak < 900, f"the render's largest process peaked at {peak} MB"
    (sentence,) = json.loads((story.parent / "output" / "story" / "render.json").read_text())["scenes"][0]["sentences"]
    assert sentence["end"] - sentence["start"] > 60, "all of it is said"
    assert sentence["words_from"] == "engine" and len(sentence["words"]) == len(narration.split())
    times = [time for _, start, end in sentence["words"] for time in (start, end)]
    assert times == sorted(times) and times[-1] > sentence["end"] - 2, "the words are timed across the pieces"


def test_ffmpeg_logs_are_spooled_without_probing_the_temp_folder(tmp_path):
    """tempfile's first use in a process writes and deletes a named file in $TMPDIR to find it writable; every
    ffmpeg a render starts spooled its log through it, and a test watching $TMPDIR caught the file once."""
    code = (
        "import tempfile\n"
        "from pipeline.core import ffmpeg\n"
        "import subprocess\nffmpeg.Process(['-version'], what='ffmpeg', stdout=subprocess.DEVNULL).finish()\n"
        "print(tempfile.tempdir)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "TMPDIR": str(tmp_path)})  # fmt: skip
    assert out.stdout.strip() == "None", "tempfile looked for its folder (and wrote a probe file there)"
