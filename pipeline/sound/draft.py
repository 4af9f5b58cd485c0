"""A draft's soundtrack after an edit: the last one's Opus packets up to the edit, encoded anew from there on.

The preview renders a draft at every save, and its soundtrack (Opus, codecs.DRAFT_OPUS) was mixed, encoded and
metered whole each time: 6:25 of sound for one changed sentence, the longest part of the update. The mix before
an edit is the same samples as before it (the same gain, the hint; the same narration's level, mix.LEVEL_KEEP_DB),
so its packets are too. Here the last draft soundtrack's ``shape`` (what its mix is made of: every sentence's
place, the music's dips, the clips, the gain) is compared with this one's to find the first sample where the two
mixes may differ, reaching back over everything that reads ahead (the music's ramp into a sentence, two ramps
where sentences' dips merge, the limiter's margin). The soundtrack is then the last one's packets before a cut
at or under that sample, on a GRID where Opus's 20-ms packets and the meter's 100-ms steps both fall, and one
encode's packets from the cut on; the encode starts WARM samples early, and those packets are dropped.

Packets of two encodes meet at the cut. Each encode is fed from a multiple of the packet size, and Opus's
pre-skip (312 samples) is the same for both, so an encode's packet ``i`` codes the same samples as the track's
packet ``S/960 + i``: the join is sample-exact, and the track has the same packets, times and length as one
encode of it would. The decoder carries its state over the join from packets of the same sound.

The meter (ffmpeg's EBU R128, as the whole draft is metered: the decoded Opus, sample peak) reads only the new
encode's sound, from its warm start, and reports the loudness of every 100-ms step; the last soundtrack's steps
before the cut are kept with it (``*.steps.json``), and the integrated loudness is gated from all of them as the
meter gates them (segments.track_summary).
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.core import cache, ffmpeg
from pipeline.core.audio import RATE
from pipeline.core.errors import RenderError
from pipeline.sound import codecs, mix, segments
from pipeline.sound.codecs import AudioCodec

#: Samples of an Opus packet (20 ms) as libopus writes them.
PACKET = 960
#: Samples of the meter's steps (100 ms).
STEP = segments.STEP
#: Where a cut may fall: a whole number of packets and of meter steps.
GRID = 4800
#: Samples the encode starts before the cut (its packets and the meter's steps there are dropped): 2 s, so the
#: encoder's state and the meter's 400-ms window and filters have settled at the cut.
WARM = 2 * RATE
#: A cut this early encodes nearly all of it anyway: the whole soundtrack is encoded instead.
MIN_CUT = 20 * RATE
#: Part of a draft soundtrack's shape: bump when how a draft's mix or its steps are kept changes.
VERSION = "draft-steps-1"


def shape(
    normalizer: mix.Normalizer,
    gain: float,
    codec: AudioCodec,
    music: Any,
    clips: list[mix.ClipSound],
    spans: list[tuple[float, float]],
) -> dict[str, Any]:
    """What the draft's mix at ``gain`` is made of, as far as where one mix differs from another can be told.
    ``music`` is what the soundtrack's key knows of the bed (its file's digest and settings), or None; ``spans``
    the sentences' times (mix.speech_spans), under which the music and clips dip."""
    mixer = normalizer.mixer
    voice = mixer.voice
    bed = mixer.music
    clip_dips = mix.Ducking(spans, mix.CLIP_DUCK_DB, mix.CLIP_RAMP) if any(c.duck for c in clips) else None
    return {
        "version": VERSION,
        "codec": codec.identity(),
        "gain": gain,
        "voice_level": mixer.voice_level,
        "music": None if bed is None else [bed.fade_in, bed.fade_out, float(mixer.music_gain), music],
        "limiter": [normalizer.margin, normalizer.STEP, normalizer.w, normalizer.ceiling],
        "samples": mixer.samples,
        "parts": [[at, until, audio.path.name] for at, until, audio in voice.parts],
        "dips": [] if mixer.ducking is None else [list(s) for s in mixer.ducking.spans],
        "ramp": 0 if mixer.ducking is None else mixer.ducking.ramp_n,
        "clips": [[c.start, c.end, c.file.name, c.volume, c.duck, c.loop] for c in clips],
        "clip_dips": [] if clip_dips is None else [list(s) for s in clip_dips.spans],
        "clip_ramp": 0 if clip_dips is None else clip_dips.ramp_n,
    }


