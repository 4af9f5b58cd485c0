"""`one-scene-section`: a section (a chapter) with only one scene.

A section card (`section` slide) does not count: it announces the chapter and shows nothing
of it, so a card and one scene is a chapter of one scene. A storyboard with a single section
has no chapters to balance and is not judged.
"""

from __future__ import annotations

from pipeline.lint.base import Context, Warning

RULE = "one-scene-section"


def check(context: Context) -> list[Warning]:
    sections = context.project.storyboard.sections
    if len(sections) < 2:
        return []
    found = []
    for i, section in enumerate(sections):
        content = [scene for scene in section.scenes if scene.slide.kind != "section"]
        if len(content) > 1:
            continue
        card = " besides its section card" if len(content) < len(section.scenes) else ""
        count = "one scene" if content else "no scene"
        message = (
            f"section '{section.title}' has {count}{card}: a chapter of a single scene is a sentence, not a "
            "chapter; merge it into the section before or after it, or give it more scenes"
        )
        found.append(context.at(("sections", i, "title"), RULE, message))
    return found
