"""What the voice may be given: limits on what narration says, and the bounded pieces an engine speaks it in.

Piper's memory grows with what one call of its model says, a little faster than linearly (one process, at speed
1.0: 120 phonemes peaked at 297 MB, 348 at 527 MB, 689 at 887 MB, 1,379 at 1,645 MB; a 5,900-character sentence
at 11.3 GB), and twice as fast at speed 0.5, where the model makes twice the frames (348 phonemes: 849 MB). So:

- an engine speaks a long sentence in pieces (``pieces``), split at clause breaks nearest its middle, else at
  spaces, so one call of piper's model never says more than ``MODEL_PHONEMES`` at speed 1.0 (fewer when slower),
  whatever it is given: about 600 MB for the process that speaks, a pool's two workers 1.2 GB at most.

A sentence within the budget is spoken in one piece, as before: its sound, and its cache entry, are unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Most phonemes one call of the voice's model says at speed 1.0 (times the speed below it): about 20 seconds of
#: speech, a 600 MB peak for the process. The longest sentence of the shipped video has 173.
MODEL_PHONEMES = 400

#: Where a sentence may be broken with its meaning kept: after a comma, semicolon, colon, full stop, question or
#: exclamation mark, ellipsis or dash, or before a dash.
_BREAK = re.compile(r"(?<=[,;:.!?…—–])\s+|\s+(?=[—–])")
_SPACE = re.compile(r"\s+")


def model_phonemes(speed: float) -> int:
    """Most phonemes one call of the model may say at ``speed`` (slower speech makes more frames of each)."""
    return max(1, int(MODEL_PHONEMES * min(1.0, speed)))


def clauses(text: str) -> list[str]:
    """The clauses of ``text``: its words between breaks, each with the punctuation that ends it."""
    return [part for part in _BREAK.split(text) if part.strip()]


def pieces(text: str, fits: Callable[[str], bool]) -> list[str]:
    """``text`` in pieces that each ``fits``: whole when it does; else cut at the clause break nearest its middle,
    or the space nearest it when it has no break, or its middle when it has no space, and so on, in order."""
    if fits(text) or len(text) <= 1:
        return [text]
    cut = _cut(text)
    return [piece for part in (text[:cut], text[cut:]) if part.strip() for piece in pieces(part.strip(), fits)]


def _cut(text: str) -> int:
    middle = len(text) / 2
    for pattern in (_BREAK, _SPACE):
        places = [m.end() for m in pattern.finditer(text) if m.start() > 0 and m.end() < len(text)]
        if places:
            return min(places, key=lambda at: abs(at - middle))
    return len(text) // 2
