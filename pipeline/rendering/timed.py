"""Raw RGB frames with their times into ffmpeg: a minimal live Matroska stream, written by hand.

A drawn scene repeats most of its frames: the camera's push steps every few frames, a word stays marked for a
second, a slide holds. Sent as raw video, every repeat crossed the pipe and was converted to the encoder's colours
again (at 1080p about 8 ms of ffmpeg's time each: 2.57 CPU-s against 1.91 for 150 frames of a push that steps
every third frame, the same file out). Sent with its time, a frame crosses once and is converted once
(``clocked``); the scene's encoder writes its repeats (encode.SceneEncoder).

Why by hand: ffmpeg's own Matroska muxer, and so PyAV's, refuses raw RGB ("not supported natively"; its VFW mode is
upside-down BGR), and NUT through PyAV copied each 6 MB frame twice in Python. Matroska's uncompressed video
(``V_UNCOMPRESSED`` with the ``RGB\\x18`` colour-space tag, which ffmpeg's demuxer reads as rgb24) takes a few
fixed elements: an EBML header, a segment and clusters of unknown size (as a live stream), one track, and a
SimpleBlock header of 12 bytes before each frame's pixels, which go to the pipe straight from the array.
"""

from __future__ import annotations

import struct
from typing import IO

import numpy as np

#: ffmpeg's arguments for the stream as its input. Not probed: its header says all there is to know, and ffmpeg
#: probing 5 MB or 5 s of a stream of small frames waited for frames the encoder's pacing held back (each segment
#: stalled until the pacing gave up: 5 s).
INPUT = ("-probesize", "32", "-analyzeduration", "0", "-f", "matroska", "-i", "pipe:0")
#: A SimpleBlock's time is 16 bits from its cluster's, in milliseconds: a new cluster well before that runs out.
CLUSTER_MS = 30_000
_UNKNOWN = bytes.fromhex("01FFFFFFFFFFFFFF")


def frames_clock(fps: int) -> str:
    """ffmpeg's filters that put frames sent with millisecond times (each at or just before its frame) back on the
    frames' clock, a time base of one frame, so each lands on its own frame."""
    return f"settb=1/{fps},setpts=round(T*{fps})"


def clocked(fps: int, convert: str) -> str:
    """The filters for a timed stream: its frames on their clock, ``convert``-ed once each (each then stands until
    the next one's frame: the encoder writes its repeats, encode.SceneEncoder). The pixels' aspect is left unsaid
    (``setsar=0``), as raw video's is: Matroska's says 1:1, and x264 would write it into the stream's parameters,
    which then differ from other scenes' and no longer join by stream copy."""
    return f"{frames_clock(fps)},setsar=0,{convert}"


class TimedFrames:
    """RGB frames of one size into ``pipe``, each sent once at the frame it starts on."""

    def __init__(self, pipe: IO[bytes], width: int, height: int, fps: int):
        self._pipe, self._size, self._fps = pipe, (height, width, 3), fps
        self._cluster: int | None = None
        pipe.write(_header(width, height, fps))

    def send(self, image: np.ndarray, frame: int) -> None:
        """``image`` from frame ``frame`` (counted from the stream's start) until the next one sent."""
        if image.shape != self._size:
            raise ValueError(f"a frame of {image.shape}, not {self._size}")
        millisecond = frame * 1000 // self._fps
        if self._cluster is None or millisecond - self._cluster >= CLUSTER_MS:
            self._cluster = millisecond
            self._pipe.write(bytes.fromhex("1F43B675") + _UNKNOWN + _uint("E7", millisecond))
        pixels = np.ascontiguousarray(image, dtype=np.uint8).data
        # SimpleBlock: track 1, its time from the cluster's, a keyframe; then the pixels.
        head = bytes.fromhex("A3") + _size(pixels.nbytes + 4) + b"\x81" + struct.pack(">h", millisecond - self._cluster)
        self._pipe.write(head + b"\x80")
        self._pipe.write(pixels)


def _header(width: int, height: int, fps: int) -> bytes:
    ebml = _element(
        "1A45DFA3",
        _uint("4286", 1) + _uint("42F7", 1) + _uint("42F2", 4) + _uint("42F3", 8)
        + _element("4282", b"matroska") + _uint("4287", 4) + _uint("4285", 2),
    )  # fmt: skip
    info = _element(
        "1549A966", _uint("2AD7B1", 1_000_000) + _element("4D80", b"explainer") + _element("5741", b"explainer")
    )
    video = _element("E0", _uint("B0", width) + _uint("BA", height) + _element("2EB524", b"RGB\x18"))
    track = _element(
        "AE",
        _uint("D7", 1) + _uint("73C5", 1) + _uint("83", 1) + _element("86", b"V_UNCOMPRESSED")
        + _uint("23E383", round(1e9 / fps)) + video,
    )  # fmt: skip
    return ebml + bytes.fromhex("18538067") + _UNKNOWN + info + _element("1654AE6B", track)


def _size(n: int) -> bytes:
    """An EBML element's size, in eight bytes."""
    return b"\x01" + n.to_bytes(7, "big")


def _element(ident: str, payload: bytes) -> bytes:
    return bytes.fromhex(ident) + _size(len(payload)) + payload


def _uint(ident: str, value: int) -> bytes:
    return _element(ident, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))
