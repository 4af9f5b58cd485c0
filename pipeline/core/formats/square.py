"""`square`: 1:1, 1080x1080, for feeds that show a square post (Instagram, Facebook, LinkedIn, X).

A feed post has no overlay on the picture itself (names and buttons sit above
and below it), so only the broadcast title-safe margin applies. Captions keep
to a medium line; the cover image is the frame's own size.
"""

from pipeline.core.formats.base import FormatProfile, Insets

PROFILE = FormatProfile(
    name="square",
    size=(1080, 1080),
    title_safe=Insets.even(0.035),
    platform_safe=Insets(),
    caption_chars=32,
    thumbnail=(1080, 1080),
)
