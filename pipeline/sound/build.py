"""A project's soundtrack: its narration on the plan's clock, its footage's own sound and its music bed, mixed,
normalized and encoded once, and kept in the cache by all that goes into it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import cache, memory
from pipeline.core.audio import RATE
from pipeline.drawing import sources
from pipeline.loading.options import RenderOptions
from pipeline.loading.storyboard import Project
from pipeline.planning.timeline import Plan
from pipeline.sound import codecs, mix, soundtrack


def music_bed(project: Project) -> mix.Bed | None:
    music = project.storyboard.music
    if music is None:
        return None
    return mix.Bed(project.root / music.file, music.volume, music.duck, music.ramp, music.fade_in, music.fade_out)


def clip_sounds(project: Project, timeline_plan: Plan, store: cache.Store, decode: bool = True) -> list[mix.ClipSound]:
    """The sound every scene brings with it (footage's own, unless muted or absent), decoded once into the cache,
    on the plan's clock. ``decode=False``: only what the sounds are (for the soundtrack's key), nothing decoded.
    """
    found = []
    for entry, scene_plan in zip(project.entries(), timeline_plan.scenes, strict=True):
        own = sources.own_sound(entry.scene.slide, project.root, scene_plan.duration(timeline_plan.fps))
        if own is None:
            continue
        samples = store.path("footage", own.key, ".f32")
        if decode and not samples.exists():
            own.decode(samples)
        start = timeline_plan.sample_at(scene_plan.start_frame)
        end = timeline_plan.sample_at(scene_plan.start_frame + scene_plan.frames)
        loop = round(own.seconds * RATE) if own.loop else None
        found.append(mix.ClipSound(samples, start, end, own.volume, own.duck and bool(scene_plan.sentences), loop))
    return found


@dataclass(frozen=True)
class Soundtrack:
    """The whole video's sound, encoded once (AAC), and what its meter read."""

    file: Path
    loudness: dict[str, Any]


def build_soundtrack(
    project: Project, timeline_plan: Plan, options: RenderOptions, stop: threading.Event | None = None
) -> Soundtrack:
    """Narration and music on the plan's clock, mixed, normalized and encoded (from the cache when unchanged)."""
    store = options.store(project.root)
    bed = music_bed(project)
    clips = clip_sounds(project, timeline_plan, store)
    codec = codecs.audio_codec(options.draft)
    key = soundtrack.key(timeline_plan, bed, clips, codec)
    file, info = store.path("soundtracks", key, ".m4a"), store.path("soundtracks", key, ".json")
    if store.has(file) and store.has(info):
        return Soundtrack(file, _read(info))
    # Per encoder: a draft's may need a hair more or less gain than the video's (each keeps its own hint).
    gain_key = cache.key({"last gain of": project.slug, "encoder": codec.identity()})
    last_gain = store.path("soundtracks", gain_key, ".json")
    hint, level, segments = *_hints(last_gain), store.root / "segments"
    # A draft's soundtrack keeps its steps, and the next one after an edit is encoded from the edit on (draft.py).
    steps = store.path("soundtracks", key, ".steps.json") if codec.frame is None else None
    previous = _previous(store, last_gain) if steps is not None else None
    loudness = soundtrack.build(
        timeline_plan, bed, file, hint, stop, clips, codec, segments, level, previous=previous, steps=steps
    )
    memory.trim()  # the mixer's buffers, while the scenes may still render
    cache.write_bytes(info, json.dumps(loudness).encode("utf-8"), once=True)
    loudness = _read(info)  # another render sharing the cache may have stored its measures first
    for made in (file, info):
        store.share(made)
    kept = {name: loudness.get(name) for name in ("gain_db", "voice_level_db")}
    if steps is not None:
        kept["soundtrack"] = key
    cache.write_bytes(last_gain, json.dumps(kept).encode("utf-8"))
    return Soundtrack(file, loudness)


def _hints(last_gain: Path) -> tuple[float | None, float | None]:
    """The gain the storyboard's last soundtrack needed and the narration's level it set the music against: hints
    for this one (see soundtrack.build)."""
    try:
        last = _read(last_gain)
    except (OSError, ValueError):
        return None, None
    found = []
    for name in ("gain_db", "voice_level_db"):
        try:
            found.append(float(last[name]))
        except (KeyError, TypeError, ValueError):
            found.append(None)
    return found[0], found[1]


def _previous(store: cache.Store, last_gain: Path) -> tuple[Path, Path] | None:
    """The storyboard's last draft soundtrack and its steps, when it is still in the cache."""
    try:
        key = _read(last_gain).get("soundtrack")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(key, str):
        return None
    file, steps = store.path("soundtracks", key, ".m4a"), store.path("soundtracks", key, ".steps.json")
    return (file, steps) if file.exists() and steps.exists() else None


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
