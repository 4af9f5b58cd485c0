"""Where each scene's visual goes: beside its text on the right or on the left, or over the whole frame.

An editor varies the frame from shot to shot: screen direction alternates (a visual on the right, then one on the
left), a picture worth seeing whole fills the frame with the words as a lower third. Chosen here from the project
alone (its scenes in order, their kinds and visuals, the theme's ``layouts``), as planning/transitions.py chooses
the joins: the scene before must be known, so the choice is made over the whole video, by whoever has it (the
render's jobs, a still, the storyboard's fit check), and given to each scene's drawing as plain data
(``SceneContext.layout``), never looked up from a drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pipeline.drawing.slides.base import SpecBase
from pipeline.drawing.slides.theme import Layout, Layouts


class Scene(Protocol):
    """What the choice reads of a scene (a storyboard's ``Scene``)."""

    @property
    def id(self) -> str: ...
    @property
    def slide(self) -> SpecBase: ...
    @property
    def layout(self) -> Layout | None: ...


#: The kinds that set their text beside a visual (visual.py's ``beside``).
BESIDE = frozenset({"title", "stat", "bullets", "quote", "closing"})
#: Of those, the ones whose text is short enough to read as a lower third over a whole-frame picture.
FULL = frozenset({"title", "quote", "closing"})
#: Text-led kinds without a visual: their text stands on the left, their room (a backdrop's picture, the theme's
#: ornament or the figure's graphic) on the right, as a visual on the right would.
TEXT_LEFT = BESIDE | {"section"}


def choose(scenes: Sequence[Scene], rules: Layouts) -> dict[str, Layout]:
    """Per scene id, where the visual of each of ``scenes`` (in the video's order) goes, by ``rules`` (a scene
    without a visual: 'right', which draws as it always did); in order, the first that applies:
    the scene's own ``layout``; 'full' for a title, quote or closing whose visual is a picture and that has no
    backdrop (``rules.full``: a creator who gave both wants both);
    the side away from the scene before's (``rules.alternate``: a map, chart or footage between, which fills the
    frame, is passed over, so the text cards around it keep alternating); 'right'."""
    found: dict[str, Layout] = {}
    before: Layout | None = None  # the side the last scene with a side put its visual (or its text card's room) on
    for scene in scenes:
        layout = _chosen(scene, rules, before)
        found[scene.id] = layout
        if (side := _side(scene.slide, layout)) is not None or layout == "full":
            before = side  # a map, chart or footage between keeps the rhythm; a full-bleed picture restarts it
    return found


def _chosen(scene: Scene, rules: Layouts, before: Layout | None) -> Layout:
    slide = scene.slide
    visual = getattr(slide, "visual", None)
    if visual is None or slide.kind not in BESIDE:
        return "right"
    if scene.layout is not None:
        return scene.layout
    if rules.full and visual.picture is not None and slide.kind in FULL and getattr(slide, "backdrop", None) is None:
        return "full"
    return "left" if rules.alternate and before == "right" else "right"


def _side(slide: SpecBase, layout: Layout) -> Layout | None:
    """Which side of the frame the scene's visual (or, for a text card, its room) takes; None: the whole frame."""
    if getattr(slide, "visual", None) is not None and slide.kind in BESIDE:
        return None if layout == "full" else layout
    return "right" if slide.kind in TEXT_LEFT else None
