"""Burned-in captions: inside the band the slides keep clear of, in the theme's style, only while a cue is up."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from PIL import ImageColor

from pipeline.drawing import canvases
from pipeline.drawing.effects import captions as subtitles
from pipeline.drawing.slides.base import Canvas
from pipeline.drawing.slides.fonts import FontBook
from pipeline.drawing.slides.theme import load as load_theme
from pipeline.planning.captions import MAX_CHARS, Cue
from tests.conftest import TINY, explainer

#: The widest caption the cue rules allow: two full lines of wide letters.
WIDEST = ("W" * MAX_CHARS, "M" * MAX_CHARS)


def _canvas(theme_name: str, width: int, height: int) -> Canvas:
    theme = load_theme(theme_name)
    return Canvas(width, height, theme, FontBook(theme.fonts), caption_band=canvases.band(theme))


@pytest.mark.parametrize(("theme", "size"), [("documentary", (320, 180)), ("daylight", (1920, 1080))])
def test_the_largest_cue_fits_its_band(theme, size):
    canvas = _canvas(theme, *size)
    box = canvas.caption_box
    plain_safe = Canvas(*size, canvas.theme, canvas.fonts).safe
    assert box.y1 == plain_safe.y1 and box.y0 == canvas.safe.y1 < plain_safe.y1, "band = bottom of the safe area"
    for lines in (WIDEST, ("One short line",)):
        sprite, (x, y) = subtitles.cue_sprite(canvas, lines)
        assert box.x0 <= x and x + sprite.width <= box.x1
        assert box.y0 <= y and y + sprite.height == box.y1, "bottom-aligned inside the band"
        assert abs((x + sprite.width / 2) - canvas.width / 2) <= 1, "centred"


def test_burned_frames_show_the_cue_in_the_theme_style_only_while_it_is_up():
    canvas = _canvas("daylight", 640, 360)
    theme = canvas.theme
    still = np.full((360, 640, 3), 128, dtype=np.uint8)
    cues = [Cue(1.0, 2.0, ("First caption",)), Cue(2.5, 4.0, ("Second caption", "on two lines"))]
    frame = subtitles.BurnCaptions(tuple(cues), canvas).apply(_Still(still)).frame

    assert frame(0.5) is still and frame(2.2) is still and frame(4.0) is still, "no cue: the frame untouched"
    first = frame(1.5)
    assert frame(1.9) is first, "a held cue over a held slide is composited once"
    changed = np.nonzero((first != still).any(axis=2))
    box = canvas.caption_box
    assert changed[0].min() >= box.y0 and changed[0].max() < box.y1
    assert changed[1].min() >= box.x0 and changed[1].max() < box.x1

    # Daylight's captions: ink-blue text on its paper-coloured box at 80%.
    text = np.array(ImageColor.getrgb(theme.colors.text))
    paper = np.array(ImageColor.getrgb(theme.colors.background_edge))
    boxed = np.round(paper * theme.captions.opacity + 128 * (1 - theme.captions.opacity))
    region = first[box.y0 : box.y1, box.x0 : box.x1].reshape(-1, 3).astype(int)
    assert (np.abs(region - text).max(axis=1) <= 12).sum() > 40, "the words are drawn in the theme's text colour"
    assert (np.abs(region - boxed).max(axis=1) <= 2).sum() > 500, "on the theme's box"
    second = frame(3.0)
    assert (second != first).any() and frame(3.5) is second


@pytest.mark.slow
def test_render_with_burned_captions(project, tmp_path):
    """Through the real command: burned scenes are their own cache entries and the caption is in the picture."""
    import av

    story = project(TINY)
    assert explainer("render", str(story), "--quiet", cwd=tmp_path).returncode == 0
    out = tmp_path / "output" / "story"
    plain = _frames(av, out / "story.mp4")

    run = explainer("render", str(story), "--captions", "burn", "--quiet", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads((out / "render.json").read_text())
    assert report["captions"] == {"cues": report["captions"]["cues"], "burned": True}
    assert not any(scene["cached"] for scene in report["scenes"]), "burned scenes must not reuse plain clips"
    burned = _frames(av, out / "story.mp4")

    canvas = _canvas("documentary", 320, 180)
    box = canvas.caption_box
    first = report["scenes"][0]["sentences"][0]
    index = round((first["start"] + first["end"]) / 2 * 30)

    def words(frame: np.ndarray) -> int:
        """Light (off-white text) pixels in the band, which is otherwise the dark slide or the dark box."""
        return int((frame[box.y0 : box.y1, box.x0 : box.x1].mean(axis=2) > 100).sum())

    assert words(plain[index]) == 0 and words(burned[index]) > 30
    assert words(burned[5]) == 0, "no caption before the first sentence"


def _frames(av, path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.slow
def test_validate_checks_fitting_above_the_caption_band(project, tmp_path):
    """A slide that fits the full safe area but not the room above the captions is a located load error."""
    text = "The border was sealed and crossings fell"
    events = "".join(f'\n                      - {{date: "{1990 + i}", text: "{text}"}}' for i in range(7))
    story = project(
        f"""\
        title: Timeline
        video: {{width: 640, height: 360, fps: 30}}
        sections:
          - title: Decades
            scenes:
              - id: decades
                narration: Three decades.
                slide:
                    kind: timeline
                    title: Three decades of crossings
                    events:{events}
        """
    )
    assert explainer("validate", str(story), cwd=tmp_path).returncode == 0
    run = explainer("validate", str(story), "--captions", "burn", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "story.yaml:12:" in run.stderr
    assert "timeline.events.0.text, at 640x360 above burned-in captions" in run.stderr


class _Still:
    """A scene source showing one frame: what burned captions are laid over."""

    def __init__(self, image):
        self.image = image

    def frame(self, t):
        return self.image


def test_word_captions_highlight_the_word_being_said():
    """A phrase on one line; from each word's start to the next one's, that word is in the accent: the
    accent's pixels move right word by word, and a frame is made once per word, not per video frame."""
    canvas = _canvas("documentary", 640, 360)
    still = np.full((360, 640, 3), 40, dtype=np.uint8)
    words = (("Escaping", 1.0, 1.5), ("costs", 1.6, 1.9), ("$10,000", 2.0, 2.9))
    cue = Cue(1.0, 3.3, ("Escaping costs $10,000",), words)
    frame = subtitles.BurnCaptions((cue,), canvas).apply(_Still(still)).frame
    accent = np.array(ImageColor.getrgb(canvas.theme.colors.accent))

    def accent_x(t: float) -> float:
        found = np.nonzero(np.abs(frame(t).astype(int) - accent).max(axis=2) <= 30)
        assert found[1].size > 20, t
        return float(found[1].mean())

    assert frame(0.9) is still and frame(3.3) is still
    xs = [accent_x(t) for t in (1.2, 1.7, 2.5)]
    assert xs[0] < xs[1] < xs[2]
    assert frame(2.1) is frame(2.8), "the same word: the same frame"
    assert accent_x(1.55) == xs[0], "between words the last word begun stays lit"


