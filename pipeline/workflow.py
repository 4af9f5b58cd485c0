"""The render: the stages in order, skipping what is up to date. Orchestration only.

validate (loading/checks.py) -> narrate (planning/script.py, narration/) ->
plan (planning/) -> outline: scene jobs and keys (rendering/jobs.py) -> the
scenes run by an executor (rendering/schedule.py) while the soundtrack is
built (sound/build.py) -> the output set joined and written (publishing/).
Each stage reads only what it is given; configuration comes in as
RenderOptions, never from globals.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core import cache, memory
from pipeline.core.errors import ExplainerError, UsageError, shown
from pipeline.core.lock import check_writable, render_lock, sharing
from pipeline.core.messages import closest
from pipeline.core.progress import Reporter, Silent
from pipeline.drawing.cues import Cue
from pipeline.drawing.timing import SceneTiming
from pipeline.loading.checks import validate
from pipeline.loading.options import RenderOptions
from pipeline.loading.storyboard import Project, SceneEntry
from pipeline.narration.speech import Narration, OnScene
from pipeline.planning import captions, chapters, scenes, script, shorts
from pipeline.planning.timeline import Plan
from pipeline.publishing import outputs, publish, report
from pipeline.rendering import jobs, stills
from pipeline.rendering.executors import Cancel, Executor, LocalPool
from pipeline.rendering.executors.local import quiet_thread
from pipeline.rendering.schedule import EarlyScenes, render_scenes
from pipeline.sound import build, codecs, soundtrack
from pipeline.sound.build import Soundtrack


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
    #: Per scene id, its cache key (what its picture and sound are made of).
    scene_keys: dict[str, str] = field(default_factory=dict)


# -- the stages ---------------------------------------------------------------


def narrate(
    project: Project,
    options: RenderOptions,
    reporter: Reporter | None = None,
    entries: list[SceneEntry] | None = None,
    executor: Executor | None = None,
    on_scene: OnScene = lambda index, said, on_workers: None,
) -> Narration:
    """Speak every scene (or ``entries``), synthesizing only sentences the cache lacks, on ``executor``'s workers
    when there are enough (default: a local pool of ``options.jobs`` workers, closed when done). ``on_scene``
    hears each scene as soon as it is spoken (see speech.speak)."""
    reporter = reporter or Silent()
    lines = script.for_scenes(project, entries if entries is not None else project.entries())
    reporter.stage("Narrating", script.sentence_count(lines))
    store = options.store(project.root)
    own = LocalPool(options.workers()) if executor is None else None
    # sharing: a render starting meanwhile leaves this command's partial files alone
    with sharing(store), contextlib.closing(own) if own else contextlib.nullcontext():
        narration = script.speak(
            project, lines, options.engines(project), store, reporter.advance, executor or own, on_scene
        )
    for note in filter(None, (narration.fallback_reason, *narration.notes)):
        reporter.note(note)
    reporter.note(
        f"narration: {narration.engine.engine} ({narration.engine.voice}) for the whole video, "
        f"{narration.synthesized} sentence(s) synthesized"
    )
    return narration


def plan(
    project: Project, narration: Narration, options: RenderOptions, entries: list[SceneEntry] | None = None
) -> Plan:
    """The frame-exact timeline of every scene (or ``entries``) at this render's frame; checks narrated lengths."""
    found = entries if entries is not None else project.entries()
    result = scenes.on_timeline(project, found, narration, options.frame(project.storyboard.video))
    if entries is None:
        scenes.check_lengths(project, result)
        if options.short:  # checked once it is narrated, before anything more is drawn
            shorts.check_length(project, result.duration)
    return result


def scene_jobs(project: Project, timeline_plan: Plan, options: RenderOptions) -> list[jobs.SceneJob]:
    """Every scene as a self-contained job, named by its cache key."""
    return jobs.scene_jobs(project, timeline_plan, options, options.store(project.root))


def scene_keys(project: Project, options: RenderOptions) -> dict[str, str]:
    """Each scene's cache key for a render with ``options`` (narrating, from the cache where it can)."""
    timeline_plan = plan(project, narrate(project, options), options)
    return {job.scene_id: job.key for job in scene_jobs(project, timeline_plan, options)}


def scene_timing(project: Project, scene_id: str, options: RenderOptions) -> tuple[SceneTiming, list[captions.Cue]]:
    """One scene's real sentence starts and length, and its cues (narrating it, from the cache when it can)."""
    entry = project.entry(scene_id)
    scene_plan = plan(project, narrate(project, options, entries=[entry]), options, entries=[entry])
    fps = scene_plan.fps
    cues = (
        captions.burned(scene_plan.scenes[0], fps, options.burn_captions, options.caption_words)
        if options.burn_captions
        else captions.scene_cues(scene_plan.scenes[0], fps)
    )
    return scene_plan.scenes[0].timing(fps), cues


