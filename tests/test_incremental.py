"""The edit loop: scene cache keys, re-rendering one scene, --scene, --draft, and a render killed midway."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import RenderOptions, load, scene_keys
from tests.conftest import explainer, probe

THREE = """\
title: Three scenes
video: {width: 320, height: 180, fps: 30}
narration: {engine: piper}
sections:
  - title: Opening
    scenes:
      - id: hello
        slide: {kind: title, title: Hello world}
        narration: Hello there.
  - title: Middle
    scenes:
      - id: middle
        slide: {kind: stat, value: 34000, label: people}
        narration: Thirty four thousand people.
      - id: picture
        slide: {kind: image, file: assets/picture.png, caption: A picture}
        narration: A picture of the border.
"""
PICTURE = Path(__file__).parent / "data" / "picture.png"


@pytest.fixture
def three(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    shutil.copy(PICTURE, tmp_path / "assets" / "picture.png")
    story = tmp_path / "story.yaml"
    story.write_text(THREE, encoding="utf-8")
    return story


def _keys(story: Path, **options) -> dict[str, str]:
    return scene_keys(load(story), RenderOptions(**options))


def _edit(story: Path, old: str, new: str) -> None:
    text = story.read_text(encoding="utf-8")
    assert old in text
    story.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow  # 1.5-2.5 s: the full run's (the fast tier keeps to a minute)
def test_a_scene_key_changes_with_its_own_inputs_only(three):
    first = _keys(three)
    assert _keys(three) == first, "nothing changed, nothing changes"
    assert len(set(first.values())) == 3

    def changed(old: str, new: str) -> set[str]:
        _edit(three, old, new)
        now = _keys(three)
        _edit(three, new, old)
        return {sid for sid in first if now[sid] != first[sid]}

    assert changed("title: Hello world", "title: Hello again") == {"hello"}
    assert changed("label: people", "label: persons") == {"middle"}
    assert changed("Thirty four thousand people.", "Forty thousand people.") == {"middle"}, "narration: its scene only"
    assert changed("caption: A picture", "caption: Another picture") == {"picture"}
    assert changed("title: Middle", "title: Centre") == {"middle", "picture"}, "the section label is drawn"
    assert changed("fps: 30", "fps: 25") == set(first)
    assert changed("narration: {engine: piper}", "narration: {engine: piper}\ntheme: daylight") == set(first)

    picture = three.parent / "assets" / "picture.png"
    original = picture.read_bytes()
    picture.write_bytes(original + b"\0")  # new content, same name
    assert {sid for sid, key in _keys(three).items() if key != first[sid]} == {"picture"}
    picture.write_bytes(original)
    assert _keys(three) == first, "keys hang on contents, not on file times"

    assert set(_keys(three, size=(640, 360)).values()).isdisjoint(first.values())
    assert set(_keys(three, burn_captions=True).values()).isdisjoint(first.values())
    assert set(_keys(three, draft=True, size=None).values()).isdisjoint(first.values()), "320 wide, but 15 fps"


def test_a_footage_scenes_sound_settings_keep_its_picture(tmp_path):
    """Volume and ducking go to the soundtrack: changing them re-mixes, not re-renders the footage."""
    (tmp_path / "assets").mkdir()
    shutil.copy(Path(__file__).parent / "data" / "clip.mp4", tmp_path / "assets" / "clip.mp4")
    story = tmp_path / "story.yaml"
    story.write_text(THREE.replace("kind: image, file: assets/picture.png", "kind: video, file: assets/clip.mp4"))
    first = _keys(story)["picture"]
    for old, new in [("caption: A", "volume: -12, caption: A"), ("caption: A", "volume: mute, caption: A"),
                     ("caption: A", "duck: false, caption: A")]:  # fmt: skip
        _edit(story, old, new)
        assert _keys(story)["picture"] == first, new
        _edit(story, new, old)
    _edit(story, "caption: A", "fit: contain, caption: A")
    assert _keys(story)["picture"] != first, "the fit is drawn"


@pytest.mark.parametrize("part", ["pillow", "freetype", "numpy", "opencv", "ffmpeg"])
def test_a_new_version_of_what_draws_or_encodes_re_renders_every_scene(three, monkeypatch, part):
    from pipeline.core import versions
    from pipeline.rendering import jobs

    first = _keys(three)
    stack = {**versions.drawing_stack(), part: "a newer build"}
    monkeypatch.setattr(jobs, "drawing_stack", lambda: stack)
    assert set(_keys(three).values()).isdisjoint(first.values())


@pytest.mark.slow
def test_editing_one_scene_re_renders_that_scene_only(three):
    root = three.parent
    assert explainer("render", str(three), "--quiet", cwd=root).returncode == 0
    _edit(three, "Thirty four thousand people.", "Thirty four thousand people have escaped since then.")
    run = explainer("render", str(three), cwd=root)
    assert run.returncode == 0, run.stderr
    assert "1 rendered, 2 from cache" in run.stderr
    out = root / "output" / "story"
    report = json.loads((out / "render.json").read_text())
    scenes = {s["id"]: s for s in report["scenes"]}
    assert [sid for sid, s in scenes.items() if not s["cached"]] == ["middle"]
    assert scenes["middle"]["frames_drawn"] > 0 and scenes["hello"]["frames_drawn"] == 0
    assert scenes["middle"]["timings"]["narrate"] > 0 and scenes["hello"]["timings"]["narrate"] == 0
    info = probe(out / "story.mp4")
    assert info["frames"] == report["frames"] == sum(s["frames"] for s in scenes.values())
    assert abs(info["video_duration"] - report["duration"]) <= 1 / 30
    start = 0.0
    for scene in report["scenes"]:
        assert scene["start"] == pytest.approx(start, abs=1e-5)  # both sides rounded to 6 places
        start += scene["duration"]
    assert scenes["middle"]["sentences"][0]["text"] == "Thirty four thousand people have escaped since then."


@pytest.mark.slow
def test_scene_option_writes_the_scene_alone_and_refreshes_the_video(three):
    root = three.parent
    out = root / "output" / "story"
    run = explainer("render", str(three), "--scene", "middle", "--no-join", cwd=root)
    assert run.returncode == 0, run.stderr
    clip = out / "scenes" / "middle.mp4"
    assert "wrote" in run.stderr and str(clip) in run.stderr.replace("\n", "")
    assert not (out / "story.mp4").exists(), "--no-join"
    info = probe(clip)
    assert info["frames"] > 30 and abs(info["audio_duration"] - info["video_duration"]) <= 1 / 30

    partial = explainer("render", str(three), "--scene", "middle", cwd=root)
    assert partial.returncode == 0 and "not rendered yet" in partial.stderr, "others are not cached: no join"
    assert not (out / "story.mp4").exists()

    assert explainer("render", str(three), "--quiet", cwd=root).returncode == 0
    _edit(three, "title: Hello world", "title: Hello again")
    again = explainer("render", str(three), "--scene", "hello", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "1 rendered, 2 from cache" in again.stderr and (out / "scenes" / "hello.mp4").exists()

    wrong = explainer("render", str(three), "--scene", "midle", cwd=root)
    assert wrong.returncode == 2 and "no scene 'midle'; did you mean 'middle'?" in wrong.stderr
    assert "Traceback" not in wrong.stderr


@pytest.mark.slow
def test_draft_renders_small_and_apart(three):
    root = three.parent
    run = explainer("render", str(three), "--draft", "--quiet", cwd=root)
    assert run.returncode == 0, run.stderr
    draft = root / "output" / "story" / "draft"
    info = probe(draft / "story.mp4")
    assert (info["width"], info["height"], info["fps"]) == (320, 180, 15.0)
    assert (info["channels"], info["sample_rate"]) == (2, 48000) and info["audio_bit_rate"] <= 80_000, info
    assert not (root / "output" / "story" / "story.mp4").exists(), "the full video is not touched"
    report = json.loads((draft / "render.json").read_text())
    assert report["fps"] == 15 and not any(s["cached"] for s in report["scenes"])
    bad = explainer("render", str(three), "--draft", "--fps", "10", cwd=root)
    assert bad.returncode == 2 and "--draft has its own size and frame rate" in bad.stderr


@pytest.mark.slow
def test_cache_option_keeps_every_cache_entry_there(three):
    root = three.parent
    elsewhere = root / "elsewhere-cache"
    run = explainer("render", str(three), "--quiet", "--cache", str(elsewhere), cwd=root)
    assert run.returncode == 0, run.stderr
    assert not (root / "output" / ".cache").exists(), "nothing is cached in the project"
    assert {p.name for p in elsewhere.iterdir()} >= {"audio", "scenes", "soundtracks", "fit", "locks"}


@pytest.mark.slow
def test_a_killed_render_leaves_the_last_video_intact_and_the_next_render_correct(three):
    root = three.parent
    out = root / "output" / "story"
    assert explainer("render", str(three), "--quiet", cwd=root).returncode == 0
    finished = (out / "story.mp4").read_bytes()
    _edit(three, "Hello there.", "Hello there. " + "This scene is long now. " * 12)
    _edit(three, "title: Hello world", "title: Hello again")
    _edit(three, "label: people", "label: persons")

    scenes_dir = root / "output" / ".cache" / "scenes"
    before = set(scenes_dir.iterdir())
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "render", str(three), "--quiet", "--jobs", "1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    # Kill once the first changed scene is in the cache: the next one is being drawn and encoded.
    while time.monotonic() < deadline and proc.poll() is None:
        if any(not p.name.startswith(".") for p in set(scenes_dir.iterdir()) - before):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the render finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert (out / "story.mp4").read_bytes() == finished, "the previous finished video is intact"
    for entry in scenes_dir.iterdir():
        if not entry.name.startswith("."):  # a name a later render would trust: a whole, decodable clip
            assert probe(entry)["frames"] > 0

    run = explainer("render", str(three), cwd=root)
    assert run.returncode == 0, run.stderr
    report = json.loads((out / "render.json").read_text())
    info = probe(out / "story.mp4")
    assert info["frames"] == report["frames"] and abs(info["video_duration"] - report["duration"]) <= 1 / 30
    assert report["scenes"][0]["sentences"][1]["text"].startswith("This scene is long now.")


@pytest.mark.slow
def test_a_caption_only_edit_refreshes_the_captions_without_rendering(three):
    """The lexicon makes 'DMZ' and 'D M Z' sound alike: no scene re-renders, but the captions must follow."""
    root = three.parent
    _edit(three, "narration: {engine: piper}", "narration: {engine: piper, lexicon: {DMZ: D M Z}}")
    _edit(three, "A picture of the border.", "A picture of the D M Z.")
    assert explainer("render", str(three), "--quiet", cwd=root).returncode == 0
    _edit(three, "A picture of the D M Z.", "A picture of the DMZ.")
    run = explainer("render", str(three), cwd=root)
    assert run.returncode == 0 and "nothing changed" not in run.stderr
    assert "0 rendered, 3 from cache" in run.stderr
    assert "A picture of the DMZ." in (root / "output" / "story" / "story.srt").read_text()
