"""Burned-in captions: the video's cues drawn in the theme's caption style, an effect over any source.

Captions sit in a band at the bottom of the title-safe area. A canvas made
with that band (``Canvas.caption_band``) shrinks its safe area, so every
slide lays out above the band and no caption ever covers a slide's figure
or text. Each cue is drawn once, as a boxed sprite centred in the band, and
composited onto the frames it is up for; on a slide's hold the captioned
frame is computed once per cue, not once per frame.

A word-by-word cue (``--captions words``) is a short phrase on one line in
larger type, drawn once per word with the word being said in the theme's
accent: the highlight moves on each word's real start.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from pipeline.drawing.canvases import PAD_X, PAD_Y, caption_size
from pipeline.drawing.cues import Cue
from pipeline.drawing.slides.base import Canvas
from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.sources.base import SceneSource, Wrapped


def cue_sprite(canvas: Canvas, lines: Sequence[str]) -> tuple[Image.Image, tuple[int, int]]:
    """One cue as an RGBA sprite (text on its box) and where it goes: centred, at the bottom of the band."""
    color = canvas.theme.captions.color or canvas.theme.colors.text
    return _boxed(canvas, [[(word, color) for word in line.split(" ")] for line in lines], 1.0)


#: A word-by-word phrase's type, relative to a caption's.
WORD_SCALE = 1.3


def phrase_sprite(canvas: Canvas, words: Sequence[str], current: int | None) -> tuple[Image.Image, tuple[int, int]]:
    """A phrase on one line, word ``current`` in the accent, on the caption box, centred at the band's bottom."""
    theme = canvas.theme
    plain = theme.captions.color or theme.colors.text
    return _boxed(
        canvas, [[(w, theme.colors.accent if i == current else plain) for i, w in enumerate(words)]], WORD_SCALE
    )


def _boxed(
    canvas: Canvas, lines: Sequence[Sequence[tuple[str, str]]], scale: float
) -> tuple[Image.Image, tuple[int, int]]:
    """Lines of (word, colour) centred on the caption box, and where the box goes: centred at the band's bottom.

    The type is the captions' size times ``scale``, smaller only where the widest line would not fit the band
    (at odd sizes: a 42-character line is about half the safe width).
    """
    theme, style, area = canvas.theme, canvas.theme.captions, canvas.caption_box
    texts = [" ".join(word for word, _ in line) for line in lines]
    size = canvas.px(caption_size(theme) * scale)
    face = canvas.fonts.face("body", size)
    widest = max(face.getlength(text) for text in texts)
    room = area.width - 2 * size * PAD_X
    if widest > room:
        size = max(canvas.min_text, int(size * room / widest))
        face = canvas.fonts.face("body", size)
        widest = max(face.getlength(text) for text in texts)
    ascent, descent = face.getmetrics()
    line_h = round(size * theme.line_spacing)
    pad_x, pad_y = round(size * PAD_X), round(size * PAD_Y)
    width = round(widest) + 2 * pad_x
    height = (len(lines) - 1) * line_h + ascent + descent + 2 * pad_y
    box = (*rgb(style.box or theme.colors.background_edge), round(255 * style.opacity))
    sprite = Image.new("RGBA", (width, height), box)
    draw = ImageDraw.Draw(sprite)
    space = face.getlength(" ")
    for i, (line, text) in enumerate(zip(lines, texts, strict=True)):
        x = (width - face.getlength(text)) / 2
        for word, color in line:
            face.draw(draw, (x, pad_y + ascent + i * line_h), word, (*rgb(color), 255), anchor="ls")
            x += face.getlength(word) + space
    return sprite, (area.x0 + (area.width - width) // 2, area.y1 - height)


@dataclass(frozen=True)
class BurnCaptions:
    """``cues`` (timed in seconds from the scene's start) drawn into the frames of any source."""

    cues: tuple[Cue, ...]
    canvas: Canvas

    def apply(self, source: SceneSource) -> SceneSource:
        if not self.cues:
            return source
        cues, canvas = self.cues, self.canvas
        starts = [cue.start for cue in cues]
        layers: dict[tuple[int, int | None], tuple[np.ndarray, np.ndarray, tuple[int, int]]] = {}
        last: list = [None, None, None]  # source frame, (cue index, word), captioned frame

        def layer(index: int, word: int | None) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
            if (index, word) not in layers:
                cue = cues[index]
                if cue.words:
                    sprite, xy = phrase_sprite(canvas, [w for w, _, _ in cue.words], word)
                else:
                    sprite, xy = cue_sprite(canvas, cue.lines)
                pixels = np.asarray(sprite, dtype=np.float32)
                alpha = pixels[..., 3:] / 255.0
                layers[index, word] = (pixels[..., :3] * alpha, 1.0 - alpha, xy)
            return layers[index, word]

        def captioned(t: float, image: np.ndarray) -> np.ndarray:
            index = bisect.bisect_right(starts, t) - 1
            if index < 0 or t >= cues[index].end:
                return image
            state = (index, cues[index].spoken_at(t) if cues[index].words else None)
            if last[0] is image and last[1] == state:
                return last[2]
            colour, keep, (x, y) = layer(*state)
            h, w = keep.shape[:2]
            out = image.copy()
            region = out[y : y + h, x : x + w]
            region[...] = (region * keep + colour + 0.5).astype(np.uint8)
            last[:] = [image, state, out]
            return out

        return Wrapped(source, captioned)
