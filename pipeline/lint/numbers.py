"""Figures as people write and say them: "34,000", "3.5 million", "$10,000", "27%", "fifteen",
"three and a half million", "a thousand"; and which of them are years.

A year is what spoken.py reads as one: a whole number from 1100 to 2099 written without a
comma, with no currency, percent or scale word ("2009", "in 1990"); a decade ("1990s") is
neither a year nor a figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SHORT_SCALES = {"k": 1e3, "mn": 1e6, "bn": 1e9, "tn": 1e12}  # not "m" (metres) nor "b"
_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
#: Words before a figure that say it is rounded or a bound, not exact.
HEDGES = (
    "about", "around", "almost", "nearly", "roughly", "approximately", "some", "close to", "more than", "over",
    "under", "less than", "fewer than", "at least", "up to", "barely", "just over", "just under", "estimated",
    "circa", "upwards of", "well over", "only about", "nearly", "as many as", "as much as",
)  # fmt: skip
#: Hedges that say the true figure is at least (or at most) the one said.
AT_LEAST = ("more than", "over", "at least", "upwards of", "just over", "well over")
AT_MOST = ("under", "less than", "fewer than", "up to", "almost", "nearly", "barely", "just under")

_DIGITS = re.compile(
    r"(?P<currency>[$€£¥₩₹])?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<percent>\s?%|\s+percent\b|\s+per\s+cent\b)?"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion)\b)?(?P<decade>'?s\b)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Said:
    """A figure in a text: its value, where it is and how it is written."""

    value: float
    start: int
    text: str
    year: bool = False
    #: The hedge before it ("about"), lower case, or "".
    hedge: str = ""
    #: A multiple, not a quantity: "ten times", "5x", "threefold".
    ratio: bool = False

    @property
    def precision(self) -> float:
        """The rounding the figure shows: 1,000 for "3,000", 100,000 for "3.5 million", 1 for "2,914"."""
        value = abs(self.value)
        if value < 10 or value != int(value):
            return 1.0
        step = 1.0
        while value % (step * 10) == 0:
            step *= 10
        return step


def figures(text: str) -> list[Said]:
    """Every figure in ``text`` (digits or words), in order; decades are left out."""
    found = [_digit_figure(m, text) for m in _DIGITS.finditer(text) if not _inside_word(m, text)]
    found = [f for f in found if f is not None]
    taken = [(f.start, f.start + len(f.text)) for f in found]
    for said in _word_figures(text):
        if not any(a <= said.start < b for a, b in taken):
            found.append(said)
    return sorted(found, key=lambda f: f.start)


def _inside_word(m: re.Match[str], text: str) -> bool:
    """Digits that are part of a name or a longer number: "COVID-19", "F-35", "A4", ".5"."""
    before = text[max(0, m.start() - 2) : m.start()].rjust(2)
    return before[1].isalpha() or before[1] in ".," or (before[1] == "-" and before[0].isalnum())


def _digit_figure(m: re.Match[str], text: str) -> Said | None:
    if m["decade"]:
        return None
    number = m["number"].replace(",", "")
    value = float(number)
    after = text[m.end() :]
    scale = m["scale"]
    if not scale and (short := re.match(r"(k|mn|bn|tn)\b", after, re.IGNORECASE)):
        value *= _SHORT_SCALES[short.group(1).lower()]
    if scale:
        value *= _SCALES[scale.lower()]
    year = (
        not m["currency"] and not m["percent"] and not scale and "," not in m["number"] and "." not in m["number"]
        and len(number) == 4 and 1100 <= int(number) <= 2099
    )  # fmt: skip
    said = m.group(0).strip()
    return Said(value, m.start(), said, year, _hedge(text, m.start()), _ratio(text, m.start() + len(said)))


def _word_figures(text: str) -> list[Said]:
    """Figures said in words: "fifteen", "three and a half million", "a thousand", "twenty-two"."""
    out = []
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        run = [words[i]]  # the words up to a punctuation mark: "fifteen, twenty" is two figures
        while i + len(run) < len(words) and re.fullmatch(r"[\s-]*", text[run[-1].end() : words[i + len(run)].start()]):
            run.append(words[i + len(run)])
        value, used = _read_words([w.group(0).lower() for w in run])
        if used:
            first, last = run[0], run[used - 1]
            said = text[first.start() : last.end()]
            out.append(Said(value, first.start(), said, False, _hedge(text, first.start()), _ratio(text, last.end())))
            i += used
        else:
            i += 1
    return out


def _read_words(words: list[str]) -> tuple[float, int]:
    """The number the words at the start of ``words`` say, and how many words it took (0: none)."""
    total, current, used, seen = 0.0, 0.0, 0, False
    i = 0
    while i < len(words):
        word = words[i]
        if word in _ONES or word in _TENS:
            current += _ONES.get(word, 0) + _TENS.get(word, 0)
            seen, i, used = True, i + 1, i + 1
        elif word == "a" and i + 1 < len(words) and words[i + 1] in ("hundred", *_SCALES) and not seen:
            current, seen, i = 1.0, True, i + 1
        elif word == "hundred" and seen:
            current, i, used = (current or 1) * 100, i + 1, i + 1
        elif word in _SCALES and seen:
            total += (current or 1) * _SCALES[word]
            current, i, used = 0.0, i + 1, i + 1
        elif word == "and" and seen and words[i + 1 : i + 3] == ["a", "half"]:
            current, i = current + 0.5, i + 3
            used = i
        elif word == "and" and seen and i + 1 < len(words) and (words[i + 1] in _ONES or words[i + 1] in _TENS):
            i += 1
        elif word == "point" and seen and i + 1 < len(words) and words[i + 1] in _ONES:
            digits = ""
            i += 1
            while i < len(words) and words[i] in _ONES and _ONES[words[i]] < 10:
                digits, i = digits + str(_ONES[words[i]]), i + 1
            current += float("0." + digits)
            used = i
        else:
            break
    value = total + current
    if not seen or not used:
        return 0.0, 0
    if used == 1 and words[0] in ("one", "zero"):  # "one of them", "no one": a pronoun more often than a figure
        return 0.0, 0
    return value, used


def _ratio(text: str, end: int) -> bool:
    return re.match(r"(?:\s*(?:times|fold)\b|x\b|-fold\b)", text[end:], re.IGNORECASE) is not None


def _hedge(text: str, start: int) -> str:
    before = re.sub(r"[$€£¥₩₹]$", "", text[:start]).rstrip().lower()
    for hedge in sorted(HEDGES, key=len, reverse=True):
        if re.search(rf"(?:^|\W){re.escape(hedge)}(?: an?)?$", before):
            return hedge
    return ""


def parse_value(text: str) -> float | None:
    """The first figure written in a short slide text ("$2,000", "20 hours", "3.5 million"), or None."""
    found = [f for f in figures(text) if not f.year] or figures(text)
    return found[0].value if found else None


def scale_of(suffix: str) -> float:
    """What a figure's suffix or unit multiplies it by: " million" -> 1e6, "k" -> 1e3, others 1."""
    word = suffix.strip().lower().split(" ")[0] if suffix.strip() else ""
    return _SCALES.get(word) or _SHORT_SCALES.get(word) or 1.0


def year_of(date: str) -> int | None:
    """The year a timeline date or chart label names ("1991", "Dec 1911", "2020-03-15"); None for "1990s"."""
    m = re.search(r"(?<!\d)(1[1-9]\d\d|20\d\d)(?!\d|'?s\b)", date)
    return int(m.group(1)) if m else None
