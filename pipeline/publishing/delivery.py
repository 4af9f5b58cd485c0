"""The MP4s a person gets: the video joined from the scene clips and the soundtrack, and a scene's playable clip.

Nothing of the picture is re-encoded: the scenes' video streams are copied as they are, the soundtrack (encoded
once) is muxed beside them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.core import cache, ffmpeg
from pipeline.core.audio import RATE
from pipeline.sound.codecs import AUDIO_ARGS, PRIMED

#: How every MP4 a person gets (the video, a --scene clip) is muxed: index first (faststart) and no edit lists,
#: which YouTube's recommended upload settings ask for: the video's B-frame delay is written as negative
#: composition offsets instead of an edit list, and the sound is PRIMED, so a player that ignores edit lists
#: plays narration on its frame too.
DELIVERY_MUX = ["-movflags", "+faststart+negative_cts_offsets", "-use_editlist", "0"]


def with_sound(video: Path, sound: np.ndarray, target: Path) -> None:
    """``video`` (copied as it is) with ``sound`` (stereo float samples at RATE) as AAC, atomically."""
    with cache.atomic_path(target) as out:
        ffmpeg.run(
            [
                "-y", "-i", str(video), "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0",
                "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", *PRIMED, *AUDIO_ARGS,
                *DELIVERY_MUX, "-f", "mp4", str(out),
            ],
            input=np.ascontiguousarray(sound, dtype="<f4").tobytes(),
            what="adding the scene's sound",
        )  # fmt: skip


def join(scene_files: list[tuple[Path, float]], soundtrack: Path, target: Path, metadata: str) -> None:
    """Concatenate scene video streams and mux the encoded soundtrack and the metadata, atomically.

    Nothing is re-encoded: the scenes' video and the soundtrack's AAC are copied as they are.

    ``scene_files`` are the scene clips with their lengths in seconds; ``metadata`` is an ffmpeg
    metadata file's text: the title and the chapters.
    """
    with cache.scratch(target) as tmp:
        listing = ffmpeg.concat_inputs(scene_files, tmp)
        meta = tmp / "metadata.txt"
        meta.write_text(metadata, encoding="utf-8")
        with cache.atomic_path(target) as out:
            ffmpeg.run(
                [
                    "-y", *listing, "-i", str(soundtrack), "-i", str(meta),
                    "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "2", "-map_chapters", "2",
                    "-c", "copy", *DELIVERY_MUX, "-f", "mp4", str(out),
                ],
                what="joining the scenes",
            )  # fmt: skip
