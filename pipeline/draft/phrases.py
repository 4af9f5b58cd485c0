"""Phrases for slides from sentences for the ear: shorter, with no connectives, fitting a limit.

A slide shows a phrase; the narration carries the sentence. ``phrase`` takes a
sentence to its first clause that says something (after "But", "So", "As a
result," and the like), without asides in parentheses or after a dash, and
cuts it at a word boundary within the limit, never ending on a word such as
"the" or "and". ``slug`` makes a scene id from the first content words.
"""

from __future__ import annotations

import re
import unicodedata

#: Words a sentence may open with that join it to the one before; a slide's phrase starts after them. The
#: first few always join; the rest only when a comma follows ("Then, ..." but not "Then came the crackdown").
JOINING = ("and", "but", "so", "yet", "or", "hence", "thus", "however", "therefore", "meanwhile")
CONNECTIVES = (
    "then", "still", "also", "as a result", "in fact", "of course", "after all", "in the end", "first", "but first",
    "finally", "now", "today", "sometimes", "instead", "even so", "in other words", "for example", "at first", "later",
)  # fmt: skip
#: Words a phrase never ends on.
DANGLING = {
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "from", "with", "as", "that",
    "which", "who", "whose", "is", "are", "was", "were", "be", "its", "their", "his", "her", "our", "your", "my",
    "not", "no", "than", "per", "such", "into", "onto", "because", "while", "when",
    "where", "if", "against", "under", "between", "without", "within", "after", "before", "during",
    "through", "toward", "towards", "upon", "across", "behind", "beyond", "among", "via", "like", "about", "around",
    "nearly", "almost", "roughly", "approximately",
    "so", "very", "more", "most", "this", "these", "those", "has", "have", "had", "can", "could", "will", "would",
    "should", "may", "might", "must", "do", "does", "did", "they", "he", "she", "we", "you", "i", "only",
}  # fmt: skip
#: Small words inside a name ("Vasco da Gama", "Ludwig van Beethoven", "Pedro de Cieza de Leon"): a phrase never
#: ends on one, and a cut never falls between the capitalized words of a name they join.
PARTICLES = {"da", "de", "del", "della", "der", "di", "do", "dos", "du", "van", "von", "den", "la", "le", "bin", "ibn",
             "al", "el", "y", "ten", "ter", "zu"}  # fmt: skip
#: Words a scene id leaves out.
STOPWORDS = DANGLING | {"there", "here", "what", "why", "how", "all", "any", "some", "such", "been", "being", "also"}
_CONNECTIVE = re.compile(
    r"^(?:(?:" + "|".join(re.escape(c) for c in sorted(CONNECTIVES + JOINING, key=len, reverse=True)) + r"),\s+"
    r"|(?:" + "|".join(re.escape(c) for c in JOINING) + r")\s+)",
    re.IGNORECASE,
)
#: Words that open a phrase setting the time or place ("In recent years,"), which a slide's phrase may drop.
_SETTING = {
    "in",
    "on",
    "at",
    "since",
    "by",
    "after",
    "before",
    "during",
    "within",
    "for",
    "from",
    "with",
    "when",
    "until",
}
_PARENS = re.compile(r"\s*\([^)]*\)")
_DASH = re.compile(r"\s+[—–-]{1,2}\s+|—")


def phrase(sentence: str, limit: int, *, capital: bool = True) -> str:
    """``sentence`` as a slide's phrase of at most ``limit`` characters (see the module's docstring); with
    ``capital``, its first letter capitalized."""
    text = _PARENS.sub("", sentence).strip()
    text = _DASH.split(text)[0]
    for _ in range(3):
        stripped = _CONNECTIVE.sub("", text)
        if stripped == text or len(stripped.split()) < 2:
            break
        text = stripped
    text = text.strip().strip("\"“”'‘’").rstrip(".!?,;:")
    text = _balanced(_undoubled(text))
    if len(text) > limit:  # the clause that says something: after a setting ("In recent years,"), before a comma
        pieces = text.split(", ")
        while (
            len(pieces) > 1
            and pieces[0].split()[:1]
            and pieces[0].split()[0].lower() in _SETTING
            and len(pieces[0].split()) <= 7
        ):
            pieces.pop(0)
        text = ", ".join(pieces)
        if len(text) > limit and len(pieces[0].split()) >= 3 and len(pieces[0]) <= limit:
            text = pieces[0]
    text = _cut(text, limit) or _cut(_balanced(" ".join(sentence.split())), limit) or sentence[:limit]
    text = _balanced(text)  # a cut inside a quotation leaves its opening mark alone
    return text[:1].upper() + text[1:] if capital else text


