"""This versus that: two named things contrasted in one sentence or two, as a ``compare`` in ``versus`` mode.

The forms it reads (each side a subject of a few words, named, and what it does):

- "X does A, while Y does B" (or whereas), and "While X does A, Y does B";
- "Unlike X, Y does B", where another sentence of the scene says what X does ("Copal is young resin.");
- two sentences in a row, the second marked as the contrast: "X does A. Y, by contrast, does B." (in contrast, on
  the other hand, however, instead; or "In contrast, Y does B.").

Each side's value is its subject ('The Danube'), its label what it does ('Flows east to the Black Sea'). A side
whose subject is a pronoun, too long for a value, or the same thing as the other's is no contrast.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.draft.chunks import Chunk, Drafted
from pipeline.draft.phrases import DANGLING, phrase

#: Characters a compare's value may have.
VALUE_CHARS = 28

_WHILE = re.compile(r"^(?P<one>.+?),\s+(?:while|whereas)\s+(?P<two>.+)$", re.IGNORECASE)
_WHILE_FIRST = re.compile(r"^(?:While|Whereas)\s+(?P<one>[^,]+),\s+(?P<two>.+)$")
_UNLIKE = re.compile(r"^Unlike\s+(?P<x>[^,]{2,40}),\s+(?P<two>.+)$")
_MARKED = re.compile(
    r"^(?:(?:By|In) contrast|On the other hand|However|Instead),\s+(?P<two>.+)$"
    r"|^(?P<subject>[^,]{2,40}),\s+(?:by contrast|in contrast|on the other hand|however|instead),\s+(?P<rest>.+)$"
)
_AUXILIARIES = {"is", "are", "was", "were", "has", "have", "had", "does", "do", "did", "can", "could", "will", "would",
                "must", "may", "might", "should", "needs", "uses"}  # fmt: skip
#: Verbs said in their plain form after a plural subject ('Camels store fat'): the common ones.
_PLAIN_VERBS = {"use", "need", "make", "run", "take", "keep", "grow", "live", "eat", "store", "carry", "produce",
                "cost", "work", "move", "build", "rely", "depend", "burn", "fly", "swim", "hold", "get", "give", "go",
                "come", "stay", "last", "flow", "travel", "sell", "pay", "want", "prefer", "follow", "lose", "win",
                "feed", "hunt", "sleep", "spend", "save", "reach", "send", "turn", "bring", "stand", "sit",
                "lie", "rise", "fall", "spread", "form", "see", "hear", "find", "lay", "let", "put", "drink", "walk",
                "float", "sink", "cross", "arrive", "leave", "charge", "earn", "weigh", "breathe", "lead"}  # fmt: skip
_ADVERBS = {"now", "still", "also", "often", "usually", "only", "never", "always", "already", "mostly", "today",
            "instead", "however", "too"}  # fmt: skip
_PRONOUNS = {"it", "they", "he", "she", "we", "i", "you", "this", "that", "these", "those", "there", "its", "their",
             "his", "her", "one", "others", "some", "most", "many", "each", "all", "both", "what", "which"}  # fmt: skip


def contrast(chunk: Chunk) -> Drafted | None:
    """A ``compare`` (versus) for two named things the chunk contrasts, or None."""
    if chunk.items is not None or chunk.quotation:
        return None
    said = list(chunk.sentences)
    for number, sentence in enumerate(said, start=1):
        text = sentence.strip().rstrip(".!?")
        for form in (_WHILE_FIRST, _WHILE):
            m = form.match(text)
            if m and (slide := _slide(_side(m.group("one")), _side(m.group("two")))):
                return _drafted(slide, number)
        m = _UNLIKE.match(text)
        if m:
            y = _side(m.group("two"))
            x_name = m.group("x").strip()
            x = next((side for other in said if other is not sentence and (side := _side(other.rstrip(".!?")))
                      and _same(side[0], x_name)), None)  # fmt: skip
            if y and x and (slide := _slide(x, y)):
                return _drafted(slide, number)
        m = _MARKED.match(text)
        if m and number > 1:
            two = m.group("two") or f"{m.group('subject')} {m.group('rest')}"
            slide = _slide(_side(said[number - 2].strip().rstrip(".!?")), _side(two))
            if slide:
                slide["sentence"] = number  # the second thing enters as it is named
                return _drafted(slide, number - 1)
    return None


def _drafted(slide: dict[str, Any], number: int) -> Drafted:
    return Drafted(slide, [], f"{slide['before']['value']} {slide['after']['value']}")


def _slide(one: tuple[str, str] | None, two: tuple[str, str] | None) -> dict[str, Any] | None:
    if one is None or two is None or _same(one[0], two[0]):
        return None
    return {
        "kind": "compare",
        "mode": "versus",
        "before": {"value": one[0], "label": one[1]},
        "after": {"value": two[0], "label": two[1]},
    }


def _side(clause: str) -> tuple[str, str] | None:
    """A side of a contrast: (its subject as a value, what it does as a label), or None when the clause opens
    with no subject a viewer could read alone (a pronoun, a phrase setting the time) or its verb is not found."""
    words = clause.strip().strip(",;").split()
    verb = next((i for i in range(1, min(8, len(words))) if _verb(words, i) and not _relative(words[:i])), None)
    if verb is None:
        return None
    subject, rest = words[:verb], words[verb:]
    while len(subject) > 1 and (subject[-1].lower() in _ADVERBS or re.fullmatch(r"[a-z]{3,}ly", subject[-1])):
        if subject[-1].lower() not in _ADVERBS:  # 'Rhyolite barely moves': what it does is 'Barely moves'
            rest = [subject[-1], *rest]
        subject = subject[:-1]  # 'Trucks now carry': the subject is 'Trucks'
    if len(subject) > 5:
        return None
    first = subject[0].lower()
    if first in _PRONOUNS or (first in DANGLING and first not in ("the", "a", "an")):
        return None
    if len(subject) > 1 and subject[1].lower() in _PRONOUNS and first in ("the", "a", "an"):
        return None
    value = " ".join(subject)
    if len(value) > VALUE_CHARS and first in ("the", "a", "an"):
        value = " ".join(subject[1:])
    if len(value) > VALUE_CHARS or not re.fullmatch(r"[\w'’ -]+", value):
        return None
    if len(rest) > 2 and rest[0].lower() in ("is", "are", "was", "were"):
        rest = rest[1:]  # 'is young resin': the label says what it is ('Young resin')
    elif len(rest) > 2 and rest[0].lower() in ("has", "have", "had") and rest[1].lower().endswith("ed"):
        rest = rest[1:]  # 'has hardened for …': 'Hardened for …'
    label = phrase(" ".join(rest), 60)
    if len(label.split()) < 2:
        return None
    return value[:1].upper() + value[1:], label


def _relative(subject: list[str]) -> bool:
    """Whether ``subject`` ends inside a relative clause ('the men who lead', whose verb is not the clause's)."""
    marks = [k for k, w in enumerate(subject) if w.lower() in ("who", "which", "that", "whose")]
    return bool(marks) and len(subject) - marks[-1] <= 2


def _verb(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` is the verb after a subject: an auxiliary, a past in -ed, a common verb, or a word in -s
    not followed by a verb (in 'Wind turbines produce', 'turbines' is the subject's noun)."""
    word, before = words[i], words[i - 1]
    bare = word.lower().strip(",;:")
    if not bare.isalpha() or word[:1].isupper() or before.lower() in ("the", "a", "an", "of", "and", "or", "in"):
        return False
    if bare in _AUXILIARIES or bare in _PLAIN_VERBS:
        return True
    if bare.endswith("ed") and len(bare) > 4:
        return True
    if not bare.endswith("s") or bare.endswith(("ss", "us", "is", "ics")):
        return False
    after = words[i + 1].lower().strip(",;:") if i + 1 < len(words) else ""
    return not (after in _AUXILIARIES or after in _PLAIN_VERBS or after.endswith("ed"))


def _plain(word: str) -> str:
    """'carries' -> 'carry', 'flows' -> 'flow', 'reaches' -> 'reach'."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "oes")):
        return word[:-2]
    return word[:-1]


def _same(a: str, b: str) -> bool:
    """Whether two subjects name the same thing ('The Danube', 'the Danube river')."""
    strip = {"the", "a", "an"}
    wa = [w.lower() for w in a.split() if w.lower() not in strip]
    wb = [w.lower() for w in b.split() if w.lower() not in strip]
    return bool(wa and wb) and (wa == wb or (wa[-1] == wb[-1] and (set(wa) <= set(wb) or set(wb) <= set(wa))))
