"""Make assets/music/ambient-bed.ogg: a quiet, seamless ambient loop for documentary narration.

No suitable free music file is installable here, so the shipped storyboard's
bed is composed by this script (seeded, so it is the same every time):
D minor, i-VI-III-VII (Dm, Bb, F, C), eight seconds a chord, twice round with
the second pass adding a slow bell arpeggio. Warm pads (two detuned voices of
soft saw-like partials with slow swells), a sine bass, sparse bells, a gentle
low-pass, and a long synthetic reverb. The reverb tail past the loop end is
wrapped onto its start, so the file loops without a click or a gap.

Run: python assets/music/make_ambient_bed.py  (writes ambient-bed.ogg beside it)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np

RATE = 48_000
CHORD_SECONDS = 8.0
#: MIDI notes: pad voicing and bass root for Dm, Bb, F, C.
CHORDS = [
    ([62, 65, 69, 74], 38),
    ([62, 65, 70, 74], 34),
    ([60, 65, 69, 72], 41),
    ([60, 64, 67, 72], 36),
]
PASSES = 2
SEED = 20261124


def hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def envelope(n: int, attack: float, release: float) -> np.ndarray:
    t = np.arange(n) / RATE
    up = np.clip(t / attack, 0, 1)
    down = np.clip((n / RATE - t) / release, 0, 1)
    return (np.sin(up * np.pi / 2) * np.sin(down * np.pi / 2)) ** 2


def pad_note(freq: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for detune in (-0.0025, 0.0025):
        phase = rng.uniform(0, 2 * np.pi)
        for k in range(1, 9):
            out += np.sin(2 * np.pi * freq * (1 + detune) * k * t + phase * k) / k**1.6
    swell = 0.75 + 0.25 * np.sin(2 * np.pi * t / rng.uniform(5, 9) + rng.uniform(0, 2 * np.pi))
    return out * swell * envelope(n, 2.5, 3.0)


def bass_note(freq: float, seconds: float) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    return (np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t)) * envelope(n, 1.5, 2.5)


def bell(freq: float) -> np.ndarray:
    n = int(4.0 * RATE)
    t = np.arange(n) / RATE
    partials = [(1.0, 1.0, 1.6), (2.0, 0.35, 1.0), (3.01, 0.15, 0.6), (4.2, 0.08, 0.4)]
    tone = sum(a * np.sin(2 * np.pi * freq * r * t) * np.exp(-t / d) for r, a, d in partials)
    return tone * np.clip(t / 0.008, 0, 1)


def lowpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    spectrum = np.fft.rfft(x, axis=0)
    freqs = np.fft.rfftfreq(x.shape[0], 1 / RATE)
    spectrum *= (1 / np.sqrt(1 + (freqs / cutoff) ** 4))[:, None]
    return np.fft.irfft(spectrum, n=x.shape[0], axis=0)


def reverb(x: np.ndarray, rng: np.random.Generator, seconds: float = 3.5, decay: float = 0.9) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    out = np.empty_like(x)
    for ch in range(2):
        ir = rng.standard_normal(n) * np.exp(-t / decay)
        ir[: int(0.02 * RATE)] = 0  # pre-delay
        ir /= np.sqrt(np.sum(ir**2))
        size = x.shape[0] + n
        out[:, ch] = np.fft.irfft(np.fft.rfft(x[:, ch], size) * np.fft.rfft(ir, size), size)[: x.shape[0]]
    return out


def compose() -> np.ndarray:
    rng = np.random.default_rng(SEED)
    loop = int(CHORD_SECONDS * len(CHORDS) * PASSES * RATE)
    tail = int(6 * RATE)
    mix = np.zeros((loop + tail, 2))
    overlap = 2.0
    for p in range(PASSES):
        for c, (notes, root) in enumerate(CHORDS):
            at = int(((p * len(CHORDS) + c) * CHORD_SECONDS) * RATE)
            for i, note in enumerate(notes):
                voice = pad_note(hz(note), CHORD_SECONDS + overlap, rng) * 0.06
                pan = 0.3 + 0.4 * i / (len(notes) - 1)
                mix[at : at + voice.size, 0] += voice * (1 - pan)
                mix[at : at + voice.size, 1] += voice * pan
            low = bass_note(hz(root), CHORD_SECONDS + overlap) * 0.10
            mix[at : at + low.size] += low[:, None]
            if p == PASSES - 1:
                pattern = [notes[0] + 12, notes[2] + 12, notes[1] + 12, notes[3] + 12]
                for b, note in enumerate(pattern):
                    ring = bell(hz(note)) * 0.035
                    start = at + int((0.5 + b * 1.9 + rng.uniform(-0.08, 0.08)) * RATE)
                    pan = rng.uniform(0.25, 0.75)
                    end = min(mix.shape[0], start + ring.size)
                    mix[start:end, 0] += ring[: end - start] * (1 - pan)
                    mix[start:end, 1] += ring[: end - start] * pan
    # Wrap the first chord's swell-in and the last chord's overlap so the loop is continuous.
    wet = reverb(lowpass(mix, 3000.0), rng)
    sound = 0.7 * lowpass(mix, 3000.0) + 0.6 * wet
    sound[:tail] += sound[loop:]
    sound = sound[:loop]
    return sound / np.max(np.abs(sound)) * 0.5


def main() -> None:
    out = Path(__file__).with_name("ambient-bed.ogg")
    samples = compose().astype("<f4")
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0",
        "-c:a", "libvorbis", "-q:a", "4", str(out),
    ]  # fmt: skip
    subprocess.run(cmd, input=samples.tobytes(), check=True)
    print(out, f"{samples.shape[0] / RATE:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
