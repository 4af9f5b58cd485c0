"""Stage: every scene as a self-contained job, with the key its clip is cached under, and the work a job does.

A ``SceneJob`` carries everything needed to draw and encode one scene: the
slide, the theme, the frame, its timing and burned-in cues, the files it reads
(named and addressed by content) and where its clip goes. An executor can run
it in this process, in a worker process or on another machine; nothing in it
points back at the storyboard, the CLI or global state.

The clip's cache key is made of everything that changes its pixels, and
nothing else: the slide, theme, fonts and files by content, frame and format,
the scene's timing, burned captions, and the versions of explainer's renderer
and of everything below it that draws or encodes (``versions.drawing_stack``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.core import assets, cache
from pipeline.core.errors import RenderError
from pipeline.core.formats import Frame
from pipeline.core.versions import drawing_stack
from pipeline.drawing import sources
from pipeline.drawing.cues import Cue
from pipeline.drawing.effects.captions import BurnCaptions
from pipeline.drawing.effects.joins import halves, layers
from pipeline.drawing.slides.base import Canvas, SceneContext, SpecBase
from pipeline.drawing.slides.fonts import FontBook
from pipeline.drawing.slides.problems import SlideError
from pipeline.drawing.slides.theme import Join, Layout, Theme
from pipeline.drawing.sources import LAYERED, open_source, with_effects
from pipeline.drawing.sources.base import Effect, Layered
from pipeline.drawing.timing import SceneTiming
from pipeline.planning import captions, transitions
from pipeline.rendering.encode import encode_layered, encode_scene, scene_clip

if TYPE_CHECKING:  # a worker process imports this module: keep it free of the storyboard and the voices
    from pipeline.loading.options import RenderOptions
    from pipeline.loading.storyboard import Project, SceneEntry
    from pipeline.planning.timeline import Plan, ScenePlan

#: Part of every scene's cache key: bump when explainer's own drawing or encoding changes (why each bump was made:
#: git log -S 'scene-N' pipeline/rendering/jobs.py).
RENDERER = f"explainer {__version__}/scene-43"
#: The flat bases a layered scene's layer is drawn over (encode.encode_layered).
BLACK, WHITE = (0, 0, 0), (255, 255, 255)


@dataclass(frozen=True)
class SceneJob:
    """One scene to draw and encode into ``target``: everything a worker needs, and nothing else."""

    scene_id: str
    #: Position in the video, from 0.
    index: int
    spec: SpecBase
    section_title: str
    section_number: int
    timing: SceneTiming
    #: Exactly how many frames the clip has.
    frames: int
    frame: Frame
    theme: Theme
    burn_captions: bool
    #: Cues burned into the picture, in seconds from the scene's start (empty unless ``burn_captions``).
    cues: tuple[Cue, ...]
    #: The files the slide reads, by name, place and content.
    assets: tuple[assets.Asset, ...]
    target: Path
    #: Where the scene's source keeps what it prepares once (a looping footage scene's normalized clip), or None.
    prepared: Path | None = None
    #: The transition at its start and at its end (planning/transitions.py): a dip, a cut, a whip, a wipe, a zoom.
    joins: tuple[Join, Join] = ("dip", "dip")
    #: Where its visual goes (drawing/layouts.py).
    layout: Layout = "right"

    @property
    def key(self) -> str:
        return self.target.stem

    @property
    def layered(self) -> bool:
        """Whether the scene is encoded layered (its kind is in ``sources.LAYERED``)."""
        return self.spec.kind in LAYERED

    def context(self) -> SceneContext:
        files = {a.name: a.path for a in self.assets}
        return SceneContext(
            self.section_title, self.section_number, self.timing, files, self.frame.fps, self.prepared, self.layout
        )


def identity() -> dict[str, object]:
    """What must be the same on every machine that renders one video's scenes: the renderer and the drawing stack
    below it (both in every scene key: a machine with another would draw a clip its key does not describe)."""
    return {"renderer": RENDERER, "stack": drawing_stack()}


@dataclass(frozen=True)
class SceneStats:
    """What rendering one scene took."""

    seconds: float
    #: Distinct frames drawn, and frames given to the encoder (a hold is encoded once and repeated).
    drawn: int
    encoded: int


def scene_jobs(project: Project, plan: Plan, options: RenderOptions, store: cache.Store) -> list[SceneJob]:
    """Every scene of ``plan`` as a job, its clip's path in ``store`` named by its key."""
    make = job_maker(project, plan.frame, options, store)
    return [make(entry, scene_plan) for entry, scene_plan in zip(project.entries(), plan.scenes, strict=True)]


