"""How scenes join: a short dip through a colour, or a straight cut (the theme decides).

Each scene fades in from the dip colour over the first half of the
transition and out to it over the last half, so two scenes encoded apart
still meet in one smooth dip at their boundary.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipeline.slides.chrome import rgb
from pipeline.slides.motion import ease_in_out
from pipeline.slides.theme import Theme

FrameFunction = Callable[[float], np.ndarray]


def apply(frame: FrameFunction, duration: float, theme: Theme) -> FrameFunction:
    """``frame`` with the theme's transition at both ends of a ``duration``-second scene."""
    spec = theme.transition
    half = min(spec.seconds / 2, duration / 4)
    if spec.style == "cut" or half <= 0:
        return frame
    color = np.array(rgb(spec.color or theme.colors.background_edge), dtype=np.float32)

    def dipped(t: float) -> np.ndarray:
        image = frame(t)
        k = min(t / half, (duration - t) / half, 1.0)
        if k >= 1.0:
            return image
        w = ease_in_out(max(0.0, k))
        return (image.astype(np.float32) * w + color * (1.0 - w) + 0.5).astype(np.uint8)

    return dipped
