"""explainer: turn a YAML storyboard into a narrated explainer video.

The library, stage by stage (each is documented where it lives)::

    from pathlib import Path

    import pipeline
    from pipeline import RenderOptions

    options = RenderOptions(size=(640, 360), fps=15)
    project = pipeline.validate("script/escape-north-korea.yaml", options)  # load + check at that size
    narration = pipeline.narrate(project, options)         # speech per sentence, cached by content
    plan = pipeline.plan(project, narration, options)      # the frame-exact timeline
    jobs = pipeline.scene_jobs(project, plan, options)     # one self-contained job per scene
    pipeline.render_scenes([j for j in jobs if not j.target.exists()], pipeline.LocalPool())
    sound = pipeline.build_soundtrack(project, plan, options)
    pipeline.join(project, plan, jobs, sound, Path("video.mp4"))

or all of it, skipping what is up to date: ``pipeline.render(project, options)``.

Names are imported when first used, so ``import pipeline`` is cheap and
starts nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    # loading and checking
    "load": "pipeline.loading.storyboard",
    "Project": "pipeline.loading.storyboard",
    "SceneEntry": "pipeline.loading.storyboard",
    "validate": "pipeline.loading.checks",
    "check": "pipeline.loading.checks",
    "RenderOptions": "pipeline.loading.options",
    # the stages of a render
    "narrate": "pipeline.workflow",
    "plan": "pipeline.workflow",
    "scene_jobs": "pipeline.workflow",
    "render_scenes": "pipeline.rendering.schedule",
    "build_soundtrack": "pipeline.sound.build",
    "join": "pipeline.publishing.outputs",
    "write_outputs": "pipeline.publishing.outputs",
    "render": "pipeline.workflow",
    "render_shorts": "pipeline.workflow",
    "render_batch": "pipeline.workflow",
    "BatchItem": "pipeline.workflow",
    "RenderResult": "pipeline.workflow",
    "scene_keys": "pipeline.workflow",
    "scene_timing": "pipeline.workflow",
    # seeing scenes without rendering
    "still": "pipeline.rendering.stills",
    "sheet": "pipeline.rendering.stills",
    "thumbnail": "pipeline.rendering.stills",
    # the seams
    "KINDS": "pipeline.drawing.slides",
    "ENGINES": "pipeline.narration.engines",
    "SOURCES": "pipeline.drawing.sources",
    "FORMATS": "pipeline.core.formats",
    "EXECUTORS": "pipeline.rendering.executors",
    "LocalPool": "pipeline.rendering.executors",
    "Serial": "pipeline.rendering.executors",
    "Cancel": "pipeline.rendering.executors",
    # what goes wrong
    "ExplainerError": "pipeline.core.errors",
    "StoryboardError": "pipeline.core.errors",
    "Problem": "pipeline.core.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pipeline' has no attribute '{name}'")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return sorted(__all__)
