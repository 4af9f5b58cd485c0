"""How each scene meets the next: which transition (a cut, a whip, a wipe, a zoom, a dip) at each boundary.

Read from the project alone (its scenes in order, their sections, their kinds, the theme), without importing what
loads a storyboard: scene jobs are made with it in the processes that draw, which never load a voice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.drawing.slides.theme import Join
    from pipeline.loading.storyboard import Project

#: The slide kinds that show a map: the theme's ``into_map`` transition begins their scenes.
MAPS = frozenset({"route"})


def joins(project: Project) -> dict[str, tuple[Join, Join]]:
    """Per scene id, the transition at its start and at its end; the scenes on either side of a boundary agree.

    In order, the first that applies: at the video's two ends the theme's ``transition.ends`` (a dip, or a cut
    when ``style`` is one); the scene's own ``transition``; ``into_map`` (a zoom) when the scene shows a map;
    ``style`` (a wipe) at a new section and ``within`` (a cut) inside one.
    """
    spec = project.theme.transition
    found = project.entries()
    ends: Join = spec.ends or ("cut" if spec.style == "cut" else "dip")

    def into(i: int) -> Join:
        if i in (0, len(found)):
            return ends
        scene = found[i].scene
        if scene.transition is not None:
            return scene.transition
        if spec.into_map is not None and scene.slide.kind in MAPS:
            return spec.into_map
        new_section = found[i].section_number != found[i - 1].section_number
        return spec.style if new_section else spec.within

    return {entry.id: (into(i), into(i + 1)) for i, entry in enumerate(found)}
