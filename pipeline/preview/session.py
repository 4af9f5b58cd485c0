"""What the preview page shows, kept up to date: check, narrate, render at preview quality, describe.

A ``Session`` owns one storyboard's preview. ``refresh`` runs the same render path as
``explainer render`` (``pipeline.validate`` then ``pipeline.render``, cached by content, so only
changed sentences are spoken and only changed scenes drawn) into its own folder,
``output/.preview/<slug>/``, and turns the result into the page's state: sections and scenes with
their stills, kinds, lengths, sentence times, reveal times and waveforms, the video and its
chapters. A storyboard that does not validate gives its located problems with the YAML lines
around each, and the last good video stays. ``cancel`` stops a refresh in progress at the next
frame (a newer save supersedes it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core.errors import EngineUnavailable, ExplainerError, Stopped, StoryboardError
from pipeline.rendering.executors import Cancel
from pipeline.rendering.executors.local import LocalPool, Warmup

if TYPE_CHECKING:
    import numpy as np

#: Peaks per second of a scene's waveform (drawn one bar per peak).
PEAKS_PER_SECOND = 25
#: Lines of YAML shown before and after a problem's line.
CONTEXT_LINES = 3
#: Seconds between the outline's updates while its stills are drawn (each update sends the whole outline).
OUTLINE_EVERY = 0.3
#: The outline's stills' width: the page shows them 128 pixels wide, so twice that is sharp on any screen, and a
#: still this size draws in about half the time of one the draft's size (a map's ground most of all).
OUTLINE_WIDTH = 320
#: Kinds whose stills go to the workers first: a map's first still loads its data and draws the most.
MAPS_FIRST = ("map", "route")
#: Scenes from which the outline's stills are drawn on every core (fewer draw in less time than workers start).
OUTLINE_POOL_FROM = 8
#: Stills that need a map's data still waiting (two of them already with the worker) from which this process draws
#: one too. It has not loaded the maps' tables (0.5-0.6 CPU-s) where a warmed worker draws a map's still in
#: 0.15-0.25: with k left, the worker alone takes about 0.2k s, and helping repays the load only from about four
#: left; with fewer, drawing one here (the shipped storyboard's closing card, 0.4 CPU-s) only added to the end.
MAPS_HERE_FROM = 6
#: ``slowest_first``'s rank of a slide that needs no map's data.
PLAIN = 2


class Session:
    """The preview of one storyboard: its latest state, and the refresh that makes it."""

    def __init__(self, storyboard: Path, quality: str = "draft", *, allow_outside_assets: bool = False):
        self.storyboard = storyboard.resolve()
        #: ``quality`` "draft" (640 wide, 15 fps) or "full" (the storyboard's own size and frame rate).
        self.draft = quality == "draft"
        self.allow_outside_assets = allow_outside_assets
        self.version = 0
        self.state: dict[str, Any] = {"version": 0, "status": "starting", "problems": [], "sections": []}
        self._good: dict[str, Any] = {}  # the last state with a video: kept playable beside problems
        self._peaks: dict[str, list[float]] = {}  # each scene's waveform, by its key (its sound is in it)
        self._cancel: Cancel | None = None
        self._lock = threading.Lock()
        self._warm = False  # the voice is loaded in this process
        self._outline_pool: LocalPool | None = None  # started ahead of the first outline (``start``)

    # -- what the server may serve ---------------------------------------------------------------

    @cached_property
    def root(self) -> Path:
        """The project's folder (found when first asked: ``start`` spawns the outline's worker before this process
        imports what finding it and the rest of the preview need: YAML, numpy, Pillow)."""
        from pipeline.core.assets import project_root

        return project_root(self.storyboard)

    @property
    def media_root(self) -> Path:
        """The one folder the page may read files from: this preview's own outputs and stills."""
        return self.root / "output" / ".preview"  # beside .cache: no slug can name it

    def start(self) -> None:
        """Start the workers that draw the first outline's stills now, before the storyboard is read: each takes
        0.6-0.7 s to start and import, and as long again to load a map's data (``preload.stills``), which they do
        while this process imports the rest, reads the storyboard and draws the quick stills. Closed once the
        outline is drawn."""
        from pipeline.rendering import preload

        if self._outline_pool is None and not self._good and _outline_workers():
            self._outline_pool = LocalPool(_outline_workers(), warmup=Warmup(preload.stills))
            self._outline_pool.start()

    def close(self) -> None:
        """Let go of the outline's workers, if they are still up."""
        pool, self._outline_pool = self._outline_pool, None
        if pool is not None:
            pool.close()

    # -- refreshing -------------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the refresh in progress, if any, at its next frame."""
        with self._lock:
            if self._cancel is not None:
                self._cancel.set()

    def refresh(
        self, changed: list[str] | None = None, on_outline: Callable[[dict[str, Any]], None] | None = None
    ) -> dict[str, Any]:
        """Check and render the storyboard as it is now; the new state (also kept as ``state``).

        Before the first render, ``on_outline`` is told the storyboard's outline as soon as it is checked, then
        again as each scene's still is drawn (``outline``): a cold first render takes a minute or more, and the
        page showed nothing until it was done. Raises ``Stopped`` when cancelled (the state is left as it was)."""
        import pipeline
        from pipeline.loading import storyboard
        from pipeline.loading.options import RenderOptions
        from pipeline.publishing import publish

        cancel = Cancel()
        with self._lock:
            self._cancel = cancel
        started = time.perf_counter()
        try:
            options = RenderOptions(draft=self.draft, allow_outside_assets=self.allow_outside_assets)
            if on_outline is not None and not self._good:  # before the slides are checked: that takes seconds
                loaded = storyboard.read(self.storyboard, allow_outside_assets=self.allow_outside_assets)
                if loaded.project is not None and not loaded.problems:
                    publish.make_output(self.media_root)
                    self.outline(loaded.project, options, on_outline, cancel)
            self.close()  # the render starts workers of its own
            project = pipeline.validate(self.storyboard, options)  # checked at the size the preview draws
            options = dataclasses.replace(options, output_dir=self.media_root / project.slug)
            publish.make_output(self.media_root)  # the preview's own folder, marked: its partial stills are swept
            result = pipeline.render(project, options, cancel=cancel)
            if not self._warm:  # the first render narrated on a pool: the next save speaks here
                from pipeline.narration.speech import prepared_voices

                _warm(options.engines(project), prepared_voices(options.store(project.root)))
                self._warm = True
            state = self._described(project, result)
            state["changed"] = result.scenes_rendered
            self._good = state
        except StoryboardError as exc:
            state = self._broken([self._problem(p) for p in exc.problems])
        except Stopped:
            raise
        except ExplainerError as exc:
            state = self._broken([{"message": str(exc), "lines": []}])
        finally:
            self.close()
            with self._lock:
                if self._cancel is cancel:
                    self._cancel = None
        return self._settled(state, time.perf_counter() - started, changed or [])

    def outline(self, project, options, tell: Callable[[dict[str, Any]], None], cancel: Cancel | None = None) -> None:
        """Tell ``tell`` the storyboard as the page shows it before anything is spoken or encoded: sections, scenes
        and their narration at once, then again as each scene's settled still is drawn (stills need no narration;
        a few at a time, at most every OUTLINE_EVERY seconds). Scenes have no times yet, and there is no video.
        ``project`` may not be checked yet: a scene that cannot be drawn is left without its still."""
        from pipeline.core import cache
        from pipeline.narration.sentences import split
        from pipeline.publishing import publish

        shape = options.frame(project.storyboard.video)
        width = min(OUTLINE_WIDTH, shape.width)
        frame = dataclasses.replace(shape, width=width, height=round(width * shape.height / shape.width / 2) * 2)
        folder = self.media_root / project.slug / "stills" / "outline"
        folder.mkdir(parents=True, exist_ok=True)
        publish.remove_partials(folder.iterdir())  # a still a killed preview left half-written
        sections: list[dict[str, Any]] = []
        drawn: list[tuple[dict[str, Any], Any]] = []
        for entry in project.entries():
            if not sections or sections[-1]["number"] != entry.section_number:
                sections.append({"number": entry.section_number, "title": entry.section_title, "scenes": []})
            said = [{"text": text, "start": None, "end": None} for text in split(entry.scene.narration or "")]
            scene = {"id": entry.id, "kind": entry.scene.slide.kind, "index": entry.index, "start": None,
                     "duration": None, "still": None, "reveals": [], "waveform": [], "sentences": said}  # fmt: skip
            sections[-1]["scenes"].append(scene)
            drawn.append((scene, entry))
        state = {"status": "outline", "problems": [], "title": project.storyboard.title, "slug": project.slug,
                 "duration": None, "size": [shape.width, shape.height], "video": None, "chapters": [],
                 "sections": sections}  # fmt: skip
        tell(self._settled(dict(state), 0.0, []))
        told = time.perf_counter()
        scenes = {entry.id: scene for scene, entry in drawn}
        found = _stills(project, frame, [entry for _, entry in drawn], self._outline_pool)
        for done, (scene_id, data) in enumerate(found, 1):
            if cancel is not None and cancel.is_set():
                return
            if data is not None:
                path = folder / f"{scene_id}.png"
                with cache.atomic_path(path) as partial:
                    partial.write_bytes(data)
                scenes[scene_id]["still"] = f"{self._url(path)}?v={self.version + 1}"
            if time.perf_counter() - told >= OUTLINE_EVERY or done == len(drawn):
                tell(self._settled(dict(state), 0.0, []))
                told = time.perf_counter()

    def failed(self, message: str, changed: list[str]) -> dict[str, Any]:
        """The state after a refresh that failed for a reason not in the storyboard (the last video stays)."""
        return self._settled(self._broken([{"message": message, "lines": []}]), 0.0, changed)

    def _broken(self, problems: list[dict[str, Any]]) -> dict[str, Any]:
        """The last good state (its video still playable) with ``problems`` beside it."""
        return {**self._good, "status": "error", "problems": problems}

    def _settled(self, state: dict[str, Any], took: float, changed: list[str]) -> dict[str, Any]:
        """``state`` as the newest, numbered, with how long it took and the saved files that made it."""
        self.version += 1
        state.update(version=self.version, took=round(took, 2), files=changed)
        self.state = state
        return state

    # -- describing a render ----------------------------------------------------------------------

    def _described(self, project, result) -> dict[str, Any]:
        from PIL import Image

        import pipeline
        from pipeline.core import cache
        from pipeline.planning import chapters
        from pipeline.publishing import publish
        from pipeline.sound import soundtrack

        plan = result.plan
        fps = plan.fps
        stills = self.media_root / project.slug / "stills"
        stills.mkdir(parents=True, exist_ok=True)
        if publish.is_marked(self.media_root):  # a still a preview killed mid-write left
            publish.remove_partials(stills.iterdir())
        sections: list[dict[str, Any]] = []
        peaks: dict[str, list[float]] = {}
        for entry, scene in zip(project.entries(), plan.scenes, strict=True):
            if not sections or sections[-1]["number"] != entry.section_number:
                sections.append({"number": entry.section_number, "title": entry.section_title, "scenes": []})
            key = result.scene_keys[entry.id]
            # Read from the sentences' audio only for a scene whose sound is new.
            peaks[key] = self._peaks.get(key) or _peaks(soundtrack.scene_track(plan, scene), scene.duration(fps))
            still = stills / f"{key}.png"
            if not still.exists():
                frame = pipeline.still(project, plan.frame, entry, timing=scene.timing(fps))
                with cache.atomic_path(still, once=True) as partial:
                    Image.fromarray(frame).save(partial, format="PNG")
            sentences = [{"text": s.text, "start": round(s.start, 3), "end": round(s.end, 3)} for s in scene.sentences]
            reveals = [
                {"at": round(scene.sentences[n - 1].start, 3), "field": field}
                for field, n in entry.scene.slide.sentence_refs()
                if 0 < n <= len(scene.sentences)
            ]
            sections[-1]["scenes"].append({
                "id": entry.id, "kind": entry.scene.slide.kind, "index": entry.index,
                "start": round(scene.start(fps), 3), "duration": round(scene.duration(fps), 3),
                "still": self._url(still), "sentences": sentences, "reveals": reveals,
                "waveform": peaks[key],
            })  # fmt: skip
        self._peaks = peaks  # only the scenes the video has now
        return {
            "status": "ready",
            "problems": [],
            "title": project.storyboard.title,
            "slug": project.slug,
            "duration": round(plan.duration, 3),
            "size": [plan.width, plan.height],
            "video": f"{self._url(result.video)}?v={self.version + 1}",
            "chapters": [{"title": c.title, "start": round(c.start, 3)} for c in chapters.chapters(plan)],
            "sections": sections,
        }

    def _url(self, path: Path) -> str:
        return "/media/" + path.relative_to(self.media_root).as_posix()

    def _problem(self, problem) -> dict[str, Any]:
        """A located problem with the lines of its file around it (only files inside the project are read)."""
        path = Path(problem.file)
        path = path if path.is_absolute() else self.root / path
        lines: list[dict[str, Any]] = []
        if path.resolve().is_relative_to(self.root) and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            first = max(1, problem.line - CONTEXT_LINES)
            last = min(len(text), problem.line + CONTEXT_LINES)
            lines = [{"number": n, "text": text[n - 1], "here": n == problem.line} for n in range(first, last + 1)]
        shown = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(problem.file)
        return {"file": shown, "line": problem.line, "column": problem.column, "message": problem.message,
                "lines": lines}  # fmt: skip


