"""What the voice is told to say: the caption text after the pronunciation lexicon.

Captions show the narration as written; the engine gets a spoken form. Two
layers, in order:

1. the author's lexicon (``narration.lexicon`` and shared ``lexicon_files``):
   whole words or phrases, case-sensitive, longest first, e.g. ``DMZ: D M Z``;
2. numbers said as a narrator says them. Measured on piper (eSpeak NG's
   number reading): "1990" came out "nineteen hundred ninety", "1990s" as
   "nineteen hundred ninety z" and "$10,000" as "dollar ten thousand". So
   years, decades, money, percentages and grouped numbers are spelled out here,
   the same for every engine (a spelled-out number is read right by all).

Numbers as people paste them are read too: a minus sign (U+2212, or a hyphen
before a number) says "minus"; a range "5–7" or "5-7" says "five to seven";
"20,000+" says "more than twenty thousand"; thin and non-breaking spaces
inside a number ("1 000 000") are ignored; and a unit after a number is said
in words ("-40 °C" -> "minus forty degrees Celsius", "2 million km²" -> "two
million square kilometres").

A four-digit number without a comma between 1100 and 2099 is read as a year
("1990" -> "nineteen ninety", "2009" -> "two thousand nine", "2019" -> "twenty
nineteen"); write counts with a comma ("1,047") or add a lexicon entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_PLURAL_TENS = {"ty": "ties", "en": "ens", "ve": "ves", "ne": "nes", "ro": "ros"}


def cardinal(n: int) -> str:
    """English words for a whole number: 34000 -> 'thirty-four thousand'."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    for size, name in _SCALES:
        if n >= size:
            high, rest = divmod(n, size)
            return f"{cardinal(high)} {name}" + (f" {cardinal(rest)}" if rest else "")
    raise AssertionError(n)


def year(n: int) -> str:
    """A year as a narrator says it: 1990 -> 'nineteen ninety', 2009 -> 'two thousand nine'."""
    century, rest = divmod(n, 100)
    if 2000 <= n <= 2009 or (rest == 0 and century % 10 == 0):
        return cardinal(n)
    if rest == 0:
        return f"{cardinal(century)} hundred"
    if rest < 10:
        return f"{cardinal(century)} oh {_ONES[rest]}"
    return f"{cardinal(century)} {cardinal(rest)}"


def decade(n: int) -> str:
    """1990 (of '1990s') -> 'nineteen nineties'; 2010 -> 'twenty tens'; 2000 -> 'two thousands'."""
    words = year(n)
    for end, plural in _PLURAL_TENS.items():
        if words.endswith(end):
            return words[: -len(end)] + plural
    return words + "s"


#: Whole numbers longer than this are read digit by digit, as a narrator reads a serial number
#: (Python also refuses to convert one of more than 4,300 digits).
MAX_CARDINAL_DIGITS = 15


