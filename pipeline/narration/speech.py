"""Stage: synthesize every sentence, once, with one engine for the whole video.

Audio is cached per sentence under a key made of the spoken text (after the
lexicon) and the engine's identity for that sentence's voice (engine, voice,
version, language, speed), so editing one sentence re-synthesizes only that
sentence, and changing engine or voice redoes all. Entries carry a checksum:
a damaged or half-written one is redone, never used.

The engine is chosen once per render: if the storyboard's engine cannot run
(gTTS offline), its fallback speaks the whole video, never a mix of engines.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.core import cache
from pipeline.core.audio import RATE, decode, speech_span
from pipeline.core.errors import EngineUnavailable, RenderError
from pipeline.narration import words as words_
from pipeline.narration.engines import ENGINES
from pipeline.narration.engines.base import Engine, Spoken, VoiceIdentity, VoiceSettings
from pipeline.narration.jobs import Speaker, SpeechJob
from pipeline.narration.sentences import Pause
from pipeline.narration.words import Word

#: Bump when decoding or trimming changes, so cached audio is redone.
AUDIO_FORMAT = "f32-48k-mono-trim45/2"


@dataclass(frozen=True)
class Line:
    """One sentence: as written (what captions show), as spoken, and in which voice."""

    text: str
    spoken: str
    voice: VoiceSettings
    #: Each written word as the engine is given it alone (for mapping spoken word times back to written words).
    alone: tuple[str, ...] = ()


@dataclass(frozen=True)
class SentenceAudio:
    text: str
    spoken: str
    path: Path
    samples: int
    #: The engine's identity for this sentence's voice (engine, voice, version, language, speed).
    voice: VoiceIdentity
    #: Seconds spent synthesizing it in this run (0 when it came from the cache).
    made_in: float = 0.0
    #: Each written word and when it is spoken, in seconds from the start of this audio.
    words: tuple[Word, ...] = ()
    #: Whether the engine reported the word times or they were spread over the sentence by syllables.
    word_source: words_.Source = "estimated"

    @property
    def seconds(self) -> float:
        return self.samples / RATE


@dataclass(frozen=True)
class Narration:
    #: Who speaks the video (the engine's identity for the video's own voice).
    engine: VoiceIdentity
    #: Why the first-choice engine was not used, when a fallback spoke instead.
    fallback_reason: str | None
    #: Per scene, its sentences' audio and its pauses, in order.
    scenes: tuple[tuple[SentenceAudio | Pause, ...], ...]
    synthesized: int
    notes: tuple[str, ...] = field(default=())


#: Hears a scene as soon as its sentences are spoken: its index, its sentences and pauses, and whether the
#: executor's workers are speaking the narration (so they are up, and a scene sent to them starts at once).
OnScene = Callable[[int, tuple[SentenceAudio | Pause, ...], bool], None]


def speak(
    scenes: list[list[Line | Pause]],
    engines: list[str],
    default: VoiceSettings,
    store: cache.Store,
    on_sentence: Callable[[], None] = lambda: None,
    executor: Speaker | None = None,
    on_scene: OnScene = lambda index, said, on_workers: None,
) -> Narration:
    """Speak ``scenes`` with the first engine in ``engines`` that works (``default``: the video's voice).

    An offline engine speaks the sentences the cache lacks on ``executor``'s workers when it has any and finds
    them worth sending (its sound is the same in any process: piper's noise is seeded by each sentence).
    ``on_scene`` hears each scene as soon as its sentences are spoken, in order (see OnScene)."""
    reason: str | None = None
    for position, name in enumerate(engines):
        engine = ENGINES[name](prepared=prepared_voices(store))
        ahead: dict[tuple[str, VoiceIdentity], Spoken | Future[Spoken]] = {}
        try:
            ahead = _ahead(engine, scenes, store, executor)
            return _speak(engine, scenes, default, store, on_sentence, reason, ahead, on_scene)
        except EngineUnavailable as exc:
            for pending in ahead.values():  # what this engine was still to say on the workers
                if isinstance(pending, Future):
                    pending.cancel()
            if position == len(engines) - 1:
                if engine.online:
                    offline = [n for n, cls in ENGINES.items() if not cls.online]
                    raise EngineUnavailable(
                        f"{exc}. Render offline with '--engine {offline[0]}', or add 'fallback: {offline[0]}' "
                        "under 'narration' in the storyboard"
                    ) from None
                raise
            reason = f"{exc}; narrating the whole video with {engines[position + 1]} instead"
    raise AssertionError("no engines given")


def _speak(
    engine: Engine,
    scenes: list[list[Line | Pause]],
    default: VoiceSettings,
    store: cache.Store,
    on_sentence: Callable[[], None],
    reason: str | None,
    ahead: dict[tuple[str, VoiceIdentity], Spoken | Future[Spoken]],
    on_scene: OnScene,
) -> Narration:
    out = []
    made = 0
    missing: set[str] = set()
    for index, parts in enumerate(scenes):
        spoken: list[SentenceAudio | Pause] = []
        for part in parts:
            if isinstance(part, Pause):
                spoken.append(part)
                continue
            if part.voice.voice and part.voice.voice not in engine.voices:
                missing.add(part.voice.voice)
            identity = engine.identity(part.voice)
            path, times = entry(store, part.spoken, identity)
            data = store.read_checked(path)
            said = read_words(times, store)
            started = time.perf_counter()
            made_in = 0.0
            if data is None or (said is None and engine.reports_words):
                result = ahead.get((part.spoken, identity)) or engine.speak(part.spoken, part.voice)
                if isinstance(result, Future):  # being spoken on a worker
                    result = result.result()
                tempo = engine.tempo(part.voice)
                raw = decode(result.audio, tempo=tempo)
                first, last = speech_span(raw)
                ours = raw[first:last].astype("<f4").tobytes()
                if data is None:
                    data = store.write_once_checked(path, ours)  # what is stored (here or shared) is used
                # The words are this take's: kept only when this take is the stored audio (another render may
                # have stored its own meanwhile, or an engine may not say a sentence the same way twice).
                if result.words is not None and data == ours:
                    said = words_.shifted(result.words, tempo, first / RATE, (last - first) / RATE)
                    cache.write_checked(times, json.dumps(words_.to_json(said)).encode())
                    store.share(times)
                made += 1
                made_in = time.perf_counter() - started
            samples = len(data) // 4
            source: words_.Source = "engine" if said is not None else "estimated"
            heard = said if said is not None else words_.estimate(part.spoken, samples / RATE)
            written = words_.written(part.text, heard, part.alone or tuple(part.text.split()))
            spoken.append(SentenceAudio(part.text, part.spoken, path, samples, identity, made_in, written, source))
            on_sentence()
        out.append(tuple(spoken))
        on_scene(index, out[-1], bool(ahead))
    notes = tuple(
        f"{engine.name} has no '{name}' voice; those scenes use its '{engine.voice_name(VoiceSettings())}' voice "
        f"(it has: {', '.join(engine.voices)})"
        for name in sorted(missing)
    )
    return Narration(engine.identity(default), reason, tuple(out), made, notes)


def _ahead(
    engine: Engine, scenes: list[list[Line | Pause]], store: cache.Store, executor: Speaker | None
) -> dict[tuple[str, VoiceIdentity], Spoken | Future[Spoken]]:
    """The sentences the cache lacks, spoken by ``executor``'s workers (every core here, or a cluster's workers),
    by (spoken text, voice), or a future of each (the local pool's, in the order they are needed); empty when an
    online engine speaks (its time is the network's), or the executor finds too few to repay sending them out."""
    speak = getattr(executor, "speak", None)  # optional: an executor that only draws leaves narration here
    if speak is None or engine.online:
        return {}
    todo: dict[tuple[str, VoiceIdentity], SpeechJob] = {}
    for parts in scenes:
        for part in parts:
            if isinstance(part, Pause):
                continue
            identity = engine.identity(part.voice)
            path, times = entry(store, part.spoken, identity)
            # Only whether the entries are there: reading and checking them is _speak's (a damaged one is redone
            # there), and reading every entry twice cost a render with nothing changed 0.3 s.
            if not store.has(path) or (engine.reports_words and not store.has(times)):
                job = SpeechJob(part.spoken, part.voice, identity, engine.prepared)
                todo.setdefault((part.spoken, identity), job)
    spoken = speak(engine.name, list(todo.values())) if todo else None
    return dict(zip(todo, spoken, strict=True)) if spoken is not None else {}


def prepared_voices(store: cache.Store) -> Path:
    """Where engines keep what they prepare from their models in the cache ``store`` (its local folder)."""
    return store.root / "voices"


def entry(store: cache.Store, spoken: str, identity: VoiceIdentity) -> tuple[Path, Path]:
    """Where a sentence said by ``identity`` is cached: its audio (mono float32 at RATE, checked) and its words."""
    digest = cache.key({"text": spoken, "voice": identity.key(), "format": AUDIO_FORMAT})
    return store.path("audio", digest, ".f32"), store.path("words", digest, ".json")


def read_words(path: Path, store: cache.Store | None = None) -> tuple[Word, ...] | None:
    """Word times kept beside a sentence's audio, or None when there are none (or they are damaged); fetched
    from ``store``'s shared tier when it has one."""
    data = store.read_checked(path) if store else cache.read_checked(path)
    try:
        return None if data is None else words_.from_json(json.loads(data))
    except (ValueError, TypeError):
        return None


def load_samples(sentence: SentenceAudio) -> np.ndarray:
    """The sentence's samples (mono float32 at RATE), checked against their checksum."""
    data = cache.read_checked(sentence.path)
    if data is None:
        raise RenderError(f"the narration cache entry {sentence.path} was damaged during the render; render again")
    return np.frombuffer(data, dtype="<f4")
