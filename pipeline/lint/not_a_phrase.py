"""`not-a-phrase`: a slide's text that is not a whole phrase, as a text cut from a sentence at the wrong place is.

A slide shows a phrase a designer would write. Three marks of a text cut in the wrong place:

1. it ends on a word that leaves something unsaid: an article, a preposition, a conjunction, an auxiliary
   ('… was finished by the', 'Prices rose and'), or a particle of a name ('… by the explorer Pedro de');
2. it opens on an article before a pronoun or another article ('The it was …', 'The a …'): its subject was
   cut away;
3. a quotation mark that does not pair up ('The historian called it "the Atlantic cable').

Quotations (a quote's text and attribution) are the speaker's words and are not judged.
"""

from __future__ import annotations

from pipeline.lint import texts
from pipeline.lint.base import Context, Warning

RULE = "not-a-phrase"

#: Words a phrase does not end on ('in', 'on', 'up', 'out' end phrasal verbs: 'let in', 'sent on').
FUNCTION_WORDS = {
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "at", "by", "for", "from", "with", "as",
    "that", "which", "who", "whose", "is", "are", "was", "were", "be", "been", "its", "their", "his", "her", "our",
    "your", "my", "than", "per", "into", "onto", "because", "while", "when", "where", "if", "against", "between",
    "without", "within", "during", "through", "upon", "among", "via", "has", "have", "had", "can", "could", "will",
    "would", "should", "may", "might", "must", "does", "did", "they", "we", "i", "very", "such", "no", "worth",
}  # fmt: skip
#: Particles inside a name: 'Vasco da Gama', 'Ludwig van Beethoven'.
PARTICLES = {"da", "de", "del", "della", "der", "di", "dos", "du", "van", "von", "den", "bin", "ibn", "al", "zu"}
_PRONOUNS = {"it", "they", "he", "she", "we", "i", "you", "this", "these", "those", "a", "an", "the", "its"}


def problem(text: str) -> str | None:
    """Why ``text`` is not a whole phrase, or None."""
    said = texts.words(text)
    if len(said) < 2:
        return None
    last = text.split()[-1].strip(".,;:!?…\"“”'’)").lower()  # '… opened in 1882' ends on the year, not 'in'
    if not text.rstrip().endswith(("?", "!", "…", ".")):
        if last in PARTICLES and said[-2][:1].isupper() and said[-1] == text.split()[-1]:
            return f"it is cut inside a name ('… {said[-2]} {said[-1]}')"
        if last in FUNCTION_WORDS:
            return f"it ends on '{said[-1]}', so something is left unsaid"
    if said[0].lower() in ("the", "a", "an") and said[1].lower() in _PRONOUNS:
        return f"it opens '{said[0]} {said[1]}': its subject was cut away"
    straight = text.count('"') % 2
    curly = text.count("\u201c") != text.count("\u201d")
    if straight or curly:
        return "it has a quotation mark that does not pair up"
    return None


def check(context: Context) -> list[Warning]:
    found = []
    for text in texts.slide_texts(context):
        if not text.phrase:
            continue
        why = problem(text.text)
        if why is not None:
            message = f"'{text.text}' is not a whole phrase: {why}; write the phrase a viewer should read"
            found.append(context.at(text.path, RULE, message))
    return found
