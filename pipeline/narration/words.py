"""Word times: when each word of a sentence is spoken, for word-by-word captions.

Engines that know report the words they spoke (piper from its model's
phoneme durations, eSpeak NG from its word events); for an engine that
returns audio only (gTTS) the words are spread over the sentence's real
length by syllables, and render.json says which it was.

The engines speak the *spoken* text ("ten thousand dollars"), while a
caption shows the written one ("$10,000"). ``written`` maps one onto the
other: each written word is turned into speech alone, the spoken words are
aligned with that reference, and a written word takes the time from the
first to the last spoken word it became.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: How a sentence's word times were found: reported by the engine, or spread by syllables.
Source = Literal["engine", "estimated"]


@dataclass(frozen=True)
class Word:
    """A word and when it is spoken, in seconds from the start of its sentence's audio."""

    text: str
    start: float
    end: float


def tokens(text: str) -> list[str]:
    """The words of ``text`` as a caption shows them: runs of non-space characters."""
    return text.split()


def _plain(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def syllables(word: str) -> int:
    """A rough syllable count (vowel groups; at least one), for spreading words over time."""
    groups = re.findall(r"[aeiouy]+", _plain(word))
    count = len(groups) - (1 if _plain(word).endswith("e") and len(groups) > 1 else 0)
    return max(1, count)


def estimate(spoken: str, seconds: float) -> tuple[Word, ...]:
    """The spoken words spread over ``seconds`` by syllables (for an engine that reports no times).

    The sentence's audio is trimmed to its speech with 40 ms kept each side, so the words
    span that, less the margins.
    """
    words = tokens(spoken)
    if not words:
        return ()
    margin = min(0.04, seconds / 4)
    weights = [syllables(w) for w in words]
    span, total = seconds - 2 * margin, sum(weights)
    out, at = [], margin
    for word, weight in zip(words, weights, strict=True):
        length = span * weight / total
        out.append(Word(word, at, at + length))
        at += length
    return tuple(out)


def shifted(words: Sequence[Word], tempo: float, offset: float, length: float) -> tuple[Word, ...]:
    """Times in an engine's audio as they fall in the stored audio: divided by the ``tempo`` it was decoded
    at, less the ``offset`` seconds trimmed off its start, kept within its ``length``."""

    def place(t: float) -> float:  # to 0.1 ms, as they are kept: fresh and cached times are the same
        return round(min(max(0.0, float(t) / tempo - offset), length), 4)

    return tuple(Word(w.text, place(w.start), place(w.end)) for w in words)


def owners(reference: Sequence[tuple[str, int]], heard: Sequence[str]) -> list[int]:
    """For each unit ``heard`` (a word, a phoneme), which item owns it: ``reference`` is the units each item
    gives when said alone, labelled with the item. The two sequences are aligned; a heard unit takes the owner
    of the unit it matched (spread over a replaced span), and one the reference lacks goes with the unit
    before it."""
    owner: list[int | None] = [None] * len(heard)
    matcher = difflib.SequenceMatcher(None, [unit for unit, _ in reference], list(heard), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "insert":
            continue
        for k, j in enumerate(range(j1, j2)):  # equal or replaced: spread over the reference's span
            owner[j] = reference[i1 + min(i2 - i1 - 1, k * (i2 - i1) // (j2 - j1))][1]
    filled: list[int] = []
    for found in owner:
        filled.append(found if found is not None else (filled[-1] if filled else 0))
    return filled


def written(text: str, said: Sequence[Word], spoken: Sequence[str]) -> tuple[Word, ...]:
    """The written words of ``text`` timed by the spoken words ``said``; ``spoken`` is each written word as
    the engine is given it alone (numbers spelled out, the lexicon applied), one per written word.

    Spoken words are aligned with the written words spoken one at a time; a spoken word the reference
    does not have goes with the written word before it. A written word no spoken word matched (a dash)
    takes the end of the word before it, so every word has a time and the times never go back.
    """
    shown = tokens(text)
    reference = [
        (_plain(part), i) for i, said_alone in enumerate(spoken) for part in tokens(said_alone) if _plain(part)
    ]
    owner = owners(reference, [_plain(w.text) for w in said])
    out: list[Word] = []
    for i, word in enumerate(shown):
        spans = [w for w, o in zip(said, owner, strict=True) if o == i]
        before = out[-1].end if out else (said[0].start if said else 0.0)
        start = max(before, spans[0].start) if spans else before
        out.append(Word(word, start, max(start, spans[-1].end) if spans else start))
    return tuple(out)


def to_json(words: Sequence[Word]) -> list[list]:
    return [[w.text, round(w.start, 4), round(w.end, 4)] for w in words]


def from_json(data: list[list]) -> tuple[Word, ...]:
    return tuple(Word(str(text), float(start), float(end)) for text, start, end in data)
