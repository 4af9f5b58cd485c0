"""render.json: what a render made and how, for people and for tools (and for 'is it up to date?')."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.loading.options import RenderOptions
from pipeline.loading.storyboard import Project
from pipeline.narration.speech import Narration
from pipeline.planning import captions, chapters
from pipeline.planning.timeline import Plan
from pipeline.rendering.jobs import RENDERER, SceneStats


@dataclass(frozen=True)
class Report:
    """Everything render.json says, gathered as the render goes."""

    project: Project
    plan: Plan
    narration: Narration
    options: RenderOptions
    #: Per scene id, whether its clip was in the cache before this render.
    cached: dict[str, bool]
    stats: dict[str, SceneStats]
    timings: dict[str, float]
    loudness: dict[str, Any] | None
    chapters: list[chapters.Chapter]
    cues: list[captions.Cue]
    video_key: str
    video_bytes: int

    def data(self) -> dict[str, Any]:
        project, timeline, narration = self.project, self.plan, self.narration
        fps = timeline.fps
        return {
            "title": project.storyboard.title,
            "slug": project.slug,
            "storyboard": str(project.file),
            "renderer": RENDERER,
            "width": timeline.width,
            "height": timeline.height,
            "fps": fps,
            "format": timeline.frame.profile.name,
            "duration": round(timeline.duration, 6),
            "frames": timeline.total_frames,
            "engine": narration.engine.key(),
            "fallback_reason": narration.fallback_reason,
            "narration_notes": list(narration.notes),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "loudness": self.loudness,
            "music": project.storyboard.music.file if project.storyboard.music else None,
            "chapters": [{"start": round(c.start, 3), "title": c.title} for c in self.chapters],
            "captions": {"cues": len(self.cues), "burned": self.options.burn_captions},
            "scenes": [self._scene(entry, p) for entry, p in zip(project.entries(), timeline.scenes, strict=True)],
            "video_key": self.video_key,
            "video_bytes": self.video_bytes,
        }

    def _scene(self, entry, p) -> dict[str, Any]:
        fps = self.plan.fps
        stats = self.stats.get(entry.id)
        first = p.sentences[0].audio.voice if p.sentences else None  # a footage scene may have no narration
        return {
            "id": entry.id,
            "section": entry.section_title,
            "kind": entry.scene.slide.kind,
            "start": round(p.start(fps), 6),
            "duration": round(p.duration(fps), 6),
            "frames": p.frames,
            "narration": entry.scene.narration,
            "engine": self.narration.engine.engine,
            "cached": self.cached[entry.id],
            "timings": {
                "narrate": round(sum(s.audio.made_in for s in p.sentences), 3),
                "render": stats.seconds if stats else 0.0,
            },
            "frames_drawn": stats.drawn if stats else 0,
            "frames_encoded": stats.encoded if stats else 0,
            "voice": {"voice": first.voice, "speed": first.speed} if first else None,
            "sentences": [
                {
                    "text": s.text,
                    "spoken": s.audio.spoken,
                    "start": round(p.start(fps) + s.start, 4),
                    "end": round(p.start(fps) + s.end, 4),
                    # Each written word's start and end on the video's clock; "words_from" says whether the engine
                    # reported them or they were spread over the sentence by syllables (gTTS reports none).
                    "words": [
                        [w.text, round(p.start(fps) + s.start + w.start, 4), round(p.start(fps) + s.start + w.end, 4)]
                        for w in s.audio.words
                    ],
                    "words_from": s.audio.word_source,
                }
                for s in p.sentences
            ],
        }


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def up_to_date(out_dir: Path, video: Path, video_key: str, names: list[str]) -> bool:
    """The last render here made this very video, and it and its companions (the set ``names``) are in place."""
    try:
        report = read(out_dir / "render.json")
        return (
            report.get("video_key") == video_key
            and video.stat().st_size == report.get("video_bytes")
            and all((out_dir / name).exists() for name in names)
        )
    except (OSError, ValueError):
        return False
