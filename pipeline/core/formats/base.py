"""What a format is: a frame shape and the areas of it that text and figures must keep inside.

A format profile is data. Slides lay out in a unit taken from the frame's
short side and inside ``Frame.safe`` (the title-safe area, pulled in further
where a platform's buttons and captions cover the picture), so a portrait or
square frame is a new profile, not new layout code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Insets:
    """Space kept clear at each edge: top and bottom as fractions of the height, left and right of the width."""

    top: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    left: float = 0.0

    def widest(self, other: Insets) -> Insets:
        """Each edge's larger inset: what clears both."""
        return Insets(
            max(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
            max(self.left, other.left),
        )

    @staticmethod
    def even(fraction: float) -> Insets:
        return Insets(fraction, fraction, fraction, fraction)


@dataclass(frozen=True)
class FormatProfile:
    """A screen the video is made for."""

    #: The name ``RenderOptions(format=...)`` uses.
    name: str
    #: The default frame size (width, height) in pixels.
    size: tuple[int, int]
    #: The least margin text keeps from the frame's edges (broadcast title-safe); a theme may ask for more.
    title_safe: Insets
    #: What the platform's own overlays (buttons, titles, progress bar) cover: nothing important goes there.
    platform_safe: Insets
    #: The longest caption line, in characters.
    caption_chars: int
    #: Thumbnail size in pixels (width, height).
    thumbnail: tuple[int, int]

    def keep_clear(self) -> Insets:
        """The margins every slide's content keeps: title-safe and platform-safe together."""
        return self.title_safe.widest(self.platform_safe)


@dataclass(frozen=True)
class Frame:
    """The frame one render, still or check draws: its size, rate and format profile."""

    width: int
    height: int
    fps: int
    profile: FormatProfile
