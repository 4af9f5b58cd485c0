"""How a soundtrack is encoded: AAC for the video, Opus for a draft, and how each keeps its delay off the clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from pipeline.core import ffmpeg
from pipeline.core.audio import RATE, pcm16

AUDIO_ARGS = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k", "-ar", str(RATE), "-ac", "2"]
#: Samples of encoder delay ffmpeg's AAC encoder puts before the audio.
AAC_PRIMING = 1024
#: The sound's first AAC_PRIMING samples are cut before encoding, so the encoder's priming takes their place and
#: the first sample a player plays is sample AAC_PRIMING of the mix, at its time, with no edit list to skip it.
#: (The mix loses 21 ms at its very start, which is always the lead-in's silence.)
PRIMED = ["-af", f"atrim=start_sample={AAC_PRIMING}"]


@dataclass(frozen=True)
class AudioCodec:
    """How a soundtrack is encoded: the encoder's arguments, how its delay is kept off the clock, and the raw
    stream the meter reads beside the MP4."""

    args: tuple[str, ...]
    #: ffmpeg arguments on the mix before it is encoded (PRIMED for AAC; nothing where the codec's header
    #: carries its delay for every decoder to skip, as Opus's pre-skip does).
    before: tuple[str, ...]
    #: The bare stream teed to the meter: ffmpeg's muxer and demuxer for it.
    stream: tuple[str, str]
    #: The peak the meter reads: "true" (4x oversampled, dBTP) or "sample" (dBFS; a third of the meter's time).
    peak: str = "true"
    #: Samples per packet where the stream can be encoded in cached segments and joined (AAC's 1024;
    #: segments.py), else None.
    frame: int | None = None

    def identity(self) -> list[str]:
        """What a cache key needs to know of it."""
        return [*self.args, *self.before, self.peak]


#: The video's soundtrack: AAC at 192 kb/s, what YouTube's upload guidance asks for.
AAC = AudioCodec(tuple(AUDIO_ARGS), tuple(PRIMED), ("adts", "aac"), frame=1024)
#: A draft's (render --draft, explainer preview): Opus at 64 kb/s with libopus's fastest setting, 2.1x as fast to
#: encode as 64 kb/s AAC (1.15 s against 2.43 s for the shipped video), for a sound that is listened to while
#: writing, in a browser or a player (every browser plays Opus in MP4). Its meter reads the sample peak: the true
#: peak's oversampling was 1.15 of its 2.05 s, and a draft's peak is a figure in render.json nothing acts on (the
#: limiter holds the mix's peaks either way). Still stereo: mono would need its own loudness and peak handling
#: (a mono fold-down of the limited stereo mix peaks over the ceiling).
DRAFT_OPUS = AudioCodec(
    args=("-c:a", "libopus", "-compression_level", "0", "-b:a", "64k", "-ar", str(RATE), "-ac", "2"),
    before=(),
    stream=("ogg", "ogg"),
    peak="sample",
)


def audio_codec(draft: bool) -> AudioCodec:
    """How a render's soundtrack is encoded: AAC at 192 kb/s, or Opus at 64 kb/s for a draft."""
    return DRAFT_OPUS if draft else AAC


def encode_teed(blocks: Iterable[np.ndarray], out: Path, codec: AudioCodec, meter: IO[bytes]) -> None:
    """Encode stereo float ``blocks`` with ``codec`` into ``out`` (an MP4 without an edit list), its encoded stream
    teed into ``meter`` (an ffmpeg that meters it) as it is written. ``out`` may be an atomic_path name: nothing in
    it is special to the tee muxer."""
    ffmpeg.feed(
        [
            "-y", "-f", "s16le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0",
            "-map", "0:a", *codec.before, *codec.args, "-flags", "+global_header",
            "-f", "tee", f"[f=mp4:use_editlist=0]{out.name}|[f={codec.stream[0]}]pipe:1",
        ],
        (pcm16(block).data for block in blocks),
        what="encoding the soundtrack",
        stdout=meter,
        cwd=out.parent,
    )  # fmt: skip
