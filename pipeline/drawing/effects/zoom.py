"""A zoom through: the outgoing scene rushes up toward the camera from the frame's centre, blurred along its rays
and brightening to a flash at the cut; the incoming scene lands a little large out of that flash and settles to its
own size.

Each half scales only its own scene (halves.py), about the frame's centre: the outgoing one from 1 to ``OUT``
times, faster and faster; the incoming one from ``IN`` times to 1, slower and slower. The zoom blur is the frame
averaged with copies of itself scaled a little more, as far as it grows in ``EXPOSURE`` seconds (``through``: a
pass averages the picture with one copy of itself, so k passes make 2**k copies; a long blur at half the size).
An effect over any scene source: a layered scene draws its whole picture in these frames (joins.py). At 1080p a
frame takes 45-110 CPU-ms, most at the landing's last frames, sharp and at full size; seven or eight frames a side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from PIL import Image

from pipeline.drawing.effects.halves import Halves
from pipeline.drawing.sources.base import SceneSource, Wrapped

#: How large the outgoing scene is at the cut, and the incoming one at its first frame.
OUT, IN = 2.6, 1.3
#: The curves' power: the log of the scale goes as the half's progress to it (toward the cut and away from it).
POWER = 2.0
#: How far toward white the picture is at the cut (0: not at all, 1: white), and the power of its curve.
FLASH, FLASH_POWER = 0.85, 3.0
#: The blur's length: how much the picture grows in this long (seconds), at its speed in the frame.
EXPOSURE = 1 / 30
#: How far apart (pixels, at the corners) the blur's copies may be, at most.
SPACING = 1.5
#: Passes of the blur at most (copies: two to that power).
MOST_PASSES = 6
#: A blur that smears the corners further than this (pixels) is made at half the size.
HALF_FROM = 8.0


@dataclass(frozen=True)
class Zoom(Halves):
    moves: ClassVar[bool] = True

    def state(self, course: float) -> tuple[float, float, float]:
        """At ``course``: the scale, how much it grows over the blur's exposure (a factor), and the flash (0-1)."""
        if course <= 1.0:  # outgoing: up and up, toward the flash
            grow = math.log(OUT)
            near = course
        else:  # incoming: from large, settling, out of the flash
            grow = math.log(IN)
            near = 2.0 - course
        scale = math.exp(grow * near**POWER)
        speed = grow * POWER * near ** (POWER - 1) / self.half  # of the log scale, a second
        return scale, math.exp(speed * EXPOSURE), FLASH * near**FLASH_POWER

    def apply(self, source: SceneSource) -> SceneSource:
        def zoomed(t: float, image: np.ndarray) -> np.ndarray:
            course = self.course(t)
            if course is None:
                return image
            return through(image, *self.state(course))

        return Wrapped(source, zoomed)


def through(image: np.ndarray, scale: float, spread: float, flash: float) -> np.ndarray:
    """``image`` scaled up ``scale`` times about its centre, blurred along its rays over copies up to ``spread``
    times larger, and blended ``flash`` of the way to white.

    The copies are made by doubling: each pass averages the picture with itself scaled a step more, so ``k``
    passes give ``2**k`` copies, as many as keep them about ``SPACING`` pixels apart at the corners. A blur longer than
    ``HALF_FROM`` pixels there is made at half the size (a quarter of the pixels) and scaled back: it leaves no
    detail that half the size loses."""
    height, width = image.shape[:2]
    picture = Image.fromarray(image)
    reach = (spread - 1) * math.hypot(width, height) / 2  # how far the blur smears the corners (pixels)
    if reach < 1:
        picture = scaled(picture, scale)
    else:
        halved = reach > HALF_FROM
        if halved:
            picture, reach = picture.reduce(2), reach / 2
        picture = scaled(picture, scale)
        passes = min(MOST_PASSES, max(1, math.ceil(math.log2(reach / SPACING))))
        step = spread ** (1 / (2**passes - 1))  # the copies at step**0 ... step**(2**passes - 1)
        for power in range(passes):
            picture = Image.blend(picture, scaled(picture, step ** (2**power)), 0.5)
        if halved:
            picture = picture.resize((width, height), Image.Resampling.BILINEAR, box=(0, 0, width / 2, height / 2))
    if flash > 0:
        table = (np.arange(256, dtype=np.float32) * (1 - flash) + 255 * flash + 0.5).astype(np.uint8)
        picture = picture.point(table.tolist() * 3)
    return np.asarray(picture)


def scaled(picture: Image.Image, scale: float) -> Image.Image:
    """``picture`` scaled up ``scale`` times about its centre, cut to its own size."""
    if scale <= 1.0:
        return picture
    width, height = picture.size
    w, h = width / scale, height / scale
    box = ((width - w) / 2, (height - h) / 2, (width + w) / 2, (height + h) / 2)
    return picture.resize((width, height), Image.Resampling.BILINEAR, box=box)
