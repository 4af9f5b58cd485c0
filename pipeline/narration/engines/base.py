"""The interface every text-to-speech engine implements.

An engine turns one sentence into encoded audio bytes and says who it is
(``identity``): everything that changes its output, so the narration cache
can key on it. Engines import their heavy libraries when first used.

Voices are named by accent (``us``, ``uk``, ...) so a storyboard can ask for
"another voice" without knowing each engine's own ids; each engine maps the
names it has to its own voice and uses its first one by default.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from pipeline.narration.words import Word


@dataclass(frozen=True)
class VoiceSettings:
    language: str = "en"
    speed: float = 1.0
    #: A voice name from the engine's ``voices`` (None: the engine's default voice).
    voice: str | None = None


@dataclass(frozen=True)
class VoiceIdentity:
    """Who speaks: everything that changes an engine's sound for one voice setting (part of audio cache keys)."""

    engine: str
    #: The engine's own voice id.
    voice: str
    #: Versions of the engine and its voice model.
    version: str
    language: str
    speed: float

    def key(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Spoken:
    """A sentence as an engine spoke it: the encoded audio, and the words it spoke with their times in
    that audio when the engine reports them (None: it does not, and they are estimated)."""

    audio: bytes
    words: tuple[Word, ...] | None = None


class Engine(ABC):
    """A text-to-speech engine. ``prepared``: a folder of this tool's cache where the engine may keep what it
    prepares from its model, so that later processes load it faster (None: prepared in memory each time)."""

    name: ClassVar[str]
    #: True when the engine needs the internet (the CLI says so when it is picked).
    online: ClassVar[bool] = False
    #: True when ``speak`` reports word times (and speaking again gives the same audio, so a sentence cached
    #: before word times were kept can be spoken again for them).
    reports_words: ClassVar[bool] = False
    #: Voice name -> the engine's own voice id; the first one is the default.
    voices: ClassVar[dict[str, str]]
    #: How fast its default voice speaks at speed 1.0, in words a minute from a sentence's first word to its
    #: last (gaps between sentences not counted), as measured here; None where it cannot be measured offline.
    words_per_minute: ClassVar[float | None] = None

    def __init__(self, prepared: Path | None = None):
        self.prepared = prepared

    def voice_name(self, settings: VoiceSettings) -> str:
        """The voice this engine uses for ``settings`` (its default when it lacks the one asked for)."""
        if settings.voice in self.voices:
            return settings.voice
        return next(iter(self.voices))

    @abstractmethod
    def identity(self, settings: VoiceSettings) -> VoiceIdentity:
        """Engine name, voice, version, language, speed: every input to its sound."""

    @abstractmethod
    def synthesize(self, text: str, settings: VoiceSettings) -> bytes:
        """One sentence as an encoded audio file (any format ffmpeg reads).

        Raises EngineUnavailable when the engine cannot run here.
        """

    def speak(self, text: str, settings: VoiceSettings) -> Spoken:
        """The sentence and, where the engine knows them, its words' times (engines that do override this)."""
        return Spoken(self.synthesize(text, settings))

    def tempo(self, settings: VoiceSettings) -> float:
        """Speed-up the decoder applies, for engines that cannot set their own rate."""
        return 1.0

    def warm(self) -> None:
        """Load what speaking needs before the first sentence is asked for (a process that lives on, like the
        preview's, does it while the author writes). Nothing by default."""
        return None

    def release(self) -> None:
        """Let go of what ``warm`` or speaking loaded, in a process that speaks no more (a worker going on to draw
        scenes). Nothing by default."""
        return None
