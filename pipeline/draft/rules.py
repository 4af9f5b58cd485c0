"""Which slide shows a stretch of the script: the drafting rules, in the order they are tried.

Each rule looks at one chunk (a scene's worth of sentences, or a list, or a
quotation) and returns the slide for it, or None to let the next rule try. The
first that answers wins; the last always does. docs/draft.md lists them in
this order:

1. ``quote``: a block quotation, or a sentence with a quotation of six words or
   more and who said it ("…," said X / said the biologist X / according to X).
2. ``chart``: three or more figures of one kind, each given for its own date.
3. ``timeline``: three or more dated events, in date order, each naming its subject.
4. ``place_map``: a ``map`` where the script places places relative to each other (a place between two others,
   north of another, on the border between two countries) or something moves between them (from, through,
   travel, cross, escape, reach...: places the map knows at three stops or more, four places at two stops, or
   two joined by "from A … to B"). Places pinned, countries lit, the way drawn leg by leg, rivers and lakes
   named drawn; each as its sentence names it, the camera fitting the places. Only names the gazetteer resolves
   unambiguously (see ``pipeline.draft.maps``).
5. ``compare``: "from X to Y" between two amounts of the same kind ($2,000 to $10,000).
6. ``contrast``: two named things contrasted, "X does A, while Y does B", "Unlike X, Y …", "X … . Y, by contrast,
   …": a ``compare`` in ``versus`` mode (``pipeline.draft.contrasts``).
7. ``bullets``: a list, each item revealed on the sentence that speaks it.
8. ``stat``: a figure that is not a date (34,000; 3.5 million; 90%), labelled with what it counts.
9. ``listed``: a sentence that lists three to six short things, as a list.
10. ``stat_in_words``: a figure said in words ("Seventy-eight airmen"), shown in digits.
11. ``place_statement``: a ``map`` titled with the chunk's first sentence when that sentence is about places the
    map knows, named as its subject ("Uzbekistan became…", "Harare and Bulawayo were…"): the places lit or pinned.
12. ``statement``: a title card with the chunk's key phrase, and an icon a word of it names.

``choose`` takes the first answer whose slide its kind's schema takes, so a rule's slide that validate would
refuse lets the next rule try.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from pipeline.draft.chunks import Chunk, Drafted
from pipeline.draft.chunks import lines as _lines
from pipeline.draft.contrasts import contrast
from pipeline.draft.events import dated_events, when_key
from pipeline.draft.figures import Found, dates, figures, worded
from pipeline.draft.icons import icon_for
from pipeline.draft.maps import FROM_TO, place_map, place_statement
from pipeline.draft.phrases import phrase
from pipeline.drawing.slides import KINDS
from pipeline.drawing.slides.stat import UNIT_CHARS
from pipeline.lint import not_a_phrase

#: Quotations this long or longer (in words) become a quote slide.
QUOTE_WORDS = 6
_QUOTED = re.compile(r"[\"“](?P<text>[^\"”]{10,}?)[,.!?]?[\"”]")
_SAID = re.compile(
    r"(?:,?\s*(?:said|says|wrote|writes|declared|warned|told \w+)\s+"
    r"(?P<after>(?:the|a|an)\s+[A-Za-z][\w.'’ -]{1,80}?|[A-Z][\w.'’ -]{2,60}?)"
    # what the speaker did as they said it: 'said X after flying over the region in 2010', 'said X, who ...'
    r"(?:,\s*who\b[^\"“”]*|,?\s+(?:after|when|while|during|before)\s[^\"“”]*)?[,.]?$)"
    r"|(?:^(?:according to|as)\s+(?P<before>[A-Z][\w.'’ -]{2,60}?),)"
    r"|(?:(?:according to)\s+(?P<end>(?:the\s+)?[A-Z][\w.'’ -]{1,60}?)[,.]?$)",
)


def quote(chunk: Chunk) -> Drafted | None:
    if chunk.quotation:
        text = _within(" ".join(chunk.sentences), 260)
        slide = {"kind": "quote", "text": text}
        if chunk.attribution:
            slide["attribution"] = chunk.attribution[:100]
        return Drafted(slide, [], text)
    if chunk.items is not None:
        return None
    for sentence in chunk.sentences:
        found = _QUOTED.search(sentence)
        if not found or len(found.group("text").split()) < QUOTE_WORDS:
            continue
        rest = (sentence[: found.start()] + " " + sentence[found.end() :]).strip()
        said = _SAID.search(rest)
        if not said:
            continue
        who = (said.group("after") or said.group("before") or said.group("end")).strip()
        text = _within(found.group("text").strip(), 260)
        return Drafted({"kind": "quote", "text": text, "attribution": who[:100]}, [], text)
    return None


def timeline(chunk: Chunk) -> Drafted | None:
    events = dated_events(_lines(chunk))
    if len(events) < 3:
        return None
    events = events[:8]
    spoken = [e["sentence"] for e in events]
    events = sorted(events, key=lambda e: when_key(e["date"]))
    slide: dict[str, Any] = {"kind": "timeline", "events": events}
    if [e["sentence"] for e in events] != sorted(spoken):  # said out of date order: shown whole, in date order
        for event in events:
            del event["sentence"]
        slide["reveal"] = "together"
    return Drafted(slide, [], " ".join(e["text"] for e in events[:1]))


def compare(chunk: Chunk) -> Drafted | None:
    if chunk.items is not None:  # a list stays a list
        return None
    for sentence in chunk.sentences:
        for m in FROM_TO.finditer(sentence):
            a, b = figures(m.group("a")), figures(m.group("b"))
            if len(a) != 1 or len(b) != 1 or not _alike(a[0], b[0]):
                continue
            before, after = a[0], b[0]
            subject = phrase(sentence[: m.start()], 60) or phrase(sentence, 60)
            change = _change(before.size, after.size)
            slide = {
                "kind": "compare",
                "title": subject,
                "before": {"value": before.shown, "label": _when(m.group("a"), "before")},
                "after": {"value": after.shown, "label": _when(m.group("b"), "after")},
            }
            if change:
                slide["change"] = change
            return Drafted(slide, [_no_source(f"{before.shown} and {after.shown}")], subject)
    return None


#: A sentence that lists three things or more: 'The rest was flour, milk powder, dried potatoes and medicine.'
_LISTED = re.compile(
    r"(?P<lead>^.*?\b(?:was|were|is|are|has|have|had|includ\w*|like|as|carr\w+|brought|grew|sold|used|needs?|"
    r"made of|such as|\w+ed)\b:?)\s+"
    r"(?P<items>(?:[\w'’-]+(?:\s+[\w'’-]+){0,3},\s+){1,4}[\w'’-]+(?:\s+[\w'’-]+){0,3},?\s+(?:and|or)\s+"
    r"[\w'’-]+(?:\s+[\w'’-]+){0,3})[.!?]?$"
)


#: Words a listed thing does not start with (the list is then a run of clauses, not of things).
_NOT_LISTED = {"for", "to", "in", "on", "at", "by", "with", "from", "as", "that", "which", "who", "when", "then",
               "it", "they", "he", "she", "we", "i", "so", "but", "because", "if"}  # fmt: skip


def listed(chunk: Chunk) -> Drafted | None:
    """A sentence that lists three to six short things: a list, each thing a point shown as the sentence says it
    (the sentence before it, when there is one, is the list's title)."""
    if chunk.items is not None:
        return None
    for number, sentence in enumerate(chunk.sentences, start=1):
        m = _LISTED.match(sentence.strip())
        if m is None:
            continue
        items = [i.strip() for i in re.split(r",\s+(?:and\s+|or\s+)?|\s+(?:and|or)\s+", m.group("items")) if i.strip()]
        if not 3 <= len(items) <= 6 or len(set(map(str.lower, items))) < len(items):
            continue
        if any(item.split()[0].lower() in _NOT_LISTED for item in items):
            continue  # 'coal, for heat and for the power stations' is one thing and what it is for
        title = phrase(chunk.sentences[number - 2] if number > 1 else m.group("lead"), 60)
        slide: dict[str, Any] = {"kind": "bullets", "title": title}
        slide["items"] = [{"text": phrase(item, 50), "sentence": number} for item in items]
        return Drafted(slide, [], title)
    return None


def bullets(chunk: Chunk) -> Drafted | None:
    if chunk.items is None:
        return None
    items = [{"text": phrase(item, 70), "sentence": chunk.lead + i + 1} for i, item in enumerate(chunk.items)]
    slide: dict[str, Any] = {"kind": "bullets"}
    if chunk.lead:
        slide["title"] = phrase(" ".join(chunk.sentences[: chunk.lead]), 60)
    slide["items"] = items
    return Drafted(slide, [], slide.get("title") or items[0]["text"])


def stat(chunk: Chunk) -> Drafted | None:
    if chunk.items is not None:
        return None
    found = [(s, f) for s in chunk.sentences for f in figures(s)]
    if not found:
        return None
    if len(found) > 1:  # several figures: the first with a unit or a scale is the one to show
        found = [next(((s, f) for s, f in found if f.currency or f.unit or f.scale), found[0])]
    return _stat(*found[0])


def stat_in_words(chunk: Chunk) -> Drafted | None:
    """A figure of ten or more said in words ('Seventy-eight airmen died'): a stat when nothing else answers, the
    slide showing it in digits."""
    if chunk.items is not None:
        return None
    found = [(s, f) for s in chunk.sentences for f in worded(s) if _counts(s[f.end :])]
    return _stat(*found[0]) if found else None


def _counts(after: str) -> bool:
    """Whether the words after a figure say what it counts ('airmen died in crashes'), not what came before."""
    said = after.split()
    return len(said) >= 2 and said[0].isalpha() and said[0].islower() and said[0] not in _NOT_LISTED


def _stat(sentence: str, figure: Found) -> Drafted:
    slide: dict[str, Any] = {"kind": "stat"}
    if figure.qualifier:
        slide["qualifier"] = figure.qualifier
    value: float | int = int(figure.value) if figure.value.is_integer() else figure.value
    slide["value"] = value
    unit = (figure.currency or figure.unit).strip()
    label, counted = _label(sentence, figure)
    if not unit and counted and len(counted) <= UNIT_CHARS:
        unit = counted  # "31 billion dollars": the word the figure counts is its unit
    if unit and len(unit) <= UNIT_CHARS:
        slide["unit"] = unit
    if figure.scale:
        slide["suffix"] = f" {figure.scale}"
    slide["label"] = label
    if len(unit) > UNIT_CHARS:  # a unit the slide has no room for after the figure is said in its label
        slide["label"] = phrase(f"{unit} {slide['label']}", 60, capital=False)
    return Drafted(slide, [_no_source(figure.shown)], f"{figure.shown} {slide['label']}")


def chart(chunk: Chunk) -> Drafted | None:
    """A series: three or more figures of one kind (same currency, unit and scale), each given for its own date."""
    if chunk.items is not None:
        return None
    series: dict[tuple[str, str, str], list[tuple[str, Found]]] = {}
    for _, line in _lines(chunk):
        when = dates(line)
        for figure in figures(line):
            if when:
                series.setdefault((figure.currency, figure.unit, figure.scale), []).append((when[0][0], figure))
    for (currency, unit, scale), points in series.items():
        by_date = dict(points)  # one figure a date
        if len(by_date) < 3 or len(by_date) > 12:
            continue
        order = sorted(by_date, key=when_key)
        slide: dict[str, Any] = {"kind": "chart", "type": "bar"}
        plain = next((s for s in chunk.sentences if not figures(s) and not dates(s)), None)
        if plain is not None:  # what the series measures, said in a sentence of its own
            slide["title"] = phrase(plain, 60)
        slide["labels"] = order
        slide["values"] = [by_date[d].value for d in order]
        slide["value_prefix"] = currency
        suffix = (f" {scale}" if scale else "") + unit
        if suffix.strip() and len(suffix) <= 8:
            slide["value_suffix"] = suffix
        elif suffix.strip():
            slide["y_title"] = suffix.strip()[:40]
        shown = ", ".join(by_date[d].shown for d in order)
        return Drafted(slide, [_no_source(shown)], slide.get("title") or f"{' '.join(order)} {unit}")
    return None


def statement(chunk: Chunk) -> Drafted:
    title = phrase(chunk.sentences[0], 70)
    slide: dict[str, Any] = {"kind": "title", "title": title}
    icon = icon_for(" ".join(chunk.sentences))
    if icon:
        slide["visual"] = {"icon": icon}
    return Drafted(slide, [], title)


#: The rules, in the order they are tried.
RULES: tuple[Callable[[Chunk], Drafted | None], ...] = (
    quote, chart, timeline, place_map, compare, contrast, bullets, stat, listed, stat_in_words, place_statement,
)  # fmt: skip


def choose(chunk: Chunk) -> Drafted:
    """The slide the first rule that answers gives ``chunk`` with a slide its kind's schema takes (a rule's slide
    that validate would refuse, a unit too long for a stat, lets the next rule try); a statement card when none
    does."""
    for rule in RULES:
        drafted = rule(chunk)
        if drafted is not None and schema_problem(drafted.slide) is None:
            return drafted
    return statement(chunk)


def schema_problem(slide: dict[str, Any]) -> str | None:
    """Why the slide's kind refuses ``slide`` (as validate would say it), or None."""
    try:
        KINDS[slide["kind"]].spec.model_validate(slide)
    except ValidationError as exc:
        error = exc.errors()[0]
        return f"{'.'.join(str(part) for part in error['loc'])}: {error['msg'].lower()}"
    return None


def _when(text: str, otherwise: str) -> str:
    """The date an amount is given for ('from $2 in 1998'), or ``otherwise``."""
    found = dates(text)
    return found[0][0] if found else otherwise


def _alike(a: Found, b: Found) -> bool:
    return a.currency == b.currency and a.unit.strip() == b.unit.strip()


def _change(before: float, after: float) -> str | None:
    if before <= 0 or after <= 0:
        return None
    r = after / before
    if r >= 1.15:
        return f"{r:.0f}x" if r >= 10 or r.is_integer() else f"{r:.1f}x".replace(".0x", "x")
    if r <= 1 / 1.15:
        return f"\u2212{(1 - r):.0%}"
    return None


#: Where what a figure counts stops: the sentence runs on into another clause ("dollars and was finished late").
_RUNS_ON = re.compile(
    r",(?!\d)|[;:]|\s[—–]\s|\s(?:and|but|or|which|while|who|whereas|so)\s(?=(?:was|were|is|are|has|had|have|did|does|do|"
    r"became|took|cost|made|then|it|they|he|she|\w+ed|\w+s)\b)|\s(?:which|while|whereas|but)\s",
)


def _label(sentence: str, figure: Found) -> tuple[str, str]:
    """What a figure counts, from its sentence, and the one word it counts when that is all that follows it
    ('dollars'): the words after it up to where the sentence runs on into another clause, or else the words
    before it ('The dam cost'), or else the sentence's phrase."""
    after = sentence[figure.end :]
    after = "" if re.match(r"\s*(?:and|but|or|,|;)\s", after) else after
    after = after[: m.start()] if (m := _RUNS_ON.search(after)) else after
    after = after.strip().rstrip(".!?")
    after = re.sub(r"^(?:of\s+)", "", after) if after.lower().startswith("of ") else after
    counted = after if len(after.split()) == 1 and after.isalpha() and not figure.unit else ""
    label = phrase(after, 60, capital=False) if len(after.split()) >= 2 else ""
    if len(label.split()) < 2:
        before = sentence[: figure.start].strip()
        if len(after.split()) == 1 and not counted:  # 'The tunnel is 57 kilometres long': 'The tunnel is long'
            before = f"{before} {after}"
        label = phrase(before, 60) if len(before.split()) >= 2 else ""
    if len(label.split()) < 2 or not_a_phrase.problem(label):
        label = phrase(sentence[: figure.start] + sentence[figure.end :], 60)
    return label, counted


def _no_source(what: str) -> str:
    return f"no source: add `source:` naming where {what} comes from"


def _within(text: str, limit: int) -> str:
    """``text`` whole when it fits ``limit``, else its sentences that do, else cut with an ellipsis."""
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    return kept or text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"
