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
    #: For a word-by-word cue (one line): each word of it and when it is spoken, on the cue's clock.
    words: tuple[tuple[str, float, float], ...] = ()

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def spoken_at(self, t: float) -> int | None:
        """The index of the word being said at ``t`` (the last one begun), or None before the first."""
        begun = [i for i, (_, start, _) in enumerate(self.words) if start <= t]
        return begun[-1] if begun else None

    def key(self) -> list:
        """The cue as plain data, for cache keys."""
        return [self.start, self.end, list(self.lines), [list(w) for w in self.words]]
