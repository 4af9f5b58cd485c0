"""A scene's transitions as effects: the one at its start and the one at its end, by name; and how a layered scene
shows one that moves the picture.

``planning/transitions.joins`` names each scene's two (a cut, a dip, a whip, a wipe, a zoom); each is one module
here, and each draws its half from the scene's own frames alone.

A layered scene's moving picture is made by ffmpeg, under a layer drawn here (sources/base.py). A dip or a wipe
only changes colours, so it is drawn on the layer, over black and over white, as over any picture. A whip or a zoom
moves the picture itself, which ffmpeg's backdrop would not do: in the frames it touches (a quarter second at most),
the layer is the whole picture drawn here (``frame()``, as stills and the preview show it), moved, and opaque, so
it covers the backdrop; outside them the layer is what it always is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.drawing.effects.dip import Dip
from pipeline.drawing.effects.whip import Whip
from pipeline.drawing.effects.wipe import Wipe
from pipeline.drawing.effects.zoom import Zoom
from pipeline.drawing.slides.theme import Join, Theme
from pipeline.drawing.sources import with_effects
from pipeline.drawing.sources.base import Effect, Layered, Over, SceneSource

#: Each transition but the cut, by the name a theme and a scene give it.
EFFECTS: dict[str, type[Dip | Whip | Wipe | Zoom]] = {"dip": Dip, "whip": Whip, "wipe": Wipe, "zoom": Zoom}


def halves(theme: Theme, duration: float, joins: tuple[Join, Join]) -> list[Effect]:
    """The effects that draw a ``duration``-second scene's half of the transition at its start and at its end."""
    made = []
    for name in dict.fromkeys(joins):  # in order, once each: a scene that dips at both ends has one dip
        if name != "cut":
            effect = EFFECTS[name].for_theme(theme, duration, (joins[0] == name, joins[1] == name))
            made += [effect] if effect else []
    return made


def seconds(theme: Theme, name: Join) -> float:
    """How long the transition ``name`` takes at each side of the cut in ``theme`` (0 for a cut), in a scene long
    enough not to shorten it."""
    if name == "cut":
        return 0.0
    effect = EFFECTS[name].for_theme(theme, math.inf, (True, True))
    return effect.half if effect else 0.0


def moves(effect: Effect) -> bool:
    """Whether ``effect`` moves the picture (a whip, a zoom), not only its colours."""
    return getattr(effect, "moves", False)


def layers(source: Layered, effects: Sequence[Effect], bases: Sequence[tuple[int, int, int]]) -> list[SceneSource]:
    """A layered ``source``'s layer over each of ``bases``, with ``effects`` (in order): see the module's doc."""
    moving = [effect for effect in effects if moves(effect)]
    drawn = [with_effects(source.layer(base), [e for e in effects if not moves(e)]) for base in bases]
    if not moving:
        return drawn
    whole = _Once(with_effects(source, list(effects)))  # type: ignore[arg-type]  # a Layered is a source too
    return [Covered(layer, whole, tuple(moving)) for layer in drawn]


@dataclass
class Covered(Over):
    """A layer (``inner``) that is ``whole`` (the whole picture, opaque) in the frames ``moving`` touches."""

    whole: SceneSource
    moving: tuple[Effect, ...]

    def frame(self, t: float) -> np.ndarray:
        if any(effect.touches(t) for effect in self.moving):  # type: ignore[attr-defined]
            return self.whole.frame(t)
        return self.inner.frame(t)


@dataclass
class _Once(Over):
    """``inner``'s frames, the last one kept: the layers over black and over white ask for each frame in turn."""

    _last: tuple[float, np.ndarray] | None = field(default=None, repr=False)

    def frame(self, t: float) -> np.ndarray:
        if self._last is None or self._last[0] != t:
            self._last = (t, self.inner.frame(t))
        return self._last[1]

    def close(self) -> None:
        pass  # the scene's source is closed by whoever opened it
