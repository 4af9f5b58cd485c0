"""Each scene's timing for lint: measured where a render or the narration cache has it, else estimated.

Three sources, best first, sentence by sentence:

1. the last render's ``render.json`` (output/<slug>/), for a scene whose narration, spoken
   sentences and speed are unchanged since, when its engine is one this storyboard's render
   may use: each sentence's real length and where its first and last words fall in it;
2. the narration cache (output/.cache/ or ``cache_dir``): a sentence synthesized before has its
   audio there under the key a render would look up (its spoken text and the engine's identity
   for its voice), and its word times beside it;
3. an estimate, from the engine's ``words_per_minute``: the voice is taken to say syllables at a
   steady rate, ``words_per_minute`` x SYLLABLES_PER_WORD a minute, divided by the voice's
   ``speed``. (Syllables, not words: measured on the shipped video, an estimate by syllables is
   off by 9% a sentence on average, one by words by 17%, because "organisations" takes longer
   than "the".)

The engine is the one a render would use (``LintOptions.engine``, else the storyboard's
``engine`` and its ``fallback``): the render's engine when its render.json is current, else the
first of them with sentences in the cache. Estimates need an offline engine's measured rate:
an online-only engine (gtts, whose rate cannot be measured offline) is estimated as its
``fallback`` speaks, or as piper when it has none, since that is what speaks when it cannot.

The sentences are then laid out as the timeline lays them out (timeline.py), with the
storyboard's lead-in, gap and tail as they are now: a pause written in the narration replaces
the gap where it stands, or adds to the lead-in or tail at either end.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import cache
from pipeline.core.audio import RATE
from pipeline.core.errors import RenderError
from pipeline.drawing.slides.problems import SlideError
from pipeline.lint.options import LintOptions
from pipeline.loading.options import RenderOptions
from pipeline.loading.storyboard import Project, SceneEntry
from pipeline.narration import speech
from pipeline.narration import words as words_
from pipeline.narration.engines import ENGINES
from pipeline.narration.engines.base import VoiceIdentity, VoiceSettings
from pipeline.narration.sentences import Pause
from pipeline.planning import scenes, script
from pipeline.planning.timeline import Pacing, lay_out

#: Syllables (``words.syllables`` of the spoken form) per written word in the shipped video's narration, where
#: the engines' ``words_per_minute`` were measured: 1,530 in 974 words. Turns a rate in words into syllables.
SYLLABLES_PER_WORD = 1.57
#: Trimmed sentence audio keeps 40 ms before its first word and after its last (audio.trim).
MARGIN = 0.04

Source = str  # "render" | "cache" | "estimate"


@dataclass(frozen=True)
class Sentence:
    #: The sentence's audio length in seconds, and where its first word starts and its last ends in it.
    seconds: float
    first: float
    last: float
    #: Words the voice says (its spoken form: numbers in words, the lexicon applied; "D M Z" is one word).
    words: int
    source: Source


@dataclass(frozen=True)
class SceneTime:
    entry: SceneEntry
    #: Seconds of the scene: its lead-in, sentences, gaps, pauses and tail (a silent clip: its cut).
    duration: float
    #: When its first word starts and its last word ends, in seconds from the scene's start (None: no narration).
    first: float | None
    last: float | None
    #: Words the voice says in the scene.
    words: int
    #: Where its sentence times come from: "render", "cache" or "estimate" (the least sure of its sentences).
    source: Source
    #: The engine whose voice the times are of.
    engine: str

    @property
    def measured(self) -> bool:
        return self.source != "estimate"


@dataclass(frozen=True)
class Timings:
    scenes: list[SceneTime]
    #: The engine estimates are made for, and its rate in words a minute at speed 1.
    estimate_engine: str
    words_per_minute: float

    def summary(self) -> str:
        """Where the scenes' times come from, for a note: "33 scenes measured in the last render (piper)"."""
        said = {"render": "measured in the last render", "cache": "measured in the narration cache"}
        counts = {source: sum(s.source == source for s in self.scenes) for source in ("render", "cache", "estimate")}
        engines = sorted({s.engine for s in self.scenes if s.measured})
        parts = [f"{n} {said[source]}" for source, n in counts.items() if n and source in said]
        if parts and engines:
            parts[-1] += f" ({', '.join(engines)})"
        if counts["estimate"]:
            parts.append(
                f"{counts['estimate']} estimated for {self.estimate_engine} at {self.words_per_minute:g} words a minute"
            )
        return "scene times: " + ", ".join(parts)


def chain(project: Project, options: LintOptions) -> list[str]:
    """The engines a render of ``project`` tries, in order (as ``render --engine`` and the storyboard say)."""
    return RenderOptions(engine=options.engine).engines(project)


def estimate_engine(engines: list[str]) -> str:
    """The offline engine whose measured rate estimates the narration: the first offline engine a render would
    try, else piper (what speaks when an online-only engine cannot)."""
    for name in engines:
        if not ENGINES[name].online and ENGINES[name].words_per_minute:
            return name
    return "piper"


