"""What a scene's picture comes from: a scene source.

A source gives the scene's frames by time, a representative still (for
stills, sheets and thumbnails), optionally its own sound and its own length,
and is closed when the scene is done. A drawn slide is one source; a video
clip is another; a transition or burned-in captions are effects that wrap any
source and are sources themselves.

Frames are HxWx3 uint8 arrays. A source returns the very same array object
for a frame that did not change, so the encoder can see a hold and encode it
once (see encode.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

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
