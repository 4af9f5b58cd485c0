"""Narration: real piper audio, gTTS with only its HTTP call replaced, the cache, the engine choice."""

from __future__ import annotations

import base64
import contextlib
import io

import numpy as np
import pytest
import requests

from pipeline.core import cache, ffmpeg
from pipeline.core.audio import RATE, decode
from pipeline.core.errors import EngineUnavailable
from pipeline.narration import sentences
from pipeline.narration.engines.base import VoiceSettings
from pipeline.narration.engines.espeak import EspeakEngine
from pipeline.narration.engines.gtts import GttsEngine
from pipeline.narration.engines.piper import PiperEngine
from pipeline.narration.speech import Line, speak
from pipeline.rendering.executors import LocalPool, Serial
from pipeline.rendering.executors.local import POOL_FROM

DEFAULT = VoiceSettings()


def script(*scenes: list[str], voice: VoiceSettings = DEFAULT) -> list[list[Line]]:
    """Scenes of sentences, each spoken as written."""
    return [[Line(text, text, voice) for text in scene] for scene in scenes]


def test_piper_speaks_a_sentence_for_real():
    audio = decode(PiperEngine().synthesize("The border is guarded by soldiers.", DEFAULT))
    seconds = audio.size / RATE
    assert 1.2 < seconds < 4.5
    assert np.sqrt(np.mean(audio**2)) > 0.02, "audio is (nearly) silent"


def test_piper_speed_changes_the_length():
    engine = PiperEngine()
    normal = decode(engine.synthesize("Most defectors cross in winter.", DEFAULT))
    slow = decode(engine.synthesize("Most defectors cross in winter.", VoiceSettings(speed=0.7)))
    assert slow.size > normal.size * 1.25  # 0.7x speed: about 1.3x longer


PIPER_TAKE = """
import hashlib, sys
from pipeline.narration.engines.base import VoiceSettings
from pipeline.narration.engines.piper import PiperEngine
print(hashlib.sha256(PiperEngine().synthesize(sys.argv[1], VoiceSettings())).hexdigest())
"""


@pytest.mark.slow
def test_piper_says_a_sentence_the_same_way_every_time_in_any_process():
    """Before, piper drew fresh noise on every call: two renders differed in 82 of 85 sentence lengths."""
    import hashlib
    import subprocess
    import sys

    text = "Two renders of one storyboard give one video."
    engine = PiperEngine()
    takes = {hashlib.sha256(engine.synthesize(text, DEFAULT)).hexdigest() for _ in range(2)}
    other = subprocess.run([sys.executable, "-c", PIPER_TAKE, text], capture_output=True, text=True, check=True)
    takes.add(other.stdout.strip())
    assert len(takes) == 1, "the same bytes in this process, twice, and in another"
    different = engine.synthesize("Two renders of one storyboard give one film.", DEFAULT)
    assert hashlib.sha256(different).hexdigest() not in takes


@pytest.mark.slow
def test_piper_sounds_the_same_whatever_noise_it_is_given(monkeypatch):
    """Only the start of the noise is used: a slow sentence given far too little (so its run is retried with more)
    sounds the same as with the amount drawn for every sentence."""
    from pipeline.narration.engines import piper

    slow = VoiceSettings(speed=0.5)
    text = "Slowly, the border closed, and the brokers raised their prices."
    usual = PiperEngine().synthesize(text, slow)
    monkeypatch.setattr(piper.Seeded, "PER_PHONEME", 4)
    assert PiperEngine().synthesize(text, slow) == usual


@pytest.mark.slow
def test_piper_loads_its_voice_from_a_file_it_removes(tmp_path, monkeypatch):
    """The voice's edited model goes to onnxruntime as a file, not as bytes, which its session kept for as long as
    it lived (63 MB more in every process that spoke); the file is one in memory, never in the temp folder."""
    import tempfile

    import onnxruntime

    from pipeline.narration.engines import piper

    given = []  # what onnxruntime is handed to make the session from
    session = onnxruntime.InferenceSession

    def watched(source, *args, **kwargs):
        given.append(source)
        return session(source, *args, **kwargs)

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(onnxruntime, "InferenceSession", watched)
    PiperEngine().release()
    try:
        piper.loaded_voice()
        assert list(tmp_path.iterdir()) == []
        assert decode(PiperEngine().synthesize("The border is guarded by soldiers.", DEFAULT)).size > RATE
        assert len(given) == 1 and isinstance(given[0], str), "made from a file, not from bytes it would keep"
        assert given[0].startswith("/proc/self/fd/"), "made from a file in memory"
    finally:
        PiperEngine().release()


