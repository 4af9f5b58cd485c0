"""From a read script to scenes in sections: how long a scene is, what opens and closes each section.

- The opening (the text before the first heading) is a section named from its
  content and opens on the title card; every other section opens on a section
  card that says its heading.
- Paragraphs are split into scenes of about ``LONGEST`` seconds at most, at
  sentence boundaries, evenly; a statement shorter than ``SHORTEST`` seconds
  joins the statement before it when the two fit one scene.
- A list is one scene (up to ``LIST_ITEMS`` items; a longer one is split), with
  the one-sentence paragraph before it as its lead-in when that sentence has
  no figure, or ends with a colon.
- When the last section has three blocks or more, its last paragraph ends that
  section on the closing card (the video's title over its last sentences), with
  no section card of its own: a card would say its first sentence a second time.
- Neighbouring paragraphs that tell one dated story together (a timeline or a
  series across them, within ``STORY_SECONDS``) are one scene.
- A section with one statement scene has it split in two at the sentence nearest
  its middle (a chapter of one slide is a sentence, not a chapter); when it
  cannot be, the scene carries a note. A section too short for a chapter
  (``SECTION_SECONDS``) is merged into the one before: merged, never split.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pipeline.draft.figures import figures
from pipeline.draft.phrases import STOPWORDS, phrase, title_case
from pipeline.draft.reader import ListBlock, Paragraph, Part, Quotation, Script
from pipeline.draft.rules import Chunk, Drafted, chart, choose, timeline
from pipeline.narration import sentences

#: Seconds of speech a scene aims to stay within.
SHORTEST, LONGEST = 8.0, 20.0
#: Items one bullets slide carries.
LIST_ITEMS = 6
#: Seconds between sentences (the storyboard's default gap).
GAP = 0.35


@dataclass
class DraftScene:
    slide: dict[str, Any]
    sentences: list[str]
    notes: list[str] = field(default_factory=list)
    names: str = ""
    id: str = ""


@dataclass
class DraftSection:
    title: str
    scenes: list[DraftScene]


def compose(script: Script, words_per_minute: float) -> list[DraftSection]:
    """The script's sections and scenes, slides chosen (ids not yet given)."""
    parts = _with_closing(script.parts)
    sections: list[DraftSection] = []
    for number, part in enumerate(parts):
        chunks = _storied(_chunks(part.blocks, words_per_minute), words_per_minute)
        scenes = _merged([_scene(chunk) for chunk in chunks], words_per_minute)
        if len(scenes) == 1 and part.heading != CLOSING and (number > 0 or part.heading is not None):
            scenes = _in_two(scenes[0], words_per_minute, closing=part.heading == CLOSING)
        if part.heading == CLOSING and sections:  # the video's last words, under its title, on the closing card
            last = scenes[-1]
            closing: dict[str, Any] = {"kind": "closing", "title": phrase(script.title, 80)}
            closing["lines"] = [phrase(sentence, 70) for sentence in last.sentences[-2:]]
            scenes[-1] = DraftScene(closing, last.sentences, [], "closing")
            sections[-1].scenes += scenes  # no card of its own: a card would say the closing words twice
            continue
        title = _named(part, script.title) if part.heading is None else part.heading
        if number == 0 and part.heading is None:  # the opening: the title card says its first scene
            card = {"kind": "title", "title": phrase(script.title, 80)}
            scenes[0] = DraftScene(card, scenes[0].sentences, [], script.title)
        else:
            scenes.insert(0, DraftScene({"kind": "section"}, [_spoken(title)], [], f"{phrase(title, 60)} card"))
        sections.append(DraftSection(_section_title(title), scenes))
    sections = _long_enough(sections, words_per_minute)
    for section in sections:
        if len(section.scenes) == 2 and section.scenes[0].slide["kind"] == "section":  # lint's one-scene-section
            section.scenes[1].notes.append(
                "this section has one scene besides its card: merge it into the section before or after it, "
                "or give it more to say"
            )
    return sections


#: Seconds a section lasts at least (YouTube shows no chapters when one is under 10 s; the margin is for the
#: estimate of the voice's rate).
SECTION_SECONDS = 14.0
#: Seconds a scene that tells a story across paragraphs (a timeline, a series) may last.
STORY_SECONDS = 40.0


