"""Splitting narration into sentences, the unit that is synthesized and timed."""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[\"“‘(]?[A-Z0-9$])")
_ABBREVIATIONS = ("U.S.", "U.K.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "vs.", "e.g.", "i.e.", "No.")


def split(text: str) -> list[str]:
    """Sentences of ``text``; abbreviations such as 'U.S.' and decimals do not end one."""
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
