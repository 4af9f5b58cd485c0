"""`chapters`: chapters YouTube would not show.

The video's chapters are its sections (pipeline/planning/chapters.py), each from its first scene's
start to the next section's. YouTube shows chapters only when the first starts at 0:00 (always
so here: the first section starts the video), there are at least three, and each lasts at
least ten seconds; otherwise it shows none at all. Section lengths are the scenes' lengths,
measured where the last render or the narration cache has them, else estimated (scene_times.py).
A storyboard with a single section has no chapters and is not judged.
"""

from __future__ import annotations

from pipeline.lint.base import Context, Warning
from pipeline.planning import chapters

RULE = "chapters"


def check(context: Context) -> list[Warning]:
    sections = context.project.storyboard.sections
    if len(sections) < 2:
        return []
    found = []
    if len(sections) < chapters.MIN_CHAPTERS:
        message = (
            f"the video has {len(sections)} sections, so YouTube shows none of its chapters (it needs "
            f"{chapters.MIN_CHAPTERS} or more); split a section in two"
        )
        found.append(context.at(("sections",), RULE, message, key=True))
    lengths: dict[int, float] = {}
    estimated: set[int] = set()
    for scene in context.timings.scenes:
        number = scene.entry.section_number
        lengths[number] = lengths.get(number, 0.0) + scene.duration
        if not scene.measured:
            estimated.add(number)
    for i, section in enumerate(sections):
        seconds = lengths.get(i + 1, 0.0)
        if seconds >= chapters.MIN_SECONDS:
            continue
        how = " (estimated)" if i + 1 in estimated else ""
        message = (
            f"section '{section.title}' lasts {seconds:.1f} s{how}, under the {chapters.MIN_SECONDS:g} s YouTube needs "
            "for a chapter, so it shows none of the video's chapters; give the section more narration or merge it "
            "with a neighbour"
        )
        found.append(context.at(("sections", i, "title"), RULE, message))
    return found
