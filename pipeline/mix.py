"""Stage: the final soundtrack: narration, an optional music bed ducked by the plan, loudness.

* The bed is decoded once (WAV, MP3, OGG, FLAC...), looped or trimmed to the
  video, faded in and out, and set ``volume`` dB below the narration's level.
* Ducking needs no sidechain guessing: the plan knows when every sentence is
  spoken, so the bed drops ``duck`` dB over ``ramp`` seconds before each one
  and rises after it (raised-cosine ramps; sentences closer than two ramps
  share one dip).
* The mix is normalized to YouTube's playback loudness, -14 LUFS integrated,
  with true peaks at or below -1 dBTP: measured with ffmpeg's EBU R128 meter,
  one gain, and a look-ahead limiter that holds sample peaks at -2 dBFS so
  inter-sample peaks and AAC's overshoot stay under the ceiling. (ffmpeg's
  loudnorm was tried first: its linear mode refuses speech this peaky and its
  dynamic mode landed a 10-second test mix at -15.0 LUFS.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline import ffmpeg
from pipeline.errors import RenderError
from pipeline.narration.audio import RATE
from pipeline.plan import Plan

TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
#: Where the limiter holds sample peaks: the ceiling less inter-sample peaks and AAC's overshoot.
AIM_DBTP = -2.0


@dataclass(frozen=True)
class Bed:
    """The music bed's settings, resolved to a file on disk."""

    file: Path
    volume: float
    duck: float
    ramp: float
    fade_in: float
    fade_out: float


def speech_spans(plan: Plan) -> list[tuple[float, float]]:
    """(start, end) in seconds of every narrated sentence on the video's clock."""
    return [
        (scene.start(plan.fps) + s.start, scene.start(plan.fps) + s.end)
        for scene in plan.scenes
        for s in scene.sentences
    ]


def duck_gain(samples: int, spans: list[tuple[float, float]], duck_db: float, ramp: float) -> np.ndarray:
    """Gain per sample: 1 in the gaps, -duck_db under speech, raised-cosine ramps around each sentence."""
    depth = np.zeros(samples, dtype=np.float32)  # 0 = full level, 1 = fully ducked
    ramp_n = max(1, round(ramp * RATE))
    shape = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, ramp_n, dtype=np.float32))).astype(np.float32)
    for start, end in _merged(spans, ramp):
        a, b = round(start * RATE), round(end * RATE)
        _lift(depth, a - ramp_n, shape)  # falling into the sentence
        _lift(depth, a, np.ones(max(0, b - a), dtype=np.float32))
        _lift(depth, b, shape[::-1])  # rising after it
    return (10 ** (-duck_db * depth / 20)).astype(np.float32)


def _lift(depth: np.ndarray, at: int, values: np.ndarray) -> None:
    """depth[at:at+len(values)] = max(depth, values), clipped to the track."""
    lo, hi = max(0, at), min(depth.size, at + values.size)
    if lo < hi:
        depth[lo:hi] = np.maximum(depth[lo:hi], values[lo - at : hi - at])


