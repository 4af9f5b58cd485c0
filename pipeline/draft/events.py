"""Dated events in a stretch of the script, as a timeline shows them: in the order said, each with its date's
label and a phrase that names what happened and its subject."""

from __future__ import annotations

import re
from typing import Any

from pipeline.draft.figures import dates
from pipeline.draft.phrases import DANGLING, PARTICLES, phrase
from pipeline.lint import not_a_phrase

#: Characters a timeline event's text may have (the kind's limit).
TEXT_LIMIT = 40

#: Words that stand for a subject named elsewhere: an event's text that starts with one has lost its subject.
_PRONOUNS = {"it", "they", "he", "she", "we", "i", "you", "this", "that", "these", "those", "there", "its", "their",
             "his", "her", "our", "them", "him"}  # fmt: skip
_DATE_LEAD = re.compile(
    r"^(?:(?:in|by|since|on|from|until|after|before|during|around|about|between)\b\s*)?"
    r"(?:(?:the\s+)?(?:early|late|mid|summer|winter|spring|autumn|fall|end|start|beginning)\s+(?:of\s+)?"
    r"(?:the\s+)?)?[,:]?\s*",
    re.IGNORECASE,
)
_DATE_TAIL = re.compile(
    r"\s+(?:in|by|since|on|during|until|from)(?:\s+the)?(?:\s+(?:early|late|mid|summer|winter|spring|autumn))?"
    r"(?:\s+of)?\s*(?=[,.;]|$)",
    re.IGNORECASE,
)


def dated_events(lines: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """The dated events of ``lines`` (sentence number, text), in the order said: each the first date of its
    sentence, with a phrase of what happened that names its subject ("the cable broke again", not "The the
    ..."): a clause whose subject is a pronoun takes the subject of the sentence before ("In 1987 it split" after
    "the lake covered" is "The lake split"); with none to take, the sentence is no event."""
    events, seen = [], set()
    subject = ""
    for number, line in lines:
        found = dates(line)
        if not found:
            subject = _subject(line) or subject
            continue
        label, start, end = found[0]
        clause = _event_clause(line, start, end)
        words = clause.split()
        if words and subject and words[0].lower() in ("it", "they", "he", "she"):
            clause = " ".join([subject, *words[1:]])
        text = event_text(clause, TEXT_LIMIT) if clause and clause.split()[0].lower() not in _PRONOUNS else ""
        if text and len(text.split()) >= 2 and label not in seen:
            seen.add(label)
            events.append({"date": label, "text": text, "sentence": number})
        subject = _subject(clause) or subject
    return events


def _event_clause(line: str, start: int, end: int) -> str:
    """The clause the date written at ``line[start:end]`` is in, without the date and the words that set it ('In
    the winter of'); a date set off by a comma ('In 1796, the doctor…') is the clause after it."""
    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^,;]+(?:,(?=\d)[^,;]*)*", line)]
    index = next((i for i, (a, b) in enumerate(clauses) if a <= start < b), None)
    if index is None:
        return ""
    a, b = clauses[index]
    before, after = line[a:start], line[end:b]
    if not before.strip() or _DATE_LEAD.fullmatch(before.strip() + " "):
        clause = _RANGE_END.sub("", after.strip())  # 'Between 1998 and 2008, the economy…': the range's end
        if not clause.strip(" ,;.") and index + 1 < len(clauses):
            clause = line[clauses[index + 1][0] : clauses[index + 1][1]]
        clause = _DATE_LEAD.sub("", clause.strip(" ,;"))
    else:
        clause = (_DATE_TAIL.sub("", before.rstrip()) + after).strip(" ,;")
    return re.sub(r"^(?:and|but|so|when|while|which|then)\s+", "", clause.strip(), flags=re.IGNORECASE)


_RANGE_END = re.compile(r"^(?:and|to|until|till|[–-])\s*(?:[A-Z][a-z]+\.?\s+)?\d{3,4}s?\b")