def job_maker(
    project: Project, frame: Frame, options: RenderOptions, store: cache.Store
) -> Callable[[SceneEntry, ScenePlan], SceneJob]:
    """What makes one scene's job from its plan alone (a scene's job and key do not depend on where it starts, so
    a render can send it as soon as its sentences are spoken)."""
    theme = project.theme
    joins = transitions.joins(project)
    chosen = project.layouts()
    shared = {
        "renderer": RENDERER, "stack": drawing_stack(), "theme": theme.model_dump(mode="json"),
        "fonts": FontBook(theme.fonts).fingerprint(), "size": [frame.width, frame.height], "fps": frame.fps,
        "format": dataclasses.asdict(frame.profile),
    }  # fmt: skip

    def make(entry: SceneEntry, scene_plan: ScenePlan) -> SceneJob:
        timing = scene_plan.timing(frame.fps)
        cues = tuple(captions.burned(scene_plan, frame.fps, options.burn_captions, options.caption_words))
        files = assets.assets(project.root, entry.scene.slide.asset_files())
        digest = cache.key({
            **shared, "slide": entry.scene.slide.picture(), "frames": scene_plan.frames,
            "section": [entry.section_title, entry.section_number], "timing": timing.key(),
            "files": {a.name: a.digest for a in files},
            "audio": [[s.audio.path.stem, s.start] for s in scene_plan.sentences],
            "burned_captions": [c.key() for c in cues] if options.burn_captions else None,
            **joins_key(joins[entry.id]),
            **({"layout": chosen[entry.id]} if chosen[entry.id] != "right" else {}),
        })  # fmt: skip
        prepared = sources.prepared(entry.scene.slide, files, frame, timing.duration, store)
        # fmt: off
        return SceneJob(
            entry.id, entry.index, entry.scene.slide, entry.section_title, entry.section_number, timing,
            scene_plan.frames, frame, theme, options.burn_captions, cues, files,
            store.path("scenes", digest, ".mp4"), prepared, joins[entry.id], chosen[entry.id],
        )
        # fmt: on

    return make


class Canvases:
    """The canvases one worker draws on, made once per frame, theme and caption band (fonts load once)."""

    def __init__(self) -> None:
        self._made: dict[str, Canvas] = {}

    def get(self, job: SceneJob) -> Canvas:
        return self.of(job.frame, job.theme, burn_captions=job.burn_captions)

    def of(self, frame: Frame, theme: Theme, *, burn_captions: bool = False) -> Canvas:
        """The canvas for ``frame`` in ``theme``, made on first use (its memo then serves every scene drawn on it:
        a map's ground, a backdrop)."""
        from pipeline.drawing import canvases

        key = cache.key([dataclasses.asdict(frame), theme.model_dump(mode="json"), burn_captions])
        if key not in self._made:
            self._made[key] = canvases.canvas(frame, theme, burn_captions=burn_captions)
        return self._made[key]


def scene_effects(job: SceneJob, canvas: Canvas) -> list[Effect]:
    """The effects over ``job``'s frames, in order: the burned captions, then its transitions' halves."""
    captions = [BurnCaptions(job.cues, canvas)] if job.cues else []
    return [*captions, *halves(job.theme, job.frames / job.frame.fps, job.joins)]


def joins_key(joins: tuple[Join, Join]) -> dict[str, list]:
    """The scene's transitions in its key. A scene that dips at both ends, as every scene once did, keeps the key
    it had, and one that dips or cuts the key those had (``dips``); a whip, wipe or zoom is named."""
    if joins == ("dip", "dip"):
        return {}
    if set(joins) <= {"dip", "cut"}:
        return {"dips": [name == "dip" for name in joins]}
    return {"joins": list(joins)}


def run(job: SceneJob, canvas: Canvas, on_frames: Callable[[int], None] = lambda n: None) -> SceneStats:
    """Draw and encode ``job``'s clip into its target, atomically; ``on_frames`` hears each run of frames."""
    started = time.perf_counter()
    fps = job.frame.fps
    try:
        source = open_source(job.spec, canvas, job.context())
        effects = scene_effects(job, canvas)
        try:
            if isinstance(source, Layered):  # ffmpeg makes the moving picture; the effects are drawn over it
                over_black, over_white = layers(source, effects, (BLACK, WHITE))
                size, frames, target = (canvas.width, canvas.height), job.frames, job.target
                with cache.scratch(target) as scratch:  # the backdrop's files and ffmpeg's progress
                    backdrop = source.backdrop(scratch)
                    counts = encode_layered(
                        backdrop, over_black, over_white, size, frames, fps, target, scratch, on_frames
                    )
            else:
                clip = scene_clip(with_effects(source, effects), job.frames, fps)
                counts = encode_scene(clip, job.frames, fps, job.target, on_frames)
        finally:
            source.close()
    except SlideError as exc:
        where = f"{job.spec.kind}.{exc.field} at {canvas.width}x{canvas.height}"
        raise RenderError(f"scene '{job.scene_id}' cannot be drawn ({where}): {exc}") from None
    return SceneStats(round(time.perf_counter() - started, 3), counts["drawn"], counts["encoded"])
