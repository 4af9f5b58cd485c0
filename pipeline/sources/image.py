"""A picture scene's source: the ``image`` slide, whose camera move ffmpeg makes in a video.

Drawn here (``frame``, ``still``), the slide is the image kind's own drawing:
each frame a crop of the scaled picture, resized by Pillow. Encoded, the scene
is layered: the scaled picture goes to ffmpeg once, as raw pixels in a
file beside the scene's clip (removed with it), and ffmpeg's ``perspective`` filter cuts each frame's window
from it (sub-pixel, bilinear) and ``scale`` brings it to the frame, in C and
in yuv420p, half the bytes of RGB; the title and caption are the layer drawn
over it. The window moves in a straight line at a steady speed for every move
(``image.move_ends``), so the filter needs only its two ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from pipeline import ffmpeg
from pipeline.slides import image
from pipeline.slides.base import Canvas, Element, SceneContext
from pipeline.sources.base import Backdrop
from pipeline.sources.slide import SlideSource


@dataclass
class ImageSource(SlideSource):
    spec: image.Spec = field(kw_only=True)
    canvas: Canvas = field(kw_only=True)
    picture: Image.Image = field(kw_only=True)
    seconds: float = field(kw_only=True)
    fps: int = field(kw_only=True)
    #: The title, caption and credit, laid out once for the drawn slide and the layer.
    text: list[Element] = field(kw_only=True)

    def backdrop(self, scratch: Path) -> Backdrop:
        width, height = self.canvas.width, self.canvas.height
        sw, sh = image.room(width, height)
        raw = scratch / "picture.rgb"
        raw.write_bytes(image.covered(self.picture, sw, sh, self.spec.focus).tobytes())
        first, last = image.move_ends(self.spec, width, height)
        # Progress through the move at the frame ("on" counts from 1), as the drawn slide has it (a hair early).
        p = f"min(1,((on-1)/{self.fps}+1e-6)/{self.seconds!r})"
        x0, y0, x1, y1 = (f"{a!r}+{b - a!r}*{p}" for a, b in zip(first, last, strict=True))
        corners = {"x0": x0, "y0": y0, "x1": x1, "y1": y0, "x2": x0, "y2": y1, "x3": x1, "y3": y1}
        window = ":".join(f"{name}='{value}'" for name, value in corners.items())
        chain = (
            f"{ffmpeg.to_bt709()},loop=loop=-1:size=1,settb=1/{self.fps},setpts=N,"
            f"perspective={window}:interpolation=linear:eval=frame,scale={width}:{height}:flags=bilinear"
        )
        # The rate matters though the picture is one frame: ffmpeg's output keeps the rate its input declares.
        inputs = ("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{sw}x{sh}", "-framerate", str(self.fps))
        return Backdrop((*inputs, "-i", str(raw)), chain)

    def layer(self, base: tuple[int, int, int]) -> SlideSource:
        return SlideSource.over(base, (self.canvas.width, self.canvas.height), self.text)


def open_source(spec: image.Spec, canvas: Canvas, context: SceneContext) -> ImageSource:
    """The picture ``spec`` names, moving over the scene, with its text."""
    picture = image.open_picture(context.asset(spec.file), spec.file)
    seconds, text = image.duration(context), image.text_over(spec, canvas)
    slide = image.drawn(spec, canvas, picture, seconds, text)
    return ImageSource(slide, spec=spec, canvas=canvas, picture=picture, seconds=seconds, fps=context.fps, text=text)
