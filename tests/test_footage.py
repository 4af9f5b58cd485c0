"""Footage scenes: what phones and cameras write, played in step with the plan, picture and sound.

Test clips come from tests/clips.py: frame i of a clip shows the number i, and
its sound is silence with a 1 kHz burst at a known time, so the finished MP4
can be read back: which clip frame each video frame shows, and where the burst
landed on the video's clock.
"""

from __future__ import annotations

import json

import av
import numpy as np
import pytest

from pipeline.drawing import footage
from pipeline.drawing.slides import KINDS
from pipeline.sound import mix
from tests.clips import burst, find_burst, make_clip, read_number
from tests.conftest import explainer

FPS = 30
W, H = 320, 180  # the smallest frame whose slides' text can be read (a 160x90 one is refused)


def test_probe_reads_what_the_clip_is_as_shown(tmp_path):
    """A phone clip stored landscape with a 90° display rotation is portrait as shown; no audio is said."""
    rotated = footage.probe(make_clip(tmp_path / "r.mp4", size=(160, 90), rotate=90), "r.mp4")
    assert (rotated.width, rotated.height, rotated.rotation) == (90, 160, 90)
    silent = footage.probe(make_clip(tmp_path / "s.mp4", size=(478, 850), audio=False, seconds=1), "s.mp4")
    assert (silent.width, silent.height, silent.audio) == (478, 850, False)
    assert silent.seconds == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (5.0, None, "from", "starts after its end"),
        (2.0, None, "from", "starts at its end (give less than 2)"),
        (0.0, 9.0, "to", "past its end"),
        (1.0, 1.05, "to", "at least"),
    ],
)
def test_a_cut_outside_the_clip_is_said_at_its_field(tmp_path, start, end, field, words):
    found = footage.probe(make_clip(tmp_path / "c.mp4", seconds=2), "c.mp4")
    with pytest.raises(footage.FootageError) as caught:
        footage.cut(start, end, 1.0, found)
    assert caught.value.field == field and words in str(caught.value)


