"""Seeing scenes without rendering the video: one frame, the contact sheet, the thumbnail.

These draw straight from the storyboard; no narration is needed for settled
frames (a frame mid-scene, ``at=``, is timed by the scene's real narration,
which the caller passes as ``timing``).
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw

from pipeline.core.formats import Frame
from pipeline.drawing import canvases
from pipeline.drawing.cues import Cue
from pipeline.drawing.effects.captions import BurnCaptions
from pipeline.drawing.slides.base import Canvas, SceneContext
from pipeline.drawing.sources import SceneSource, open_source
from pipeline.drawing.timing import SceneTiming
from pipeline.loading.storyboard import Project, SceneEntry

#: zlib level of a still's PNG data for the preview: at 320x180, 3 ms against the default 6's 6.5 ms,
#: for a file a fifth larger.
PNG_LEVEL = 1


def scene_source(project: Project, canvas: Canvas, entry: SceneEntry, timing: SceneTiming | None = None) -> SceneSource:
    """The scene's source drawn on ``canvas`` (raises SlideError when it cannot be drawn)."""
    files = {name: project.root / name for name in entry.scene.slide.asset_files()}  # by path: no digest needed
    layout = project.layouts()[entry.id]  # chosen over the whole video, as the render chooses it
    context = SceneContext(entry.section_title, entry.section_number, timing or SceneTiming(), files, layout=layout)
    return open_source(entry.scene.slide, canvas, context)


def still(
    project: Project,
    frame: Frame,
    entry: SceneEntry,
    *,
    at: float | None = None,
    timing: SceneTiming | None = None,
    cues: tuple[Cue, ...] = (),
    burn_captions: bool = False,
    canvas: Canvas | None = None,
) -> np.ndarray:
    """The scene's frame ``at`` seconds in (default: its settled frame), with ``cues`` burned in if asked; on
    ``canvas`` when given (one made for ``frame`` and the project's theme, kept for the next still), else a new one."""
    canvas = canvas or canvases.canvas(frame, project.theme, burn_captions=burn_captions)
    source = scene_source(project, canvas, entry, timing)
    try:
        if at is None and not burn_captions:
            return source.still()
        if burn_captions:
            source = BurnCaptions(cues, canvas).apply(source)
        return source.frame(source.still_time if at is None else at)
    finally:
        source.close()


def still_png(project: Project, frame: Frame, scene_id: str, canvas: Canvas | None = None) -> bytes | None:
    """The settled still of the scene ``scene_id`` as PNG data, or None when it cannot be drawn (a worker's task:
    the preview's outline draws its stills on every core, each worker on one canvas, ``canvas``). Compressed
    quickly: the data goes to a page on this machine."""
    from pipeline.core.errors import ExplainerError
    from pipeline.drawing.slides.problems import SlideError

    entry = next(e for e in project.entries() if e.id == scene_id)
    try:
        image = Image.fromarray(still(project, frame, entry, canvas=canvas))
    except (SlideError, ExplainerError):
        return None  # not checked yet: the check that follows says what is wrong with it, located
    data = io.BytesIO()
    image.save(data, format="PNG", compress_level=PNG_LEVEL)
    return data.getvalue()


def thumbnail_entry(project: Project) -> SceneEntry:
    """The scene the storyboard names as thumbnail, else the first title scene, else the first scene."""
    found = project.entries()
    wanted = project.storyboard.thumbnail
    for entry in found:
        if entry.id == wanted or (wanted is None and entry.scene.slide.kind == "title"):
            return entry
    return found[0]


def thumbnail(project: Project, frame: Frame) -> Image.Image:
    """The settled frame of the thumbnail scene, drawn at the format's thumbnail size (not scaled down)."""
    width, height = frame.profile.thumbnail
    canvas = canvases.canvas(Frame(width, height, frame.fps, frame.profile), project.theme)
    source = scene_source(project, canvas, thumbnail_entry(project))
    try:
        return Image.fromarray(source.still())
    finally:
        source.close()


def sheet(project: Project, frame: Frame, columns: int = 4, tile_width: int = 480) -> Image.Image:
    """Every scene's settled frame in a grid, each labelled with its number, id and kind."""
    found = project.entries()
    tile_h = round(tile_width * frame.height / frame.width)
    # Draw at twice the tile size and scale down: small text stays crisp.
    canvas = canvases.canvas(Frame(tile_width * 2, tile_h * 2, frame.fps, frame.profile), project.theme)
    label_font = canvas.fonts.face("label", 22)
    label_h, pad = 34, 12
    rows = math.ceil(len(found) / columns)
    colors = project.theme.colors
    out = Image.new(
        "RGB", (pad + columns * (tile_width + pad), pad + rows * (tile_h + label_h + pad)), colors.background_edge
    )
    draw = ImageDraw.Draw(out)
    for i, entry in enumerate(found):
        source = scene_source(project, canvas, entry)
        try:
            still_image = Image.fromarray(source.still())
        finally:
            source.close()
        x = pad + (i % columns) * (tile_width + pad)
        y = pad + (i // columns) * (tile_h + label_h + pad)
        out.paste(still_image.resize((tile_width, tile_h), Image.Resampling.LANCZOS), (x, y))
        label_font.draw(draw, (x, y + tile_h + 26), f"{i + 1:02d}", colors.accent)
        label_font.draw(draw, (x + 34, y + tile_h + 26), f"{entry.id}  ·  {entry.scene.slide.kind}", colors.text)
    return out
