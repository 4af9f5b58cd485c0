"""Shorts: vertical videos cut from the long one, each a render of its own.

A Short is the storyboard's ``shorts:`` entry made into a project of its own
scenes: a hook card first (its ``title``, shown on a title slide and said by
the narrator), then the scenes it names (or a whole section), each with its
own section label, exactly as in the video. It renders on the same path as
the video (``workflow.render``), in the vertical format with captions burned
word by word, into ``output/<slug>/shorts/<id>/`` with its own captions,
cover image (the hook card at 1080x1920) and render.json, and no chapters.
Scenes drawn alike in another render (the vertical video with the same
captions, or another Short) come from the cache.

Each Short is a complete upload set swapped in as one, like the video's, so
each has a folder: a half-written Short never sits beside a finished one.
"""

from __future__ import annotations

import dataclasses

from pipeline.core.errors import StoryboardError
from pipeline.drawing.slides import KINDS
from pipeline.loading import checks
from pipeline.loading.options import RenderOptions
from pipeline.loading.storyboard import SHORT_SECONDS, Project, Scene, SceneEntry, Short, entries

#: The hook card's id in a Short (scene ids are slugs, so no scene of the storyboard can have it).
HOOK = "hook"


def short_project(project: Project, index: int) -> Project:
    """The Short ``index`` of ``project``'s storyboard as a project: its hook card, then its scenes."""
    short = project.storyboard.shorts[index]
    hook = Scene(id=HOOK, slide=KINDS["title"].spec(kind="title", title=short.title), narration=short.title)
    picked = [SceneEntry(0, 0, short.title, hook, ("shorts", index, "title"))]
    for entry in chosen(project, short):
        picked.append(dataclasses.replace(entry, index=len(picked)))
    storyboard = project.storyboard.model_copy(update={"title": short.title, "thumbnail": HOOK})
    return dataclasses.replace(project, storyboard=storyboard, slug=short.id, picked=tuple(picked))


def chosen(project: Project, short: Short) -> list[SceneEntry]:
    """The video's scenes the Short shows, in its order."""
    every = entries(project.storyboard)
    if short.section is not None:
        return [entry for entry in every if entry.section_number == short.section]
    by_id = {entry.id: entry for entry in every}
    return [by_id[scene_id] for scene_id in short.scenes or []]


def options_for(project: Project, options: RenderOptions, short: Short) -> RenderOptions:
    """How a Short of ``project`` renders: vertical, captions burned word by word (unless asked otherwise), into
    its own folder under the video's output folder."""
    words = options.caption_words or not options.burn_captions
    return dataclasses.replace(
        options, format="vertical", short=short.id, burn_captions=True, caption_words=words, scenes=(),
        no_join=False, output_dir=options.output_dir or project.output_dir,
    )  # fmt: skip


def check_length(cut: Project, seconds: float) -> None:
    """A Short (``cut``, made by ``short_project``) longer than YouTube's three minutes is an error at its id."""
    if seconds > SHORT_SECONDS:
        where = cut.entries()[0].place[:2]  # ('shorts', index): the hook card stands for the Short
        minutes, rest = divmod(round(seconds), 60)
        raise StoryboardError([
            cut.source_map.problem(
                (*where, "id"),
                f"the Short '{cut.slug}' lasts {minutes}:{rest:02d}, longer than a Short's 3:00; "
                "take fewer scenes, or cut their narration",
            )
        ])  # fmt: skip


def check_hook(project: Project, index: int, options: RenderOptions) -> None:
    """The Short's hook card fits the vertical frame above its captions (a located error at its title if not)."""
    cut = short_project(project, index)
    short_options = options_for(project, options, project.storyboard.shorts[index])
    checks.check(cut, short_options.frame(cut.storyboard.video), burn_captions=True, only={HOOK})