def _subject(clause: str) -> str:
    """The noun phrase a clause opens with, to stand for a pronoun after it: 'the lake' of 'The lake covered
    68,000 km²', 'four giant boring machines' of 'Four giant boring machines, each…'; '' for a clause that opens
    otherwise (with a pronoun, a date, a verb)."""
    words = _DATE_LEAD.sub("", clause.strip()).split()
    if not words or words[0].lower() in _PRONOUNS or not (words[0][:1].isupper() or words[0] == "the"):
        return ""
    kept: list[str] = []
    for word in words[:6]:
        bare = word.strip(",;:.")
        if kept and (bare.lower() in _VERBS or bare.lower().endswith("ed") or not bare.replace("'", "").isalpha()):
            break
        kept.append(bare)
        if word.endswith((",", ";", ":")):
            break
    if len(kept) > 5:
        return ""
    return " ".join([kept[0] if kept[0][1:2].isupper() or len(kept) == 1 else kept[0].lower(), *kept[1:]])


#: Verbs that end a subject's noun phrase ('The lake covered', 'Swiss voters approved' end on -ed).
_VERBS = {
    "is",
    "are",
    "was",
    "were",
    "has",
    "had",
    "have",
    "met",
    "ran",
    "took",
    "made",
    "cut",
    "began",
    "became",
    "grew",
    "fell",
    "rose",
    "split",
    "sent",
    "left",
    "came",
    "went",
    "built",
    "won",
    "lost",
    "said",
    "wrote",
    "could",
    "would",
    "will",
    "can",
    "did",
    "does",
    "do",
    "sank",
    "broke",
    "flew",
    "found",
    "kept",
    "set",
}
#: Verbs in the past that no -ed marks ('Tambora blew'), for finding a clause's verb.
_VERBS |= set(
    [
        "blew",
        "drew",
        "threw",
        "knew",
        "saw",
        "gave",
        "ate",
        "rode",
        "spoke",
        "chose",
        "froze",
        "woke",
        "swam",
        "sang",
        "rang",
        "drank",
        "shrank",
        "sprang",
        "ran",
        "led",
        "fed",
        "held",
        "told",
        "sold",
        "stood",
        "brought",
        "bought",
        "caught",
        "taught",
        "thought",
        "fought",
        "sought",
        "paid",
        "laid",
        "heard",
        "meant",
        "felt",
        "slept",
        "swept",
        "spent",
        "bent",
        "shot",
        "hid",
        "lit",
        "slid",
        "spun",
        "struck",
        "hung",
        "dug",
        "stuck",
        "swung",
        "shone",
        "arose",
        "drove",
        "wrote",
        "forgot",
        "got",
        "sat",
        "shook",
        "overtook",
        "withdrew",
        "undertook",
        "became",
        "overcame",
        "began",
    ]
)


#: Words that open a phrase a predicate may be cut before ('grounded flights | across Europe | for days').
_BREAKS = {"in", "on", "at", "by", "for", "from", "with", "across", "after", "before", "during", "since", "into",
           "against", "to", "through", "until", "over", "under", "and", "but", "while", "which", "who", "where",
           "when", "because", "as", "so", "that", "than", "then", "about", "around", "near", "along",
           "despite"}  # fmt: skip
#: Participles a headline's passive keeps with its 'was' dropped ('Three zeros were removed': 'Three zeros removed').
_PARTICIPLES = {"made", "built", "found", "held", "won", "known", "given", "taken", "seen", "done", "born", "sold",
                "paid", "laid", "cut", "set", "put", "shut", "hit", "split", "begun", "sunk", "shown", "drawn",
                "thrown", "grown", "flown", "driven", "written", "chosen", "frozen", "broken", "spoken", "stolen",
                "left", "lost", "sent", "spent", "kept", "struck", "torn", "worn", "sworn", "dug", "hung", "heard",
                "read", "led", "fed", "met", "forgotten", "hidden", "fallen", "risen", "beaten", "eaten", "ridden",
                "bitten", "forbidden", "overtaken", "undertaken", "withdrawn", "bought", "brought", "caught",
                "taught", "thought", "fought"}  # fmt: skip
#: Words ending in -ed that are no verb.
_NOT_VERBS = {"red", "bed", "hundred", "need", "speed", "seed", "feed", "breed", "shed", "wed", "sled", "bred",
              "united", "limited", "related", "armed", "skilled", "aged"}  # fmt: skip
