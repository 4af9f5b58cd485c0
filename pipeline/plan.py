"""Stage: the frame-exact timeline, from the real length of every sentence.

A scene lasts its lead-in, its sentences with a gap between them, and a tail,
rounded up to whole frames. A written pause replaces the gap where it stands
(or adds to the lead-in or tail at either end). Sentence times are kept
(seconds from scene start) for reveals and captions; audio offsets are in
samples on the same clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.narrate import Narration, SentenceAudio
from pipeline.narration.audio import RATE
from pipeline.sentences import Pause


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


@dataclass(frozen=True)
class Plan:
    fps: int
    width: int
    height: int
    scenes: tuple[ScenePlan, ...]

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


def plan(
    scenes: list[SceneInfo],
    narration: Narration,
    *,
    fps: int,
    width: int,
    height: int,
    lead_in: float,
    gap: float,
    tail: float,
) -> Plan:
    out = []
    frame = 0
    for index, (info, spoken) in enumerate(zip(scenes, narration.scenes, strict=True)):
        timings = []
        t = lead_in
        pause: float | None = None
        for part in spoken:
            if isinstance(part, Pause):
                pause = (pause or 0.0) + part.seconds
                continue
            if timings or pause is not None:
                t += gap if pause is None else pause
            pause = None
            # Start on a whole sample so audio placement and captions agree exactly.
            start = round(t * RATE) / RATE
            timings.append(SentenceTiming(part.text, start, start + part.seconds, part))
            t = start + part.seconds
        frames = max(1, math.ceil(round((t + (pause or 0.0) + tail) * fps, 6)))
        out.append(ScenePlan(info.id, index, info.section_number, info.section_title, frame, frames, tuple(timings)))
        frame += frames
    return Plan(fps, width, height, tuple(out))