def _long_enough(sections: list[DraftSection], words_per_minute: float) -> list[DraftSection]:
    """Sections too short for a chapter merged into the one before them (their card, which only says the
    heading, left out): splitting a short section would make two shorter ones. An opening too short opens the
    section after it, whose heading names the chapter."""
    out: list[DraftSection] = []
    for section in sections:
        length = sum(seconds(s, words_per_minute) for scene in section.scenes for s in scene.sentences)
        if out and length < SECTION_SECONDS:
            kept = [scene for scene in section.scenes if scene.slide["kind"] != "section"]
            closing = [scene for scene in out[-1].scenes if scene.slide["kind"] == "closing"]
            out[-1].scenes = [scene for scene in out[-1].scenes if scene.slide["kind"] != "closing"] + kept + closing
            continue
        out.append(section)
    if len(out) > 1:  # the opening too short: it opens the next section, which keeps its heading as the chapter's
        first = sum(seconds(s, words_per_minute) for scene in out[0].scenes for s in scene.sentences)
        if first < SECTION_SECONDS:
            out[1].scenes = out[0].scenes + [scene for scene in out[1].scenes if scene.slide["kind"] != "section"]
            del out[0]
    return out


def _storied(chunks: list[Chunk], words_per_minute: float) -> list[Chunk]:
    """Paragraphs that tell one dated story together: the fewest neighbouring plain chunks (not a list, not a
    quotation) that hold three dated events (or a series of dated figures) and no more than STORY_SECONDS, as one
    chunk, so the timeline (or chart) shows the story across paragraphs; chunks that hold the story alone are
    left as they are."""
    out: list[Chunk] = []
    i = 0
    while i < len(chunks):
        best = None
        for j in range(i + 1, len(chunks)):
            window = chunks[i : j + 1]
            if any(c.items is not None or c.quotation for c in window):
                break
            said = tuple(s for c in window for s in c.sentences)
            if sum(seconds(s, words_per_minute) for s in said) > STORY_SECONDS:
                break
            merged = Chunk(said)
            if any(rule(c) is not None for c in window for rule in (chart, timeline)):
                break  # a chunk tells its own story
            if chart(merged) is not None or timeline(merged) is not None:
                best = (j, merged)
                break
        if best is None:
            out.append(chunks[i])
            i += 1
        else:
            out.append(best[1])
            i = best[0] + 1
    return out


def _in_two(scene: DraftScene, words_per_minute: float, *, closing: bool) -> list[DraftScene]:
    """A section's only scene as two, so that a chapter is more than one slide: split at the sentence nearest its
    middle when each part is at least SHORTEST / 3 seconds (a short sentence reads well alone); a closing keeps
    its last sentences for its card."""
    said = scene.sentences
    if len(said) < 2 or scene.slide["kind"] != "title":
        return [scene]
    lengths = [seconds(s, words_per_minute) for s in said]
    if closing:
        at = len(said) - min(2, len(said) - 1)
    else:
        at = min(range(1, len(said)), key=lambda i: abs(sum(lengths[:i]) - sum(lengths[i:])))
    if min(sum(lengths[:at]), sum(lengths[at:])) < SHORTEST / 3:
        return [scene]
    return [_scene(Chunk(tuple(said[:at]))), _scene(Chunk(tuple(said[at:])))]


#: Marks the closing part split off the last section (named from its content like the opening).
CLOSING = "\0closing"


def _with_closing(parts: list[Part]) -> list[Part]:
    last = parts[-1]
    if len(parts) < 2 or len(last.blocks) < 3 or not isinstance(last.blocks[-1], Paragraph):
        return parts
    return [*parts[:-1], Part(last.heading, last.blocks[:-1]), Part(CLOSING, [last.blocks[-1]])]


def seconds(sentence: str, words_per_minute: float) -> float:
    return len(sentence.split()) / words_per_minute * 60 + GAP


def _chunks(blocks: list, words_per_minute: float) -> list[Chunk]:
    out: list[Chunk] = []
    for i, block in enumerate(blocks):
        if isinstance(block, Quotation):
            out.append(Chunk(block.sentences, attribution=block.attribution, quotation=True))
        elif isinstance(block, ListBlock):
            lead: tuple[str, ...] = ()
            if out and _leads_in(blocks[i - 1]):
                lead = out.pop().sentences
            items = [_said(item) for item in block.items]
            for start in range(0, len(items), LIST_ITEMS):
                part = tuple(items[start : start + LIST_ITEMS])
                said = lead if start == 0 else ()
                out.append(Chunk((*said, *part), items=tuple(block.items[start : start + LIST_ITEMS]), lead=len(said)))
        else:
            out += [Chunk(tuple(group)) for group in _even(list(block.sentences), words_per_minute)]
    return out


def _leads_in(block) -> bool:
    """A paragraph that introduces the list after it: one sentence with no figure, or ending with a colon."""
    if not isinstance(block, Paragraph):
        return False
    text = " ".join(block.sentences)
    return text.endswith(":") or (len(block.sentences) == 1 and not figures(text))


