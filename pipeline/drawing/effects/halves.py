"""What every transition that moves shares: its two halves, each drawn from its own scene's frames alone.

Scenes are encoded apart, in parallel, so a transition between two of them is two halves: the outgoing scene's
last ``half`` seconds and the incoming scene's first, neither of which sees the other scene. They are drawn as one
movement all the same: ``course(t)`` places a frame on it, from 0 where the outgoing half begins, through 1 at the
cut, to 2 where the incoming half ends, so what the outgoing scene does up to the cut the incoming one carries on
from it. A frame outside the halves is given back as it came, the very same array (the encoder sees a hold by
identity). The scene's frames and their times are never changed: only what they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from pipeline.drawing.slides.theme import Theme

#: The longest a whip, wipe or zoom takes at each side, whatever the theme's ``transition.seconds``: they are cuts
#: with a move in them, and only their frames are drawn again.
MOST = 0.25


@dataclass(frozen=True)
class Halves:
    #: Seconds of each half (at most a quarter of the scene).
    half: float
    #: The scene's length in seconds.
    duration: float
    #: Whether the scene has this transition at its start and at its end.
    ends: tuple[bool, bool] = (True, True)
    #: Whether it moves the picture: a layered scene then draws its whole picture in these frames (joins.py).
    moves: ClassVar[bool] = False

    @classmethod
    def for_theme(cls, theme: Theme, duration: float, ends: tuple[bool, bool] = (True, True)) -> Self | None:
        """The transition for a ``duration``-second scene at the ``ends`` that have it (None when neither does)."""
        half = min(theme.transition.seconds / 2, MOST, duration / 4)
        if not any(ends) or half <= 0:
            return None
        return cls(half, duration, ends, **cls.styled(theme))

    @classmethod
    def styled(cls, theme: Theme) -> dict[str, object]:
        """What the transition takes from the theme besides its length (a colour)."""
        return {}

    def course(self, t: float) -> float | None:
        """Where the frame at ``t`` is in the transition: 0-1 over the scene's last ``half`` (the outgoing half),
        1-2 over its first (the incoming half); None outside both."""
        into, out_of = self.ends
        if into and t < self.half:
            return 1.0 + max(t, 0.0) / self.half
        start = self.duration - self.half
        if out_of and t > start:
            return min(1.0, (t - start) / self.half)
        return None

    def touches(self, t: float) -> bool:
        """Whether the frame at ``t`` is changed."""
        return self.course(t) is not None
