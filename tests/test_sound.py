"""The sound side, end to end: pauses, lexicon, captions, chapters, music ducking, loudness, transcript."""

from __future__ import annotations

import itertools
import json
import shutil
import textwrap

import numpy as np
import pytest
import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core import cache
from pipeline.core.audio import RATE
from pipeline.core.formats import FORMATS, Frame
from pipeline.narration import sentences
from pipeline.narration.speech import Narration, SentenceAudio
from pipeline.planning import captions, chapters
from pipeline.planning.timeline import Pacing, SceneInfo, make_plan
from pipeline.sound import mix, soundtrack
from tests.conftest import REPO, explainer

SOUND = """\
title: Sound test
video: {width: 320, height: 180, fps: 30}
narration: {engine: piper, lexicon: {DMZ: D M Z}}
music: {file: assets/bed.ogg, volume: -18, duck: 10}
sections:
  - title: Opening
    scenes:
      - id: one
        slide: {kind: title, title: One}
        narration: >
          Since 1990, about 34,000 people have escaped. [pause 1.5] Most of them crossed
          into China, through mountains and rivers, often in the middle of a freezing winter night.
  - title: Middle
    scenes:
      - id: two
        slide: {kind: title, title: Two}
        narration: The brokers charged $10,000 to cross the DMZ.
  - title: End
    scenes:
      - id: three
        slide: {kind: title, title: Three}
        narration: Thank you for watching.
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("sound")
    (root / "assets").mkdir()
    shutil.copy(REPO / "assets" / "music" / "ambient-bed.ogg", root / "assets" / "bed.ogg")
    (root / "story.yaml").write_text(textwrap.dedent(SOUND), encoding="utf-8")
    run = explainer("render", str(root / "story.yaml"), cwd=root)
    assert run.returncode == 0, run.stderr
    out = root / "output" / "story"
    return out, json.loads((out / "render.json").read_text()), run.stderr


@pytest.mark.slow  # reads a rendered MP4: the module's render is the fast tier's largest cost
@pytest.mark.xdist_group("sound-render")  # on one worker: the module's render is made once a run
def test_a_pause_lasts_what_it_says_and_the_lexicon_reaches_the_voice(rendered):
    _, report, _ = rendered
    first, second = report["scenes"][0]["sentences"]
    assert second["start"] - first["end"] == pytest.approx(1.5, abs=0.002)
    assert first["text"] == "Since 1990, about 34,000 people have escaped."
    assert first["spoken"] == "Since nineteen ninety, about thirty-four thousand people have escaped."
    assert (
        report["scenes"][1]["sentences"][0]["spoken"] == "The brokers charged ten thousand dollars to cross the D M Z."
    )


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


@pytest.mark.slow  # reads a rendered MP4: the module's render is the fast tier's largest cost
@pytest.mark.xdist_group("sound-render")
def test_captions_parse_and_follow_subtitle_practice(rendered):
    out, report, _ = rendered
    parsed = list(srt.parse((out / "story.srt").read_text(encoding="utf-8")))
    vtt = webvtt.read(str(out / "story.vtt"))
    assert len(parsed) == len(vtt) == report["captions"]["cues"] >= 4
    scenes = [(s["start"], s["start"] + s["duration"]) for s in report["scenes"]]
    for cue, other in zip(parsed, vtt, strict=True):
        lines = cue.content.split("\n")
        seconds = (cue.end - cue.start).total_seconds()
        assert other.text == cue.content and _seconds(other.start) == pytest.approx(cue.start.total_seconds())
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), lines
        assert 1.0 <= seconds <= 7.0, (cue.content, seconds)
        assert len(cue.content.replace("\n", " ")) / seconds <= 21, cue.content
        start, end = cue.start.total_seconds(), cue.end.total_seconds()
        assert any(a - 1e-3 <= start and end <= b + 1e-3 for a, b in scenes), f"'{cue.content}' crosses a cut"
    # Captions show the narration as written, in order, and start when each sentence does.
    written = [s["text"] for scene in report["scenes"] for s in scene["sentences"]]
    assert " ".join(c.content.replace("\n", " ") for c in parsed) == " ".join(written)
    # SRT holds whole milliseconds: a start that falls on half a millisecond may be written either way.
    starts = [c.start.total_seconds() for c in parsed]
    for sentence in (s for scene in report["scenes"] for s in scene["sentences"]):
        assert min(abs(sentence["start"] - start) for start in starts) <= 0.0015, sentence


@pytest.mark.slow  # reads a rendered MP4: the module's render is the fast tier's largest cost
@pytest.mark.xdist_group("sound-render")
def test_chapters_are_in_the_mp4_and_in_youtube_form(rendered):
    import av

    out, report, stderr = rendered
    with av.open(str(out / "story.mp4")) as container:
        found = [(float(c["start"] * c["time_base"]), c["metadata"]["title"]) for c in container.chapters()]
    starts = [s["start"] for s in report["scenes"]]
    assert [t for _, t in found] == ["Opening", "Middle", "End"]
    assert [s for s, _ in found] == pytest.approx(starts, abs=0.002)
    lines = (out / "chapters.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "0:00 Opening" and [line.split(" ", 1)[1] for line in lines] == ["Opening", "Middle", "End"]
    assert "YouTube needs every chapter to last at least 10 s" in stderr, "short chapters must be warned about"


@pytest.mark.slow  # reads a rendered MP4: the module's render is the fast tier's largest cost
@pytest.mark.xdist_group("sound-render")
def test_the_mix_is_at_youtube_loudness(rendered):
    out, report, _ = rendered
    measured = mix.measure(out / "story.mp4")
    assert abs(measured["integrated_lufs"] - mix.TARGET_LUFS) <= 1.0, measured
    assert measured["true_peak_dbtp"] <= mix.CEILING_DBTP, measured
    assert report["loudness"]["integrated_lufs"] == measured["integrated_lufs"]


TINY_FRAME = Frame(320, 180, 30, FORMATS["wide"])


def _synthetic_plan(sentence_seconds: list[float], gap: float):
    """A one-scene plan whose sentences last the given seconds (no audio files needed)."""
    fake = [SentenceAudio(f"s{i}", f"s{i}", REPO, round(s * RATE), {}) for i, s in enumerate(sentence_seconds)]
    narration = Narration({}, None, (tuple(fake),), 0)
    return make_plan([SceneInfo("a", 1, "S")], narration, TINY_FRAME, Pacing(lead_in=2, gap=gap, tail=2))


def test_music_ducks_under_every_sentence_and_rises_in_the_gaps(tmp_path):
    timeline = _synthetic_plan([3.0] * 6, gap=3.0)
    n = timeline.sample_at(timeline.total_frames)
    voice = np.zeros(n, np.float32)
    spans = mix.speech_spans(timeline)
    for start, end in spans:
        t = np.arange(round(start * RATE), round(end * RATE))
        voice[t] = 0.1 * np.sin(2 * np.pi * 220 * t / RATE)
    bed = mix.Bed(REPO / "assets" / "music" / "ambient-bed.ogg", volume=-18, duck=10, ramp=0.4, fade_in=0, fade_out=0)
    music = mix.Mixer(mix.ArrayVoice(voice), spans, bed).block(0, n) - voice[:, None]

    def level(windows):
        parts = [music[round(a * RATE) : round(b * RATE)] for a, b in windows]
        return 10 * np.log10(np.mean(np.concatenate(parts) ** 2))

    # Away from the ramps: the middle of every sentence, the middle of every gap.
    under = level([(s + 0.6, e - 0.6) for s, e in spans])
    gaps = level([(e + 0.6, s - 0.6) for (_, e), (s, _) in itertools.pairwise(spans)])
    assert gaps - under == pytest.approx(10, abs=1.5), (gaps, under)
    voice_level = 20 * np.log10(0.1 / np.sqrt(2))
    assert voice_level - gaps == pytest.approx(18, abs=2.0), "the bed sits 'volume' dB under the voice"


def _normalizer(mono: np.ndarray, bed: mix.Bed | None = None, spans=()) -> mix.Normalizer:
    return mix.Normalizer(mix.Mixer(mix.ArrayVoice(mono.astype(np.float32)), list(spans), bed))


def _played(normalizer: mix.Normalizer, gain_db: float) -> np.ndarray:
    return np.concatenate(list(normalizer.blocks(gain_db)))


def test_limiter_holds_the_ceiling_and_leaves_quiet_audio_alone():
    t = np.arange(RATE, dtype=np.float32) / RATE
    tone = np.sin(2 * np.pi * 200 * t).astype(np.float32) * 0.2
    tone[RATE // 2 : RATE // 2 + 50] = 0.99  # one click
    limited = _played(_normalizer(tone), 6.0)
    assert np.abs(limited).max() <= 10 ** (-2 / 20) + 1e-6
    assert np.abs(limited[: RATE // 4]).max() == pytest.approx(0.2 * 10 ** (6 / 20), rel=1e-3), "far from the click"
    quiet = _played(_normalizer(tone * 0.1), 0.0)
    assert np.array_equal(quiet, np.stack([tone * 0.1] * 2, axis=1))


def test_blocks_are_limited_as_the_whole_track_would_be():
    """Each 10 s block is limited from itself and a margin: the same samples as limiting the track at once."""
    rng = np.random.default_rng(7)
    n = 2 * mix.BLOCK + 12_345
    voice = (rng.normal(0, 0.05, n)).astype(np.float32)
    for at in (mix.BLOCK - 3, mix.BLOCK + 40, 2 * mix.BLOCK - 100, 5, n - 7):  # peaks at and near block edges
        voice[at] = 0.95
    normalizer = _normalizer(voice)
    normalizer.peak = np.abs(normalizer.steps(np.stack([voice] * 2, axis=1))).max(axis=1)
    whole = np.stack([voice] * 2, axis=1) * mix.between_centres(normalizer.curve(9.0), 16, 0, n)[:, None]
    played = _played(normalizer, 9.0)
    assert played.shape == whole.shape
    assert np.abs(played - whole).max() < 1e-6
    assert np.abs(played).max() <= 10 ** (mix.AIM_DBTP / 20) + 1e-6


def test_music_read_in_blocks_is_the_looped_faded_track():
    bed = mix.Bed(REPO / "assets" / "music" / "ambient-bed.ogg", volume=-18, duck=10, ramp=0.4, fade_in=3, fade_out=5)
    n = 7 * mix.BLOCK + 999  # 70 s: longer than the 64 s file, so it loops
    music = mix.Music(bed, n)
    assert music.data.shape[0] < n
    whole = np.concatenate([music.block(a, b) for a, b in mix.ranges(n, 7_777)])
    assert np.array_equal(whole, music.block(0, n))
    assert np.array_equal(whole[music.data.shape[0] + 1000], music.data[1000]), "looped"
    assert np.abs(whole[:10]).max() < 1e-3 and np.abs(whole[-10:]).max() < 1e-3, "faded in and out"


def test_the_gain_is_predicted_close_to_what_the_meter_reads():
    """The limiter's loss of loudness is predicted from kept energies; the real meter agrees within 0.3 LU."""
    rng = np.random.default_rng(3)
    seconds = 20
    speech = rng.normal(0, 0.03, seconds * RATE).astype(np.float32)
    speech[:: RATE // 3] = 0.9  # sharp peaks, as piper's consonants have
    normalizer = _normalizer(speech)
    normalizer.analyse()
    gain = normalizer.solve()
    assert gain > mix.TARGET_LUFS - normalizer.before, "limiting costs loudness, so the gain is raised"
    measured = mix.measure_stream(block.astype("<f4").data for block in normalizer.blocks(gain))
    assert measured == pytest.approx(mix.TARGET_LUFS, abs=0.3)


@pytest.mark.slow  # 1.5-2.5 s: the full run's (the fast tier keeps to a minute)
def test_a_good_gain_hint_skips_the_analysing_pass_and_a_bad_one_is_caught(tmp_path):
    rng = np.random.default_rng(5)
    audios = []
    for i, seconds in enumerate([4.0, 3.0]):
        noise = rng.normal(0, 0.1, round(seconds * RATE))
        samples = np.convolve(noise, np.ones(8) / 8, mode="same").astype(np.float32)  # speech-like: little above 6 kHz
        samples[:: RATE // 4] = 0.8
        path = tmp_path / f"s{i}.f32"
        cache.write_checked(path, samples.astype("<f4").tobytes())
        audios.append(SentenceAudio(f"s{i}", f"s{i}", path, samples.size, {}))
    narration = Narration({}, None, (tuple(audios),), 0)
    timeline = make_plan([SceneInfo("a", 1, "S")], narration, TINY_FRAME, Pacing(lead_in=1, gap=0.5, tail=1))
    track = soundtrack.NarrationTrack(timeline)
    pieces = np.concatenate([track.block(a, b) for a, b in mix.ranges(track.samples, 4_999)])
    assert np.array_equal(pieces, track.block(0, track.samples)), "sentences read across block edges intact"
    assert np.count_nonzero(pieces) > 6 * RATE

    cold = soundtrack.build(timeline, None, tmp_path / "cold.m4a")
    warm = soundtrack.build(timeline, None, tmp_path / "warm.m4a", hint=cold["gain_db"])
    wrong = soundtrack.build(timeline, None, tmp_path / "wrong.m4a", hint=cold["gain_db"] + 6)
    assert cold["mix_before_normalizing_lufs"] is not None
    assert warm["mix_before_normalizing_lufs"] is None, "a right hint is encoded straight away"
    assert wrong["mix_before_normalizing_lufs"] is not None, "a wrong hint is metered, then the gain solved"
    for name, built in (("cold", cold), ("warm", warm), ("wrong", wrong)):
        assert abs(built["integrated_lufs"] - mix.TARGET_LUFS) < soundtrack.TOLERANCE_LU, (name, built)
        measured = mix.measure(tmp_path / f"{name}.m4a")
        assert measured == {k: built[k] for k in measured}, "metered alongside the encoder = metered from the file"
        assert measured["true_peak_dbtp"] <= mix.CEILING_DBTP, (name, measured)


def test_captions_split_long_sentences_and_keep_short_ones_readable():
    timeline = _synthetic_plan([9.0, 0.4, 2.0], gap=0.3)
    long_text = "word " * 30
    scene = timeline.scenes[0]
    texts = [long_text.strip(), "Hi.", "A second sentence here."]
    scene = type(scene)(**{**scene.__dict__, "sentences": tuple(
        type(s)(text, s.start, s.end, s.audio) for s, text in zip(scene.sentences, texts, strict=True)
    )})  # fmt: skip
    cues = captions.cues(type(timeline)(timeline.frame, (scene,)))
    assert all(len(c.lines) <= 2 and all(len(line) <= 42 for line in c.lines) for c in cues)
    assert all(1.0 <= c.end - c.start <= 7.0 for c in cues)
    assert any(c.text.startswith("Hi.") and c.text.endswith("here.") for c in cues), "a 0.4 s cue is merged on"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abcdefghij.,-/:?=", min_size=1, max_size=12),
            st.text(alphabet="abcdefghij.,-/:?=", min_size=40, max_size=160),  # URLs, compounds
        ),
        min_size=1,
        max_size=40,
    ),
    st.floats(min_value=0.3, max_value=30),
)
def test_any_sentence_becomes_cues_that_fit_with_every_character_kept(words, seconds):
    """A word longer than a caption line (a URL) is broken across lines or cues, never a crash or an overlong line."""
    text = " ".join(words)
    pieces = captions.split_timed(text, 0.0, seconds)
    assert pieces, text
    for _, _, piece in pieces:
        lines = captions.wrap(piece)
        assert len(lines) <= captions.MAX_LINES and all(len(line) <= captions.MAX_CHARS for line in lines)
    shown = "".join(piece for _, _, piece in pieces).replace(" ", "")
    # Only hyphens are added (where a word had no punctuation to break at).
    assert shown.replace("-", "") == text.replace(" ", "").replace("-", "")


