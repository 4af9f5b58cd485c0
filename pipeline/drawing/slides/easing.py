"""Easing curves: how a move starts and lands (progress 0..1 to eased progress 0..1)."""

from __future__ import annotations


def ease_out(p: float) -> float:
    """Cubic ease-out: fast start, gentle landing."""
    return 1.0 - (1.0 - p) ** 3


def ease_in_out(p: float) -> float:
    """Cubic ease-in-out: slow start, slow landing."""
    return 4 * p**3 if p < 0.5 else 1 - (-2 * p + 2) ** 3 / 2
