"""`espeak`: eSpeak NG, a small offline formant synthesizer (library and data from espeakng-loader).

Robotic next to piper, but light, fast and with many accents; useful for drafts
or a deliberately different voice. The library is driven through ctypes in
synchronous mode: a callback collects 16-bit samples as they are made.
"""

from __future__ import annotations

import ctypes
import threading
from typing import ClassVar

import numpy as np

from pipeline.audio import pcm16_wav
from pipeline.errors import EngineUnavailable
from pipeline.narration.base import Engine, VoiceIdentity, VoiceSettings
from pipeline.versions import version

#: eSpeak's normal rate in words per minute (speed 1.0).
WPM = 165
_AUDIO_OUTPUT_SYNCHRONOUS, _POS_CHARACTER, _CHARS_UTF8, _RATE = 2, 1, 1, 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


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
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0
        )
        if self.rate <= 0:
            raise EngineUnavailable("eSpeak NG could not start (its data folder is missing or unreadable)")
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        self._chunks: list[np.ndarray] = []
        self._callback = _CALLBACK(self._collect)  # kept alive as long as the library
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()

    def _collect(self, wav, count, _events) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def say(self, text: str, voice: str, wpm: int) -> np.ndarray:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise EngineUnavailable(f"eSpeak NG has no voice '{voice}'")
            self.lib.espeak_SetParameter(_RATE, wpm, 0)
            self._chunks = []
            data = text.encode("utf-8")
            if self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None) != 0:
                raise EngineUnavailable("eSpeak NG could not synthesize the sentence")
            self.lib.espeak_Synchronize()
            return np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)


class EspeakEngine(Engine):
    name = "espeak"
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
        if EspeakEngine._library is None:
            EspeakEngine._library = _Library()
        library = EspeakEngine._library
        samples = library.say(text, self.voices[self.voice_name(settings)], round(WPM * settings.speed))
        return pcm16_wav(samples.astype("<i2").tobytes(), library.rate)
