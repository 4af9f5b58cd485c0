"""A draft's soundtrack after an edit (draft.py): the last one's Opus packets up to the edit, one encode from there.

Real sentence files, the shipped music bed, real encodes (libopus through ffmpeg), real decoding (PyAV) and
ffmpeg's meter; the plan is a synthetic one of three scenes (about 50 s), the last one's sentence edited.
"""

from __future__ import annotations

import av
import numpy as np
import pytest

from pipeline.core import cache
from pipeline.core.audio import RATE
from pipeline.core.formats import FORMATS, Frame
from pipeline.narration.speech import Narration, SentenceAudio
from pipeline.planning.timeline import Pacing, SceneInfo, make_plan
from pipeline.sound import draft, mix, soundtrack
from pipeline.sound.codecs import DRAFT_OPUS
from tests.conftest import REPO

FRAME = Frame(320, 180, 15, FORMATS["wide"])
BED = mix.Bed(REPO / "assets" / "music" / "ambient-bed.ogg", volume=-18, duck=10, ramp=0.4, fade_in=3, fade_out=5)


def _sentence(folder, name: str, seconds: float, seed: int) -> SentenceAudio:
    """Speech-like bursts: smoothed noise with sharp peaks, as piper's consonants have."""
    noise = np.random.default_rng(seed).normal(0, 0.1, round(seconds * RATE))
    samples = np.convolve(noise, np.ones(8) / 8, mode="same").astype(np.float32)
    samples[:: RATE // 4] = 0.8
    path = folder / f"{name}.f32"
    cache.write_checked(path, samples.astype("<f4").tobytes())
    return SentenceAudio(name, name, path, samples.size, {})


def _plan(folder, edited: bool = False):
    """Three scenes of narration; ``edited``: the last scene's second sentence is another, longer one."""
    first = tuple(_sentence(folder, f"a{i}", 4.0, i) for i in range(4))
    second = tuple(_sentence(folder, f"b{i}", 3.5, 10 + i) for i in range(3))
    last = [_sentence(folder, "c0", 3.0, 20), _sentence(folder, "c1", 2.5, 21)]
    if edited:
        last[1] = _sentence(folder, "c1-edited", 3.7, 22)
    narration = Narration({}, None, (first, second, tuple(last)), 0)
    scenes = [SceneInfo(name, n, "S") for n, name in enumerate(("one", "two", "three"), 1)]
    return make_plan(scenes, narration, FRAME, Pacing(lead_in=1, gap=0.5, tail=1))


def _packets(path) -> tuple[list[bytes], list[tuple[int, int]], bytes, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        found = [packet for packet in container.demux(stream) if packet.size]
        data, times = [bytes(p) for p in found], [(p.pts, p.duration) for p in found]
        return data, times, bytes(stream.codec_context.extradata), stream.duration


def _decoded(path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray() for frame in container.decode(audio=0)], axis=1).T


def _snr(decoded: np.ndarray, reference: np.ndarray, lo: int, hi: int) -> float:
    error = decoded[lo:hi] - reference[lo:hi]
    return 10 * np.log10(np.sum(reference[lo:hi] ** 2) / max(np.sum(error**2), 1e-12))


@pytest.mark.slow
def test_a_drafts_soundtrack_after_an_edit_keeps_the_packets_before_it_and_plays_as_one_encode(tmp_path):
    build = {"bed": BED, "codec": DRAFT_OPUS, "cached": tmp_path / "segments"}
    before = _plan(tmp_path)
    first = soundtrack.build(before, target=tmp_path / "first.m4a", steps=tmp_path / "first.json", **build)
    after = _plan(tmp_path, edited=True)
    hints = {"hint": first["gain_db"], "level_hint": first["voice_level_db"]}
    edited = soundtrack.build(
        after, target=tmp_path / "edited.m4a", steps=tmp_path / "edited.json",
        previous=(tmp_path / "first.m4a", tmp_path / "first.json"), **hints, **build,
    )  # fmt: skip
    whole = soundtrack.build(after, target=tmp_path / "whole.m4a", steps=tmp_path / "whole.json", **hints, **build)
    assert edited["mix_before_normalizing_lufs"] is None, "the hint was kept: no analysing pass"

    old, new = draft.read_steps(tmp_path / "first.json"), draft.read_steps(tmp_path / "edited.json")
    cut = draft.cut_at(old["shape"], new["shape"])
    spoken = after.sample_at(after.scenes[2].start_frame) + round(after.scenes[2].sentences[1].start * RATE)
    # The sentence before it in its scene is under two ramps before it: their dips merge, and the cut is before both.
    assert cut is not None and after.sample_at(after.scenes[2].start_frame) < cut < spoken, "the scenes before kept"
    ours, theirs, kept = (
        _packets(tmp_path / "edited.m4a"),
        _packets(tmp_path / "whole.m4a"),
        _packets(tmp_path / "first.m4a"),
    )
    assert ours[0][: cut // draft.PACKET] == kept[0][: cut // draft.PACKET], (
        "the last soundtrack's packets, as they were"
    )
    assert ours[1:] == theirs[1:], "every packet's time and length, the header (pre-skip) and the track's length"

    # Sample-exact with the mix (a lag of one sample would ruin these), and as clean at the join as anywhere.
    mixer = mix.Mixer(soundtrack.NarrationTrack(after), mix.speech_spans(after), BED, [], first["voice_level_db"])
    reference = np.concatenate(list(mix.Normalizer(mixer).blocks(first["gain_db"]))).astype(np.float64)
    played, one = _decoded(tmp_path / "edited.m4a"), _decoded(tmp_path / "whole.m4a")
    around = (cut - RATE // 10, cut + RATE // 10)
    assert _snr(played, reference, *around) > _snr(one, reference, *around) - 1.0
    assert _snr(played, reference, draft.PACKET, len(reference)) == pytest.approx(
        _snr(one, reference, draft.PACKET, len(reference)), abs=0.2
    )
    measured = mix.measure(tmp_path / "edited.m4a")
    assert edited["integrated_lufs"] == pytest.approx(measured["integrated_lufs"], abs=0.1), "gated from the steps"
    assert edited["integrated_lufs"] == pytest.approx(whole["integrated_lufs"], abs=0.1)
    assert edited["sample_peak_dbfs"] == pytest.approx(whole["sample_peak_dbfs"], abs=0.1)


def _shape(**changes):
    shape = {
        "version": draft.VERSION, "codec": [], "gain": 3.0, "voice_level": -20.0, "music": None,
        "limiter": [32, 16, 15, 0.8], "samples": 100 * RATE,
        "parts": [[RATE, 3 * RATE, "a"], [50 * RATE, 53 * RATE, "b"], [60 * RATE, 62 * RATE, "c"]],
        "dips": [[RATE, 3 * RATE], [50 * RATE, 53 * RATE], [60 * RATE, 62 * RATE]], "ramp": 19200,
        "clips": [], "clip_dips": [], "clip_ramp": 0,
    }  # fmt: skip
    return {**shape, **changes}


def test_where_two_drafts_mixes_may_first_differ():
    old = _shape()
    assert draft.first_difference(old, old) == old["samples"], "the same mix: nowhere but its end"
    edited = _shape(
        parts=[*old["parts"][:2], [60 * RATE, 63 * RATE, "c2"]], dips=[*old["dips"][:2], [60 * RATE, 63 * RATE]]
    )
    assert draft.first_difference(old, edited) == 60 * RATE - 19200, "the music's ramp down before the sentence"
    # The new sentence is close enough to the one before for their dips to merge: the merged dip changes from its
    # start, in the scene before.
    merged = _shape(parts=edited["parts"], dips=[old["dips"][0], [50 * RATE, 63 * RATE]])
    assert draft.first_difference(old, merged) == 50 * RATE - 19200
    longer = _shape(samples=120 * RATE, music=[1, 5 * RATE, 0.1, {}])
    assert draft.first_difference(_shape(music=[1, 5 * RATE, 0.1, {}]), longer) == 95 * RATE, "the bed's fade-out"
    clip = [[40 * RATE, 45 * RATE, "clip.f32", -6, True, None]]
    assert draft.first_difference(_shape(clips=clip), _shape(clips=[[41 * RATE, *clip[0][1:]]])) == 40 * RATE
    for other in (_shape(gain=3.01), _shape(voice_level=-19.0), _shape(codec=["other"])):
        assert draft.first_difference(old, other) == 0, "another gain, level or encoder: everywhere"
    assert draft.cut_at(old, edited) == (60 * RATE - 19200 - 33 * 16) // draft.GRID * draft.GRID, "the limiter's reach"
    assert draft.cut_at(old, _shape(gain=3.01)) is None, "encoded whole"


def test_the_mix_read_from_a_sample_on_is_the_same_samples():
    rng = np.random.default_rng(4)
    voice = rng.normal(0, 0.05, 2 * mix.BLOCK + 5_000).astype(np.float32)
    voice[mix.BLOCK - 3 :: 7_919] = 0.95  # peaks the limiter holds, near the blocks' edges
    normalizer = mix.Normalizer(mix.Mixer(mix.ArrayVoice(voice), [], None))
    whole = np.concatenate(list(normalizer.blocks(6.0)))
    for first in (0, 4_800, mix.BLOCK, mix.BLOCK + 4_800, 2 * mix.BLOCK + 4_800):
        assert np.array_equal(np.concatenate(list(normalizer.blocks(6.0, first))), whole[first:]), first


def test_the_narrations_level_is_read_again_only_from_the_changed_sentence(tmp_path):
    before, after = _plan(tmp_path), _plan(tmp_path, edited=True)
    voice = soundtrack.NarrationTrack(after)
    whole = mix.window_powers(voice.block(a, b) for a, b in mix.ranges(voice.samples))
    shape = {"parts": [[at, until, audio.path.name] for at, until, audio in soundtrack.NarrationTrack(before).parts]}
    old = {"shape": shape, "voice_windows": draft.voice_windows(soundtrack.NarrationTrack(before), None).tolist()}
    read = []
    voice.block = lambda a, b, block=voice.block: read.append(a) or block(a, b)
    assert np.array_equal(draft.voice_windows(voice, old), whole), "the same powers as a whole read"
    changed = after.sample_at(after.scenes[2].start_frame) + round(after.scenes[2].sentences[1].start * RATE)
    assert min(read) > changed - mix.WINDOW, "nothing before the changed sentence is read"


def test_a_music_bed_is_decoded_once_in_a_process_and_again_when_it_changes(tmp_path, monkeypatch):
    from pipeline.core import ffmpeg

    other = tmp_path / "other.ogg"
    ffmpeg.run(["-f", "lavfi", "-i", "sine=f=330:d=2", "-y", str(other)], what="a test bed")
    decoded = []
    run = ffmpeg.run
    monkeypatch.setattr(ffmpeg, "run", lambda args, **kw: decoded.append(args) or run(args, **kw))
    bed_file = tmp_path / "bed.ogg"
    bed_file.write_bytes(BED.file.read_bytes())
    bed = mix.Bed(bed_file, -18, 10, 0.4, 1, 1)
    first = mix.Music(bed, 10 * RATE)
    second = mix.Music(bed, 20 * RATE)
    assert len(decoded) == 1 and np.array_equal(first.block(0, RATE), second.block(0, RATE))
    with pytest.raises(ValueError):
        first.data[0, 0] = 1.0  # shared between renders: read-only
    other.replace(bed_file)  # another file's content under the same name
    mix.Music(bed, 10 * RATE)
    assert len(decoded) == 2, "decoded again"


@pytest.mark.slow
def test_a_damaged_last_soundtrack_is_not_used_and_the_draft_is_encoded_whole(tmp_path):
    build = {"bed": BED, "codec": DRAFT_OPUS, "cached": tmp_path / "segments"}
    first = soundtrack.build(_plan(tmp_path), target=tmp_path / "first.m4a", steps=tmp_path / "first.json", **build)
    (tmp_path / "first.m4a").write_bytes((tmp_path / "first.m4a").read_bytes()[:-5000])  # cut short: no index
    after, hints = _plan(tmp_path, edited=True), {"hint": first["gain_db"], "level_hint": first["voice_level_db"]}
    edited = soundtrack.build(
        after, target=tmp_path / "edited.m4a", steps=tmp_path / "edited.json",
        previous=(tmp_path / "first.m4a", tmp_path / "first.json"), **hints, **build,
    )  # fmt: skip
    whole = soundtrack.build(after, target=tmp_path / "whole.m4a", **hints, **build)
    assert _packets(tmp_path / "edited.m4a") == _packets(tmp_path / "whole.m4a"), "one encode, as with no last one"
    assert edited == whole