def first_difference(old: dict[str, Any], new: dict[str, Any]) -> int:
    """The first sample where the mixes of two shapes may differ, before limiting (0: anywhere)."""
    same = ("version", "codec", "gain", "voice_level", "music", "limiter", "ramp", "clip_ramp")
    if any(old.get(name) != new.get(name) for name in same):
        return 0
    ends = [min(old["samples"], new["samples"])]
    if new["music"] is not None:
        ends.append(ends[0] - new["music"][1])  # the bed fades out before the end
    ends.append(_first(old["parts"], new["parts"], lambda p: p[0]))
    # A dip that changes reaches back its ramp before the sentence, and a dip merged with a changed one changes
    # from its own start (it is in both lists, so the first differing dip's start covers it).
    ends.append(_first(old["dips"], new["dips"], lambda d: d[0]) - new["ramp"])
    # A footage clip's sound plays from its start, dipped under the sentences over it as the music is.
    ends.append(_first(old["clips"], new["clips"], lambda c: c[0]))
    ends.append(_first(old["clip_dips"], new["clip_dips"], lambda d: d[0]) - new["clip_ramp"])
    return max(0, min(ends))


def _first(old: list, new: list, start) -> int:
    for a, b in zip(old, new, strict=False):
        if a != b:
            return min(start(a), start(b))
    if len(old) == len(new):
        return 1 << 62
    return start((old if len(old) > len(new) else new)[min(len(old), len(new))])


def cut_at(old: dict[str, Any], new: dict[str, Any]) -> int | None:
    """Where the new soundtrack may take the old one's packets up to (a GRID multiple), or None: encode it whole."""
    reach = (new["limiter"][0] + 1) * new["limiter"][1]  # the limiter reads this far ahead of a sample
    cut = (first_difference(old, new) - reach) // GRID * GRID
    return cut if cut >= MIN_CUT else None


def read_steps(path: Path) -> dict[str, Any] | None:
    data = cache.read_checked(path)
    return None if data is None else json.loads(data)


def write_steps(path: Path, found: dict[str, Any]) -> None:
    cache.write_checked(path, json.dumps(found).encode("utf-8"))


def meter_filter(samples: int, peak: str) -> str:
    """The meter's filters: every 100-ms step's loudness and the peak so far printed, then its summary."""
    return f"atrim=end_sample={samples},ebur128=peak={peak}:metadata=1,ametadata=mode=print:file=-"


def parse_steps(text: str) -> tuple[list[int], list[float]]:
    """Each step's loudness (thousandths of a LU) and the sample peak so far (linear), from the meter's print."""
    blocks = [segments.block_thousandths(v) for v in re.findall(r"lavfi\.r128\.M=(\S+)", text)]
    pairs = re.findall(r"sample_peaks_ch0=(\S+)\s+\S*sample_peaks_ch1=(\S+)", text)
    return blocks, [max(map(float, pair)) for pair in pairs]


