"""The render, as a chain of stages over plain data.

load (storyboard.py) -> sentences -> narrate -> plan -> draw + clip per scene
-> join -> <slug>.mp4 and render.json. Each stage reads only what it is given;
configuration comes in as RenderOptions, never from globals.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline import __version__, cache, sentences
from pipeline.narrate import Narration, narrate
from pipeline.narration.base import VoiceSettings
from pipeline.plan import Plan, SceneInfo, plan
from pipeline.render import encode_scene, join, scene_clip
from pipeline.slides import KINDS
from pipeline.slides.base import Canvas, SceneContext, Slide
from pipeline.slides.fonts import FontBook
from pipeline.soundtrack import full_track, scene_track, stereo
from pipeline.storyboard import Project

#: Part of every scene's cache key: bump when drawing or encoding changes.
RENDERER = f"explainer {__version__}/scene-1"


class Reporter(Protocol):
    def stage(self, name: str, total: int) -> None: ...
    def advance(self, amount: int = 1) -> None: ...
    def note(self, message: str) -> None: ...


class Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        pass


@dataclass(frozen=True)
class RenderOptions:
    output_dir: Path | None = None
    cache_dir: Path | None = None
    engine: str | None = None
    size: tuple[int, int] | None = None
    fps: int | None = None


@dataclass
class RenderResult:
    video: Path
    report: Path
    plan: Plan
    narration: Narration
    scenes_rendered: list[str] = field(default_factory=list)


def output_dir(project: Project, options: RenderOptions) -> Path:
    return options.output_dir or project.root / "output" / project.slug


def engines_for(project: Project, options: RenderOptions) -> list[str]:
    if options.engine:
        return [options.engine]
    settings = project.storyboard.narration
    chain = [settings.engine]
    if settings.fallback and settings.fallback != settings.engine:
        chain.append(settings.fallback)
    return chain


def render(project: Project, options: RenderOptions, reporter: Reporter | None = None) -> RenderResult:
    reporter = reporter or Silent()
    sb = project.storyboard
    width, height = options.size or (sb.video.width, sb.video.height)
    fps = options.fps or sb.video.fps
    out_dir = output_dir(project, options)
    store = cache.Store(options.cache_dir or project.root / "output" / ".cache")
    timings: dict[str, float] = {}

    started = time.perf_counter()
    entries = project.scenes()
    script = [sentences.split(scene.narration) for _, _, scene in entries]
    reporter.stage("Narrating", sum(len(s) for s in script))
    voice = VoiceSettings(language=sb.narration.language, speed=sb.narration.speed)
    narration = narrate(script, engines_for(project, options), voice, store, on_sentence=reporter.advance)
    if narration.fallback_reason:
        reporter.note(f"{narration.fallback_reason}")
    reporter.note(
        f"narration: {narration.engine['engine']} ({narration.engine['voice']}) for the whole video, "
        f"{narration.synthesized} sentence(s) synthesized"
    )
    timings["narrate"] = time.perf_counter() - started

    infos = [SceneInfo(scene.id, number, section.title) for number, section, scene in entries]
    timeline = plan(
        infos,
        narration,
        fps=fps,
        width=width,
        height=height,
        lead_in=sb.narration.lead_in,
        gap=sb.narration.gap,
        tail=sb.narration.tail,
    )

    started = time.perf_counter()
    canvas = Canvas(width, height, project.theme, FontBook(project.theme.fonts))
    fonts_id = canvas.fonts.fingerprint()
    theme_id = project.theme.model_dump(mode="json")
    scene_files, rendered, cached = [], [], {}
    todo = []
    for (number, section, scene), scene_plan in zip(entries, timeline.scenes, strict=True):
        context = SceneContext(section.title, number, tuple(s.start for s in scene_plan.sentences))
        digest = cache.key({
            "renderer": RENDERER, "slide": scene.slide.model_dump(mode="json"), "theme": theme_id,
            "fonts": fonts_id, "size": [width, height], "fps": fps, "frames": scene_plan.frames,
            "context": [context.section_title, context.section_number, list(context.sentence_starts)],
            "audio": [[s.audio.path.stem, s.start] for s in scene_plan.sentences],
        })  # fmt: skip
        path = store.path("scenes", digest, ".mp4")
        scene_files.append(path)
        cached[scene.id] = path.exists()
        if not path.exists():
            todo.append((scene, scene_plan, context, path))
    reporter.stage("Rendering scenes", sum(p.frames for _, p, _, _ in todo))
    for scene, scene_plan, context, path in todo:
        slide: Slide = KINDS[scene.slide.kind].build(scene.slide, canvas, context)
        clip = scene_clip(slide, scene_plan.frames, fps, stereo(scene_track(timeline, scene_plan)))
        encode_scene(clip, scene_plan.frames, fps, path, on_frames=reporter.advance)
        rendered.append(scene.id)
    timings["scenes"] = time.perf_counter() - started

    started = time.perf_counter()
    reporter.stage("Joining", 1)
    video = out_dir / f"{project.slug}.mp4"
    join(scene_files, stereo(full_track(timeline)), video, sb.title)
    reporter.advance()
    timings["join"] = time.perf_counter() - started

    report = out_dir / "render.json"
    cache.write_bytes(
        report,
        json.dumps(_report(project, timeline, narration, cached, timings), indent=2, ensure_ascii=False).encode(
            "utf-8"
        ),
    )
    return RenderResult(video, report, timeline, narration, rendered)


def _report(
    project: Project, timeline: Plan, narration: Narration, cached: dict[str, bool], timings: dict[str, float]
) -> dict[str, Any]:
    fps = timeline.fps
    entries = project.scenes()
    return {
        "title": project.storyboard.title,
        "slug": project.slug,
        "storyboard": str(project.file),
        "renderer": RENDERER,
        "width": timeline.width,
        "height": timeline.height,
        "fps": fps,
        "duration": round(timeline.duration, 6),
        "frames": timeline.total_frames,
        "engine": narration.engine,
        "fallback_reason": narration.fallback_reason,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "scenes": [
            {
                "id": scene.id,
                "section": section.title,
                "kind": scene.slide.kind,
                "start": round(p.start(fps), 6),
                "duration": round(p.duration(fps), 6),
                "frames": p.frames,
                "narration": scene.narration,
                "engine": narration.engine["engine"],
                "cached": cached[scene.id],
                "sentences": [
                    {"text": s.text, "start": round(p.start(fps) + s.start, 4), "end": round(p.start(fps) + s.end, 4)}
                    for s in p.sentences
                ],
            }
            for (_, section, scene), p in zip(entries, timeline.scenes, strict=True)
        ],
    }
