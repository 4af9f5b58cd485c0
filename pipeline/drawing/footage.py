"""Footage: probing a video file, the cut that plays, and the filters that make it the video's frames.

What phones and cameras write varies: variable frame rates, rotation kept as
metadata, odd sizes and non-square pixels, BT.601 or BT.709 colour, 44.1 kHz
mono sound or none. ffmpeg makes a clip regular (a looping clip is normalized
once into the cache, under its file's content and everything that shapes it):

* the cut (``from``/``to``), with ``speed`` applied to picture and sound;
* constant frame rate at the video's fps (ffmpeg's ``fps`` filter picks, for
  each output frame, the input frame showing at that time, so a phone clip's
  uneven frame times cannot drift);
* rotation applied (ffmpeg applies the display matrix when decoding), pixels
  made square, then fitted to the frame: ``cover`` (crop), ``contain``
  (letterbox on black) or ``blur`` (contained over a blurred, darkened cover
  of itself);
* stored as RGB H.264 (libx264rgb) at CRF 14, so no colour matrix is guessed
  twice: ffmpeg reads the source's own matrix once, and the scene's encoder
  converts to BT.709 TV range like any slide. (CRF 6 was tried first: 15 MB
  per second of grainy 1080p footage in the cache; CRF 14 is a quarter of
  that, within 1 dB PSNR of the source, and faster to write);
* the sound decoded to 48 kHz stereo float samples, kept beside it.

Frames are streamed from the normalized file, one at a time, never a whole
clip in memory.

A scene is encoded without the normalized file, in one ffmpeg: the cut is
decoded, fitted and converted straight to the encoder's colours (BT.709), the
text drawn over it is laid on in the same filter graph (``backdrop``). Only a
looping clip is normalized first, so each pass of the loop is the same frames.
"""

from __future__ import annotations

import functools
import math
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from pipeline.core import cache, ffmpeg
from pipeline.core.assets import nearby, not_regular
from pipeline.core.audio import RATE
from pipeline.core.errors import RenderError

Fit = Literal["cover", "contain", "blur"]
#: Part of every normalized clip's cache key: bump when the normalization changes.
VERSION = "footage-3"
#: The prepared clip's quality: visually lossless before the scene's own encode, a quarter of CRF 6's size.
CRF = 14


