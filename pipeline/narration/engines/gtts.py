"""`gtts`: Google Translate's text-to-speech through the gTTS library (needs internet).

Voices are Google's regional accents (gTTS's ``tld``). gTTS has no
speaking-rate control beyond 'slow', so speed is applied by the decoder
(ffmpeg's atempo), which keeps the pitch.
"""

from __future__ import annotations

import io
from typing import ClassVar

from pipeline.core.errors import EngineUnavailable
from pipeline.core.versions import version
from pipeline.narration.engines.base import Engine, VoiceIdentity, VoiceSettings

TIMEOUT_S = 15


class GttsEngine(Engine):
    name = "gtts"
    online = True
    voices: ClassVar[dict[str, str]] = {
        "us": "com",
        "uk": "co.uk",
        "au": "com.au",
        "ca": "ca",
        "in": "co.in",
        "ie": "ie",
        "za": "co.za",
    }

    def identity(self, settings: VoiceSettings) -> VoiceIdentity:
        tld = self.voices[self.voice_name(settings)]
        return VoiceIdentity(
            engine=self.name,
            voice=f"google-translate-{settings.language}-{tld}",
            version=f"gTTS {version('gTTS')}",
            language=settings.language,
            speed=settings.speed,
        )

    def tempo(self, settings: VoiceSettings) -> float:
        return settings.speed

    def synthesize(self, text: str, settings: VoiceSettings) -> bytes:
        from gtts import gTTS, gTTSError

        tld = self.voices[self.voice_name(settings)]
        try:
            speech = gTTS(text, lang=settings.language, tld=tld, timeout=TIMEOUT_S)
        except ValueError as exc:  # unsupported language
            raise EngineUnavailable(f"gtts: {exc}; set narration.language to a code gTTS knows, e.g. 'en'") from None
        buffer = io.BytesIO()
        try:
            speech.write_to_fp(buffer)
        except gTTSError as exc:
            raise EngineUnavailable(
                f"gtts could not reach Google's text-to-speech service ({exc}); it needs the internet"
            ) from None
        return buffer.getvalue()