def whole_number(digits: str) -> str:
    """'34000' -> 'thirty-four thousand'; a longer run than MAX_CARDINAL_DIGITS, digit by digit."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > MAX_CARDINAL_DIGITS:
        return " ".join(_ONES[int(d)] for d in digits)
    return cardinal(int(digits))


def decimal(text: str) -> str:
    """'3.5' -> 'three point five'; '1,047' -> 'one thousand forty-seven'."""
    whole, _, fraction = text.replace(",", "").partition(".")
    words = whole_number(whole)
    if fraction:
        words += " point " + " ".join(_ONES[int(d)] for d in fraction)
    return words


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_WORD = r"(?:\s+(?P<scale>thousand|million|billion|trillion))?"


def _money(m: re.Match[str]) -> str:
    amount, scale = m["amount"], m["scale"]
    plain = amount.replace(",", "")
    if "." in plain and not scale and len(plain.split(".")[1]) == 2:
        dollars, cents = plain.split(".")[0], int(plain.split(".")[1])
        words = f"{whole_number(dollars)} dollar{'s' if dollars.lstrip('0') != '1' else ''}"
        return words + (f" {cardinal(cents)} cent{'s' if cents != 1 else ''}" if cents else "")
    words = decimal(amount) + (f" {scale}" if scale else "")
    return words + (" dollar" if plain == "1" and not scale else " dollars")


#: Units said after a number: symbol -> (singular, plural). Longest symbols are tried first.
UNITS: dict[str, tuple[str, str]] = {
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "km²": ("square kilometre", "square kilometres"),
    "km2": ("square kilometre", "square kilometres"),
    "m²": ("square metre", "square metres"),
    "mi²": ("square mile", "square miles"),
    "km³": ("cubic kilometre", "cubic kilometres"),
    "m³": ("cubic metre", "cubic metres"),
    "km/h": ("kilometre per hour", "kilometres per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "km": ("kilometre", "kilometres"),
    "cm": ("centimetre", "centimetres"),
    "mm": ("millimetre", "millimetres"),
    "m": ("metre", "metres"),
    "kg": ("kilogram", "kilograms"),
    "ha": ("hectare", "hectares"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "GW": ("gigawatt", "gigawatts"),
    "MW": ("megawatt", "megawatts"),
    "kW": ("kilowatt", "kilowatts"),
}
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
#: Spaces people put inside numbers: thin, narrow no-break and no-break.
_NUMBER_SPACES = "\u2009\u202f\u00a0"
_RANGE_DASH = "[\u2013\u2014-]"


def _plain_signs(text: str) -> str:
    """Typographic signs as the rules below expect them: '−40' -> '-40', '1 000 000' -> '1,000,000' (a count)."""
    text = text.replace("\u2212", "-")
    return re.sub(rf"(?<=\d)[{_NUMBER_SPACES}](?=\d{{3}}(?!\d))", ",", text)


def _unit(m: re.Match[str]) -> str:
    one, many = UNITS[m["unit"]]
    return f"{m['n']} {one if m['n'] in ('one', 'minus one') else many}"


_RULES: list[tuple[re.Pattern[str], object]] = [
    # A range of plain numbers: '5–7 days', '5-7' -> '5 to 7' (before a hyphen can be read as a minus).
    (
        re.compile(rf"(?<![\w$.,-])(?P<a>{_NUMBER})\s?{_RANGE_DASH}\s?(?P<b>{_NUMBER})(?![\w.,]\d)"),
        lambda m: f"{m['a']} to {m['b']}",
    ),
    # A minus: '-40' at the start or after a space or bracket.
    (re.compile(rf"(?:(?<=^)|(?<=[\s(]))-(?P<n>{_NUMBER})"), lambda m: f"minus {m['n']}"),
    (re.compile(rf"(?<![\w.,])(?P<n>{_NUMBER})\+"), lambda m: f"more than {m['n']}"),
    (re.compile(rf"\$(?P<amount>{_NUMBER}){_SCALE_WORD}\b"), _money),
    (re.compile(rf"(?<![\w.,])(?P<n>{_NUMBER})\s?%"), lambda m: f"{decimal(m['n'])} percent"),
    (re.compile(r"(?<![\w$.,])(?P<y>1[1-9]\d0|20\d0)'?s\b"), lambda m: decade(int(m["y"]))),
    (re.compile(r"(?<![\w$.,])(?P<y>1[1-9]\d\d|20\d\d)(?!\w|[.,]\d)"), lambda m: year(int(m["y"]))),
    (re.compile(rf"(?<![\w$.,])(?P<n>{_NUMBER})(?!\w|[.,]\d)"), lambda m: decimal(m["n"])),
]


def numbers(text: str) -> str:
    """Spell out money, percentages, decades, years, ranges, signs, other numbers and the units after them."""
    text = _plain_signs(text)
    # Mark a unit that follows a number (or its scale word) so it is said after the number's words.
    marked = re.sub(
        rf"(?:(?<=\d)|(?<=thousand)|(?<=million)|(?<=billion)|(?<=trillion))[{_NUMBER_SPACES} ]?(?={_UNIT}(?![\w²³]))",
        "\x00",
        text,
    )
    for pattern, say in _RULES:
        marked = pattern.sub(say, marked)  # type: ignore[arg-type]
    return re.sub(rf"(?P<n>\S+)\x00(?P<unit>{_UNIT})", _unit, marked).replace("\x00", " ")


def apply_lexicon(text: str, lexicon: Mapping[str, str]) -> str:
    """Replace whole words or phrases from ``lexicon`` (case-sensitive, longest entry first)."""
    if not lexicon:
        return text
    words = sorted(lexicon, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
    return pattern.sub(lambda m: lexicon[m.group(0)], text)


def spoken(text: str, lexicon: Mapping[str, str]) -> str:
    """The form of ``text`` the engine is told to say."""
    return numbers(apply_lexicon(text, lexicon))
