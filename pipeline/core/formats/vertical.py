"""`vertical`: 9:16 portrait, 1080x1920, for YouTube Shorts, Instagram Reels and TikTok.

All three draw their own buttons, names and captions over the picture, and a
Short is posted to all of them, so the platform-safe area clears their
overlays together, in pixels of 1080x1920: 288 at the top (channel name,
search and the status bar), 672 at the bottom (title, description, audio
label and progress bar: Meta asks Reels to keep the bottom 35% clear), 120 at
the left and 192 at the right (the like, comment and share rail). What is
left, 768x960 px, is where every text and figure goes. Captions keep to short
lines for the narrow column; the cover image is the frame's own size.
"""

from pipeline.core.formats.base import FormatProfile, Insets

WIDTH, HEIGHT = 1080, 1920

PROFILE = FormatProfile(
    name="vertical",
    size=(WIDTH, HEIGHT),
    title_safe=Insets.even(0.035),
    platform_safe=Insets(top=288 / HEIGHT, right=192 / WIDTH, bottom=672 / HEIGHT, left=120 / WIDTH),
    caption_chars=24,
    thumbnail=(WIDTH, HEIGHT),
)
