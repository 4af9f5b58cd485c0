"""Format profiles, keyed by name. A new format is one module with a ``PROFILE``, plus one line here."""

from __future__ import annotations

from pipeline.core.formats import square, vertical, wide
from pipeline.core.formats.base import FormatProfile, Frame, Insets

FORMATS: dict[str, FormatProfile] = {
    profile.name: profile for profile in (wide.PROFILE, vertical.PROFILE, square.PROFILE)
}
DEFAULT = "wide"

__all__ = ["DEFAULT", "FORMATS", "FormatProfile", "Frame", "Insets"]
