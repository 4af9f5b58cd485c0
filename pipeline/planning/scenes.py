"""The storyboard's scenes on the video's clock: the narration, once spoken, laid out at the render's frame rate
(timeline.py does the arithmetic), and the checks only the real lengths allow.

``plan`` lays every scene out, ``scene_plan`` one scene alone (starting at frame 0); ``check_lengths`` refuses a
scene or a video longer than the limits once its real length is known.
"""

from __future__ import annotations

from pipeline.core.errors import RenderError, StoryboardError
from pipeline.core.formats import Frame
from pipeline.drawing import sources
from pipeline.drawing.effects import joins as halves
from pipeline.drawing.slides.problems import SlideError
from pipeline.loading.storyboard import MAX_SCENE_SECONDS, MAX_VIDEO_SECONDS, Project, SceneEntry
from pipeline.narration.sentences import Pause
from pipeline.narration.speech import Narration, SentenceAudio
from pipeline.planning import chapters, transitions
from pipeline.planning.timeline import Breaths, Pacing, Place, Plan, SceneInfo, ScenePlan, make_plan
from pipeline.planning.timeline import scene_plan as lay_out_scene

#: The silence across a cut inside a section, unless the storyboard sets ``cut``: the gap between sentences and
#: this much more, so a cut reads as the next thought, a beat longer than the next sentence.
CUT_OVER_GAP = 0.1


def on_timeline(project: Project, entries: list[SceneEntry], narration: Narration, frame: Frame) -> Plan:
    infos = [info(project, entry) for entry in entries]
    paced = pacings(project)
    return make_plan(infos, narration, frame, [paced[entry.id] for entry in entries])


def scene_plan(project: Project, entry: SceneEntry, said: tuple[SentenceAudio | Pause, ...], fps: int) -> ScenePlan:
    """One scene's timeline, from its own sentences alone (as ``plan`` lays it out, starting at frame 0)."""
    return lay_out_scene(info(project, entry), said, entry.index, 0, fps, pacing(project, entry))


def info(project: Project, entry: SceneEntry) -> SceneInfo:
    return SceneInfo(entry.id, entry.section_number, entry.section_title, own_seconds(project, entry))


def breaths(project: Project) -> Breaths:
    """The storyboard's silences where scenes meet (``narration:``'s gap, cut, section, open, close, lead_in, tail)."""
    n = project.storyboard.narration
    cut = n.gap + CUT_OVER_GAP if n.cut is None else n.cut
    return Breaths(n.gap, cut, max(n.section, cut), n.open, n.close, n.lead_in, n.tail)


def pacings(project: Project) -> dict[str, Pacing]:
    """Per scene id, its lead-in, gap and tail: by where it stands (the video's ends, a section's, a cut inside
    one; in a Short every scene change is a cut) and the transitions at its two ends, each side at least its half
    of the transition there."""
    found = project.entries()
    joined = transitions.joins(project)
    rules = breaths(project)
    # A Short (picked scenes) has no chapters: its hook and its scenes from several sections meet as cuts do.
    by_section = project.picked is None
    out = {}
    for i, entry in enumerate(found):
        into, out_of = joined[entry.id]
        place = Place(
            first=i == 0,
            last=i == len(found) - 1,
            opens_section=by_section and i > 0 and found[i - 1].section_number != entry.section_number,
            closes_section=by_section and i + 1 < len(found) and found[i + 1].section_number != entry.section_number,
            into=halves.seconds(project.theme, into),
            out_of=halves.seconds(project.theme, out_of),
        )
        out[entry.id] = rules.at(place)
    return out


def pacing(project: Project, entry: SceneEntry) -> Pacing:
    """The lead-in, gap and tail of ``entry``'s scene (``pacings``)."""
    return pacings(project)[entry.id]


def own_seconds(project: Project, entry: SceneEntry) -> float | None:
    """The scene's own length, e.g. how long a footage scene's cut plays (it lasts that long when it has no
    narration); None when the narration decides."""
    try:
        return sources.own_seconds(entry.scene.slide, project.root)
    except SlideError as exc:  # validate reports it, located; here the render cannot go on
        raise RenderError(f"scene '{entry.id}': {exc}") from None


def check_lengths(project: Project, timeline: Plan) -> None:
    """Once narrated, no scene may last longer than MAX_SCENE_SECONDS, nor the video than MAX_VIDEO_SECONDS."""
    smap = project.source_map
    most = chapters.timestamp(MAX_SCENE_SECONDS)
    problems = []
    for entry, scene_plan in zip(project.entries(), timeline.scenes, strict=True):
        if (seconds := scene_plan.duration(timeline.fps)) > MAX_SCENE_SECONDS:
            lasts = chapters.timestamp(seconds)
            message = f"scene '{entry.id}' lasts {lasts} once narrated, more than the {most} a scene may; "
            problems.append(smap.problem((*entry.place, "narration"), message + "split its narration across scenes"))
    if timeline.duration > MAX_VIDEO_SECONDS:
        lasts, most = chapters.timestamp(timeline.duration), chapters.timestamp(MAX_VIDEO_SECONDS)
        message = f"the video lasts {lasts} once narrated, more than {most}; split it into several storyboards"
        problems.append(smap.problem(("sections",), message))
    if problems:
        raise StoryboardError(problems)