def test_chapter_rules_are_checked():
    short = [chapters.Chapter(0, 5, "A"), chapters.Chapter(5, 30, "B")]
    found = chapters.problems(short)
    assert any("only 2 section(s)" in p for p in found) and any("'A' lasts 5.0 s" in p for p in found)
    assert chapters.timestamp(3723.9) == "1:02:03" and chapters.timestamp(65) == "1:05"


@pytest.mark.slow
def test_the_voice_says_what_the_storyboard_says(tmp_path):
    """PocketSphinx (offline, its own English model) transcribes a shipped scene's narration."""
    from pocketsphinx import Decoder

    from pipeline.core import ffmpeg
    from pipeline.loading import storyboard
    from pipeline.narration.speech import load_samples, speak
    from pipeline.planning import script

    project = storyboard.load(REPO / "script" / "escape-north-korea.yaml")
    scene = project.entry("border-soldiers").scene
    lines = script.lines(project, scene)
    spoken = speak([lines], ["piper"], script.voice(project), cache.Store(tmp_path))
    audio = np.concatenate([load_samples(s) for s in spoken.scenes[0] if not isinstance(s, sentences.Pause)])
    pcm = ffmpeg.run(
        ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0", "-ar", "16000", "-f", "s16le", "pipe:1"],
        input=audio.astype("<f4").tobytes(),
    )
    decoder = Decoder(samprate=16000)
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    heard = set(decoder.hyp().hypstr.split())
    said = [
        w.strip(".,;:!?'\"").lower()
        for line in lines
        if not isinstance(line, sentences.Pause)
        for w in line.spoken.split()
    ]
    content = [w for w in said if len(w) > 3]
    recall = sum(w in heard for w in content) / len(content)
    assert recall >= 0.7, f"heard {sorted(heard)} for {content}"
