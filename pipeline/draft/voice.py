"""What the draft knows of the voice: how fast it speaks, and which words it may say oddly."""

from __future__ import annotations

from pipeline.core.errors import UsageError
from pipeline.draft.compose import DraftSection, renumber
from pipeline.lint import pronunciation
from pipeline.lint.phonemes import Phonemizer, Unavailable
from pipeline.narration import voicelimits
from pipeline.narration.engines import ENGINES
from pipeline.narration.spoken import spoken


def words_per_minute(engine: str, fallback: str | None) -> float:
    """The measured rate of ``engine``'s voice, or of the fallback's when it cannot be measured offline."""
    for name in (engine, fallback, "piper"):
        if name and (rate := ENGINES[name].words_per_minute):
            return rate
    raise AssertionError("piper's rate is measured")  # pragma: no cover


def note_words(sections: list[DraftSection], voice: str = "en-us") -> str | None:
    """A note on the first scene that says each name or acronym the voice reads oddly, with a lexicon entry to try.

    The judge is lint's (``pipeline.lint.pronunciation``), so a draft and its lint agree. Returns why the words
    could not be checked, or None."""
    try:
        phonemizer = Phonemizer(voice)
    except Unavailable as exc:
        return str(exc)
    said = ((scene, sentence) for section in sections for scene in section.scenes for sentence in scene.sentences)
    for scene, _, reason in pronunciation.odd_words(said, {}, phonemizer):
        scene.notes.append(reason)
    return None


def bound(sections: list[DraftSection], script_name: str) -> None:
    """Every sentence of the draft within what validate lets the voice be given (narration.voicelimits): a sentence
    too long as spoken is split at its clause breaks into sentences, with a note to check it reads well; a clause
    too long to say in one breath (a number of hundreds of digits, a run of words with no comma) cannot be split
    with its meaning kept, so the draft is refused, naming it, rather than written for validate to refuse."""
    for scene in (scene for section in sections for scene in section.scenes):
        out: list[str] = []
        moved: dict[int, int] = {}  # a sentence's number before -> after the splits (for the slide's reveals)
        for number, sentence in enumerate(scene.sentences, start=1):
            moved[number] = len(out) + 1
            said = spoken(sentence, {})
            if voicelimits.sentence_problem(said, (), 1.0) is None:
                out.append(sentence)
                continue
            clauses = voicelimits.clauses(sentence)
            for clause in clauses:
                if len(said_clause := spoken(clause, {})) > voicelimits.MAX_CLAUSE:
                    alone = [(word, spoken(word, {})) for word in clause.split()]
                    problem = voicelimits.sentence_problem(said_clause, alone, 1.0)
                    raise UsageError(
                        f"{script_name}: the sentence '{voicelimits.shorten(sentence)}' {problem}; then draft again"
                    )
            split = _packed(clauses)
            out += split
            scene.notes.append(
                f"a sentence of {len(said):,} characters as spoken (more than the voice says in one go) is split "
                f"at its clauses into {len(split)}: check they read well"
            )
        scene.sentences = out
        renumber(scene.slide, moved)


def _packed(clauses: list[str]) -> list[str]:
    """``clauses`` joined into as few sentences as keep each within a sentence's limit as spoken, each ending in a
    full stop and starting with a capital."""
    sentences: list[list[str]] = [[]]
    for clause in clauses:
        if sentences[-1] and len(spoken(" ".join([*sentences[-1], clause]), {})) > voicelimits.MAX_SENTENCE:
            sentences.append([])
        sentences[-1].append(clause)
    out = []
    for words in sentences:
        text = " ".join(words).rstrip()
        text = text[:-1] + "." if text[-1] in ",;:—–" else text if text[-1] in ".!?…" else text + "."
        out.append(text[0].upper() + text[1:])
    return out
