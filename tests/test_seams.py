"""Each seam takes a second implementation: a scene source, a format profile, an executor.

If one of these tests needs a change outside the module it plugs in (and one
registration line), the seam is not real.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pipeline
from pipeline import RenderOptions
from pipeline.core.errors import Stopped
from pipeline.core.formats import FORMATS, FormatProfile, Frame, Insets
from pipeline.drawing import canvases, sources
from pipeline.drawing.slides import KINDS
from pipeline.drawing.slides.theme import load as load_theme
from pipeline.drawing.timing import SceneTiming
from pipeline.planning.timeline import Pacing, SceneInfo, make_plan
from pipeline.rendering import jobs
from pipeline.rendering.executors import Cancel, FramesDone, SceneDone, Serial
from tests.conftest import TINY, probe

# -- scene source -------------------------------------------------------------


@dataclasses.dataclass
class SolidColour:
    """A second scene source: one colour."""

    colour: tuple[int, int, int]
    size: tuple[int, int]
    seconds: float
    closed: bool = False

    def __post_init__(self) -> None:
        w, h = self.size
        self.image = np.empty((h, w, 3), dtype=np.uint8)
        self.image[...] = self.colour

    def frame(self, t: float) -> np.ndarray:
        return self.image

    def still(self) -> np.ndarray:
        return self.image

    @property
    def still_time(self) -> float:
        return 0.0

    def close(self) -> None:
        self.closed = True


def test_a_second_scene_source_renders_through_the_same_job_with_the_same_effects(tmp_path, monkeypatch):
    opened: list[SolidColour] = []

    def open_solid(spec, canvas, context):
        opened.append(SolidColour((200, 40, 40), (canvas.width, canvas.height), 1.2))
        return opened[-1]

    kind = sources.SourceKind(open_solid, own_seconds=lambda spec, root: 1.2)
    monkeypatch.setitem(sources.SOURCES, "title", kind)  # the one registration line
    assert isinstance(opened or SolidColour((0, 0, 0), (2, 2), 1.0), sources.SceneSource)

    # A scene with no narration lasts its source's own length, known without opening it.
    spec = KINDS["title"].spec(kind="title", title="unused")
    own = sources.own_seconds(spec, tmp_path)
    assert own == 1.2 and not opened
    assert sources.own_sound(spec, tmp_path, own) is None, "no sound of its own unless the kind gives one"
    frame = Frame(64, 36, 10, FORMATS["wide"])
    empty = type("Narration", (), {"scenes": ((),)})()
    timeline = make_plan([SceneInfo("solid", 1, "S", own_seconds=own)], empty, frame, Pacing(0.5, 0.3, 0.9))
    assert timeline.scenes[0].frames == 12

    theme = load_theme("documentary")
    job = jobs.SceneJob(
        "solid", 0, spec, "S", 1, SceneTiming((), 1.2),
        12, frame, theme, False, (), (), tmp_path / "solid.mp4",
    )  # fmt: skip
    stats = Serial().run([job], lambda event: None, Cancel())
    solid = stats["solid"]
    assert solid.drawn <= solid.encoded < 12 and opened[0].closed, "each frame drawn encoded (not its repeats), closed"

    import av

    with av.open(str(job.target)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 12
    middle = frames[6].reshape(-1, 3).mean(axis=0)
    assert np.allclose(middle, (200, 40, 40), atol=6), "the source's own picture"
    assert frames[0].mean() < frames[6].mean() - 20, "the theme's dip applies over any source"


def test_drawing_and_scene_jobs_never_import_the_voices():
    """Slides, effects, sources, the canvas, scene jobs and the executors run without a text-to-speech engine."""
    code = (
        "import sys; import pipeline.drawing.sources, pipeline.drawing.effects.captions, pipeline.drawing.effects.dip, "
        "pipeline.drawing.canvases, pipeline.rendering.jobs, pipeline.rendering.executors\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('pipeline.narration.engines', 'piper', 'gtts')))\n"
        "print(loaded)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent
    )
    assert out.stdout.strip() == "[]", out.stdout


# -- format profile -----------------------------------------------------------

SQUARE = FormatProfile(
    name="square-test",
    size=(1080, 1080),
    title_safe=Insets.even(0.035),
    platform_safe=Insets(top=0.1, bottom=0.25),
    caption_chars=32,
    thumbnail=(1080, 1080),
)


def test_a_square_profile_is_data_and_every_kind_lays_out_inside_its_safe_area(monkeypatch, tmp_path):
    from tests.test_slides import SPECS, build, drawn

    monkeypatch.setitem(FORMATS, SQUARE.name, SQUARE)  # the one registration line
    theme = load_theme("documentary")
    frame = RenderOptions(format=SQUARE.name).frame(pipeline.load(_tiny_story(tmp_path)).storyboard.video)
    assert (frame.width, frame.height, frame.profile) == (1080, 1080, SQUARE), "the profile's own size"

    canvas = canvases.canvas(Frame(360, 360, 30, SQUARE), theme)
    assert canvas.unit == 360 and canvas.px(0.1) == 36, "layout is measured from the short side"
    safe = canvas.safe
    assert (safe.y0, safe.y1) == (36, 270), "the platform's overlays are kept clear, top and bottom"
    for kind in ("title", "stat", "bullets", "quote", "closing"):
        slide = build(canvas, SPECS[kind], sentence_starts=(0.5, 1.5, 2.5), duration=6.0)
        ys, xs = np.nonzero(drawn(slide, canvas, SPECS[kind]))
        assert ys.size, f"{kind} drew nothing"
        assert ys.min() >= safe.y0 - 1 and ys.max() <= safe.y1 + 1, f"{kind} spills out of the safe area"
        assert xs.min() >= safe.x0 - 1 and xs.max() <= safe.x1 + 1, f"{kind} spills out of the safe area"


def test_the_wide_profile_keeps_16_9_layout_exactly_as_before():
    """Units from the short side equal units from the height in 16:9: the golden images prove the pixels."""
    canvas = canvases.canvas(Frame(1920, 1080, 30, FORMATS["wide"]), load_theme("documentary"))
    assert canvas.unit == 1080 and (canvas.safe.x0, canvas.safe.y0, canvas.safe.x1, canvas.safe.y1) == (
        96, 54, 1824, 1026,
    )  # fmt: skip


# -- executor -----------------------------------------------------------------


class Recording:
    """A second executor: runs jobs in this process, one at a time, and keeps every event.

    It has no ``speak``, so the render never narrates on it and its jobs always come as a list, which it may
    reverse; an executor whose ``speak`` takes the narration gets a ``Feed`` that fills as scenes are spoken,
    to iterate as jobs come (``Serial`` and ``LocalPool`` take either)."""

    def __init__(self) -> None:
        self.events: list = []

    def run(self, scene_jobs, on_event, cancel):
        def both(event):
            self.events.append(event)
            on_event(event)

        return Serial().run(list(reversed(scene_jobs)), both, cancel)


def _tiny_story(folder: Path) -> Path:
    (folder / "assets").mkdir(exist_ok=True)
    story = folder / "story.yaml"
    story.write_text(TINY, encoding="utf-8")
    return story


@pytest.mark.slow
def test_a_second_executor_renders_the_same_video_with_progress_events(tmp_path):
    story = _tiny_story(tmp_path)
    options = RenderOptions(jobs=1)
    executor = Recording()
    result = pipeline.render(pipeline.validate(story, options), options, executor=executor)
    done = [e for e in executor.events if isinstance(e, SceneDone)]
    assert [e.scene_id for e in done] == ["number", "hello"], "the executor chose its own order"
    frames = sum(e.frames for e in executor.events if isinstance(e, FramesDone))
    assert frames == result.plan.total_frames == probe(result.video)["frames"]


def test_cancel_stops_a_scene_at_its_next_frame_and_leaves_no_file(tmp_path):
    story = _tiny_story(tmp_path)
    options = RenderOptions(jobs=1)
    project = pipeline.validate(story, options)
    timeline = pipeline.plan(project, pipeline.narrate(project, options), options)
    scene_jobs = pipeline.scene_jobs(project, timeline, options)
    cancel = Cancel()

    def on_event(event):
        if isinstance(event, FramesDone):
            cancel.set()

    with pytest.raises(Stopped):
        Serial().run(scene_jobs, on_event, cancel)
    assert not any(job.target.exists() for job in scene_jobs)
    assert not list(scene_jobs[0].target.parent.glob(".explainer-part-*")), "no partial file left"
