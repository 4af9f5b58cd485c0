"""`gtts`: Google Translate's text-to-speech through the gTTS library (needs internet).

gTTS has no speaking-rate control beyond 'slow', so speed is applied by the
decoder (ffmpeg's atempo), which keeps the pitch.
"""

from __future__ import annotations

import io
from importlib import metadata
from typing import Any

from pipeline.errors import EngineUnavailable
from pipeline.narration.base import Engine

TIMEOUT_S = 15


class GttsEngine(Engine):
    name = "gtts"
    online = True

    def identity(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "voice": f"google-translate-{self.settings.language}",
            "version": f"gTTS {metadata.version('gTTS')}",
            "language": self.settings.language,
            "speed": self.settings.speed,
        }

    @property
    def tempo(self) -> float:
        return self.settings.speed

    def synthesize(self, text: str) -> bytes:
        from gtts import gTTS, gTTSError

        try:
            speech = gTTS(text, lang=self.settings.language, timeout=TIMEOUT_S)
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
