"""Stage: encode one clip per scene (MoviePy clip, our ffmpeg pipe) and join them.

Each scene is a MoviePy ``VideoClip`` whose frame function is the slide: the
few entrance frames are drawn, the hold reuses one still array. Frames go to
ffmpeg by index, exactly ``frames`` of them (MoviePy 2.2's own writer computes
``int(duration * fps)``, which drops a frame for about 2% of lengths, and it
forces ``-pix_fmt yuva420p`` for libx264).

The join copies the scenes' video streams without re-encoding and muxes the
soundtrack, encoded once, beside them.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from moviepy import AudioArrayClip, VideoClip

from pipeline import cache, ffmpeg
from pipeline.errors import RenderError
from pipeline.narration.audio import RATE
from pipeline.slides import transition
from pipeline.slides.theme import Theme

AUDIO_ARGS = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k", "-ar", str(RATE), "-ac", "2"]
COLOR_ARGS = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]


def video_args(fps: int) -> list[str]:
    """H.264 High, yuv420p, BT.709: what YouTube's upload guidance asks for."""
    return [
        "-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic,format=yuv420p",
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "18",
        "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-g", str(max(1, fps // 2)), "-bf", "2",
        *COLOR_ARGS,
    ]  # fmt: skip


def scene_clip(frame: transition.FrameFunction, frames: int, fps: int, audio: np.ndarray, theme: Theme) -> VideoClip:
    """The scene as a MoviePy clip: its frames, the theme's transition at both ends, its stereo narration."""
    clip = VideoClip(frame_function=transition.apply(frame, frames / fps, theme), duration=frames / fps)
    return clip.with_audio(AudioArrayClip(audio, fps=RATE))


def encode_scene(
    clip: VideoClip,
    frames: int,
    fps: int,
    target: Path,
    on_frames: Callable[[int], None] = lambda n: None,
) -> None:
    """Write ``clip`` to ``target`` (H.264 + AAC) atomically, exactly ``frames`` frames long."""
    width, height = clip.size
    with tempfile.TemporaryDirectory(prefix="explainer-") as tmp:
        wav = Path(tmp) / "audio.wav"
        clip.audio.write_audiofile(str(wav), fps=RATE, nbytes=2, codec="pcm_s16le", logger=None)
        log = Path(tmp) / "ffmpeg.log"
        with cache.atomic_path(target) as out, log.open("wb") as err:
            cmd = [
                ffmpeg.exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0",
                "-i", str(wav), "-map", "0:v:0", "-map", "1:a:0",
                *video_args(fps), *AUDIO_ARGS, "-frames:v", str(frames),
                "-movflags", "+faststart", "-f", "mp4", str(out),
            ]  # fmt: skip
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=err)
            try:
                batch = 0
                for i in range(frames):
                    frame = clip.get_frame(i / fps)
                    proc.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).data)
                    batch += 1
                    if batch == 15:
                        on_frames(batch)
                        batch = 0
                proc.stdin.close()
                on_frames(batch)
            except BrokenPipeError:
                pass
            finally:
                code = proc.wait()
            if code != 0:
                raise RenderError(f"encoding a scene failed: {ffmpeg.tail(log.read_bytes())}")


def join(scene_files: list[Path], soundtrack: Path, target: Path, metadata: str) -> None:
    """Concatenate scene video streams (no re-encode), mux the soundtrack and the metadata, atomically.

    ``metadata`` is an ffmpeg metadata file's text: the title and the chapters.
    """
    with tempfile.TemporaryDirectory(prefix="explainer-") as tmp:
        listing = Path(tmp) / "scenes.txt"
        listing.write_text("".join(f"file '{_concat_quote(p)}'\n" for p in scene_files), encoding="utf-8")
        meta = Path(tmp) / "metadata.txt"
        meta.write_text(metadata, encoding="utf-8")
        with cache.atomic_path(target) as out:
            ffmpeg.run(
                [
                    "-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(soundtrack), "-i", str(meta),
                    "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "2", "-map_chapters", "2",
                    "-c:v", "copy", *AUDIO_ARGS, "-movflags", "+faststart", "-f", "mp4", str(out),
                ],
                what="joining the scenes",
            )  # fmt: skip


def _concat_quote(path: Path) -> str:
    return str(path.resolve()).replace("'", "'\\''")