def _warm(engines: list[str], prepared: Path) -> None:
    """Load the voices the storyboard may speak with (its engine and fallback), so that the first save is as
    quick as the next (``prepared``: the cache's folder of prepared voices, as the narration names it)."""
    from pipeline.narration.engines import ENGINES

    for engine in engines:
        with contextlib.suppress(EngineUnavailable):
            ENGINES[engine](prepared=prepared).warm()


def _peaks(samples: np.ndarray, seconds: float) -> list[float]:
    """The loudest magnitude in each 1/PEAKS_PER_SECOND s of ``samples``, 0-1, two decimals."""
    import numpy as np

    count = max(1, round(seconds * PEAKS_PER_SECOND))
    if samples.size == 0:
        return [0.0] * count
    edges = np.linspace(0, samples.size, count + 1).astype(int)
    magnitude = np.abs(samples.astype(np.float32))
    peaks = [float(magnitude[a:b].max()) if b > a else 0.0 for a, b in itertools.pairwise(edges)]
    top = max(max(peaks), 1e-9)
    return [round(p / top, 2) for p in peaks]


def _stills(project, frame, entries, started: LocalPool | None = None) -> Iterator[tuple[str, bytes | None]]:
    """Each scene's settled still as PNG data (None: it cannot be drawn), as each is done. Drawn in this process
    and on workers at once (those ``started`` ahead, else ones started now when there are OUTLINE_POOL_FROM scenes
    or more, one per core but this one's): the workers take them slowest first, this process from the other end
    (the quickest, which need no map's data), each still once, until they meet; a still that needs a map's data
    only when MAPS_HERE_FROM or more such are left (else the workers, whose tables are loaded, draw them sooner)."""
    from pipeline.rendering import stills
    from pipeline.rendering.jobs import Canvases

    canvas = Canvases().of(frame, project.theme)  # this outline's: its memo is not kept past it
    pool = started
    if pool is None and len(entries) >= OUTLINE_POOL_FROM and _outline_workers():
        pool = LocalPool(_outline_workers())
    if pool is None:
        for entry in entries:
            yield entry.id, stills.still_png(project, frame, entry.id, canvas)
        return
    try:
        queued = [(entry.id, pool.still(project, frame, entry.id)) for entry in sorted(entries, key=slowest_first)]
        waiting = dict(queued)
        mine = [scene_id for scene_id, _ in reversed(queued)]
        plain = {entry.id for entry in entries if slowest_first(entry) == PLAIN}
        while waiting:
            for scene_id, future in list(waiting.items()):
                if future.done() and not future.cancelled():
                    del waiting[scene_id]
                    yield scene_id, future.result()
            while mine and mine[0] not in waiting:
                mine.pop(0)
            maps_left = sum(1 for scene_id in waiting if scene_id not in plain)
            if mine and (mine[0] in plain or maps_left >= MAPS_HERE_FROM) and waiting[mine[0]].cancel():
                del waiting[mine[0]]  # no worker has taken it: drawn here
                yield mine[0], stills.still_png(project, frame, mine.pop(0), canvas)
            elif waiting:
                mine.clear()  # the workers have taken the rest, or only a few maps are left, theirs
                wait(waiting.values(), return_when=FIRST_COMPLETED)
    finally:
        pool.close()


def _outline_workers() -> int:
    """Worker processes for the outline's stills: one per core but one, as this process draws them too."""
    return (os.cpu_count() or 1) - 1


def slowest_first(entry) -> int:
    """Where a scene's still goes in the workers' queue: a map or a route first (each loads its data and draws
    the most), then a slide that stands on a map or has one beside its text, then the rest in order."""
    slide = entry.scene.slide
    if slide.kind in MAPS_FIRST:
        return 0
    beside = [getattr(slide, field, None) for field in ("backdrop", "visual")]
    return 1 if any(getattr(part, "map", None) is not None for part in beside) else PLAIN
