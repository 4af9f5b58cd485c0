"""What the draft knows of the voice: how fast it speaks, and which words it may say oddly."""

from __future__ import annotations

from pipeline.draft.compose import DraftSection
from pipeline.lint import pronunciation
from pipeline.lint.phonemes import Phonemizer, Unavailable
from pipeline.narration import ENGINES


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
