"""Layered scenes: ffmpeg moves the picture or plays the footage, and lays the layer drawn here over it.

The video's frames must be the frames drawn here (what stills, sheets and the
preview show) within encoding's loss, frame for frame: the move's window, the
text's entrance, the dip at each end and burned captions all on their frame.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import multiprocessing
import os
import shutil
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest
from PIL import Image

import pipeline
from pipeline import RenderOptions
from pipeline.core import cache, ffmpeg
from pipeline.drawing.effects.dip import Dip
from pipeline.drawing.slides import image
from pipeline.drawing.slides.base import Slide
from pipeline.drawing.slides.motion import ease_in_out, sprite
from pipeline.drawing.sources import open_source, with_effects
from pipeline.drawing.sources.base import Backdrop, Layered
from pipeline.drawing.sources.slide import SlideSource
from pipeline.rendering import jobs
from pipeline.rendering.encode import layer_from

DATA = Path(__file__).parent / "data"

STORY = """\
title: Layered
video: {width: 320, height: 180, fps: 30}
narration: {engine: espeak}
sections:
  - title: Pictures
    scenes:
      - id: zoom
        slide: {kind: image, file: assets/picture.png, title: A heading, caption: A caption over it, move: in,
                focus: [0.3, 0.6]}
        narration: The camera moves slowly into the picture.
      - id: pan
        slide: {kind: image, file: assets/picture.png, caption: Panning, move: left}
        narration: And now it pans, slowly, from one side of the picture to the other, as this sentence goes on.
      - id: frozen
        slide: {kind: video, file: assets/clip.mp4, caption: Footage, credit: Test clip, when_short: freeze}
        narration: The clip is shorter than this sentence, which is read slowly over its last frame.
      - id: looped
        slide: {kind: video, file: assets/clip.mp4, to: 0.5, when_short: loop}
        narration: A short cut of the clip, looped under a sentence.
"""


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return 99.0 if mse == 0 else 10 * np.log10(255**2 / mse)


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    """The storyboard's scene jobs, checked and narrated, with their canvases."""
    root = tmp_path_factory.mktemp("layered")
    (root / "assets").mkdir()
    shutil.copy(DATA / "picture.png", root / "assets" / "picture.png")
    shutil.copy(DATA / "clip.mp4", root / "assets" / "clip.mp4")
    (root / "story.yaml").write_text(STORY, encoding="utf-8")

    def made(**options):
        options = RenderOptions(cache_dir=root / "output" / ".cache", **options)
        project = pipeline.validate(root / "story.yaml", options)
        plan = pipeline.plan(project, pipeline.narrate(project, options), options)
        return pipeline.scene_jobs(project, plan, options)

    return root, made


def _drawn_here(job: jobs.SceneJob, canvas) -> object:
    """The scene's frames as drawn in Python, with the effects a render applies (captions, its transitions)."""
    return with_effects(open_source(job.spec, canvas, job.context()), jobs.scene_effects(job, canvas))


def _rendered(job: jobs.SceneJob, canvas, folder: Path) -> tuple[list[np.ndarray], jobs.SceneStats]:
    job = dataclasses.replace(job, target=folder / f"{job.scene_id}.mp4")
    heard: list[int] = []
    stats = jobs.run(job, canvas, heard.append)
    assert sum(heard) == job.frames and min(heard) > 0, "the progress hears each frame once, as ffmpeg encodes it"
    with av.open(str(job.target)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)], stats


