"""Figures and dates in a sentence, as a slide shows them.

Which numbers are figures, their values and which are years is lint's reading
(``pipeline.lint.numbers``: the draft and its lint read a figure alike); this
module adds what a slide needs: the figure's parts as written, a qualifier
before it ("around" is drawn "about"), a currency sign ("$2,000"), a scale word
("3.5 million"), a unit after it ("90%", "68,000 km²"; "25,000 workers" keeps
only the number). Figures said in words stay in the narration. A year on its
own (1990, "in 2019") is a date, not a figure; so is "March 2020".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.drawing.slides.stat import CURRENCIES, QUALIFIERS
from pipeline.lint import numbers

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
           "dec")  # fmt: skip
#: A figure's text as lint reads it: "$2,000", "90%", "3.5 million".
_PARTS = re.compile(
    r"(?P<currency>[" + "".join(CURRENCIES) + r"])?(?P<number>[\d,]+(?:\.\d+)?)"
    r"(?P<percent>\s?%|\s+per\s*cent)?(?:\s*(?P<scale>thousand|million|billion|trillion))?",
    re.IGNORECASE,
)
_UNIT = re.compile(
    r"\s?(?:°C|°F|km²|km2)|\s+(?:square (?:kilometres|kilometers|miles)|km|kilometres|kilometers|miles|metres|meters"
    r"|tonnes|tons|degrees|hectares)\b",
    re.IGNORECASE,
)
#: Units as a slide typesets them: "68,800 square kilometres" is drawn "68,800 km²" (a stat's unit has room for a
#: few characters; the narration keeps the words).
ABBREVIATED = {
    "km2": "km\u00b2", "square kilometres": "km\u00b2", "square kilometers": "km\u00b2", "square miles": "sq mi",
}  # fmt: skip
#: What a four-digit number is a count of when it is not a year: "1500 soldiers".
_COUNTED = re.compile(r"\s*(?:km|miles|people|soldiers)\b")
_DATE = re.compile(
    r"\b(?:(?P<month>" + "|".join(_MONTHS) + r")\.?\s+)?(?P<year>1[0-9]{3}|20[0-9]{2})(?P<decade>s)?\b(?!,\d)",
    re.IGNORECASE,
)
#: A month's name after a number: the number is a day of a date ('on 12 May 1949'), not a figure.
_DAY = re.compile(r"\s+(?:" + "|".join(_MONTHS) + r")\b", re.IGNORECASE)
#: Lint's hedges drawn as another qualifier on a stat.
_DRAWN_AS = {"around": "about", "estimated": "about", "roughly": "about", "approximately": "about", "some": "about"}


@dataclass(frozen=True)
class Found:
    """A figure in a text: its value as a number, and its parts as written."""

    value: float
    text: str
    start: int
    end: int
    qualifier: str | None = None
    currency: str = ""
    scale: str = ""
    unit: str = ""

    @property
    def shown(self) -> str:
        """The figure as a slide shows it: '$10,000', '3.5 million', '90%'."""
        number = self.text
        return f"{self.currency}{number}{' ' + self.scale if self.scale else ''}{self.unit}"

    @property
    def size(self) -> float:
        """The value with its scale word: 3.5 million -> 3500000."""
        return self.value * numbers.scale_of(self.scale)


def figures(sentence: str) -> list[Found]:
    """The figures written in digits in ``sentence`` that are not dates, in order."""
    found = []
    for said in numbers.figures(sentence):
        parts = _PARTS.fullmatch(said.text)
        end = said.start + len(said.text)
        if parts is None or said.ratio or _inside_word(sentence, end) or _DAY.match(sentence, end):
            continue  # said in words, "ten times", "2-year-old", the day of a date ("12 May 1949")
        unit_match = _UNIT.match(sentence, end)
        if said.year and not (unit_match or _COUNTED.match(sentence, end)):
            continue
        unit = "%" if parts["percent"] else (unit_match.group(0).strip() if unit_match else "")
        unit = ABBREVIATED.get(unit.lower(), unit)
        unit = unit if unit in ("%", "°C", "°F") else (f" {unit}" if unit else "")
        hedge = _qualifier(said.hedge)
        start = sentence.lower().rfind(said.hedge, 0, said.start) if said.hedge else said.start
        found.append(Found(said.value / numbers.scale_of(parts["scale"] or ""), parts["number"], start,
                           unit_match.end() if unit_match else end, hedge,
                           parts["currency"] or "", (parts["scale"] or "").lower(), unit))  # fmt: skip
    return found


def worded(sentence: str) -> list[Found]:
    """The figures of three or more said in words in ``sentence`` ('Seventy-eight airmen', 'two million people'),
    read as lint reads them, so a slide may show them in digits while the narration says the words."""
    found = []
    for said in numbers.figures(sentence):
        if any(c.isdigit() for c in said.text) or said.ratio or said.year or said.value < 3:
            continue
        scale = next((w for w in ("trillion", "billion", "million", "thousand") if w in said.text.lower()), "")
        value = said.value / numbers.scale_of(scale)
        text = f"{value:,.0f}" if value.is_integer() else f"{value:,}"
        hedge = _qualifier(said.hedge)
        start = sentence.lower().rfind(said.hedge, 0, said.start) if said.hedge else said.start
        found.append(Found(value, text, start, said.start + len(said.text), hedge, "", scale, ""))
    return found


def _qualifier(hedge: str) -> str | None:
    """Lint's hedge as a stat's qualifier: 'around' and 'estimated' are drawn 'about', 'only about' and 'just over'
    as their last words; a hedge a stat cannot draw ('as many as') is none."""
    hedge = _DRAWN_AS.get(hedge, hedge)
    return next((q for q in sorted(QUALIFIERS, key=len, reverse=True) if hedge == q or hedge.endswith(f" {q}")), None)


def dates(sentence: str) -> list[tuple[str, int, int]]:
    """The dates in ``sentence`` as labels ('1991', 'Aug 2020', '1990s') with where they are written."""
    out = []
    for m in _DATE.finditer(sentence):
        if not _is_date(sentence, m):
            continue
        label = m.group("year") + (m.group("decade") or "")
        if m.group("month"):
            label = f"{m.group('month')[:3].title()} {label}"
        out.append((label, m.start(), m.end()))
    return out


def _is_date(sentence: str, m: re.Match) -> bool:
    """A four-digit number read as a year: not money, not a count of things ('1,000 people' has a comma)."""
    before = sentence[: m.start("year")]
    after = sentence[m.end() :]
    return not (before.endswith(tuple(CURRENCIES)) or re.match(r"\s*(%|percent|km|miles|people|soldiers)", after))


def _inside_word(text: str, end: int) -> bool:
    """A number that runs on into a word ('2-year-old', 'mp3'; lint leaves out 'COVID-19' and 'G7' already)."""
    after = text[end] if end < len(text) else " "
    return after.isalpha() or after == "-"
