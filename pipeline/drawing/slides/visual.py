"""A slide's visual side: an icon or a picture beside its text, moving with the narration.

A text-led slide with a ``visual`` gives the visual the side of the frame its text leaves empty: the right
two fifths of a wide frame, the bottom of a portrait or square one. The text is laid out in what is left, as
it would be on a narrower frame (``column``). The visual enters after the text starts. A picture then drifts
(a slow push-in and float) for the whole scene; an icon pings as each later sentence starts (see ``elements``).
The text stays where the eye reads it.

A drift repaints only the visual, ten times a second: the text painted before it is kept (``Slide``'s settled
layers), and the visual is drawn from an image made once, into a sub-pixel rectangle.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Literal

from PIL import Image, ImageDraw, ImageOps
from pydantic import Field, model_validator

from pipeline.core.schema import Fraction, Plain
from pipeline.drawing.maps import ground
from pipeline.drawing.slides import icons, kinetic
from pipeline.drawing.slides import map as maps
from pipeline.drawing.slides.base import Box, Canvas, Element, Pictured, SceneContext, Slide, SpecBase, SpecT
from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.slides.image import open_picture
from pipeline.drawing.slides.map import Name as MapName
from pipeline.drawing.slides.motion import ease_out
from pipeline.drawing.slides.problems import FitError, SlideError

#: Of a wide frame's safe width: the text's column, then the gap, the rest is the visual's.
TEXT_SHARE, GAP_SHARE = 0.56, 0.05
#: Of a portrait or square frame's safe height: the visual's band at the bottom, and the gap above it.
BAND_SHARE = 0.36
#: In a tall frame the visual's band reaches down to here (of the frame's height), below the safe area: that keeps
#: the platforms' captions and buttons clear of text, and a centred visual under the text clears the buttons at the
#: right; ending at the safe area left the lower third of a Short empty and the icon small.
TALL_BAND_BOTTOM = 0.76
#: A full-bleed picture's lower third: where it starts (of the safe area's height) and how wide it is (of a wide
#: frame's safe width: the line of a caption, not a page).
LOWER_TOP, LOWER_WIDTH = 0.56, 0.8
#: The visual's room, tried in turn until the text fits beside it: full size, then smaller.
ROOM = (1.0, 0.7, 0.5)
#: How much the visual grows over the scene, and how far it floats up (of its box's height).
PUSH, FLOAT = 0.06, 0.025
#: After its entrance the drift moves ten times a second, not thirty: a frame in three is drawn and encoded anew,
#: the others repeat it (at 1080p a scene drifting every frame cost 33 ms of CPU a frame, 5 before the visual).
STEP = 0.1
#: When it enters (seconds into the scene) and how long its entrance takes.
ENTERS, ENTRANCE = 0.35, 0.8
#: The scene's length when it is not known yet (a still, a sheet): the drift is drawn at its end.
TYPICAL_SECONDS = 8.0


class MapBackdrop(Plain):
    """A map a slide stands on: the places it fits, drawn in a map style, some of them lit."""

    show: list[MapName] = Field(
        min_length=1, max_length=8, description="Places, countries or seas the map fits, e.g. [North Korea, Seoul]."
    )
    style: Literal["flat", "relief", "satellite"] | None = Field(
        None, description="The ground: flat, relief or satellite; default the theme's maps.style."
    )
    highlight: list[MapName] = Field(
        default_factory=list, max_length=6, description="Countries, regions or seas lit in the theme's soft colour."
    )

    def spec(self) -> maps.Spec:
        """The map kind's slide this map is: one view, its regions lit from the start, no scale bar."""
        return maps.Spec(kind="map", style=self.style, camera=[maps.Shot(show=self.show)], scale_bar=False,
                         regions=[maps.Region(name=name, color="soft") for name in self.highlight])  # fmt: skip

    def problems(self, field: str) -> list[SlideError]:
        found = [maps.unknown_place(f"{field}.show.{i}", name, "a place, country or sea", coordinates=False)
                 for i, name in enumerate(self.show) if maps.where(name, {}) is None]  # fmt: skip
        found += [maps.not_outlined(f"{field}.highlight.{i}", name)
                  for i, name in enumerate(self.highlight) if not maps.outlined(name)]  # fmt: skip
        if self.style and (why := ground.missing(self.style)):
            found.append(SlideError(f"{field}.style", why))
        return found