_ARTICLES = {"the", "a", "an"}
_QUANTIFIERS = {"much", "many", "most", "some", "all", "part", "half", "none", "each", "one", "two", "three", "few",
                "several", "any", "both", "rest"}  # fmt: skip


def event_text(clause: str, limit: int) -> str:
    """What happened, as a designer writes it on a timeline: its subject and its verb, the words around them cut
    to fit ``limit`` ('The American businessman Cyrus West Field raised the money' is 'Cyrus West Field raised
    the money'; 'Three zeros were removed' is 'Three zeros removed'). Among the ways to say it that fit, the one
    that keeps the most names, then the most words, cut where a phrase starts (before 'in', 'for', 'and'...),
    articles kept where there is room; never cut inside a name or between a number and its unit, never ending
    on a word that leaves something unsaid. A clause whose verb is not found is cut as any phrase is."""
    words = _clean(clause).split()
    verb = _verb(words)
    if verb is None:
        return phrase(clause, limit)
    subject, predicate = words[:verb], words[verb:]
    passive = len(predicate) > 1 and predicate[0].lower() in ("was", "were", "is", "are") and _participle(predicate[1])
    if passive:
        predicate = predicate[1:]  # a headline's passive, with no article to read as active: 'Dam completed'
    best: tuple[tuple, str] | None = None
    needs_object = len(predicate) > 1 and predicate[1].lower().strip(",") not in _BREAKS
    for who in _subjects(subject):
        for does, clean in _predicates(predicate):
            for drops in _DROPS:
                said = _dropped(who, does, drops)
                text = " ".join(said)
                text = text[:1].upper() + text[1:]
                if not said or len(text) > limit or not_a_phrase.problem(text):
                    continue
                names = sum(1 for w in said if w.lower() not in _ARTICLES and (w[:1].isupper() or w[:1].isdigit()))
                content = [w for w in does if w.lower() not in _ARTICLES | _ADVERBS]
                # A verb that takes an object is said with it ('Engineers surveyed' says too little), when it can be.
                whole = not needs_object or len(does) >= 2
                headline = passive and "subject" in drops  # 'Dam completed', not 'The dam completed'
                cost = sum(_COSTS[d] for d in drops)
                score = (whole, names, clean, len(content), -len(who), headline, -cost, len(text))
                if best is None or score > best[0]:
                    best = (score, text)
    return best[1] if best else phrase(clause, limit)


#: What a headline may leave out to fit: the article opening its subject, the one opening its object, 'the' after
#: 'of' ('basin of South Aral'), and adverbs ('only', 'finally'); the fewer the better.
_DROPS: tuple[frozenset[str], ...] = tuple(
    frozenset(c) for c in ((), ("subject",), ("object",), ("adverbs",), ("subject", "object"), ("subject", "adverbs"),
                           ("object", "adverbs"), ("subject", "object", "adverbs"), ("subject", "object", "of"),
                           ("subject", "object", "of", "adverbs"))
)  # fmt: skip
#: What each leaves out costs the reader: an opening article least, an object's article most ('closed chapter').
_COSTS = {"subject": 1, "adverbs": 2, "of": 3, "object": 4}
_ADVERBS = {"only", "finally", "just", "still", "also", "even", "then", "already", "eventually", "really", "soon"}


def _dropped(who: list[str], does: list[str], drops: frozenset[str]) -> list[str]:
    said = list(who)
    if "subject" in drops and said and said[0].lower() in _ARTICLES:
        said = said[1:]
    rest = list(does)
    if "adverbs" in drops:
        rest = [rest[0], *(w for w in rest[1:] if w.lower() not in _ADVERBS)] if rest else rest
    if "object" in drops and len(rest) > 1 and rest[1].lower() in _ARTICLES:
        rest = [rest[0], *rest[2:]]
    said += rest
    if "of" in drops:
        said = [w for i, w in enumerate(said) if not (i and w.lower() == "the" and said[i - 1].lower() == "of")]
    return said


