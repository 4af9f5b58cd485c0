"""One internal audio format for every engine: mono float32 at 48 kHz.

Engines hand back whatever their library produces (WAV, MP3); ffmpeg decodes
and resamples it here, so scenes from any engine join cleanly.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from pipeline.core import ffmpeg
from pipeline.core.errors import RenderError

RATE = 48_000
#: Music files explainer reads (ffmpeg decodes them): the storyboard checks a music file's name against these before
#: the mix decodes it.
MUSIC_TYPES = (".wav", ".mp3", ".ogg", ".oga", ".flac", ".m4a")


def undecodable(file: Path) -> str | None:
    """Why ffmpeg cannot decode sound from ``file`` (its first second), or None when it can."""
    try:
        ffmpeg.run(["-t", "1", "-i", str(file), "-map", "0:a:0", "-f", "null", "-"], what="reading it")
    except RenderError as exc:
        return "ffmpeg: " + str(exc).removeprefix("reading it failed: ").split(" | ")[0]
    return None


def decode(data: bytes, tempo: float = 1.0) -> np.ndarray:
    """Decode an encoded audio file to mono float32 at RATE, optionally re-timed."""
    filters = ["-af", f"atempo={tempo:.4f}"] if abs(tempo - 1.0) > 1e-3 else []
    raw = ffmpeg.run(
        ["-i", "pipe:0", *filters, "-ac", "1", "-ar", str(RATE), "-f", "f32le", "pipe:1"],
        input=data,
        what="decoding narration audio",
    )
    return np.frombuffer(raw, dtype="<f4").copy()


def trim(samples: np.ndarray, threshold_db: float = -45.0, keep: float = 0.04) -> np.ndarray:
    """Cut leading and trailing silence, keeping ``keep`` seconds so words are not clipped.

    Engines pad sentences differently (gTTS's MP3 has long tails); trimming
    makes the pauses between sentences what the storyboard says they are.
    """
    start, end = speech_span(samples, threshold_db, keep)
    return samples[start:end]


def speech_span(samples: np.ndarray, threshold_db: float = -45.0, keep: float = 0.04) -> tuple[int, int]:
    """(start, end) in samples of what ``trim`` keeps: (0, 0) for silence."""
    level = 10 ** (threshold_db / 20)
    loud = np.flatnonzero(np.abs(samples) > level)
    if loud.size == 0:
        return 0, 0
    pad = round(keep * RATE)
    return max(0, loud[0] - pad), min(samples.size, loud[-1] + pad + 1)


def pcm16_wav(pcm: bytes, rate: int, channels: int = 1) -> bytes:
    """A WAV file around interleaved signed 16-bit little-endian samples."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def wav_bytes(samples: np.ndarray, rate: int, channels: int = 1) -> bytes:
    """16-bit PCM WAV of float samples (shape (n,) or (n, channels))."""
    return pcm16_wav(pcm16(samples).tobytes(), rate, channels)


def pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples as 16-bit integers (little-endian), clipped to full scale."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")


def write_wav(path: Path, samples: np.ndarray, channels: int = 1) -> None:
    path.write_bytes(wav_bytes(samples, RATE, channels))
