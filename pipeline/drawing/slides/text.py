"""Fitting text into a box: wrap by measured width, shrink within limits, balance.

Text that still cannot fit is a FitError naming the field, which the storyboard
loader reports at that field's line and column: never clipped pixels.
Blocks are drawn on baselines with the font's full ascent and descent reserved,
so descenders and accents are never cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PIL import ImageDraw

from pipeline.drawing.slides.fonts import Face, FontBook
from pipeline.drawing.slides.problems import FitError

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TextBlock:
    lines: tuple[str, ...]
    font: Face
    size: int
    line_height: int
    ascent: int
    descent: int
    width: int

    @property
    def height(self) -> int:
        return (len(self.lines) - 1) * self.line_height + self.ascent + self.descent

    def line_width(self, line: str) -> int:
        return round(self.font.getlength(line))

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        x: float,
        y: float,
        fill: str | tuple[int, ...],
        align: Align = "left",
        box_width: float | None = None,
    ) -> None:
        """Draw with the block's top-left at (x, y); align within ``box_width``."""
        box = self.width if box_width is None else box_width
        for i, line in enumerate(self.lines):
            lw = self.font.getlength(line)
            dx = {"left": 0.0, "center": (box - lw) / 2, "right": box - lw}[align]
            baseline = y + self.ascent + i * self.line_height
            self.font.draw(draw, (x + dx, baseline), line, fill)


def wrap(text: str, font: Face, width: float, break_words: bool = False) -> list[str] | None:
    """Greedy wrap by measured width.

    A word wider than ``width`` makes it None, unless ``break_words``: then the
    word is broken as a typesetter would (see ``break_word``).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        current = ""
        for word in words:
            trial = f"{current} {word}" if current else word
            if font.getlength(trial) <= width:
                current = trial
                continue
            if current:
                lines.append(current)
            if font.getlength(word) <= width:
                current = word
                continue
            if not break_words:
                return None
            *full, current = break_word(word, font, width)
            lines += full
        lines.append(current)
    return lines


#: Characters after which a long word may break without adding a hyphen.
BREAK_AFTER = "/-–—._?&=:,;@#+\\|"


def break_word(word: str, font: Face, width: float) -> list[str]:
    """``word`` in pieces no wider than ``width``: after punctuation where possible, else hyphenated."""
    pieces = []
    while font.getlength(word) > width:
        fit = _longest_prefix(word, font, width)
        cut = max((i + 1 for i, c in enumerate(word[:fit]) if c in BREAK_AFTER), default=0)
        if cut >= max(1, fit // 2):
            pieces.append(word[:cut])
            word = word[cut:]
        else:
            pieces.append(word[:fit] + "-")
            word = word[fit:]
    return [*pieces, word]


def _longest_prefix(word: str, font: Face, width: float) -> int:
    """How many characters of ``word``, with a hyphen after them, fit ``width`` (at least one): a binary search,
    so a very long word costs a few dozen measurements, not one per character."""
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.getlength(word[:mid] + "-") <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _extent(font: Face, lines: list[str]) -> tuple[int, int]:
    """Ascent and descent that hold every glyph actually drawn (accents, descenders), plus a pixel.

    Font metrics alone are not enough: some glyphs reach past the declared
    descent, and that is exactly how text gets clipped.
    """
    ascent, descent = font.getmetrics()
    for line in lines:
        if line:
            _, top, _, bottom = font.getbbox(line, anchor="ls")
            ascent, descent = max(ascent, -top), max(descent, bottom)
    return ascent + 1, descent + 1


def _balance(text: str, font: Face, width: float, n_lines: int, break_words: bool) -> list[str]:
    """The narrowest wrap that keeps ``n_lines`` lines, so lines come out even."""
    lo, hi = width * 0.4, width
    best = wrap(text, font, width, break_words) or []
    for _ in range(12):
        mid = (lo + hi) / 2
        lines = wrap(text, font, mid, break_words)
        if lines is not None and len(lines) <= n_lines:
            best, hi = lines, mid
        else:
            lo = mid
    return best


def fit(
    text: str,
    book: FontBook,
    role: str,
    *,
    field: str,
    max_width: float,
    max_height: float,
    size: int,
    min_size: int,
    max_lines: int,
    line_spacing: float,
    balance: bool = True,
) -> TextBlock:
    """The largest block of ``text`` at most ``size`` px that fits the box.

    Words are kept whole while shrinking the type can fit them; only a word
    wider than the box at the smallest size (a URL) is broken.
    """
    text = "\n".join(" ".join(part.split()) for part in text.strip().split("\n"))
    for break_words in (False, True):
        current = size
        while current >= min_size:
            font = book.face(role, current)
            lines = wrap(text, font, max_width, break_words)
            if lines is not None and len(lines) <= max_lines:
                ascent, descent = _extent(font, lines)
                line_height = round(current * line_spacing)
                height = (len(lines) - 1) * line_height + ascent + descent
                if height <= max_height:
                    if balance and len(lines) > 1:
                        lines = _balance(text, font, max_width, len(lines), break_words)
                    width = max(round(font.getlength(line)) for line in lines)
                    return TextBlock(tuple(lines), font, current, line_height, ascent, descent, width)
            current = current - max(1, round(current * 0.04))
    raise FitError(
        field,
        f"text is too long to fit its slide ({len(text)} characters, at most {max_lines} "
        f"line(s) at the smallest size); shorten it or split it across scenes",
    )
