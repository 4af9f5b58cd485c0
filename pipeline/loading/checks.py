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

from pipeline.core.assets import Sandbox, assets, not_regular
from pipeline.core.audio import MUSIC_TYPES, undecodable
from pipeline.core.errors import Problem, StoryboardError, UsageError
from pipeline.core.formats import Frame
from pipeline.core.yamlsrc import SourceMap
from pipeline.drawing import canvases, layouts
from pipeline.drawing.slides import fit
from pipeline.drawing.slides.base import Canvas
from pipeline.drawing.slides.fonts import FontBook, cannot_draw
from pipeline.drawing.slides.theme import Layout, Theme
from pipeline.loading import storyboard
from pipeline.loading.options import DRAFT_WIDTH, RenderOptions
from pipeline.loading.storyboard import MusicSettings, Project, SceneEntry, VideoSettings


def validate(path: Path | str, options: RenderOptions | None = None, only: Collection[str] | None = None) -> Project:
    """Load the storyboard and check what ``options`` will draw; every problem is raised together.

    ``only`` limits the drawing checks to those scene ids (for a still of one scene).
    """
    options = options or RenderOptions()
    loaded = storyboard.read(path, allow_outside_assets=options.allow_outside_assets)
    scenes = [entry for entry in loaded.scenes if only is None or entry.id in only]
    found = list(loaded.problems)
    if loaded.theme is not None and (small := _too_small(options, loaded.video, loaded.theme, loaded.smap)):
        found.append(small)  # text at this size cannot be read: no slide is worth laying out
    elif loaded.theme is not None:
        canvas = _canvas(options.frame(loaded.video), loaded.theme, options.burn_captions)
        root = loaded.sandbox.root
        chosen = layouts.choose([entry.scene for entry in loaded.scenes], loaded.theme.layouts)
        found += _drawing_problems(scenes, canvas, root, loaded.smap, options.cache_root(root), chosen)
        found += _caption_problems(scenes, canvas, loaded.smap)
    else:  # no theme to lay slides out with: what needs no drawing is still found (unknown places, icons...)
        found += fit.spec_problems(_fit_items(scenes, loaded.sandbox.root), loaded.smap)
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
    found = _drawing_problems(scenes, canvas, project.root, smap, cache_dir, project.layouts())
    found += _caption_problems(scenes, canvas, smap)
    found += _music_problems(project.storyboard.music, sandbox, smap)
    if found:
        raise StoryboardError(found)


#: The smallest type a viewer can read, in pixels: a 6-pixel em (an x-height of about 3 pixels) is the least at which
#: antialiased Latin letters stay apart; the section label and a source line at 320x180 are drawn at it. Under it, the
#: frame is refused: at 64x4320 a title was 5 pixels and a label 2.
READABLE_PX = 6
#: The largest short side a frame may have (the storyboard's and --size's largest height).
MAX_SHORT_SIDE = 4320


def smallest_type(width: int, height: int, theme: Theme) -> int:
    """The slides' smallest type at width x height, in pixels: the theme's ``sizes.minimum`` of the short side (the
    section label and sources are drawn at it, and no text is fitted below it), rounded as ``Canvas.px`` rounds."""
    return max(1, round(theme.sizes.minimum * min(width, height)))


def least_short_side(theme: Theme) -> int:
    """The least even short side at which the theme's smallest type is READABLE_PX or more."""
    side = 2
    while smallest_type(side, side, theme) < READABLE_PX:
        side += 2
    return side


def _too_small(options: RenderOptions, video: VideoSettings, theme: Theme, smap: SourceMap) -> Problem | None:
    """The frame this render draws, if its smallest type is too small to read: at the storyboard's size (or the
    draft made from it), or a UsageError for a --size."""
    frame = options.frame(video)
    size = smallest_type(frame.width, frame.height, theme)
    if size >= READABLE_PX:
        return None
    least = least_short_side(theme)
    why = (
        f"the slides' smallest type (the theme's sizes.minimum, {theme.sizes.minimum:g} of the short side) would "
        f"be {size} px, and text under {READABLE_PX} px cannot be read"
    )
    fix = f"make the short side at least {least} px" if least <= MAX_SHORT_SIDE else "raise the theme's sizes.minimum"
    if options.size:
        raise UsageError(f"--size {frame.width}x{frame.height}: {why}; {fix}")
    field = "width" if video.width <= video.height else "height"
    if options.draft:
        what = f"a draft of this {video.width}x{video.height} video is {frame.width}x{frame.height}"
        fix = f"a draft keeps the video's shape at {DRAFT_WIDTH} px wide: render this one without --draft"
    else:
        what = f"the video is {frame.width}x{frame.height}"
        fix = f"{fix}, e.g. {field}: {least}" if least <= MAX_SHORT_SIDE else fix
    return smap.problem(("video", field), f"{what}: {why}; {fix}")


def _canvas(frame: Frame, theme: Theme, burn_captions: bool) -> Canvas:
    """The canvas slides are checked on: text is laid out and measured, never drawn (nothing here is looked at)."""
    return canvases.canvas(frame, theme, burn_captions=burn_captions, fonts=FontBook(theme.fonts, glyphs=False))


def _drawing_problems(
    scenes: list[SceneEntry],
    canvas: Canvas,
    root: Path,
    smap: SourceMap,
    cache_root: Path | None,
    chosen: dict[str, Layout],
) -> list[Problem]:
    """What drawing ``scenes`` finds, each laid out as ``chosen`` (drawing/layouts.py: chosen over the whole video,
    so the layout checked is the one drawn)."""
    return fit.problems(_fit_items(scenes, root, chosen), canvas, smap, cache_root)


def _fit_items(scenes: list[SceneEntry], root: Path, chosen: dict[str, Layout] | None = None) -> list[fit.FitItem]:
    return [
        fit.FitItem(
            entry.id,
            entry.scene.slide,
            entry.section_title,
            entry.section_number,
            entry.place,
            files,
            (chosen or {}).get(entry.id, "right"),
        )
        for entry in scenes
        for files in [assets(root, entry.scene.slide.asset_files())]
    ]


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
    if sandbox.refusal(music.file) or not_regular(file) or not file.exists() or file.suffix.lower() not in MUSIC_TYPES:
        return []  # loading reported it
    if reason := undecodable(file):
        message = f"'{music.file}' is not audio explainer can read ({reason}); export it again as WAV, MP3 or OGG"
        return [smap.problem(("music", "file"), message)]
    return []
