"""End to end through the real `explainer` command, probing the files for real."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.conftest import SHIPPED, TINY, chromium, edit_lists, explainer, probe, top_level_atoms


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """TINY rendered once through the command, for the tests that look at different things of the same video (the
    tests that share it are in one xdist group, so it is rendered once a run): (project folder, the render's run)."""
    root = tmp_path_factory.mktemp("tiny")
    (root / "assets").mkdir()
    story = root / "story.yaml"
    story.write_text(TINY, encoding="utf-8")
    run = explainer("render", str(story), cwd=root)
    assert run.returncode == 0, run.stderr
    return root, run


@pytest.mark.slow
@pytest.mark.xdist_group("tiny-render")
def test_tiny_render_meets_the_output_spec(tiny):
    tmp_path, run = tiny
    story = tmp_path / "story.yaml"
    video = tmp_path / "output" / "story" / "story.mp4"
    report = json.loads((tmp_path / "output" / "story" / "render.json").read_text())
    info = probe(video)
    assert (info["video_codec"], info["profile"], info["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert info["colour"] == (1, 1, 1, 1), "BT.709 primaries, transfer and matrix, TV range, all tagged"
    assert (info["width"], info["height"], info["fps"]) == (320, 180, 30.0)
    assert (info["audio_codec"], info["audio_profile"], info["sample_rate"], info["channels"]) == (
        "aac",
        "LC",
        48000,
        2,
    )
    scenes = report["scenes"]
    assert [s["id"] for s in scenes] == ["hello", "number"]
    assert info["frames"] == sum(s["frames"] for s in scenes) == report["frames"]
    assert abs(info["video_duration"] - sum(s["duration"] for s in scenes)) <= 1 / 30
    assert abs(info["audio_duration"] - info["video_duration"]) <= 1 / 30
    assert scenes[1]["start"] == pytest.approx(scenes[0]["duration"])
    assert scenes[0]["section"] == "Opening" and scenes[0]["engine"] == "piper"
    assert report["engine"]["voice"] == "en_US-joe-medium"
    first = scenes[0]["sentences"][0]
    assert first["text"] == "Hello there." and first["start"] == pytest.approx(0.8, abs=0.01), "the opening breath"
    assert top_level_atoms(video).index("moov") < top_level_atoms(video).index("mdat"), "not +faststart"
    webvtt = video.with_suffix(".vtt").read_text(encoding="utf-8")
    assert "Hello <00:00:00." in webvtt or "Hello <00:00:01." in webvtt, "words carry their starts in the VTT"
    assert "wrote" in run.stderr and "Traceback" not in run.stderr

    quiet = explainer("render", str(story), "--quiet", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    before = {p.name: p.stat().st_mtime_ns for p in video.parent.iterdir()}
    again = explainer("render", str(story), cwd=tmp_path)
    assert again.returncode == 0 and "nothing changed since the last render" in again.stderr
    assert "Rendering" not in again.stderr and "wrote" not in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in video.parent.iterdir()} == before, "nothing is rewritten"


@pytest.mark.slow
@pytest.mark.xdist_group("tiny-render")
def test_narration_sits_in_its_scene(tiny):
    """Each sentence's sound is where render.json says, and the lead-in before it is silent."""
    import av

    out = tiny[0] / "output" / "story"
    report = json.loads((out / "render.json").read_text())
    with av.open(str(out / "story.mp4")) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48000)
        chunks = [r.to_ndarray().ravel() for f in container.decode(audio=0) for r in resampler.resample(f)]
    audio = np.concatenate(chunks)

    def rms(a, b):
        seg = audio[int(a * 48000) : int(b * 48000)]
        return float(np.sqrt(np.mean(seg**2))) if seg.size else 0.0

    for scene in report["scenes"]:
        assert rms(scene["start"] + 0.05, scene["start"] + 0.4) < 0.005, "lead-in should be silent"
        for sentence in scene["sentences"]:
            assert rms(sentence["start"], sentence["end"]) > 0.02, sentence["text"]
        for before, after in zip(scene["sentences"], scene["sentences"][1:], strict=False):
            assert after["start"] - before["end"] > 0.3
            assert rms(before["end"] + 0.06, after["start"] - 0.06) < 0.005, "the gap between sentences is silent"


@pytest.mark.slow
def test_shipped_storyboard_renders_at_low_resolution(tmp_path):
    run = explainer(
        "render",
        str(SHIPPED),
        "--engine",
        "piper",
        "--size",
        "320x180",
        "--fps",
        "15",
        "--output",
        str(tmp_path),
        "--cache",
        str(tmp_path / "cache"),
        "--quiet",
        timeout=900,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "render.json").read_text())
    info = probe(tmp_path / "escape-north-korea.mp4")
    assert info["frames"] == report["frames"]
    assert 240 < report["duration"] < 420, "about five minutes"
    assert len({s["section"] for s in report["scenes"]}) == 6
    assert all(s["sentences"] for s in report["scenes"]), "every scene is narrated"


def test_held_frames_are_encoded_once_and_every_frame_lands_where_it_belongs(tmp_path):
    """A frame is encoded once however long it stands (its repeats are skipped pictures, a hold's whole GOPs the
    GOP before written again); the decoded scene matches frame by frame, with a keyframe every half second."""
    from moviepy import VideoClip

    from pipeline.rendering.encode import encode_scene, gop, scene_clip

    fps, w, h = 30, 64, 36
    assert gop(fps) == 15

    def flat(value: int) -> np.ndarray:
        return np.full((h, w, 3), value, dtype=np.uint8)

    # Moving frames (new arrays), a 47-frame hold, 3 moving, a 31-frame hold, 5 moving: 96 frames.
    script = [flat(10 + 4 * i) for i in range(10)] + [flat(120)] * 47
    script += [flat(60 + 20 * i) for i in range(3)] + [flat(200)] * 31 + [flat(230 - 5 * i) for i in range(5)]
    frame = lambda t: script[min(len(script) - 1, round(t * fps))]  # noqa: E731
    clip = scene_clip(_Frames(frame), len(script), fps)
    assert isinstance(clip, VideoClip)
    target = tmp_path / "scene.mp4"
    stats = encode_scene(clip, len(script), fps, target)
    # The 47 from frame 10: at 10, again at 15 (a GOP's start), its GOP again from 30, at 45; the 31 from 60: at
    # 60, its GOP again from 75, at 90. 20 frames drawn, 10 + 3 + 3 + 2 + 5 pictures encoded.
    assert stats == {"drawn": 20, "encoded": 23}
    with av.open(str(target)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate == fps and stream.time_base == Fraction(1, 15360), "as every scene's: they join"
        decoded = [(f.key_frame, f.to_ndarray(format="rgb24")[h // 2, w // 2].mean()) for f in container.decode(stream)]
    expected = [int(s[0, 0, 0]) for s in script]
    assert len(decoded) == len(expected)
    assert max(abs(value - e) for (_, value), e in zip(decoded, expected, strict=True)) <= 4
    assert [i for i, (key, _) in enumerate(decoded) if key] == list(range(0, 96, 15)), "closed GOPs of half a second"


def test_a_drawn_scene_joins_a_moving_one_by_stream_copy(tmp_path):
    """A drawn scene's stream (its pictures from x264's raw stream, its repeats written here) has the stream
    parameters a moving scene's encoder writes, and the two join by stream copy into one stream that decodes whole."""
    from pipeline.core import ffmpeg
    from pipeline.rendering.encode import TO_ENCODER, SceneEncoder, codec_args

    fps, w, h = 30, 320, 180
    y, x = np.mgrid[0:h, 0:w]
    picture = np.stack([x * 255 // w, y * 255 // h, (x + y) % 256], axis=2).astype(np.uint8)  # smooth: 4:2:0 keeps it
    drawn = tmp_path / "drawn.mp4"
    scene = SceneEncoder(drawn, w, h, fps)
    scene.add(picture, 45)  # a hold of three GOPs: one picture
    scene.add(picture[::-1].copy(), 7)
    scene.finish()
    assert (scene.drawn, scene.encoded, scene.frames) == (2, 2, 52)
    moving = tmp_path / "moving.mp4"
    raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", str(fps), "-i", "pipe:0"]
    ffmpeg.run(["-y", *raw, "-vf", TO_ENCODER, *codec_args(fps, moving=True), "-an", "-f", "mp4", str(moving)],
               input=b"".join(np.roll(picture, 4 * i, axis=1).tobytes() for i in range(20)))  # fmt: skip
    extradata = [av.open(str(file)).streams.video[0].codec_context.extradata for file in (drawn, moving)]
    assert extradata[0] == extradata[1]
    joined = tmp_path / "joined.mp4"
    listing = ffmpeg.concat_inputs([(drawn, 52 / fps), (moving, 20 / fps), (drawn, 52 / fps)], tmp_path)
    ffmpeg.run(["-y", *listing, "-c", "copy", "-f", "mp4", str(joined)])
    with av.open(str(joined)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 124
    assert np.abs(frames[44].astype(int) - picture).mean() < 2, "the hold decodes to its picture"
    assert all(np.array_equal(frames[i], frames[0]) for i in (14, 15, 30, 44)), "its repeats and its GOP again, exactly"
    assert np.array_equal(frames[123], frames[51]) and np.array_equal(frames[72], frames[0]), "whole after the join"


def test_a_drawn_scene_is_sent_to_its_encoder_no_faster_than_it_encodes(tmp_path):
    """Frames drawn faster than x264 codes them waited in ffmpeg's queues (236 MB an encoder at 1080p against 136
    fed at its pace): a picture is sent only when the encoder has given out all but AHEAD of those before it."""
    from pipeline.rendering import encode

    fps, w, h, count = 30, 320, 180, 90
    rng = np.random.default_rng(3)
    frames = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(count)]
    ahead = []
    scene = encode.SceneEncoder(tmp_path / "scene.mp4", w, h, fps)
    for frame in frames:
        scene.add(frame, 1)  # one picture sent
        ahead.append(scene.encoded - scene.given.count)  # sent to the encoder, less what it gave out
    scene.finish()
    assert max(ahead) == encode.AHEAD, "sent as fast as drawn, or held back further than AHEAD"
    assert not scene.given.stalled
    with av.open(str(tmp_path / "scene.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == count


def test_an_encoder_that_never_reports_is_sent_its_frames_all_the_same(tmp_path, monkeypatch):
    """Pacing waits on the pictures the encoder gives out: without word of them (none for STALL seconds), frames go
    unpaced, and a render is never left waiting for a picture that will not come."""
    from pipeline.rendering import encode

    monkeypatch.setattr(encode, "STALL", 0.2)
    monkeypatch.setattr(encode.Given, "one", lambda self: None)  # no picture is ever counted
    fps, w, h, count = 30, 64, 36, 2 * encode.AHEAD
    scene = encode.SceneEncoder(tmp_path / "scene.mp4", w, h, fps)
    for value in range(count):
        scene.add(np.full((h, w, 3), value, dtype=np.uint8), 1)
    scene.finish()
    assert scene.given.stalled and scene.encoded == count
    with av.open(str(tmp_path / "scene.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == count


class _Frames:
    """A scene source made of a frame function: the encoder sees only ``frame(t)``."""

    def __init__(self, frame):
        self.frame = frame


#: A title, then a clip (``CLIP``: its slide) whose burst of sound is at 1.0 s (tests.clips.make_clip).
CLIP_AFTER_TITLE = """\
title: Clip after a title
video: {width: 320, height: 180, fps: 30}
narration: {engine: espeak}
theme: {extends: documentary, transition: {style: cut}}
sections:
  - title: One
    scenes:
      - id: hello
        slide: {kind: title, title: Hello}
        narration: Hello there.
      - id: clip
        slide: CLIP
"""


@pytest.mark.slow
def test_a_drafts_opus_sound_is_in_step_in_ffmpeg_and_in_the_browser(project, tmp_path):
    """A draft's soundtrack is Opus (half the encoding time of AAC), whose delay is its pre-skip: ffmpeg (edit
    lists ignored or not) and Chromium's own decoder both put the clip's burst within 2 ms of the plan's time."""
    import base64

    from playwright.sync_api import sync_playwright

    from tests.clips import ffmpeg_exe, find_burst, make_clip

    make_clip(tmp_path / "assets" / "clip.mp4", seconds=2.0, burst_at=1.0)
    story = project(CLIP_AFTER_TITLE.replace("CLIP", "{kind: video, file: assets/clip.mp4}"))
    done = explainer("render", str(story), "--draft", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "output" / "story" / "draft"
    video = out / "story.mp4"
    assert probe(video)["audio_codec"] == "opus"
    report = json.loads((out / "render.json").read_text())
    assert set(report["loudness"]) >= {"integrated_lufs", "sample_peak_dbfs"}
    burst = next(s for s in report["scenes"] if s["id"] == "clip")["start"] + 1.0
    a = round((burst - 0.5) * 48_000)

    for ignore in ("0", "1"):
        decoded = subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-ignore_editlist", ignore, "-i", str(video), "-map", "0:a", "-ac", "1",
             "-ar", "48000", "-f", "f32le", "-"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        sound = np.frombuffer(decoded, dtype="<f4")
        assert a / 48_000 + find_burst(sound[a:]) == pytest.approx(burst, abs=0.002), f"ignore_editlist {ignore}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True)
        page = browser.new_page()
        channel = page.evaluate(
            """async (data) => {
                const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
                const audio = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(bytes.buffer);
                return {rate: audio.sampleRate, samples: Array.from(audio.getChannelData(0))};
            }""",
            base64.b64encode(video.read_bytes()).decode("ascii"),
        )
        browser.close()
    assert channel["rate"] == 48_000
    sound = np.asarray(channel["samples"], dtype=np.float32)
    assert a / 48_000 + find_burst(sound[a:]) == pytest.approx(burst, abs=0.002), "Chromium"


@pytest.mark.slow
def test_no_edit_lists_and_in_step_for_players_that_ignore_them(project, tmp_path):
    """YouTube asks for MP4s without edit lists: none in any track of the video or a --scene clip, and a
    player that ignores edit lists (ffmpeg -ignore_editlist 1) still has the clip's burst within 1 ms of
    where the plan put it, the first frame at time 0, and the clip's first frame on the scene's first frame."""
    import av

    from tests.clips import ffmpeg_exe, find_burst, make_clip, read_number

    make_clip(tmp_path / "assets" / "clip.mp4", seconds=2.0, burst_at=1.0)
    story = project(CLIP_AFTER_TITLE.replace("CLIP", "{kind: video, file: assets/clip.mp4, volume: 0}"))
    assert explainer("render", str(story), "--quiet", cwd=tmp_path).returncode == 0
    scene = explainer("render", str(story), "--scene", "clip", "--no-join", "--quiet", cwd=tmp_path)
    assert scene.returncode == 0, scene.stderr
    out = tmp_path / "output" / "story"
    video, clip = out / "story.mp4", out / "scenes" / "clip.mp4"
    assert edit_lists(video) == [None] * len(edit_lists(video)) and len(edit_lists(video)) >= 2
    assert edit_lists(clip) == [None, None]

    report = json.loads((out / "render.json").read_text())
    start = next(s for s in report["scenes"] if s["id"] == "clip")["start"]
    decoded = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-ignore_editlist", "1", "-i", str(video), "-map", "0:a", "-ac", "1",
         "-ar", "48000", "-f", "f32le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    sound = np.frombuffer(decoded, dtype="<f4")
    a = round(start * 48_000)
    assert a / 48_000 + find_burst(sound[a:]) == pytest.approx(start + 1.0, abs=0.001)
    with av.open(str(video), options={"ignore_editlist": "1"}) as container:
        stream = container.streams.video[0]
        frames = [(f.pts * stream.time_base, f.to_ndarray(format="rgb24")) for f in container.decode(stream)]
    assert frames[0][0] == 0 and len(frames) == report["frames"]
    assert read_number(frames[round(start * 30)][1]) == 0, "the clip's first frame on the scene's first frame"


@pytest.mark.slow  # renders three times at test size: the full run's (the fast tier keeps to a minute)
def test_the_thumbnail_is_drawn_again_only_when_what_it_shows_changes(project, tmp_path, monkeypatch):
    """An edit to another scene's narration drew the thumbnail again (0.8 s of a 1080p edit's 8.6: the opening
    title's map loaded and drawn for a picture that had not changed). It is kept in the cache by its scene's clip
    and its own field: an edit of the scene it stands on, or of its words, draws it again."""
    import pipeline
    from pipeline.rendering import stills

    drawn = []
    original = stills.thumbnail
    monkeypatch.setattr(stills, "thumbnail", lambda *a: (drawn.append(1), original(*a))[1])
    text = """\
        title: Thumbs
        thumbnail: {{text: {words}}}
        sections:
          - title: One
            scenes:
              - {{id: cover, slide: {{kind: title, title: {title}}}, narration: First.}}
              - {{id: other, slide: {{kind: title, title: Other}}, narration: {said}}}
        """
    options = pipeline.RenderOptions(cache_dir=tmp_path / "cache", size=(320, 180), fps=10, engine="espeak")
    pngs = []
    for title, said, words in [
        ("Cover", "Second.", "Thumbs"), ("Cover", "Second and again.", "Thumbs"),
        ("Changed", "Second and again.", "Thumbs"), ("Changed", "Second and again.", "New *words*"),
    ]:  # fmt: skip
        story = project(text.format(title=title, said=said, words=words))
        result = pipeline.render(pipeline.validate(story, options), options)
        pngs.append((result.video.parent / "thumbnail.png").read_bytes())
    assert len(drawn) == 3, "drawn for the first render, its scene's change and its words', not the other scene's"
    assert pngs[0] == pngs[1] and pngs[2] != pngs[3]
