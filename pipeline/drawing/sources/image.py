"""A picture scene's source: the ``image`` slide, whose camera move is fed to ffmpeg as a video.

Drawn here (``frame``, ``still``), the slide is the image kind's own drawing:
each frame a crop of the scaled picture, resized by Pillow. Encoded, the scene
is layered: the scaled picture is converted to yuv420p (BT.709, TV range) once,
and each frame's window is cut from its three planes and scaled to the frame in
one step (Pillow's separable resize with a sub-pixel box), half the bytes of
RGB, written to ffmpeg through a pipe of its own; the title and caption are the
layer drawn over it. The window moves in a straight line at a steady speed for
every move (``image.move_ends``).

ffmpeg's ``perspective`` filter cut the window before: 24.7 ms a 1080p frame,
and its ``scale`` 2 ms more, against 13.8 ms for the three planes here; and
it resampled twice (the window to the picture's size, then to the frame's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from pipeline.core import ffmpeg
from pipeline.drawing.slides import image
from pipeline.drawing.slides.base import Canvas, Element, SceneContext
from pipeline.drawing.sources.base import Backdrop, SourceKind
from pipeline.drawing.sources.slide import SlideSource


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
        first, last = image.move_ends(self.spec, width, height)
        planes = yuv_planes(image.covered(self.picture, *image.room(width, height), self.spec.focus))
        fps, seconds = self.fps, self.seconds

        def feed(pipe: BinaryIO, frames: int) -> None:
            shown, data = None, ()
            for i in range(frames):
                # Progress through the move at the frame, as the drawn slide has it (a hair early).
                p = min(1.0, (i / fps + 1e-6) / seconds)
                window = tuple(a + (b - a) * p for a, b in zip(first, last, strict=True))
                if window != shown:  # the same window (the move over, or none) is the same frame
                    shown, data = window, cut_window(planes, window, width, height)
                for plane in data:
                    pipe.write(plane)

        inputs = ("-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-framerate", str(fps))
        return Backdrop(inputs, ffmpeg.BT709_TAGS, feed)  # the planes are BT.709 in TV range already

    def layer(self, base: tuple[int, int, int]) -> SlideSource:
        return SlideSource.over(base, (self.canvas.width, self.canvas.height), self.text)


def yuv_planes(picture: Image.Image) -> tuple[Image.Image, Image.Image, Image.Image]:
    """``picture`` in yuv420p, BT.709 in TV range (ffmpeg's conversion, as every frame's): its three planes."""
    width, height = picture.size
    half = _chroma(width, height)
    data = ffmpeg.run(
        [
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-i", "pipe:0",
            "-vf", ffmpeg.to_bt709(), "-f", "rawvideo", "pipe:1",
        ],
        input=picture.convert("RGB").tobytes(),
        what="converting a picture",
    )  # fmt: skip
    luma, chroma = width * height, half[0] * half[1]
    return (
        Image.frombytes("L", (width, height), data[:luma]),
        Image.frombytes("L", half, data[luma : luma + chroma]),
        Image.frombytes("L", half, data[luma + chroma : luma + 2 * chroma]),
    )


def cut_window(planes: tuple[Image.Image, ...], window: image.Box4, width: int, height: int) -> tuple[bytes, ...]:
    """The frame showing ``window`` of the picture: each plane's part of it, scaled to the frame's (bilinear).
    The chroma planes are half the size each way, and so is their window."""
    half = _chroma(width, height)
    luma, *chroma = planes
    bilinear = Image.Resampling.BILINEAR
    return (
        luma.resize((width, height), bilinear, box=window).tobytes(),
        *(plane.resize(half, bilinear, box=tuple(v / 2 for v in window)).tobytes() for plane in chroma),
    )


def _chroma(width: int, height: int) -> tuple[int, int]:
    """The size of a yuv420p picture's chroma planes: half its own, rounded up."""
    return (width + 1) // 2, (height + 1) // 2


def open_source(spec: image.Spec, canvas: Canvas, context: SceneContext) -> ImageSource:
    """The picture ``spec`` names, moving over the scene, with its text."""
    picture = image.open_picture(context.asset(spec.file), spec.file)
    seconds, text = image.duration(context), image.text_over(spec, canvas)
    slide = image.drawn(spec, canvas, picture, seconds, text)
    return ImageSource(slide, spec=spec, canvas=canvas, picture=picture, seconds=seconds, fps=context.fps, text=text)


KIND = SourceKind(open_source)
