"""The storyboard as the narrator's script: what each scene says, and speaking it.

``for_scenes`` turns each scene's narration into what the voice says
(sentences in written and spoken form, the scene's voice, pauses); ``narrate``
speaks them (from the cache where it can). Laying them out on the video's
clock is planning.py's.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core import cache
from pipeline.loading.storyboard import Project, Scene, SceneEntry
from pipeline.narration import sentences, speech, spoken
from pipeline.narration.engines.base import VoiceSettings
from pipeline.narration.jobs import Speaker
from pipeline.narration.sentences import Pause
from pipeline.narration.speech import Line, Narration, OnScene


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


def speak(
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
    (see speech.speak)."""
    return speech.speak(
        said, engines, voice(project), store, on_sentence=on_sentence, executor=executor, on_scene=on_scene
    )


def sentence_count(said: list[list[Line | Pause]]) -> int:
    return sum(isinstance(part, Line) for parts in said for part in parts)
