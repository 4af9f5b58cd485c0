"""`timeline-order`: a timeline whose events are not in date order.

A timeline is read left to right as time passing; an event dated before the one to its left ('1994' after
'2003', or a decade before a year) says the story goes backwards. Dates are read as the timeline reads them
('1991', 'Aug 2020', '1990s' as its first year); an event whose date has no year is not judged.
"""

from __future__ import annotations

import re

from pipeline.lint.base import Context, Warning

RULE = "timeline-order"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def when(date: str) -> tuple[int, int] | None:
    """(year, month) of a timeline date; a decade ('1990s') is its first year; None when it names no year."""
    m = re.search(r"(?<!\d)(\d{3,4})(?:s\b|(?!\d))", date)
    if m is None:
        return None
    month = next((i + 1 for i, name in enumerate(_MONTHS) if re.search(rf"\b{name}", date.lower())), 0)
    bc = re.search(r"\bBC\b|\bBCE\b", date)
    return (-int(m.group(1)) if bc else int(m.group(1))), month


def check(context: Context) -> list[Warning]:
    found = []
    for entry in context.entries:
        slide = entry.scene.slide
        if slide.kind != "timeline":
            continue
        latest = None
        for i, event in enumerate(slide.events):
            at = when(str(event.date))
            if at is None:
                continue
            if latest is not None and at < latest[0]:
                message = (
                    f"event {i + 1} ({event.date}) comes after event {latest[1] + 1} ({slide.events[latest[1]].date}) "
                    "but is dated before it: put the events in date order"
                )
                found.append(context.at((*entry.place, "slide", "events", i, "date"), RULE, message))
            if latest is None or at > latest[0]:
                latest = (at, i)
    return found
