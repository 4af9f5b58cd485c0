"""A creator's files are never lost: explainer removes only what it made and can tell it made.

Its scratch files have one form ('.explainer-part-XXXXXXXX-NAME'), are removed
only in folders it marked as its own (a cache with its CACHEDIR.TAG, an output
or staging folder with its marker), and a folder of the creator's that looks
like one of these is left alone and named. One render at a time writes an
output folder, whatever cache each uses; a batch never writes two videos into
one folder. Every test makes the creator's files, runs the real command, and
checks every file is still there, byte for byte.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.core import cache
from pipeline.core.lock import lock_file, render_lock
from pipeline.publishing import publish
from tests.conftest import TINY, explainer

#: Hidden files of a creator's whose names hold '.part' (the old sweep's test), at several depths.
LOOKALIKES = {
    ".party-plan.txt": b"saturday at eight",
    "notes/.particles/data.csv": b"x,y\n1,2\n",
    "sub/.part-time-hours.xlsx": b"PK\x03\x04 a spreadsheet",
    ".tiny.abc.part.mp4": b"named like an old partial file",
    ".explainer-part-notes.txt": b"named almost like a new one",
}


def _make(root: Path, files: dict[str, bytes]) -> dict[Path, str]:
    made = {}
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        made[path] = hashlib.sha256(data).hexdigest()
    return made


def _unchanged(made: dict[Path, str]) -> list[str]:
    """The creator's files that are gone or changed."""
    return [
        str(p) for p, digest in made.items() if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != digest
    ]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    story = tmp_path / "tiny.yaml"
    story.write_text(TINY, encoding="utf-8")
    return story


def test_a_folder_of_the_creators_given_as_the_cache_is_refused_and_left_as_it_is(tiny):
    root = tiny.parent
    made = _make(root / "notes", LOOKALIKES)
    proc = explainer("render", str(tiny), "--cache", "notes", cwd=root)
    assert proc.returncode == 2, proc.stderr
    assert "notes holds files that are not explainer's" in proc.stderr and "--cache" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _unchanged(made) == []
    assert not (root / "notes" / cache.CACHE_TAG).exists() and not (root / "notes" / "locks").exists()


def test_only_explainers_own_partial_names_count():
    lookalikes = (".party-plan.txt", ".particles", ".part-time-hours.xlsx", ".tiny.abc.part.mp4", ".explainer-part-")
    for name in (*lookalikes, ".explainer-part-notes.txt", "explainer-part-abcd1234-x.mp4", ".explainer-part-ab1234x"):
        assert not cache.is_partial(name), name
    for name in (".explainer-part-abcd1234-tiny.mp4", ".explainer-part-k3x_q0ab"):
        assert cache.is_partial(name), name


def test_what_explainer_writes_is_named_as_its_own(tmp_path):
    seen = []
    with cache.atomic_path(tmp_path / "clip.mp4") as tmp:
        seen.append(tmp.name)
        tmp.write_bytes(b"x")
    with cache.scratch(tmp_path / "clip.mp4") as folder:
        seen.append(folder.name)
    assert all(cache.is_partial(name) for name in seen), seen
    assert seen[0].endswith("-clip.mp4"), "ffmpeg picks the container from the extension"


def test_an_old_untagged_cache_is_tagged_and_a_new_one_made_tagged(tmp_path):
    old = tmp_path / "old"
    (old / "scenes").mkdir(parents=True)
    (old / "audio").mkdir()
    cache.claim(old)
    cache.claim(tmp_path / "new" / "cache")
    assert cache.is_tagged(old) and cache.is_tagged(tmp_path / "new" / "cache")
    assert (old / cache.CACHE_TAG).read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55\n")