class FootageError(Exception):
    """Something about the file or its cut, said for the author; ``field`` is the slide field it concerns."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Probe:
    """What a video file holds, as shown (rotation applied)."""

    seconds: float
    width: int
    height: int
    rotation: int
    audio: bool


def probe(path: Path, name: str) -> Probe:
    """``path``'s video as shown, or a FootageError on 'file' saying why it cannot be used.

    Checking, planning, rendering and mixing each ask; the file is opened once per version of it.
    """
    if not path.exists():
        hint = nearby(path, name) or "; put the file there or fix the path"
        raise FootageError("file", f"no video at '{name}' (looked for {path}){hint}")
    if kind := not_regular(path):
        raise FootageError("file", f"'{name}' is {kind}, not a regular file; give the path of a video file")
    found = path.stat()
    if found.st_size == 0:
        raise FootageError("file", f"'{name}' is empty (0 bytes); export the clip again")
    return _probe(path, name, found.st_size, found.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _probe(path: Path, name: str, size: int, mtime_ns: int) -> Probe:
    """The probe of one version of ``path`` (its size and modification time name the version)."""
    import av  # imported when a clip is used: the rest of explainer never needs it

    try:
        with av.open(str(path)) as container:
            if container.format.name == "image2" or container.format.name.endswith("_pipe"):
                raise FootageError("file", f"'{name}' is a still picture, not footage; show it with kind: image")
            if not container.streams.video:
                raise FootageError("file", f"'{name}' has no video stream; give a video file (MP4, MOV, WebM)")
            stream = container.streams.video[0]
            first = next(container.decode(stream), None)
            if first is None:
                raise FootageError("file", f"'{name}' has no frames ffmpeg can decode; export the clip again")
            rotation = round(getattr(first, "rotation", 0) or 0) % 360
            width, height = stream.codec_context.width, stream.codec_context.height
            if stream.sample_aspect_ratio:  # non-square pixels: the width as shown
                width = round(width * float(stream.sample_aspect_ratio))
            if rotation in (90, 270):
                width, height = height, width
            return Probe(_seconds(container, stream, name), width, height, rotation, bool(container.streams.audio))
    except FootageError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        reason = f" (ffmpeg: {exc.strerror})" if getattr(exc, "strerror", None) else ""
        with path.open("rb") as head:
            mp4 = head.read(12)[4:8] == b"ftyp"
        if mp4:  # an MP4's index is often at its end: a file cut short cannot be opened at all
            raise FootageError(
                "file",
                f"'{name}' starts like an MP4 but ffmpeg cannot read it{reason}; it may be cut short (a download "
                "or export that did not finish): export or download it again",
            ) from None
        raise FootageError(
            "file", f"'{name}' is not a video ffmpeg can read{reason}; export it as MP4 (H.264)"
        ) from None


def _seconds(container, stream, name: str) -> float:
    if stream.duration is not None and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    raise FootageError("file", f"the length of '{name}' is not recorded in the file; export the clip again")


@dataclass(frozen=True)
class Cut:
    """The part of the file that plays (seconds into the file) and how fast."""

    start: float
    end: float
    speed: float

    @property
    def seconds(self) -> float:
        """How long the cut plays at its speed."""
        return (self.end - self.start) / self.speed


def cut(start: float, end: float | None, speed: float, found: Probe) -> Cut:
    """The cut from ``start`` to ``end`` (default: the file's end), or a FootageError on 'from' or 'to'."""
    length = f"{found.seconds:.2f}".rstrip("0").rstrip(".")
    if start >= found.seconds:
        where = "at" if math.isclose(start, found.seconds, abs_tol=0.005) else "after"
        raise FootageError(
            "from", f"the clip is {length} s long; 'from: {start:g}' starts {where} its end (give less than {length})"
        )
    stop = found.seconds if end is None else end
    if stop > found.seconds + 0.05:
        raise FootageError("to", f"the clip is {length} s long; 'to: {stop:g}' is past its end (at most {length})")
    if stop - start < 0.1:
        raise FootageError("to", f"'to: {stop:g}' must be at least 0.1 s after 'from: {start:g}'")
    return Cut(start, min(stop, found.seconds), speed)


def key(digest: str, part: Cut, **shape: object) -> str:
    """A prepared clip's cache key: the file's content, the cut and speed, and what else ``shape``s it."""
    from pipeline.core.versions import drawing_stack

    return cache.key({"version": VERSION, "ffmpeg": drawing_stack()["ffmpeg"], "file": digest,
                      "cut": [part.start, part.end], "speed": part.speed, **shape})  # fmt: skip


def picture_filter(fit: Fit, width: int, height: int, fps: int, speed: float, pixels: str = "format=gbrp") -> str:
    """ffmpeg's filter graph from the decoded file (rotation already applied) to the video's frames, ending in
    ``pixels`` (planar RGB for the normalized clip and stills, the encoder's colours for a scene's backdrop)."""
    timing = f"setpts=(PTS-STARTPTS)/{speed:.6f},fps={fps}"
    square = "scale=trunc(iw*sar/2)*2:ih,setsar=1"
    cover = f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}"
    contain = f"scale={width}:{height}:force_original_aspect_ratio=decrease"
    if fit == "cover":
        return f"{timing},{square},{cover},setsar=1,{pixels}"
    if fit == "contain":
        return f"{timing},{square},{contain},pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:black,setsar=1,{pixels}"
    blur = max(4, round(min(width, height) / 30))
    return (
        f"{timing},{square},split[a][b];[a]{cover},gblur=sigma={blur},eq=brightness=-0.12[back];"
        f"[b]{contain}[front];[back][front]overlay=(W-w)/2:(H-h)/2,setsar=1,{pixels}"
    )


def normalize(source: Path, part: Cut, fit: Fit, size: tuple[int, int], fps: int, target: Path) -> None:
    """The cut as the video's frames, written to ``target`` (Matroska, RGB H.264) atomically."""
    width, height = size
    with cache.atomic_path(target, once=True) as out:
        ffmpeg.run(
            [
                "-y", "-ss", f"{part.start:.6f}", "-t", f"{part.end - part.start:.6f}", "-i", str(source),
                "-filter_complex", f"[0:v:0]{picture_filter(fit, width, height, fps, part.speed)}[v]",
                "-map", "[v]", "-an", "-c:v", "libx264rgb", "-preset", "veryfast", "-crf", str(CRF), "-g", str(fps),
                # One thread, no B-frames: it runs inside a scene job, beside another worker and its encoder, and
                # x264's threads and frame queues took it to 516 MB at 1080p (291 MB so), for 23% less CPU.
                "-threads", "1", "-bf", "0",
                "-f", "matroska", str(out),
            ],
            what=f"preparing the clip {source.name}",
        )  # fmt: skip


