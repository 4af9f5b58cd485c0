"""Repeats as skipped pictures (pipeline/rendering/h264.py), on real x264 streams, decoded by ffmpeg's decoder."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from pipeline.core import ffmpeg
from pipeline.rendering import h264
from pipeline.rendering.encode import CHANGING, codec_args

W, H, FPS = 96, 64, 30


def _pictures(count: int) -> list[np.ndarray]:
    """Distinct frames with detail that moves (x264 codes them as real P pictures, with motion and residual)."""
    y, x = np.mgrid[0:H, 0:W]
    return [
        np.stack([(x * 3 + 7 * i) % 256, (y * 4 + 5 * i) % 256, ((x + y) * 2 + 11 * i) % 256], axis=2).astype(np.uint8)
        for i in range(count)
    ]


def _x264(pictures: list[np.ndarray], params: str = CHANGING, extra: tuple[str, ...] = ()) -> bytes:
    """x264's raw stream (Annex B) of ``pictures``, with the settings a drawn scene's encoder has."""
    raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", str(FPS), "-i", "pipe:0"]
    args = [a if a != CHANGING else params for a in codec_args(FPS)]
    return ffmpeg.run(
        [*raw, "-vf", "format=yuv420p", *args, *extra, "-an", "-f", "h264", "-"],
        input=b"".join(p.tobytes() for p in pictures),
    )


def _decoded(stream: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(stream), format="h264") as container:
        return [frame.to_ndarray(format="yuv420p") for frame in container.decode(video=0)]


def _repeated(stream: bytes, counts: list[int], chunk: int = 1000) -> tuple[bytes, h264.Repeater]:
    out: list[bytes] = []
    repeater = h264.Repeater(out.append)
    for count in counts:
        repeater.repeat(count)
    for i in range(0, len(stream), chunk):  # as it comes from the encoder's pipe: NAL units cut anywhere
        repeater.feed(stream[i : i + chunk])
    repeater.end()
    return b"".join(out), repeater


@pytest.mark.parametrize("params", [CHANGING, CHANGING.replace("cabac=1", "cabac=0")], ids=["cabac", "cavlc"])
def test_each_picture_decodes_as_often_as_it_stands_exactly(params):
    pictures = _pictures(12)
    stream = _x264(pictures, params)
    counts = [1, 3, 1, 5, 2, 1, 17, 1, 2, 4, 1, 3]  # 17: past the stream's 16 frame numbers
    out, repeater = _repeated(stream, counts)
    assert (repeater.pictures, repeater.frames) == (12, sum(counts))
    alone, decoded = _decoded(stream), _decoded(out)
    assert len(decoded) == sum(counts)
    expected = [picture for picture, count in zip(alone, counts, strict=True) for _ in range(count)]
    assert all(np.array_equal(a, b) for a, b in zip(decoded, expected, strict=True)), "a repeat is its picture exactly"
    skips = len(out) - len(stream)
    assert skips < 40 * (sum(counts) - 12), "a skipped picture is a few dozen bytes"


def test_a_gop_asked_for_again_is_written_again_byte_for_byte():
    pictures = _pictures(2)
    stream = _x264(pictures, extra=("-force_key_frames", "expr:eq(n,1)"))  # two IDR pictures
    out: list[bytes] = []
    repeater = h264.Repeater(out.append)
    repeater.repeat(15)
    repeater.again()
    repeater.again()
    repeater.repeat(4)
    repeater.feed(stream)
    repeater.end()
    assert repeater.frames == 49
    idr = next(i for i, nal in enumerate(out) if nal[3] & 0x1F == h264.IDR)  # after the SPS, PPS and x264's SEI
    first = out[idr : idr + 15]
    assert out[idr + 15 : idr + 30] == first and out[idr + 30 : idr + 45] == first
    decoded = _decoded(b"".join(out))
    assert len(decoded) == 49 and all(np.array_equal(decoded[i], decoded[0]) for i in range(45))


def test_a_stream_it_cannot_number_is_refused_not_guessed_at():
    """B-frames give the stream another picture order type: a skipped picture's number would be wrong."""
    stream = _x264(_pictures(6), extra=("-bf", "2"))
    with pytest.raises(h264.Unsupported, match="order count type"):
        _repeated(stream, [2] * 6)


def test_pictures_that_never_come_out_are_an_error():
    stream = _x264(_pictures(3))
    with pytest.raises(h264.Unsupported, match="never came out"):
        _repeated(stream, [1, 1, 1, 1])


@pytest.mark.parametrize("data", [b"\x00\x00\x00\x00\x01\x00\x00\x02", b"\x00\x00", b"\x01\x00\x00\x03\x00\x00"])
def test_escaping_keeps_start_codes_out_and_comes_back(data):
    escaped = h264.escape(data)
    assert b"\x00\x00\x00" not in escaped and b"\x00\x00\x01" not in escaped and b"\x00\x00\x02" not in escaped
    assert h264.unescape(escaped) == data
