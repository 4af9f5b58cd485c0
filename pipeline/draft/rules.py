"""Which slide shows a stretch of the script: the drafting rules, in the order they are tried.

Each rule looks at one chunk (a scene's worth of sentences, or a list, or a
quotation) and returns the slide for it, or None to let the next rule try. The
first that answers wins; the last always does. docs/draft.md lists them in
this order:

1. ``quote``: a block quotation, or a sentence with a quotation of six words or
   more and who said it ("…," said X / according to X).
2. ``timeline``: three or more dates, in different sentences or list items.
3. ``route``: where something moves (from, through, travel, cross, escape, reach...), places the map
   knows at three stops or more (places listed together, "Thailand,
   Vietnam or Mongolia", are one stop), four places at two stops, or two joined by "from A … to B".
   When two cities or more are named, the stops are the cities (the countries are what the road crosses).
4. ``compare``: "from X to Y" between two amounts of the same kind ($2,000 to $10,000).
5. ``bullets``: a list, each item revealed on the sentence that speaks it.
6. ``stat``: one figure that is not a date (34,000; 3.5 million; 90%).
7. ``title``: a statement card with the chunk's key phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.draft.figures import Found, dates, figures
from pipeline.draft.phrases import phrase
from pipeline.drawing.slides import geo
from pipeline.drawing.slides.stat import UNIT_CHARS


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


#: Quotations this long or longer (in words) become a quote slide.
QUOTE_WORDS = 6
_QUOTED = re.compile(r"[\"“](?P<text>[^\"”]{10,}?)[,.!?]?[\"”]")
_SAID = re.compile(
    r"(?:,?\s*(?:said|says|wrote|writes|declared|warned|told \w+)\s+(?P<after>[A-Z][\w.'’ -]{2,60}?)[,.]?$)"
    r"|(?:^(?:according to|as)\s+(?P<before>[A-Z][\w.'’ -]{2,60}?),)"
    r"|(?:(?:according to)\s+(?P<end>(?:the\s+)?[A-Z][\w.'’ -]{1,60}?)[,.]?$)",
)
_FROM_TO = re.compile(
    r"\bfrom\s+(?P<a>(?:[^,;]|,(?=\d))+?)\s+to\s+(?P<b>(?:[^,;]|,(?=\d))+?)(?=[,;.](?!\d)|\s+(?:in|by|and|—|–)\b|$)"
)
#: Words that say something moves between places: a route needs one (places named for another reason are not one).
_MOVES = re.compile(
    r"\b(?:from|through|via|across|travel\w*|route|road|drive\w*|driv\w+|cross\w*|flee\w*|fled|escape\w*|reach\w*"
    r"|journey\w*|head\w*|sail\w*|fl(?:y|ew|ies)|march\w*|migrat\w+|on to|onward)\b",
    re.IGNORECASE,
)
_CAPITALISED = r"[A-Z](?:[a-z]+|(?=['’-][A-Z]?[a-z]))(?:['’-][A-Z]?[a-z]+)*"  # Kano, N'Djamena, Guinea-Bissau
_NAME = re.compile(rf"\b(?:{_CAPITALISED}|[A-Z]{{2,}})(?:\s+(?:of\s+|the\s+)?(?:{_CAPITALISED}|[A-Z]{{2,}}))*")
_LEADING = re.compile(r"^(?:The|From|To|In|Into|Through|Via|Across|And|But|Then|Past|Beyond)\s+")
_GROUPED = re.compile(r"^\s*(?:,|,?\s*or|,?\s*and)\s*$")


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
    lines = _lines(chunk)
    events, seen = [], set()
    for number, line in lines:
        found = dates(line)
        if not found:
            continue
        label, start, end = found[0]
        if label in seen:
            continue
        seen.add(label)
        rest = (line[:start] + line[end:]).strip()
        rest = re.sub(r"^(?:in|by|since|on|from|until|after)\b\s*[,:]?\s*", "", rest, flags=re.IGNORECASE)
        rest = re.sub(r"\s+(?:in|by|since|on)\s*([,.]|$)", r"\1", rest)
        events.append({"date": label, "text": phrase(rest, 40), "sentence": number})
    if len(events) < 3:
        return None
    events = events[:8]
    if any(not e["text"] for e in events):
        return None
    return Drafted({"kind": "timeline", "events": events}, [], " ".join(e["text"] for e in events[:1]))


def route(chunk: Chunk) -> Drafted | None:
    if not any(_MOVES.search(s) for s in chunk.sentences):
        return None  # before any name is looked up on the map
    collected = _stops(chunk)
    stops: list[Any] = collected.stops
    from_to = any(_FROM_TO.search(s) for s in chunk.sentences)
    places = sum(len(stop["places"]) for stop in stops)
    if len(stops) < 2 or (len(stops) < 3 and places < 4 and not from_to):
        return None
    stops = stops[:6]
    stops[0] = stops[0]["places"][0] if len(stops[0]["places"]) == 1 else stops[0]["places"]  # the start: no arrow
    notes = [f"the map does not know {name!r}: `explainer places {name.split()[0]}` finds names it knows, or give "
             "its longitude and latitude under `places:`" for name in dict.fromkeys(collected.unknown)]  # fmt: skip
    return Drafted({"kind": "route", "stops": stops}, notes, " ".join(_names(stops)))


def _stops(chunk: Chunk) -> _Stops:
    """The stops the chunk names, in the order it names them."""
    named = [(number, line, [(m, _place(m.group(0))) for m in _NAME.finditer(line)]) for number, line in _lines(chunk)]
    cities = len({found[0] for *_, names in named for _, found in names if found and found[1] == "city"}) >= 2
    collected = _Stops(cities)
    for number, line, names in named:
        collected.add(number, line, names)
    return collected


@dataclass
class _Stops:
    """The stops a chunk names, line by line: each a place the map knows, or places listed together ("Thailand,
    Vietnam or Mongolia"); each place once, where first named."""

    #: Whether the route is between cities: the countries it passes through are then not stops.
    cities: bool
    stops: list[dict[str, Any]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    #: Names after 'to', 'through'... that the map does not know.
    unknown: list[str] = field(default_factory=list)

    def add(self, number: int, line: str, names: list[tuple[re.Match, tuple[str, str] | None]]) -> None:
        """The stops sentence ``number`` names: ``names`` are the capitalised names in ``line``, as the map knows
        them (or None)."""
        last_end, group = None, None
        for m, found in names:
            if found is None:
                if m.start() and re.search(r"\b(?:to|through|via|into|across|from)\s+$", line[: m.start()]):
                    self.unknown.append(m.group(0))
                continue
            if self.cities and found[1] != "city":
                continue  # a route between cities passes through countries; they are not stops
            if re.search(r"\b(?:not|never|back)\s+(?:\w+\s+)?$", line[: m.start()]):
                continue  # "not back to North Korea": a place the route does not go
            name = found[0]
            if name not in self.seen:
                self.seen.add(name)
                between = line[last_end : m.start()] if last_end is not None else None
                if group is not None and between is not None and _GROUPED.match(between):
                    group["places"].append(name)
                else:
                    group = {"places": [name], "sentence": number}
                    self.stops.append(group)
            last_end = m.end()


def compare(chunk: Chunk) -> Drafted | None:
    if chunk.items is not None:  # a list stays a list
        return None
    for sentence in chunk.sentences:
        for m in _FROM_TO.finditer(sentence):
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
    found = [(s, f) for s in chunk.sentences for f in figures(s)]
    if len(found) != 1 or chunk.items is not None:
        return None
    sentence, figure = found[0]
    slide: dict[str, Any] = {"kind": "stat"}
    if figure.qualifier:
        slide["qualifier"] = figure.qualifier
    value: float | int = int(figure.value) if figure.value.is_integer() else figure.value
    slide["value"] = value
    unit = (figure.currency or figure.unit).strip()
    if unit and len(unit) <= UNIT_CHARS:
        slide["unit"] = unit
    if figure.scale:
        slide["suffix"] = f" {figure.scale}"
    slide["label"] = _label(sentence, figure)
    if len(unit) > UNIT_CHARS:  # a unit the slide has no room for after the figure is said in its label
        slide["label"] = phrase(f"{unit} {slide['label']}", 60, capital=False)
    return Drafted(slide, [_no_source(figure.shown)], f"{figure.shown} {slide['label']}")


def statement(chunk: Chunk) -> Drafted:
    title = phrase(chunk.sentences[0], 70)
    return Drafted({"kind": "title", "title": title}, [], title)


#: The rules, in the order they are tried.
RULES: tuple[Callable[[Chunk], Drafted | None], ...] = (quote, timeline, route, compare, bullets, stat)


def choose(chunk: Chunk) -> Drafted:
    """The slide the first rule that answers gives ``chunk``; a statement card when none does."""
    for rule in RULES:
        drafted = rule(chunk)
        if drafted is not None:
            return drafted
    return statement(chunk)


def _lines(chunk: Chunk) -> list[tuple[int, str]]:
    """(sentence number, text) of what the chunk says: its sentences, then its list items."""
    said = [(i + 1, s) for i, s in enumerate(chunk.sentences)]
    if chunk.items is not None:
        said = said[: chunk.lead] + [(chunk.lead + i + 1, item) for i, item in enumerate(chunk.items)]
    return said


def _place(name: str) -> tuple[str, str] | None:
    """``name`` as the map knows it, with its kind ("country" or "city"); a sentence's first word may be a capitalised
    function word before it ('From Kano', 'The Gambia'), which is not part of the name ('Lake Chad' is not Chad)."""
    for candidate in (name, _LEADING.sub("", name)):
        if len(candidate) <= 3 and not candidate.isupper():  # 'It', 'In': words, not the ISO codes IT and IN
            continue
        if geo.find(candidate) is not None:
            return candidate, "country"
        place = geo.gazetteer().get(candidate.lower())
        if place is not None and place.kind == "city" and place.rank <= 3:
            return candidate, "city"
    return None


def _names(stops: list) -> list[str]:
    out = []
    for stop in stops:
        out += [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else stop["places"]
    return out


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


def _label(sentence: str, figure: Found) -> str:
    """What a figure counts, from its sentence: the words after it, or else the sentence's phrase."""
    after = sentence[figure.end :].strip()
    after = re.sub(r"^(?:of\s+)?", "", after) if after.lower().startswith("of ") else after
    label = phrase(after, 60, capital=False) if len(after.split()) >= 2 else ""
    if len(label.split()) < 2:
        label = phrase(sentence[: figure.start] + sentence[figure.end :], 60)
    return label


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
