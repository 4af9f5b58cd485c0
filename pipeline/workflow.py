"""The render: the stages in order, skipping what is up to date. Orchestration only.

validate (checks.py) -> narrate -> plan (timeline.py) -> scene jobs (jobs.py)
-> run by an executor (executors/) while the soundtrack is built
(soundtrack.py) -> join (encode.py) -> captions, chapters, thumbnail and
render.json. Each stage reads only what it is given; configuration comes in
as RenderOptions, never from globals.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.core import assets, cache, memory
from pipeline.core.audio import RATE
from pipeline.core.errors import ExplainerError, UsageError, shown
from pipeline.core.lock import check_writable, render_lock, sharing
from pipeline.core.messages import closest
from pipeline.drawing import footage
from pipeline.drawing.slides import video
from pipeline.drawing.timing import SceneTiming
from pipeline.loading.checks import validate
from pipeline.loading.options import RenderOptions
from pipeline.loading.storyboard import Project, SceneEntry
from pipeline.narration.sentences import Pause
from pipeline.narration.speech import Narration, OnScene, SentenceAudio
from pipeline.planning import captions, chapters, scenes, script
from pipeline.planning.timeline import Plan, ScenePlan
from pipeline.publishing import publish, report
from pipeline.rendering import encode, jobs, stills
from pipeline.rendering.executors import Cancel, Event, Executor, FramesDone, LocalPool, SceneDone
from pipeline.rendering.executors.base import Feed
from pipeline.rendering.executors.local import quiet_thread
from pipeline.sound import mix, soundtrack


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
    hears each scene as soon as it is spoken (see speech.narrate)."""
    reporter = reporter or Silent()
    lines = script.for_scenes(project, entries if entries is not None else project.entries())
    reporter.stage("Narrating", script.sentence_count(lines))
    store = options.store(project.root)
    own = LocalPool(options.workers()) if executor is None else None
    # sharing: a render starting meanwhile leaves this command's partial files alone
    with sharing(store), contextlib.closing(own) if own else contextlib.nullcontext():
        narration = script.narrate(
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
    result = scenes.plan(project, found, narration, options.frame(project.storyboard.video))
    if entries is None:
        scenes.check_lengths(project, result)
    return result


def scene_jobs(project: Project, timeline_plan: Plan, options: RenderOptions) -> list[jobs.SceneJob]:
    """Every scene as a self-contained job, named by its cache key."""
    return jobs.scene_jobs(project, timeline_plan, options, options.store(project.root))


def render_scenes(
    todo: list[jobs.SceneJob],
    executor: Executor,
    reporter: Reporter | None = None,
    cancel: Cancel | None = None,
    on_done: Callable[[jobs.SceneJob], None] = lambda job: None,
) -> dict[str, jobs.SceneStats]:
    """Draw and encode ``todo`` with ``executor``; per scene id, what it took. ``on_done`` is given each job as
    its clip is written (to put it in the shared cache)."""
    reporter = reporter or Silent()
    reporter.stage("Rendering scenes", sum(job.frames for job in todo))

    def on_event(event: Event) -> None:
        if isinstance(event, FramesDone):
            reporter.advance(event.frames)
        elif isinstance(event, SceneDone):
            on_done(event.job)

    if not todo:  # nothing to draw: no pool started, no cluster reached
        return {}
    return executor.run(todo, on_event, cancel or Cancel())


def music_bed(project: Project) -> mix.Bed | None:
    music = project.storyboard.music
    if music is None:
        return None
    return mix.Bed(project.root / music.file, music.volume, music.duck, music.ramp, music.fade_in, music.fade_out)


def clip_sounds(project: Project, timeline_plan: Plan, store: cache.Store, decode: bool = True) -> list[mix.ClipSound]:
    """Every footage scene's own sound (unless muted or absent), decoded once into the cache, on the plan's clock.

    ``decode=False``: only what the sounds are (for the soundtrack's key), nothing decoded.
    """
    found = []
    for entry, scene_plan in zip(project.entries(), timeline_plan.scenes, strict=True):
        spec = entry.scene.slide
        if not isinstance(spec, video.Spec) or spec.volume is None:
            continue
        file = project.root / spec.file
        probed, part = video.clip(spec, file)
        if not probed.audio:
            continue
        part = video.stretch(spec, part, scene_plan.duration(timeline_plan.fps))
        digest = footage.key(assets.digest(file), part, sound=True)
        samples = store.path("footage", digest, ".f32")
        if decode and not samples.exists():
            footage.sound(file, part, samples)
        start = timeline_plan.sample_at(scene_plan.start_frame)
        end = timeline_plan.sample_at(scene_plan.start_frame + scene_plan.frames)
        loop = round(part.seconds * RATE) if spec.when_short == "loop" else None
        found.append(mix.ClipSound(samples, start, end, spec.volume, spec.duck and bool(scene_plan.sentences), loop))
    return found


@dataclass(frozen=True)
class Soundtrack:
    """The whole video's sound, encoded once (AAC), and what its meter read."""

    file: Path
    loudness: dict[str, Any]


def build_soundtrack(
    project: Project, timeline_plan: Plan, options: RenderOptions, stop: threading.Event | None = None
) -> Soundtrack:
    """Narration and music on the plan's clock, mixed, normalized and encoded (from the cache when unchanged)."""
    store = options.store(project.root)
    bed = music_bed(project)
    clips = clip_sounds(project, timeline_plan, store)
    codec = encode.audio_codec(options.draft)
    key = soundtrack.key(timeline_plan, bed, clips, codec)
    file, info = store.path("soundtracks", key, ".m4a"), store.path("soundtracks", key, ".json")
    if store.has(file) and store.has(info):
        return Soundtrack(file, report.read(info))
    # Per encoder: a draft's may need a hair more or less gain than the video's (each keeps its own hint).
    gain_key = cache.key({"last gain of": project.slug, "encoder": codec.identity()})
    last_gain = store.path("soundtracks", gain_key, ".json")
    hint, level, segments = *_hints(last_gain), store.root / "segments"
    loudness = soundtrack.build(timeline_plan, bed, file, hint, stop, clips, codec, segments, level)
    memory.trim()  # the mixer's buffers, while the scenes may still render
    cache.write_bytes(info, json.dumps(loudness).encode("utf-8"), once=True)
    loudness = report.read(info)  # another render sharing the cache may have stored its measures first
    for made in (file, info):
        store.share(made)
    kept = {name: loudness.get(name) for name in ("gain_db", "voice_level_db")}
    cache.write_bytes(last_gain, json.dumps(kept).encode("utf-8"))
    return Soundtrack(file, loudness)


def join(
    project: Project,
    timeline_plan: Plan,
    scene_clips: list[jobs.SceneJob],
    sound: Soundtrack,
    video: Path,
    metadata: str | None = None,
) -> None:
    """The scene clips and the soundtrack into ``video`` with title and chapters (or ``metadata``, an ffmpeg
    metadata file's text), copied without re-encoding."""
    if metadata is None:
        metadata = chapters.ffmetadata(chapters.chapters(timeline_plan), project.storyboard.title)
    fps = timeline_plan.fps
    encode.join([(job.target, job.frames / fps) for job in scene_clips], sound.file, video, metadata)


def write_outputs(
    project: Project, out_dir: Path, timeline_plan: Plan, cue_list: list[captions.Cue], chapter_list: list | None
) -> None:
    """Captions (SRT, WebVTT), chapters.txt (unless ``chapter_list`` is None) and the thumbnail, each atomically."""
    cache.write_bytes(out_dir / f"{project.slug}.srt", captions.srt(cue_list).encode("utf-8"))
    fps = timeline_plan.fps
    words = [(w.text, scene.start(fps) + s.start + w.start) for scene in timeline_plan.scenes
             for s in scene.sentences for w in s.audio.words]  # fmt: skip
    cache.write_bytes(out_dir / f"{project.slug}.vtt", captions.vtt(cue_list, words).encode("utf-8"))
    if chapter_list is not None:
        cache.write_bytes(out_dir / "chapters.txt", chapters.youtube(chapter_list).encode("utf-8"))
    thumb = stills.thumbnail(project, timeline_plan.frame)
    with cache.atomic_path(out_dir / "thumbnail.png") as tmp:
        thumb.save(tmp, format="PNG")


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
    out_dir = options.output_dir_for(project)
    store = options.store(project.root)
    for folder in (out_dir, store.root):
        check_writable(folder)
    with render_lock(out_dir), sharing(store) as alone:
        names = publish.set_names(project.slug, chapters=not options.short)
        publish.recover(out_dir, names)  # what a render killed before left behind
        if alone:  # no other render uses the cache: partial files in it are from renders that died
            publish.remove_partials(store.partials())
        pool = executor or LocalPool(options.workers())
        # A pool made here keeps its workers from narration to the scenes, and lets them go at the end; an executor
        # given is the caller's to close.
        with contextlib.closing(pool) if executor is None else contextlib.nullcontext():
            return _render(project, options, reporter or Silent(), pool, out_dir, cancel or Cancel())


def _render(
    project: Project, options: RenderOptions, reporter: Reporter, executor: Executor, out_dir: Path, cancel: Cancel
) -> RenderResult:
    _check_scene_ids(options.scenes, [entry.id for entry in project.entries()])
    store = options.store(project.root)
    stop = threading.Event()  # set (with cancel) when the render fails or is interrupted, as soon as it is
    with _Early(project, options, store, executor, cancel) as early, _stopping(stop, cancel):
        return _rendered(project, options, reporter, executor, out_dir, cancel, early, stop)


def _rendered(
    project: Project,
    options: RenderOptions,
    reporter: Reporter,
    executor: Executor,
    out_dir: Path,
    cancel: Cancel,
    early: _Early,
    stop: threading.Event,
) -> RenderResult:
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    with clock("narrate"):
        narration = narrate(project, options, reporter, executor=executor, on_scene=early.spoken)
        timeline_plan = plan(project, narration, options)
    if options.short:  # checked once it is narrated, before anything more is drawn
        from pipeline.planning import shorts

        shorts.check_length(project, timeline_plan.duration)

    store = options.store(project.root)
    with clock("keys"):
        all_jobs = jobs.scene_jobs(project, timeline_plan, options, store)
        clips = clip_sounds(project, timeline_plan, store, decode=False)
        # A clip's volume is the sound's.
        sound_key = soundtrack.key(timeline_plan, music_bed(project), clips, encode.audio_codec(options.draft))
        chapter_list = [] if options.short else chapters.chapters(timeline_plan)  # a Short has none
        metadata = chapters.ffmetadata(chapter_list, project.storyboard.title)
        cue_list = captions.cues(timeline_plan)
        thumb_scene = stills.thumbnail_entry(project).id
        video_key = cache.key({
            "scenes": [job.key for job in all_jobs], "sound": sound_key, "meta": metadata,
            "captions": [c.key() for c in cue_list], "vtt": "word timestamps/1",
            "thumbnail": next(job.key for job in all_jobs if job.scene_id == thumb_scene),
        })  # fmt: skip
    video = out_dir / f"{project.slug}.mp4"
    wanted = [job for job in all_jobs if job.scene_id in options.scenes] if options.scenes else all_jobs
    keys = {job.scene_id: job.key for job in all_jobs}

    if not options.scenes and report.up_to_date(
        out_dir, video, video_key, publish.set_names(project.slug, chapters=not options.short)
    ):
        early.settle()
        reporter.note(f"nothing changed since the last render; {video} is up to date")
        return RenderResult(video, out_dir / "render.json", timeline_plan, narration, unchanged=True, scene_keys=keys)

    # Drawn by this render (sent while narrating, or now), not taken from the cache.
    cached = {job.scene_id: job.key not in early.sent and store.has(job.target) for job in all_jobs}
    todo = [job for job in wanted if not cached[job.scene_id]]
    rendering = {job.scene_id for job in todo}
    if todo:
        memory.trim()  # what narrating and planning took is not held through the scenes (36 ms: not when idle)
    joining = not options.no_join and all(cached[job.scene_id] or job.scene_id in rendering for job in all_jobs)
    # _stopping here too: the soundtrack stops at once, before the pool's exit waits for it.
    with ThreadPoolExecutor(1, initializer=quiet_thread) as background, _stopping(stop, cancel):
        # The soundtrack needs only the plan, so it is mixed, encoded and metered while the scenes render.
        building = background.submit(build_soundtrack, project, timeline_plan, options, stop) if joining else None
        with clock("scenes"):
            stats = early.finish(todo, reporter)
        with clock("soundtrack"):
            sound = building.result() if building else None

        result = RenderResult(
            video, out_dir / "render.json", timeline_plan, narration, [job.scene_id for job in todo], scene_keys=keys
        )
        if options.scenes:
            publish.make_output(out_dir)
        for job in wanted if options.scenes else []:
            target = out_dir / "scenes" / f"{job.scene_id}.mp4"
            track = soundtrack.scene_track(timeline_plan, timeline_plan.scenes[job.index])
            encode.with_sound(job.target, mix.stereo(track), target)
            result.scene_files[job.scene_id] = target
        if not joining:
            result.missing = [job.scene_id for job in all_jobs if not job.target.exists()]
            return result

        names = publish.set_names(project.slug, chapters=not options.short)
        with publish.staged(out_dir, names) as staged:  # the new set is written here, then swapped in as one
            with clock("join"):
                reporter.stage("Joining", 1)
                for problem in [] if options.short else chapters.problems(chapter_list):
                    reporter.note(f"chapters: {problem}")
                join(project, timeline_plan, all_jobs, sound, staged / video.name, metadata)
                reporter.advance()
            with clock("outputs"):
                write_outputs(project, staged, timeline_plan, cue_list, None if options.short else chapter_list)
            summary = report.Report(
                project, timeline_plan, narration, options, cached, stats, timings, sound.loudness, chapter_list,
                cue_list, video_key, (staged / video.name).stat().st_size,
            )  # fmt: skip
            report_json = json.dumps(summary.data(), indent=2, ensure_ascii=False).encode("utf-8")
            cache.write_bytes(staged / result.report.name, report_json)
    return result


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
    from pipeline.planning import shorts

    results = []
    for index, short in enumerate(project.storyboard.shorts):
        cut = shorts.short_project(project, index)
        shorts.check_hook(project, index, options)
        results.append(render(cut, shorts.options_for(project, options, short), reporter, executor))
    return results


class _Early:
    """A render's scenes sent to its executor as each one is spoken, while the rest are still being spoken.

    A scene's job needs only its own sentences (its length, reveals and key do not depend on where it starts),
    so when the executor's workers speak the narration, each scene whose clip the cache lacks is put in a feed
    the executor draws from as it fills: on the local pool, the workers that speak go on to draw with no wait
    for the last sentence and no second start. Otherwise nothing is sent early: a render whose narration is all
    cached may be up to date, and then draws nothing.
    """

    def __init__(
        self, project: Project, options: RenderOptions, store: cache.Store, executor: Executor, cancel: Cancel
    ) -> None:
        self.project, self.options, self.store, self.executor, self.cancel = project, options, store, executor, cancel
        self._frame = options.frame(project.storyboard.video)
        #: By key: the jobs sent before the render knew all its scenes.
        self.sent: dict[str, jobs.SceneJob] = {}
        #: By scene index: jobs not sent yet (a scene spoken again by a fallback engine replaces its own).
        self._held: dict[int, jobs.SceneJob] = {}
        self._make: Callable[[SceneEntry, ScenePlan], jobs.SceneJob] | None = None
        self._feed = Feed()
        self._threads = ThreadPoolExecutor(1, initializer=quiet_thread)
        self._running: Future[dict[str, jobs.SceneStats]] | None = None
        self._lock = threading.Lock()
        self._frames_done = 0
        self._reporter: Reporter | None = None

    def __enter__(self) -> _Early:
        return self

    def __exit__(self, *exc: object) -> None:
        self._feed.close()  # on a failure, the cancel is set already and the scenes under way stop
        self._threads.shutdown(wait=True)

    def spoken(self, index: int, said: tuple[SentenceAudio | Pause, ...], on_workers: bool) -> None:
        """Scene ``index`` is spoken: its job is sent when the executor's workers are speaking the narration.

        Only then: an edit's sentence or two are spoken here, and its scene drawn here too; starting workers for
        it made the edit 1.2 s slower (the scene 4.1-4.7 s against 3.1-3.2)."""
        if self._running is not None and self._running.done():
            self._running.result()  # a scene sent early failed: said now, not after all the narration
        entry = self.project.entries()[index]
        if self.options.scenes and entry.id not in self.options.scenes:
            return
        if self._make is None:  # made once it is needed (the fonts' fingerprint, the drawing stack's versions)
            self._make = jobs.job_maker(self.project, self._frame, self.options, self.store)
        job = self._make(entry, scenes.scene_plan(self.project, entry, said, self._frame.fps))
        if self.store.has(job.target):
            self._held.pop(index, None)
        else:
            self._held[index] = job
        if on_workers and self._held:
            if self._running is None:
                self._running = self._threads.submit(self.executor.run, self._feed, self._heard, self.cancel)
            for job in self._held.values():
                self.sent[job.key] = job
                self._feed.put(job)
            self._held.clear()

    def settle(self) -> None:
        """Wait for the scenes sent early, if any (the video turned out up to date: their clips stay cached)."""
        self._feed.close()
        if self._running is not None:
            self._running.result()

    def finish(self, todo: list[jobs.SceneJob], reporter: Reporter) -> dict[str, jobs.SceneStats]:
        """Render ``todo`` (those not sent yet join the feed) and wait for every scene; per scene id, what it took."""
        if self._running is None:
            self._feed.close()
            return render_scenes(todo, self.executor, reporter, self.cancel, self._share)
        drawn = {**self.sent, **{job.key: job for job in todo}}
        reporter.stage("Rendering scenes", sum(job.frames for job in drawn.values()))
        with self._lock:
            self._reporter = reporter
            reporter.advance(self._frames_done)
        for job in todo:
            if job.key not in self.sent:
                self.sent[job.key] = job
                self._feed.put(job)
        self._feed.close()
        return self._running.result()

    def _heard(self, event: Event) -> None:
        if isinstance(event, FramesDone):
            with self._lock:
                self._frames_done += event.frames
                if self._reporter is not None:
                    self._reporter.advance(event.frames)
        elif isinstance(event, SceneDone):
            self._share(event.job)

    def _share(self, job: jobs.SceneJob) -> None:
        self.store.share(job.target)


@contextlib.contextmanager
def _stopping(stop: threading.Event, cancel: Cancel) -> Iterator[None]:
    """Set ``stop`` and ``cancel`` when the block fails or is interrupted, so background work ends too."""
    try:
        yield
    except BaseException:
        stop.set()
        cancel.set()
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


def _check_scene_ids(wanted: tuple[str, ...], ids: list[str]) -> None:
    for name in wanted:
        if name not in ids:
            close = closest(name, ids, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            listing = "'explainer sheet' shows them all"
            raise UsageError(f"--scene {name}: the storyboard has no scene '{name}'{hint} ({listing})")


def _share(owners: dict[str, cache.Store], job: jobs.SceneJob) -> None:
    owners[job.key].share(job.target)


def _hints(last_gain: Path) -> tuple[float | None, float | None]:
    """The gain the storyboard's last soundtrack needed and the narration's level it set the music against: hints
    for this one (see soundtrack.build)."""
    try:
        last = report.read(last_gain)
    except (OSError, ValueError):
        return None, None
    found = []
    for name in ("gain_db", "voice_level_db"):
        try:
            found.append(float(last[name]))
        except (KeyError, TypeError, ValueError):
            found.append(None)
    return found[0], found[1]
