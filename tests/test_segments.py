"""The soundtrack's AAC in cached segments: an edit encodes the track from the edit on, and the joins decode clean.

Real encodes (ffmpeg's AAC), real files, real decoding (PyAV); the mix is a
synthetic one long enough for three segments (45 s).
"""

from __future__ import annotations

import av
import numpy as np
import pytest

from pipeline.core.audio import RATE
from pipeline.sound import mix, segments, soundtrack
from pipeline.sound.codecs import AAC
from tests.conftest import REPO

SECONDS = 45


def _mix(seed: int = 1, change_at: float | None = None) -> np.ndarray:
    """Speech-like bursts (0.6 s each second) over a quiet tone, stereo float32; from ``change_at`` seconds on,
    other bursts (an edit)."""
    n = SECONDS * RATE
    t = np.arange(n) / RATE
    out = np.stack([0.02 * np.sin(2 * np.pi * 220 * t), 0.02 * np.sin(2 * np.pi * 330 * t)], axis=1)
    rng, other = np.random.default_rng(seed), np.random.default_rng(seed + 100)
    for start in range(0, n - RATE, RATE):
        burst = rng.normal(0, 0.15, round(0.6 * RATE))
        if change_at is not None and start >= change_at * RATE:
            burst = other.normal(0, 0.15, burst.size)
        out[start : start + burst.size] += np.convolve(burst, np.ones(6) / 6, mode="same")[:, None]
    return out.astype(np.float32)


def _blocks(samples: np.ndarray):
    return (samples[a:b] for a, b in mix.ranges(samples.shape[0]))


def _build(samples: np.ndarray, folder, out) -> dict[str, float]:
    return segments.encode(_blocks(samples), samples.shape[0], out, list(AAC.args), AAC.identity(), folder)


def _kept(folder) -> tuple[int, int]:
    """Segments' packets and segments' measures in the cache ``folder``."""
    return len(list(folder.glob("*.aac"))), len(list(folder.glob("*.json")))


def _decoded(path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray() for frame in container.decode(audio=0)], axis=1).T


def _snr(decoded: np.ndarray, reference: np.ndarray, lo: int, hi: int) -> float:
    error = decoded[lo:hi] - reference[lo:hi]
    return 10 * np.log10(np.sum(reference[lo:hi] ** 2) / max(np.sum(error**2), 1e-12))


@pytest.mark.slow
def test_the_track_in_segments_is_the_whole_encode_and_meters_as_its_file(tmp_path):
    samples = _mix()
    built = _build(samples, tmp_path / "cache", tmp_path / "one.m4a")
    assert _kept(tmp_path / "cache") == (3, 3), "three segments' packets, and what the meter read of each"
    whole = tmp_path / "whole.m4a"  # one encode of the whole mix, muxed by ffmpeg, as the soundtrack was made
    soundtrack.encode_blocks(_blocks(samples), samples.shape[0], whole, AAC)
    assert np.array_equal(_decoded(tmp_path / "one.m4a"), _decoded(whole)), "a cold build is one run: one encode"
    with av.open(str(tmp_path / "one.m4a")) as ours, av.open(str(whole)) as theirs:
        assert ours.streams.audio[0].duration == theirs.streams.audio[0].duration == samples.shape[0]
    assert mix.measure(tmp_path / "one.m4a") == built, "metered from the packets as the file plays"


@pytest.mark.slow  # 1.5-2.5 s: the full run's (the fast tier keeps to a minute)
def test_the_mix_is_never_mapped_into_the_process_that_encodes_it(tmp_path):
    """The mix goes through a scratch file a segment at a time. Mapped, the whole track stayed resident in the
    render's process (74 MB for the shipped video) while the scenes were drawn beside it."""
    samples = _mix()
    mapped = []

    def blocks():
        for block in _blocks(samples):
            yield block
            with open("/proc/self/maps", encoding="utf-8") as maps:
                mapped.extend(line for line in maps if "mix.s16" in line)

    segments.encode(blocks(), samples.shape[0], tmp_path / "one.m4a", list(AAC.args), AAC.identity(), tmp_path)
    assert mapped == []


@pytest.mark.slow
def test_an_edit_encodes_the_track_from_the_edit_on_and_the_joins_decode_clean(tmp_path):
    folder = tmp_path / "cache"
    first = _mix()
    _build(first, folder, tmp_path / "first.m4a")
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    edited = _mix(change_at=30.0)  # the third segment (from 38.4 s) and the end of the second change
    built = _build(edited, folder, tmp_path / "edited.m4a")
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert _kept(folder) == (5, 5), "the second and third segments are encoded and metered; the first is kept"
    assert all(after[name] == when for name, when in before.items()), "the cached segments are left as they were"

    ours, old = _decoded(tmp_path / "edited.m4a"), _decoded(tmp_path / "first.m4a")
    join = segments.SEGMENT * segments.FRAME
    assert np.array_equal(ours[: join - segments.FRAME], old[: join - segments.FRAME]), "the first segment's packets"
    fresh = tmp_path / "fresh"
    _build(edited, fresh, tmp_path / "fresh.m4a")  # the same mix encoded in one run
    whole = _decoded(tmp_path / "fresh.m4a")
    reference = edited.astype(np.float64)
    around = (join - 4 * segments.FRAME, join + 4 * segments.FRAME)
    assert _snr(ours, reference, *around) > _snr(whole, reference, *around) - 1.0, "the join decodes as any frame"
    everywhere = (segments.FRAME, len(reference))
    assert _snr(ours, reference, *everywhere) > _snr(whole, reference, *everywhere) - 0.5
    assert mix.measure(tmp_path / "edited.m4a") == built
    assert built["integrated_lufs"] == pytest.approx(mix.measure(tmp_path / "fresh.m4a")["integrated_lufs"], abs=0.1)


