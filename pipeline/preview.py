"""Seeing slides without rendering the video: one frame, the contact sheet, the thumbnail.

These draw straight from the storyboard with Pillow; no narration is needed
for settled frames (``--at`` asks the workflow for the scene's real timing).
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from pipeline.slides import KINDS, subtitles
from pipeline.slides.base import Canvas, SceneContext, Slide
from pipeline.slides.fonts import FontBook
from pipeline.storyboard import Project, Scene

#: YouTube's recommended thumbnail size.
THUMBNAIL = (1280, 720)


def canvas_for(project: Project, size: tuple[int, int] | None = None, burn_captions: bool = False) -> Canvas:
    """The canvas slides draw on; with ``burn_captions`` their content keeps above the caption band."""
    video = project.storyboard.video
    width, height = size or (video.width, video.height)
    band = subtitles.band(project.theme) if burn_captions else 0.0
    return Canvas(width, height, project.theme, FontBook(project.theme.fonts), caption_band=band)


def build(project: Project, canvas: Canvas, number: int, section_title: str, scene: Scene, **timing) -> Slide:
    context = SceneContext(section_title, number, root=project.root, **timing)
    return KINDS[scene.slide.kind].build(scene.slide, canvas, context)


def thumbnail_scene(project: Project) -> tuple[int, str, Scene]:
    """The scene the storyboard names as thumbnail, else the first title scene, else the first scene."""
    entries = [(n, section.title, scene) for n, section, scene in project.scenes()]
    wanted = project.storyboard.thumbnail
    for entry in entries:
        if entry[2].id == wanted or (wanted is None and entry[2].slide.kind == "title"):
            return entry
    return entries[0]


def thumbnail(project: Project) -> Image.Image:
    """The settled frame of the thumbnail scene, drawn at 1280x720 (not scaled down from the video)."""
    number, section_title, scene = thumbnail_scene(project)
    slide = build(project, canvas_for(project, THUMBNAIL), number, section_title, scene)
    return Image.fromarray(slide.still())


def sheet(project: Project, columns: int = 4, tile_width: int = 480) -> Image.Image:
    """Every scene's settled frame in a grid, each labelled with its number, id and kind."""
    entries = project.scenes()
    video = project.storyboard.video
    tile_h = round(tile_width * video.height / video.width)
    # Draw at twice the tile size and scale down: small text stays crisp.
    canvas = canvas_for(project, (tile_width * 2, tile_h * 2))
    label_font = canvas.fonts.face("label", 22)
    label_h, pad = 34, 12
    rows = math.ceil(len(entries) / columns)
    colors = project.theme.colors
    out = Image.new(
        "RGB", (pad + columns * (tile_width + pad), pad + rows * (tile_h + label_h + pad)), colors.background_edge
    )
    draw = ImageDraw.Draw(out)
    for i, (number, section, scene) in enumerate(entries):
        still = Image.fromarray(build(project, canvas, number, section.title, scene).still())
        x = pad + (i % columns) * (tile_width + pad)
        y = pad + (i // columns) * (tile_h + label_h + pad)
        out.paste(still.resize((tile_width, tile_h), Image.Resampling.LANCZOS), (x, y))
        label_font.draw(draw, (x, y + tile_h + 26), f"{i + 1:02d}", colors.accent)
        label_font.draw(draw, (x + 34, y + tile_h + 26), f"{scene.id}  ·  {scene.slide.kind}", colors.text)
    return out