def test_piper_loads_one_voice_a_process_whatever_cache_it_is_given(tmp_path):
    """A folder for the prepared voice says how to load it, not what it is: a process that renders with two caches
    (the tests, a batch, the preview after a render) keeps one voice; each folder had loaded its own (1.4 s and
    about 400 MB each)."""
    from pipeline.narration.engines import piper

    first = piper.loaded_voice(tmp_path / "one" / "voices")
    assert piper.loaded_voice(tmp_path / "two" / "voices") is first and piper.loaded_voice() is first


PREPARED_TAKE = """
import hashlib, sys
from pathlib import Path
from pipeline.narration.engines.base import VoiceSettings
from pipeline.narration.engines.piper import PiperEngine
audio = PiperEngine(prepared=Path(sys.argv[2])).synthesize(sys.argv[1], VoiceSettings())
print(hashlib.sha256(audio).hexdigest(), "onnx" in sys.modules)
"""


@pytest.mark.slow
def test_piper_keeps_its_prepared_voice_in_the_cache_and_says_the_same_from_it(tmp_path):
    """The edited, optimized model is kept in the cache's voices folder: a later process loads it without the onnx
    package or the graph edits (1.3 CPU-s less a voice), and says every sentence as the voice edited in memory."""
    import hashlib
    import subprocess
    import sys

    text = "The river runs north, then turns east toward the sea."
    fresh = hashlib.sha256(PiperEngine().synthesize(text, DEFAULT)).hexdigest()
    cache.Store(tmp_path).path("audio", "x", ".f32")  # nothing made yet: the folder is not a cache
    folder = tmp_path / "voices"

    def take() -> tuple[str, str]:
        run = subprocess.run([sys.executable, "-c", PREPARED_TAKE, text, str(folder)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        digest, imported = run.stdout.split()
        return digest, imported

    assert take() == (fresh, "True") and not folder.exists(), "nothing kept outside this tool's cache"
    (tmp_path / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    assert take() == (fresh, "True"), "prepared here, from the edited model"
    (kept,) = folder.glob("*.onnx")
    assert kept.stat().st_size > 50_000_000 and not [p for p in folder.iterdir() if p != kept]
    assert take() == (fresh, "False"), "loaded prepared: the same samples, without the onnx package"
    kept.write_bytes(kept.read_bytes()[:1000])  # damaged
    assert take() == (fresh, "True") and kept.stat().st_size > 50_000_000, "prepared again"


def test_espeak_speaks_offline_in_more_than_one_voice():
    engine = EspeakEngine()
    us = decode(engine.synthesize("The border is guarded by soldiers.", DEFAULT))
    uk = decode(engine.synthesize("The border is guarded by soldiers.", VoiceSettings(voice="uk")))
    slow = decode(engine.synthesize("The border is guarded by soldiers.", VoiceSettings(speed=0.6)))
    assert 1.2 < us.size / RATE < 4.5 and np.sqrt(np.mean(us**2)) > 0.02
    assert engine.identity(VoiceSettings(voice="uk")).voice == "en"
    assert us.size != uk.size or not np.allclose(us, uk), "the uk voice sounds exactly like the us one"
    assert slow.size > us.size * 1.4


def _google_reply(request, mp3: bytes) -> requests.Response:
    """A response shaped like Google Translate's batchexecute answer, carrying ``mp3``."""
    payload = base64.b64encode(mp3).decode()
    body = ")]}'\n\n" + f'[["wrb.fr","jQ1olc","[\\"{payload}\\"]",null,null,null,"generic"]]\n'
    response = requests.Response()
    response.status_code = 200
    response.raw = io.BytesIO(body.encode())
    response.request = request
    return response


@pytest.fixture
def tone_mp3() -> bytes:
    return ffmpeg.run(
        [
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1.5",
            "-ac",
            "1",
            "-ar",
            "24000",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            "-f",
            "mp3",
            "pipe:1",
        ]
    )


def test_gtts_engine_sends_the_text_and_decodes_the_reply(monkeypatch, tone_mp3):
    sent = []

    def fake_send(self, request, **kwargs):
        sent.append(request)
        return _google_reply(request, tone_mp3)

    monkeypatch.setattr(requests.Session, "send", fake_send)
    audio = decode(GttsEngine().synthesize("Hello from Pyongyang.", VoiceSettings(language="en")))
    assert len(sent) == 1 and "Pyongyang" in requests.utils.unquote(sent[0].body)
    assert sent[0].url.startswith("https://translate.google.com/")
    assert abs(audio.size / RATE - 1.5) < 0.1
    GttsEngine().synthesize("Hello.", VoiceSettings(voice="uk"))
    assert sent[1].url.startswith("https://translate.google.co.uk/"), "the uk voice is Google's British accent"


def test_gtts_speed_is_applied_by_the_decoder(monkeypatch, tone_mp3):
    monkeypatch.setattr(requests.Session, "send", lambda self, request, **kw: _google_reply(request, tone_mp3))
    fast = VoiceSettings(speed=1.5)
    engine = GttsEngine()
    audio = decode(engine.synthesize("Fast.", fast), tempo=engine.tempo(fast))
    assert abs(audio.size / RATE - 1.0) < 0.1


def _offline(monkeypatch):
    def refuse(self, request, **kwargs):
        raise requests.exceptions.ConnectionError("no route to host")

    monkeypatch.setattr(requests.Session, "send", refuse)


def test_gtts_offline_falls_back_for_the_whole_video(monkeypatch, tmp_path):
    _offline(monkeypatch)
    result = speak(script(["One."], ["Two.", "Three."]), ["gtts", "piper"], DEFAULT, cache.Store(tmp_path))
    assert result.engine.engine == "piper"
    assert "gtts could not reach" in result.fallback_reason and "with piper instead" in result.fallback_reason
    assert [len(s) for s in result.scenes] == [1, 2]


def test_gtts_offline_without_fallback_says_how_to_render_offline(monkeypatch, tmp_path):
    _offline(monkeypatch)
    with pytest.raises(EngineUnavailable, match="--engine piper"):
        speak(script(["One."]), ["gtts"], DEFAULT, cache.Store(tmp_path))


def test_cache_redoes_only_what_changed(tmp_path):
    store = cache.Store(tmp_path)
    first = speak(script(["One sentence.", "Another one."]), ["piper"], DEFAULT, store)
    assert first.synthesized == 2
    again = speak(script(["One sentence.", "Another one."]), ["piper"], DEFAULT, store)
    assert again.synthesized == 0
    edited = speak(script(["One sentence.", "A changed one."]), ["piper"], DEFAULT, store)
    assert edited.synthesized == 1
    faster = speak(script(["One sentence."], voice=VoiceSettings(speed=1.2)), ["piper"], DEFAULT, store)
    assert faster.synthesized == 1
    other_engine = speak(script(["One sentence.", "Another one."]), ["espeak"], DEFAULT, store)
    assert other_engine.synthesized == 2


@pytest.mark.slow  # two worker processes load the voice
def test_sentences_spoken_on_every_core_are_the_sentences_spoken_one_by_one(tmp_path):
    said = [f"Sentence number {n} of a longer scene." for n in ("one", "two", "three", "four", "five")]
    lines = script(said, [s.replace("Sentence", "Line") for s in said])
    with contextlib.closing(LocalPool(2)) as pool:  # the workers stay up for scenes until the pool is closed
        together = speak(lines, ["piper"], DEFAULT, cache.Store(tmp_path / "pool"), executor=pool)
    alone = speak(lines, ["piper"], DEFAULT, cache.Store(tmp_path / "one"), executor=Serial())
    assert together.synthesized == alone.synthesized == 10 >= POOL_FROM  # enough to be spoken on the pool
    for pooled, serial in zip(together.scenes, alone.scenes, strict=True):
        for a, b in zip(pooled, serial, strict=True):
            assert a.path.name == b.path.name and a.path.read_bytes() == b.path.read_bytes()
            assert a.words == b.words and a.word_source == b.word_source == "engine"


def test_the_spoken_form_is_what_is_synthesized_and_cached(tmp_path):
    store = cache.Store(tmp_path)
    written = speak([[Line("In 1990.", "In nineteen ninety.", DEFAULT)]], ["piper"], DEFAULT, store)
    respelled = speak([[Line("In 1990.", "In nineteen hundred ninety.", DEFAULT)]], ["piper"], DEFAULT, store)
    assert respelled.synthesized == 1, "a new spoken form must be synthesized again"
    caption_only = speak([[Line("In '90.", "In nineteen ninety.", DEFAULT)]], ["piper"], DEFAULT, store)
    assert caption_only.synthesized == 0, "changing only the written form reuses the audio"
    assert written.scenes[0][0].spoken == "In nineteen ninety." and written.scenes[0][0].text == "In 1990."


def test_a_voice_the_engine_lacks_is_noted_and_the_default_used(tmp_path):
    result = speak(script(["Hello."], voice=VoiceSettings(voice="uk")), ["piper"], DEFAULT, cache.Store(tmp_path))
    assert result.scenes[0][0].voice.voice == "en_US-joe-medium"
    assert result.notes == ("piper has no 'uk' voice; those scenes use its 'us' voice (it has: us)",)


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_damaged_cache_entry_is_redone(tmp_path, damage):
    store = cache.Store(tmp_path)
    first = speak(script(["Cache me."]), ["piper"], DEFAULT, store)
    path = first.scenes[0][0].path
    blob = bytearray(path.read_bytes())
    if damage == "truncate":
        blob = blob[:100]
    else:
        blob[len(blob) // 2] ^= 0x40  # same length, one sample changed
    path.write_bytes(bytes(blob))
    again = speak(script(["Cache me."]), ["piper"], DEFAULT, store)
    assert again.synthesized == 1 and again.scenes[0][0].samples == first.scenes[0][0].samples


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("He was a U.S. citizen. He died.", ["He was a U.S. citizen.", "He died."]),
        ("About 3.5 million died. Then 2009 came.", ["About 3.5 million died.", "Then 2009 came."]),
        ('They said "free." Nobody was.', ['They said "free."', "Nobody was."]),
        (
            "Prices rose from $2,000 to $10,000. Few could pay.",
            ["Prices rose from $2,000 to $10,000.", "Few could pay."],
        ),
    ],
)
def test_sentence_split(text, expected):
    assert sentences.split(text) == expected


def test_pauses_split_the_narration():
    assert sentences.parts("One. [pause 0.6] Two, three. [Pause 2s]") == [
        "One.",
        sentences.Pause(0.6),
        "Two, three.",
        sentences.Pause(2.0),
    ]
    assert sentences.split("One. [pause 0.6] Two.") == ["One.", "Two."]
    assert "is not a marker" in sentences.marker_problems("Wait [pause] here.")[0]
    assert "at most 10 seconds" in sentences.marker_problems("Wait [pause 12] here.")[0]


def test_a_sentence_another_render_stored_meanwhile_is_the_one_used(tmp_path, monkeypatch):
    """Two renders sharing a cache: the first take stored wins, and both plan from it.

    Before, the last writer replaced the entry, and the render that wrote first went on with
    its own take's length while the video was built from the other's (0.13 s of speech cut).
    """
    from pipeline.narration import speech
    from pipeline.narration.engines import ENGINES

    store = cache.Store(tmp_path)
    theirs = np.full(RATE, 0.25, dtype="<f4").tobytes()  # one second: the other render's take

    class Racing(EspeakEngine):
        def speak(self, text: str, settings: VoiceSettings):
            ours = super().speak(text, settings)
            identity = self.identity(settings).key()
            key = cache.key({"text": text, "voice": identity, "format": speech.AUDIO_FORMAT})
            cache.write_once_checked(store.path("audio", key, ".f32"), theirs)  # stored while we synthesized
            return ours

    monkeypatch.setitem(ENGINES, "espeak", Racing)
    said = speak(script(["A sentence spoken twice at once."]), ["espeak"], DEFAULT, store)
    (sentence,) = said.scenes[0]
    assert sentence.samples == RATE, "the length planned is the stored take's"
    assert sentence.word_source == "estimated", "our take's word times do not belong to theirs"
    assert cache.read_checked(sentence.path) == theirs, "the entry was not replaced"


def _onsets_after_pauses(audio: np.ndarray, gap: float = 0.12) -> list[float]:
    """Where sound starts again after each silence of ``gap`` seconds or more (10 ms windows over -40 dB)."""
    window = RATE // 100
    frames = audio[: audio.size // window * window].reshape(-1, window)
    loud = np.sqrt((frames**2).mean(axis=1)) > 10 ** (-40 / 20)
    onsets, quiet = [], 0
    for i, on in enumerate(loud):
        if on and quiet * 0.01 >= gap:
            on_sample = i * window + int(np.argmax(np.abs(audio[i * window : (i + 1) * window]) > 10 ** (-40 / 20)))
            onsets.append(on_sample / RATE)
        quiet = 0 if on else quiet + 1
    return onsets


@pytest.mark.parametrize("engine", ["piper", "espeak"])
def test_word_times_are_where_the_words_are_heard(tmp_path, engine):
    """Each word after a comma starts after a pause: its reported start is within 30 ms of where sound
    comes back in the stored audio (engine times, shifted by the trim). The words start with a vowel or a
    nasal, so the sound starts with the word (a stop's silent closure would hide its start)."""
    from pipeline.narration.speech import load_samples

    text = "Alpha, echo, india, oscar, mike."
    said = speak(script([text]), [engine], DEFAULT, cache.Store(tmp_path)).scenes[0][0]
    assert said.word_source == "engine" and [w.text for w in said.words] == text.split()
    onsets = _onsets_after_pauses(load_samples(said))
    assert len(onsets) == 4, onsets
    for word, onset in zip(said.words[1:], onsets, strict=True):
        assert word.start == pytest.approx(onset, abs=0.03), word
    assert all(a.end <= b.start + 1e-6 for a, b in zip(said.words, said.words[1:], strict=False))
    again = speak(script([text]), [engine], DEFAULT, cache.Store(tmp_path)).scenes[0][0]
    assert again.made_in == 0 and again.words == said.words, "word times come from the cache with the audio"


def test_written_words_take_the_times_of_what_they_became(tmp_path):
    """'$10,000' is spoken as three words: it spans them, and the word after it starts after them."""
    line = Line("It costs $10,000 now.", "It costs ten thousand dollars now.", DEFAULT,
                ("It", "costs", "ten thousand dollars", "now."))  # fmt: skip
    said = speak([[line]], ["espeak"], DEFAULT, cache.Store(tmp_path)).scenes[0][0]
    money, now = said.words[2], said.words[3]
    assert [w.text for w in said.words] == ["It", "costs", "$10,000", "now."]
    assert money.end - money.start > 0.5 and now.start >= money.end - 1e-6


def test_gtts_words_are_spread_by_syllables_and_said_to_be(monkeypatch, tone_mp3, tmp_path):
    monkeypatch.setattr(GttsEngine, "synthesize", lambda self, text, settings: tone_mp3)
    said = speak(script(["An unbelievable story."]), ["gtts"], DEFAULT, cache.Store(tmp_path)).scenes[0][0]
    assert said.word_source == "estimated"
    lengths = [w.end - w.start for w in said.words]
    assert lengths[1] > 2.5 * lengths[0], "five syllables last longer than one"


def test_a_sentence_sounds_the_same_here_on_a_pool_and_on_a_cluster():
    """Where it is spoken must not change a sample: on onnxruntime's own threads this sentence came out up to 4e-5
    different from a one-thread worker's, and a video narrated on a cluster was not the one narrated here."""
    from pipeline.narration.engines.piper import PiperEngine
    from pipeline.narration.jobs import SpeechJob, speak_job

    text = "Three dates tell the story. First the collapse, then the peak, then almost nobody."
    here = PiperEngine()
    there = speak_job("piper", SpeechJob(text, DEFAULT, here.identity(DEFAULT)))
    assert here.speak(text, DEFAULT).audio == there.audio


def test_ctrl_c_while_espeak_speaks_stops_the_sentence():
    """eSpeak hands its samples to a ctypes callback; a KeyboardInterrupt raised there was printed and dropped,
    and a render Ctrl-C'd while narrating with espeak went on to the end (exit 0, not 130)."""
    import os
    import signal
    import threading

    engine = EspeakEngine()
    engine.synthesize("Ready.", VoiceSettings())  # the library loaded: what follows is speaking
    long = " ".join(["The border is watched from towers along its whole length, day and night."] * 200)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))  # about a fifth of the way through
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            engine.synthesize(long, VoiceSettings())
    finally:
        timer.cancel()


def test_the_command_line_offers_every_engine_by_name():
    """The CLI names the engines without importing them (the preview starts its worker sooner): the same names."""
    from pipeline.narration import ENGINE_NAMES
    from pipeline.narration.engines import ENGINES

    assert tuple(sorted(ENGINES)) == ENGINE_NAMES
