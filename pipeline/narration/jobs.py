"""A narration job: one sentence for an executor's worker to speak, and what an executor that speaks them has."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.narration.engines.base import Spoken, VoiceIdentity, VoiceSettings


@dataclass(frozen=True)
class SpeechJob:
    """One sentence to synthesize: the text as spoken, its voice, and who must speak it (the identity its cache
    entry is keyed by, which a worker checks is its own)."""

    spoken: str
    voice: VoiceSettings
    identity: VoiceIdentity
    #: The cache's folder of prepared voices (engines.base.Engine), used by a worker where it is this tool's
    #: cache on the worker's own machine.
    prepared: Path | None = None


class Speaker(Protocol):
    """An executor that also speaks narration on its workers (optional: one without ``speak`` only draws, and the
    narration is spoken in this process)."""

    def speak(self, engine: str, lines: Sequence[SpeechJob]) -> list[Spoken | Future[Spoken]] | None:
        """Every line spoken by ``engine`` (an offline engine's name), in order, or a future of it (the local pool
        speaks while the caller goes on); None when it is not worth it here (too few lines to repay starting
        workers), and the caller speaks them itself."""
        ...


def speak_job(engine: str, job: SpeechJob, who: str = "this worker") -> Spoken:
    """In a worker: ``job`` spoken by ``engine`` (its voice loaded once per process), refused when this worker's
    engine would not be the identity the sentence is cached under (the message names the worker as ``who``)."""
    from pipeline.core.errors import RendererMismatch
    from pipeline.narration.engines import ENGINES  # here: the package imports this module's neighbours

    speaker = ENGINES[engine](prepared=job.prepared)
    found = speaker.identity(job.voice)
    if found != job.identity:
        raise RendererMismatch(
            f"{who} narrates with {_said(found)}, this render with {_said(job.identity)}; install the same "
            'explainer and packages on every worker (pip install -e ".[cluster]"), then restart it'
        )
    return speaker.speak(job.spoken, job.voice)


def release(engines: set[str]) -> None:
    """In a worker that spoke with ``engines`` and now draws: their voices' memory handed back to the system."""
    from pipeline.core import memory
    from pipeline.narration.engines import ENGINES

    for name in engines:
        ENGINES[name]().release()
    memory.trim()


def _said(identity: VoiceIdentity) -> str:
    return f"{identity.engine} {identity.version} ({identity.voice}, {identity.language}, speed {identity.speed:g})"
