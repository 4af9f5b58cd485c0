"""Dated events in a stretch of the script, as a timeline shows them: in the order said, each with its date's
label and a phrase that names what happened and its subject."""

from __future__ import annotations

import re
from typing import Any

from pipeline.draft.figures import dates
from pipeline.draft.phrases import phrase

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
        text = phrase(clause, 40) if clause and clause.split()[0].lower() not in _PRONOUNS else ""
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


_MONTH_ORDER = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def when_key(label: str) -> tuple[int, int]:
    """A date label's place in time: 'Aug 2020' -> (2020, 8); '1990s' -> (1990, 0)."""
    year = int(re.search(r"\d{3,4}", label).group(0))  # type: ignore[union-attr]
    month = label[:3].lower()
    return year, (_MONTH_ORDER.index(month) + 1 if month in _MONTH_ORDER else 0)