@pytest.mark.slow
def test_the_sweeps_keep_a_creators_hidden_files_in_the_cache_and_the_output(tiny):
    root = tiny.parent
    first = explainer("render", str(tiny), "--jobs", "1", cwd=root)
    assert first.returncode == 0, first.stderr
    out, store = root / "output" / "tiny", root / "output" / ".cache"
    assert cache.is_tagged(store) and publish.is_marked(out)
    made = _make(store, LOOKALIKES) | _make(out, LOOKALIKES) | _make(out / "stills", {".party.png": b"png"})
    # A folder of the creator's where an older explainer staged its output, and one at today's staging place.
    made |= _make(root / "output" / ".tiny.next", {"tiny.mp4": b"my own cut", "notes.txt": b"keep"})
    ours = [store / "scenes" / ".explainer-part-abcd1234-x.mp4", out / ".explainer-part-abcd1234-sheet.png",
            out / "stills" / ".explainer-part-abcd1234-hello.png"]  # fmt: skip
    for path in ours:  # as a killed render leaves them
        path.write_bytes(b"partial")
    tiny.write_text(TINY.replace("Hello there.", "Hello again."), encoding="utf-8")
    again = explainer("render", str(tiny), "--jobs", "1", cwd=root)
    assert again.returncode == 0, again.stderr
    assert _unchanged(made) == []
    assert [path for path in ours if path.exists()] == [], "explainer's own partial files are removed"
    assert "Hello again." in (out / "tiny.srt").read_text()


@pytest.mark.slow
def test_a_creators_folder_at_the_staging_place_is_named_and_left_alone(tiny):
    root = tiny.parent
    made = _make(root / "output" / ".tiny.explainer-staging", {"tiny.mp4": b"my own cut", "a/b.txt": b"keep"})
    proc = explainer("render", str(tiny), "--jobs", "1", cwd=root)
    assert proc.returncode == 2, proc.stderr
    assert "output/.tiny.explainer-staging is in the way" in proc.stderr and "move or rename it" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _unchanged(made) == []


def test_a_folder_left_empty_at_the_staging_place_is_removed(tmp_path):
    out = tmp_path / "output" / "tiny"
    publish.staging(out).mkdir(parents=True)  # a render killed as it made the folder
    publish.recover(out, publish.set_names("tiny"))
    assert not publish.staging(out).exists()


def test_a_set_exchanged_into_an_old_folder_keeps_every_other_file(tmp_path):
    """An output folder an older explainer made (no marker), holding only explainer's names: the set is exchanged
    in whole, and what the folders hold besides the set is carried back, never removed."""
    out = tmp_path / "output" / "tiny"
    names = publish.set_names("tiny")
    made = _make(out, {name: b"old" for name in names}) | _make(out / "stills", {"hello.png": b"png", ".x": b"mine"})
    made = {path: digest for path, digest in made.items() if path.parent.name == "stills"}
    with publish.staged(out, names) as folder:
        for name in names:
            (folder / name).write_bytes(b"new")
    assert {(out / name).read_bytes() for name in names} == {b"new"}
    assert _unchanged(made) == [] and publish.is_marked(out) and not publish.staging(out).exists()