def _undoubled(text: str) -> str:
    """``text`` with a word said twice running ("the the") said once: a phrase cut from around a date or a
    quotation can bring two copies together."""
    out: list[str] = []
    for word in text.split():
        if out and word.lower().strip(",;:") == out[-1].lower() and word[:1].isalpha():
            continue
        out.append(word)
    return " ".join(out)


def _balanced(text: str) -> str:
    """``text`` without quotation marks when they do not pair up (a phrase cut out of a quotation keeps none)."""
    straight = text.count('"') % 2
    curly = text.count("\u201c") != text.count("\u201d")
    if straight or curly:
        text = " ".join(text.replace('"', "").replace("\u201c", "").replace("\u201d", "").split())
    return text


def _dangles(words: list[str]) -> bool:
    """Whether a phrase ending on ``words`` leaves something unsaid: it ends on a function word, a name's
    particle, or 'it' after a word that opens a clause ('and it', but 'worth it' is whole)."""
    last = words[-1].lower().strip(",;:")
    if last == "it":
        return len(words) < 2 or words[-2].endswith(",") or words[-2].lower() in DANGLING
    return last in DANGLING or last in PARTICLES


def _figure_word(word: str) -> bool:
    return bool(re.fullmatch(r"[$€£¥]?\d[\d,.]*%?", word)) or word.lower() in (
        "thousand",
        "million",
        "billion",
        "trillion",
    )


def _name_word(word: str) -> bool:
    return word[:1].isupper() or word.lower() in PARTICLES


def _whole(words: list[str], rest: list[str]) -> list[str]:
    """``words`` (a cut's start) without a name or a figure the cut fell inside: a name's capitalized words with
    the particles between them ('the explorer Pedro de' is no phrase) and a number with its unit after it ('about
    1,084' of '1,084 square kilometres') are kept whole or left out whole."""
    if not rest or not words:
        return words
    last, following = words[-1].strip(",;:"), rest[0]
    if len(words) > 1 and _name_word(last) and (following[:1].isupper() or following.lower() in PARTICLES):
        while len(words) > 1 and _name_word(words[-1]):
            words = words[:-1]
    elif _figure_word(last) and following[:1].islower():
        while words and _figure_word(words[-1].strip(",;:")):
            words = words[:-1]
    return words


def _cut(text: str, limit: int) -> str:
    """``text`` cut at a word boundary within ``limit``, not ending on a dangling word or punctuation."""
    if len(text) > limit:  # a clause boundary in the second half of the room reads better than a cut
        bounds = [m.start() for m in re.finditer(r",\s|;\s|\s[—–]\s", text) if limit // 2 <= m.start() <= limit]
        if bounds:
            text = text[: bounds[-1]]
    every = text.split()
    words = list(every)
    for _ in range(len(every)):
        while words and (len(" ".join(words)) > limit or _dangles(words)):
            words.pop()
            while words and words[-1].endswith((",", ";", ":")):
                words[-1] = words[-1].rstrip(",;:")
        whole = _whole(words, every[len(words) :])
        if whole == words:
            break
        words = whole
    return " ".join(words) if words else text[:limit].rstrip()


def slug(text: str, words: int = 4, limit: int = 40) -> str:
    """A scene id from the first ``words`` content words of ``text``: 'since-1990-north-koreans'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    tokens = [t for t in re.findall(r"[a-z0-9]+", plain.replace("'", "")) if t not in STOPWORDS]
    kept = tokens[:words]
    while len(kept) > 1 and len("-".join(kept)) > limit:
        kept.pop()
    return "-".join(kept)[:limit] or "scene"


def title_case(text: str) -> str:
    """A section name as a heading: the first letter of each longer word capitalized, acronyms kept."""
    small = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "from", "with"}
    out = []
    for i, word in enumerate(text.split()):
        keep = word.isupper() or any(c.isupper() for c in word[1:])
        out.append(word if keep or (i and word.lower() in small) else word[:1].upper() + word[1:])
    return " ".join(out)
