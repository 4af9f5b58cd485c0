"""What the voice may be given: limits on what narration says, and the bounded pieces an engine speaks it in.

Piper's memory grows with what one call of its model says, a little faster than linearly (one process, at speed
1.0: 120 phonemes peaked at 297 MB, 348 at 527 MB, 689 at 887 MB, 1,379 at 1,645 MB; a 5,900-character sentence
at 11.3 GB), and twice as fast at speed 0.5, where the model makes twice the frames (348 phonemes: 849 MB). So:

- an engine speaks a long sentence in pieces (``pieces``), split at clause breaks nearest its middle, else at
  spaces, so one call of piper's model never says more than ``MODEL_PHONEMES`` at speed 1.0 (fewer when slower),
  whatever it is given: about 600 MB for the process that speaks, a pool's two workers 1.2 GB at most;
- ``validate`` refuses, at the narration's line, what the voice could not say well in such pieces: a clause (the
  words between two breaks) longer than ``MAX_CLAUSE`` characters as spoken (after the lexicon and number words;
  fewer when slower), so pieces end at breaks; a sentence longer than ``MAX_SENTENCE``; a scene's narration longer
  than ``MAX_SCENE``; and a lexicon entry whose spoken form is longer than ``MAX_LEXICON``.

A sentence within the budget is spoken in one piece, as before: its sound, and its cache entry, are unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pipeline.core.messages import shorten

#: Most phonemes one call of the voice's model says at speed 1.0 (times the speed below it): about 20 seconds of
#: speech, a 600 MB peak for the process. The longest sentence of the shipped video has 173.
MODEL_PHONEMES = 400
#: Most characters a clause may have as spoken, at speed 1.0 (times the speed below it): about 345 phonemes, so a
#: clause validate accepts is one piece for the model.
MAX_CLAUSE = 300
#: Most characters a sentence may have as spoken: about 90 seconds at speed 1.0 (its audio is handled whole).
MAX_SENTENCE = 1_500
#: Most characters a scene's narration may have as spoken: about 14 minutes at speed 1.0.
MAX_SCENE = 12_000
#: Most characters a lexicon entry's spoken form may have (a pronunciation, or a phrase an acronym stands for).
MAX_LEXICON = 120

#: Where a sentence may be broken with its meaning kept: after a comma, semicolon, colon, full stop, question or
#: exclamation mark, ellipsis or dash, or before a dash.
_BREAK = re.compile(r"(?<=[,;:.!?…—–])\s+|\s+(?=[—–])")
_SPACE = re.compile(r"\s+")


def model_phonemes(speed: float) -> int:
    """Most phonemes one call of the model may say at ``speed`` (slower speech makes more frames of each)."""
    return max(1, int(MODEL_PHONEMES * min(1.0, speed)))


def most_clause(speed: float) -> int:
    """Most characters a clause may have as spoken at ``speed``."""
    return max(1, int(MAX_CLAUSE * min(1.0, speed)))


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


def longest_clause(text: str) -> str:
    return max(clauses(text) or [text], key=len)


def sentence_problem(spoken: str, alone: Sequence[tuple[str, str]], speed: float) -> str | None:
    """What is wrong with a sentence as spoken (``spoken``), or None; ``alone`` is each written word with what it
    becomes said alone, to name the word that grew."""
    clause = longest_clause(spoken)
    most = most_clause(speed)
    if len(spoken) <= MAX_SENTENCE and len(clause) <= most:
        return None
    if len(spoken) > MAX_SENTENCE:
        what = f"is {len(spoken):,} characters as the voice says it (after the lexicon and number words), more than "
        what += f"{MAX_SENTENCE:,} (about 90 seconds)"
        fix = "end it with a full stop somewhere, or shorten it"
    else:
        slower = f" at speed {speed:g}" if speed < 1 else ""
        what = f"has a clause of {len(clause):,} characters as the voice says it (after the lexicon and number words) "
        what += f"with no comma, semicolon, colon, dash or full stop, more than the {most:,} the voice says in one "
        what += f"breath{slower}: '{shorten(clause)}'"
        fix = "add a comma or a full stop where the meaning allows, or shorten it"
    word, said = max(alone, key=lambda pair: len(pair[1]) - len(pair[0]), default=("", ""))
    if len(said) - len(word) >= 100 and any(char.isdigit() for char in word):
        digits = sum(char.isdigit() for char in word)
        fix = f"'{shorten(word, 30)}' has {digits:,} digits, read one by one ('{shorten(said, 30)}'): round it, or "
        fix += "write it in words as it should be said"
    elif len(said) - len(word) >= 100:
        fix = f"the lexicon says '{shorten(word, 30)}' as {len(said):,} characters; shorten that entry, or {fix}"
    return f"{what}; {fix}"


def scene_problem(spoken: int) -> str | None:
    """What is wrong with a scene whose narration is ``spoken`` characters as said, or None."""
    if spoken <= MAX_SCENE:
        return None
    return (
        f"narration is {spoken:,} characters as the voice says it (after the lexicon and number words), more than "
        f"{MAX_SCENE:,} (about 14 minutes); split it across several scenes"
    )


def lexicon_problem(word: str, said: str) -> str | None:
    """What is wrong with the lexicon entry ``word: said``, or None."""
    if len(said) <= MAX_LEXICON:
        return None
    return (
        f"the lexicon says '{shorten(word, 40)}' as {len(said):,} characters ('{shorten(said, 40)}'), more than "
        f"{MAX_LEXICON}; an entry says how a word or phrase is pronounced: shorten it, or write the words in the "
        "narration"
    )