def _merged(spans: list[tuple[float, float]], ramp: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if out and start - out[-1][1] < 2 * ramp:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def level_db(samples: np.ndarray) -> float:
    """Gated mean level in dB (400 ms blocks, -70 dB absolute and -10 dB relative gates, as BS.1770 does)."""
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    block = int(0.4 * RATE)
    count = mono.size // block
    if count == 0:
        return -120.0
    power = np.mean(mono[: count * block].reshape(count, block).astype(np.float64) ** 2, axis=1)
    power = power[power > 10 ** (-70 / 10)]
    if power.size == 0:
        return -120.0
    power = power[power > np.mean(power) * 10 ** (-10 / 10)]
    return float(10 * np.log10(np.mean(power)))


def load_bed(bed: Bed, samples: int) -> np.ndarray:
    """The music as stereo float32, looped or trimmed to ``samples``, with its fades."""
    raw = ffmpeg.run(
        ["-i", str(bed.file), "-ac", "2", "-ar", str(RATE), "-f", "f32le", "pipe:1"],
        what=f"decoding the music file {bed.file.name}",
    )
    music = np.frombuffer(raw, dtype="<f4").reshape(-1, 2)
    if music.shape[0] < RATE // 10:
        raise RenderError(f"the music file {bed.file} has no sound; use a WAV, MP3 or OGG file with music in it")
    music = np.resize(music, (samples, 2))  # repeats the whole file as often as needed: the loop
    # Fades touch only the ends: shape just those samples, not the whole track.
    for seconds, at_start in ((bed.fade_in, True), (bed.fade_out, False)):
        n = min(samples, round(max(seconds, 1e-3) * RATE))
        ramp = np.sin(np.linspace(0.0, 1.0, n, endpoint=False, dtype=np.float32) * np.pi / 2) ** 2
        if at_start:
            music[:n] *= ramp[:, None]
        else:
            music[samples - n :] *= ramp[::-1, None]
    return music


def mix(narration: np.ndarray, plan: Plan, bed: Bed | None) -> np.ndarray:
    """Narration (mono) and the ducked bed as one stereo track, before loudness normalization."""
    if bed is None:
        return np.repeat(narration[:, None].astype(np.float32), 2, axis=1)
    music = load_bed(bed, narration.size)
    gain_db = level_db(narration) + bed.volume - level_db(music)
    curve = duck_gain(narration.size, speech_spans(plan), bed.duck, bed.ramp) * np.float32(10 ** (gain_db / 20))
    music *= curve[:, None]
    music += narration[:, None]  # the voice, in both channels, added in place
    return music


def normalize(stereo: np.ndarray) -> tuple[np.ndarray, float]:
    """``stereo`` at -14 LUFS integrated with peaks held under the ceiling, and the mix's loudness before.

    Measured with ffmpeg's EBU R128 meter, raised or lowered by one gain, and
    peaks above ``AIM_DBTP`` pulled down by a look-ahead limiter; the gain is
    corrected until the limited mix measures within 0.15 LU of the target.
    """
    before = measure_samples(stereo)
    if before == float("-inf"):
        return stereo, before
    # Limiting loses loudness as the gain rises (about half a LU per dB for piper's peaky speech),
    # so the gain is found by secant steps on measured loudness, from the plain estimate.
    limiter = Limiter(stereo, AIM_DBTP)
    gain, slope = TARGET_LUFS - before, 1.0
    last: tuple[float, float] | None = None
    for _ in range(6):
        out = limiter(gain)
        level = measure_samples(out)
        if abs(TARGET_LUFS - level) < 0.15:
            break
        if last is not None and gain != last[0]:
            slope = min(1.0, max(0.2, (level - last[1]) / (gain - last[0])))
        last = (gain, level)
        gain += (TARGET_LUFS - level) / slope
    return out, before


class Limiter:
    """A look-ahead peak limiter for one track at any gain: ``limiter(gain_db)`` is the limited track.

    Peaks are read once, per block of ``BLOCK`` samples. The gain curve is a
    moving average (over w blocks) of a moving minimum (over 2w+1 blocks) of
    the gain each block needs, so it is never above what any sample needs and
    starts falling about ``lookahead`` seconds before a peak; between block
    centres it is interpolated, which keeps that bound.
    """

    BLOCK = 16

    def __init__(self, stereo: np.ndarray, ceiling_db: float, lookahead: float = 0.005):
        self.stereo = stereo
        self.ceiling = 10 ** (ceiling_db / 20)
        n = stereo.shape[0]
        blocks = -(-n // self.BLOCK)
        peak = np.zeros(blocks * self.BLOCK, dtype=np.float32)
        np.max(np.abs(stereo), axis=1, out=peak[:n])
        self.peak = peak.reshape(blocks, self.BLOCK).max(axis=1)
        self.w = max(1, round(lookahead * RATE / self.BLOCK))

    def __call__(self, gain_db: float) -> np.ndarray:
        gain = np.float32(10 ** (gain_db / 20))
        need = np.minimum(1.0, self.ceiling / np.maximum(self.peak * gain, 1e-9)).astype(np.float32)
        if need.min() >= 1.0:
            return self.stereo * gain
        w = self.w
        floor = running_min(np.pad(need, (w, w), constant_values=1.0), 2 * w + 1)
        smooth = np.minimum(np.convolve(floor, np.ones(w, np.float32) / w, mode="same"), need)
        curve = _between_centres(smooth, self.BLOCK, self.stereo.shape[0]) * gain
        return self.stereo * curve[:, None]


def _between_centres(values: np.ndarray, block: int, n: int) -> np.ndarray:
    """Per-sample curve through ``values`` placed at block centres, linear between them, flat beyond."""
    half = (block - 1) / 2
    frac = (np.arange(block, dtype=np.float32) - half) / block  # offset from this block's centre, in blocks
    after = np.append(values[1:], values[-1])
    before = np.insert(values[:-1], 0, values[0])
    curve = np.where(
        frac[None, :] >= 0,
        values[:, None] + (after - values)[:, None] * frac[None, :],
        values[:, None] + (values - before)[:, None] * frac[None, :],
    )
    return curve.astype(np.float32, copy=False).ravel()[:n]


def running_min(values: np.ndarray, k: int) -> np.ndarray:
    """min(values[i:i+k]) for every full window, in O(n) (van Herk / Gil-Werman blocks)."""
    n = values.size
    blocks = -(-n // k)
    padded = np.pad(values, (0, blocks * k - n), constant_values=np.inf).reshape(blocks, k)
    prefix = np.minimum.accumulate(padded, axis=1).ravel()
    suffix = np.minimum.accumulate(padded[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[: n - k + 1], prefix[k - 1 : n])


def measure_samples(stereo: np.ndarray) -> float:
    """Integrated loudness (LUFS) of stereo samples, piped to the meter as they are (float, no file)."""
    raw = ["-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0"]
    return _meter(raw, peak=False, input=stereo.astype("<f4", copy=False).tobytes())["integrated_lufs"]


def measure(media: Path) -> dict[str, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, by ffmpeg's EBU R128 meter."""
    return _meter(["-i", str(media)], peak=True)


def _meter(source: list[str], *, peak: bool, input: bytes | None = None) -> dict[str, float]:
    meter = "ebur128=peak=true" if peak else "ebur128"
    text = ffmpeg.run_stderr(
        [*source, "-vn", "-af", meter, "-f", "null", "-"], input=input, what="metering the loudness"
    )
    summary = text[text.rfind("Summary:") :]
    found = {"integrated_lufs": re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)}
    if peak:
        found["true_peak_dbtp"] = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not all(found.values()):
        raise RenderError("metering the loudness failed: ffmpeg printed no summary")
    return {name: float(match.group(1)) for name, match in found.items()}
