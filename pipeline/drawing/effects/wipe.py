"""A wipe: a panel in the theme's accent sweeps across from the left, covering the outgoing scene, and carries on
off the right, uncovering the incoming one.

The panel is as wide as the frame, so it covers all of it at the cut: its leading edge crosses the outgoing scene
over the last half of the transition, its trailing edge the incoming scene over the first half, on one eased
course (slow out of the left edge, fastest at the cut, slowing into the right). Under it a panel in the softer
accent leads it in and trails it out (``LEAD``), so a band of that colour rides each edge, widest where the move
is fastest: the edge reads even over a figure in the accent, which the panel alone swallowed. Its edges are crisp:
a column a panel only partly covers is blended by how much it covers, so an edge moves smoothly by less than a
pixel a frame. It changes only colours, not where the picture is: over a layered scene it is drawn on the layer,
as a dip is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.drawing.effects.halves import Halves
from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.slides.theme import Theme
from pipeline.drawing.sources.base import SceneSource, Wrapped


def sweep(p: float) -> float:
    """The panel's course (0-1 over the whole transition): eased in and out (quadratic), at its fastest across the
    cut, where it covers the frame: it moves about a quarter of the frame a frame there, so it is seen to pass."""
    return 2 * p * p if p < 0.5 else 1 - 2 * (1 - p) ** 2


#: How far along the course (0-2) the panel in the softer accent runs ahead of the main one coming in, and behind
#: it going out, at the cut (less toward the ends, where the panels are slow).
LEAD = 0.04
#: How much faster than the halves the panels move, so that they are gone by a half's last frame even at 24
#: frames a second (frame 5 of 6, at 0.83 of it): one left on it, slow at the end of its ease, was a band that
#: vanished on the next frame.
FINISH = 1.2


@dataclass(frozen=True)
class Wipe(Halves):
    color: tuple[int, int, int] = (0, 0, 0)
    #: The colour of the panel that leads it in and trails it out, a band along each edge (None: no band).
    edge: tuple[int, int, int] | None = None

    @classmethod
    def styled(cls, theme: Theme) -> dict[str, object]:
        return {"color": rgb(theme.transition.panel or theme.colors.accent), "edge": rgb(theme.colors.accent_soft)}

    def covered(self, course: float, width: int) -> tuple[float, float]:
        """The columns the panel covers at ``course``, from its trailing edge to its leading one (pixels)."""
        lead = 2 * width * sweep(min(1.0, max(0.0, course / 2)))
        return max(0.0, lead - width), min(float(width), lead)

    def apply(self, source: SceneSource) -> SceneSource:
        color = np.array(self.color, dtype=np.float32)
        edge = None if self.edge is None else np.array(self.edge, dtype=np.float32)

        def wiped(t: float, image: np.ndarray) -> np.ndarray:
            course = self.course(t)
            if course is None:
                return image
            width, along = image.shape[1], 1.0 + (course - 1.0) * FINISH
            if edge is not None:  # ahead of the panel on the way in, behind it on the way out; none at the ends
                left = self.covered(along - LEAD * (2.0 - along), width)[0]
                image = panel(image, left, self.covered(along + LEAD * along, width)[1], edge)
            return panel(image, *self.covered(along, width), color)

        return Wrapped(source, wiped)


def panel(image: np.ndarray, left: float, right: float, color: np.ndarray) -> np.ndarray:
    """``image`` with the columns from ``left`` to ``right`` (pixels, fractional) painted ``color``; a column
    partly covered is blended by its share. Nothing covered: ``image`` itself."""
    if right <= left:
        return image
    out = image.copy()
    width = image.shape[1]
    inner = (min(width, int(np.ceil(left))), max(0, int(np.floor(right))))
    if inner[0] < inner[1]:
        out[:, inner[0] : inner[1]] = color.astype(np.uint8)
    for column in {int(np.floor(left)), int(np.floor(right))}:
        if 0 <= column < width:
            share = min(right, column + 1) - max(left, column)
            if 0 < share < 1:
                blend = image[:, column].astype(np.float32) * (1 - share) + color * share + 0.5
                out[:, column] = blend.astype(np.uint8)
    return out
