"""`reveal-order`: points that do not appear in the order, or with the sentence, that speaks them.

Bullets, steps and timeline events are read top to bottom (left to right); each appears as a
sentence of the narration starts: the one the storyboard ties it to (``sentence: N``), else the
one that says it (drawing/slides/reveals.py), or all with the slide's entrance with ``reveal:
together``. Ties written by hand are checked, conservatively, for two things:

1. order: an item tied to an earlier sentence than an item above it ("New fences" on sentence
   1 under "More patrols" on sentence 2) appears before it, so the list builds out of order;
2. the sentence: an item tied to sentence N whose words are spoken in another sentence M and
   not in N at all. An item's words are its content words (not "the", "and"...), compared by
   a rough stem ("fences" and "fence", "peaked" and "peak"), a timeline event's year with
   them. It must share at least two of them, and most of them, with sentence M, and none with
   sentence N, so an item that paraphrases its sentence is never flagged.
"""

from __future__ import annotations

from pipeline.drawing.slides.reveals import content
from pipeline.lint import numbers
from pipeline.lint.base import Context, Warning
from pipeline.narration import sentences

RULE = "reveal-order"
#: Kinds whose items are read in order and may be tied to sentences: kind -> its list's field.
LISTS = {"bullets": "items", "steps": "steps", "timeline": "events"}
NAMES = {"bullets": "bullet", "steps": "step", "timeline": "event"}


def _items(slide) -> list[tuple[str, int | None, str | None]]:
    """(text, sentence, year) of each item in the slide's list."""
    out = []
    for item in getattr(slide, LISTS[slide.kind]):
        if isinstance(item, str):
            out.append((item, None, None))
        elif slide.kind == "timeline":
            year = numbers.year_of(item.date)
            out.append((item.text, item.sentence, str(year) if year else None))
        else:
            out.append((item.text, item.sentence, None))
    return out


def check(context: Context) -> list[Warning]:
    found = []
    for entry in context.entries:
        slide = entry.scene.slide
        if slide.kind not in LISTS:
            continue
        field, name = LISTS[slide.kind], NAMES[slide.kind]
        items = _items(slide)
        place = (*entry.place, "slide", field)
        # 1. the order they appear in
        latest, latest_at = 1, None
        for i, (text, sentence, _) in enumerate(items):
            key = sentence or 1
            if key < latest and latest_at is not None:
                when = f"sentence {sentence}" if sentence else "the slide's entrance"
                above = items[latest_at]
                message = (
                    f"{name} {i + 1} ('{_short(text)}') appears with {when}, before {name} {latest_at + 1} above it "
                    f"('{_short(above[0])}', sentence {above[1]}): the list builds out of order; tie them to "
                    "sentences in the order they are listed, or reorder the list"
                )
                path = (*place, i, "sentence") if sentence else (*place, i)
                found.append(context.at(path, RULE, message))
            if key > latest:
                latest, latest_at = key, i
        # 2. the sentence that says it
        said = sentences.split(entry.scene.narration or "")
        words = [content(s) for s in said]
        for i, (text, sentence, year) in enumerate(items):
            if not sentence or sentence > len(said):
                continue
            mine = content(text) | ({year} if year else set())
            if len(mine) < 2 or mine & words[sentence - 1]:
                continue
            best = max(range(len(said)), key=lambda k: len(mine & words[k]))
            shared = mine & words[best]
            if best == sentence - 1 or len(shared) < 2 or len(shared) < len(mine) / 2:
                continue
            message = (
                f"{name} {i + 1} ('{_short(text)}') appears with sentence {sentence}, but it is sentence {best + 1} "
                f"that says it ('{_short(said[best], 60)}'); tie it to 'sentence: {best + 1}'"
            )
            found.append(context.at((*place, i, "sentence"), RULE, message))
    return found


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"
