"""Splitting narration into sentences (the unit that is synthesized and timed) and pauses.

A pause is written in the narration as ``[pause 0.6]`` (seconds). It replaces
the usual gap between the sentences around it and lasts exactly what it says;
at the start or end of a scene it adds to the lead-in or the tail. A pause
also ends the sentence it stands in, so the words after it are a new sentence
for reveals (``sentence: N``) and captions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[\"“‘(]?[A-Z0-9$])")
_ABBREVIATIONS = ("U.S.", "U.K.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "vs.", "e.g.", "i.e.", "No.")
_PAUSE = re.compile(r"\[pause\s+(\d+(?:\.\d+)?)\s*s?\]", re.IGNORECASE)
_MARKER = re.compile(r"\[[^\]]*\]?")
#: Longest pause one marker may ask for, in seconds.
MAX_PAUSE = 10.0


@dataclass(frozen=True)
class Pause:
    seconds: float


def parts(text: str) -> list[str | Pause]:
    """Sentences and pauses of ``text``, in order."""
    out: list[str | Pause] = []
    start = 0
    for match in _PAUSE.finditer(text):
        out += _sentences(text[start : match.start()])
        out.append(Pause(float(match.group(1))))
        start = match.end()
    out += _sentences(text[start:])
    return out


def split(text: str) -> list[str]:
    """Sentences of ``text`` (pauses left out); abbreviations such as 'U.S.' and decimals do not end one."""
    return [p for p in parts(text) if isinstance(p, str)]


def marker_problems(text: str) -> list[str]:
    """What is wrong with the bracketed markers in ``text`` (empty when all are valid pauses)."""
    problems = []
    for match in _MARKER.finditer(text):
        pause = _PAUSE.fullmatch(match.group(0))
        if pause is None:
            problems.append(
                f"'{match.group(0)}' is not a marker explainer knows; write a pause as [pause 0.6] "
                "(seconds), and leave other brackets out of narration"
            )
        elif float(pause.group(1)) > MAX_PAUSE:
            problems.append(f"'{match.group(0)}' is too long; a pause lasts at most {MAX_PAUSE:g} seconds")
    return problems


def _sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        piece = text[start : match.start()].strip()
        candidate = text[start : match.end()].rstrip()
        if piece.endswith(_ABBREVIATIONS) and not _ends_quote(candidate):
            continue
        pieces.append(text[start : match.end()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _ends_quote(text: str) -> bool:
    return text.endswith(('"', "”", "’", "'", ")"))