# -- the whole render -----------------------------------------------------------


def render(
    project: Project,
    options: RenderOptions,
    reporter: Reporter | None = None,
    executor: Executor | None = None,
    cancel: Cancel | None = None,
) -> RenderResult:
    """Narrate, plan, render the scenes not cached, build the soundtrack, join; skip what is up to date.

    ``executor`` runs the scene jobs (default: a local pool of ``options.jobs`` workers). Setting ``cancel``
    stops the scenes at their next frame (raising ``Stopped``) and leaves the last finished video as it was.
    One render at a time writes an output folder: a second one started meanwhile is refused.
    """
    _check_scene_ids(options.scenes, [entry.id for entry in project.entries()])
    out_dir = options.output_dir_for(project)
    store = options.store(project.root)
    for folder in (out_dir, store.root):
        check_writable(folder)
    names = publish.set_names(project.slug, chapters=not options.short)
    with render_lock(out_dir), sharing(store) as alone:
        publish.recover(out_dir, names)  # what a render killed before left behind
        if alone:  # no other render uses the cache: partial files in it are from renders that died
            publish.remove_partials(store.partials())
        pool = executor or LocalPool(options.workers())
        # A pool made here keeps its workers from narration to the scenes, and lets them go at the end; an executor
        # given is the caller's to close.
        with contextlib.closing(pool) if executor is None else contextlib.nullcontext():
            run = _Run(project, options, reporter or Silent(), pool, cancel or Cancel(), out_dir, store, names)
            with EarlyScenes(project, options, store, pool, run.cancel) as early, _stopping(run.stop, run.cancel):
                return _rendered(run, early)


@dataclass
class _Run:
    """One render: what it was asked, where it writes, and its clock."""

    project: Project
    options: RenderOptions
    reporter: Reporter
    executor: Executor
    cancel: Cancel
    out_dir: Path
    store: cache.Store
    #: The output set's file names.
    names: list[str]
    #: Set (with cancel) when the render fails or is interrupted, as soon as it is: background work ends too.
    stop: threading.Event = field(default_factory=threading.Event)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def video(self) -> Path:
        return self.out_dir / f"{self.project.slug}.mp4"

    @contextlib.contextmanager
    def clock(self, stage: str) -> Iterator[None]:
        """Adds the block's wall time to ``timings[stage]`` (render.json's timings)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started


@dataclass(frozen=True)
class Outline:
    """What a render makes, known once it is planned and before anything is drawn."""

    jobs: list[jobs.SceneJob]
    #: The video's chapters; None for a Short, which has none (and no chapters.txt).
    chapters: list[chapters.Chapter] | None
    #: The ffmpeg metadata file's text: the title and the chapters.
    metadata: str
    cues: list[Cue]
    #: The finished video's key: its scenes, sound, metadata, captions and thumbnail.
    key: str


def outline(project: Project, timeline_plan: Plan, options: RenderOptions) -> Outline:
    """Every scene's job and what else the finished video is made of, from the plan (nothing drawn or mixed)."""
    store = options.store(project.root)
    all_jobs = jobs.scene_jobs(project, timeline_plan, options, store)
    clips = build.clip_sounds(project, timeline_plan, store, decode=False)
    sound_key = soundtrack.key(timeline_plan, build.music_bed(project), clips, codecs.audio_codec(options.draft))
    chapter_list = None if options.short else chapters.chapters(timeline_plan)
    metadata = chapters.ffmetadata(chapter_list or [], project.storyboard.title)
    cue_list = captions.cues(timeline_plan)
    key = cache.key({
        "scenes": [job.key for job in all_jobs], "sound": sound_key, "meta": metadata,
        "captions": [c.key() for c in cue_list], "vtt": "word timestamps/1",
        "thumbnail": _thumbnail_key(project, all_jobs),
    })  # fmt: skip
    return Outline(all_jobs, chapter_list, metadata, cue_list, key)


