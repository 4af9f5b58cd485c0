"""How each scene meets the next: a dip through the theme's colour, or a straight cut.

Read from the project alone (its scenes in order, their sections, the theme), without importing what loads a
storyboard: scene jobs are made with it in the processes that draw, which never load a voice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.loading.storyboard import Project


def joins(project: Project) -> dict[str, tuple[bool, bool]]:
    """Per scene id, whether it dips through the theme's colour at its start and at its end (else a cut).

    A boundary inside a section takes the theme's ``transition.within`` (a cut by default), one between sections
    and the video's two ends its ``transition.style`` (a dip); a scene's own ``transition`` decides its start.
    """
    spec = project.theme.transition
    found = project.entries()

    def dips_into(i: int) -> bool:
        if i in (0, len(found)):
            return spec.style == "dip"
        own = found[i].scene.transition
        if own is not None:
            return own == "dip"
        new_section = found[i].section_number != found[i - 1].section_number
        return (spec.style if new_section else spec.within) == "dip"

    return {entry.id: (dips_into(i), dips_into(i + 1)) for i, entry in enumerate(found)}
