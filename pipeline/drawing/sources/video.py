"""A footage scene's pictures: the normalized clip streamed frame by frame, with the text over it.

Frame ``i`` of the scene shows frame ``i`` of the cut (both at the video's
fps, from the scene's first frame). Past the cut's end, ``when_short`` says
what the picture does: ``freeze`` holds the last frame (returned as the same
array, so the encoder sees a hold), ``loop`` starts the cut again, ``slow``
was already stretched to the scene's length when the clip was prepared.

With ``prepared`` (a path in the cache) the clip is normalized once into it
and read from there; without it (a still, a contact sheet) the one frame
asked for is read straight from the file.

A scene is encoded as a layered source: ffmpeg decodes and fits the cut
itself (``backdrop``) under the text drawn here (``layer``), in one pass;
only a looping clip is normalized first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.core import assets
from pipeline.core.cache import Store
from pipeline.core.formats import Frame
from pipeline.drawing import footage
from pipeline.drawing.slides.base import Canvas, SceneContext, Slide
from pipeline.drawing.slides.video import Spec, clip, stretch, text_over
from pipeline.drawing.sources.base import Backdrop, OwnSound, SourceKind
from pipeline.drawing.sources.slide import SlideSource

#: The frame a still of footage shows, in seconds into the scene (past the text's entrance).
STILL_AT = 1.5


@dataclass
class VideoSource:
    spec: Spec
    overlay: Slide
    file: Path
    part: footage.Cut
    size: tuple[int, int]
    fps: int
    prepared: Path | None
    _stream: Iterator[np.ndarray] | None = field(default=None, repr=False)
    _index: int = field(default=-1, repr=False)
    _current: np.ndarray | None = field(default=None, repr=False)
    #: The last frame drawn over a settled text, and the picture it was drawn from.
    _composed: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def count(self) -> int:
        """Frames in the cut at the video's fps."""
        return max(1, round(self.part.seconds * self.fps))

    def frame(self, t: float) -> np.ndarray:
        wanted = round(t * self.fps)
        if wanted >= self.count:
            wanted = wanted % self.count if self.spec.when_short == "loop" else self.count - 1
        picture = self._picture(wanted)
        settled = t >= self.overlay.settle_time
        if self._composed is not None and self._composed[0] is picture and settled:
            return self._composed[1]  # a frozen frame under settled text: the very same array, a hold
        composed = self._compose(picture, t)
        self._composed = (picture, composed) if settled else None
        return composed

    def _compose(self, picture: np.ndarray, t: float) -> np.ndarray:
        if not self.overlay.elements:
            return picture
        image = Image.fromarray(picture)
        for element in self.overlay.elements:
            p = element.progress(t)
            if p > 0:
                element.paint(image, p)
        return np.asarray(image)

    def _picture(self, index: int) -> np.ndarray:
        if self.prepared is None:
            return footage.one_frame(self.file, self.part, self.spec.fit, self.size, index / self.fps)
        if index == self._index and self._current is not None:
            return self._current
        if self._stream is None or index < self._index:
            self._open()
        while self._index < index:
            got = next(self._stream, None)
            if got is None:  # the prepared clip ran out a frame early (rounding): hold its last
                break
            self._current, self._index = got, self._index + 1
        assert self._current is not None
        return self._current

    def _open(self) -> None:
        assert self.prepared is not None
        self.close()
        if not self.prepared.exists():
            footage.normalize(self.file, self.part, self.spec.fit, self.size, self.fps, self.prepared)
        self._stream, self._index, self._current = footage.frames(self.prepared, self.size), -1, None

    def still(self) -> np.ndarray:
        return self.frame(self.still_time)

    def backdrop(self, scratch: Path) -> Backdrop:
        looped = None
        if self.spec.when_short == "loop":
            assert self.prepared is not None, "a scene is encoded with a place to prepare its clip"
            if not self.prepared.exists():
                footage.normalize(self.file, self.part, self.spec.fit, self.size, self.fps, self.prepared)
            looped = self.prepared
        return Backdrop(*footage.backdrop(self.file, self.part, self.spec.fit, self.size, self.fps, self.count, looped))

    def layer(self, base: tuple[int, int, int]) -> SlideSource:
        return SlideSource.over(base, self.size, self.overlay.elements)

    @property
    def still_time(self) -> float:
        return min(STILL_AT, max(0.0, self.part.seconds - 1 / self.fps))

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()  # ends the generator: its ffmpeg is stopped
            self._stream = None


def open_source(spec: Spec, canvas: Canvas, context: SceneContext) -> VideoSource:
    """The footage ``spec`` names, fitted to ``canvas``; the text over it drawn by the ``video`` kind."""
    file = context.asset(spec.file)
    part = stretch(spec, clip(spec, file)[1], context.duration)
    size = (canvas.width, canvas.height)
    return VideoSource(spec, text_over(spec, canvas), file, part, size, context.fps, context.prepared)


def own_seconds(spec: Spec, root: Path) -> float:
    """How long the cut plays: the scene lasts that long when it has no narration."""
    return clip(spec, root / spec.file)[1].seconds


def own_sound(spec: Spec, root: Path, seconds: float) -> OwnSound | None:
    """The clip's own sound over a scene of ``seconds`` (None when muted or the file has none)."""
    if spec.volume is None:
        return None
    file = root / spec.file
    probed, part = clip(spec, file)
    if not probed.audio:
        return None
    part = stretch(spec, part, seconds)
    key = footage.key(assets.digest(file), part, sound=True)

    def decode(target: Path) -> None:
        footage.sound(file, part, target)

    return OwnSound(key, decode, part.seconds, spec.volume, spec.duck, spec.when_short == "loop")


def prepared(spec: Spec, files: tuple[assets.Asset, ...], frame: Frame, seconds: float, store: Store) -> Path | None:
    """Where a looping clip is normalized once (each pass of the loop plays it): named by the file's content and
    all that shapes it. Other footage is decoded straight into the scene's encoder."""
    if spec.when_short != "loop":
        return None
    (file,) = files
    part = stretch(spec, clip(spec, file.path)[1], seconds)
    digest = footage.key(file.digest, part, fit=spec.fit, size=[frame.width, frame.height], fps=frame.fps)
    return store.path("footage", digest, ".mkv")


KIND = SourceKind(open_source, own_seconds, own_sound, prepared)