def _clean(clause: str) -> str:
    """The clause without asides and end marks, a word said twice running said once."""
    text = re.sub(r"\s*\([^)]*\)", "", clause)
    text = re.split(r"\s+[—–]\s+|;", text)[0].strip().strip("\"“”'‘’").rstrip(".!?,:")
    out: list[str] = []
    for word in text.split():
        if out and word.lower() == out[-1].lower() and word[:1].isalpha():
            continue
        out.append(word)
    return " ".join(out)


def _verb(words: list[str]) -> int | None:
    """Where the clause's verb is: the first word after its subject that is one ('began', 'were', an -ed)."""
    for i, word in enumerate(words[1:], start=1):
        bare = word.lower().strip(",;:")
        if word[:1].isupper() or not bare.isalpha():
            continue
        if bare in _VERBS:
            return i
        if bare.endswith("ed") and len(bare) > 3 and bare not in _NOT_VERBS:
            return i
    return None


def _participle(word: str) -> bool:
    bare = word.lower().strip(",;:")
    return (bare.endswith("ed") and bare not in _NOT_VERBS) or bare in _PARTICIPLES


def _name_word(word: str) -> bool:
    return word[:1].isupper() or word.lower() in PARTICLES or bool(re.match(r"^\d", word))


def _subjects(subject: list[str]) -> list[list[str]]:
    """Ways to say the subject, the fullest first: as said; a name without the title before it ('the zoologist
    Fred Urquhart': 'Fred Urquhart'); without the phrases after its head ('A small eruption at Eyjafjallajokull
    in Iceland': '… at Eyjafjallajokull', 'A small eruption')."""
    out = [subject]
    run = len(subject)
    while run > 0 and _name_word(subject[run - 1]):
        run -= 1
    if 0 < run < len(subject) and subject[run - 1].lower() not in DANGLING and subject[run - 1][:1].islower():
        out.append(subject[run:])  # a title before a name: the name alone
    for i in range(len(subject) - 1, 0, -1):
        if subject[i].lower() == "of" and subject[i - 1].lower() in _QUANTIFIERS:
            continue  # 'Much of the network' is not 'Much'
        following = subject[i + 1] if i + 1 < len(subject) else ""
        if subject[i].lower() in _BREAKS | {"of"} and not (_name_word(subject[i - 1]) and _name_word(following)):
            out.append(subject[:i])  # not inside a name ('Bank of England')
    return [s for s in out if s]


def _predicates(predicate: list[str]) -> list[tuple[list[str], bool]]:
    """Ways to say what the subject did: the verb and the words after it up to a word boundary that cuts no name
    or figure and leaves nothing dangling, each with whether the cut falls where a phrase starts. A name too
    long to keep in the object is said by its last word ('the Monarch Butterfly Biosphere Reserve': 'the
    reserve')."""
    out = []
    for end in range(len(predicate), 0, -1):
        said, rest = predicate[:end], predicate[end:]
        last = said[-1].lower().strip(",;:")
        if last in DANGLING or last in PARTICLES:
            continue
        if rest and _name_word(said[-1]) and _name_word(rest[0]) and said[-1][:1].isupper():
            continue  # inside a name
        if rest and any(w.lower() in ("that", "which", "how", "whether") for w in said[1:]):
            continue  # inside a clause of its own ('wrote that a dam')
        if rest and re.match(r"^[$€£¥]?\d", said[-1]) and rest[0][:1].islower() and rest[0].lower() not in _BREAKS:
            continue  # between a figure and its unit
        clean = not rest or rest[0].lower().strip(",") in _BREAKS or said[-1].endswith(",")
        said = [*said[:-1], said[-1].rstrip(",;:")]
        out.append((said, clean))
        run = len(said)
        while run > 1 and said[run - 1][:1].isupper():
            run -= 1
        if len(said) - run >= 3 and said[run - 1].lower() == "the":  # a long name said by its last word
            out.append(([*said[:run], said[-1].lower()], clean))
    return out


_MONTH_ORDER = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def when_key(label: str) -> tuple[int, int]:
    """A date label's place in time: 'Aug 2020' -> (2020, 8); '1990s' -> (1990, 0)."""
    year = int(re.search(r"\d{3,4}", label).group(0))  # type: ignore[union-attr]
    month = label[:3].lower()
    return year, (_MONTH_ORDER.index(month) + 1 if month in _MONTH_ORDER else 0)