def _rendered(run: _Run, early: EarlyScenes) -> RenderResult:
    project, options = run.project, run.options
    with run.clock("narrate"):
        narration = narrate(project, options, run.reporter, executor=run.executor, on_scene=early.spoken)
        timeline_plan = plan(project, narration, options)
    with run.clock("keys"):
        made = outline(project, timeline_plan, options)
    keys = {job.scene_id: job.key for job in made.jobs}
    result = RenderResult(run.video, run.out_dir / "render.json", timeline_plan, narration, scene_keys=keys)
    if not options.scenes and report.up_to_date(run.out_dir, run.video, made.key, run.names):
        early.settle()
        run.reporter.note(f"nothing changed since the last render; {run.video} is up to date")
        result.unchanged = True
        return result

    # Drawn by this render (sent while narrating, or now), not taken from the cache.
    cached = {job.scene_id: job.key not in early.sent and run.store.has(job.target) for job in made.jobs}
    wanted = [job for job in made.jobs if job.scene_id in options.scenes] if options.scenes else made.jobs
    todo = [job for job in wanted if not cached[job.scene_id]]
    result.scenes_rendered = [job.scene_id for job in todo]
    drawing = {job.scene_id for job in todo}
    joining = not options.no_join and all(cached[job.scene_id] or job.scene_id in drawing for job in made.jobs)
    if todo:
        memory.trim()  # what narrating and planning took is not held through the scenes (36 ms: not when idle)
    # _stopping here too: the soundtrack stops at once, before the pool's exit waits for it.
    with ThreadPoolExecutor(1, initializer=quiet_thread) as background, _stopping(run.stop, run.cancel):
        # The soundtrack needs only the plan, so it is mixed, encoded and metered while the scenes render.
        building = (
            background.submit(build.build_soundtrack, project, timeline_plan, options, run.stop) if joining else None
        )
        with run.clock("scenes"):
            stats = early.finish(todo, run.reporter)
        with run.clock("soundtrack"):
            sound = building.result() if building else None
        if options.scenes:
            result.scene_files = outputs.scene_files(run.out_dir, timeline_plan, wanted)
        if not joining:
            result.missing = [job.scene_id for job in made.jobs if not job.target.exists()]
            return result
        assert sound is not None  # built when joining
        _publish(run, made, timeline_plan, narration, sound, cached, stats)
    return result


def _thumbnail_key(project: Project, all_jobs: list[jobs.SceneJob]) -> str:
    """The thumbnail's key: the clip of the scene it draws on (which changes with the slide, the theme, the fonts and
    the files) and the rest it is drawn from (its field, the title, its design's version)."""
    scene_id, rest = stills.thumbnail_inputs(project)
    return cache.key({"scene": next(job.key for job in all_jobs if job.scene_id == scene_id), **rest})


def _thumbnail_cached(run: _Run, made: Outline, timeline_plan: Plan) -> Path:
    """Where the thumbnail is kept between renders: by what it is drawn from and its size."""
    key = _thumbnail_key(run.project, made.jobs)
    size = timeline_plan.frame.profile.thumbnail
    return run.store.path("thumbnails", cache.key({"thumbnail of": key, "size": size}), ".png")


def _publish(
    run: _Run,
    made: Outline,
    timeline_plan: Plan,
    narration: Narration,
    sound: Soundtrack,
    cached: dict[str, bool],
    stats: dict[str, jobs.SceneStats],
) -> None:
    """The video, its captions, chapters, thumbnail and render.json, written as one set into the output folder."""
    project = run.project
    with publish.staged(run.out_dir, run.names) as staged:  # the new set is written here, then swapped in as one
        with run.clock("join"):
            run.reporter.stage("Joining", 1)
            for problem in chapters.problems(made.chapters) if made.chapters is not None else []:
                run.reporter.note(f"chapters: {problem}")
            outputs.join(project, timeline_plan, made.jobs, sound, staged / run.video.name, made.metadata)
            run.reporter.advance()
        with run.clock("outputs"):
            thumbnail = _thumbnail_cached(run, made, timeline_plan)
            outputs.write_outputs(project, staged, timeline_plan, made.cues, made.chapters, thumbnail)
        summary = report.Report(
            project, timeline_plan, narration, run.options, cached, stats, run.timings, sound.loudness,
            made.chapters or [], made.cues, made.key, (staged / run.video.name).stat().st_size,
        )  # fmt: skip
        report_json = json.dumps(summary.data(), indent=2, ensure_ascii=False).encode("utf-8")
        cache.write_bytes(staged / "render.json", report_json)


@dataclass
class BatchItem:
    """One storyboard of a batch: its render, or what stopped it."""

    storyboard: Path
    #: The format it is rendered in.
    format: str = "wide"
    result: RenderResult | None = None
    error: ExplainerError | None = None
    #: Scenes of this storyboard drawn by the batch (the rest came from the cache, or from a storyboard before it).
    rendered: int = 0
    #: Seconds from the batch's start to this video's being written.
    seconds: float = 0.0


