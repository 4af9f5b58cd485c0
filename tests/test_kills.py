"""A render killed outright (SIGKILL, as the out-of-memory killer does) at each stage, through the real command.

The moment is chosen by stage, not by wall time: the render's own stage lines
on stderr (Narrating, Rendering scenes, Joining) and the files each stage
writes (a scene's scratch folder, the soundtrack's partial file, the staged
output set). After each kill: the previous output set is intact or the new one
complete, no process is left, and the next render removes every partial file
and makes the right video.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.core import cache
from tests.conftest import explainer
from tests.test_failures import _command, _partial_files

STORY = """\
title: Killed renders
video: {width: 320, height: 180, fps: 30}
narration: {engine: piper}
sections:
  - title: Opening
    scenes:
      - id: hello
        slide: {kind: title, title: Hello world, subtitle: A test of killed renders}
        narration: Hello there. This video is rendered, killed and rendered again.
      - id: number
        slide: {kind: stat, value: 34000, label: people}
        narration: Thirty four thousand people. [pause 2] That is a lot of people.
  - title: Closing
    scenes:
      - id: bye
        slide: {kind: bullets, title: Three things, items: [One, Two, Three]}
        narration: One thing. Another thing. And a third thing to end with.
"""
#: The edit between the first render and the killed one: new sentences in every scene, so every stage has work.
EDITED = (
    STORY.replace("Hello there.", "Hello again, there.")
    .replace("That is a lot of people.", "That is a great many people indeed.")
    .replace("And a third thing", "And one more thing")
)
SET = ["killed.mp4", "killed.srt", "killed.vtt", "chapters.txt", "thumbnail.png", "render.json"]


@pytest.fixture(scope="module")
def first_render(tmp_path_factory) -> Path:
    """A project rendered once (its cache warm), copied for each kill."""
    root = tmp_path_factory.mktemp("template")
    (root / "assets").mkdir()
    (root / "killed.yaml").write_text(STORY, encoding="utf-8")
    run = explainer("render", str(root / "killed.yaml"), cwd=root)
    assert run.returncode == 0, run.stderr
    still = explainer("still", str(root / "killed.yaml"), "number", cwd=root)  # something else in the folder
    assert still.returncode == 0, still.stderr
    return root


def _set(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in SET if (out / name).exists()}


def _cache(root: Path) -> Path:
    return root / "output" / ".cache"


STAGES: dict[str, Callable[[Path, list[str]], bool]] = {
    "narration": lambda root, said: "Narrating…" in said,
    "scenes": lambda root, said: any(p.name.startswith(".explainer-") for p in _folder(_cache(root) / "scenes")),
    "soundtrack": lambda root, said: any(cache.is_partial(p.name) for p in _folder(_cache(root) / "soundtracks")),
    "join": lambda root, said: "Joining…" in said,
    # The video is joined into the staging folder; captions, chapters, thumbnail and report are being written.
    "outputs": lambda root, said: (root / "output" / ".killed.explainer-staging" / "killed.mp4").exists(),
}


def _folder(path: Path) -> list[Path]:
    try:
        return list(path.iterdir())
    except OSError:
        return []


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.xdist_group("kills")  # on one worker: first_render is made once a run
@pytest.mark.parametrize("stage", list(STAGES))
def test_a_render_killed_at_any_stage_loses_nothing_and_leaves_nothing(first_render, tmp_path, stage):
    root = tmp_path / "project"
    shutil.copytree(first_render, root, symlinks=True)
    out = root / "output" / "killed"
    before = _set(out)
    assert sorted(before) == sorted(SET)
    story = root / "killed.yaml"
    story.write_text(EDITED, encoding="utf-8")

    proc = subprocess.Popen(
        [*_command("render", str(story), "--jobs", "2")],
        cwd=root, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()
    said: list[str] = []
    reached = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        while not lines.empty():
            said.append(lines.get())
        if STAGES[stage](root, "".join(said)):
            os.kill(proc.pid, signal.SIGKILL)  # the main process only, as the OOM killer does
            reached = True
            break
        time.sleep(0.002)
    proc.wait(30)
    assert reached, f"the render ended before reaching {stage}: {''.join(said)}"

    # No process is left: the workers notice their parent is gone, ffmpeg its input closing.
    gone = time.monotonic() + 15
    while _group_alive(proc.pid) and time.monotonic() < gone:
        time.sleep(0.1)
    assert not _group_alive(proc.pid), "processes of the killed render are still running"

    # The previous set, whole, or a new one, whole: never a mix.
    after = _set(out)
    assert after == before or all(after[name] != before[name] for name in ("killed.mp4", "render.json")), after
    assert sorted(after) == sorted(SET)
    assert (out / "stills" / "number.png").exists(), "what else the folder held is still there"

    again = explainer("render", str(story), cwd=root)
    assert again.returncode == 0, again.stderr
    assert _partial_files(root) == [], "the next render removed every partial file"
    assert not (root / "output" / ".killed.explainer-staging").exists()
    assert (out / "stills" / "number.png").exists()
    report = json.loads((out / "render.json").read_text())
    assert report["frames"] == sum(scene["frames"] for scene in report["scenes"])
    assert _set(out)["killed.mp4"] != before["killed.mp4"], "the edited video"
    srt = (out / "killed.srt").read_text()
    assert "Hello again, there." in srt and "a great many people" in srt and "one more thing" in srt


def _write_set(folder: Path, tag: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in SET:
        (folder / name).write_text(f"{tag} {name}")


@pytest.mark.parametrize("moment", ["before the exchange", "just after the exchange"])
def test_the_next_render_recovers_a_folder_killed_around_the_exchange(tmp_path, moment):
    """The moments too short to hit from outside, made by hand: the staging folder as a kill leaves it."""
    from pipeline.publishing import publish

    out = tmp_path / "output" / "killed"
    staging = publish.staging(out)
    if moment == "before the exchange":  # a part of the new set, and a scratch folder of the join
        _write_set(out, "old")
        (out / "stills").mkdir()
        (staging / ".explainer-part-k3x9q0ab").mkdir(parents=True)
        (staging / "killed.mp4").write_text("new, half-joined")
        expected = "old"
    else:  # the new set in place; the old one and the folder's other files in the staging folder
        _write_set(out, "new")
        _write_set(staging, "old")
        (staging / "stills").mkdir()
        (staging / "stills" / "number.png").write_text("a still")
        expected = "new"
    for folder in (out, staging):  # each made by explainer, and so marked
        (folder / publish.MARK).write_text("explainer output folder\n")
    (out / ".explainer-part-abcd1234-killed.mp4").write_text("a partial file")
    publish.recover(out, publish.set_names("killed"))
    assert not staging.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([*SET, "stills", publish.MARK]), "the set and the stills"
    assert {(out / name).read_text() for name in SET} == {f"{expected} {name}" for name in SET}


def test_a_set_is_exchanged_whole_and_the_folder_keeps_its_other_files(tmp_path):
    from pipeline.publishing import publish

    out = tmp_path / "output" / "killed"
    _write_set(out, "old")
    (out / "sheet.png").write_text("sheet")
    with publish.staged(out, publish.set_names("killed")) as staged:
        _write_set(staged, "new")
    assert {(out / name).read_text() for name in SET} == {f"new {name}" for name in SET}
    assert (out / "sheet.png").read_text() == "sheet" and not publish.staging(out).exists()
    with pytest.raises(KeyboardInterrupt), publish.staged(out, publish.set_names("killed")) as staged:
        _write_set(staged, "newer")
        raise KeyboardInterrupt  # Ctrl-C before the exchange: the folder is untouched, the staging folder gone
    assert {(out / name).read_text() for name in SET} == {f"new {name}" for name in SET}
    assert not publish.staging(out).exists()
