"""The camera over a drawn slide: a slow push-in while the slide holds, and a pull back as the next element enters.

A slide's elements enter with the narration and then stay; between entrances it holds while the narrator talks,
sometimes for many seconds. A held frame costs nothing to encode (one GOP, repeated), but a viewer sees a picture
that stands still. So, as a documentary editor would over a still, the camera pushes in slowly, by the theme's
``motion.push`` of the frame a second, once the slide has stood still for ``motion.hold`` seconds (nothing
entering, no word being marked: a mark is motion a viewer sees), toward the middle of what is on screen; it goes on
through words marked after it starts, and eases back to the full frame while the next element enters, so that is
seen whole. Short holds stay still, and so stay free to encode.

Only the frames of a long hold move, in steps of ``STEP`` seconds (a push of a few per cent moves under a pixel a
step), so the cost of motion is paid where a picture would otherwise stand still, and nowhere else.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from pipeline.drawing.slides.easing import ease_in_out

#: Seconds between the camera's steps: frames between are the same frame, drawn once and encoded as a repeat.
STEP = 0.1
#: The camera never pushes further than this (of the frame), however long the hold: the title-safe margin stays in.
MOST = 0.05
#: Seconds the camera takes to pull back to the full frame as the next element enters.
PULL = 0.6
#: The shortest push: a hold that leaves less than this after the camera's wait stays still.
SHORTEST = 1.0


@dataclass(frozen=True)
class Push:
    """One push-in: from ``start`` (zoom 1) to ``end`` (zoom ``1 + depth``), then back to 1 by ``back`` (or never,
    at the scene's end)."""

    start: float
    end: float
    depth: float
    back: float | None

    def zoom(self, t: float) -> float:
        if t < self.start or (self.back is not None and t >= self.back):
            return 1.0
        if t < self.end:
            return 1.0 + self.depth * ease_in_out((t - self.start) / (self.end - self.start))
        if self.back is None:
            return 1.0 + self.depth
        return 1.0 + self.depth * (1.0 - ease_in_out((t - self.end) / (self.back - self.end)))


def holds(busy: Iterable[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """The stretches of ``[0, duration)`` in which nothing in ``busy`` (start, end) moves."""
    found, at = [], 0.0
    for start, end in sorted(busy):
        if start > at:
            found.append((at, start))
        at = max(at, end)
    if duration > at:
        found.append((at, duration))
    return found


def pushes(
    busy: Iterable[tuple[float, float]],
    duration: float,
    rate: float,
    after: float,
    minor: Iterable[tuple[float, float]] = (),
) -> tuple[Push, ...]:
    """The camera's pushes over a scene of ``duration`` seconds whose elements enter in ``busy``: in each hold,
    once nothing at all has moved for ``after`` seconds (not even the small changes in ``minor``: a word marked, a
    ping), to the hold's end, ``rate`` of the frame a second deep (at most MOST), eased in and out; none where that
    leaves under SHORTEST seconds. A push goes on through the small changes that come after it starts."""
    if rate <= 0 or duration <= 0:
        return ()
    minor = sorted(minor)
    found: list[Push] = []
    for hold_start, end in holds(busy, duration):
        # A push starts once the one before it is back at the full frame.
        earliest = max(hold_start, found[-1].back or 0.0) if found else hold_start
        start = _still_for(after, earliest, end, minor)
        if start is None or end - start < SHORTEST:
            continue
        at_end = end >= duration - 1e-6
        # The push ends where the hold does; a hold the next element ends is left as that element enters.
        found.append(Push(start, end, min(MOST, rate * (end - start)), None if at_end else end + PULL))
    return tuple(found)


def _still_for(seconds: float, start: float, end: float, minor: list[tuple[float, float]]) -> float | None:
    """The first moment in ``[start, end)`` after ``seconds`` with none of ``minor`` moving, or None."""
    quiet_since = start
    for a, b in minor:
        if b <= quiet_since or a >= end:
            continue
        if a - quiet_since >= seconds:
            break
        quiet_since = max(quiet_since, b)
    moment = quiet_since + seconds
    return moment if moment < end else None


@dataclass
class Camera:
    """The camera's pushes over one slide, and the frames it makes from the slide's own (see ``frame``)."""

    moves: tuple[Push, ...]
    background: np.ndarray | None = None
    _last: tuple[float, np.ndarray, np.ndarray] | None = None
    _focus: dict[int, tuple[float, float]] | None = None

    def zoom(self, t: float) -> float:
        """The zoom at ``t``, on the camera's steps (so frames within a step are the same frame)."""
        for move in self.moves:
            if move.start <= t < (move.back if move.back is not None else math.inf):
                stepped = move.start + math.floor((t - move.start) / STEP + 1e-9) * STEP  # 5.1 s: a step on, not 4.999
                return move.zoom(stepped) if t < move.end or move.back is None else move.zoom(t)
        return 1.0

    def frame(self, t: float, unmoved: np.ndarray) -> np.ndarray:
        """``unmoved`` (the slide's frame at ``t``) as the camera sees it: the same array when it is not pushed in,
        and the same pushed array for a frame and zoom it made last."""
        zoom = self.zoom(t)
        if zoom == 1.0:
            return unmoved
        if self._last is not None and self._last[0] == zoom and self._last[1] is unmoved:
            return self._last[2]
        pushed = push_in(unmoved, zoom, self.focus(t, unmoved))
        self._last = (zoom, unmoved, pushed)
        return pushed

    def focus(self, t: float, frame: np.ndarray) -> tuple[float, float]:
        """Where a push aims (x, y as shares of the frame): halfway between the frame's middle and the middle of
        what is drawn over the background when the push starts, so the camera moves toward the content."""
        move = max(i for i, m in enumerate(self.moves) if m.start <= t)
        self._focus = self._focus or {}
        if move not in self._focus:
            self._focus[move] = content_middle(frame, self.background)
        x, y = self._focus[move]
        return (0.5 + x) / 2, (0.5 + y) / 2


def content_middle(frame: np.ndarray, background: np.ndarray | None) -> tuple[float, float]:
    """The middle of what ``frame`` holds beyond ``background`` (shares of the frame), or the frame's middle."""
    if background is None or background.shape != frame.shape:
        return 0.5, 0.5
    small = (slice(None, None, 8), slice(None, None, 8))  # every 8th pixel: the bounds, cheaply
    drawn = np.abs(frame[small].astype(np.int16) - background[small]).max(axis=2) > 24
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if rows.size == 0:
        return 0.5, 0.5
    height, width = drawn.shape
    return (columns[0] + columns[-1] + 1) / 2 / width, (rows[0] + rows[-1] + 1) / 2 / height


def push_in(frame: np.ndarray, zoom: float, focus: tuple[float, float]) -> np.ndarray:
    """``frame`` enlarged ``zoom`` times about ``focus`` (shares of the frame) and cropped back to its size, sampled
    bilinearly at sub-pixel positions (a slow push moves a fraction of a pixel a step).

    OpenCV's affine warp, not Pillow's resize of a box: at 1080p 3.3 ms a frame against 37 (the resize 30, and the
    array into an image and back), and the camera pushed for half the shipped video's steps, so this was a fifth of
    a render's CPU. Pixel centres map as Pillow's box does: output pixel x samples ``left + (x + 0.5) / zoom - 0.5``.
    """
    import cv2  # imported where a push is first made: 0.3 s, which a render without pushes never pays

    height, width = frame.shape[:2]
    fx, fy = focus[0] * width, focus[1] * height
    scale = 1.0 / zoom
    left, top = fx - fx * scale, fy - fy * scale
    to_source = np.array([[scale, 0.0, left + 0.5 * scale - 0.5], [0.0, scale, top + 0.5 * scale - 0.5]])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(frame, to_source, (width, height), flags=flags, borderMode=cv2.BORDER_REPLICATE)
