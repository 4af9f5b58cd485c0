"""The render, as a chain of stages over plain data.

load (storyboard.py) -> sentences -> narrate -> plan -> draw + clip per scene
-> join -> <slug>.mp4 and render.json. Each stage reads only what it is given;
configuration comes in as RenderOptions, never from globals.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline import __version__, cache, captions, chapters, mix, preview, scenes, sentences, soundtrack, spoken
from pipeline.errors import Busy, StoryboardError, UsageError
from pipeline.narrate import Line, Narration, narrate
from pipeline.narration.base import VoiceSettings
from pipeline.plan import Plan, SceneInfo, plan
from pipeline.render import join, with_sound
from pipeline.sentences import Pause
from pipeline.slides.fonts import FontBook
from pipeline.soundtrack import scene_track
from pipeline.storyboard import MAX_SCENE_SECONDS, MAX_VIDEO_SECONDS, Project, Scene, scene_places
from pipeline.yamlsrc import SourceMap

#: Part of every scene's cache key: bump when drawing or encoding changes.
RENDERER = f"explainer {__version__}/scene-4"


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
    #: Render only these scenes (to output/<slug>/scenes/<id>.mp4); empty: every scene.
    scenes: tuple[str, ...] = ()
    #: Skip refreshing the full video after rendering ``scenes``.
    no_join: bool = False
    #: A quick preview: DRAFT_WIDTH wide at DRAFT_FPS, in output/<slug>/draft/, cached apart.
    draft: bool = False
    #: Scenes rendered at once (worker processes); 0: one per core.
    jobs: int = 0


#: The draft preview's width (height follows the storyboard's shape) and frame rate.
DRAFT_WIDTH, DRAFT_FPS = 640, 15


@dataclass
class RenderResult:
    video: Path
    report: Path
    plan: Plan
    narration: Narration
    scenes_rendered: list[str] = field(default_factory=list)
    #: True when the finished video was already up to date and nothing was written.
    unchanged: bool = False
    #: Per scene id rendered alone: where its playable clip was written.
    scene_files: dict[str, Path] = field(default_factory=dict)
    #: Scene ids whose clips are not rendered yet (the full video was not refreshed).
    missing: list[str] = field(default_factory=list)


def output_dir(project: Project, options: RenderOptions) -> Path:
    base = options.output_dir or project.output_dir
    return base / "draft" if options.draft else base


def frame_format(project: Project, options: RenderOptions) -> tuple[int, int, int]:
    """Width, height and frame rate of this render."""
    video = project.storyboard.video
    if options.draft:
        width = min(DRAFT_WIDTH, video.width)
        height = round(width * video.height / video.width / 2) * 2
        return width, height, min(DRAFT_FPS, video.fps)
    width, height = options.size or (video.width, video.height)
    return width, height, options.fps or video.fps


def _store(project: Project, options: RenderOptions) -> cache.Store:
    return cache.Store(options.cache_dir or project.root / "output" / ".cache")


def workers(options: RenderOptions) -> int:
    return options.jobs or os.cpu_count() or 1


def engines_for(project: Project, options: RenderOptions) -> list[str]:
    if options.engine:
        return [options.engine]
    settings = project.storyboard.narration
    chain = [settings.engine]
    if settings.fallback and settings.fallback != settings.engine:
        chain.append(settings.fallback)
    return chain


def render(project: Project, options: RenderOptions, reporter: Reporter | None = None) -> RenderResult:
    """Narrate, plan, render the scenes not cached, build the soundtrack, join; skip what is up to date.

    One render at a time writes an output folder: a second one started meanwhile is refused.
    """
    out_dir = output_dir(project, options)
    store = _store(project, options)
    for folder in (out_dir, store.root):
        _check_writable(folder)
    with _alone(store, out_dir):
        return _render(project, options, reporter or Silent(), out_dir, store)


def _check_writable(folder: Path) -> None:
    """Fail before any work if ``folder`` cannot be made or written (without making it)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "a file is in the way", str(folder))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "permission denied", str(folder))


