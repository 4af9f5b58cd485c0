"""The soundtrack's AAC in segments, each cached by the samples it codes, joined packet by packet.

An edit to one scene's narration changes the soundtrack only from that scene
on: everything before it is the same samples at the same gain (the last gain
is the hint, see soundtrack.build). Encoding the whole track again took 3.7 s
for the shipped video, the longest wait of an edit. Here the track is cut into
segments of SEGMENT AAC frames (19.2 s) and a segment's packets are kept in the
cache, named by the samples the encoder saw for them: the segment's own, WARM
frames before it and AHEAD after (what the encoder looks at to code a frame).
A render encodes each run of segments the cache lacks as one encode, from WARM
frames early to AHEAD frames late, keeps the run's packets segment by segment,
and writes the soundtrack as every segment's packets in order, muxed with no
re-encoding. A cold render is one run: the same packets as one whole encode.

Packets of two encodes meet where a run starts. AAC decodes each frame from
its own packet and the one before (overlapping transforms), and both code the
same samples there, so a join decodes as any other frame does. On the shipped
video's soundtrack cut every 9.6 s, the decoded sound around the joins was
40.3 dB over its error at worst (median 49.9 dB), against 40.3 (50.5) at the
same places of one continuous encode.

The encoder's packets are read as ADTS (each with a 7-byte header that gives its
length) and muxed into the MP4 with PyAV, which lets the last packet carry only
the samples that are left, as ffmpeg's own muxing of the encoder's output does.
PyAV opens an AAC encoder for the stream, which writes the decoder's
configuration the MP4 carries (the same bytes ffmpeg's encoder wrote).
"""

from __future__ import annotations

import hashlib
import queue
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from pipeline import cache, ffmpeg
from pipeline.audio import RATE, pcm16
from pipeline.errors import RenderError, Stopped

#: Samples in an AAC frame (one packet); ffmpeg's encoder primes with one frame (encode.AAC_PRIMING).
FRAME = 1024
#: Frames per segment: 19.2 s, a whole number of the loudness meter's 100 ms steps too.
SEGMENT = 900
#: Frames of the mix before a run that the encoder codes and the run drops (its psychoacoustic state settles).
WARM = 8
#: Frames after a run's last segment the encoder is given, so its last packets are coded as within the track.
AHEAD = 4
#: Part of every segment's cache key: bump when how segments are encoded or cut changes.
VERSION = "aac-segments-1"
#: ADTS header without CRC, as ffmpeg's muxer writes it.
HEADER = 7


