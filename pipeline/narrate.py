"""Stage: synthesize every sentence, once, with one engine for the whole video.

Audio is cached per sentence under a key made of the text and the engine's
identity (engine, voice, version, language, speed), so editing one sentence
re-synthesizes only that sentence, and changing engine or voice redoes all.
The engine is chosen once per render: if the storyboard's engine cannot run
(gTTS offline), its fallback speaks the whole video, never a mix of voices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline import cache
from pipeline.errors import EngineUnavailable
from pipeline.narration import ENGINES
from pipeline.narration.audio import RATE, decode, trim
from pipeline.narration.base import VoiceSettings

#: Bump when decoding or trimming changes, so cached audio is redone.
AUDIO_FORMAT = "f32-48k-mono-trim45/1"


@dataclass(frozen=True)
class SentenceAudio:
    text: str
    path: Path
    samples: int

    @property
    def seconds(self) -> float:
        return self.samples / RATE


@dataclass(frozen=True)
class Narration:
    engine: dict[str, Any]
    #: Why the first-choice engine was not used, when a fallback spoke instead.
    fallback_reason: str | None
    scenes: tuple[tuple[SentenceAudio, ...], ...]
    synthesized: int


def narrate(
    scenes: list[list[str]],
    engines: list[str],
    settings: VoiceSettings,
    store: cache.Store,
    on_sentence: Callable[[], None] = lambda: None,
) -> Narration:
    """Speak ``scenes`` (each a list of sentences) with the first engine in ``engines`` that works."""
    reason: str | None = None
    for position, name in enumerate(engines):
        engine = ENGINES[name](settings)
        try:
            return _speak(engine, scenes, store, on_sentence, reason)
        except EngineUnavailable as exc:
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


def _speak(engine, scenes, store, on_sentence, reason) -> Narration:
    identity = engine.identity()
    out = []
    made = 0
    for sentences in scenes:
        spoken = []
        for text in sentences:
            path = store.path("audio", cache.key({"text": text, "voice": identity, "format": AUDIO_FORMAT}), ".npy")
            samples = _cached(path)
            if samples is None:
                samples = trim(decode(engine.synthesize(text), tempo=engine.tempo))
                with cache.atomic_path(path) as tmp, tmp.open("wb") as f:
                    np.save(f, samples.astype(np.float32))
                made += 1
            spoken.append(SentenceAudio(text, path, int(samples.size)))
            on_sentence()
        out.append(tuple(spoken))
    return Narration(identity, reason, tuple(out), made)


def _cached(path: Path) -> np.ndarray | None:
    """The cached samples, or None when missing or unreadable (then they are redone)."""
    if not path.exists():
        return None
    try:
        samples = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError):
        return None
    if samples.dtype != np.float32 or samples.ndim != 1:
        return None
    return samples


def load_samples(sentence: SentenceAudio) -> np.ndarray:
    return np.load(sentence.path, allow_pickle=False)
