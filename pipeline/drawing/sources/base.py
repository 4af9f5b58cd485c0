"""What a scene's picture comes from: a scene source.

A source gives the scene's frames by time and a representative still (for
stills, sheets and thumbnails), and is closed when the scene is done. A drawn
slide is one source; a video clip is another; a transition or burned-in
captions are effects that wrap any source and are sources themselves.

What a scene's kind knows without drawing (its own length, the sound it brings,
media prepared once for it) comes from its ``SourceKind``, read while the
render is planned and its soundtrack mixed, long before a frame is drawn.

Frames are HxWx3 uint8 arrays. A source returns the very same array object
for a frame that did not change, so the encoder can see a hold and encode it
once (see encode.py).

A source whose picture moves in every frame (a camera move over a photo,
footage) can also be ``Layered``: ffmpeg makes its moving picture (the
``Backdrop``) in C, and Python draws only what lies over it (text, shades,
captions, the dip), which changes in a few frames. The encoder then sends
ffmpeg just those few frames of the layer; ``frame()`` stays the whole
picture, drawn here, for stills, sheets and the preview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from pipeline.core.assets import Asset
    from pipeline.core.cache import Store
    from pipeline.core.formats import Frame
    from pipeline.drawing.slides.base import Canvas, SceneContext, SpecBase


@runtime_checkable
class SceneSource(Protocol):
    def frame(self, t: float) -> np.ndarray:
        """The frame ``t`` seconds into the scene."""
        ...

    def still(self) -> np.ndarray:
        """The frame that stands for the scene (a slide's settled frame)."""
        ...

    @property
    def still_time(self) -> float:
        """When in the scene ``still()``'s frame is shown (seconds)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Backdrop:
    """A moving picture ffmpeg makes itself, under a layered scene's drawn layer.

    ``inputs`` are ffmpeg's arguments for its one input (ending in ``-i FILE``); ``chain`` is the filter chain
    from that input's video to the scene's frames: its size and frame rate, yuv420p with BT.709 colours in TV
    range, from time 0, as many frames as the scene has or more (the encoder stops at the scene's last frame).

    A backdrop made here instead has a ``feed``: ``feed(pipe, frames)`` writes its first ``frames`` raw frames,
    in the format ``inputs`` declare (which then stop before ``-i``: the encoder names the pipe), from a thread
    of its own while the layer is drawn.
    """

    inputs: tuple[str, ...]
    chain: str
    feed: Callable[[BinaryIO, int], None] | None = None


@runtime_checkable
class Layered(Protocol):
    """A source whose moving picture ffmpeg makes (``backdrop``), under a layer drawn here (``layer``)."""

    def backdrop(self, scratch: Path) -> Backdrop:
        """The moving picture, for ffmpeg. A file it needs only while the scene is encoded goes in ``scratch``, a
        folder beside the scene's clip that is removed with the scene (a killed worker's is a partial file)."""
        ...

    def layer(self, base: tuple[int, int, int]) -> SceneSource:
        """What is drawn over the backdrop, drawn over a flat ``base`` colour instead: the encoder draws it over
        black and over white, and the two give the layer's colour and its opacity exactly (encode.py)."""
        ...


@dataclass
class Over:
    """A source over ``inner`` whose still, still time and closing are ``inner``'s: a wrapper that changes only the
    frames it gives (an effect, a layer) says ``frame`` and nothing else."""

    inner: SceneSource

    def still(self) -> np.ndarray:
        return self.inner.still()

    @property
    def still_time(self) -> float:
        return self.inner.still_time

    def close(self) -> None:
        self.inner.close()


@dataclass
class Wrapped(Over):
    """A source whose frames pass through ``change``: what an effect returns. Its still passes on."""

    change: Callable[[float, np.ndarray], np.ndarray]

    def frame(self, t: float) -> np.ndarray:
        return self.change(t, self.inner.frame(t))


class Effect(Protocol):
    """A change over any source (a dip at the scene's ends, burned-in captions): one ``apply``."""

    def apply(self, source: SceneSource) -> SceneSource: ...


@dataclass(frozen=True)
class OwnSound:
    """The sound a scene brings with it (footage's own), mixed into the one soundtrack on the plan's clock.

    ``key`` names its samples in the cache and ``decode(target)`` writes them there (float32 at the mix's rate);
    they play from the scene's start at ``volume`` dB against the narration, dipped under it when ``duck``, and
    with ``loop`` start again every ``seconds`` until the scene ends."""

    key: str
    decode: Callable[[Path], None]
    seconds: float
    volume: float
    duck: bool
    loop: bool


def _nothing(*args: object) -> None:
    return None


@dataclass(frozen=True)
class SourceKind:
    """What makes the scenes of a slide kind that is not simply drawn: ``open`` gives their frames; the rest is
    known from the slide's fields and the project's files without drawing anything, while the render is planned:

    - ``own_seconds(spec, root)``: the scene's own length (a clip's cut; with no narration it lasts that long), or
      None when the narration decides;
    - ``own_sound(spec, root, seconds)``: the ``OwnSound`` a scene of that length brings, or None;
    - ``prepared(spec, files, frame, seconds, store)``: where media made once for the scene goes in the cache (a
      looping clip, normalized), named by everything that shapes it, or None.
    """

    open: Callable[[SpecBase, Canvas, SceneContext], SceneSource]
    own_seconds: Callable[[SpecBase, Path], float | None] = _nothing
    own_sound: Callable[[SpecBase, Path, float], OwnSound | None] = _nothing
    prepared: Callable[[SpecBase, tuple[Asset, ...], Frame, float, Store], Path | None] = _nothing
