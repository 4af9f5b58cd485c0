"""Which sentence of the narration says each item of a list (bullets, steps, timeline events).

A list's items enter as the narrator reaches them, unless the storyboard ties them itself (``sentence: N``) or
asks for them together (``reveal: together``). Items are matched to sentences by their content words (not
"the", "and"...), compared by a rough stem ("fences" and "fence", "peaked" and "peak"), a timeline event's year
with them; the items keep their order, so each enters with or after the one above it. An item no sentence says
takes its place in an even spread of the list over the sentences, so a list the narration paraphrases still
builds over the scene instead of landing all at once.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

STOPWORDS = frozenset(
    """a an the and or but nor so yet of to in on at by for from with without into onto over under about after
    before since until than then there their they them this that these those it its is are was were be been
    being has have had do does did not no nor as if when where while who whom whose which what how why all
    any each every some such only own same other more most less very can could will would shall should may
    might must he she his her him we our us you your i me my mine one two also just even still too up down
    out off again once here both few many much per via""".split()  # noqa: SIM905 - a word list reads best as words
)
#: What a sentence that says nothing of an item costs per sentence away from the item's place in an even spread:
#: small, so any shared word outweighs it, and only breaks ties.
SPREAD = 0.01


def stem(word: str) -> str:
    """A rough stem: "fences" and "fence", "provinces" and "province", "peaked" and "peak" meet (a final e goes,
    since "-es" leaves "provinc" and "province" would keep it)."""
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s$", "", word)
    for end, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", "")):
        if word.endswith(end) and len(word) - len(end) >= 3:
            word = word[: len(word) - len(end)] + keep
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def content(text: str) -> set[str]:
    """The text's content words, stemmed (numbers kept, as written: "2009", "34,000")."""
    out = set()
    for token in re.findall(r"[A-Za-z][A-Za-z'’]*|\d[\d,.]*\d|\d", text):
        if token[0].isdigit():
            out.add(token.replace(",", ""))
        elif len(token) > 2 and token.lower() not in STOPWORDS:
            out.add(stem(token))
    return out


def ties(items: list[set[str]], said: list[str]) -> list[int]:
    """For each item (its content words), the sentence (from 1) it enters with: in the list's order, each with or
    after the one above it, sharing as many words with its sentence as can be, else spread evenly."""
    words = [content(sentence) for sentence in said]
    count, many = len(items), len(said)
    if not count or many <= 1:
        return [1] * count
    spread = [i * many // count for i in range(count)]

    def score(i: int, j: int) -> float:
        return len(items[i] & words[j]) - SPREAD * abs(j - spread[i])

    # best[i][j]: the best total for items 0..i with item i on sentence j; order kept by j never going back.
    best = [[score(0, j) for j in range(many)]]
    came = [[j for j in range(many)]]
    for i in range(1, count):
        row, back, top, at = [], [], float("-inf"), 0
        for j in range(many):
            if best[i - 1][j] > top:
                top, at = best[i - 1][j], j
            row.append(top + score(i, j))
            back.append(at)
        best.append(row)
        came.append(back)
    j = max(range(many), key=lambda k: best[-1][k])
    found = [j]
    for i in range(count - 1, 0, -1):
        j = came[i][j]
        found.append(j)
    return [j + 1 for j in reversed(found)]


Reveal = Literal["narration", "together"]


def reveal_field(noun: str) -> Any:
    """The ``reveal`` field of a kind whose list follows the narration, its description naming the list's ``noun``."""
    return Field(
        "narration",
        description=f"narration: each {noun} enters as the sentence that says it starts (spread over the sentences "
        f"when none says it); together: all with the slide. A {noun} with its own 'sentence' ties the list by hand.",
    )


def tied(spec: Any, texts: list[str], said: list[str]) -> list[int] | None:
    """The sentence each of ``texts`` enters with, or None when ``spec`` (a kind with ``reveal`` and sentence ties)
    ties its list itself: together with the slide, or by hand."""
    if spec.reveal == "together" or spec.sentence_refs():
        return None
    return ties([content(text) for text in texts], said)
