"""The render, as a chain of stages over plain data.

load (storyboard.py) -> sentences -> narrate -> plan -> draw + clip per scene
-> join -> <slug>.mp4 and render.json. Each stage reads only what it is given;
configuration comes in as RenderOptions, never from globals.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from pipeline import __version__, cache, captions, chapters, mix, preview, sentences, spoken
from pipeline.narrate import Line, Narration, narrate
from pipeline.narration.audio import write_wav
from pipeline.narration.base import VoiceSettings
from pipeline.plan import Plan, SceneInfo, ScenePlan, plan
from pipeline.render import encode_scene, join, scene_clip
from pipeline.sentences import Pause
from pipeline.slides import subtitles
from pipeline.soundtrack import full_track, scene_track, stereo
from pipeline.storyboard import Project, Scene

#: Part of every scene's cache key: bump when drawing or encoding changes.
RENDERER = f"explainer {__version__}/scene-2"


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
    #: Draw the captions into the picture (slides keep clear of the caption band).
    burn_captions: bool = False


class SceneJob(NamedTuple):
    """A scene whose clip is not in the cache: what drawing and encoding it needs."""

    number: int
    section_title: str
    scene: Scene
    plan: ScenePlan
    timing: dict[str, Any]
    cues: list[captions.Cue]
    path: Path


@dataclass
class RenderResult:
    video: Path
    report: Path
    plan: Plan
    narration: Narration
    scenes_rendered: list[str] = field(default_factory=list)


def output_dir(project: Project, options: RenderOptions) -> Path:
    return options.output_dir or project.output_dir


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
    narration = _narrate(project, [scene for _, _, scene in entries], options, store, reporter)
    timings["narrate"] = time.perf_counter() - started
    timeline = _plan(project, entries, narration, fps, width, height)

    started = time.perf_counter()
    canvas = preview.canvas_for(project, (width, height), options.burn_captions)
    fonts_id = canvas.fonts.fingerprint()
    theme_id = project.theme.model_dump(mode="json")
    scene_files, rendered, cached = [], [], {}
    todo: list[SceneJob] = []
    for (number, section, scene), scene_plan in zip(entries, timeline.scenes, strict=True):
        timing = _timing(scene_plan, fps)
        burned = captions.scene_cues(scene_plan, fps) if options.burn_captions else []
        digest = cache.key({
            "renderer": RENDERER, "slide": scene.slide.model_dump(mode="json"), "theme": theme_id,
            "fonts": fonts_id, "size": [width, height], "fps": fps, "frames": scene_plan.frames,
            "section": [section.title, number], "timing": [list(timing["sentence_starts"]), timing["duration"]],
            "files": _file_digests(project, scene),
            "audio": [[s.audio.path.stem, s.start] for s in scene_plan.sentences],
            "burned_captions": [[c.start, c.end, list(c.lines)] for c in burned] if options.burn_captions else None,
        })  # fmt: skip
        path = store.path("scenes", digest, ".mp4")
        scene_files.append(path)
        cached[scene.id] = path.exists()
        if not path.exists():
            todo.append(SceneJob(number, section.title, scene, scene_plan, timing, burned, path))
    reporter.stage("Rendering scenes", sum(job.plan.frames for job in todo))
    for job in todo:
        slide = preview.build(project, canvas, job.number, job.section_title, job.scene, **job.timing)
        audio = stereo(scene_track(timeline, job.plan))
        frame = subtitles.burn(slide.frame, job.cues, canvas)
        clip = scene_clip(frame, job.plan.frames, fps, audio, project.theme)
        encode_scene(clip, job.plan.frames, fps, job.path, on_frames=reporter.advance)
        rendered.append(job.scene.id)
    timings["scenes"] = time.perf_counter() - started

    started = time.perf_counter()
    reporter.stage("Mixing and joining", 1)
    chapter_list = chapters.chapters(timeline)
    for problem in chapters.problems(chapter_list):
        reporter.note(f"chapters: {problem}")
    video = out_dir / f"{project.slug}.mp4"
    mixed, first_pass = mix.normalize(mix.mix(full_track(timeline), timeline, _bed(project)))
    with tempfile.TemporaryDirectory(prefix="explainer-") as tmp:
        soundtrack = Path(tmp) / "soundtrack.wav"
        write_wav(soundtrack, mixed, channels=2)
        join(scene_files, soundtrack, video, chapters.ffmetadata(chapter_list, sb.title))
    del mixed
    # Measured on the finished MP4, after AAC: what a viewer's player will meter.
    loudness = {"mix_before_normalizing_lufs": first_pass, **mix.measure(video)}
    reporter.advance()
    timings["join"] = time.perf_counter() - started

    cue_list = captions.cues(timeline)
    cache.write_bytes(out_dir / f"{project.slug}.srt", captions.srt(cue_list).encode("utf-8"))
    cache.write_bytes(out_dir / f"{project.slug}.vtt", captions.vtt(cue_list).encode("utf-8"))
    cache.write_bytes(out_dir / "chapters.txt", chapters.youtube(chapter_list).encode("utf-8"))

    thumb = preview.thumbnail(project)
    with cache.atomic_path(out_dir / "thumbnail.png") as tmp:
        thumb.save(tmp, format="PNG")

    report = out_dir / "render.json"
    cache.write_bytes(
        report,
        json.dumps(
            _report(project, timeline, narration, cached, timings, loudness, chapter_list, cue_list, options),
            indent=2,
            ensure_ascii=False,
        ).encode("utf-8"),
    )
    return RenderResult(video, report, timeline, narration, rendered)


def _bed(project: Project) -> mix.Bed | None:
    music = project.storyboard.music
    if music is None:
        return None
    return mix.Bed(project.root / music.file, music.volume, music.duck, music.ramp, music.fade_in, music.fade_out)


def scene_timing(project: Project, scene_id: str, options: RenderOptions) -> tuple[dict[str, Any], list[captions.Cue]]:
    """One scene's real sentence starts and length, and its cues (narrating it, from the cache when it can)."""
    sb = project.storyboard
    entry = next(e for e in project.scenes() if e[2].id == scene_id)
    store = cache.Store(options.cache_dir or project.root / "output" / ".cache")
    narration = _narrate(project, [entry[2]], options, store, Silent())
    fps = options.fps or sb.video.fps
    timeline = _plan(project, [entry], narration, fps, sb.video.width, sb.video.height)
    return _timing(timeline.scenes[0], fps), captions.scene_cues(timeline.scenes[0], fps)