class Visual(Plain):
    """Something to look at beside the slide's text: an icon, a picture or a map."""

    icon: str | None = Field(
        None, max_length=40, description="An icon from the bundled Font Awesome set, named as on fontawesome.com."
    )
    picture: str | None = Field(
        None, min_length=1, max_length=300, description="A picture under the project folder, e.g. assets/images/x.jpg."
    )
    map: MapBackdrop | None = Field(
        None, description="Or a map inset: {show: [places to fit], highlight: [a country to light], style: ...}."
    )
    focus: tuple[Fraction, Fraction] = Field(
        (0.5, 0.5), description="The point of the picture kept in view, as fractions of its width and height."
    )

    @model_validator(mode="after")
    def _one(self) -> Visual:
        if sum(x is not None for x in (self.icon, self.picture, self.map)) != 1:
            raise ValueError(
                "a visual is an icon, a picture or a map: write one of 'icon: NAME', 'picture: FILE' or "
                "'map: {show: [PLACE, ...]}'"
            )
        return self

    def asset_files(self) -> list[str]:
        return [self.picture] if self.picture else []

    def problems(self, field: str = "visual") -> list[SlideError]:
        if self.map is not None:
            return self.map.problems(f"{field}.map")
        found = icons.problem(self.icon) if self.icon else None
        return [SlideError(f"{field}.icon", found)] if found else []


class Backdrop(Plain):
    """A picture or a map the whole slide stands on, faded under its text as the theme's ``backdrops`` say."""

    picture: str | None = Field(
        None, min_length=1, max_length=300, description="A picture under the project folder, e.g. assets/images/x.jpg."
    )
    map: MapBackdrop | None = Field(
        None, description="Or a map: {show: [places to fit], style: satellite, highlight: [a country to light]}."
    )
    focus: tuple[Fraction, Fraction] = Field(
        (0.5, 0.5), description="The point of the picture kept in view, as fractions of its width and height."
    )
    dim: Fraction | None = Field(
        None,
        description="How far the picture fades behind the text, for this picture (0: not at all, 1: gone); "
        "defaults to the theme's backdrops.dim. A dark picture (a night scene) wants less.",
    )

    @model_validator(mode="after")
    def _one(self) -> Backdrop:
        if (self.picture is None) == (self.map is None):
            raise ValueError("a backdrop is a picture or a map: write one of 'picture: FILE' or 'map: {show: [...]}'")
        return self


def portrait(canvas: Canvas) -> bool:
    """Whether the visual goes under the text (a frame narrower than wide) rather than beside it."""
    return canvas.width < canvas.height * 1.5


def beside(build: Callable[[SpecT, Canvas, SceneContext], Slide]) -> Callable[[SpecT, Canvas, SceneContext], Slide]:
    """A kind's ``build`` with its ``visual`` beside the text: the text laid out in its column, the visual entering
    after it and moving with the narration. When the text does not fit beside a full-size visual, the visual gives
    up some room; when it still does not fit, the problem says the visual takes room too.

    Where the visual goes is the scene's ``layout`` (``context.layout``, chosen over the video by layouts.py): on
    the right of the text, on its left (a wide frame's screen direction; a tall frame keeps it under the text), or a
    picture over the whole frame with the text as a lower third (``full``: beside it when the text does not fit)."""

    def built(spec: SpecT, canvas: Canvas, context: SceneContext) -> Slide:
        visual, behind = getattr(spec, "visual", None), getattr(spec, "backdrop", None)
        if visual is not None and visual.picture is not None and context.layout == "full":
            if behind is not None:  # the visual's picture takes its place; a problem with it is still said
                _behind(behind, canvas, context)
            try:
                return _full(build, spec, visual, canvas, context)
            except FitError:
                pass  # a lower third too short for the text: the picture beside it, as the scene's side says
        left = context.layout == "left" and not portrait(canvas)
        if behind is not None:
            canvas = dataclasses.replace(
                canvas, backdrop=_behind(behind, canvas, context, left=left and visual is not None)
            )
        if visual is None and behind is None:
            return build(spec, dataclasses.replace(canvas, bare=True), context)
        if visual is None and behind.map is None:
            return build(spec, canvas, context)
        failed: FitError | None = None
        for room in ROOM:
            column, box = split(canvas, room, left=left)
            try:
                slide = build(spec, column, context)
            except FitError as exc:
                failed = exc
                continue
            if visual is not None:
                slide.elements.extend(elements(visual, canvas, box, context))
            return slide
        assert failed is not None
        if visual is None:  # beside its map, the text did not fit: it runs over the map, faded under it
            return build(spec, canvas, context)
        raise FitError(failed.field, f"{failed}; the visual beside it takes room too (remove 'visual' to give it all)")

    return built


