"""Where a canvas is made: one frame, one theme, its fonts, and room for burned-in captions.

Every face that draws (stills, sheets, the fit check, scene jobs) makes its
canvas here from a ``Frame``, so all of them lay out alike.
"""

from __future__ import annotations

from pipeline.core.formats import Frame
from pipeline.drawing.cues import MAX_LINES
from pipeline.drawing.slides.base import Canvas
from pipeline.drawing.slides.fonts import FontBook
from pipeline.drawing.slides.theme import Theme

#: Box padding around a burned caption's text, as fractions of the caption's font size.
PAD_X, PAD_Y = 0.55, 0.28
#: Space between the content above and the caption band, as a fraction of the height.
GAP = 0.02


def band(theme: Theme) -> float:
    """The fraction of the frame's short side burned-in captions need: two lines, their box and a gap above (the
    captions themselves are drawn by effects/captions.py, in that band)."""
    size = caption_size(theme)
    return size * ((MAX_LINES - 1) * theme.line_spacing + 1.25 + 2 * PAD_Y) + GAP


def caption_size(theme: Theme) -> float:
    """A burned caption's font size, as a fraction of the short side: the theme's, never under its smallest type."""
    return max(theme.captions.size, theme.sizes.minimum)


def canvas(frame: Frame, theme: Theme, *, burn_captions: bool = False, fonts: FontBook | None = None) -> Canvas:
    """The canvas slides draw on for ``frame``; with ``burn_captions`` their content keeps above the caption band."""
    caption_band = band(theme) if burn_captions else 0.0
    return Canvas(
        frame.width,
        frame.height,
        theme,
        fonts or FontBook(theme.fonts),
        caption_band=caption_band,
        profile=frame.profile,
    )
