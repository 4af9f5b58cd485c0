"""What the voice may be given, and where its scratch goes: through the real command, with real piper."""

from __future__ import annotations

import os
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
