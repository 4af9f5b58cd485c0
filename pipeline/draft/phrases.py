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
    "where", "if",
    "so", "very", "more", "most", "this", "these", "those", "has", "have", "had", "can", "could", "will", "would",
    "should", "may", "might", "must", "do", "does", "did", "it", "they", "he", "she", "we", "you", "i", "only",
}  # fmt: skip
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
    if len(text) > limit:  # the clause that says something: after a setting ("In recent years,"), before a comma
        pieces = text.split(", ")
        while len(pieces) > 1 and pieces[0].split()[0].lower() in _SETTING and len(pieces[0].split()) <= 7:
            pieces.pop(0)
        text = ", ".join(pieces)
        if len(text) > limit and len(pieces[0].split()) >= 3 and len(pieces[0]) <= limit:
            text = pieces[0]
    text = _cut(text, limit) or _cut(" ".join(sentence.split()), limit) or sentence[:limit]
    return text[:1].upper() + text[1:] if capital else text


def _cut(text: str, limit: int) -> str:
    """``text`` cut at a word boundary within ``limit``, not ending on a dangling word or punctuation."""
    if len(text) > limit:  # a clause boundary in the second half of the room reads better than a cut
        bounds = [m.start() for m in re.finditer(r",\s|;\s|\s[—–]\s", text) if limit // 2 <= m.start() <= limit]
        if bounds:
            text = text[: bounds[-1]]
    words = text.split()
    while words and (len(" ".join(words)) > limit or words[-1].lower().strip(",;:") in DANGLING):
        words.pop()
        while words and words[-1].endswith((",", ";", ":")):
            words[-1] = words[-1].rstrip(",;:")
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
