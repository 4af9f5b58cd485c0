"""`espeak`: eSpeak NG, a small offline formant synthesizer (library and data from espeakng-loader).

Robotic next to piper, but light, fast and with many accents; useful for drafts
or a deliberately different voice. The library is driven through ctypes in
synchronous mode: a callback collects 16-bit samples as they are made, and
the events that come with them: where each word starts (its sample and its
place in the text) and each pause, which ends the word before it.
"""

from __future__ import annotations

import contextlib
import ctypes
import re
import signal
import threading
from collections.abc import Iterator
from typing import ClassVar

import numpy as np

from pipeline.core.audio import pcm16_wav
from pipeline.core.errors import EngineUnavailable
from pipeline.core.versions import version
from pipeline.narration.engines.base import Engine, Spoken, VoiceIdentity, VoiceSettings
from pipeline.narration.words import Word

#: eSpeak's normal rate in words per minute (speed 1.0).
WPM = 165
_AUDIO_OUTPUT_SYNCHRONOUS, _POS_CHARACTER, _CHARS_UTF8, _RATE = 2, 1, 1, 1
#: espeak_Initialize option: report phoneme events too (a pause phoneme ends a word; the sound is unchanged).
_PHONEME_EVENTS = 0x0001
#: Event types (speak_lib.h): the list's end, a word's start, the end of a sentence, a phoneme.
_END_OF_LIST, _WORD, _END, _PHONEME = 0, 1, 5, 7


class _Id(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    """espeak_EVENT, as speak_lib.h lays it out."""

    _fields_ = [
        ("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
        ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p), ("id", _Id),
    ]  # fmt: skip


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class _Library:
    """The loaded libespeak-ng: one per process, used by one thread at a time."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:
            raise EngineUnavailable(
                f"the espeak engine needs the package espeakng-loader ({exc}); "
                "reinstall explainer with 'pip install -e .'"
            ) from None
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), _PHONEME_EVENTS
        )
        if self.rate <= 0:
            raise EngineUnavailable("eSpeak NG could not start (its data folder is missing or unreadable)")
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        self._chunks: list[np.ndarray] = []
        #: (type, character position from 0, sample, phoneme name) of every event of the current sentence.
        self._events: list[tuple[int, int, int, bytes]] = []
        self._callback = _CALLBACK(self._collect)  # kept alive as long as the library
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()

    def _collect(self, wav, count, events) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != _END_OF_LIST:
            event = events[i]
            name = event.id.string if event.type == _PHONEME else b""
            self._events.append((event.type, event.text_position - 1, event.sample, name))
            i += 1
        return 0

    def say(self, text: str, voice: str, wpm: int) -> tuple[np.ndarray, tuple[Word, ...]]:
        """The sentence's samples, and each whitespace word of ``text`` with its time in them."""
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise EngineUnavailable(f"eSpeak NG has no voice '{voice}'")
            self.lib.espeak_SetParameter(_RATE, wpm, 0)
            self._chunks, self._events = [], []
            data = text.encode("utf-8")
            with _ctrl_c_after_synthesis():
                if self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None) != 0:
                    raise EngineUnavailable("eSpeak NG could not synthesize the sentence")
                self.lib.espeak_Synchronize()
            samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
            return samples, _words(text, self._events, samples.size, self.rate)


@contextlib.contextmanager
def _ctrl_c_after_synthesis() -> Iterator[None]:
    """A Ctrl-C while eSpeak speaks, raised once it returns. eSpeak runs Python only in its callback, where Python
    runs the handler first, and a KeyboardInterrupt raised in a ctypes callback is printed and dropped: a render
    Ctrl-C'd while narrating went on to the end. Only where Python's own handler raises it (the main thread of a
    command; a worker ignores Ctrl-C, and its parent stops it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    pressed: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pressed:
        raise KeyboardInterrupt


def _words(text: str, events: list[tuple[int, int, int, bytes]], total: int, rate: int) -> tuple[Word, ...]:
    """Each whitespace word of ``text`` timed by the events: it starts at its first word event (a number such
    as '10,000' gives several) and ends at the next pause or the sentence's end, else where the next word starts."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    times: list[list[int | None]] = [[None, None] for _ in spans]
    current = None
    for kind, position, sample, phoneme in events:
        if kind == _WORD:
            current = next((k for k, (a, b) in enumerate(spans) if a <= position < b), None)
            if current is not None and times[current][0] is None:
                times[current][0] = sample
        elif current is not None and (kind == _END or (kind == _PHONEME and phoneme[:1] in (b"", b"_"))):
            times[current][1], current = sample, None
    out = []
    for k, (a, b) in enumerate(spans):
        start, end = times[k]
        if start is None:  # not spoken on its own (punctuation): it takes the time where the last word ended
            start = end = out[-1].end * rate if out else 0
        if end is None:
            end = next((times[j][0] for j in range(k + 1, len(spans)) if times[j][0] is not None), total)
        out.append(Word(text[a:b], start / rate, max(start, end) / rate))
    return tuple(out)


class EspeakEngine(Engine):
    name = "espeak"
    reports_words = True
    #: Four sentences of the shipped script, first word to last (it is asked for 175; pauses at commas slow it).
    words_per_minute = 169.0
    voices: ClassVar[dict[str, str]] = {
        "us": "en-us",
        "uk": "en",
        "scotland": "en-gb-scotland",
        "rp": "en-gb-x-rp",
        "caribbean": "en-029",
    }
    _library: _Library | None = None

    def identity(self, settings: VoiceSettings) -> VoiceIdentity:
        return VoiceIdentity(
            engine=self.name,
            voice=self.voices[self.voice_name(settings)],
            version=f"espeakng-loader {version('espeakng-loader')}",
            language=self.voices[self.voice_name(settings)],
            speed=settings.speed,
        )

    def synthesize(self, text: str, settings: VoiceSettings) -> bytes:
        return self.speak(text, settings).audio

    def speak(self, text: str, settings: VoiceSettings) -> Spoken:
        if EspeakEngine._library is None:
            EspeakEngine._library = _Library()
        library = EspeakEngine._library
        samples, words = library.say(text, self.voices[self.voice_name(settings)], round(WPM * settings.speed))
        return Spoken(pcm16_wav(samples.astype("<i2").tobytes(), library.rate), words)
