"""What the text rules share: every text a slide shows, where it is in the storyboard, and how words are read.

The rules that read a slide's words as a designer would (``doubled-word``, ``not-a-phrase``) walk the same
texts: a slide's title, subtitle, text, label, lines, and the text of each item, step and event, each with the
path that locates it in the file. A quote's text and attribution are the speaker's words, not a phrase the
designer wrote, so only the doubled-word rule reads them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.core.yamlsrc import Path_
from pipeline.lint.base import Context

#: Fields whose text is a phrase the slide shows.
PHRASES = ("title", "subtitle", "label", "text", "lines", "items", "steps", "events", "before", "after")
#: Fields whose words are quoted, not written for the slide.
QUOTED = ("attribution",)
#: Words said twice in a row on purpose ("had had", "that that").
TWICE_ON_PURPOSE = {"had", "that", "is", "do"}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True)
class Text:
    path: Path_
    text: str
    #: The slide's kind, and whether the words are the slide's own phrase (not a quotation's).
    kind: str
    phrase: bool


def slide_texts(context: Context) -> Iterator[Text]:
    """Every text of every scene's slide, with its path."""
    for entry in context.entries:
        slide = entry.scene.slide
        data = slide.model_dump(exclude_none=True)
        for key in (*PHRASES, *QUOTED):
            if key not in data:
                continue
            quoted = key in QUOTED or (slide.kind == "quote" and key == "text")
            yield from _texts((*entry.place, "slide", key), data[key], slide.kind, not quoted)


def _texts(path: Path_, value: object, kind: str, phrase: bool) -> Iterator[Text]:
    if isinstance(value, str):
        yield Text(path, value, kind, phrase)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts((*path, i), item, kind, phrase)
    elif isinstance(value, dict):
        for key in ("text", "label"):
            if isinstance(value.get(key), str):
                yield Text((*path, key), value[key], kind, phrase)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def doubled(text: str) -> str | None:
    """The word ``text`` says twice in a row ('the the'), or None."""
    said = words(text)
    for a, b in itertools.pairwise(said):
        if (
            a.lower() == b.lower()
            and a.lower() not in TWICE_ON_PURPOSE
            and re.search(rf"\b{re.escape(a)}\s+{re.escape(b)}\b", text, re.IGNORECASE)
        ):
            return a
    return None
