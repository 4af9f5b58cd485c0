"""The interface every text-to-speech engine implements.

An engine turns one sentence into encoded audio bytes and says who it is
(``identity``): everything that changes its output, so the narration cache
can key on it. Engines import their heavy libraries when first used.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class VoiceSettings:
    language: str = "en"
    speed: float = 1.0


class Engine(ABC):
    name: ClassVar[str]
    #: True when the engine needs the internet (the CLI says so when it is picked).
    online: ClassVar[bool] = False

    def __init__(self, settings: VoiceSettings):
        self.settings = settings

    @abstractmethod
    def identity(self) -> dict[str, Any]:
        """Engine name, voice, version, language, speed: every input to its sound."""

    @abstractmethod
    def synthesize(self, text: str) -> bytes:
        """One sentence as an encoded audio file (any format ffmpeg reads).

        Raises EngineUnavailable when the engine cannot run here.
        """

    @property
    def tempo(self) -> float:
        """Speed-up the decoder applies, for engines that cannot set their own rate."""
        return 1.0
