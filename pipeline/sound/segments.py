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

The track is metered by segment too. ffmpeg's EBU R128 meter reports, every
100 ms, the loudness of the 400 ms before (the blocks the integrated loudness
gates) and the true peak so far. A segment's blocks and peak are kept beside
its packets, named by them and the LEAD packets before it, which the meter
decodes first (its window fills and its filters settle) and drops. The
integrated loudness is then gated from every segment's blocks as the meter
gates them. After an edit only the segments from the edit on are metered:
metering the shipped video's whole track again was 1.5 CPU-s of every edit.
On its soundtrack, segments metered so give the same blocks, to the meter's
three decimals, as one pass over the whole track, and the same integrated
loudness (-14.0313 LUFS) and true peak (0.8280).
"""

from __future__ import annotations

import hashlib
import json
import queue
import re
import subprocess
import threading
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from pipeline.core import cache, ffmpeg
from pipeline.core.audio import RATE, pcm16
from pipeline.core.errors import RenderError, Stopped

#: Samples in an AAC frame (one packet); ffmpeg's encoder primes with one frame (codecs.AAC_PRIMING).
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
#: Packets the meter decodes before the first segment it measures, and drops: 1.6 s, a whole number of its
#: 100-ms steps, so its steps fall where the whole track's do.
LEAD = 75
#: Samples per step of the meter (100 ms).
STEP = RATE // 10
#: Part of every segment's meter key: bump when how a segment is metered changes.
METER = "ebur128 true peak, 100-ms blocks/1"


@dataclass(frozen=True)
class Segment:
    """Packets ``first`` to ``end`` (exclusive) of the track, and the mix samples ``start:stop`` an encode of them
    is given (the segment's own, with WARM frames before and AHEAD after, within the track)."""

    first: int
    end: int
    start: int
    stop: int

    def key(self, pcm: np.ndarray, codec_identity: list[str], samples: int) -> str:
        """The segment's name in the cache, from ``pcm``: the mix samples ``start:stop`` its encode is given."""
        digest = hashlib.sha256(pcm.data).hexdigest()
        return cache.key({
            "version": VERSION, "encoder": codec_identity, "samples": digest,
            "kept": [self.first - self.start // FRAME + 1, self.end - self.first], "at end": self.stop == samples,
        })  # fmt: skip


def packets_for(samples: int) -> int:
    """Packets of a track of ``samples`` mix samples: the encoder's priming takes the place of the first FRAME."""
    return -(-samples // FRAME)


def segments_of(samples: int) -> list[Segment]:
    """The track's segments. Packet ``g`` plays mix samples ``g*FRAME`` on; packet 0 is the encoder's priming,
    so an encode starts at mix sample FRAME at the earliest."""
    total = packets_for(samples)
    found = []
    for first in range(0, total, SEGMENT):
        end = min(total, first + SEGMENT)
        found.append(Segment(first, end, max(FRAME, (first - WARM) * FRAME), min(samples, (end + AHEAD) * FRAME)))
    return found


class _Mix:
    """The mix as 16-bit stereo in a file beside the soundtrack, written as far as it is asked for; what a segment
    needs is read back from it. The track is never held whole in memory: mapped instead, all of it stayed resident
    in the render's process (74 MB for the shipped video) while the scenes were still drawn beside it."""

    def __init__(self, blocks: Iterable[np.ndarray], path: Path):
        self._blocks = iter(blocks)
        self._file = open(path, "w+b")  # noqa: SIM115 - closed by close()
        self.written = 0

    def read(self, start: int, stop: int) -> np.ndarray:
        """Mix samples ``start:stop`` (mixing up to ``stop`` first)."""
        while self.written < stop:
            block = pcm16(next(self._blocks))
            self._file.seek(self.written * 4)
            self._file.write(block.data)
            self.written += block.shape[0]
        self._file.seek(start * 4)
        data = self._file.read((stop - start) * 4)
        return np.frombuffer(data, dtype="<i2").reshape(-1, 2)

    def close(self) -> None:
        self._file.close()


def encode(
    blocks: Iterable[np.ndarray],
    samples: int,
    out: Path,
    args: list[str],
    codec_identity: list[str],
    folder: Path,
    stop: threading.Event | None = None,
) -> dict[str, float]:
    """Encode ``blocks`` (the mix, ``samples`` long) as AAC with ``args`` into the MP4 ``out``, taking every
    segment the cache ``folder`` has from it and adding the ones it lacks; its integrated loudness (LUFS) and
    true peak (dBTP), as ffmpeg's meter reads the packets.

    It all goes at the pace of the mix: a segment is looked up as soon as its samples are mixed, and the meter
    reads the packets of the segments whose measures the cache lacks as they come (one meter for each run of
    them). Mixing, encoding and metering overlap, as when one encoder was teed to the meter.
    """
    segments = segments_of(samples)
    with cache.scratch(out) as scratch:
        track = _Track(segments, samples, _Mix(blocks, scratch / "mix.s16"), args, codec_identity, folder, stop)
        try:
            measures = _metered(track)
        finally:
            track.mix.close()
    _mux([packet for packets in track.have for packet in packets], samples, out)
    return track_summary(measures)


@dataclass
class _Track:
    """The track's segments in order as the mix is made: each from the cache, or encoded with the run of
    segments the cache lacks that it starts."""

    segments: list[Segment]
    samples: int
    mix: _Mix
    args: list[str]
    codec_identity: list[str]
    folder: Path
    stop: threading.Event | None
    #: Every segment's packets so far, in order.
    have: list[list[bytes]] = field(default_factory=list)

    def look(self, index: int) -> tuple[Path, list[bytes] | None]:
        """Where segment ``index`` is kept and its packets if they are (mixing up to its stop to name it)."""
        segment = self.segments[index]
        pcm = self.mix.read(segment.start, segment.stop)
        path = self.folder / f"{segment.key(pcm, self.codec_identity, self.samples)}.aac"
        return path, read_segment(path, segment.end - segment.first)

    def in_order(self) -> Iterator[bytes]:
        """Each segment's packets, joined, as they are found or encoded."""
        ahead = None  # the next segment's place and packets, when a run looked it up already
        while len(self.have) < len(self.segments):
            if self.stop is not None and self.stop.is_set():
                raise Stopped
            path, packets = ahead or self.look(len(self.have))
            if packets is None:
                ahead = yield from self._run(len(self.have), path)
                continue
            ahead = None
            self.have.append(packets)
            yield b"".join(packets)

    def _run(self, index: int, path: Path) -> Generator[bytes, None, tuple[Path, list[bytes] | None] | None]:
        """Segment ``index`` and each missing one after it, as one encode, kept in the cache; returns the place and
        packets of the segment after the run (None at the end of the track)."""
        segments, mix = self.segments, self.mix
        segment = segments[index]
        with _Run(mix.read(segment.start, segment.stop), segment.start, self.args) as run:
            while True:  # the run goes on while the segment after this one is missing too
                ahead = self.look(index + 1) if index + 1 < len(segments) else None
                going_on = ahead is not None and ahead[1] is None
                if going_on:
                    run.feed(mix.read(segments[index].stop, segments[index + 1].stop))
                if not going_on or segments[index + 1].stop == self.samples:
                    run.end()  # the track's last samples are in: the encoder gives its last packets
                packets = run.packets(segments[index])
                data = b"".join(packets)
                cache.write_bytes(path, data)  # replaces a damaged one
                self.have.append(packets)
                yield data
                if not going_on:
                    return ahead
                index, path = index + 1, ahead[0]


def _metered(track: _Track) -> list[Measure]:
    """Every segment's measures as its packets come: the cache's, or a meter's over each run of segments whose
    measures the cache lacks."""
    measures: list[Measure] = []
    meter: _Meter | None = None
    segments, samples = track.segments, track.samples
    try:
        for index, data in enumerate(track.in_order()):
            lead = track.have[index - 1][-LEAD:] if index else []  # every segment but the last is SEGMENT long
            path = track.folder / f"{_meter_key(lead, data, segments[index], samples, track.codec_identity)}.json"
            found = Measure.read(path)
            if found is None:
                meter = meter or _Meter(lead, samples - (segments[index].first - len(lead)) * FRAME)
                meter.add(data, path)
                continue
            if meter is not None:
                measures += meter.finish()
                meter = None
            measures.append(found)
        if meter is not None:
            measures += meter.finish()
    except BaseException:
        if meter is not None:
            meter.kill()
        raise
    return measures


def _meter_key(lead: list[bytes], data: bytes, segment: Segment, samples: int, codec_identity: list[str]) -> str:
    """A segment's measures are named by the packets the meter decodes for them: the LEAD before, its own."""
    digest = hashlib.sha256(b"".join(lead) + data).hexdigest()
    return cache.key({
        "version": METER, "encoder": codec_identity, "packets": digest, "lead": len(lead),
        "plays": min(samples, segment.end * FRAME) - segment.first * FRAME,
    })  # fmt: skip


@dataclass(frozen=True)
class Measure:
    """What the meter read of one segment: the loudness (LUFS, in thousandths) of the 400 ms before each of its
    100-ms steps, and the true peak (linear) up to its end since the meter started (its run's LEAD included)."""

    blocks: tuple[int, ...]
    peak: float

    @classmethod
    def read(cls, path: Path) -> Measure | None:
        data = cache.read_checked(path)
        if data is None:
            return None
        kept = json.loads(data)
        return cls(tuple(kept["blocks"]), kept["peak"])

    def write(self, path: Path) -> None:
        cache.write_checked(path, json.dumps({"blocks": list(self.blocks), "peak": self.peak}).encode("utf-8"))


class _Meter:
    """ffmpeg's EBU R128 meter over a run of consecutive segments, fed their packets as they come, after the
    LEAD packets before the first (faded in over half a second: the first packet decodes without the one before
    it, and its peaks are not the track's)."""

    def __init__(self, lead: list[bytes], plays: int):
        fade = "afade=t=in:d=0.5:curve=hsin," if lead else ""
        self._skip = len(lead) * FRAME // STEP
        self._paths: list[Path] = []
        self._out = ffmpeg.spool()  # closed by finish() or kill()
        self._process = ffmpeg.Process(
            ["-f", "aac", "-i", "pipe:0", "-af",
             f"{fade}atrim=end_sample={plays},ebur128=peak=true:metadata=1,ametadata=mode=print:file=-",
             "-f", "null", "-"],
            what="metering the encoded soundtrack", stdin=subprocess.PIPE, stdout=self._out,
        )  # fmt: skip
        self._writer = ffmpeg.Writer(self._process.proc.stdin)
        if lead:
            self._writer.put(b"".join(lead))

    def add(self, data: bytes, path: Path) -> None:
        """A segment's packets, and where its measures are kept."""
        self._writer.put(data)
        self._paths.append(path)

    def finish(self) -> list[Measure]:
        """Each segment's measures, kept in the cache."""
        self._writer.close()
        self._process.finish()
        self._out.seek(0)
        text = self._out.read().decode("ascii", "replace")
        self._out.close()
        blocks = [block_thousandths(v) for v in re.findall(r"lavfi\.r128\.M=(\S+)", text)][self._skip :]
        peaks = [max(map(float, pair)) for pair in re.findall(r"true_peaks_ch0=(\S+)\s+\S*true_peaks_ch1=(\S+)", text)]
        peaks = peaks[self._skip :]
        per, last = SEGMENT * FRAME // STEP, len(self._paths) - 1
        if len(peaks) != len(blocks) or len(blocks) < last * per:
            raise RenderError("metering the encoded soundtrack failed: the meter read fewer steps than asked")
        found = []
        for k, path in enumerate(self._paths):
            # The track's last segment may end in a step the meter never completes (it reads no block there),
            # or be shorter than a step altogether: its peak is then the run's so far.
            mine = blocks[k * per : (k + 1) * per] if k < last else blocks[k * per :]
            seen = k * per + len(mine)
            measure = Measure(tuple(mine), peaks[seen - 1] if seen else 0.0)
            measure.write(path)
            found.append(measure)
        return found

    def kill(self) -> None:
        self._process.kill()
        self._writer.close()
        self._out.close()


#: A block's loudness as ffmpeg's meter prints it for silence (its power floor, 1e-12).
SILENT = -120_691


def block_thousandths(printed: str) -> int:
    """A block's loudness in thousandths of a LU. The meter's running sums can dip a hair under zero in digital
    silence after sound, and it prints 'nan' there (its own gate passes over it): silence."""
    value = float(printed)
    return round(value * 1000) if np.isfinite(value) else SILENT


#: ffmpeg's meter (f_ebur128.c): blocks between -70 LUFS and +10 LU go to a histogram of 0.01-LU bins (the bin is
#: the block's loudness less -70, times 100, truncated); the relative gate is 10 LU under the blocks' mean power;
#: the integrated loudness is the mean power of the bins' own loudness over the blocks at or above it.
_FLOOR, _GRAIN, _BINS = -70_000, 10, 8001


def track_summary(measures: list[Measure]) -> dict[str, float]:
    """The track's integrated loudness and true peak, rounded as the meter's summary prints them."""
    blocks = np.array([b for m in measures for b in m.blocks], dtype=np.int64)
    blocks = blocks[blocks >= _FLOOR]
    loudness = -70.0
    if blocks.size:
        power = 10 ** ((blocks / 1000 + 0.691) / 10)
        bins = np.clip((blocks - _FLOOR) // _GRAIN, 0, _BINS - 1)
        gate = -0.691 + 10 * np.log10(power.mean()) - 10
        kept = bins[bins >= min(max(int((gate + 70) * 100), 0), _BINS - 1)]
        loudness = -0.691 + 10 * np.log10(np.mean(10 ** ((kept / 100 - 70 + 0.691) / 10)))
    peak = max((m.peak for m in measures), default=0.0)
    return {
        "integrated_lufs": round(loudness, 1),
        "true_peak_dbtp": round(20 * np.log10(peak), 1) if peak > 0 else float("-inf"),
    }


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


def read_segment(path: Path, count: int) -> list[bytes] | None:
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
