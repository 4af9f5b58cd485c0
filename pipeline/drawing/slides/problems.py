"""What a slide raises when its spec cannot be drawn; the loader reports it at the field."""

from __future__ import annotations


class SlideError(Exception):
    """A slide cannot be drawn from its spec; ``field`` is the dotted path inside the slide."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)

    @property
    def path(self) -> tuple[str | int, ...]:
        """The field as a path in the slide's data: 'stops.2.sentence' -> ('stops', 2, 'sentence')."""
        return tuple(int(p) if p.isdigit() else p for p in self.field.split("."))


class FitError(SlideError):
    """Text for ``field`` does not fit its box even at the smallest allowed size."""
