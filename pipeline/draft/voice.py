"""What the draft knows of the voice: how fast it speaks, and which words it may say oddly."""

from __future__ import annotations

import re

from pipeline.draft.compose import DraftSection
from pipeline.draft.reader import Script
from pipeline.narration import ENGINES

#: An acronym: two or more capitals (digits may follow), said letter by letter or as a word.
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z](?:-?\d+)?\b|\b[A-Z]\d+\b")
#: Roman numerals and the like that are not acronyms to a reader.
_NOT_ACRONYMS = {"I", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "OK", "TV"}


def words_per_minute(engine: str, fallback: str | None) -> float:
    """The measured rate of ``engine``'s voice, or of the fallback's when it cannot be measured offline."""
    for name in (engine, fallback, "piper"):
        if name and (rate := ENGINES[name].words_per_minute):
            return rate
    raise AssertionError("piper's rate is measured")  # pragma: no cover


def note_words(sections: list[DraftSection], script: Script) -> None:
    """A note on the first scene that says each acronym, with a lexicon entry to suggest."""
    seen: set[str] = set()
    for section in sections:
        for scene in section.scenes:
            for sentence in scene.sentences:
                for word in _ACRONYM.findall(sentence):
                    if word in seen or word in _NOT_ACRONYMS:
                        continue
                    seen.add(word)
                    scene.notes.append(_suggestion(word))


def _suggestion(word: str) -> str:
    letters = " ".join(c for c in re.sub(r"-?\d+$", "", word))
    said = letters if not re.search(r"[AEIOU]", word[1:-1]) or len(word) <= 3 else word.title()
    return (
        f"the voice may say {word!r} oddly: listen, and if it does, add it to narration.lexicon, e.g. `{word}: {said}`"
    )
