"""A dip: a short fade through a colour, one of the transitions (planning/transitions.py says which is where).

By default the video's first and last moments dip; a theme or a scene may ask for it anywhere. A scene whose start
is a dip fades in from the dip colour over the first half of the transition, and one whose end is a dip fades out
to it over the last half, so two scenes encoded apart still meet in one smooth dip at their boundary. An effect
over any scene source: drawn slides and clips dip alike (over a layered scene, on its layer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.slides.motion import ease_in_out
from pipeline.drawing.slides.theme import Theme
from pipeline.drawing.sources.base import SceneSource, Wrapped


@dataclass(frozen=True)
class Dip:
    #: Seconds of the fade at each end (half the theme's transition, at most a quarter of the scene).
    half: float
    color: tuple[int, int, int]
    #: The scene's length in seconds.
    duration: float
    #: Whether the scene fades in at its start and out at its end (a cut at the other).
    ends: tuple[bool, bool] = (True, True)

    @classmethod
    def for_theme(cls, theme: Theme, duration: float, ends: tuple[bool, bool] = (True, True)) -> Dip | None:
        """The theme's dip for a ``duration``-second scene at the ``ends`` that dip (None when neither does)."""
        spec = theme.transition
        half = min(spec.seconds / 2, duration / 4)
        if not any(ends) or half <= 0:
            return None
        return cls(half, rgb(spec.color or theme.colors.background_edge), duration, ends)

    def apply(self, source: SceneSource) -> SceneSource:
        color = np.array(self.color, dtype=np.float32)

        def dipped(t: float, image: np.ndarray) -> np.ndarray:
            into, out_of = self.ends
            k = min(t / self.half if into else 1.0, (self.duration - t) / self.half if out_of else 1.0, 1.0)
            if k >= 1.0:
                return image
            w = ease_in_out(max(0.0, k))
            # Each channel's 256 values through a table, with the same float32 sums the frame's pixels had:
            # the same bytes, 4.6 ms a 1080p frame in Pillow against 25 ms for the sums over every pixel.
            table = (np.arange(256, dtype=np.float32)[:, None] * w + color * (1.0 - w) + 0.5).astype(np.uint8)
            return np.asarray(Image.fromarray(image).point(table.T.ravel().tolist()))  # uint8 HxWx3: RGB

        return Wrapped(source, dipped)