@pytest.mark.slow
def test_a_damaged_segment_is_encoded_again(tmp_path):
    folder = tmp_path / "cache"
    samples = _mix()
    _build(samples, folder, tmp_path / "first.m4a")
    damaged = max(folder.iterdir(), key=lambda p: p.stat().st_size)  # a whole segment (not the short last one)
    damaged.write_bytes(damaged.read_bytes()[:-500])
    assert segments.read_segment(damaged, segments.SEGMENT) is None
    built = _build(samples, folder, tmp_path / "again.m4a")
    assert segments.read_segment(damaged, segments.SEGMENT) is not None, "replaced by a whole one"
    reference, everywhere = samples.astype(np.float64), (segments.FRAME, len(samples))
    again, first = _decoded(tmp_path / "again.m4a"), _decoded(tmp_path / "first.m4a")
    assert _snr(again, reference, *everywhere) > _snr(first, reference, *everywhere) - 0.5
    assert mix.measure(tmp_path / "again.m4a") == built


def test_the_narrations_level_the_music_is_set_against_is_kept_through_a_small_edit():
    bed = mix.Bed(REPO / "assets" / "music" / "ambient-bed.ogg", volume=-18, duck=10, ramp=0.4, fade_in=1, fade_out=1)
    voice = np.random.default_rng(2).normal(0, 0.05, 10 * RATE).astype(np.float32)
    measured = mix.Mixer(mix.ArrayVoice(voice), [], bed).voice_level
    near, far = measured + 0.06, measured + mix.LEVEL_KEEP_DB + 0.01  # an edit to one sentence moved it 0.055 dB
    assert mix.Mixer(mix.ArrayVoice(voice), [], bed, level_hint=near).voice_level == near
    assert mix.Mixer(mix.ArrayVoice(voice), [], bed, level_hint=far).voice_level == measured


@pytest.mark.slow
def test_an_edits_segments_are_metered_after_the_packets_before_them_as_one_pass_meters_the_track(tmp_path):
    """The segments an edit encodes are metered from LEAD packets before them (the first segment's measures are
    kept): their 400-ms blocks are those one pass over the whole file reads, to the meter's three decimals, and the
    track's loudness and true peak are what ffmpeg's meter reads of the file."""
    folder = tmp_path / "cache"
    _build(_mix(), folder, tmp_path / "first.m4a")
    kept = set(folder.glob("*.json"))
    built = _build(_mix(change_at=30.0), folder, tmp_path / "edited.m4a")
    second, third = sorted(
        (segments.Measure.read(path) for path in set(folder.glob("*.json")) - kept), key=lambda m: -len(m.blocks)
    )
    one_pass = _read_blocks(tmp_path / "edited.m4a")
    per = segments.SEGMENT * segments.FRAME // segments.STEP
    assert second.blocks == tuple(one_pass[per : 2 * per])
    assert third.blocks == tuple(one_pass[2 * per :]) and len(third.blocks) > 60
    assert built == mix.measure(tmp_path / "edited.m4a")


def _read_blocks(path) -> list[int]:
    """Every 100-ms block's loudness (thousandths of a LU) ffmpeg's meter reads over the file's sound, in one pass."""
    import re

    from pipeline.core import ffmpeg

    text = ffmpeg.run(["-i", str(path), "-map", "0:a", "-af", "ebur128=metadata=1,ametadata=mode=print:file=-",
                       "-f", "null", "-"]).decode()  # fmt: skip
    return [round(float(v) * 1000) for v in re.findall(r"lavfi\.r128\.M=(\S+)", text)]


def test_a_block_the_meter_prints_as_nan_is_silence():
    """In digital silence after sound the meter's running sums dip a hair under zero, and it printed 'nan' for
    those blocks (the tests' short espeak storyboards, between scenes: the render failed). They count as silence,
    under the gate, as the meter's own summary counts them."""
    assert segments.block_thousandths("nan") == segments.block_thousandths("-120.691") == segments.SILENT
    assert segments.block_thousandths("-14.0313") == -14031
    loud = segments.Measure((-14000, -15000, -13000), 0.5)
    quiet = segments.Measure((segments.SILENT, segments.block_thousandths("nan"), -14000), 0.25)
    assert segments.track_summary([loud, quiet]) == segments.track_summary([loud, segments.Measure((-14000,), 0.25)])


def test_a_track_whose_last_segment_is_shorter_than_a_meter_step_is_metered(tmp_path):
    """A track 42 ms longer than one segment: its second segment is two packets, shorter than the meter's 100-ms
    step, and has no block of its own (the meter had failed on it). The first segment's encoder is given the
    whole track, which it must then be told is all (the encode had waited for the first segment's last packets
    for ever)."""
    samples = _mix()[: segments.SEGMENT * segments.FRAME + 2000]
    built = _build(samples, tmp_path / "cache", tmp_path / "short.m4a")
    assert _kept(tmp_path / "cache") == (2, 2)
    assert built == mix.measure(tmp_path / "short.m4a")