@pytest.mark.parametrize(
    "captions",
    [pytest.param(False, marks=pytest.mark.slow), pytest.param(True, marks=pytest.mark.slow)],
    ids=["plain", "burned-captions"],
)
def test_a_layered_scenes_frames_are_the_frames_drawn_here(scenes, tmp_path, captions):
    """Each kind that ffmpeg moves, its entrance and dips frame by frame and every sixth frame between: a frame
    shifted in the entrance, the dip or a caption falls far below the bound (a frame rate lost on the way, which
    had ffmpeg drop one frame in six, put the dip 12 frames early: 19 dB)."""
    _, made = scenes
    canvases = jobs.Canvases()
    for job in made(burn_captions=captions):
        canvas = canvases.get(job)
        here = _drawn_here(job, canvas)
        assert isinstance(open_source(job.spec, canvas, job.context()), Layered), job.spec.kind
        assert job.layered, "the pool tells a layered scene by its kind (sources.LAYERED), before opening it"
        frames, stats = _rendered(job, canvas, tmp_path)
        assert len(frames) == job.frames == stats.encoded
        fps = job.frame.fps  # every frame of the entrance and the dips, every sixth between (a drawn footage frame
        # is read from the file by its own ffmpeg here)
        checked = [i for i in range(job.frames) if i < 2 * fps or i >= job.frames - fps or i % 6 == 0]
        worst = min((_psnr(frames[i], here.frame(i / fps)), i) for i in checked)
        assert worst[0] > 33.0, (job.scene_id, worst)
        if not captions:  # only the layer's changes were drawn: the entrance and the two dips
            assert stats.drawn < job.frames / 2, (job.scene_id, stats)