def test_word_cues_are_short_phrases_timed_by_their_words():
    from pipeline.narration.engines.base import VoiceIdentity
    from pipeline.narration.speech import SentenceAudio
    from pipeline.narration.words import Word
    from pipeline.planning.captions import PHRASE_CHARS, PHRASE_WORDS, word_cues
    from pipeline.planning.timeline import ScenePlan, SentenceTiming

    text = "By 2019, only about 1,000 people managed to escape the country at all."
    times = [Word(w, 0.3 * i, 0.3 * i + 0.25) for i, w in enumerate(text.split())]
    voice = VoiceIdentity("piper", "joe", "1", "en", 1.0)
    audio = SentenceAudio(text, text, None, 48_000 * 5, voice, 0.0, tuple(times), "engine")
    scene = ScenePlan("s", 0, 1, "One", 0, 30 * 6, (SentenceTiming(text, 0.5, 4.5, audio),))
    cues = word_cues(scene, 30)
    assert [c.lines[0] for c in cues][:3] == ["By 2019,", "only about 1,000", "people managed"]
    assert all(len(c.words) <= PHRASE_WORDS and len(c.lines[0]) <= PHRASE_CHARS for c in cues)
    assert " ".join(c.lines[0] for c in cues) == text, "every word, in order"
    assert cues[0].start == pytest.approx(0.5) and cues[1].words[0][1] == pytest.approx(0.5 + 0.6)
    assert all(a.end <= b.start for a, b in itertools.pairwise(cues))


def test_a_phrase_cut_for_length_does_not_end_on_a_word_that_leads_into_the_next():
    from pipeline.narration.engines.base import VoiceIdentity
    from pipeline.narration.speech import SentenceAudio
    from pipeline.narration.words import Word
    from pipeline.planning.captions import word_cues
    from pipeline.planning.timeline import ScenePlan, SentenceTiming

    text = "Your body remembers a shape and makes more of the antibodies."
    times = tuple(Word(w, 0.3 * i, 0.3 * i + 0.25) for i, w in enumerate(text.split()))
    audio = SentenceAudio(text, text, None, 48_000 * 5, VoiceIdentity("piper", "joe", "1", "en", 1.0), 0.0, times)
    scene = ScenePlan("s", 0, 1, "One", 0, 30 * 6, (SentenceTiming(text, 0.5, 4.5, audio),))
    phrases = [c.lines[0] for c in word_cues(scene, 30)]
    assert phrases[0] == "Your body remembers"
    assert not any(p.split()[-1] in ("a", "of", "the", "and") for p in phrases)
    assert " ".join(phrases) == text


def test_webvtt_cues_carry_each_words_start_for_web_players():
    """Phrase-level cues; every word after a cue's first has its spoken start as an inline timestamp, inside
    the cue's time; a word not matched (a piece of a broken word) simply has none."""
    from pipeline.planning.captions import vtt

    cues = [Cue(1.0, 2.5, ("Escaping costs",)), Cue(2.5, 4.0, ("$10,000 & more", "today"))]
    words = [("Escaping", 1.0), ("costs", 1.6), ("$10,000", 2.5), ("&", 3.1), ("more", 3.3), ("today", 3.7)]
    text = vtt(cues, words)
    assert "Escaping <00:00:01.600>costs" in text
    assert "$10,000 <00:00:03.100>&amp; <00:00:03.300>more\n<00:00:03.700>today" in text
    assert vtt(cues) == vtt(cues, []) and "<00:" not in vtt(cues)
