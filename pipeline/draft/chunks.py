"""What the drafting rules read and what they give: a chunk of the script, and the slide drafted for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Chunk:
    """What one scene says: its sentences; for a list, its items (spoken after ``lead`` sentences)."""

    sentences: tuple[str, ...]
    items: tuple[str, ...] | None = None
    lead: int = 0
    attribution: str | None = None
    quotation: bool = False


@dataclass
class Drafted:
    """A slide for a chunk, and notes for the author (YAML comments above the scene)."""

    slide: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: The text the scene's id is made from.
    names: str = ""


def lines(chunk: Chunk) -> list[tuple[int, str]]:
    """(sentence number, text) of what the chunk says: its sentences, then its list items."""
    said = [(i + 1, s) for i, s in enumerate(chunk.sentences)]
    if chunk.items is not None:
        said = said[: chunk.lead] + [(chunk.lead + i + 1, item) for i, item in enumerate(chunk.items)]
    return said
