"""What a scene's picture comes from: a scene source.

A source gives the scene's frames by time, a representative still (for
stills, sheets and thumbnails), optionally its own sound and its own length,
and is closed when the scene is done. A drawn slide is one source; a video
clip is another; a transition or burned-in captions are effects that wrap any
source and are sources themselves.

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
from typing import BinaryIO, Protocol, runtime_checkable

import numpy as np


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

    def audio(self) -> np.ndarray | None:
        """The source's own sound (stereo float32 at the mix's rate, from the scene's start), or None."""
        ...

    @property
    def duration(self) -> float | None:
        """The source's own length in seconds, or None when the narration decides the scene's length."""
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
class Wrapped:
    """A source whose frames pass through ``change``: what an effect returns. Still, sound and length pass on."""

    inner: SceneSource
    change: Callable[[float, np.ndarray], np.ndarray]

    def frame(self, t: float) -> np.ndarray:
        return self.change(t, self.inner.frame(t))

    def still(self) -> np.ndarray:
        return self.inner.still()

    @property
    def still_time(self) -> float:
        return self.inner.still_time

    def audio(self) -> np.ndarray | None:
        return self.inner.audio()

    @property
    def duration(self) -> float | None:
        return self.inner.duration

    def close(self) -> None:
        self.inner.close()


class Effect(Protocol):
    """A change over any source (a dip at the scene's ends, burned-in captions): one ``apply``."""

    def apply(self, source: SceneSource) -> SceneSource: ...
