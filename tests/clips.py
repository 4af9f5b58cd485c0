"""Test footage made with ffmpeg: each frame carries its own number, the sound a tone burst at a known time.

A frame's number is drawn as ``BITS`` black and white bars across its top half
(most significant first), wide enough to survive H.264 at any test size and a
fit that crops or pads it: ``read_number`` reads it back from a decoded frame.
The bottom half is a mid grey with a moving ramp, so it reads as picture.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

BITS = 10
RATE = 48_000
BURST_HZ = 1000.0
BURST_SECONDS = 0.05


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def frame_image(number: int, width: int, height: int) -> np.ndarray:
    """The frame that carries ``number``: bars in the top half, a ramp in the bottom."""
    image = np.full((height, width, 3), 128, dtype=np.uint8)
    bar = width / BITS
    for bit in range(BITS):
        on = (number >> (BITS - 1 - bit)) & 1
        image[: height // 2, round(bit * bar) : round((bit + 1) * bar)] = 235 if on else 16
    ramp = ((np.arange(width) + number * 7) % width * 255 // max(1, width - 1)).astype(np.uint8)
    image[height * 3 // 4 :, :, 1] = ramp
    return image


def read_number(frame: np.ndarray, box: tuple[int, int, int, int] | None = None) -> int:
    """The number a decoded frame carries; ``box`` (x0, y0, x1, y1): where the clip's picture is in it."""
    x0, y0, x1, y1 = box or (0, 0, frame.shape[1], frame.shape[0])
    bar = (x1 - x0) / BITS
    row = frame[y0 + (y1 - y0) // 8 : y0 + (y1 - y0) * 3 // 8]
    number = 0
    for bit in range(BITS):
        middle = row[:, round(x0 + (bit + 0.3) * bar) : round(x0 + (bit + 0.7) * bar)]
        number = number * 2 + int(middle.mean() > 128)
    return number


def burst(seconds: float, at: float) -> np.ndarray:
    """Stereo float samples: silence with a 1 kHz burst of BURST_SECONDS starting ``at`` seconds."""
    samples = np.zeros((round(seconds * RATE), 2), dtype=np.float32)
    start = round(at * RATE)
    n = round(BURST_SECONDS * RATE)
    tone = 0.5 * np.sin(2 * np.pi * BURST_HZ * np.arange(n) / RATE).astype(np.float32)
    samples[start : start + n] = tone[: max(0, samples.shape[0] - start), None]
    return samples


def find_burst(mono: np.ndarray, rate: int = RATE) -> float:
    """When the first burst starts in ``mono`` (seconds): the first sample of its envelope over half its peak."""
    envelope = np.abs(mono)
    threshold = envelope.max() * 0.5
    first = int(np.argmax(envelope > threshold))
    return first / rate


def make_clip(
    path: Path,
    *,
    size: tuple[int, int] = (160, 90),
    fps: float = 30,
    seconds: float = 2.0,
    audio: bool = True,
    burst_at: float = 0.5,
    rotate: int | None = None,
    vfr: bool = False,
) -> Path:
    """An H.264 clip (AAC sound unless ``audio`` is False) whose frame i shows i; ``rotate`` sets display rotation.

    ``vfr``: the frames' times are uneven (every third frame lasts twice as long, as phones write them),
    and frame i still shows i.
    """
    width, height = size
    count = round(seconds * fps)
    frames = b"".join(frame_image(i, width, height).tobytes() for i in range(count))
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    if vfr:
        times = np.cumsum([0.0] + [(2 if i % 3 == 2 else 1) / fps for i in range(count - 1)])
        args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0"]
        stamps = "+".join(f"eq(N,{i})*{t:.6f}" for i, t in enumerate(times))
        video_filter = ["-vf", f"setpts='({stamps})/TB'", "-fps_mode", "vfr"]
    else:
        args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0"]
        video_filter = []
    sound = path.with_suffix(".wav")
    if audio:
        with wave.open(str(sound), "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes((burst(seconds, burst_at) * 32767).astype("<i2").tobytes())
        args += ["-i", str(sound)]
    args += [*video_filter, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "128k"]
    args += [str(path.with_suffix(".tmp.mp4"))]
    subprocess.run(args, input=frames, check=True)
    sound.unlink(missing_ok=True)
    if rotate is not None:
        subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-display_rotation", str(rotate),
             "-i", str(path.with_suffix(".tmp.mp4")), "-c", "copy", str(path)],
            check=True,
        )  # fmt: skip
        path.with_suffix(".tmp.mp4").unlink()
    else:
        path.with_suffix(".tmp.mp4").rename(path)
    return path