@pytest.mark.slow
@pytest.mark.parametrize(("scene", "joins"), [("zoom", ("zoom", "whip")), ("frozen", ("whip", "wipe"))])
def test_a_transition_that_moves_the_picture_moves_the_backdrop_too(scenes, tmp_path, scene, joins):
    """A whip or a zoom moves the whole picture, not only the text over it: in their frames the layer is the whole
    picture drawn here, opaque over ffmpeg's backdrop, so the video's frames are the drawn ones there too (a whip
    of the layer alone left the picture standing under a text that flew off). A wipe is drawn on the layer."""
    _, made = scenes
    job = dataclasses.replace(next(j for j in made() if j.scene_id == scene), joins=joins)
    canvas = jobs.Canvases().get(job)
    here = _drawn_here(job, canvas)
    frames, stats = _rendered(job, canvas, tmp_path)
    fps = job.frame.fps
    halves = [i for i in range(job.frames) if i < fps // 4 or i >= job.frames - fps // 4]
    for i in halves:
        assert _psnr(frames[i], here.frame(i / fps)) > 33.0, (scene, i)
    bare = open_source(job.spec, canvas, job.context())  # the same scene without its transitions
    for i in (fps // 8, job.frames - fps // 8):  # each half's middle: the whole picture has moved
        assert _psnr(frames[i], bare.frame(i / fps)) < 25.0, (scene, i)
    assert stats.drawn < job.frames / 2, "only the layer's changes and the transitions' frames were drawn"


@pytest.mark.parametrize("scene", ["zoom", "pan"])
def test_a_moving_pictures_backdrop_moves_on_every_frame(scenes, scene, tmp_path):
    """The move as ffmpeg gets it, before the encoder: no frame repeats its neighbour (a frame rate lost on the
    way had ffmpeg drop and repeat frames to keep 25 a second) and each is the drawn move's frame at its time."""
    _, made = scenes
    job = next(j for j in made() if j.scene_id == scene)
    canvas = jobs.Canvases().get(job)
    source = open_source(job.spec, canvas, job.context())
    try:
        backdrop, fed = source.backdrop(tmp_path), io.BytesIO()
        backdrop.feed(fed, job.frames)
        raw = ffmpeg.run([*backdrop.inputs, "-i", "pipe:0", "-filter_complex", f"[0:v:0]{backdrop.chain}",
                          "-frames:v", str(job.frames), "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
                         input=fed.getvalue())  # fmt: skip
    finally:
        source.close()
    frames = np.frombuffer(raw, np.uint8).reshape(-1, canvas.height, canvas.width, 3)
    assert len(frames) == job.frames
    moved = [np.abs(b.astype(np.int16) - a).max() for a, b in itertools.pairwise(frames)]
    assert min(moved) > 0, "every frame moves on"
    bare = job.spec.model_copy(update={"title": None, "caption": None, "credit": None})  # the move alone
    drawn = image.drawn(bare, canvas, source.picture, source.seconds, image.text_over(bare, canvas))
    for i in range(0, job.frames, 5):
        assert _psnr(frames[i], drawn.frame(i / job.frame.fps)) > 35.0, i


def test_a_picture_of_odd_size_is_cut_from_planes_of_its_yuv420p_sizes():
    """A picture's scaled copy is odd-sized at many frame sizes (361x204 for 322x182): its chroma planes are
    half the size rounded up, as yuv420p has them, and a frame cut from it is that window of it."""
    from pipeline.drawing.sources.image import cut_window, yuv_planes

    ys, xs = np.mgrid[0:203, 0:361]
    smooth = np.stack([xs * 255 // 360, ys * 255 // 202, (xs + ys) * 255 // 563], axis=-1).astype(np.uint8)
    planes = yuv_planes(Image.fromarray(smooth))
    assert [plane.size for plane in planes] == [(361, 203), (181, 102), (181, 102)]
    corner = cut_window(planes, (0.0, 0.0, 360.0, 202.0), 360, 202)  # frames are even-sized: the corner at its size
    sizes = [(360, 202), (180, 101), (180, 101)]
    expected = [plane.crop((0, 0, *size)).tobytes() for plane, size in zip(planes, sizes, strict=True)]
    assert list(corner) == expected, "a window at its own size is that part of the picture, in every plane"
    frame = b"".join(cut_window(planes, (36.0, 20.0, 358.0, 202.0), 322, 182))
    assert len(frame) == 322 * 182 + 2 * 161 * 91
    shown = ffmpeg.run(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "322x182", "-i", "pipe:0", "-vf",
                        "scale=in_color_matrix=bt709:in_range=tv", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
                       input=frame)  # fmt: skip
    window = np.asarray(Image.fromarray(smooth).resize((322, 182), Image.Resampling.BILINEAR, box=(36, 20, 358, 202)))
    assert _psnr(np.frombuffer(shown, np.uint8).reshape(182, 322, 3), window) > 35.0


def _fed_scene(tmp_path: Path, feed, chain: str = "null") -> Path:
    """A 12-frame 64x36 layered scene whose backdrop ``feed`` writes (yuv420p), under an empty layer."""
    from pipeline.rendering.encode import encode_layered

    inputs = ("-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "64x36", "-framerate", "30")
    backdrop = Backdrop(inputs, chain, feed)
    target, scratch = tmp_path / "scene.mp4", tmp_path / "scratch"
    scratch.mkdir()
    layers = [SlideSource.over(base, (64, 36), []) for base in (jobs.BLACK, jobs.WHITE)]
    encode_layered(backdrop, *layers, (64, 36), 12, 30, target, scratch)
    return target


def test_a_fed_backdrop_makes_its_frames(tmp_path):
    grey = bytes([128]) * (64 * 36) + bytes([128]) * (2 * 32 * 18)

    def feed(pipe, frames):
        for _ in range(frames):
            pipe.write(grey)

    target = _fed_scene(tmp_path, feed)
    raw = ffmpeg.run(["-i", str(target), "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"])
    assert len(raw) == 12 * 64 * 36 and abs(int(np.frombuffer(raw, np.uint8).mean()) - 128) <= 1


def test_a_backdrop_feed_that_fails_fails_the_scene_and_leaves_no_clip(tmp_path):
    """The feed runs on a thread of its own: what stops it is raised where the scene is encoded."""

    def feed(pipe, frames):
        pipe.write(bytes(64 * 36 * 3 // 2))
        raise OSError("the picture could not be read")

    with pytest.raises(OSError, match="could not be read"):
        _fed_scene(tmp_path, feed)
    assert not (tmp_path / "scene.mp4").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "scratch"] == []


def test_ffmpeg_failing_while_fed_is_one_error_not_a_wait(tmp_path):
    """ffmpeg stops reading (its filter is wrong): the feed stops at its next write, and the error is ffmpeg's."""
    from pipeline.core.errors import RenderError

    def feed(pipe, frames):
        while True:  # more than ffmpeg takes: only a closed pipe ends it
            pipe.write(bytes(64 * 36 * 3 // 2))

    with pytest.raises(RenderError, match="encoding a scene failed"):
        _fed_scene(tmp_path, feed, chain="nosuchfilter")
    assert not (tmp_path / "scene.mp4").exists()


def _run_job(job: jobs.SceneJob) -> None:
    jobs.run(job, jobs.Canvases().get(job))


def test_a_worker_killed_mid_scene_leaves_nothing_outside_the_cache(scenes, tmp_path, monkeypatch):
    """What the scene's ffmpeg needs while it runs is in a folder beside the scene's clip, named as a partial file
    that the next render removes: the picture's scaled copy (8 MB at 1080p) was once in the system's temp
    folder, where a killed worker's was left for good; now the picture goes through a pipe."""
    _, made = scenes
    job = next(j for j in made() if j.scene_id == "pan")
    job.target.unlink(missing_ok=True)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    worker = multiprocessing.get_context("spawn").Process(target=_run_job, args=(job,))
    worker.start()
    clips = job.target.parent

    def encoding() -> bool:  # the encoder writes the clip, and reports its progress
        found = [p.name for p in clips.rglob("*")] if clips.is_dir() else []
        return any(cache.is_partial(name) and name.endswith(job.target.name) for name in found) and (
            "progress.txt" in found
        )

    deadline = time.monotonic() + 60
    while not encoding():
        assert time.monotonic() < deadline and worker.is_alive()
        time.sleep(0.002)
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    assert not job.target.exists(), "killed before the scene was finished"
    assert list(temp.iterdir()) == []
    left = [p.name for p in clips.iterdir() if p.name.startswith(".")]
    assert any((clips / name / "progress.txt").exists() for name in left), left
    assert all(cache.is_partial(name) for name in left), left


def test_a_layer_drawn_over_black_and_white_lays_over_any_picture_as_if_drawn_on_it():
    """The layer's colour and opacity, read from its drawings over black and over white, composite over a
    picture to what drawing straight onto that picture gives (within rounding)."""
    rng = np.random.default_rng(7)
    size = (96, 64)
    text = Image.new("RGBA", (40, 20), (250, 240, 30, 0))
    text.putalpha(Image.fromarray(rng.integers(0, 256, (20, 40), dtype=np.uint8)))
    shade = Image.new("RGBA", (96, 30), (10, 10, 40, 200))
    elements = [sprite(shade, (0, 34), 0.0, 0.5), sprite(text, (20, 40), 0.2, 0.5, rise=6)]
    dip = Dip(0.2, (200, 30, 60), 2.0)
    picture = rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)

    def over(base: Image.Image) -> SlideSource:
        return with_effects(SlideSource(Slide(base, elements)), [dip])

    for t in (0.05, 0.3, 0.45, 1.0, 1.9):
        direct = over(Image.fromarray(picture)).frame(t).astype(np.float64)
        layer = layer_from(
            over(Image.new("RGB", size, (0, 0, 0))).frame(t), over(Image.new("RGB", size, "white")).frame(t)
        )
        alpha = layer[..., 3:].astype(np.float64) / 255
        composed = layer[..., :3] * alpha + picture * (1 - alpha)
        assert np.abs(composed - direct).max() <= 2.5, t


def test_a_layer_computed_in_bands_of_rows_is_the_layer_computed_whole():
    """The layer is worked out a band of rows at a time (a 1080p frame's float colour was 25 MB at once): the same
    bytes as the whole frame's sums, across band edges, with clear rows above, between and below."""
    from pipeline.rendering import encode

    rng = np.random.default_rng(11)
    h, w = 3 * encode.BAND_ROWS + 37, 50
    black = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    white = np.maximum(black, rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
    white[..., 1] = np.maximum(white[..., 1], black[..., 1])  # over white is never darker than over black
    for rows in (slice(0, 9), slice(encode.BAND_ROWS - 3, encode.BAND_ROWS + 5), slice(h - 20, h)):  # left clear
        black[rows], white[rows] = 0, 255
    alpha = np.clip(black[..., 1].astype(np.int16) - white[..., 1] + 255, 0, 255)
    colour = black * (np.float32(255.0) / np.maximum(alpha, 1).astype(np.float32))[..., None] + 0.5
    whole = np.concatenate([np.minimum(colour, 255.0).astype(np.uint8), alpha[..., None].astype(np.uint8)], axis=2)
    whole[:9], whole[h - 20 :] = 0, 0  # the clear rows above and below what is drawn are not worked out: zeros
    assert np.array_equal(encode.layer_from(black, white), whole)


def test_the_dip_through_a_table_is_the_blend_of_every_pixel_with_its_colour():
    """The dip looks each channel's value up in a table made with the blend's own float32 sums, so every frame
    is the same bytes as blending each pixel was, on every value of every channel, in and out."""
    values = np.arange(256, dtype=np.uint8)
    image = np.stack([values, values[::-1], np.roll(values, 77)], axis=-1)[None].repeat(3, axis=0)  # (3, 256, 3)
    still = SimpleNamespace(frame=lambda t: image)
    dip = Dip(0.25, (13, 200, 97), 2.0)
    dipped = dip.apply(still)
    colour = np.array(dip.color, dtype=np.float32)
    for t in (0.0, 0.01, 0.1, 0.2, 0.249, 1.0, 1.8, 1.99, 2.0):
        k = min(t / dip.half, (dip.duration - t) / dip.half, 1.0)
        w = ease_in_out(max(0.0, k))
        blend = image if k >= 1.0 else (image.astype(np.float32) * w + colour * (1.0 - w) + 0.5).astype(np.uint8)
        assert np.array_equal(dipped.frame(t), blend), t
    assert dipped.frame(1.0) is image, "a frame past the dip passes as it is, so a hold stays one array"


@pytest.mark.parametrize("scene", ["zoom", "pan"])
def test_a_moving_picture_does_not_pulse_at_its_keyframes(scenes, scene):
    """A keyframe restored the detail the P-frames before it had let go: on a camera move the picture changed
    several times as much at each keyframe as between other frames, twice a second (a creator saw it pulse)."""
    _, made = scenes
    job = next(j for j in made(size=(640, 360)) if j.scene_id == scene)  # 320x180 moves by too little
    job.target.unlink(missing_ok=True)
    jobs.run(job, jobs.Canvases().get(job))
    with av.open(str(job.target)) as clip:
        decoded = [(f.key_frame, f.to_ndarray(format="gray").astype(np.float32)) for f in clip.decode(video=0)]
    fps = job.frame.fps
    moving = range(2 * fps, len(decoded) - fps)  # past the text's entrance and before the dip
    change = {i: float(np.abs(decoded[i][1] - decoded[i - 1][1]).mean()) for i in moving}
    keys = [i for i in moving if decoded[i][0]]
    assert keys, "the scene is long enough to have a keyframe in its move"
    steady = float(np.median([c for i, c in change.items() if not decoded[i][0]]))
    # At 640x360 the keyframes changed the picture 4.4-6.0 times as much as a P-frame, nine a scene; now 2.0-3.4.
    assert max(change[i] for i in keys) < 4.0 * steady, ([change[i] for i in keys], steady)
    every = [i for i, (key, _) in enumerate(decoded) if key]  # every two seconds, and a cut x264 may see in the dip
    assert len(every) <= len(decoded) / (2 * fps) + 2, every


def test_the_kinds_the_pool_calls_layered_are_those_whose_source_is():
    """The pool keeps two layered scenes apart by their kind (sources.LAYERED), known before a source is opened:
    those kinds have sources of their own (each checked Layered above), and every other kind is a drawn slide."""
    from pipeline.drawing.sources import LAYERED, SOURCES

    assert LAYERED.issubset(SOURCES)
    assert not issubclass(SlideSource, Layered)