def render_batch(
    storyboards: list[Path],
    options: RenderOptions,
    reporter: Reporter | None = None,
    executor: Executor | None = None,
    formats: tuple[str, ...] = (),
) -> list[BatchItem]:
    """Several storyboards (each in each of ``formats``, default ``options.format``) as one batch: every scene not
    cached, of all of them, on one executor (longest first, a scene two share drawn once), then each video
    narrated, mixed and joined as ``render`` does.

    A storyboard that cannot be rendered (it does not validate, a scene of it cannot be drawn) is reported in its
    item and the others go on; Ctrl-C stops all."""
    reporter = reporter or Silent()
    started = time.perf_counter()
    items = [BatchItem(Path(path), name) for path in storyboards for name in formats or (options.format,)]
    todo: dict[str, jobs.SceneJob] = {}
    owners: dict[str, cache.Store] = {}  # by scene key: the cache it is written to
    projects: dict[int, Project] = {}  # by item: checked once, rendered below as it was checked
    for number, item in enumerate(items):
        try:
            projects[number] = validate(item.storyboard, dataclasses.replace(options, format=item.format))
        except ExplainerError as exc:
            item.error = exc
    _refuse_shared_outputs(items, projects, options)
    executor = executor or LocalPool(options.workers())
    with contextlib.ExitStack() as stack:
        for number, item in enumerate(items):
            if item.error is not None:
                continue
            wanted = dataclasses.replace(options, format=item.format)
            project = projects[number]
            try:
                store = wanted.store(project.root)
                stack.enter_context(sharing(store))
                narration = narrate(project, wanted, reporter, executor=executor)
                missing = [job for job in scene_jobs(project, plan(project, narration, wanted), wanted)
                           if job.key not in todo and not store.has(job.target)]  # fmt: skip
            except ExplainerError as exc:
                item.error = exc
                continue
            item.rendered = len(missing)
            todo.update((job.key, job) for job in missing)
            owners.update((job.key, store) for job in missing)
        if todo:
            with contextlib.suppress(ExplainerError):  # each storyboard's own render below says which failed
                render_scenes(list(todo.values()), executor, reporter, on_done=lambda job: _share(owners, job))
    for number, item in enumerate(items):
        if item.error is not None:
            continue
        wanted = dataclasses.replace(options, format=item.format)
        try:
            item.result = render(projects[number], wanted, reporter, executor)
        except ExplainerError as exc:
            item.error = exc
        item.seconds = time.perf_counter() - started
    return items


def _refuse_shared_outputs(items: list[BatchItem], projects: dict[int, Project], options: RenderOptions) -> None:
    """Refuse a batch two of whose videos would be written into one folder (the same slug, or one storyboard named
    twice), before any work: the second would replace the first. Folders are compared as a system that ignores
    case would (a copy to one must not merge them)."""
    seen: dict[str, tuple[BatchItem, Project]] = {}
    for number, project in projects.items():
        item = items[number]
        out_dir = dataclasses.replace(options, format=item.format).output_dir_for(project)
        place = str(out_dir.resolve()).casefold()
        if place not in seen:
            seen[place] = item, project
            continue
        first, first_project = seen[place]
        if first.storyboard.resolve() == item.storyboard.resolve():
            raise UsageError(f"{item.storyboard} is named twice; name each storyboard once")
        raise UsageError(
            f"{first.storyboard} and {item.storyboard} would both be written into {shown(out_dir)}/ (slug "
            f"'{first_project.slug}' and '{project.slug}'); give one of them another 'slug:' so that each video has "
            "a folder of its own"
        )


def render_shorts(
    project: Project, options: RenderOptions, reporter: Reporter | None = None, executor: Executor | None = None
) -> list[RenderResult]:
    """Every Short the storyboard declares, each checked (its hook card fits, it lasts at most three minutes)
    and rendered as a video of its own (see pipeline.planning.shorts)."""
    results = []
    for index, short in enumerate(project.storyboard.shorts):
        cut = shorts.short_project(project, index)
        shorts.check_hook(project, index, options)
        results.append(render(cut, shorts.options_for(project, options, short), reporter, executor))
    return results


@contextlib.contextmanager
def _stopping(stop: threading.Event, cancel: Cancel) -> Iterator[None]:
    """Set ``stop`` and ``cancel`` when the block fails or is interrupted, so background work ends too."""
    try:
        yield
    except BaseException:
        stop.set()
        cancel.set()
        raise


def _check_scene_ids(wanted: tuple[str, ...], ids: list[str]) -> None:
    for name in wanted:
        if name not in ids:
            close = closest(name, ids, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            listing = "'explainer sheet' shows them all"
            raise UsageError(f"--scene {name}: the storyboard has no scene '{name}'{hint} ({listing})")


def _share(owners: dict[str, cache.Store], job: jobs.SceneJob) -> None:
    owners[job.key].share(job.target)
