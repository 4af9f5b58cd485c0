"""How a place's name is written to be found: one key for every spelling that differs only in accents, case,
dotless i's or punctuation (``Üsküdar``, ``USKUDAR`` and ``Uskudar`` are one key)."""

from __future__ import annotations

import re
import unicodedata

#: Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ß": "ss", "æ": "ae",
                          "œ": "oe", "þ": "th", "ð": "d", "ŋ": "n", "ə": "e", "’": "'", "‘": "'"})  # fmt: skip


def fold(name: str) -> str:
    """The key a name is found by: lower case, accents and punctuation gone, words separated by one space."""
    if name.isascii():  # most names: nothing to decompose or translate (a gazetteer's index folds thousands)
        return " ".join(re.findall(r"[^\W_]+", name.lower().replace("'", "")))
    text = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_LETTERS)
    text = text.replace("'", "")
    return " ".join(re.findall(r"[^\W_]+", text))


def split_hint(text: str) -> tuple[str, str | None]:
    """``"Victoria, Canada"`` -> ``("Victoria", "Canada")``; a name without a comma has no hint."""
    name, comma, hint = text.rpartition(",")
    if not comma or not name.strip() or not hint.strip():
        return text.strip(), None
    return name.strip(), hint.strip()


#: Words a map's label may shorten, as atlases do.
_ABBREVIATED = (("Saint ", "St. "), ("Sainte ", "Ste. "), ("Mount ", "Mt. "), ("Fort ", "Ft. "), ("Port ", "Pt. "),
                ("Island", "I."), ("Islands", "Is."), ("Mountains", "Mts."))  # fmt: skip


def short_forms(name: str) -> list[str]:
    """Shorter ways a label may write ``name``, longest first: the name before a comma or a bracket
    (``Washington, D.C.`` -> ``Washington``), and with the words atlases abbreviate (``St. Petersburg``)."""
    head = re.split(r",|\s\(", name)[0].strip()
    forms = [head] if head and head != name else []
    for base in (name, head):
        short = base
        for word, abbreviation in _ABBREVIATED:
            short = re.sub(rf"\b{re.escape(word)}", abbreviation, short)
        if short != base:
            forms.append(short)
    return sorted(dict.fromkeys(f for f in forms if f and f != name), key=len, reverse=True)
