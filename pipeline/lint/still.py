"""`still-scene`: a scene longer than 25 seconds whose slide holds still once it has entered.

Every slide enters in its first second or two (text fades and rises, bars grow, a figure
counts up, a profile draws itself) and then holds still until the scene ends. What moves
later, read from the kinds' specs:

- `video`: footage moves throughout;
- `image`: the Ken Burns move runs the whole scene, unless it is ``move: none``;
- a reveal tied to a sentence after the first (``sentence: 2`` or later on a bullet, a step, a
  timeline event, a route's stop or area): it enters while the narration is under way.

Nothing else does: a `chart` grows its bars (or draws its line) in its first two seconds and a
`timeline` places every event in its entrance unless they are tied to sentences, so neither
animates through its narration on its own; `stat`, `compare`, `scale`, `profile`, `title`,
`quote`, `section` and `closing` enter and hold. A still picture under more than 25 seconds of
narration loses viewers: the advice is the motion the kind can have, or a second scene.

The scene's length is measured where the last render or the narration cache has it, else
estimated (scene_times.py).
"""

from __future__ import annotations

from pipeline.lint.base import Context, Warning

RULE = "still-scene"
#: Seconds a scene may hold one still picture.
LONGEST = 25.0
#: Kinds whose items can be tied to sentences, and what their items are called.
REVEALS = {"bullets": "items", "steps": "steps", "timeline": "events", "route": "stops"}


def moves(slide) -> bool:
    """Whether the slide has motion after its entrance (see the module's docstring)."""
    if slide.kind == "video":
        return True
    if slide.kind == "image":
        return slide.move != "none"
    return any(number >= 2 for _, number in slide.sentence_refs())


def check(context: Context) -> list[Warning]:
    found = []
    for scene in context.timings.scenes:
        slide = scene.entry.scene.slide
        if scene.duration <= LONGEST or moves(slide):
            continue
        how = "" if scene.measured else " (estimated)"
        if slide.kind in REVEALS:
            fix = (
                f"tie its {REVEALS[slide.kind]} to the sentences that speak of them ('sentence: 2', 'sentence: 3', "
                "...) so they appear as they are said, or split the narration across two scenes"
            )
        elif slide.kind == "image":
            fix = "give the picture a slow 'move' (in, out, left or right), or split the narration across two scenes"
        else:
            fix = (
                "split the narration across two scenes, or show it on a kind that can move with it (bullets, steps, "
                "timeline or route with 'sentence:' reveals, an image with a 'move')"
            )
        message = (
            f"scene '{scene.entry.id}' lasts {scene.duration:.1f} s{how} and its {slide.kind} slide holds still after "
            f"its entrance (more than {LONGEST:g} s on one still picture): {fix}"
        )
        found.append(context.at((*scene.entry.place, "slide"), RULE, message, key=True))
    return found
