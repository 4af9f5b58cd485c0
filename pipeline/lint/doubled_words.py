"""`doubled-word`: a word said twice in a row on a slide or in the narration ('The the lake').

A text cut out of a sentence around a date or a quotation can bring two copies of a word together; a viewer
reads it as a typo and a listener hears a stutter. "had had" and "that that" are left alone.
"""

from __future__ import annotations

from pipeline.lint import texts
from pipeline.lint.base import Context, Warning

RULE = "doubled-word"


def check(context: Context) -> list[Warning]:
    found = []
    for text in texts.slide_texts(context):
        word = texts.doubled(text.text)
        if word is not None:
            message = f"'{text.text}' says '{word}' twice in a row; say it once"
            found.append(context.at(text.path, RULE, message))
    for entry in context.entries:
        narration = entry.scene.narration or ""
        word = texts.doubled(narration)
        if word is not None:
            offset = narration.lower().find(f"{word.lower()} {word.lower()}")
            message = f"the narration says '{word}' twice in a row; say it once"
            found.append(context.in_narration(entry, max(offset, 0), word, RULE, message))
    return found