def test_a_file_that_is_not_a_video_is_said_so(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video", encoding="utf-8")
    with pytest.raises(footage.FootageError, match="not a video ffmpeg can read"):
        footage.probe(text, "notes.mp4")
    with pytest.raises(footage.FootageError, match="no video at"):
        footage.probe(tmp_path / "missing.mp4", "missing.mp4")


def test_speeds_beyond_one_atempo_stage_are_chained():
    assert footage.atempo_chain(1.0) == ""
    assert footage.atempo_chain(4.0) == "atempo=2.000000,atempo=2.000000,"
    assert footage.atempo_chain(0.25) == "atempo=0.500000,atempo=0.500000,"
    spec = KINDS["video"].spec
    with pytest.raises(ValueError, match="speed"):
        spec.model_validate({"kind": "video", "file": "a.mp4", "speed": -1})
    assert spec.model_validate({"kind": "video", "file": "a.mp4", "volume": "mute"}).volume is None


def _bursts(mono: np.ndarray) -> list[float]:
    """When each burst starts (seconds): the onsets of the envelope over half its peak, 0.1 s apart or more."""
    loud = np.flatnonzero(np.abs(mono) > np.abs(mono).max() * 0.5)
    onsets = loud[np.concatenate([[True], np.diff(loud) > 0.1 * 48_000])]
    return [round(x / 48_000, 3) for x in onsets]


@pytest.mark.parametrize(("loop", "want"), [(True, [0.4, 1.4, 2.4, 3.4]), (False, [0.4])])
def test_a_looping_clips_sound_repeats_with_its_picture_and_a_frozen_ones_stops(tmp_path, loop, want):
    """A 1 s clip in a 3.7 s scene: looped, its burst comes back every second, in step with the picture's loop."""
    file = tmp_path / "clip.f32"
    burst(0.98, 0.4).tofile(file)  # decoded sound may fall short of the cut: the period is the cut's, not the file's
    sound = mix.ClipSound(file, 48_000, 48_000 + round(3.7 * 48_000), 0.0, False, 48_000 if loop else None)
    out = np.zeros((5 * 48_000, 2), dtype=np.float32)
    mix.Clips([sound], [], -20.0).add(out, 0, out.shape[0])
    assert _bursts(out[48_000:, 0]) == pytest.approx(want, abs=0.001)
    assert not out[:48_000].any() and not out[48_000 + round(3.7 * 48_000) :].any()


def test_a_clips_sound_fades_in_and_out_at_its_edges(tmp_path):
    """A clip cut mid-tone starts and stops over 10 ms, not with a click."""
    file = tmp_path / "tone.f32"
    np.full((48_000, 2), 0.5, dtype=np.float32).tofile(file)
    out = np.zeros((48_000, 2), dtype=np.float32)
    mix.Clips([mix.ClipSound(file, 0, 24_000, 0.0, False)], [], -20.0).add(out, 0, out.shape[0])
    steps = np.abs(np.diff(out[:, 0]))
    assert steps.max() < 0.01 * out.max(), "no sample jumps more than 1% of the level"


#: Each footage scene of the sync storyboard: (id, clip options, slide options, narrated).
CLIPS = [
    ("cfr", {"seconds": 3.0}, {"from": 0.5, "to": 2.5}, False),
    ("vfr", {"vfr": True}, {}, False),
    ("rotated", {"rotate": 90}, {"fit": "contain"}, False),
    ("odd", {"size": (478, 850), "audio": False}, {"fit": "blur"}, False),
    ("fps25", {"fps": 25}, {}, False),
    ("fps60", {"fps": 60}, {}, False),
    ("fast", {"seconds": 3.0}, {"speed": 2.0}, False),
    ("freeze", {"seconds": 1.0}, {"when_short": "freeze"}, True),
    ("loop", {"seconds": 1.0}, {"when_short": "loop"}, True),
    ("slow", {"seconds": 1.0}, {"when_short": "slow"}, True),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One storyboard with every kind of clip, rendered once through the real command."""
    root = tmp_path_factory.mktemp("footage")
    (root / "assets").mkdir()
    scenes = ["      - id: opening\n        slide: {kind: title, title: Footage}\n        narration: Some footage."]
    for name, clip_options, slide_options, narrated in CLIPS:
        make_clip(root / "assets" / f"{name}.mp4", **{"seconds": 2.0, "burst_at": 1.0, **clip_options})
        slide = json.dumps({"kind": "video", "file": f"assets/{name}.mp4", **slide_options})
        said = "This clip is shown while a much longer sentence is read over it."
        line = f"\n        narration: {said}" if narrated else ""
        scenes.append(f"      - id: {name}\n        slide: {slide}{line}")
    story = root / "story.yaml"
    story.write_text(
        f"title: Footage sync\nvideo: {{width: {W}, height: {H}, fps: {FPS}}}\nnarration: {{engine: espeak}}\n"
        "theme: {extends: documentary, transition: {style: cut}}\n"
        "sections:\n  - title: Clips\n    scenes:\n" + "\n".join(scenes) + "\n",
        encoding="utf-8",
    )
    done = explainer("render", str(story), cwd=root)
    assert done.returncode == 0, done.stderr
    out = root / "output" / "story"
    report = json.loads((out / "render.json").read_text(encoding="utf-8"))
    with av.open(str(out / "story.mp4")) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    with av.open(str(out / "story.mp4")) as container:
        sound = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1).mean(axis=0)
    return {s["id"]: s for s in report["scenes"]}, report, frames, sound


@pytest.mark.slow
@pytest.mark.xdist_group("footage-render")  # on one worker: the module's render is made once a run
def test_the_finished_video_has_exactly_the_planned_frames(rendered):
    scenes, report, frames, sound = rendered
    assert len(frames) == report["frames"] == sum(s["frames"] for s in scenes.values())
    assert sound.size / 48_000 == pytest.approx(report["duration"], abs=0.025)
    for name, clip, options, narrated in CLIPS:
        if not narrated:  # a clip without narration lasts its cut at its speed
            length = VFR_TIMES[-1] + 1 / FPS if clip.get("vfr") else clip.get("seconds", 2.0)
            cut = options.get("to", length) - options.get("from", 0.0)
            assert scenes[name]["duration"] == pytest.approx(cut / options.get("speed", 1.0), abs=1.5 / FPS), name


#: When each frame of the variable-rate clip starts (tests/clips.py: every third frame lasts twice as long).
VFR_TIMES = np.cumsum([0.0] + [(2 if i % 3 == 2 else 1) / FPS for i in range(59)])


def _expected(name: str, k: int, scene_frames: int) -> int:
    """The clip frame scene frame ``k`` should show."""
    if name == "vfr":  # the frame showing at that time
        return int(np.searchsorted(VFR_TIMES, k / FPS + 1e-6, side="right")) - 1
    clip_fps = {"fps25": 25, "fps60": 60}.get(name, FPS)
    start = {"cfr": 0.5}.get(name, 0.0)
    speed = {"fast": 2.0}.get(name, 1.0)
    count = 30 if name in ("freeze", "loop", "slow") else None
    if name == "slow":
        speed = 1.0 / (scene_frames / FPS)
    t = start + k / FPS * speed
    index = round(t * clip_fps)
    if count is not None and name != "slow" and index >= count:
        index = index % count if name == "loop" else count - 1
    return index


@pytest.mark.slow
@pytest.mark.xdist_group("footage-render")
@pytest.mark.parametrize("name", [c[0] for c in CLIPS if c[0] not in ("rotated", "odd")])
def test_each_scene_frame_shows_the_clip_frame_the_plan_puts_there(rendered, name):
    """From the scene's very first frame: the frame number drawn in the clip is read back from the MP4."""
    scenes, _, frames, _ = rendered
    scene = scenes[name]
    first = round(scene["start"] * FPS)
    for k in range(0, scene["frames"], max(1, scene["frames"] // 12)):
        got = read_number(frames[first + k])
        want = _expected(name, k, scene["frames"])
        slack = 0 if name in ("cfr", "freeze", "loop", "fast") else 1  # other rates: the nearest frame, either side
        assert abs(got - want) <= slack, (name, k, got, want)
    assert read_number(frames[first - 1]) != read_number(frames[first]) or name == "cfr"


@pytest.mark.slow
@pytest.mark.xdist_group("footage-render")
def test_a_rotated_phone_clip_is_upright_and_an_odd_size_is_fitted(rendered):
    """Rotated 90°: the bars run down the frame, not across; an odd portrait size is shown whole over a blur."""
    scenes, _, frames, _ = rendered
    upright = frames[round(scenes["rotated"]["start"] * FPS) + 5].astype(int)
    middle = upright[:, W // 2 - 20 : W // 2 + 20].mean(axis=(1, 2))
    assert middle.max() - middle.min() > 100, "the number's bars stack top to bottom, as the phone showed them"
    contained = frames[round(scenes["odd"]["start"] * FPS) + 5]
    width_shown = round(H * 478 / 850)
    left = (W - width_shown) // 2
    assert read_number(contained, (left, 0, left + width_shown, H)) == 5


@pytest.mark.slow
@pytest.mark.xdist_group("footage-render")
@pytest.mark.parametrize(("name", "within"), [("cfr", 0.001), ("vfr", 0.001), ("fps25", 0.001), ("fps60", 0.001),
                                              ("fast", 0.5 / FPS)])  # fmt: skip
def test_the_clips_sound_sits_where_the_plan_put_it(rendered, name, within):
    """The burst at 1.0 s in the file is found within 1 ms of where the cut puts it in the video.

    At another speed, within half a frame: ffmpeg's atempo keeps the pitch by overlapping windows of
    about 20 ms, which moves a 50 ms burst's onset by about 12 ms at twice the speed (rubberband, tried
    too, moves it 15 ms); sound and picture still meet within the frame.
    """
    scenes, _, _, sound = rendered
    scene = scenes[name]
    a, b = round(scene["start"] * 48_000), round((scene["start"] + scene["duration"]) * 48_000)
    start = {"cfr": 0.5}.get(name, 0.0)
    speed = {"fast": 2.0}.get(name, 1.0)
    assert find_burst(sound[a:b]) == pytest.approx((1.0 - start) / speed, abs=within)


@pytest.mark.slow
def test_a_volume_edit_remixes_the_sound_without_drawing_the_footage_again(tmp_path):
    """Changing only a clip's volume is a new video (its sound changed) with no scene rendered again."""
    (tmp_path / "assets").mkdir()
    make_clip(tmp_path / "assets" / "clip.mp4", seconds=1.0, burst_at=0.5)
    story = tmp_path / "story.yaml"
    story.write_text(
        f"title: Volume\nvideo: {{width: {W}, height: {H}, fps: {FPS}}}\nnarration: {{engine: espeak}}\n"
        "sections:\n  - title: One\n    scenes:\n"
        "      - id: hello\n        slide: {kind: title, title: Hello}\n        narration: Hello there.\n"
        "      - id: clip\n        slide: {kind: video, file: assets/clip.mp4, volume: -6}\n",
        encoding="utf-8",
    )
    assert explainer("render", str(story), cwd=tmp_path).returncode == 0
    story.write_text(story.read_text(encoding="utf-8").replace("volume: -6", "volume: -20"), encoding="utf-8")
    again = explainer("render", str(story), cwd=tmp_path)
    assert again.returncode == 0 and "nothing changed" not in again.stderr
    assert "0 rendered, 2 from cache" in again.stderr


@pytest.mark.slow
def test_a_video_of_silent_footage_with_no_narration_renders_with_a_silent_track(tmp_path):
    """Nothing in the mix: ffmpeg's meter says -70 LUFS (its gate), not -inf, and the loudness correction chased it
    to an overflow, a traceback instead of a video."""
    (tmp_path / "assets").mkdir()
    make_clip(tmp_path / "assets" / "quiet.mp4", size=(320, 180), seconds=2.0, audio=False)
    story = tmp_path / "quiet.yaml"
    story.write_text(
        f"title: Quiet\nvideo: {{width: {W}, height: {H}, fps: {FPS}}}\nnarration: {{engine: piper}}\n"
        "sections:\n  - title: Only\n    scenes:\n      - id: clip\n"
        "        slide: {kind: video, file: assets/quiet.mp4}\n",
        encoding="utf-8",
    )
    run = explainer("render", str(story), cwd=tmp_path)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    with av.open(str(tmp_path / "output" / "quiet" / "quiet.mp4")) as container:
        sound = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    assert sound.size and np.abs(sound).max() < 1e-3, "a silent track, as long as the video"
