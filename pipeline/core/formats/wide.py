"""`wide`: 16:9 landscape, 1920x1080, what YouTube's player and every TV show.

Title-safe is SMPTE ST 2046-1's 93% area for 16:9 (3.5% at each edge; the
shipped themes keep 5%). Nothing on a wide YouTube video is covered by the
player except while its controls are shown, so the platform-safe area is the
whole frame. Captions keep to the common 42-character line; the thumbnail is
YouTube's recommended 1280x720.
"""

from pipeline.core.formats.base import FormatProfile, Insets

PROFILE = FormatProfile(
    name="wide",
    size=(1920, 1080),
    title_safe=Insets.even(0.035),
    platform_safe=Insets(),
    caption_chars=42,
    thumbnail=(1280, 720),
)
