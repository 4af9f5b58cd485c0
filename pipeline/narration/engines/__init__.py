"""Text-to-speech engines, keyed by the name a storyboard writes.

A new engine is one module with an Engine subclass, plus one line here and its name in
``pipeline.narration.ENGINE_NAMES`` (what the command line offers).
"""

from __future__ import annotations

from pipeline.narration.engines.base import Engine
from pipeline.narration.engines.espeak import EspeakEngine
from pipeline.narration.engines.gtts import GttsEngine
from pipeline.narration.engines.piper import PiperEngine

ENGINES: dict[str, type[Engine]] = {
    "gtts": GttsEngine,
    "piper": PiperEngine,
    "espeak": EspeakEngine,
}