@dataclass(frozen=True)
class Segment:
    """Packets ``first`` to ``end`` (exclusive) of the track, and the mix samples ``start:stop`` an encode of them
    is given (the segment's own, with WARM frames before and AHEAD after, within the track)."""

    first: int
    end: int
    start: int
    stop: int

    def key(self, pcm: np.ndarray, codec_identity: list[str], samples: int) -> str:
        digest = hashlib.sha256(pcm[self.start : self.stop].data).hexdigest()
        return cache.key({
            "version": VERSION, "encoder": codec_identity, "samples": digest,
            "kept": [self.first - self.start // FRAME + 1, self.end - self.first], "at end": self.stop == samples,
        })  # fmt: skip


def packets_for(samples: int) -> int:
    """Packets of a track of ``samples`` mix samples: the encoder's priming takes the place of the first FRAME."""
    return -(-samples // FRAME)


def plan(samples: int) -> list[Segment]:
    """The track's segments. Packet ``g`` plays mix samples ``g*FRAME`` on; packet 0 is the encoder's priming,
    so an encode starts at mix sample FRAME at the earliest."""
    total = packets_for(samples)
    found = []
    for first in range(0, total, SEGMENT):
        end = min(total, first + SEGMENT)
        found.append(Segment(first, end, max(FRAME, (first - WARM) * FRAME), min(samples, (end + AHEAD) * FRAME)))
    return found


class _Mix:
    """The mix as 16-bit stereo in a file beside the soundtrack (it is never held whole in memory), written as far
    as it is asked for and mapped for reading."""

    def __init__(self, blocks: Iterable[np.ndarray], samples: int, path: Path):
        self._blocks = iter(blocks)
        self.pcm = np.memmap(path, dtype="<i2", mode="w+", shape=(samples, 2))
        self.written = 0

    def until(self, end: int) -> np.ndarray:
        """Mix up to sample ``end``; the samples."""
        while self.written < end:
            block = pcm16(next(self._blocks))
            self.pcm[self.written : self.written + block.shape[0]] = block
            self.written += block.shape[0]
        return self.pcm


def encode(
    blocks: Iterable[np.ndarray],
    samples: int,
    out: Path,
    args: list[str],
    codec_identity: list[str],
    folder: Path,
    meter_args: list[str],
    stop: threading.Event | None = None,
) -> str:
    """Encode ``blocks`` (the mix, ``samples`` long) as AAC with ``args`` into the MP4 ``out``, taking every
    segment the cache ``folder`` has from it and adding the ones it lacks; the meter's log.

    It all goes at the pace of the mix: a segment is looked up as soon as its samples are mixed, and the meter
    (ffmpeg, ``meter_args`` after its input) reads the packets in order as they come, a cached segment's at once
    and a run's as its encoder gives them. Mixing, encoding and metering overlap, as when one encoder was teed
    to the meter; after an edit, the segments before it are metered while the mix goes on.
    """
    segments = plan(samples)
    have: list[list[bytes]] = []

    def look(mix: _Mix, index: int) -> tuple[Path, list[bytes] | None]:
        """Where segment ``index`` is kept and its packets if they are (mixing up to its stop to name it)."""
        segment = segments[index]
        path = folder / f"{segment.key(mix.until(segment.stop), codec_identity, samples)}.aac"
        return path, _read(path, segment.end - segment.first)

    def in_order(mix: _Mix) -> Iterator[bytes]:
        ahead = None  # the next segment's place and packets, when a run looked it up already
        while len(have) < len(segments):
            if stop is not None and stop.is_set():
                raise Stopped
            index = len(have)
            path, packets = ahead or look(mix, index)
            if packets is not None:
                ahead = None
                have.append(packets)
                yield b"".join(packets)
                continue
            with _Run(mix.pcm[segments[index].start : segments[index].stop], segments[index].start, args) as run:
                while True:  # the run goes on while the segment after this one is missing too
                    ahead = look(mix, index + 1) if index + 1 < len(segments) else None
                    going_on = ahead is not None and ahead[1] is None
                    if going_on:
                        run.feed(mix.pcm[segments[index].stop : segments[index + 1].stop])
                    else:
                        run.end()
                    packets = run.packets(segments[index])
                    data = b"".join(packets)
                    cache.write_bytes(path, data)  # replaces a damaged one
                    have.append(packets)
                    yield data
                    if not going_on:
                        break
                    index, path = index + 1, ahead[0]

    with cache.scratch(out) as scratch:
        mix = _Mix(blocks, samples, scratch / "mix.s16")
        log = ffmpeg.feed(["-f", "aac", "-i", "pipe:0", *meter_args], in_order(mix),
                          what="metering the encoded soundtrack", loglevel="info")  # fmt: skip
        del mix  # the mapping, before its file is removed with the scratch folder
    _mux([packet for packets in have for packet in packets], samples, out)
    return log


class _Run:
    """One encode of consecutive segments the cache lacks, fed as the mix is made, whose packets are read from
    the encoder's output as it writes them (a thread reads them, so feeding never waits on reading)."""

    def __init__(self, first: np.ndarray, start: int, args: list[str]):
        self.number = start // FRAME - 1  # the track's packet the encode's first packet is
        self._process = ffmpeg.Process(
            ["-f", "s16le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0", *args, "-f", "adts", "pipe:1"],
            what="encoding the soundtrack", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        self._writer = ffmpeg.Writer(self._process.proc.stdin)
        self._out: queue.Queue[bytes | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="soundtrack packets", daemon=True)
        self._reader.start()
        self.feed(first)

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:  # stopping: the encoder is killed, its pipes closed
            self._process.kill()
        self._writer.close()
        self._reader.join()
        if kind is None:
            self._process.finish()

    def feed(self, samples: np.ndarray) -> None:
        for at in range(0, samples.shape[0], 10 * RATE):
            self._writer.put(samples[at : at + 10 * RATE].data)

    def end(self) -> None:
        """No more samples: the encoder finishes (its last packets are read by ``packets``)."""
        self._writer.close()

    def packets(self, segment: Segment) -> list[bytes]:
        """``segment``'s packets, as the encoder gives them; the ones before it (the warm-up) dropped."""
        found = []
        while self.number < segment.end:
            packet = self._out.get()
            if packet is None:
                self._reader.join()
                self._process.finish()  # the encoder's own failure, if it failed
                raise RenderError("encoding the soundtrack failed: the encoder gave fewer packets than asked")
            if self.number >= segment.first:
                found.append(packet)
            self.number += 1
        return found

    def _read(self) -> None:
        output = self._process.proc.stdout
        try:
            while len(header := output.read(HEADER)) == HEADER:
                length = _length(header)
                rest = output.read(length - HEADER)
                if len(rest) < length - HEADER:
                    break
                self._out.put(header + rest)
        except (OSError, ValueError):
            pass  # killed: the caller is stopping
        finally:
            self._out.put(None)


def _length(header: bytes) -> int:
    """An ADTS packet's length, header included, from its header's 13-bit frame length field."""
    return ((header[3] & 3) << 11) | (header[4] << 3) | (header[5] >> 5)


def _split(data: bytes) -> list[bytes] | None:
    """ADTS packets, each with its header; None when ``data`` is not a whole run of them."""
    found, at = [], 0
    while at < len(data):
        if len(data) - at < HEADER or data[at] != 0xFF or data[at + 1] & 0xF6 != 0xF0:
            return None
        length = _length(data[at : at + HEADER])
        if length <= HEADER or at + length > len(data):
            return None
        found.append(data[at : at + length])
        at += length
    return found


def _read(path: Path, count: int) -> list[bytes] | None:
    """A cached segment's packets, or None when it is missing or not whole (it is then encoded again)."""
    try:
        packets = _split(path.read_bytes())
    except OSError:
        return None
    return packets if packets is not None and len(packets) == count else None


def _mux(packets: list[bytes], samples: int, out: Path) -> None:
    """The packets into the MP4 ``out``: no edit list, and the last packet lasts what is left of ``samples``."""
    import av

    if len(packets) != packets_for(samples):
        raise RenderError("encoding the soundtrack failed: the segments do not make up the track")
    with av.open(str(out), "w", format="mp4", options={"use_editlist": "0"}) as container:
        stream = container.add_stream("aac", rate=RATE, layout="stereo")  # its encoder gives the decoder config
        tick, last = Fraction(1, RATE), len(packets) - 1
        for number, packet in enumerate(packets):
            payload = av.Packet(packet[HEADER:])
            payload.stream, payload.time_base = stream, tick
            payload.pts = payload.dts = number * FRAME
            payload.duration = samples - number * FRAME if number == last else FRAME
            container.mux(payload)
