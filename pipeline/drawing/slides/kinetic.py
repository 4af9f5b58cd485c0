"""Kinetic type: a slide's words marked as the narrator says them, and pings on what the narrator names.

When the narration says a word that a heading, a point or a label shows, a mark sweeps across that word on the
slide, in the theme's accent, and stays: the eye goes where the voice is. The theme's ``marks`` say which: a
stroke under the word, a highlighter block behind it or a thick bar below it. Words are matched by their
content (not "the", "and"...), by a rough stem ("fences" and "fence"), each spoken word to the first word shown
that it names, once the text is on screen. Without word times (a still, a sheet) nothing is marked.
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from pipeline.drawing.slides.base import Canvas, Element, SceneContext
from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.slides.motion import ease_out
from pipeline.drawing.slides.reveals import content
from pipeline.drawing.slides.text import TextBlock

#: How long a mark takes to sweep under its word (its look and opacity are the theme's ``marks``).
SWEEP = 0.3
#: The most seconds between two words next to each other for one mark to run on from the first to the next (a
#: phrase said in one breath); words further apart in time are marked apart. Between, the mark does not move.
PHRASE = 1.0


def marks(
    block: TextBlock,
    xy: tuple[float, float],
    canvas: Canvas,
    context: SceneContext,
    shown: float,
    taken: set[int] | None = None,
) -> list[Element]:
    """Strokes under the words of ``block`` (drawn with its top-left at ``xy``, left-aligned) that the narration says
    after ``shown`` seconds. ``taken`` holds the spoken words already marked on this slide (shared by its texts, so
    a word said once marks one place). Put the strokes before the text's own element: they are drawn under it."""
    taken = set() if taken is None else taken
    spoken = [(i, content(text), at) for i, (text, at) in enumerate(context.words) if at >= shown]
    if not spoken:
        return []
    x0, y0 = xy
    found = []
    for row, line in enumerate(block.lines):
        run: list[tuple[float, float, float]] = []  # the marked words next to each other: (left, right, said at)
        for word, left, right in _words(block, line):
            wanted = content(word)
            match = next((j for j, said, _ in spoken if j not in taken and said & wanted), None) if wanted else None
            at = context.words[match][1] if match is not None else None
            if run and (at is None or not 0 <= at - run[-1][2] <= PHRASE):  # an unmarked word, or not said next
                found.append(_stroke(canvas, run, y0 + row * block.line_height, block))
                run = []
            if match is not None:
                taken.add(match)
                run.append((x0 + left, x0 + right, at))
        if run:
            found.append(_stroke(canvas, run, y0 + row * block.line_height, block))
    return found


#: Punctuation a mark leaves out at a word's ends ("Canal." is marked as far as its l).
_PUNCTUATION = ".,;:!?\"'()[]“”‘’«»…"


def _words(block: TextBlock, line: str) -> list[tuple[str, float, float]]:
    """Each word of ``line`` with its left and right edge (its letters, not the punctuation at its ends), measured
    in the block's font."""
    out, at = [], 0
    for word in line.split(" "):
        if word:
            lead = len(word) - len(word.lstrip(_PUNCTUATION))
            letters = word.strip(_PUNCTUATION) or word
            left = block.font.getlength(line[: at + lead]) if at + lead else 0.0
            out.append((word, left, left + block.font.getlength(letters)))
        at += len(word) + 1
    return out


def _stroke(canvas: Canvas, words: list[tuple[float, float, float]], line_top: float, block: TextBlock) -> Element:
    """The theme's mark (``marks.style``) under ``words`` (each its left and right edge and when it is said), next
    to each other on the line of ``block`` whose top is ``line_top``: one mark that sweeps under the first as it is
    said and runs on under each next one as it is, across the space between. Words said one after another in a
    phrase ("new reservoir") are one highlighter stroke, not a block per word.

    'underline': a stroke over the lower half of the letters and the top of the descent; 'highlight': a
    highlighter block behind the whole word, from above its capitals to below its baseline; 'bar': a thick bar
    under the baseline, its ends round.
    """
    marks = canvas.theme.marks
    x0, x1 = words[0][0], words[-1][1]
    baseline = line_top + block.ascent
    if marks.style == "highlight":
        y0, y1 = baseline - block.size * 0.8, baseline + block.size * 0.2
        pad, radius = block.size * 0.08, block.size * 0.06
    elif marks.style == "bar":
        y0, y1 = baseline + block.size * 0.05, baseline + block.size * 0.22
        pad, radius = block.size * 0.04, block.size * 0.085
    else:
        y0, y1 = line_top + block.ascent * 0.45, line_top + block.ascent + block.descent * 0.5
        pad, radius = (y1 - y0) * 0.15, (y1 - y0) * 0.3
    color = (*rgb(marks.color or canvas.theme.colors.accent), round(255 * marks.opacity))
    start, end = words[0][2], words[-1][2] + SWEEP
    # Where the mark's right end runs from and to while each word is said: from the word before's end (the first
    # word's from its own start) to its own.
    legs = [(at, words[k - 1][1] + pad if k else left - pad, right + pad) for k, (left, right, at) in enumerate(words)]

    def paint(frame: Image.Image, p: float) -> None:
        t = start + p * (end - start)
        right = x0 - pad
        for at, edge_from, edge_to in legs:
            if t >= at:
                right = edge_from + (edge_to - edge_from) * ease_out(min(1.0, (t - at) / SWEEP))
        layer = Image.new("RGBA", (round(x1 - x0 + 2 * pad) + 2, round(y1 - y0) + 2), (0, 0, 0, 0))
        ImageDraw.Draw(layer).rounded_rectangle((0, 0, max(1, right - (x0 - pad)), y1 - y0), radius=radius, fill=color)
        frame.paste(layer, (round(x0 - pad), round(y0)), layer)

    return Element(start, end - start, paint, minor=True)


def first_said(wanted: set[str], context: SceneContext, after: float = 0.0) -> float | None:
    """When the narration first says one of the content words ``wanted`` after ``after`` seconds, or None."""
    return next((at for text, at in context.words if at >= after and content(text) & wanted), None)


#: How long a ping lasts.
PING = 0.6


def ping(canvas: Canvas, centre: tuple[float, float], radius: float, start: float, spread: float = 1.1) -> Element:
    """A ring that grows from ``radius`` to ``radius * spread`` around ``centre`` and fades, from ``start``: a beat on
    the narration that draws a few frames and leaves nothing behind."""
    cx, cy = centre
    accent = rgb(canvas.theme.colors.accent)
    width = max(2, round(canvas.unit * 0.005))
    reach = radius * spread + width

    def paint(frame: Image.Image, p: float) -> None:
        if p >= 1.0:
            return
        e = ease_out(p)
        r = radius + (radius * spread - radius) * e
        x0, y0 = math.floor(cx - reach), math.floor(cy - reach)
        layer = Image.new("RGBA", (math.ceil(2 * reach) + 2, math.ceil(2 * reach) + 2), (0, 0, 0, 0))
        ring = (cx - r - x0, cy - r - y0, cx + r - x0, cy + r - y0)
        ImageDraw.Draw(layer).ellipse(ring, outline=(*accent, round(200 * (1 - e))), width=width)
        frame.paste(layer, (x0, y0), layer)

    return Element(start, PING, paint, minor=True)