def backdrop(
    source: Path, part: Cut, fit: Fit, size: tuple[int, int], fps: int, count: int, looped: Path | None
) -> tuple[tuple[str, ...], str]:
    """ffmpeg's input arguments and filter chain for the scene's moving picture (a ``sources.base.Backdrop``):
    frame ``i`` of the scene is frame ``i`` of the cut's ``count``, then its last frame held; or, with ``looped``
    (the normalized clip), the clip again and again."""
    width, height = size
    if looped is not None:
        inputs = ("-threads", "1", "-stream_loop", "-1", "-i", str(looped))
        return inputs, f"settb=1/{fps},setpts=N,{ffmpeg.to_bt709()}"
    inputs = ("-threads", "1", "-ss", f"{part.start:.6f}", "-t", f"{part.end - part.start:.6f}", "-i", str(source))
    chain = picture_filter(fit, width, height, fps, part.speed, ffmpeg.to_bt709())
    return inputs, f"{chain},trim=end_frame={count},tpad=stop_mode=clone:stop=-1"


def frames(path: Path, size: tuple[int, int]) -> Iterator[np.ndarray]:
    """The normalized clip's frames in order (HxWx3 uint8), streamed from one ffmpeg."""
    width, height = size
    process = ffmpeg.Process(
        # One thread: a decoder's frame threads each hold frames (198 MB at 1080p, the render's peak moment).
        ["-threads", "1", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        what=f"reading the clip {path.name}",
        stdout=subprocess.PIPE,
    )
    frame_bytes = width * height * 3
    try:
        while len(data := process.proc.stdout.read(frame_bytes)) == frame_bytes:
            yield np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)
    except BaseException:  # closed early (the scene needed fewer frames), or stopped
        process.kill()
        raise
    process.proc.stdout.close()
    process.finish()


def one_frame(source: Path, part: Cut, fit: Fit, size: tuple[int, int], at: float) -> np.ndarray:
    """The frame ``at`` seconds into the cut, straight from the file (for a still: nothing prepared)."""
    width, height = size
    offset = min(part.start + at * part.speed, max(part.start, part.end - 0.05))
    raw = ffmpeg.run(
        [
            "-ss", f"{offset:.6f}", "-i", str(source),
            "-filter_complex", f"[0:v:0]{picture_filter(fit, width, height, 30, 1.0)}[v]",
            "-map", "[v]", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        ],
        what=f"reading a frame of {source.name}",
    )  # fmt: skip
    if len(raw) < width * height * 3:
        raise RenderError(f"no frame at {at:.2f} s in {source.name}")
    return np.frombuffer(raw[: width * height * 3], dtype=np.uint8).reshape(height, width, 3)


def sound(source: Path, part: Cut, target: Path) -> None:
    """The cut's sound at its speed as 48 kHz stereo float32 samples in ``target``, atomically."""
    tempo = atempo_chain(part.speed)
    with cache.atomic_path(target, once=True) as out:
        ffmpeg.run(
            [
                "-y", "-ss", f"{part.start:.6f}", "-t", f"{part.end - part.start:.6f}", "-i", str(source),
                "-map", "0:a:0", "-af", f"{tempo}aresample={RATE}", "-ac", "2", "-ar", str(RATE),
                "-f", "f32le", str(out),
            ],
            what=f"decoding the sound of {source.name}",
        )  # fmt: skip


def atempo_chain(speed: float) -> str:
    """ffmpeg's atempo takes 0.5-2 per stage: a chain of stages for any speed from 0.25 to 4."""
    if math.isclose(speed, 1.0):
        return ""
    stages = []
    left = speed
    while left > 2.0:
        stages.append(2.0)
        left /= 2.0
    while left < 0.5:
        stages.append(0.5)
        left /= 0.5
    stages.append(left)
    return "".join(f"atempo={s:.6f}," for s in stages)


def load_sound(path: Path) -> np.ndarray:
    """Samples written by ``sound`` (stereo float32)."""
    return np.fromfile(path, dtype="<f4").reshape(-1, 2)