def test_the_render_lock_belongs_to_the_output_not_the_cache(tiny):
    root = tiny.parent
    with render_lock(root / "output" / "tiny"):  # as a render in another process, with the default cache, holds it
        proc = explainer("render", str(tiny), "--cache", "other-cache", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert "another render is writing output/tiny/" in proc.stderr, proc.stderr
    assert not (root / "output" / "tiny" / "tiny.mp4").exists()
    assert not lock_file(root / "output" / "tiny").exists(), "the lock file goes with the lock"


def test_a_lock_file_of_someone_elses_is_not_taken(tmp_path):
    out = tmp_path / "output" / "tiny"
    made = _make(tmp_path / "output", {".tiny.explainer-lock": b"my notes"})
    with pytest.raises(Exception, match="is in the way"), render_lock(out):
        pass
    assert _unchanged(made) == []


@pytest.mark.slow
def test_a_second_render_into_one_output_with_its_own_cache_is_refused_while_the_first_writes(tiny):
    root = tiny.parent
    exe = [sys.executable, "-m", "pipeline", "render", str(tiny), "--jobs", "1"]
    first = subprocess.Popen([*exe, "--cache", "cache-a"], cwd=root, stderr=subprocess.PIPE, text=True)
    said = []
    for line in first.stderr:  # the first render's stage lines: narrating happens under the output's lock
        said.append(line)
        if "Narrating" in line:
            break
    second = subprocess.run([*exe, "--cache", "cache-b"], cwd=root, capture_output=True, text=True, timeout=300)
    said.append(first.stderr.read())
    assert first.wait(timeout=300) == 0, "".join(said)
    assert second.returncode == 1, second.stderr
    assert f"another render is writing output/tiny/ (process {first.pid})" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    assert not (root / "cache-b" / "scenes").exists(), "refused before any work"
    video = root / "output" / "tiny" / "tiny.mp4"
    assert video.stat().st_size > 0 and not lock_file(root / "output" / "tiny").exists()


@pytest.mark.parametrize("names", [("Clash.yaml", "clash.yaml"), ("one.yaml", "two.yaml")])
def test_a_batch_whose_videos_share_a_folder_is_refused_before_any_work(tmp_path, names):
    (tmp_path / "assets").mkdir()
    text = TINY if names[0] == "Clash.yaml" else TINY.replace("title: Tiny test", "title: Tiny test\nslug: same")
    for name in names:
        (tmp_path / name).write_text(text, encoding="utf-8")
    proc = explainer("render", *names, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    slug = "clash" if names[0] == "Clash.yaml" else "same"
    assert f"{names[0]} and {names[1]} would both be written into output/{slug}/" in proc.stderr, proc.stderr
    assert not (tmp_path / "output" / slug).exists() and not (tmp_path / "output" / ".cache" / "audio").exists()


def test_a_slug_from_a_file_name_windows_keeps_is_refused_at_validate(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "nul.yaml").write_text(TINY, encoding="utf-8")
    proc = explainer("validate", "nul.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "nul.yaml:1:1: the file name makes the slug 'nul', which names a device on Windows" in proc.stderr
    assert "slug: nul-video" in proc.stderr


def _leftovers(root: Path, temp: Path) -> list[str]:
    """What of explainer's a finished render should not have left: partial files anywhere in the project, staging
    folders and lock files beside the outputs, anything in the render's $TMPDIR."""
    left = [str(p.relative_to(root)) for p in root.rglob("*") if cache.is_partial(p.name)]
    left += [str(p.relative_to(root)) for p in (root / "output").glob(".*.explainer-*")]
    return left + [str(p) for p in temp.iterdir() if p.name != ".party-plan.txt"]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["render", "batch"])
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGINT"])
def test_a_render_killed_at_a_random_moment_touches_nothing_of_the_creators_and_the_next_leaves_nothing(
    tmp_path, command, signal_name
):
    import os
    import random
    import signal

    seed = random.randrange(10**6)
    moment = random.Random(seed).uniform(0.3, 6.0)
    root, temp = tmp_path / "project", tmp_path / "tmp"
    (root / "assets").mkdir(parents=True)
    temp.mkdir()
    stories = ["one.yaml", "two.yaml"] if command == "batch" else ["one.yaml"]
    for name in stories:
        (root / name).write_text(TINY.replace("Hello there.", f"Hello from {name[:3]}."), encoding="utf-8")
    env = {**os.environ, "TMPDIR": str(temp)}
    first = subprocess.run([sys.executable, "-m", "pipeline", "render", *stories], cwd=root, env=env,
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert first.returncode == 0, first.stderr
    made = _make(root, LOOKALIKES) | _make(temp, {".party-plan.txt": b"mine"})
    for slug in ("one", "two")[: len(stories)]:
        made |= _make(root / "output" / slug, LOOKALIKES)
    made |= _make(root / "output" / ".cache", {"notes/.particles/data.csv": b"x,y\n"})
    for name in stories:  # every sentence new: the killed render has narration, scenes and a join to do
        (root / name).write_text(TINY.replace("Hello there.", f"Hello again from {name[:3]}.").replace(
            "Thirty four", "Some thirty four"), encoding="utf-8")  # fmt: skip
    command_line = [sys.executable, "-m", "pipeline", "render", *stories]
    killed = subprocess.Popen(command_line, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)  # fmt: skip
    try:
        killed.wait(timeout=moment)
    except subprocess.TimeoutExpired:
        os.killpg(killed.pid, getattr(signal, signal_name))  # the whole group, as a terminal's Ctrl-C is sent
    said = killed.communicate(timeout=60)[1]
    assert "Traceback" not in said, said
    assert _unchanged(made) == [], f"seed {seed}, killed at {moment:.2f} s"
    again = subprocess.run([sys.executable, "-m", "pipeline", "render", *stories], cwd=root, env=env,
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert _unchanged(made) == [], f"seed {seed}, killed at {moment:.2f} s"
    assert _leftovers(root, temp) == [], f"seed {seed}, killed at {moment:.2f} s"
    for name in stories:
        assert f"Hello again from {name[:3]}." in (root / "output" / name[:3] / f"{name[:3]}.srt").read_text()


PREVIEW = [sys.executable, "-m", "pipeline", "preview", "script/tiny.yaml"]


def _preview_ready(root: Path, env: dict[str, str]) -> subprocess.Popen:
    """``explainer preview`` on script/tiny.yaml, once its first render is ready."""
    import json
    import re
    import urllib.request

    process = subprocess.Popen(PREVIEW, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # fmt: skip
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", process.stdout.readline())
    assert match, process.stderr.read() if process.poll() is not None else "no address"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with urllib.request.urlopen(match.group(1) + "api/state", timeout=10) as reply:
            if json.load(reply)["status"] == "ready":
                return process
        time.sleep(0.2)
    raise AssertionError("the preview was not ready in 120 s")


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGINT"])
def test_a_preview_killed_at_a_random_moment_touches_nothing_of_the_creators_and_the_next_leaves_nothing(
    tmp_path, signal_name
):
    import os
    import random
    import signal

    seed = random.randrange(10**6)
    moment = random.Random(seed).uniform(0.5, 5.0)
    root, temp = tmp_path / "project", tmp_path / "tmp"
    (root / "assets").mkdir(parents=True)
    (root / "script").mkdir()
    temp.mkdir()
    (root / "script" / "tiny.yaml").write_text(TINY, encoding="utf-8")
    env = {**os.environ, "TMPDIR": str(temp)}
    made = _make(root, LOOKALIKES) | _make(root / "output", LOOKALIKES) | _make(temp, {".party-plan.txt": b"mine"})
    killed = subprocess.Popen(PREVIEW, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)  # fmt: skip
    time.sleep(moment)  # starting, narrating, drawing or serving
    os.killpg(killed.pid, getattr(signal, signal_name))
    said = killed.communicate(timeout=60)[1]
    assert "Traceback" not in said, said
    assert _unchanged(made) == [], f"seed {seed}, killed at {moment:.2f} s"
    again = _preview_ready(root, env)
    os.killpg(again.pid, signal.SIGINT)  # as a creator stops it
    again.communicate(timeout=60)
    assert _unchanged(made) == [], f"seed {seed}, killed at {moment:.2f} s"
    assert _leftovers(root, temp) == [], f"seed {seed}, killed at {moment:.2f} s"
    assert (root / "output" / ".preview" / "tiny" / "draft" / "tiny.mp4").stat().st_size > 0, "the second video"


@pytest.mark.slow
def test_a_still_a_killed_preview_left_half_written_is_removed_by_the_next(tmp_path):
    import os
    import signal

    (tmp_path / "assets").mkdir()
    (tmp_path / "script").mkdir()
    (tmp_path / "script" / "tiny.yaml").write_text(TINY, encoding="utf-8")
    for _ in range(2):
        running = _preview_ready(tmp_path, dict(os.environ))
        os.killpg(running.pid, signal.SIGINT)
        running.communicate(timeout=60)
        stills = tmp_path / "output" / ".preview" / "tiny" / "stills"
        assert publish.is_marked(tmp_path / "output" / ".preview"), "the preview's folder is marked as explainer's"
        if _ == 0:  # as a preview killed while it wrote a still leaves it
            (stills / ".explainer-part-abcd1234-0123.png").write_bytes(b"half a png")
            made = _make(stills, {".party.png": b"a creator's"})
    assert not (stills / ".explainer-part-abcd1234-0123.png").exists()
    assert _unchanged(made) == []


def test_what_a_killed_render_staged_comes_back_as_the_output_folder_if_that_was_removed_since(tmp_path):
    out = tmp_path / "output" / "tiny"
    staging = publish.staging(out)
    (staging / "stills").mkdir(parents=True)  # killed just after the exchange: the old set and the folder's stills
    (staging / publish.MARK).write_text("explainer output folder\n")
    made = _make(staging / "stills", {"hello.png": b"png", "notes.txt": b"mine"})
    (staging / "tiny.mp4").write_bytes(b"the old video")
    publish.recover(out, publish.set_names("tiny"))  # the creator removed output/tiny/ meanwhile
    assert not staging.exists() and sorted(p.name for p in out.iterdir()) == [publish.MARK, "stills"]
    assert _unchanged({out / "stills" / p.name: digest for p, digest in made.items()}) == []
