"""Stage: the frame-exact timeline, from the real length of every sentence.

A scene lasts its lead-in, its sentences with a gap between them, and a tail,
rounded up to whole frames. A written pause replaces the gap where it stands
(or adds to the lead-in or tail at either end). A scene with no sentences
whose source has a length of its own (a clip) lasts that length instead.
Sentence times are kept (seconds from scene start) for reveals and captions;
audio offsets are in samples on the same clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pipeline.core.audio import RATE
from pipeline.core.formats import Frame
from pipeline.drawing.timing import SceneTiming
from pipeline.narration.sentences import Pause

if TYPE_CHECKING:
    from pipeline.narration.speech import Narration, SentenceAudio


@dataclass(frozen=True)
class SentenceTiming:
    text: str
    start: float
    end: float
    audio: SentenceAudio


@dataclass(frozen=True)
class ScenePlan:
    id: str
    index: int
    section_number: int
    section_title: str
    start_frame: int
    frames: int
    sentences: tuple[SentenceTiming, ...]

    def start(self, fps: int) -> float:
        return self.start_frame / fps

    def duration(self, fps: int) -> float:
        return self.frames / fps

    def timing(self, fps: int) -> SceneTiming:
        """What the scene's slide needs to know of its time: sentence starts, word times and length."""
        words = tuple((w.text, s.start + w.start) for s in self.sentences for w in s.audio.words)
        return SceneTiming(tuple(s.start for s in self.sentences), self.duration(fps), words)


@dataclass(frozen=True)
class Plan:
    frame: Frame
    scenes: tuple[ScenePlan, ...]

    @property
    def fps(self) -> int:
        return self.frame.fps

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height

    @property
    def total_frames(self) -> int:
        return sum(scene.frames for scene in self.scenes)

    @property
    def duration(self) -> float:
        return self.total_frames / self.fps

    def sample_at(self, frame: int) -> int:
        return round(frame * RATE / self.fps)


@dataclass(frozen=True)
class SceneInfo:
    id: str
    section_number: int
    section_title: str
    #: The scene source's own length in seconds (a clip), used when the scene has no narration.
    own_seconds: float | None = None


@dataclass(frozen=True)
class Pacing:
    """Silence around and between sentences, in seconds (the storyboard's narration settings)."""

    lead_in: float
    gap: float
    tail: float


def make_plan(scenes: list[SceneInfo], narration: Narration, frame: Frame, pacing: Pacing) -> Plan:
    out = []
    start_frame = 0
    for index, (info, spoken) in enumerate(zip(scenes, narration.scenes, strict=True)):
        out.append(scene_plan(info, spoken, index, start_frame, frame.fps, pacing))
        start_frame += out[-1].frames
    return Plan(frame, tuple(out))


class Timed(Protocol):
    #: How long the sentence's audio lasts, in seconds.
    seconds: float


def lay_out(spoken: Sequence[Timed | Pause], pacing: Pacing, own_seconds: float | None) -> tuple[list[float], float]:
    """Where each sentence of a scene starts (seconds from the scene's start, on a whole sample so that the sound's
    placement and the captions agree exactly), and how long the scene lasts: the lead-in, the sentences with the
    gap between them (a pause written in the narration instead of the gap where it stands, or added at either
    end), and the tail; a scene with no sentence lasts ``own_seconds`` (a clip's cut) when it has one.

    The one layout of a scene: the render's plan and lint's scene times (lint/scene_times.py) both use it."""
    starts: list[float] = []
    t = pacing.lead_in
    pause: float | None = None
    for part in spoken:
        if isinstance(part, Pause):
            pause = (pause or 0.0) + part.seconds
            continue
        if starts or pause is not None:
            t += pacing.gap if pause is None else pause
        pause = None
        start = round(t * RATE) / RATE
        starts.append(start)
        t = start + part.seconds
    if not starts and own_seconds is not None:
        return starts, (pause or 0.0) + own_seconds
    return starts, t + (pause or 0.0) + pacing.tail


def scene_plan(
    info: SceneInfo,
    spoken: tuple[SentenceAudio | Pause, ...],
    index: int,
    start_frame: int,
    fps: int,
    pacing: Pacing,
) -> ScenePlan:
    """One scene laid out from its own sentences: nothing but where it starts depends on the other scenes."""
    starts, seconds = lay_out(spoken, pacing, info.own_seconds)
    said = [part for part in spoken if not isinstance(part, Pause)]
    timings = [
        SentenceTiming(part.text, start, start + part.seconds, part) for part, start in zip(said, starts, strict=True)
    ]
    frames = max(1, math.ceil(round(seconds * fps, 6)))
    return ScenePlan(info.id, index, info.section_number, info.section_title, start_frame, frames, tuple(timings))