@contextlib.contextmanager
def _alone(store: cache.Store, out_dir: Path) -> Iterator[None]:
    """Hold the output folder's render lock (a lock file in the cache; the OS frees it if the render dies)."""
    lock = store.path("locks", cache.key({"output": str(out_dir.resolve())}), ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+", encoding="utf-8") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip()
            raise Busy(
                f"another render is writing {out_dir} (process {holder or 'unknown'}); wait for it to finish, "
                "or render into another folder with --output"
            ) from None
        file.seek(0)
        file.truncate()
        file.write(str(os.getpid()))
        file.flush()
        yield


def _render(
    project: Project, options: RenderOptions, reporter: Reporter, out_dir: Path, store: cache.Store
) -> RenderResult:
    timings: dict[str, float] = {}
    clock = _Clock(timings)

    entries = project.scenes()
    _check_scene_ids(options.scenes, [scene.id for _, _, scene in entries])
    with clock("narrate"):
        narration, timeline = _timeline(project, entries, options, reporter)
    _check_lengths(project, timeline)

    with clock("keys"):
        jobs = _scene_jobs(project, entries, timeline, options, store)
        bed = _bed(project)
        sound_key = soundtrack.key(timeline, bed)
        chapter_list = chapters.chapters(timeline)
        metadata = chapters.ffmetadata(chapter_list, project.storyboard.title)
        cue_list = captions.cues(timeline)
        thumb_scene = preview.thumbnail_scene(project)[2].id
        video_key = cache.key({
            "scenes": [job.path.stem for job in jobs], "sound": sound_key, "meta": metadata,
            "captions": [[c.start, c.end, list(c.lines)] for c in cue_list],
            "thumbnail": next(job.path.stem for job in jobs if job.scene.id == thumb_scene),
        })  # fmt: skip
    video = out_dir / f"{project.slug}.mp4"
    wanted = [job for job in jobs if job.scene.id in options.scenes] if options.scenes else jobs
    todo = [job for job in wanted if not job.path.exists()]
    cached = {job.scene.id: job.path.exists() for job in jobs}

    if not options.scenes and _up_to_date(out_dir, video, video_key):
        reporter.note(f"nothing changed since the last render; {video} is up to date")
        return RenderResult(video, out_dir / "render.json", timeline, narration, unchanged=True)

    rendering = {job.scene.id for job in todo}
    joining = not options.no_join and all(cached[job.scene.id] or job.scene.id in rendering for job in jobs)
    sound_file = store.path("soundtracks", sound_key, ".m4a")
    sound_info = store.path("soundtracks", sound_key, ".json")
    setup = scenes.Setup(project, timeline, (timeline.width, timeline.height), options.burn_captions)
    reporter.stage("Rendering scenes", sum(job.frames(timeline) for job in todo))
    stop = threading.Event()
    with ThreadPoolExecutor(1) as background, _stopping(stop):
        # The soundtrack needs only the plan, so it is mixed, encoded and metered while the scenes render.
        building = None
        if joining and not (sound_file.exists() and sound_info.exists()):
            last_gain = store.path("soundtracks", cache.key({"last gain of": project.slug}), ".json")
            hint = _gain_hint(last_gain)
            building = background.submit(soundtrack.build, timeline, bed, sound_file, hint, stop)
        with clock("scenes"):
            stats = scenes.render(setup, todo, workers(options), reporter.advance)
        with clock("soundtrack"):
            loudness = building.result() if building else _read_json(sound_info) if joining else None
            if building:
                cache.write_bytes(sound_info, json.dumps(loudness).encode("utf-8"))
                cache.write_bytes(last_gain, json.dumps({"gain_db": loudness["gain_db"]}).encode("utf-8"))

        result = RenderResult(video, out_dir / "render.json", timeline, narration, [job.scene.id for job in todo])
        for job in wanted if options.scenes else []:
            target = out_dir / "scenes" / f"{job.scene.id}.mp4"
            with_sound(job.path, mix.stereo(scene_track(timeline, timeline.scenes[job.index])), target)
            result.scene_files[job.scene.id] = target
        if not joining:
            result.missing = [job.scene.id for job in jobs if not job.path.exists()]
            return result

        with clock("join"):
            reporter.stage("Joining", 1)
            for problem in chapters.problems(chapter_list):
                reporter.note(f"chapters: {problem}")
            join([(job.path, job.frames(timeline) / timeline.fps) for job in jobs], sound_file, video, metadata)
            reporter.advance()
        with clock("outputs"):
            cache.write_bytes(out_dir / f"{project.slug}.srt", captions.srt(cue_list).encode("utf-8"))
            cache.write_bytes(out_dir / f"{project.slug}.vtt", captions.vtt(cue_list).encode("utf-8"))
            cache.write_bytes(out_dir / "chapters.txt", chapters.youtube(chapter_list).encode("utf-8"))
            thumb = preview.thumbnail(project)
            with cache.atomic_path(out_dir / "thumbnail.png") as tmp:
                thumb.save(tmp, format="PNG")
    report = _report(project, timeline, narration, cached, stats, timings, loudness, chapter_list, cue_list, options)
    report["video_key"] = video_key
    report["video_bytes"] = video.stat().st_size
    cache.write_bytes(result.report, json.dumps(report, indent=2, ensure_ascii=False).encode("utf-8"))
    return result


@contextlib.contextmanager
def _stopping(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` when the block fails or is interrupted, so background work ends too."""
    try:
        yield
    except BaseException:
        stop.set()
        raise


class _Clock:
    """``with clock("stage"):`` adds the block's wall time to ``timings["stage"]``."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started


def scene_keys(project: Project, options: RenderOptions) -> dict[str, str]:
    """Each scene's cache key for a render with ``options`` (narrating, from the cache where it can)."""
    entries = project.scenes()
    _, timeline = _timeline(project, entries, options, Silent())
    return {
        job.scene.id: job.path.stem
        for job in _scene_jobs(project, entries, timeline, options, _store(project, options))
    }


def _scene_jobs(
    project: Project, entries: list, timeline: Plan, options: RenderOptions, store: cache.Store
) -> list[scenes.SceneJob]:
    """Every scene with its cache key: all that changes its pixels and sound, and nothing else."""
    theme_id = project.theme.model_dump(mode="json")
    fonts_id = FontBook(project.theme.fonts).fingerprint()
    fps = timeline.fps
    out = []
    for index, ((number, section, scene), scene_plan) in enumerate(zip(entries, timeline.scenes, strict=True)):
        timing = _timing(scene_plan, fps)
        burned = tuple(captions.scene_cues(scene_plan, fps)) if options.burn_captions else ()
        digest = cache.key({
            "renderer": RENDERER, "slide": scene.slide.model_dump(mode="json"), "theme": theme_id,
            "fonts": fonts_id, "size": [timeline.width, timeline.height], "fps": fps, "frames": scene_plan.frames,
            "section": [section.title, number], "timing": [list(timing["sentence_starts"]), timing["duration"]],
            "files": _file_digests(project, scene),
            "audio": [[s.audio.path.stem, s.start] for s in scene_plan.sentences],
            "burned_captions": [[c.start, c.end, list(c.lines)] for c in burned] if options.burn_captions else None,
        })  # fmt: skip
        path = store.path("scenes", digest, ".mp4")
        out.append(scenes.SceneJob(index, number, section.title, scene, timing, burned, path))
    return out


def _check_lengths(project: Project, timeline: Plan) -> None:
    """Once narrated, no scene may last longer than MAX_SCENE_SECONDS, nor the video than MAX_VIDEO_SECONDS."""
    smap = project.smap or SourceMap(project.file)
    most = chapters.timestamp(MAX_SCENE_SECONDS)
    problems = []
    for (place, _, scene), scene_plan in zip(scene_places(project.storyboard), timeline.scenes, strict=True):
        if (seconds := scene_plan.duration(timeline.fps)) > MAX_SCENE_SECONDS:
            lasts = chapters.timestamp(seconds)
            message = f"scene '{scene.id}' lasts {lasts} once narrated, more than the {most} a scene may; "
            problems.append(smap.problem((*place, "narration"), message + "split its narration across scenes"))
    if timeline.duration > MAX_VIDEO_SECONDS:
        lasts, most = chapters.timestamp(timeline.duration), chapters.timestamp(MAX_VIDEO_SECONDS)
        message = f"the video lasts {lasts} once narrated, more than {most}; split it into several storyboards"
        problems.append(smap.problem(("sections",), message))
    if problems:
        raise StoryboardError(problems)


def _check_scene_ids(wanted: tuple[str, ...], ids: list[str]) -> None:
    for name in wanted:
        if name not in ids:
            close = difflib.get_close_matches(name, ids, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            listing = "'explainer sheet' shows them all"
            raise UsageError(f"--scene {name}: the storyboard has no scene '{name}'{hint} ({listing})")


def _gain_hint(last_gain: Path) -> float | None:
    """The gain the storyboard's last soundtrack needed: a hint for this one (see soundtrack.build)."""
    try:
        return float(_read_json(last_gain)["gain_db"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _up_to_date(out_dir: Path, video: Path, video_key: str) -> bool:
    """The last render here made this very video, and it and its companions are still in place."""
    try:
        report = _read_json(out_dir / "render.json")
        return (
            report.get("video_key") == video_key
            and video.stat().st_size == report.get("video_bytes")
            and all(
                path.exists()
                for path in (video.with_suffix(".srt"), video.with_suffix(".vtt"), out_dir / "chapters.txt")
            )
        )
    except (OSError, ValueError):
        return False


def _bed(project: Project) -> mix.Bed | None:
    music = project.storyboard.music
    if music is None:
        return None
    return mix.Bed(project.root / music.file, music.volume, music.duck, music.ramp, music.fade_in, music.fade_out)


def scene_timing(project: Project, scene_id: str, options: RenderOptions) -> tuple[dict[str, Any], list[captions.Cue]]:
    """One scene's real sentence starts and length, and its cues (narrating it, from the cache when it can)."""
    entry = next(e for e in project.scenes() if e[2].id == scene_id)
    _, timeline = _timeline(project, [entry], options, Silent())
    return _timing(timeline.scenes[0], timeline.fps), captions.scene_cues(timeline.scenes[0], timeline.fps)


def _timeline(project: Project, entries: list, options: RenderOptions, reporter: Reporter) -> tuple[Narration, Plan]:
    """Narrate ``entries`` (from the cache where it can) and plan them at this render's size and frame rate."""
    narration = _narrate(project, [scene for _, _, scene in entries], options, _store(project, options), reporter)
    width, height, fps = frame_format(project, options)
    return narration, _plan(project, entries, narration, fps, width, height)


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
    stats: dict[str, dict[str, Any]],
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
                "timings": {
                    "narrate": round(sum(s.audio.made_in for s in p.sentences), 3),
                    "render": stats.get(scene.id, {}).get("seconds", 0.0),
                },
                "frames_drawn": stats.get(scene.id, {}).get("drawn", 0),
                "frames_encoded": stats.get(scene.id, {}).get("encoded", 0),
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
