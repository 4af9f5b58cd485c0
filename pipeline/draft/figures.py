"""Figures and dates in a sentence, as a writer writes them.

A figure is a number with what goes with it: a qualifier before it ("around",
"over"), a currency sign ("$2,000"), a scale word ("3.5 million"), a unit after
it ("90%", "68,000 km²", "25,000 workers" keeps only the number). A year on its
own (1990, "in 2019") is a date, not a figure; so is "March 2020".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.slides.stat import CURRENCIES, QUALIFIERS

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_UNITS = ("%", "percent", "per cent", "km²", "km2", "square kilometres", "square kilometers", "km", "kilometres",
          "kilometers", "miles", "metres", "meters", "m", "°C", "°F", "degrees", "tonnes", "tons", "kg", "years",
          "hours", "days")  # fmt: skip
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
           "dec")  # fmt: skip
_FIGURE = re.compile(
    r"(?P<qualifier>\b(?:" + "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True)) + r")\s+)?"
    r"(?P<currency>[" + "".join(CURRENCIES) + r"])?"
    r"(?P<number>(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?)"
    r"(?P<scale>\s+(?:thousand|million|billion|trillion)\b)?"
    r"(?P<unit>\s?(?:%|°C|°F|km²|km2)|\s+(?:percent|per cent|square (?:kilometres|kilometers|miles)|km|kilometres"
    r"|kilometers|miles|metres|meters|tonnes|tons|degrees)\b)?",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:(?P<month>" + "|".join(_MONTHS) + r")\.?\s+)?(?P<year>1[0-9]{3}|20[0-9]{2})(?P<decade>s)?\b(?!,\d)",
    re.IGNORECASE,
)


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
        return self.value * _SCALES.get(self.scale.lower(), 1.0)


def figures(sentence: str) -> list[Found]:
    """The figures in ``sentence`` that are not dates, in order."""
    years = {m.span("year") for m in _DATE.finditer(sentence) if _is_date(sentence, m)}
    found = []
    for m in _FIGURE.finditer(sentence):
        if m.span("number") in years and not (m.group("currency") or m.group("unit") or m.group("scale")):
            continue
        if _inside_word(sentence, m.start("number"), m.end("number")):
            continue
        number = m.group("number")
        value = float(number.replace(",", ""))
        unit = (m.group("unit") or "").strip()
        unit = {"percent": "%", "per cent": "%", "km2": "km²"}.get(unit.lower(), unit)
        unit = unit if unit in ("%", "°C", "°F") else (f" {unit}" if unit else "")
        qualifier = (m.group("qualifier") or "").strip().lower() or None
        found.append(Found(value, number, m.start(), m.end(), qualifier, m.group("currency") or "",
                           (m.group("scale") or "").strip().lower(), unit))  # fmt: skip
    return found


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


def _inside_word(text: str, start: int, end: int) -> bool:
    """A number that is part of a name or a word: 'COVID-19', 'G7', 'mp3', '2-year-old'."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return before.isalpha() or before == "-" or after.isalpha() or after == "-"
