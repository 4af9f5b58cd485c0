"""`said-twice`: a sentence the narration says twice, in two scenes or in one.

A storyboard drafted or edited in pieces can say a line twice: a closing question on a section card and
again on the closing card. Sentences are compared by their words (case, punctuation and an opening 'So',
'And' or 'But' aside); a sentence said again in part counts too (a card's 'Was it worth.' before 'So was it
worth it?': the words of one are the other's opening words, three or more of them). Sentences of fewer than
three words ('Thank you.') are not judged.
"""

from __future__ import annotations

import re

from pipeline.lint.base import Context, Warning
from pipeline.narration import sentences

RULE = "said-twice"
_OPENING = re.compile(r"^(?:so|and|but|now|then)\s+")


def key(sentence: str) -> str:
    """A sentence as compared: its words in lower case, without an opening connective."""
    said = " ".join(re.findall(r"[\w’']+", sentence.lower()))
    return _OPENING.sub("", said)


def check(context: Context) -> list[Warning]:
    found = []
    first: dict[str, str] = {}
    for entry in context.entries:
        narration = entry.scene.narration or ""
        at = 0
        for sentence in sentences.split(narration):
            offset = max(narration.find(sentence, at), 0)
            at = offset + len(sentence)
            said = key(sentence)
            if len(said.split()) < 3:
                continue
            earlier = next((k for k in first if _same(k, said)), None)
            if earlier is not None:
                how = "said again here" if earlier == said else "said again here, in part"
                message = f"'{sentence}' is {how} (first in scene '{first[earlier]}'); say it once"
                found.append(context.in_narration(entry, offset, sentence, RULE, message))
            else:
                first[said] = entry.scene.id
    return found


def _same(a: str, b: str) -> bool:
    """Whether two sentences (as compared) say the same: equal, or one the other's opening words."""
    shorter, longer = sorted((a, b), key=len)
    return shorter == longer or longer.startswith(f"{shorter} ")