def _narrate(
    project: Project, scenes: list[Scene], options: RenderOptions, store: cache.Store, reporter: Reporter
) -> Narration:
    script = [_lines(project, scene) for scene in scenes]
    reporter.stage("Narrating", sum(isinstance(p, Line) for lines in script for p in lines))
    narration = narrate(script, engines_for(project, options), _voice(project), store, on_sentence=reporter.advance)
    for note in filter(None, (narration.fallback_reason, *narration.notes)):
        reporter.note(note)
    reporter.note(
        f"narration: {narration.engine['engine']} ({narration.engine['voice']}) for the whole video, "
        f"{narration.synthesized} sentence(s) synthesized"
    )
    return narration


def _voice(project: Project, scene: Scene | None = None) -> VoiceSettings:
    """The video's voice settings, with the scene's own voice or speed over them."""
    settings = project.storyboard.narration
    own = scene.voice if scene and scene.voice else None
    return VoiceSettings(
        language=settings.language,
        speed=own.speed if own and own.speed else settings.speed,
        voice=own.name if own and own.name else settings.voice,
    )


def _lines(project: Project, scene: Scene) -> list[Line | Pause]:
    """The scene's sentences (written and spoken form, voice) and pauses."""
    voice = _voice(project, scene)
    return [
        part if isinstance(part, Pause) else Line(part, spoken.spoken(part, project.lexicon), voice)
        for part in sentences.parts(scene.narration)
    ]


def _plan(project: Project, entries: list, narration: Narration, fps: int, width: int, height: int) -> Plan:
    settings = project.storyboard.narration
    infos = [SceneInfo(scene.id, number, section.title) for number, section, scene in entries]
    return plan(
        infos,
        narration,
        fps=fps,
        width=width,
        height=height,
        lead_in=settings.lead_in,
        gap=settings.gap,
        tail=settings.tail,
    )


def _timing(scene_plan, fps: int) -> dict[str, Any]:
    return {
        "sentence_starts": tuple(s.start for s in scene_plan.sentences),
        "duration": scene_plan.duration(fps),
    }


def _file_digests(project: Project, scene: Scene) -> dict[str, str]:
    """Contents (not names or times) of the files a slide draws, so an edited picture re-renders its scene."""
    return {name: cache.file_digest(project.root / name) for name in scene.slide.asset_files()}


def _report(
    project: Project,
    timeline: Plan,
    narration: Narration,
    cached: dict[str, bool],
    timings: dict[str, float],
    loudness: dict[str, float],
    chapter_list: list[chapters.Chapter],
    cue_list: list[captions.Cue],
    options: RenderOptions,
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
        "narration_notes": list(narration.notes),
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "loudness": loudness,
        "music": project.storyboard.music.file if project.storyboard.music else None,
        "chapters": [{"start": round(c.start, 3), "title": c.title} for c in chapter_list],
        "captions": {"cues": len(cue_list), "burned": options.burn_captions},
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
                "voice": {k: p.sentences[0].audio.voice[k] for k in ("voice", "speed")},
                "sentences": [
                    {
                        "text": s.text,
                        "spoken": s.audio.spoken,
                        "start": round(p.start(fps) + s.start, 4),
                        "end": round(p.start(fps) + s.end, 4),
                    }
                    for s in p.sentences
                ],
            }
            for (_, section, scene), p in zip(entries, timeline.scenes, strict=True)
        ],
    }
