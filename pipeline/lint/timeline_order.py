"""`timeline-order`: a timeline whose events are not in date order.

A timeline is read left to right as time passing; an event dated before the one to its left ('1994' after
'2003', or a decade that ended before a year to its left) says the story goes backwards. A date means a span
('1991' all of that year, 'Aug 2020' a month, '1990s' ten years): an event is out of order when its span ends
before the span of an event to its left starts, so '1990s' after '1991' is in order. An event whose date has
no year is not judged.
"""

from __future__ import annotations

import re

from pipeline.lint.base import Context, Warning

RULE = "timeline-order"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def when(date: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first and last (year, month) a timeline date may mean: '1991' is all of 1991, 'Aug 2020' August,
    '1990s' 1990 to 1999; None when it names no year."""
    m = re.search(r"(?<!\d)(\d{3,4})(s\b)?(?!\d)", date)
    if m is None:
        return None
    year = -int(m.group(1)) if re.search(r"\bBCE?\b", date) else int(m.group(1))
    month = next((i + 1 for i, name in enumerate(_MONTHS) if re.search(rf"\b{name}", date.lower())), 0)
    if m.group(2):
        return (year, 1), (year + 9, 12)
    return ((year, month), (year, month)) if month else ((year, 1), (year, 12))


def check(context: Context) -> list[Warning]:
    found = []
    for entry in context.entries:
        slide = entry.scene.slide
        if slide.kind != "timeline":
            continue
        latest = None  # the latest start so far, and its event
        for i, event in enumerate(slide.events):
            span = when(str(event.date))
            if span is None:
                continue
            if latest is not None and span[1] < latest[0]:  # ends before an event to its left starts
                message = (
                    f"event {i + 1} ({event.date}) comes after event {latest[1] + 1} ({slide.events[latest[1]].date}) "
                    "but is dated before it: put the events in date order"
                )
                found.append(context.at((*entry.place, "slide", "events", i, "date"), RULE, message))
            if latest is None or span[0] > latest[0]:
                latest = (span[0], i)
    return found
