"""Stage: the whole video's narration as one continuous track on the plan's clock.

Encoding each scene's audio separately and joining the pieces drifts (every
AAC segment adds priming samples); building one track from the frame-exact
plan and encoding it once keeps every sentence in step with its slide.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from pipeline import cache, ffmpeg, mix
from pipeline.narrate import load_samples
from pipeline.narration.audio import RATE, write_wav
from pipeline.plan import Plan, ScenePlan
from pipeline.render import AUDIO_ARGS

#: Part of the soundtrack's cache key: bump when mixing, normalizing or encoding changes.
VERSION = "soundtrack-1"


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


def key(plan: Plan, bed: mix.Bed | None) -> str:
    """Everything that changes the finished soundtrack: sentence audio and times, scene lengths, the music."""
    music = None
    if bed is not None:
        music = {"file": cache.file_digest(bed.file), **{k: v for k, v in vars(bed).items() if k != "file"}}
    return cache.key({
        "version": VERSION, "encoder": AUDIO_ARGS, "fps": plan.fps, "music": music,
        "scenes": [[s.frames, [[x.audio.path.stem, x.start] for x in s.sentences]] for s in plan.scenes],
    })  # fmt: skip


def build(plan: Plan, bed: mix.Bed | None, target: Path) -> dict[str, float]:
    """Mix, normalize and encode the whole soundtrack once, as AAC in ``target`` (atomically); its loudness.

    The loudness is measured on the encoded file: what a viewer's player meters.
    """
    mixed, before = mix.normalize(mix.mix(full_track(plan), plan, bed))
    with tempfile.TemporaryDirectory(prefix="explainer-") as tmp:
        wav = Path(tmp) / "soundtrack.wav"
        write_wav(wav, mixed, channels=2)
        del mixed
        with cache.atomic_path(target) as out:
            ffmpeg.run(["-y", "-i", str(wav), *AUDIO_ARGS, "-f", "mp4", str(out)], what="encoding the soundtrack")
    return {"mix_before_normalizing_lufs": before, **mix.measure(target)}
