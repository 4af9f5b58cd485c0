"""The files of a render's output set, written into the staging folder (publish.py swaps it in): the video
joined from the scene clips and the soundtrack, captions, chapters and the thumbnail; and a scene's playable clip."""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.core import cache
from pipeline.drawing.maps import ground
from pipeline.loading.storyboard import Project
from pipeline.planning import captions, chapters
from pipeline.planning.timeline import Plan
from pipeline.publishing import delivery, publish
from pipeline.rendering import jobs, stills
from pipeline.sound import mix, soundtrack
from pipeline.sound.build import Soundtrack


def join(
    project: Project,
    timeline_plan: Plan,
    scene_clips: list[jobs.SceneJob],
    sound: Soundtrack,
    video: Path,
    metadata: str | None = None,
) -> None:
    """The scene clips and the soundtrack into ``video`` with title and chapters (or ``metadata``, an ffmpeg
    metadata file's text), copied without re-encoding."""
    if metadata is None:
        metadata = chapters.ffmetadata(chapters.chapters(timeline_plan), project.storyboard.title)
    fps = timeline_plan.fps
    delivery.join([(job.target, job.frames / fps) for job in scene_clips], sound.file, video, metadata)


def write_outputs(
    project: Project,
    out_dir: Path,
    timeline_plan: Plan,
    cue_list: list[captions.Cue],
    chapter_list: list | None,
    thumbnail_cached: Path | None = None,
) -> None:
    """Captions (SRT, WebVTT), chapters.txt (unless ``chapter_list`` is None) and the thumbnail, each atomically.
    ``thumbnail_cached``: where the thumbnail is kept between renders (see ``thumbnail_png``)."""
    cache.write_bytes(out_dir / f"{project.slug}.srt", captions.srt(cue_list).encode("utf-8"))
    fps = timeline_plan.fps
    words = [(w.text, scene.start(fps) + s.start + w.start) for scene in timeline_plan.scenes
             for s in scene.sentences for w in s.audio.words]  # fmt: skip
    cache.write_bytes(out_dir / f"{project.slug}.vtt", captions.vtt(cue_list, words).encode("utf-8"))
    if chapter_list is not None:
        text = chapters.youtube(chapter_list, map_credits(project))
        cache.write_bytes(out_dir / "chapters.txt", text.encode("utf-8"))
    cache.write_bytes(out_dir / "thumbnail.png", thumbnail_png(project, timeline_plan, thumbnail_cached))


def thumbnail_png(project: Project, timeline_plan: Plan, cached: Path | None = None) -> bytes:
    """The thumbnail as PNG, from ``cached`` when it holds it (keyed by the thumbnail scene's clip and the size),
    else drawn, and kept there. An edit to another scene drew it again: 0.8 s of a 1080p edit's 8.6, the opening
    title's map loaded and drawn for a picture that had not changed."""
    if cached is not None and (kept := cache.read_checked(cached)) is not None:
        return kept
    out = io.BytesIO()
    stills.thumbnail(project, timeline_plan.frame).save(out, format="PNG")
    if cached is not None:
        cache.write_once_checked(cached, out.getvalue())
    return out.getvalue()


def map_credits(project: Project) -> list[str]:
    """What the maps' ground pictures ask to be credited with, for the description (chapters.txt)."""
    theme = project.theme.maps.style
    styles = set()
    for entry in project.entries():
        slide = entry.scene.slide
        if slide.kind in ("map", "route"):
            styles.add(ground.style_for(slide.style, theme))
        for shown in (getattr(slide, "backdrop", None), getattr(slide, "visual", None)):  # a map under or beside
            if shown is not None and getattr(shown, "map", None) is not None:
                styles.add(ground.style_for(shown.map.style, theme))
    found = ground.credits(styles)
    return [f"Map imagery: {'; '.join(found)}."] if found else []


def scene_files(out_dir: Path, timeline_plan: Plan, wanted: list[jobs.SceneJob]) -> dict[str, Path]:
    """Each of ``wanted`` as a playable clip with its own stretch of the narration, in ``out_dir``/scenes/ (for
    ``render --scene``); per scene id, the file written."""
    publish.make_output(out_dir)
    written = {}
    for job in wanted:
        target = out_dir / "scenes" / f"{job.scene_id}.mp4"
        track = soundtrack.scene_track(timeline_plan, timeline_plan.scenes[job.index])
        delivery.with_sound(job.target, mix.stereo(track), target)
        written[job.scene_id] = target
    return written
