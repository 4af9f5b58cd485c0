"""Where a canvas is made: one frame, one theme, its fonts, and room for burned-in captions.

Every face that draws (stills, sheets, the fit check, scene jobs) makes its
canvas here from a ``Frame``, so all of them lay out alike.
"""

from __future__ import annotations

from pipeline.effects import captions
from pipeline.formats import Frame
from pipeline.slides.base import Canvas
from pipeline.slides.fonts import FontBook
from pipeline.slides.theme import Theme


def canvas(frame: Frame, theme: Theme, *, burn_captions: bool = False, fonts: FontBook | None = None) -> Canvas:
    """The canvas slides draw on for ``frame``; with ``burn_captions`` their content keeps above the caption band."""
    band = captions.band(theme) if burn_captions else 0.0
    return Canvas(
        frame.width, frame.height, theme, fonts or FontBook(theme.fonts), caption_band=band, profile=frame.profile
    )