def split(canvas: Canvas, room: float = 1.0, *, left: bool = False) -> tuple[Canvas, Box]:
    """The canvas the text is laid out on (its ``column``), and the visual's box, ``room`` times its full size.
    ``left``: the visual on the left of a wide frame, the text on the right (a tall frame's is under the text)."""
    safe = canvas.safe
    if portrait(canvas):
        band = round(safe.height * BAND_SHARE * room)
        gap = round(safe.height * GAP_SHARE)
        column = Box(safe.x0, safe.y0, safe.x1, safe.y1 - band - gap)
        low = max(safe.y1, round(canvas.height * TALL_BAND_BOTTOM)) if canvas.height > canvas.width else safe.y1
        box = Box(safe.x0, safe.y1 - band, safe.x1, low)
    else:
        text = round(safe.width * (1 - (1 - TEXT_SHARE) * room))
        gap = round(safe.width * GAP_SHARE)
        column = Box(safe.x0, safe.y0, safe.x0 + text, safe.y1)
        box = Box(safe.x0 + text + gap, safe.y0, safe.x1, safe.y1)
        if left:  # the same two boxes, mirrored inside the safe area
            column = Box(safe.x1 - text, safe.y0, safe.x1, safe.y1)
            box = Box(safe.x0, safe.y0, safe.x1 - text - gap, safe.y1)
    return dataclasses.replace(canvas, column=column), box


def lower_third(canvas: Canvas) -> Box:
    """Where a full-bleed picture's text goes: the bottom of the safe area, from LOWER_TOP of its height, and
    LOWER_WIDTH of a wide frame's width (the whole width of a tall or square one)."""
    safe = canvas.safe
    top = safe.y0 + round(safe.height * LOWER_TOP)
    right = safe.x0 + round(safe.width * LOWER_WIDTH) if not portrait(canvas) else safe.x1
    return Box(safe.x0, top, right, safe.y1)


def _full(
    build: Callable[[SpecT, Canvas, SceneContext], Slide], spec: SpecT, visual: Visual, canvas: Canvas,
    context: SceneContext,
) -> Slide:  # fmt: skip
    """The visual's picture over the whole frame, moved by the slide's camera as a backdrop is, darkened under the
    text set as a lower third (a FitError when the text does not fit there)."""
    picture = _opened(visual, context)
    assert picture is not None
    pictured = Pictured(lambda: picture, visual.focus, visual.picture or "", None, text="lower")
    return build(spec, dataclasses.replace(canvas, backdrop=pictured, column=lower_third(canvas)), context)


def elements(visual: Visual, canvas: Canvas, box: Box, context: SceneContext) -> list[Element]:
    """The visual entering in its box, then moving with the narration until the scene ends. Keep these last among
    the slide's elements: the ones before them are painted once and kept while they move.

    A picture drifts (a slow push-in and float, ten steps a second). An icon settles and sends out a ping, a ring
    that grows from its disc and fades, as each later sentence starts: a beat on the narration that costs a few
    frames, where a drift cost every frame."""
    seconds = max(context.duration or TYPICAL_SECONDS, ENTERS + ENTRANCE + 0.1)
    picture = _opened(visual, context)  # read now: a missing or broken picture is found when the slide is checked
    made: list[Image.Image] = []  # the visual at its largest, made on the first frame drawn (not for a fit check)

    def image() -> Image.Image:
        if not made:
            if visual.map is not None:
                made.append(_inset(visual.map, canvas, context, box.width, box.height))
            elif picture is None:
                made.append(_icon(visual.icon, canvas, box.width, box.height))
            else:
                made.append(_picture(picture, visual, canvas, box.width, box.height))
        return made[0]

    if picture is not None or visual.map is not None:  # a picture or a map drifts

        def drift(frame: Image.Image, p: float) -> None:
            t = p * (seconds - ENTERS)
            enter = ease_out(min(1.0, t / ENTRANCE))
            _paint(frame, image(), box, enter, min(1.0, t / max(1e-6, seconds - ENTERS)))

        return [Element(ENTERS, seconds - ENTERS, drift, step=STEP, smooth=ENTRANCE)]

    def enter(frame: Image.Image, p: float) -> None:
        _paint(frame, image(), box, ease_out(p), 1.0)

    found = [Element(ENTERS, ENTRANCE, enter)]
    centre, radius = (box.x0 + box.width / 2, box.y0 + box.height / 2), min(box.width, box.height) * 0.46  # the disc
    for start in context.sentence_starts[1:]:
        if start > ENTERS + ENTRANCE:
            found.append(kinetic.ping(canvas, centre, radius, start))
    return found


