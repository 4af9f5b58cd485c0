"""Stage: the checks that draw or decode, at the frame that will really be drawn; and validate = load + check.

Loading (storyboard.py) finds everything that needs no drawing. What needs
drawing (text fitting, pictures, places on maps) or decoding (music) is
checked here, at the size, format and caption band of the render, still or
sheet about to be made: a text that fits at 1920x1080 but not in a 640x360
draft is found before the draft starts, at its line and column.

``validate`` runs both in one round: the checks run on every part the loader
found well formed, even when other parts are not, so one run lists every
problem.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pipeline import drawing, mix, storyboard
from pipeline.assets import Sandbox, assets, not_regular
from pipeline.errors import Problem, StoryboardError
from pipeline.formats import Frame
from pipeline.options import RenderOptions
from pipeline.slides import fit
from pipeline.slides.base import Canvas
from pipeline.slides.fonts import FontBook, cannot_draw
from pipeline.slides.theme import Theme
from pipeline.storyboard import MusicSettings, Project, SceneEntry
from pipeline.yamlsrc import SourceMap


def validate(path: Path | str, options: RenderOptions | None = None, only: Collection[str] | None = None) -> Project:
    """Load the storyboard and check what ``options`` will draw; every problem is raised together.

    ``only`` limits the drawing checks to those scene ids (for a still of one scene).
    """
    options = options or RenderOptions()
    loaded = storyboard.read(path, allow_outside_assets=options.allow_outside_assets)
    scenes = [entry for entry in loaded.scenes if only is None or entry.id in only]
    found = list(loaded.problems)
    if loaded.theme is not None:
        canvas = _canvas(options.frame(loaded.video), loaded.theme, options.burn_captions)
        root = loaded.sandbox.root
        found += _drawing_problems(scenes, canvas, root, loaded.smap, options.cache_root(root))
        found += _caption_problems(scenes, canvas, loaded.smap)
    found += _music_problems(loaded.music, loaded.sandbox, loaded.smap)
    if found:
        raise StoryboardError(list(dict.fromkeys(found)))
    assert loaded.project is not None  # no problems: loading made the project
    return loaded.project


def check(
    project: Project,
    frame: Frame,
    *,
    burn_captions: bool = False,
    only: Collection[str] | None = None,
    cache_dir: Path | None = None,
) -> None:
    """Check a loaded project at ``frame``: slides that cannot be drawn, music that cannot be decoded.

    ``cache_dir``: where slides found to fit are remembered (None: nowhere, check them all).
    """
    scenes = [entry for entry in project.entries() if only is None or entry.id in only]
    canvas = _canvas(frame, project.theme, burn_captions)
    smap, sandbox = project.source_map, project.sandbox or Sandbox(project.root)
    found = _drawing_problems(scenes, canvas, project.root, smap, cache_dir)
    found += _caption_problems(scenes, canvas, smap)
    found += _music_problems(project.storyboard.music, sandbox, smap)
    if found:
        raise StoryboardError(found)


def _canvas(frame: Frame, theme: Theme, burn_captions: bool) -> Canvas:
    """The canvas slides are checked on: text is laid out and measured, never drawn (nothing here is looked at)."""
    return drawing.canvas(frame, theme, burn_captions=burn_captions, fonts=FontBook(theme.fonts, glyphs=False))


def _drawing_problems(
    scenes: list[SceneEntry], canvas: Canvas, root: Path, smap: SourceMap, cache_root: Path | None
) -> list[Problem]:
    items = [
        fit.FitItem(entry.id, entry.scene.slide, entry.section_title, entry.section_number, entry.place, files)
        for entry in scenes
        for files in [assets(root, entry.scene.slide.asset_files())]
    ]
    return fit.problems(items, canvas, smap, cache_root)


def _caption_problems(scenes: list[SceneEntry], canvas: Canvas, smap: SourceMap) -> list[Problem]:
    """Narration that burned-in captions cannot draw (in caption files, the viewer's player draws it)."""
    if not canvas.caption_band:
        return []
    found = []
    for entry in scenes:
        if chars := canvas.fonts.undrawable("body", entry.scene.narration or ""):
            message = f"{cannot_draw(chars)}; or render with --captions file, where the player draws captions"
            found.append(smap.problem((*entry.place, "narration"), message))
    return found


def _music_problems(music: MusicSettings | None, sandbox: Sandbox, smap: SourceMap) -> list[Problem]:
    """Music whose file is in place but that ffmpeg cannot decode."""
    if music is None:
        return []
    file = sandbox.root / music.file
    if (
        sandbox.refusal(music.file)
        or not_regular(file)
        or not file.exists()
        or file.suffix.lower() not in mix.MUSIC_TYPES
    ):
        return []  # loading reported it
    if reason := mix.undecodable(file):
        message = f"'{music.file}' is not audio explainer can read ({reason}); export it again as WAV, MP3 or OGG"
        return [smap.problem(("music", "file"), message)]
    return []
