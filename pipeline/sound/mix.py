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
* Everything works in blocks of ``BLOCK`` samples, computed again on each pass
  instead of kept: memory does not grow with the video's length.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.core import assets, ffmpeg
from pipeline.core.audio import RATE
from pipeline.core.errors import RenderError
from pipeline.planning.timeline import Plan

TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
#: Where the limiter holds sample peaks: the ceiling less inter-sample peaks and AAC's overshoot.
AIM_DBTP = -2.0
#: Samples per block (10 s): a whole number of 400 ms loudness windows and of limiter steps.
BLOCK = 25 * int(0.4 * RATE)
#: ffmpeg's input options for the stereo float samples the blocks are.
RAW_INPUT = ["-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0"]


#: How far (dB) the narration's level may be from the level the storyboard's last soundtrack set the music and
#: clips against for that level to be kept. Kept, the mix before the edit is the same samples, and its encoded
#: segments are used again (segments.py). An edit to one sentence of the shipped video moves it by up to 0.055 dB
#: (a tighter bound would encode the whole track again after such an edit), and a quarter of a dB on a bed 18 dB
#: under the voice is far under what a listener can hear.
LEVEL_KEEP_DB = 0.25


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


def ranges(samples: int, size: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive blocks covering ``samples``; every start is a multiple of ``size``."""
    size = size or BLOCK
    for start in range(0, samples, size):
        yield start, min(samples, start + size)


def stereo(mono: np.ndarray) -> np.ndarray:
    """Mono samples in both channels, as float32."""
    return np.repeat(mono[:, None].astype(np.float32, copy=False), 2, axis=1)


class Voice(Protocol):
    """Mono narration on the video's clock, read in blocks."""

    samples: int

    def block(self, start: int, end: int) -> np.ndarray: ...


class ArrayVoice:
    """A Voice held in one array (a scene's sound, a test's signal)."""

    def __init__(self, mono: np.ndarray):
        self.data = mono.astype(np.float32, copy=False)
        self.samples = mono.size

    def block(self, start: int, end: int) -> np.ndarray:
        return self.data[start:end]


class Music:
    """The bed looped or trimmed to ``samples``, faded in and out, read in blocks (stereo float32).

    The file is decoded once, at its own length; a block is looked up by position,
    so a long video never holds a long music track.
    """

    def __init__(self, bed: Bed, samples: int):
        self.data, self.level = _decoded(bed.file, assets.digest(bed.file))
        self.samples = samples
        self.fade_in = min(samples, round(max(bed.fade_in, 1e-3) * RATE))
        self.fade_out = min(samples, round(max(bed.fade_out, 1e-3) * RATE))

    def block(self, start: int, end: int) -> np.ndarray:
        out = np.take(self.data, np.arange(start, end), axis=0, mode="wrap")  # the loop
        if start < self.fade_in:
            stop = min(end, self.fade_in)
            out[: stop - start] *= _rise(np.arange(start, stop), self.fade_in)[:, None]
        fall = self.samples - self.fade_out
        if end > fall:
            first = max(start, fall)
            left = self.fade_out - 1 - np.arange(first - fall, end - fall)  # samples before the end
            out[first - start :] *= _rise(left, self.fade_out)[:, None]
        return out


@functools.lru_cache(maxsize=2)
def _decoded(file: Path, digest: str) -> tuple[np.ndarray, float]:
    """A music file's samples (stereo float32, read-only) and its level (level_db), by its content: decoded once in a
    process (the preview renders at every save, and decoding the shipped bed was 0.4-0.8 s of each)."""
    raw = ffmpeg.run(
        ["-i", str(file), "-ac", "2", "-ar", str(RATE), "-f", "f32le", "pipe:1"],
        what=f"decoding the music file {file.name}",
    )
    data = np.frombuffer(raw, dtype="<f4").reshape(-1, 2)
    if data.shape[0] < RATE // 10:
        raise RenderError(f"the music file {file} has no sound; use a WAV, MP3 or OGG file with music in it")
    # The file as it is: the bed's own level (in blocks: whole, its float64 took 50 MB).
    return data, level_db(data[a:b] for a, b in ranges(data.shape[0]))


def _rise(positions: np.ndarray, length: int) -> np.ndarray:
    """A sine-squared fade's gain at ``positions`` of ``length`` samples (0 at the first)."""
    return (np.sin(positions.astype(np.float32) / length * np.pi / 2) ** 2).astype(np.float32)


class Ducking:
    """The bed's gain per sample: 1 in the gaps, -duck_db under speech, raised-cosine ramps around each sentence."""

    def __init__(self, spans: list[tuple[float, float]], duck_db: float, ramp: float):
        self.ramp_n = max(1, round(ramp * RATE))
        self.shape = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, self.ramp_n, dtype=np.float32))).astype(np.float32)
        self.spans = [(round(a * RATE), round(b * RATE)) for a, b in _merged(spans, ramp)]
        self.duck_db = duck_db

    def block(self, start: int, end: int) -> np.ndarray:
        depth = np.zeros(end - start, dtype=np.float32)  # 0 = full level, 1 = fully ducked
        for a, b in self.spans:
            if b + self.ramp_n <= start or a - self.ramp_n >= end:
                continue
            _lift(depth, a - self.ramp_n - start, self.shape)  # falling into the sentence
            depth[max(0, a - start) : max(0, b - start)] = 1.0
            _lift(depth, b - start, self.shape[::-1])  # rising after it
        return (10 ** (-self.duck_db * depth / 20)).astype(np.float32)


