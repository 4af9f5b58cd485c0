"""A caption cue: lines of text on screen between two times. No dependencies, so drawing can use it.

Cues follow common subtitle practice: at most ``MAX_LINES`` lines of at most
``MAX_CHARS`` characters (a format profile may ask for shorter lines).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CHARS = 42
MAX_LINES = 2


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def key(self) -> list:
        """The cue as plain data, for cache keys."""
        return [self.start, self.end, list(self.lines)]
