"""`no-source`: a slide that shows data without saying where it comes from.

The kinds that show figures have a ``source`` field, drawn under them in small type: `stat`,
`chart`, `scale` and `profile` always show data; `compare` does when one of its two sides is a
figure (a digit in its value: "$2,000", "20 hours"; "China or Russia" is not data). A figure
on screen with no source is one a viewer cannot check, and the first thing a sceptical
comment asks for.
"""

from __future__ import annotations

import re

from pipeline.lint.base import Context, Warning

RULE = "no-source"
DATA_KINDS = ("stat", "chart", "scale", "profile")


def shows_data(slide) -> bool:
    if slide.kind in DATA_KINDS:
        return True
    if slide.kind == "compare":
        return any(re.search(r"\d", side.value) for side in (slide.before, slide.after))
    return False


def check(context: Context) -> list[Warning]:
    found = []
    for entry in context.entries:
        slide = entry.scene.slide
        if not shows_data(slide) or getattr(slide, "source", None):
            continue
        what = {"stat": "a figure", "chart": "a chart", "scale": "sizes", "profile": "a profile"}.get(
            slide.kind, "figures"
        )
        message = (
            f"scene '{entry.id}' shows {what} with no source; add 'source:' to the slide naming where the data "
            "comes from (it is drawn in small type under it)"
        )
        found.append(context.at((*entry.place, "slide", "kind"), RULE, message))
    return found