def _lift(depth: np.ndarray, at: int, values: np.ndarray) -> None:
    """depth[at:at+len(values)] = max(depth, values), clipped to the block."""
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


#: Samples of a window level_db gates.
WINDOW = int(0.4 * RATE)


def level_db(blocks: Iterable[np.ndarray]) -> float:
    """Gated mean level in dB (400 ms blocks, -70 dB absolute and -10 dB relative gates, as BS.1770 does).

    ``blocks`` are consecutive pieces of one signal (mono, or stereo averaged), each
    a whole number of 400 ms blocks long but the last.
    """
    return _gated_db(window_powers(blocks))


def window_powers(blocks: Iterable[np.ndarray]) -> np.ndarray:
    """The mean power of every whole WINDOW of ``blocks`` (as level_db reads them), float64."""
    powers = [np.zeros(0)]
    for samples in blocks:
        mono = samples.mean(axis=1) if samples.ndim == 2 else samples
        count = mono.size // WINDOW
        powers.append(np.mean(mono[: count * WINDOW].reshape(count, WINDOW).astype(np.float64) ** 2, axis=1))
    return np.concatenate(powers)


#: What ffmpeg's EBU R128 meter reports for a silent mix (its absolute gate), where it reports no -inf: a mix that
#: measures this is silent, and no gain can bring it to the target.
SILENT_LUFS = -70.0


def _gated_db(power: np.ndarray) -> float:
    power = power[power > 10 ** (-70 / 10)]
    if power.size == 0:
        return -120.0
    power = power[power > np.mean(power) * 10 ** (-10 / 10)]
    return float(10 * np.log10(np.mean(power)))


@dataclass(frozen=True)
class ClipSound:
    """A footage scene's own sound on the video's clock: its samples (``footage.sound``), where they play, how loud.

    ``volume`` is in dB relative to the narration's level, as the music's is; ``duck`` dips it
    under every sentence spoken over it; ``loop`` is the period in samples when the picture loops
    (its sound repeats with it, in step), else None (it plays once and stops where the clip ends).
    """

    file: Path
    start: int
    end: int
    volume: float
    duck: bool
    loop: int | None = None


#: How far a clip's own sound dips under the narration (dB), and how fast (seconds).
CLIP_DUCK_DB = 12.0
CLIP_RAMP = 0.25
#: The level clips are set against when the video has no narration at all (dB, gated as level_db measures).
QUIET_VOICE_DB = -23.0
#: Each play of a clip's sound fades in and out over this long (seconds), so a cut or a loop's seam never clicks.
CLIP_EDGE = 0.01


