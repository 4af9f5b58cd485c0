"""A whip: the outgoing scene is pushed off to the left, faster and faster, and the incoming one arrives from the
right, slowing to rest; the cut falls at the top speed, so the eye reads one continuous push.

Each half moves only its own scene (halves.py). The outgoing scene has gone ``TRAVEL`` of the frame's width at
the cut and the incoming one starts that far to the right, both at the same speed there; the room a scene leaves
is filled with its own edge, mirrored (as a motion tile does), and each frame is smeared along the move by as far
as the picture travels in ``EXPOSURE`` seconds (a box blur along one axis, from running sums of the rows). An
effect over any scene source: a layered scene draws its whole picture in these frames (joins.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from PIL import Image

from pipeline.drawing.effects.halves import Halves
from pipeline.drawing.sources.base import SceneSource, Wrapped

#: How far (of the frame's width) the outgoing scene has moved off at the cut, and the incoming one still comes.
TRAVEL = 0.5
#: The curve's power: the offset goes as the half's progress to this power (speed 0 at the far end of each half).
POWER = 2.5
#: The blur's length: how far the picture moves in this long (seconds), at its speed in the frame.
EXPOSURE = 1 / 40


@dataclass(frozen=True)
class Whip(Halves):
    moves: ClassVar[bool] = True

    def offset(self, course: float) -> tuple[float, float]:
        """Where the scene is at ``course`` (of the frame's width; negative: to the left) and how fast it moves
        (widths a second)."""
        if course <= 1.0:  # outgoing: from rest, faster and faster, off to the left
            return -TRAVEL * course**POWER, -TRAVEL * POWER * course ** (POWER - 1) / self.half
        left = 2.0 - course  # incoming: from the right, slower and slower, to rest
        return TRAVEL * left**POWER, -TRAVEL * POWER * left ** (POWER - 1) / self.half

    def apply(self, source: SceneSource) -> SceneSource:
        def whipped(t: float, image: np.ndarray) -> np.ndarray:
            course = self.course(t)
            if course is None:
                return image
            width = image.shape[1]
            where, speed = self.offset(course)
            return pushed(image, where * width, abs(speed) * width * EXPOSURE)

        return Wrapped(source, whipped)


def pushed(image: np.ndarray, shift: float, blur: float) -> np.ndarray:
    """``image`` moved ``shift`` pixels to the right (left when negative), the room it leaves filled with its own
    edge mirrored, and smeared along the move over about ``blur`` pixels (a horizontal motion blur).

    The blur is the moved rows cut into runs of ``blur`` pixels, each run's mean (Pillow's box filter), spread back
    between the runs' centres (its linear filter): each pixel the mean of the ``blur`` pixels it passed over,
    softened at the ends, for two resizes along the rows (16 ms a 1080p frame, against 90 for running sums)."""
    height, width, _ = image.shape
    n = round(blur)
    if n < 2:
        return image if round(shift) == 0 else strip(image, round(-shift), width)
    runs = -(-(width + n) // n) + 1
    first = round(-shift - n / 2)  # output column 0 is the mean of this column and the n - 1 after it
    means = Image.fromarray(strip(image, first, runs * n)).resize((runs, height), Image.Resampling.BOX)
    # Output column x is the mean of strip columns x to x + n - 1, centred on x + n/2: run x/n's centre.
    left = 0.5 - 0.5 / n
    box = (left, 0, left + width / n, height)
    return np.asarray(means.resize((width, height), Image.Resampling.BILINEAR, box=box))


def strip(image: np.ndarray, first: int, count: int) -> np.ndarray:
    """Columns ``first`` to ``first + count - 1`` of ``image`` tiled sideways with every other copy mirrored, so
    a column past either edge is the one as far inside it."""
    width = image.shape[1]
    flipped = image[:, ::-1]
    parts, column = [], first
    while column < first + count:
        at = column % (2 * width)
        tile, at = (image, at) if at < width else (flipped, at - width)  # flipped's column k is column width-1-k
        part = tile[:, at : min(width, at + first + count - column)]
        parts.append(part)
        column += part.shape[1]
    return np.ascontiguousarray(parts[0]) if len(parts) == 1 else np.concatenate(parts, axis=1)
