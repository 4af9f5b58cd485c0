"""ffmpeg.feed: chunks reach ffmpeg whole and in order from a writer thread, and every way it can end is clean."""

from __future__ import annotations

import hashlib
import threading

import pytest

from pipeline.core import ffmpeg

RAW = ["-f", "s16le", "-ar", "48000", "-ac", "2", "-i", "pipe:0"]


def _chunks(count: int, size: int = 1 << 20):
    for n in range(count):
        yield bytes([n % 251]) * size


def _writers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ffmpeg stdin"]


def test_every_chunk_reaches_ffmpeg_in_order(tmp_path):
    out = tmp_path / "copy.raw"
    ffmpeg.feed([*RAW, "-c:a", "pcm_s16le", "-f", "s16le", str(out)], _chunks(6), what="copying")
    assert hashlib.md5(out.read_bytes()).digest() == hashlib.md5(b"".join(_chunks(6))).digest()
    assert not _writers()


def test_a_failure_while_making_chunks_stops_ffmpeg_and_the_writer():
    def failing():
        yield from _chunks(2)
        raise KeyError("made up")

    with pytest.raises(KeyError, match="made up"):
        ffmpeg.feed([*RAW, "-f", "null", "-"], failing(), what="metering")
    assert not _writers()


def test_ffmpeg_that_stops_reading_early_ends_the_feed():
    """ffmpeg done after 0.1 s of 30 MB: the feed stops putting chunks and returns its log, without waiting."""
    log = ffmpeg.feed([*RAW, "-t", "0.1", "-af", "ebur128", "-f", "null", "-"], _chunks(30), what="metering",
                      loglevel="info")  # fmt: skip
    assert "Integrated loudness" in log
    assert not _writers()