def clip_samples(clip: ClipSound) -> np.ndarray:
    """The clip's samples as they play in its scene: once, or repeated every ``loop`` samples; edges faded."""
    from pipeline.drawing.footage import load_sound

    data = load_sound(clip.file)
    length = clip.end - clip.start
    if clip.loop:
        data = np.pad(data[: clip.loop], ((0, max(0, clip.loop - data.shape[0])), (0, 0)))
    data = data[:length].copy()
    edge = min(round(CLIP_EDGE * RATE), data.shape[0] // 2)
    if edge:
        ramp = np.linspace(0.0, 1.0, edge, dtype=np.float32)[:, None]
        data[:edge] *= ramp
        data[-edge:] *= ramp[::-1]
    if clip.loop and length > data.shape[0]:
        data = np.take(data, np.arange(length), axis=0, mode="wrap")
    return data


class Clips:
    """Every clip's sound, each at its place and level, ducked under speech where asked (stereo float32)."""

    def __init__(self, clips: list[ClipSound], spans: list[tuple[float, float]], voice_level: float):
        self.parts = []
        reference = voice_level if voice_level > -70 else QUIET_VOICE_DB
        for clip in clips:
            data = clip_samples(clip)
            level = level_db([data])
            if level <= -70:  # a silent track: nothing to place
                continue
            gain = np.float32(10 ** ((reference + clip.volume - level) / 20))
            ducking = Ducking(spans, CLIP_DUCK_DB, CLIP_RAMP) if clip.duck else None
            self.parts.append((clip.start, data * gain, ducking))

    def add(self, out: np.ndarray, start: int, end: int) -> None:
        for at, data, ducking in self.parts:
            lo, hi = max(start, at), min(end, at + data.shape[0])
            if lo >= hi:
                continue
            piece = data[lo - at : hi - at]
            if ducking is not None:
                piece = piece * ducking.block(lo, hi)[:, None]
            out[lo - start : hi - start] += piece


class Mixer:
    """Narration (mono, in both channels) over the ducked bed and the clips' own sound: the mix before normalizing."""

    def __init__(
        self,
        voice: Voice,
        spans: list[tuple[float, float]],
        bed: Bed | None,
        clips: list[ClipSound] | None = None,
        level_hint: float | None = None,
        voice_windows: np.ndarray | None = None,
    ):
        """``level_hint``: the narration's level the last soundtrack used, kept if within LEVEL_KEEP_DB.
        ``voice_windows``: the narration's window_powers, when they are known (draft.py keeps them)."""
        self.voice, self.samples = voice, voice.samples
        self.music = Music(bed, self.samples) if bed else None
        self.ducking = Ducking(spans, bed.duck, bed.ramp) if bed else None
        voice_level = -120.0
        if bed or clips:
            if voice_windows is None:
                voice_windows = window_powers(voice.block(a, b) for a, b in ranges(self.samples))
            voice_level = _gated_db(voice_windows)
        if level_hint is not None and abs(level_hint - voice_level) < LEVEL_KEEP_DB:
            voice_level = level_hint
        #: The narration's level (dB) the music and clips are set against.
        self.voice_level = voice_level
        if bed:
            music_level = self.music.level
            self.music_gain = np.float32(10 ** ((voice_level + bed.volume - music_level) / 20))
        self.clips = Clips(clips, spans, voice_level) if clips else None

    def block(self, start: int, end: int) -> np.ndarray:
        voice = self.voice.block(start, end)
        if self.music is None:
            out = stereo(voice)
        else:
            out = self.music.block(start, end)
            out *= (self.ducking.block(start, end) * self.music_gain)[:, None]
            out += voice[:, None]  # the voice, in both channels, added in place
        if self.clips is not None:
            self.clips.add(out, start, end)
        return out


class Normalizer:
    """One gain that puts the mix at -14 LUFS under a look-ahead limiter; the result, block by block.

    ``analyse`` makes one pass over the mix: it meters it with ffmpeg's EBU R128
    meter (``before``) and keeps each ``STEP`` samples' peak and energy.
    Limiting loses loudness as the gain rises (about half a LU per dB for
    piper's peaky speech); ``predict`` estimates that loss from the kept
    energies, so ``solve`` finds the gain without more passes over the audio.
    Whoever plays ``blocks`` meters them once and calls ``correct`` if the
    prediction missed.

    The limiter's gain curve is a moving average (over w steps) of a moving
    minimum (over 2w+1 steps) of the gain each step needs, so it is never above
    what any sample needs and starts falling about ``lookahead`` seconds before
    a peak; between step centres it is interpolated, which keeps that bound.
    A step's gain depends only on peaks within ``margin`` steps, so ``blocks``
    limits each block from its own samples and a margin around them.
    """

    STEP = 16

    def __init__(self, mixer: Mixer, ceiling_db: float = AIM_DBTP, lookahead: float = 0.005):
        self.mixer = mixer
        self.ceiling = 10 ** (ceiling_db / 20)
        self.w = max(1, round(lookahead * RATE / self.STEP))
        self.margin = 2 * self.w + 2
        self.before: float | None = None
        self.peak = np.zeros(0, dtype=np.float32)
        self.energy = np.zeros(0, dtype=np.float64)

    def analyse(self) -> float:
        """Meter the mix (its loudness before normalizing) and keep every step's peak and energy."""
        steps = -(-self.mixer.samples // self.STEP)
        self.peak = np.zeros(steps, dtype=np.float32)
        self.energy = np.zeros(steps, dtype=np.float64)
        self.before = measure_stream(self._analysed())
        return self.before

    def _analysed(self) -> Iterator[memoryview]:
        for start, end in ranges(self.mixer.samples):
            block = self.mixer.block(start, end)
            steps = self.steps(block)
            at = start // self.STEP
            self.peak[at : at + steps.shape[0]] = np.abs(steps).max(axis=1)
            self.energy[at : at + steps.shape[0]] = np.square(steps, dtype=np.float64).sum(axis=1)
            yield block.astype("<f4", copy=False).data

    def steps(self, block: np.ndarray) -> np.ndarray:
        """The block's samples, one row per step (the last padded with silence)."""
        padded = np.zeros((-(-block.shape[0] // self.STEP) * self.STEP, 2), np.float32)
        padded[: block.shape[0]] = block
        return padded.reshape(-1, 2 * self.STEP)

    def curve(self, gain_db: float, peak: np.ndarray | None = None) -> np.ndarray:
        """The gain of every step (the gain itself, less the limiter's reduction), linear."""
        peak = self.peak if peak is None else peak
        gain = np.float32(10 ** (gain_db / 20))
        need = np.minimum(1.0, self.ceiling / np.maximum(peak * gain, 1e-9)).astype(np.float32)
        if need.size == 0 or need.min() >= 1.0:
            return np.full(need.size, gain, dtype=np.float32)
        w, edge = self.w, 2 * self.w  # the edges read as unlimited, so no step dips for want of neighbours
        floor = running_min(np.pad(need, (edge + w, edge + w), constant_values=1.0), 2 * w + 1)
        smooth = np.convolve(floor, np.ones(w, np.float32) / w, mode="same")[edge:-edge]
        return (np.minimum(smooth, need) * gain).astype(np.float32)

    def predict(self, gain_db: float) -> float:
        """The loudness the mix would measure at ``gain_db`` after limiting (after ``analyse``)."""
        return self.before + self._level(self.curve(gain_db) ** 2) - self._level(1.0)

    def _level(self, weights: np.ndarray | float) -> float:
        per_window = int(0.4 * RATE) // self.STEP
        energy = self.energy * weights
        count = energy.size // per_window
        power = energy[: count * per_window].reshape(count, per_window).sum(axis=1) / (2 * int(0.4 * RATE))
        return _gated_db(power)

    def solve(self, target: float = TARGET_LUFS) -> float:
        """The gain (dB) at which the limited mix is predicted to measure ``target`` (after ``analyse``)."""
        if not np.isfinite(self.before) or self.before <= SILENT_LUFS:
            return 0.0
        gain = target - self.before
        for _ in range(30):
            miss = target - self.predict(gain)
            if abs(miss) < 0.01:
                break
            gain += miss / self.slope(gain)
        return gain

    def slope(self, gain_db: float) -> float:
        """How many LU the limited mix gains per dB near ``gain_db`` (between 0.2 and 1; after ``analyse``)."""
        return min(1.0, max(0.2, (self.predict(gain_db + 0.25) - self.predict(gain_db)) / 0.25))

    def correct(self, gain_db: float, measured: float, target: float = TARGET_LUFS) -> float:
        """A better gain, given what the mix measured at ``gain_db``."""
        return gain_db + (target - measured) / self.slope(gain_db)

    def blocks(self, gain_db: float, first: int = 0) -> Iterator[np.ndarray]:
        """The mix at ``gain_db``, limited, in blocks (stereo float32); from sample ``first`` on, the same samples
        as from the start (a block is limited the same wherever the mix is read from: the blocks stay on BLOCK's
        grid)."""
        n, margin = self.mixer.samples, self.margin * self.STEP
        for start, end in ranges(n):
            if end <= first:
                continue
            lo, hi = max(0, start - margin), min(n, end + margin)
            wide = self.mixer.block(lo, hi)
            curve = self.curve(gain_db, np.abs(self.steps(wide)).max(axis=1))
            block = wide[start - lo : end - lo]
            block *= between_centres(curve, self.STEP, start - lo, end - lo)[:, None]
            yield block[max(0, first - start) :]


def between_centres(values: np.ndarray, step: int, start: int, end: int) -> np.ndarray:
    """Samples start..end of the curve through ``values`` placed at step centres, linear between, flat beyond."""
    i0, i1 = start // step, -(-end // step)
    own = values[i0:i1]
    before = values[max(0, i0 - 1) : i1 - 1] if i0 > 0 else np.insert(values[: i1 - 1], 0, values[0])
    after = values[i0 + 1 : i1 + 1] if i1 < values.size else np.append(values[i0 + 1 : i1], values[-1])
    half = (step - 1) / 2
    frac = (np.arange(step, dtype=np.float32) - half) / step  # offset from this step's centre, in steps
    curve = np.where(
        frac[None, :] >= 0,
        own[:, None] + (after - own)[:, None] * frac[None, :],
        own[:, None] + (own - before)[:, None] * frac[None, :],
    )
    return curve.astype(np.float32, copy=False).ravel()[: end - start]


def running_min(values: np.ndarray, k: int) -> np.ndarray:
    """min(values[i:i+k]) for every full window, in O(n) (van Herk / Gil-Werman blocks)."""
    n = values.size
    blocks = -(-n // k)
    padded = np.pad(values, (0, blocks * k - n), constant_values=np.inf).reshape(blocks, k)
    prefix = np.minimum.accumulate(padded, axis=1).ravel()
    suffix = np.minimum.accumulate(padded[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[: n - k + 1], prefix[k - 1 : n])


def measure_stream(blocks: Iterable[bytes | memoryview]) -> float:
    """Integrated loudness (LUFS) of stereo float samples at RATE, streamed to the meter block by block."""
    args = [*RAW_INPUT, "-af", "ebur128", "-f", "null", "-"]
    text = ffmpeg.feed(args, blocks, what="metering the loudness", loglevel="info")
    return summary(text)["integrated_lufs"]


def measure(media: Path) -> dict[str, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, by ffmpeg's EBU R128 meter."""
    args = ["-i", str(media), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-"]
    return summary(ffmpeg.run_stderr(args, what="metering the loudness"), peak="true")


def summary(text: str, *, peak: str | None = None) -> dict[str, float]:
    """The integrated loudness (and the ``peak="true"`` or ``"sample"`` peak the meter was asked for) from the EBU
    R128 meter's summary in ffmpeg's log."""
    last = text[text.rfind("Summary:") :]
    found = {"integrated_lufs": re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", last)}
    if peak is not None:
        name = {"true": "true_peak_dbtp", "sample": "sample_peak_dbfs"}[peak]
        found[name] = re.search(rf"{peak.capitalize()} peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", last)
    if not all(found.values()):
        raise RenderError("metering the loudness failed: ffmpeg printed no summary")
    return {name: float(match.group(1)) for name, match in found.items()}