def _paint(frame: Image.Image, big: Image.Image, box: Box, enter: float, drift: float) -> None:
    """The visual's window at this moment, pasted into its box: ``big`` is the visual at its final size."""
    # ``big`` is drawn at the box's size, which the visual reaches as the scene ends: it starts 1 / (1 + PUSH) of
    # that, a little smaller still while it enters, and floats up from a little below, always inside its box.
    grow = (1 + PUSH * drift) / (1 + PUSH) * (0.94 + 0.06 * enter)
    w, h = box.width * grow, box.height * grow
    x = box.x0 + (box.width - w) / 2
    y = box.y0 + (box.height - h) / 2 + box.height * FLOAT * (1 - drift) + box.height * 0.03 * (1 - enter)
    # Draw ``big`` into the sub-pixel rectangle (x, y, w, h): resize to the whole pixels inside it, with a source
    # box that shifts it by the fraction (the part of a pixel at its very edge is left out).
    x0, y0 = math.ceil(x), math.ceil(y)
    x1, y1 = math.floor(x + w), math.floor(y + h)
    sx, sy = big.width / w, big.height / h
    source = ((x0 - x) * sx, (y0 - y) * sy, (x1 - x) * sx, (y1 - y) * sy)
    piece = big.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR, box=source)
    if enter < 1.0:
        alpha = piece.getchannel("A").point(lambda a: round(a * enter))
        piece.putalpha(alpha)
    frame.paste(piece, (x0, y0), piece)


def _opened(visual: Visual, context: SceneContext) -> Image.Image | None:
    """The visual's picture as RGB (None for an icon); a problem with it is said at ``visual.picture``."""
    if visual.picture is None:
        return None
    try:
        return open_picture(context.asset(visual.picture), visual.picture)
    except SlideError as exc:
        raise SlideError("visual.picture", str(exc)) from None


def _behind(
    behind: Backdrop, canvas: Canvas, context: SceneContext, beside: bool = True, left: bool = False
) -> Pictured:
    """The backdrop: a picture, read now (a problem with it is said at ``backdrop.picture``), or a map, drawn at the
    frame's size when the slide's background is first drawn (a layout's check never draws it), its places fitted
    where a visual goes: the text stands beside them, over the faded rest of the map. ``left``: the slide's visual
    is on the left, its text on the right: the picture fades most there."""
    if behind.map is not None:  # its places where a visual goes, the text beside them (unless a visual is there)
        spec = behind.map.spec()
        _, box = split(dataclasses.replace(canvas, column=None), left=left)
        plain = dataclasses.replace(canvas, column=box if beside else None, backdrop=None)
        where = "whole" if not beside else "left" if left else "beside"
        name = f"map:{where}:{spec.model_dump_json()}"  # the memo key: fitted apart
        made = functools.cache(lambda: maps.lit_picture(spec, plain, context))
        text = "end" if left else "start"
        return Pictured(lambda: made()[0], (0.5, 0.5), name, behind.dim, keep=lambda: made()[1], text=text)
    assert behind.picture is not None
    try:
        picture = open_picture(context.asset(behind.picture), behind.picture)
    except SlideError as exc:
        raise SlideError("backdrop.picture", str(exc)) from None
    return Pictured(lambda: picture, behind.focus, behind.picture, behind.dim, text="end" if left else "start")


