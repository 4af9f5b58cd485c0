"""A size asked for instead of the storyboard's (``--size``, the MCP tools' ``size``): its form, and whether it keeps
a format's shape. Here so that every face refuses the same sizes in the same words."""

from __future__ import annotations

import math
import re

from pipeline.core.errors import UsageError
from pipeline.core.formats import DEFAULT, FORMATS


def parse_size(value: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720): both sides even, from 64x36 to 7680x4320."""
    match = re.fullmatch(r"(\d+)x(\d+)", value.strip())
    if not match:
        raise UsageError(f"'{value}' is not WIDTHxHEIGHT, e.g. 1280x720")
    width, height = int(match[1]), int(match[2])
    if width % 2 or height % 2 or not (64 <= width <= 7680 and 36 <= height <= 4320):
        raise UsageError(f"'{value}': width and height must be even, from 64x36 to 7680x4320")
    return width, height


def check_shape(format_name: str, size: tuple[int, int] | None, option: str = "--size") -> None:
    """A size for another format must keep that format's shape (a 16:9 size would squash a 9:16 layout).
    ``option``: what the face calls the size, for the message."""
    if size is None or format_name == DEFAULT:
        return
    width, height = FORMATS[format_name].size
    if abs(size[0] / size[1] - width / height) > 0.01:
        example = "x".join(map(str, of_shape(width, height)))
        raise UsageError(f"{option} {size[0]}x{size[1]} is not the {format_name} format's shape ({width}x{height}); "
                         f"give a size of that shape, e.g. {example}")  # fmt: skip


def of_shape(width: int, height: int) -> tuple[int, int]:
    """A size --size takes (both sides even, 64x36 or more) of exactly the shape width x height, near a quarter of
    it: 270x480 for 1080x1920. A quarter rounded could be odd (1080x1350 gave 270x337, which --size refused)."""
    step = math.gcd(width, height)
    w, h = width // step, height // step
    if w % 2 or h % 2:
        w, h = w * 2, h * 2
    times = max(round(width / 4 / w), -(-64 // w), -(-36 // h), 1)
    return w * times, h * times
