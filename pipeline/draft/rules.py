"""Which slide shows a stretch of the script: the drafting rules, in the order they are tried.

Each rule looks at one chunk (a scene's worth of sentences, or a list, or a
quotation) and returns the slide for it, or None to let the next rule try. The
first that answers wins; the last always does. docs/draft.md lists them in
this order:

1. ``quote``: a block quotation, or a sentence with a quotation of six words or
   more and who said it ("…," said X / said the biologist X / according to X).
2. ``chart``: three or more figures of one kind, each given for its own date.
3. ``timeline``: three or more dated events, in date order, each naming its subject.
4. ``place_map``: a place said to lie between two others, else ``route``: where something moves (from,
   through, travel, cross, escape, reach...), places the map knows at three stops or more (places listed
   together, "Thailand, Vietnam or Mongolia", are one stop), four places at two stops, or two joined by
   "from A … to B". When two cities or more are named, the stops are the cities (the countries are what the
   road crosses). Today drawn with the ``route`` kind; ``place_map`` is where a ``map`` kind replaces it.
5. ``compare``: "from X to Y" between two amounts of the same kind ($2,000 to $10,000).
6. ``bullets``: a list, each item revealed on the sentence that speaks it.
7. ``stat``: a figure that is not a date (34,000; 3.5 million; 90%), labelled with what it counts.
8. ``listed``: a sentence that lists three to six short things, as a list.
9. ``stat_in_words``: a figure said in words ("Seventy-eight airmen"), shown in digits.
10. ``statement``: a title card with the chunk's key phrase, and an icon a word of it names.

``choose`` takes the first answer whose slide its kind's schema takes, so a rule's slide that validate would
refuse lets the next rule try.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from pipeline.draft.events import dated_events, when_key
from pipeline.draft.figures import Found, dates, figures, worded
from pipeline.draft.icons import icon_for
from pipeline.draft.phrases import phrase
from pipeline.drawing.slides import KINDS, geo
from pipeline.drawing.slides.stat import UNIT_CHARS
from pipeline.lint import not_a_phrase


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
    r"(?:,?\s*(?:said|says|wrote|writes|declared|warned|told \w+)\s+"
    r"(?P<after>(?:the|a|an)\s+[A-Za-z][\w.'’ -]{1,80}?|[A-Z][\w.'’ -]{2,60}?)(?:,\s*who\b[^\"“”]*)?[,.]?$)"
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


def place_map(chunk: Chunk) -> Drafted | None:
    """Where places are placed relative to each other ('Berlin lies between Hamburg and Dresden') or something
    moves between them: a map. Today the ``route`` kind draws it (the place between the two others, or the
    stops in the order said); this is the one function a ``map`` kind replaces."""
    for number, line in _lines(chunk):
        m = _BETWEEN.search(line)
        if m is None:
            continue
        a, b = _locatable(m.group("a")), _locatable(m.group("b"))
        middle = next((found for n in _NAME.finditer(line[: m.start()]) if (found := _locatable(n.group(0)))
                       and found not in (a, b)), None)  # fmt: skip
        stops: list[Any] = [place for place in (a, middle, b) if place]
        if len(stops) < 2:
            continue
        if number > 1:
            stops[-1] = {"places": [stops[-1]], "sentence": number}
        return Drafted({"kind": "route", "stops": stops}, [], " ".join(_names(stops)))
    return route(chunk)


#: A place placed relative to two others: 'lies … between Hamburg and Dresden' (not 'a crossing between Europe and
#: North America', which places nothing).
_BETWEEN = re.compile(rf"\b(?:lies|lie|lay|sits|sit|stands|is|are|was|located|situated|border|frontier)\b"
                      rf"[^.;]{{0,80}}?\bbetween\s+(?:the\s+)?(?P<a>{_CAPITALISED}(?:\s+{_CAPITALISED})*)\s+and\s+"
                      rf"(?:the\s+)?(?P<b>{_CAPITALISED}(?:\s+{_CAPITALISED})*)")  # fmt: skip


def statement(chunk: Chunk) -> Drafted:
    title = phrase(chunk.sentences[0], 70)
    slide: dict[str, Any] = {"kind": "title", "title": title}
    icon = icon_for(" ".join(chunk.sentences))
    if icon:
        slide["visual"] = {"icon": icon}
    return Drafted(slide, [], title)


#: The rules, in the order they are tried.
RULES: tuple[Callable[[Chunk], Drafted | None], ...] = (
    quote, chart, timeline, place_map, compare, bullets, stat, listed, stat_in_words,
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


def _locatable(name: str) -> str | None:
    """``name`` (or it without a leading function word) when the map can place it: a country or any place of the
    gazetteer, however small (a place named as lying between two others is meant to be found)."""
    for candidate in (name, _LEADING.sub("", name)):
        if (len(candidate) > 3 or candidate.isupper()) and geo.where(candidate) is not None:
            return candidate
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