def _icon(name: str, canvas: Canvas, w: int, h: int) -> Image.Image:
    """The icon on a disc, as large as the box allows: a soft disc of the accent colour with a ring, or a solid
    disc (the theme's ``panels``)."""
    colors = canvas.theme.colors
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(out)
    side = min(w, h)
    r = side * 0.46
    cx, cy = w / 2, h / 2
    panels = canvas.theme.panels
    if panels.style == "solid":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*rgb(panels.color or colors.panel), 255))
        icons.draw(draw, name, (cx, cy), round(side * 0.42), (*rgb(panels.ink or colors.text), 255))
        return out
    accent = rgb(colors.accent)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, 38))
    ring = max(2, round(side * 0.012))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(*accent, 150), width=ring)
    icons.draw(draw, name, (cx, cy), round(side * 0.42), (*rgb(colors.text), 255))
    return out


def _picture(picture: Image.Image, visual: Visual, canvas: Canvas, w: int, h: int) -> Image.Image:
    """The picture filling the box, its focus kept in view, with rounded corners."""
    fitted = ImageOps.fit(picture, (w, h), Image.Resampling.LANCZOS, centering=visual.focus)
    return _rounded(fitted, canvas)


def _inset(inset: MapBackdrop, canvas: Canvas, context: SceneContext, w: int, h: int) -> Image.Image:
    """A map inset the box's size: the map kind's picture of its places on a canvas that size (its own
    background, drawn for that size), with rounded corners."""
    small = dataclasses.replace(canvas, width=w, height=h, column=None, backdrop=None, memo={})
    return _rounded(maps.picture(inset.spec(), small, context), canvas)


def _rounded(image: Image.Image, canvas: Canvas) -> Image.Image:
    out = image.convert("RGBA")
    mask = Image.new("L", out.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, out.width - 1, out.height - 1), radius=canvas.px(0.02), fill=255)
    out.putalpha(mask)
    return out


class WithBackdrop(SpecBase):
    """A slide kind that may stand on a picture or a map (``backdrop:``)."""

    backdrop: Backdrop | None = Field(
        None,
        description="A picture or a map the whole slide stands on, faded under the text (the theme's backdrops): "
        "{picture: FILE, focus: [x, y]} or {map: {show: [PLACE, ...]}}. The camera's slow push moves it with the "
        "slide.",
    )

    def asset_files(self) -> list[str]:
        return [name for name, _ in self.asset_places()]

    def asset_field(self) -> str:
        return "backdrop.picture"

    def asset_places(self) -> list[tuple[str, str]]:
        return [(self.backdrop.picture, "backdrop.picture")] if self.backdrop and self.backdrop.picture else []

    def shown_problems(self) -> list[SlideError]:
        return self.backdrop.map.problems("backdrop.map") if self.backdrop and self.backdrop.map else []


class WithVisual(WithBackdrop):
    """A slide kind whose text may give part of the frame to a visual (``visual:``)."""

    visual: Visual | None = Field(
        None,
        description="Something to look at beside the text: {icon: NAME} (Font Awesome's solid "
        "set), {picture: FILE, focus: [x, y]} or a map inset, {map: {show: [PLACE, ...]}}.",
    )

    def asset_field(self) -> str:
        return "visual.picture"

    def asset_places(self) -> list[tuple[str, str]]:
        found = [(name, "visual.picture") for name in (self.visual.asset_files() if self.visual else [])]
        return found + super().asset_places()

    def shown_problems(self) -> list[SlideError]:
        return (self.visual.problems() if self.visual else []) + super().shown_problems()


def behind(build: Callable[[SpecT, Canvas, SceneContext], Slide]) -> Callable[[SpecT, Canvas, SceneContext], Slide]:
    """A kind's ``build`` over its ``backdrop``, when it has one: a picture, or a map with its places fitted to the
    whole frame (the kind's content is laid out over all of it)."""

    def built(spec: SpecT, canvas: Canvas, context: SceneContext) -> Slide:
        if (under := getattr(spec, "backdrop", None)) is not None:
            canvas = dataclasses.replace(canvas, backdrop=_behind(under, canvas, context, beside=False))
        else:
            canvas = dataclasses.replace(canvas, bare=True)
        return build(spec, canvas, context)

    return built
