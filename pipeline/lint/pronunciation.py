"""`pronunciation`: an acronym or a name the voice says oddly, with no lexicon entry.

The judge is the voice's own phonemizer: piper (and the espeak engine) say what eSpeak NG makes
of the text, and eSpeak NG reports how it read each word (phonemes.py). Each word of the
narration as the voice is told it (lexicon entries already applied, numbers in words) is read
alone, and two readings are odd enough to warn about:

- a name (a capitalised word: "Hwasong", "Tbilisi", "Mnangagwa") that eSpeak NG cannot say,
  so it spells its first letters and reads the rest: "aitch-wasong", "tee-bilisi". Of the
  117,000 words of the CMU pronouncing dictionary only 288 are read so, all of them foreign
  names or loanwords;
- an acronym in capitals of two to five letters that it reads as a word by its spelling rules,
  inserting a vowel the letters do not have: "ICBM" as "ike-bum", "NGO" as "ung-go". (An
  acronym it spells, as DMZ or GPS, or says as the word it is, as NATO, COVID or UNESCO, is
  fine.)

Conservative by design: words in the lexicon, lower-case words, roman numerals, words with a
capital inside ("GeoJSON", "eSpeak") and acronyms that make a plausible word ("ROK" as "rock";
eSpeak NG cannot tell it from NATO) never warn. Each word warns once, where it is first said.
The voice is the one the render would use offline: piper, or the espeak engine's accent when
the storyboard narrates with espeak (gTTS has no phonemizer to ask; its fallback, or piper,
speaks when it cannot run).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TypeVar

from pipeline.lint import scene_times
from pipeline.lint.base import Context, Warning
from pipeline.lint.phonemes import Phonemizer, Unavailable, vowel_letters, vowel_sounds
from pipeline.narration import spoken
from pipeline.narration.engines import ENGINES

RULE = "pronunciation"
T = TypeVar("T")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
#: Text the lexicon puts in place of a word (never judged: the author chose it).
_CHOSEN = "\ue000"


def espeak_voice(context: Context) -> str:
    """The eSpeak NG voice that reads the narration: piper's (en-us), or the espeak engine's accent."""
    engine = scene_times.estimate_engine(scene_times.chain(context.project, context.options))
    if engine == "espeak":
        narration = context.project.storyboard.narration
        espeak = ENGINES["espeak"]
        return espeak.voices.get(narration.voice or "", next(iter(espeak.voices.values())))
    return "en-us"


def candidates(sentence: str, lexicon: dict[str, str]) -> list[str]:
    """The words of ``sentence`` the voice is given that may be read oddly: names and acronyms."""
    if lexicon:
        chosen = {key: _CHOSEN for key in lexicon}
        sentence = spoken.apply_lexicon(sentence, chosen)
    said = spoken.numbers(sentence)
    out = []
    for match in _WORD.finditer(said):
        word = match.group(0).replace("’", "'")
        letters = _stem(word)
        if len(letters) < 2 or not letters[0].isupper():
            continue
        if letters.isupper() or letters[1:].islower():
            out.append(word)
    return out


def _stem(word: str) -> str:
    """The word without a possessive, and an acronym without its plural: "Korea's" -> "Korea", "NGOs" -> "NGO"."""
    stem = word.split("'")[0]
    return re.sub(r"(?<=[A-Z]{2})s$", "", stem)


def odd(word: str, phonemizer: Phonemizer) -> str | None:
    """Why the voice's reading of ``word`` is odd, or None when it is not."""
    stem = _stem(word)
    if stem.isupper():
        if _ROMAN.fullmatch(stem) or not 2 <= len(stem) <= 5 or stem.endswith("SM"):
            return None
        reading = phonemizer.read(stem)
        if reading.how == "rules" and vowel_sounds(reading.phonemes) > vowel_letters(stem):
            written = word.split("'")[0]
            letters = " ".join(stem) + ("'s" if written != stem else "")  # NGOs: N G O's
            return (
                f"the voice reads '{stem}' as a word, /{reading.phonemes}/, adding a vowel its letters do not have; "
                f'if it is said letter by letter, add to narration.lexicon: "{written}: {letters}"'
            )
        return None
    if len(stem) < 3:
        return None
    reading = phonemizer.read(stem)
    if reading.how != "partly spelled":
        return None
    letters = "".join(reading.spelled).upper()
    examples = " or ".join(f'"{stem}: {spelling}"' for spelling in _respellings(stem, letters, phonemizer))
    return (
        f"the voice cannot say the start of '{stem}': it spells {', '.join(letters)} and reads the rest "
        f"(/{reading.phonemes}/); add to narration.lexicon how it is said, "
        + (f"e.g. {examples}" if examples else f'as "{stem}: ..." in letters the voice reads as sounds')
    )


def _respellings(word: str, letters: str, phonemizer: Phonemizer) -> list[str]:
    """Spellings of ``word`` the voice can say, to start from: without the letters it spells ("Chaikovsky"),
    or with a vowel after them ("Tuh-bilisi"); only those it reads without spelling anything."""
    if not letters or not word.upper().startswith(letters) or len(word) - len(letters) < 2:
        return []
    rest = word[len(letters) :]
    out = []
    for candidate in (rest[0].upper() + rest[1:], f"{word[: len(letters)]}uh-{rest}"):
        if all(phonemizer.read(part).how in ("rules", "dictionary") for part in candidate.split("-")):
            out.append(candidate)
    return out


def odd_words(
    said: Iterable[tuple[T, str]], lexicon: dict[str, str], phonemizer: Phonemizer
) -> Iterator[tuple[T, str, str]]:
    """Each word the voice reads oddly in ``said`` ((where, sentence) pairs), once, where it is first said:
    (where, the word, why and the fix)."""
    seen: set[str] = set()
    for place, sentence in said:
        for word in candidates(sentence, lexicon):
            if word in seen:
                continue
            seen.add(word)
            if (reason := odd(word, phonemizer)) is not None:
                yield place, word, reason


def check(context: Context) -> list[Warning]:
    try:
        phonemizer = Phonemizer(espeak_voice(context))
    except Unavailable as exc:
        context.note(f"{RULE}: not checked: {exc}")
        return []
    said = ((entry, sentence) for entry in context.entries for sentence in _sentences(entry.scene.narration or ""))
    found = []
    for entry, word, reason in odd_words(said, context.project.lexicon, phonemizer):
        at = _find(entry.scene.narration or "", word)
        if at is not None:
            found.append(context.in_narration(entry, at, word, RULE, reason))
    return found


def _sentences(narration: str) -> list[str]:
    from pipeline.narration import sentences

    return sentences.split(narration)


def _find(text: str, word: str) -> int | None:
    match = re.search(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", text.replace("’", "'"))
    return match.start() if match else None