def _said(item: str) -> str:
    """A list item as a sentence to speak: 'Installed signal jammers,' -> 'Installed signal jammers.'"""
    text = item.strip().rstrip(",;:–—-").strip()
    return text if text.endswith((".", "!", "?", '"', "”")) else f"{text}."


def _even(said: list[str], words_per_minute: float) -> list[list[str]]:
    """``said`` in as few groups of at most LONGEST seconds as can be, the groups as even as sentences allow."""
    total = sum(seconds(s, words_per_minute) for s in said)
    count = max(1, math.ceil(total / LONGEST))
    groups: list[list[str]] = [[] for _ in range(count)]
    elapsed = 0.0
    for sentence in said:
        length = seconds(sentence, words_per_minute)
        index = min(count - 1, int((elapsed + length / 2) / (total / count)))
        groups[index].append(sentence)
        elapsed += length
    return [g for g in groups if g]


def _scene(chunk: Chunk) -> DraftScene:
    drafted: Drafted = choose(chunk)
    return DraftScene(drafted.slide, list(chunk.sentences), drafted.notes, drafted.names)


def _merged(scenes: list[DraftScene], words_per_minute: float) -> list[DraftScene]:
    """Statements shorter than SHORTEST seconds joined to the statement before them when both fit one scene."""
    out: list[DraftScene] = []
    for scene in scenes:
        before = out[-1] if out else None
        length = sum(seconds(s, words_per_minute) for s in scene.sentences)
        if (
            before is not None
            and scene.slide["kind"] == before.slide["kind"] == "title"
            and (length < SHORTEST or sum(seconds(s, words_per_minute) for s in before.sentences) < SHORTEST)
            and sum(seconds(s, words_per_minute) for s in before.sentences + scene.sentences) <= LONGEST
        ):
            before.sentences += scene.sentences
            continue
        out.append(scene)
    return out


def _spoken(title: str) -> str:
    return title if title.endswith((".", "!", "?")) else f"{title}."


def _named(part: Part, title: str) -> str:
    """A name for a section without a heading: the two content words said together most often in it (not both
    in the video's title), else the phrase of its first sentence."""
    text = " ".join(
        " ".join(b.sentences) if isinstance(b, (Paragraph, Quotation)) else " ".join(b.items) for b in part.blocks
    )
    in_title = set(_words(title))
    words = _words(text)
    pairs = Counter(
        (a, b) for a, b in itertools.pairwise(words)
        if a not in STOPWORDS and b not in STOPWORDS and not {a, b} <= in_title and not (a.isdigit() or b.isdigit())
    )  # fmt: skip
    best = max(pairs.items(), key=lambda kv: kv[1], default=(None, 0))
    if best[0] is not None and best[1] >= 2:
        return title_case(" ".join(best[0]))
    first = next(b for b in part.blocks)
    sentence = (first.sentences if not isinstance(first, ListBlock) else first.items)[0]
    return phrase(sentence, 40)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*", text.lower())


def _section_title(title: str) -> str:
    return title[:60].rstrip()


def align_reveals(sections: list[DraftSection]) -> None:
    """Point every reveal at the sentence the narration is split into where it is said (pipeline.narration.sentences, as
    validate and the render split it), not at the draft's own count: a list's lead-in ending in a colon ("The
    steps are:") runs on into the first item as one sentence, so the items were numbered one too far and the last
    named a sentence that does not exist."""
    for scene in (scene for section in sections for scene in section.scenes):
        drafted = [" ".join(sentence.split()) for sentence in scene.sentences]  # spaced as the splitter spaces them
        text = " ".join(drafted)
        ends, at = [], 0
        for said in sentences.split(text):
            at = text.index(said, at) + len(said)
            ends.append(at)
        starts, at = [], 0
        for sentence in drafted:
            starts.append(at)
            at += len(sentence) + 1
        real = {n + 1: 1 + sum(end <= start for end in ends) for n, start in enumerate(starts)}
        renumber(scene.slide, real)


#: The keys that name a sentence, by kind, where they are not 'sentence' (a map's reveals are 'at').
_REVEALS = {"map": ("at",)}


def renumber(value: object, real: dict[int, int], keys: tuple[str, ...] | None = None) -> None:
    """Every sentence number in a drafted slide (under ``keys``: by default 'sentence', or its kind's own key),
    through ``real`` (drafted number -> sentence said)."""
    if keys is None:
        keys = _REVEALS.get(value.get("kind", ""), ("sentence",)) if isinstance(value, dict) else ("sentence",)
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, int) and item in real:
                value[key] = real[item]
            else:
                renumber(item, real, keys)
    elif isinstance(value, list):
        for item in value:
            renumber(item, real, keys)
