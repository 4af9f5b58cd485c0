"""Seeing scenes without rendering the video: one frame, the contact sheet, the thumbnail.

These draw straight from the storyboard; no narration is needed for settled
frames (a frame mid-scene, ``at=``, is timed by the scene's real narration,
which the caller passes as ``timing``).
"""

from __future__ import annotations

import dataclasses
import io
import math

import numpy as np
from PIL import Image, ImageDraw

from pipeline.core import assets
from pipeline.core.formats import Frame
from pipeline.drawing import canvases
from pipeline.drawing import thumbnail as thumbnails
from pipeline.drawing.cues import Cue
from pipeline.drawing.effects.captions import BurnCaptions
from pipeline.drawing.slides import map as maps
from pipeline.drawing.slides.base import Canvas, SceneContext
from pipeline.drawing.slides.image import open_picture
from pipeline.drawing.slides.visual import MapBackdrop
from pipeline.drawing.sources import SceneSource, open_source
from pipeline.drawing.thumbnail import Thumbnail
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


def thumbnail_field(project: Project) -> Thumbnail:
    """The storyboard's ``thumbnail:`` as its mapping form (``thumbnail: SCENE_ID`` is ``{scene: SCENE_ID}``)."""
    given = project.storyboard.thumbnail
    if given is None:
        return Thumbnail()
    return Thumbnail(scene=given) if isinstance(given, str) else given


def thumbnail_entry(project: Project) -> SceneEntry:
    """The scene the storyboard names as thumbnail, else the first title scene, else the first scene."""
    found = project.entries()
    wanted = thumbnail_field(project).scene
    for entry in found:
        if entry.id == wanted or (wanted is None and entry.scene.slide.kind == "title"):
            return entry
    return found[0]


def thumbnail_source(project: Project) -> SceneEntry | None:
    """The scene whose visual the thumbnail shows (None: the storyboard's ``thumbnail: {visual}`` or nothing): the
    one named, else the strongest visual in the storyboard: the title's (its backdrop, else its visual), else a
    map scene's map with a region lit, else any lit map, else a picture, else an icon."""
    field = thumbnail_field(project)
    if field.visual is not None:
        return None
    found = project.entries()
    if field.scene is not None:
        return thumbnail_entry(project)
    title = thumbnail_entry(project)
    if title.scene.slide.kind == "title" and _visual_of(title.scene.slide) is not None:
        return title
    for rank in range(4):
        for entry in found:
            if (seen := _visual_of(entry.scene.slide)) is not None and seen[0] == rank:
                return entry
    return None


def _visual_of(slide) -> tuple[int, object] | None:
    """What of ``slide`` a thumbnail may show, ranked (0 a lit map kind, 1 a lit map, 2 a picture, 3 an icon or an
    unlit map), and the thing itself: a map kind's spec, a MapBackdrop, a Visual or Backdrop (picture or icon), or
    an image kind's spec."""
    if slide.kind == "map":
        return (0 if slide.regions else 3), slide
    if slide.kind == "image":
        return 2, slide
    ranked = []
    for part in (getattr(slide, "backdrop", None), getattr(slide, "visual", None)):
        if part is None:
            continue
        if part.map is not None:
            ranked.append(((1 if part.map.highlight else 3), part.map))
        elif part.picture is not None:
            ranked.append((2, part))
        elif getattr(part, "icon", None):
            ranked.append((3, part))
    return min(ranked, key=lambda r: r[0]) if ranked else None


def thumbnail_inputs(project: Project) -> tuple[str, dict]:
    """What the thumbnail is drawn from, for its cache key: the id of the scene it draws on (its clip's key holds
    the slide, the theme, the fonts and the files), and the rest (the field, the title, the design's version, a
    picture of its own by content)."""
    field = thumbnail_field(project)
    source = thumbnail_source(project) or thumbnail_entry(project)
    picture = field.visual.picture if field.visual is not None else None
    return source.id, {
        "field": field.model_dump(mode="json"), "title": project.storyboard.title, "design": thumbnails.DESIGN,
        "picture": assets.digest(project.root / picture) if picture else None,
    }  # fmt: skip


def thumbnail_words(project: Project, lit: list[str]) -> list[tuple[str, bool]]:
    """The thumbnail's words: the creator's (stars mark the accent), else the title's key words with the names of
    the lit places among them marked (the words and the country share the accent colour)."""
    field = thumbnail_field(project)
    if field.text is not None:
        return thumbnails.marked(field.text)
    words = thumbnails.key_words(project.storyboard.title)
    marks = [False] * len(words)
    lowered = [w.lower() for w in words]
    for name in lit:
        parts = name.lower().split()
        for i in range(len(words) - len(parts) + 1):
            if lowered[i : i + len(parts)] == parts:
                marks[i : i + len(parts)] = [True] * len(parts)
    return list(zip(words, marks, strict=True))


def thumbnail(project: Project, frame: Frame) -> Image.Image:
    """The designed thumbnail (drawing/thumbnail.py) at the format's thumbnail size: the key words over the
    strongest visual of the storyboard, or what its ``thumbnail:`` says."""
    width, height = frame.profile.thumbnail
    canvas = canvases.canvas(Frame(width, height, frame.fps, frame.profile), project.theme)
    field = thumbnail_field(project)
    entry = thumbnail_source(project)
    seen: object | None = field.visual
    if seen is None and entry is not None:
        seen = (_visual_of(entry.scene.slide) or (0, None))[1]
    context_entry = entry or thumbnail_entry(project)
    files = {name: project.root / name for name in context_entry.scene.slide.asset_files()}
    if field.visual is not None and field.visual.picture:
        files[field.visual.picture] = project.root / field.visual.picture
    context = SceneContext(context_entry.section_title, context_entry.section_number, SceneTiming(), files)
    shown, lit = thumbnail_visual(seen, canvas, context)
    return thumbnails.draw(thumbnail_words(project, lit), shown, canvas)


def thumbnail_visual(seen: object | None, canvas: Canvas, context: SceneContext) -> tuple[thumbnails.Shown, list[str]]:
    """The thumbnail's visual drawn for ``canvas``, and the names of the places it lights."""
    if seen is None:
        return thumbnails.Shown(), []
    box = thumbnails.visual_box(canvas)
    plain = dataclasses.replace(canvas, column=box, backdrop=None, memo={})
    if isinstance(seen, maps.Spec):
        picture, lit = maps.lit_picture(seen, plain, context)
        return thumbnails.Shown(picture, lit), [r.name for r in seen.regions]
    if isinstance(seen, MapBackdrop):  # fitted to the lit places: the country the video is about, large
        fitted = seen.model_copy(update={"show": seen.highlight}) if seen.highlight else seen
        picture, lit = maps.lit_picture(fitted.spec(), plain, context)
        return thumbnails.Shown(picture, lit), list(seen.highlight)
    # An image kind's spec names its picture 'file' (its 'picture' is SpecBase's method: the fields of its picture).
    name = seen.file if getattr(seen, "kind", None) == "image" else getattr(seen, "picture", None)
    if name:
        return thumbnails.Shown(open_picture(context.asset(name), name), focus=seen.focus), []  # type: ignore[attr-defined]
    icon = getattr(seen, "icon", None)
    return (thumbnails.Shown(icon=icon) if icon else thumbnails.Shown()), []


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
