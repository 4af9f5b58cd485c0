"""How the voice reads one word, from eSpeak NG's own account of it.

piper speaks phonemes that eSpeak NG makes from the text (its ``espeakbridge`` holds its own
copy of eSpeak NG and its data); the espeak engine speaks them directly. eSpeak NG can say
how it read a word: with its phoneme trace on (``espeak_SetPhonemeTrace``, bit 3), it writes

- ``Found: 'nato' [neItoU]``: the word is in its dictionary;
- ``Flags:  us   $abbrev``: its dictionary says to spell it letter by letter;
- ``Translate 'rok'``: it is read by the spelling rules, as an English word;
- ``Unpronouncable? 'hwasong'``, then ``Found: 'h'`` and ``Translate 'wasong'``: it found no way
  to say the start, so it spells those letters ("aitch") and reads the rest.

That is the signal ``read`` returns, from the bridge piper itself uses (the trace is written to
a memory stream and switched off again; the voice's sound is not touched).
"""

from __future__ import annotations

import ctypes
import re
import threading
from dataclasses import dataclass

_TRACE = 8  # espeak_SetPhonemeTrace: bit 3, a trace of how each word was translated
_IPA = 2  # espeak_TextToPhonemes: IPA
_LINE = re.compile(r"^(Found|Translate|Unpronouncable\?|Flags):?\s+'?([^'\s]*)'?(.*)$")


class Unavailable(Exception):
    """The phonemizer cannot run here (piper's espeakbridge is missing or not a library ctypes can open)."""


@dataclass(frozen=True)
class Reading:
    """How eSpeak NG reads one word."""

    word: str
    #: Its phonemes, in IPA.
    phonemes: str
    #: "dictionary" (a word it knows), "letters" (spelled letter by letter, by its dictionary or because it cannot
    #: say it), "partly spelled" (some letters spelled, the rest read), or "rules" (read as a word by its rules).
    how: str
    #: The letters it spells, in order (for "letters" and "partly spelled").
    spelled: tuple[str, ...] = ()


class Phonemizer:
    """eSpeak NG through piper's bridge, for one voice (an eSpeak voice name such as 'en-us')."""

    _lock = threading.Lock()

    def __init__(self, voice: str = "en-us"):
        from pipeline.narration.engines.piper import no_telemetry

        no_telemetry()  # importing piper imports onnxruntime
        try:
            from piper import espeakbridge
            from piper.phonemize_espeak import ESPEAK_DATA_DIR

            espeakbridge.initialize(str(ESPEAK_DATA_DIR))
            espeakbridge.set_voice(voice)
            lib = ctypes.CDLL(espeakbridge.__file__)
            libc = ctypes.CDLL(None)
            lib.espeak_SetPhonemeTrace.argtypes = [ctypes.c_int, ctypes.c_void_p]
            lib.espeak_SetPhonemeTrace.restype = None
            lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
            lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
            libc.open_memstream.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
            libc.open_memstream.restype = ctypes.c_void_p
            libc.fclose.argtypes = [ctypes.c_void_p]
            libc.free.argtypes = [ctypes.c_void_p]
        except (ImportError, OSError, AttributeError, RuntimeError, TypeError) as exc:
            raise Unavailable(f"the voice's phonemizer (piper's eSpeak NG) cannot run here: {exc}") from None
        self.voice, self._bridge, self._lib, self._libc = voice, espeakbridge, lib, libc
        self._memo: dict[str, Reading] = {}

    def read(self, word: str) -> Reading:
        """How the voice reads ``word`` said alone."""
        if word not in self._memo:
            phonemes, trace = self._trace(word)
            self._memo[word] = _classify(word, phonemes, trace)
        return self._memo[word]

    def _trace(self, word: str) -> tuple[str, str]:
        buffer, size = ctypes.c_char_p(), ctypes.c_size_t()
        with self._lock:
            self._bridge.set_voice(self.voice)
            stream = self._libc.open_memstream(ctypes.byref(buffer), ctypes.byref(size))
            if not stream:
                raise Unavailable("no memory stream for eSpeak NG's trace")
            text = ctypes.create_string_buffer(word.encode("utf-8"))
            pointer = ctypes.c_void_p(ctypes.addressof(text))
            out = []
            try:
                self._lib.espeak_SetPhonemeTrace(_TRACE, stream)
                while pointer.value:
                    said = self._lib.espeak_TextToPhonemes(ctypes.byref(pointer), 1, _IPA)
                    out.append(said.decode("utf-8", "replace") if said else "")
            finally:
                self._lib.espeak_SetPhonemeTrace(0, None)
                self._libc.fclose(stream)  # flushes the trace into the buffer
            trace = ctypes.string_at(buffer, size.value).decode("utf-8", "replace")
            self._libc.free(buffer)
        return " ".join(filter(None, out)), trace


def _classify(word: str, phonemes: str, trace: str) -> Reading:
    lower = word.lower().replace("’", "'")
    events = []
    for line in trace.splitlines():
        m = _LINE.match(line.strip())
        if m:
            events.append((m.group(1), m.group(2).lower(), m.group(3)))
    spelled: list[str] = []
    spelling = False  # letters are spelled only after eSpeak gives up on a word, or its dictionary says so
    for kind, text, rest in events:
        if kind == "Unpronouncable?" or (kind == "Flags" and "$abbrev" in rest):
            spelling = True
        elif kind == "Found" and spelling and len(text.lstrip("_")) == 1 and text.lstrip("_").isalpha():
            spelled.append(text.lstrip("_"))
    read = [text for kind, text, _ in events if kind == "Translate" and len(text) > 1]
    known = [text for kind, text, _ in events if kind == "Found" and len(text.lstrip("_")) > 1]
    abbrev = any(kind == "Flags" and "$abbrev" in rest for kind, _, rest in events)
    letters = re.sub(r"[^a-z]", "", lower)
    if abbrev or (spelled and not read and len(spelled) >= len(letters)):
        how = "letters"
    elif spelled and (read or len(spelled) < len(letters)):
        how = "partly spelled"
    elif known and (lower in known or any(lower.startswith(k) for k in known)):
        how = "dictionary"
    else:
        how = "rules"
    return Reading(word, phonemes, how, tuple(spelled))


#: Vowel symbols of eSpeak NG's IPA (length marks and stress are not vowels; a run of vowels is one sound).
_VOWELS = set("aeiouyæɑɐɒɔəɘɚɛɜɝɞɪʊʌʏøœɶɤɯɨʉᵻ")


def vowel_sounds(phonemes: str) -> int:
    """How many vowel sounds (syllables) the phonemes have: runs of vowel symbols."""
    count, inside = 0, False
    for char in phonemes:
        if char in _VOWELS:
            if not inside:
                count += 1
            inside = True
        elif char not in "ːˑ":
            inside = False
    return count


def vowel_letters(word: str) -> int:
    return sum(1 for char in word.lower() if char in "aeiouy")