def voice_windows(voice, old: dict[str, Any] | None) -> np.ndarray:
    """The narration's window_powers (for its level, mix.Mixer): the last draft's up to its first changed
    sentence, read from there on (a whole read was a second of an update, every sentence's file checked)."""
    parts = [[at, until, audio.path.name] for at, until, audio in voice.parts]
    kept: list[float] = []
    if old is not None and "voice_windows" in old:
        first = _first(old["shape"]["parts"], parts, lambda p: p[0])
        kept = old["voice_windows"][: max(0, first) // mix.WINDOW]
    start = len(kept) * mix.WINDOW
    read = mix.window_powers(voice.block(a, min(b, voice.samples)) for a, b in _ranges(start, voice.samples))
    return np.concatenate([np.array(kept, dtype=np.float64), read])


def _ranges(start: int, end: int):
    for at in range(start, end, mix.BLOCK):
        yield at, min(end, at + mix.BLOCK)


def update(
    normalizer: mix.Normalizer,
    gain: float,
    codec: AudioCodec,
    previous: tuple[Path, dict[str, Any]],
    out: Path,
    made_of: tuple[Any, list[mix.ClipSound], list[tuple[float, float]]],
    stop: threading.Event | None = None,
) -> tuple[dict[str, float], dict[str, Any]] | None:
    """The draft soundtrack at ``gain`` in ``out``, from the last one (its file and steps, ``previous``) up to the
    edit and encoded from there; its loudness and peak, and its steps to keep. None when the last one cannot be
    used (missing, another gain or music, or an edit too early to gain anything): the caller encodes it whole.
    ``made_of``: what the soundtrack's key knows of the music bed, the clips' sounds, the sentences' times (see
    ``shape``)."""
    steps = previous[1]
    new = shape(normalizer, gain, codec, *made_of)
    cut = cut_at(steps["shape"], new)
    samples = normalizer.mixer.samples
    if cut is None or cut >= samples - GRID:
        return None
    first_step = cut // STEP
    if len(steps["blocks"]) < first_step or len(steps["peaks"]) < first_step:
        return None
    head = _head(previous[0], cut // PACKET)
    if head is None:
        return None  # damaged, or not the soundtrack its steps describe
    start = cut - WARM
    with cache.scratch(out) as scratch:
        run = scratch / "run.m4a"
        text = _encode(normalizer.blocks(gain, start), samples - start, run, codec, stop)
        blocks, peaks = parse_steps(text)
        warm = WARM // STEP
        kept_peak = steps["peaks"][first_step - 1] if first_step else 0.0
        blocks = steps["blocks"][:first_step] + blocks[warm:]
        peaks = steps["peaks"][:first_step] + [max(kept_peak, p) for p in peaks[warm:]]
        if len(blocks) != samples // STEP or len(peaks) != len(blocks):
            raise RenderError("encoding the soundtrack failed: the meter read fewer steps than asked")
        _join(head, run, (cut - start) // PACKET, samples, out)
    loudness = segments.track_summary([segments.Measure(tuple(blocks), peaks[-1] if peaks else 0.0)])
    peak = loudness.pop("true_peak_dbtp")
    loudness = {"integrated_lufs": float(loudness["integrated_lufs"]), "sample_peak_dbfs": float(peak)}
    return loudness, {"shape": new, "blocks": blocks, "peaks": peaks}


def _encode(blocks: Iterable[np.ndarray], samples: int, out: Path, codec: AudioCodec, stop) -> str:
    """Encode ``blocks`` into ``out`` teed to the meter (as soundtrack.encode_blocks does); the meter's print."""
    spooled = ffmpeg.spool()
    meter = ffmpeg.Process(
        ["-f", codec.stream[1], "-i", "pipe:0", "-af", meter_filter(samples, codec.peak), "-f", "null", "-"],
        what="metering the encoded soundtrack", stdin=subprocess.PIPE, stdout=spooled,
    )  # fmt: skip
    try:
        codecs.encode_teed(blocks, out, codec, meter.proc.stdin)
    except BaseException:
        meter.kill()
        spooled.close()
        raise
    meter.proc.stdin.close()
    meter.finish()
    spooled.seek(0)
    text = spooled.read().decode("ascii", "replace")
    spooled.close()
    return text


def _head(old: Path, kept: int) -> list[bytes] | None:
    """The first ``kept`` packets of the soundtrack ``old``; None when it has fewer or cannot be read."""
    import av

    try:
        with av.open(str(old)) as container:
            stream = container.streams.audio[0]
            if stream.codec_context.name != "opus":
                return None
            head = []
            for packet in container.demux(stream):
                if packet.size:
                    head.append(bytes(packet))
                if len(head) == kept:
                    return head
    except (av.FFmpegError, IndexError, OSError):
        return None
    return None


def _join(head: list[bytes], run: Path, dropped: int, samples: int, out: Path) -> None:
    """The packets ``head``, then ``run``'s from packet ``dropped`` on, into the MP4 ``out``: packet ``g`` at
    ``g * PACKET``, the last lasting what is left of the samples and the pre-skip (as ffmpeg muxes it)."""
    import av

    with av.open(str(run)) as second:
        stream = second.streams.audio[0]
        preskip = int.from_bytes(bytes(stream.codec_context.extradata)[10:12], "little")
        tail = [bytes(p) for p in second.demux(stream) if p.size][dropped:]
        packets = head + tail
        total = samples + preskip
        if len(packets) != -(-total // PACKET):
            raise RenderError("encoding the soundtrack failed: the packets do not make up the track")
        with av.open(str(out), "w", format="mp4", options={"use_editlist": "0"}) as container:
            target = container.add_stream_from_template(stream)
            tick, last = Fraction(1, RATE), len(packets) - 1
            for number, data in enumerate(packets):
                packet = av.Packet(data)
                packet.stream, packet.time_base = target, tick
                packet.pts = packet.dts = number * PACKET
                packet.duration = total - number * PACKET if number == last else PACKET
                container.mux(packet)
