"""Text-to-speech engines, keyed by the name a storyboard writes.

A new engine is one module with an Engine subclass, plus one line here.
"""

from __future__ import annotations

from pipeline.narration.base import Engine
from pipeline.narration.espeak import EspeakEngine
from pipeline.narration.gtts import GttsEngine
from pipeline.narration.piper import PiperEngine

ENGINES: dict[str, type[Engine]] = {
    "gtts": GttsEngine,
    "piper": PiperEngine,
    "espeak": EspeakEngine,
}
