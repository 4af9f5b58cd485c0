"""A scene's timing as the slides see it: when each sentence and word starts, and how long the scene lasts.

Plain data with no dependencies: the plan makes it, slides and scene jobs read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SceneTiming:
    #: Start times (seconds from the scene's start) of its narrated sentences.
    sentence_starts: tuple[float, ...] = ()
    #: The scene's length in seconds (0 when not planned yet, e.g. for a settled still).
    duration: float = 0.0
    #: Each written word of the narration and when it is said (seconds from the scene's start).
    words: tuple[tuple[str, float], ...] = ()

    def key(self) -> list:
        """The timing as plain data, for cache keys. Not the words: they follow from the sentences' audio, which a
        scene's key names already."""
        return [list(self.sentence_starts), self.duration]
