"""Stage: the frame-exact timeline, from the real length of every sentence.

A scene lasts its lead-in, its sentences with a gap between them, and a tail,
rounded up to whole frames. The lead-in and tail are an editor's: short on
either side of a cut inside a section (the silence across it about the gap
between sentences), a longer breath at a section change, room at the video's
two ends (``Breaths``), unless the storyboard sets one number for every scene.
A written pause replaces the gap where it stands (or adds to the lead-in or
tail at either end). A scene with no sentences
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
    """One scene's silences, in seconds: before its first sentence, between sentences, after its last."""

    lead_in: float
    gap: float
    tail: float


#: Of the silence across a cut inside a section, the share before the cut: a little more than half, so the new
#: picture is on screen a beat before its voice starts (the picture leads, as an editor cuts).
BEFORE_CUT = 0.55
#: Of the silence at a section change, the share before the cut: the last line lands, then the section's first
#: picture (often its chapter card) holds with the music for the other two thirds before the voice reads on.
BEFORE_SECTION = 1 / 3


@dataclass(frozen=True)
class Breaths:
    """The silences an editor leaves where scenes meet, in seconds (the storyboard's narration settings).

    ``cut`` is the silence across a cut between two scenes of one section, ``section`` across a section change,
    ``open`` before the video's first sentence and ``close`` after its last. ``lead_in`` and ``tail``, when set,
    are every scene's, as one number everywhere (the old pacing): they replace the part of each of these on
    their side of the cut."""

    gap: float
    cut: float
    section: float
    open: float
    close: float
    lead_in: float | None = None
    tail: float | None = None

    def at(self, place: Place) -> Pacing:
        """The pacing of a scene standing at ``place``: its lead-in and tail from the breaks on either side."""
        if place.first:
            before = self.open
        elif place.opens_section:
            before = self.section * (1 - BEFORE_SECTION)
        else:
            before = self.cut * (1 - BEFORE_CUT)
        if place.last:
            after = self.close
        elif place.closes_section:
            after = self.section * BEFORE_SECTION
        else:
            after = self.cut * BEFORE_CUT
        before, after = max(before, place.into), max(after, place.out_of)
        lead_in = self.lead_in if self.lead_in is not None else before
        tail = self.tail if self.tail is not None else after
        return Pacing(lead_in, self.gap, tail)


@dataclass(frozen=True)
class Place:
    """Where a scene stands among the others, as its pacing needs it."""

    #: The video's first scene, its last.
    first: bool = False
    last: bool = False
    #: A section begins with the scene, ends with it.
    opens_section: bool = False
    closes_section: bool = False
    #: Seconds of the transition's incoming half at the scene's start, of its outgoing half at its end (0 for a
    #: cut): the silence on each side is at least that, so the picture's change lies between the two voices.
    into: float = 0.0
    out_of: float = 0.0


def make_plan(scenes: list[SceneInfo], narration: Narration, frame: Frame, pacing: Pacing | Sequence[Pacing]) -> Plan:
    """Every scene laid out one after another; ``pacing`` is every scene's, or one per scene (``Breaths.at``)."""
    paced = [pacing] * len(scenes) if isinstance(pacing, Pacing) else list(pacing)
    out = []
    start_frame = 0
    for index, (info, spoken, own) in enumerate(zip(scenes, narration.scenes, paced, strict=True)):
        out.append(scene_plan(info, spoken, index, start_frame, frame.fps, own))
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
