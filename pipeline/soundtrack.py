"""Stage: the whole video's narration as one continuous track on the plan's clock.

Encoding each scene's audio separately and joining the pieces drifts (every
AAC segment adds priming samples); building one track from the frame-exact
plan and encoding it once keeps every sentence in step with its slide.
"""

from __future__ import annotations

import numpy as np

from pipeline.narrate import load_samples
from pipeline.narration.audio import RATE
from pipeline.plan import Plan, ScenePlan


def scene_track(plan: Plan, scene: ScenePlan) -> np.ndarray:
    """Mono float32 samples covering exactly the scene's frames."""
    length = plan.sample_at(scene.start_frame + scene.frames) - plan.sample_at(scene.start_frame)
    track = np.zeros(length, dtype=np.float32)
    for sentence in scene.sentences:
        samples = load_samples(sentence.audio)
        at = round(sentence.start * RATE)
        end = min(length, at + samples.size)
        track[at:end] += samples[: end - at]
    return track


def full_track(plan: Plan) -> np.ndarray:
    """Mono float32 samples for the whole video (scenes laid end to end)."""
    return (
        np.concatenate([scene_track(plan, scene) for scene in plan.scenes]) if plan.scenes else np.zeros(0, np.float32)
    )


def stereo(mono: np.ndarray) -> np.ndarray:
    return np.repeat(mono[:, None], 2, axis=1)
