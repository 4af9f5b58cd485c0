"""One typed options object for a render (and for the stills and checks that must match it).

Every face of the library (the CLI's render, validate, still and sheet, the
tests) describes what it wants with ``RenderOptions``; the frame it will draw
is decided here and nowhere else (``frame``), so a check at one size can
never be followed by drawing at another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.formats import DEFAULT, FORMATS, Frame

if TYPE_CHECKING:
    from pipeline.core.cache import Store
    from pipeline.loading.storyboard import Project, VideoSettings

#: The draft preview's width (height follows the format's shape) and frame rate.
DRAFT_WIDTH, DRAFT_FPS = 640, 15


@dataclass(frozen=True)
class RenderOptions:
    output_dir: Path | None = None
    cache_dir: Path | None = None
    #: The shared tier of the cache, an fsspec URL (``s3://bucket/prefix``); see pipeline.core.remotecache.
    shared_cache: str | None = None
    engine: str | None = None
    size: tuple[int, int] | None = None
    fps: int | None = None
    #: The format profile (see pipeline.core.formats).
    format: str = DEFAULT
    #: Draw the captions into the picture (slides keep clear of the caption band).
    burn_captions: bool = False
    #: Burned captions as short phrases with the word being said highlighted (implies ``burn_captions``).
    caption_words: bool = False
    #: Render only these scenes (to output/<slug>/scenes/<id>.mp4); empty: every scene.
    scenes: tuple[str, ...] = ()
    #: Skip refreshing the full video after rendering ``scenes``.
    no_join: bool = False
    #: A quick preview: DRAFT_WIDTH wide at DRAFT_FPS, in output/<slug>/draft/, cached apart.
    draft: bool = False
    #: Scenes rendered at once (worker processes); 0: one per core.
    jobs: int = 0
    #: Let the storyboard read files outside its project folder.
    allow_outside_assets: bool = False
    #: This render is the Short with this id: into output/<slug>/shorts/<id>/, with no chapters.
    short: str | None = None

    def __post_init__(self) -> None:
        if self.caption_words and not self.burn_captions:
            object.__setattr__(self, "burn_captions", True)

    def frame(self, video: VideoSettings) -> Frame:
        """The size, frame rate and format of what this render draws, for a storyboard's ``video`` settings."""
        profile = FORMATS[self.format]
        # The storyboard's own size is for the default format; another format has its own.
        width, height = (video.width, video.height) if profile.name == DEFAULT else profile.size
        if self.draft:  # the same shape, DRAFT_WIDTH wide (even height, as H.264 needs)
            draft = min(DRAFT_WIDTH, width)
            return Frame(draft, round(draft * height / width / 2) * 2, min(DRAFT_FPS, video.fps), profile)
        width, height = self.size or (width, height)
        return Frame(width, height, self.fps or video.fps, profile)

    def output_dir_for(self, project: Project) -> Path:
        """Where this render writes: output/<slug>/ (or --output), in a folder of its own per format and for drafts."""
        base = self.output_dir or project.output_dir
        if self.short:
            base = base / "shorts" / self.short
        elif self.format != DEFAULT:
            base = base / self.format
        return base / "draft" if self.draft else base

    def cache_root(self, project_root: Path) -> Path:
        return self.cache_dir or project_root / "output" / ".cache"

    def store(self, project_root: Path) -> Store:
        """The cache this render reads and writes: its folder here, and the shared tier behind it if one is set."""
        from pipeline.core.cache import Store
        from pipeline.core.remotecache import Shared

        return Store(self.cache_root(project_root), Shared(self.shared_cache) if self.shared_cache else None)

    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1

    def engines(self, project: Project) -> list[str]:
        """The engines to try in order: --engine alone, else the storyboard's engine and its fallback."""
        if self.engine:
            return [self.engine]
        settings = project.storyboard.narration
        chain = [settings.engine]
        if settings.fallback and settings.fallback != settings.engine:
            chain.append(settings.fallback)
        return chain
