"""Versions of what makes a render's sound and pixels, for cache keys.

A new version of a voice may sound different, and a new Pillow, FreeType,
numpy or ffmpeg may draw, resample or encode differently: each is part of the
key of what it makes, so an upgrade re-renders instead of reusing old clips.
"""

from __future__ import annotations

import functools
from importlib import metadata


@functools.cache
def version(package: str) -> str:
    """An installed package's version (asked once per process: a narration asks for each sentence's voice, and
    reading the metadata 344 times was 0.25 s of every narration, even one with nothing to speak)."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def drawing_stack() -> dict[str, str]:
    """Everything below explainer that draws or encodes a scene (asked once per process)."""
    from PIL import features

    from pipeline.core import ffmpeg

    return {
        "pillow": version("pillow"),
        "freetype": str(features.version("freetype2")),
        "numpy": version("numpy"),
        "opencv": version("opencv-python-headless"),  # the camera's push
        "moviepy": version("moviepy"),
        "icons": version("fontawesomefree"),
        "ffmpeg": ffmpeg.build(),
    }
