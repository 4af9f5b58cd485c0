"""The storyboard as the narrator's script: what each scene says, spoken and planned, and the checks only timing allows.

``lines`` turns a scene's narration into what the voice says (sentences in
written and spoken form, the scene's voice, pauses); ``narrate`` speaks them
(from the cache where it can); ``plan`` lays them out at the render's frame
rate; ``check_lengths`` refuses a scene or video longer than the limits once
its real length is known.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline import cache, chapters, sentences, speech, spoken
from pipeline.errors import RenderError, StoryboardError
from pipeline.formats import Frame
from pipeline.narration.base import VoiceSettings
from pipeline.narration.jobs import Speaker
from pipeline.sentences import Pause
from pipeline.slides import video
from pipeline.slides.problems import SlideError
from pipeline.speech import Line, Narration, OnScene, SentenceAudio
from pipeline.storyboard import MAX_SCENE_SECONDS, MAX_VIDEO_SECONDS, Project, Scene, SceneEntry
from pipeline.timeline import Pacing, Plan, SceneInfo, ScenePlan
from pipeline.timeline import plan as lay_out
from pipeline.timeline import scene_plan as lay_out_scene


def voice(project: Project, scene: Scene | None = None) -> VoiceSettings:
    """The video's voice settings, with the scene's own voice or speed over them."""
    settings = project.storyboard.narration
    own = scene.voice if scene and scene.voice else None
    return VoiceSettings(
        language=settings.language,
        speed=own.speed if own and own.speed else settings.speed,
        voice=own.name if own and own.name else settings.voice,
    )


def lines(project: Project, scene: Scene) -> list[Line | Pause]:
    """The scene's sentences (written and spoken form, voice) and pauses."""
    settings = voice(project, scene)
    return [
        part
        if isinstance(part, Pause)
        else Line(
            part,
            spoken.spoken(part, project.lexicon),
            settings,
            tuple(spoken.spoken(word, project.lexicon) for word in part.split()),
        )
        for part in sentences.parts(scene.narration or "")
    ]


def for_scenes(project: Project, entries: list[SceneEntry]) -> list[list[Line | Pause]]:
    """What the narrator says, scene by scene."""
    return [lines(project, entry.scene) for entry in entries]


def narrate(
    project: Project,
    said: list[list[Line | Pause]],
    engines: list[str],
    store: cache.Store,
    on_sentence: Callable[[], None] = lambda: None,
    executor: Speaker | None = None,
    on_scene: OnScene = lambda index, said, on_workers: None,
) -> Narration:
    """Speak ``said`` with the first of ``engines`` that works, synthesizing only what the cache lacks (on
    ``executor``'s workers when there is much to say); ``on_scene`` hears each scene as soon as it is spoken
    (see speech.narrate)."""
    return speech.narrate(
        said, engines, voice(project), store, on_sentence=on_sentence, executor=executor, on_scene=on_scene
    )


def plan(project: Project, entries: list[SceneEntry], narration: Narration, frame: Frame) -> Plan:
    infos = [info(project, entry) for entry in entries]
    return lay_out(infos, narration, frame, pacing(project))


def scene_plan(project: Project, entry: SceneEntry, said: tuple[SentenceAudio | Pause, ...], fps: int) -> ScenePlan:
    """One scene's timeline, from its own sentences alone (as ``plan`` lays it out, starting at frame 0)."""
    return lay_out_scene(info(project, entry), said, entry.index, 0, fps, pacing(project))


def info(project: Project, entry: SceneEntry) -> SceneInfo:
    return SceneInfo(entry.id, entry.section_number, entry.section_title, own_seconds(project, entry))


def pacing(project: Project) -> Pacing:
    settings = project.storyboard.narration
    return Pacing(settings.lead_in, settings.gap, settings.tail)


def own_seconds(project: Project, entry: SceneEntry) -> float | None:
    """How long a footage scene's cut plays (it lasts that long when it has no narration); None for slides."""
    spec = entry.scene.slide
    if not isinstance(spec, video.Spec):
        return None
    try:
        return video.clip(spec, project.root / spec.file)[1].seconds
    except SlideError as exc:  # validate reports it, located; here the render cannot go on
        raise RenderError(f"scene '{entry.id}': {exc}") from None


def sentence_count(said: list[list[Line | Pause]]) -> int:
    return sum(isinstance(part, Line) for parts in said for part in parts)


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
