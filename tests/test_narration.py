"""Narration: real piper audio, gTTS with only its HTTP call replaced, the cache, the engine choice."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import requests

from pipeline import cache, ffmpeg, sentences
from pipeline.errors import EngineUnavailable
from pipeline.narrate import narrate
from pipeline.narration.audio import RATE, decode
from pipeline.narration.base import VoiceSettings
from pipeline.narration.gtts import GttsEngine
from pipeline.narration.piper import PiperEngine


def test_piper_speaks_a_sentence_for_real():
    audio = decode(PiperEngine(VoiceSettings()).synthesize("The border is guarded by soldiers."))
    seconds = audio.size / RATE
    assert 1.2 < seconds < 4.5
    assert np.sqrt(np.mean(audio**2)) > 0.02, "audio is (nearly) silent"


def test_piper_speed_changes_the_length():
    normal = decode(PiperEngine(VoiceSettings()).synthesize("Most defectors cross in winter."))
    slow = decode(PiperEngine(VoiceSettings(speed=0.7)).synthesize("Most defectors cross in winter."))
    assert slow.size > normal.size * 1.25


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
    audio = decode(GttsEngine(VoiceSettings(language="en")).synthesize("Hello from Pyongyang."))
    assert len(sent) == 1 and "Pyongyang" in requests.utils.unquote(sent[0].body)
    assert abs(audio.size / RATE - 1.5) < 0.1


def test_gtts_speed_is_applied_by_the_decoder(monkeypatch, tone_mp3):
    monkeypatch.setattr(requests.Session, "send", lambda self, request, **kw: _google_reply(request, tone_mp3))
    engine = GttsEngine(VoiceSettings(speed=1.5))
    audio = decode(engine.synthesize("Fast."), tempo=engine.tempo)
    assert abs(audio.size / RATE - 1.0) < 0.1


def _offline(monkeypatch):
    def refuse(self, request, **kwargs):
        raise requests.exceptions.ConnectionError("no route to host")

    monkeypatch.setattr(requests.Session, "send", refuse)


def test_gtts_offline_falls_back_for_the_whole_video(monkeypatch, tmp_path):
    _offline(monkeypatch)
    result = narrate([["One."], ["Two.", "Three."]], ["gtts", "piper"], VoiceSettings(), cache.Store(tmp_path))
    assert result.engine["engine"] == "piper"
    assert "gtts could not reach" in result.fallback_reason and "with piper instead" in result.fallback_reason
    assert [len(s) for s in result.scenes] == [1, 2]


def test_gtts_offline_without_fallback_says_how_to_render_offline(monkeypatch, tmp_path):
    _offline(monkeypatch)
    with pytest.raises(EngineUnavailable, match="--engine piper"):
        narrate([["One."]], ["gtts"], VoiceSettings(), cache.Store(tmp_path))


def test_cache_redoes_only_what_changed(tmp_path):
    store = cache.Store(tmp_path)
    first = narrate([["One sentence.", "Another one."]], ["piper"], VoiceSettings(), store)
    assert first.synthesized == 2
    again = narrate([["One sentence.", "Another one."]], ["piper"], VoiceSettings(), store)
    assert again.synthesized == 0
    edited = narrate([["One sentence.", "A changed one."]], ["piper"], VoiceSettings(), store)
    assert edited.synthesized == 1
    faster = narrate([["One sentence."]], ["piper"], VoiceSettings(speed=1.2), store)
    assert faster.synthesized == 1


def test_corrupt_cache_entry_is_redone(tmp_path):
    store = cache.Store(tmp_path)
    first = narrate([["Cache me."]], ["piper"], VoiceSettings(), store)
    path = first.scenes[0][0].path
    path.write_bytes(path.read_bytes()[:100])
    again = narrate([["Cache me."]], ["piper"], VoiceSettings(), store)
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
