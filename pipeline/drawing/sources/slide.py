"""A drawn slide as a scene source: the slide kind's builder, frame by frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from pipeline.drawing.slides import KINDS
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SpecBase


@dataclass
class SlideSource:
    slide: Slide

    def frame(self, t: float) -> np.ndarray:
        return self.slide.frame(t)

    def still(self) -> np.ndarray:
        return self.slide.still()

    @property
    def still_time(self) -> float:
        return self.slide.settle_time

    def close(self) -> None:
        pass

    @classmethod
    def over(cls, base: tuple[int, int, int], size: tuple[int, int], elements: list[Element]) -> SlideSource:
        """``elements`` drawn over a flat ``base`` colour: a layered source's layer (sources/base.py)."""
        return cls(Slide(Image.new("RGB", size, base), elements))


def open_source(spec: SpecBase, canvas: Canvas, context: SceneContext) -> SlideSource:
    """The slide ``spec`` describes, drawn on ``canvas`` (raises SlideError when it cannot be), with the theme's
    camera pushing in while it holds."""
    slide = KINDS[spec.kind].build(spec, canvas, context)
    motion = canvas.theme.motion
    slide.aim(context.duration, motion.push, motion.hold)
    return SlideSource(slide)