def scene_times(project: Project, options: LintOptions) -> Timings:
    engines = chain(project, options)
    guess = estimate_engine(engines)
    wpm = ENGINES[guess].words_per_minute or ENGINES["piper"].words_per_minute or 183.0
    store = cache.Store(RenderOptions(cache_dir=options.cache_dir).cache_root(project.root))
    report_path = (options.output_dir or project.output_dir) / "render.json"
    rendered, rendered_engine = _rendered(report_path, engines) if options.measured else ({}, None)
    lines = {entry.id: script.lines(project, entry.scene) for entry in project.entries()}
    spoken_by = rendered_engine or (_cached_engine(engines, lines, store) if options.measured else None) or guess
    paced = scenes.pacings(project)
    out = []
    for entry in project.entries():
        parts = lines[entry.id]
        found = rendered.get(entry.id)
        said = [sentence for _, _, sentence in found] if found is not None and _same(found, parts) else None
        sentences: list[Sentence | Pause] = []
        for part in parts:
            if isinstance(part, Pause):
                sentences.append(part)
                continue
            sentence = said.pop(0) if said else None
            if sentence is None and options.measured:
                sentence = _from_cache(part, spoken_by, store)
            sentences.append(sentence or _estimated(part, wpm))
        engine = spoken_by if _all_measured(sentences) else guess
        out.append(_lay_out(project, entry, sentences, engine, paced[entry.id]))
    return Timings(out, guess, wpm)


def _all_measured(parts: list[Sentence | Pause]) -> bool:
    return all(p.source != "estimate" for p in parts if isinstance(p, Sentence))


def _lay_out(
    project: Project, entry: SceneEntry, parts: list[Sentence | Pause], engine: str, pacing: Pacing
) -> SceneTime:
    """The scene's sentences placed as the render's plan places them (timeline.lay_out)."""
    said = [part for part in parts if isinstance(part, Sentence)]
    own = None if said else _own_seconds(project, entry)  # probing a clip only where its length is the scene's
    starts, duration = lay_out(parts, pacing, own)
    first = starts[0] + said[0].first if said else None
    last = starts[-1] + said[-1].last if said else None
    sources = [part.source for part in said]
    source = "estimate" if "estimate" in sources or not sources else "cache" if "cache" in sources else "render"
    return SceneTime(entry, duration, first, last, sum(p.words for p in said), source, engine)


def _own_seconds(project: Project, entry: SceneEntry) -> float | None:
    try:
        return scenes.own_seconds(project, entry)
    except (RenderError, SlideError, OSError, ValueError):  # a clip that cannot be probed: validate said why
        return None


def _spoken_words(line: speech.Line) -> int:
    return spoken_words(line.spoken)


def spoken_words(text: str) -> int:
    """Words a listener hears in ``text`` as the voice says it: whitespace words, a run of spelled letters
    ("D M Z", from a lexicon entry) counting as the one word it is."""
    count, letters = 0, False
    for word in text.split():
        bare = re.sub(r"['’]s$", "", word.strip('.,;:!?"()'))
        letter = len(bare) == 1 and bare.isalpha() and bare.isupper()
        if not (letter and letters):
            count += 1
        letters = letter
    return count


def _estimated(line: speech.Line, wpm: float) -> Sentence:
    """A sentence's length from its syllables at the engine's steady rate and the voice's speed."""
    syllables = sum(words_.syllables(word) for word in line.spoken.split())
    per_second = wpm * SYLLABLES_PER_WORD / 60 * (line.voice.speed or 1.0)
    seconds = syllables / per_second + 2 * MARGIN
    return Sentence(seconds, MARGIN, seconds - MARGIN, _spoken_words(line), "estimate")


def _from_cache(line: speech.Line, engine: str, store: cache.Store) -> Sentence | None:
    """The sentence as the cache holds it for ``engine`` (its audio's length, its word times), if it does."""
    audio, times = speech.entry(store, line.spoken, _identity(engine, line.voice))
    size = cache.checked_size(audio)
    if not size:
        return None
    seconds = size / 4 / RATE  # float32 samples
    said = speech.read_words(times)
    if said:
        first, last = said[0].start, said[-1].end
    else:
        first, last = MARGIN, seconds - MARGIN
    return Sentence(seconds, first, max(first, last), _spoken_words(line), "cache")


@functools.cache
def _identity(engine: str, voice: VoiceSettings) -> VoiceIdentity:
    return ENGINES[engine]().identity(voice)


def _cached_engine(engines: list[str], lines: dict[str, list], store: cache.Store) -> str | None:
    """The first engine of ``engines`` with any of the storyboard's sentences in the cache."""
    for name in engines:
        for parts in lines.values():
            for part in parts:
                if (
                    not isinstance(part, Pause)
                    and speech.entry(store, part.spoken, _identity(name, part.voice))[0].exists()
                ):
                    return name
    return None


def _rendered(path: Path, engines: list[str]) -> tuple[dict[str, list], str | None]:
    """Per scene id, the last render's scene (its narration, voice and sentences), when a render.json is there,
    readable, and made by an engine this storyboard's render may use."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        engine = data["engine"]["engine"]
        scenes = {scene["id"]: scene for scene in data["scenes"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}, None
    if engine not in engines:
        return {}, None
    out = {}
    for scene_id, scene in scenes.items():
        try:
            out[scene_id] = [
                (
                    sentence["spoken"],
                    (scene.get("voice") or {}).get("speed"),
                    Sentence(
                        float(sentence["end"]) - float(sentence["start"]),
                        float(sentence["words"][0][1]) - float(sentence["start"]),
                        float(sentence["words"][-1][2]) - float(sentence["start"]),
                        spoken_words(str(sentence["spoken"])),
                        "render",
                    ),
                )
                for sentence in scene["sentences"]
            ]
        except (KeyError, TypeError, ValueError, IndexError):
            continue
    return out, engine


def _same(found: list, parts: list) -> bool:
    """The rendered sentences are the ones the storyboard now says, at the same speed."""
    lines = [p for p in parts if not isinstance(p, Pause)]
    if len(found) != len(lines):
        return False
    return all(
        spoken == line.spoken and (speed is None or abs(float(speed) - line.voice.speed) < 1e-9)
        for (spoken, speed, _), line in zip(found, lines, strict=True)
    )
