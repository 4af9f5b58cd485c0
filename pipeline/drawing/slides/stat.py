"""`stat`: one big figure that counts up on entry, with a label and a source.

Figures are written as people write them: a qualifier ("about", "almost",
"over", "up to"), a range (``value: [5, 7]`` or ``"5–7"``, drawn "5–7" with an
en dash), a unit placed as it is typeset (``$`` before the number, ``%``
right after it, ``km²`` or ``°C`` after a thin space and smaller), and a
minus sign drawn as a minus (U+2212), never a hyphen.

A share (a single value in %, from 0 to 100) gets a ring beside it that fills
as the figure counts up, so the frame shows the proportion, not only its digits.
A figure given with the whole it is part of (``of: {value, label}``: 34,000 of
25.7 million North Koreans) gets a bar beside it: the whole, and the part
filling it to scale, with "1 in 756" where the part is too thin to see. A
figure given with others to measure it against (``against: [{label, value}]``
and a ``name`` for its own) gets bars beside it, to scale, growing as it
counts. Any other figure may take a supporting ``icon`` beside it. Where the
room is not wide (a square or portrait frame) the graphic goes under the figure.
"""

from __future__ import annotations

import dataclasses
import re
from functools import partial
from typing import Annotated, Any, Literal

from PIL import Image, ImageDraw
from pydantic import BeforeValidator, Field

from pipeline.core.schema import MINUS_SIGNS, Figure
from pipeline.drawing.slides import icons, kinetic, reveals
from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import content_top, section_label, source_line
from pipeline.drawing.slides.motion import ease_out, sprite, text_sprite
from pipeline.drawing.slides.problems import SlideError
from pipeline.drawing.slides.text import TextBlock

QUALIFIERS = ("about", "around", "almost", "nearly", "over", "more than", "less than", "under", "up to", "at least")
#: Units written before the number, with no space.
CURRENCIES = ("$", "€", "£", "¥", "₩", "₹")
#: Units written right after the number, with no space, at the figure's size.
TIGHT_UNITS = ("%", "°", "+")
#: The graphic beside a figure goes under it where the room for content is narrower than this many times its height.
STACK_BELOW = 1.6
#: The longest unit a stat draws after its figure.
UNIT_CHARS = 12
#: Unit fragments people type for superscripts: km2, m^3 -> km², m³.
_SUPERSCRIPTS = {"2": "\u00b2", "3": "\u00b3"}


def _range(value: Any) -> Any:
    """'5–7' (en dash, hyphen or 'to') -> [5, 7]; anything else unchanged."""
    if isinstance(value, str):
        parts = re.split(rf"\s*(?:[{MINUS_SIGNS}-]|\bto\b)\s*", value.strip())
        if len(parts) == 2 and all(parts):
            return parts
    return value


def unit_text(unit: str) -> str:
    """The unit as typeset: 'km2' and 'km^2' -> 'km²'."""
    return re.sub(r"(?<=[a-zA-Z])\^?([23])\b", lambda m: _SUPERSCRIPTS[m[1]], unit)


class Whole(SpecBase):
    value: Figure = Field(description="The whole the figure is part of: 25700000.")
    label: str = Field(min_length=1, max_length=40, description="What the whole counts: 'North Koreans'.")


class Other(SpecBase):
    value: Figure = Field(description="The other figure, in the same unit: 14.")
    label: str = Field(min_length=1, max_length=30, description="What it is: 'Itaipu Dam'.")


class Spec(visuals.WithVisual):
    kind: Literal["stat"]
    value: Annotated[Figure | tuple[Figure, Figure], BeforeValidator(_range)] = Field(
        description="The figure as a plain number (34000, 3.5, -40), or a range: [5, 7] or '5–7'."
    )
    qualifier: Literal[QUALIFIERS] | None = Field(  # type: ignore[valid-type]
        None, description="A word before the figure: " + ", ".join(QUALIFIERS) + "."
    )
    unit: str | None = Field(
        None, max_length=UNIT_CHARS, description="The figure's unit: $, %, km², °C, people... (km2 is drawn km²)."
    )
    prefix: str = Field("", max_length=4, description="Before the number, e.g. '$' (or use unit).")
    suffix: str = Field("", max_length=12, description="After the number, e.g. '+', ' million'.")
    decimals: int | None = Field(None, ge=0, le=3, description="Digits after the point (default: as written).")
    label: str = Field(min_length=1, max_length=80, description="What the figure counts.")
    source: str | None = Field(None, max_length=100, description="Where the figure comes from.")
    count_up: bool = Field(True, description="Count up from zero on entry.")
    sentence: int | None = Field(
        None,
        ge=1,
        description="Count up until this sentence of the narration ends (default: the one that says the figure, so it "
        "lands as it is said; else the first).",
    )
    of: Whole | None = Field(None, description="The whole the figure is part of, drawn as a bar beside it.")
    against: list[Other] | None = Field(
        None, min_length=1, max_length=3, description="Figures to measure it against, drawn as bars to scale beside it."
    )
    name: str | None = Field(
        None, max_length=30, description="What the figure's own bar is called beside 'against': 'Three Gorges'."
    )
    icon: str | None = Field(
        None,
        max_length=40,
        description="A small icon set beside the figure, in the stat's own layout: 'bolt', 'water'. For a large"
        " icon or a picture on the slide's visual side, use visual: {icon: NAME} instead (one or the other).",
    )

    def sentence_refs(self) -> list[tuple[str, int]]:
        return [("sentence", self.sentence)] if self.sentence else []

    def with_reveals(self, said: list[str]) -> Spec:
        """Tied to the first sentence that says the figure (as written: '34,000', '3.5 million'), if one does."""
        if self.sentence or not self.count_up or len(said) <= 1:
            return self
        wanted = {f"{v:g}" for v in self.values()}
        for number, sentence in enumerate(said, 1):
            if wanted & reveals.content(sentence):
                return self.model_copy(update={"sentence": number})
        return self

    def check(self) -> list[SlideError]:
        given = [name for name in ("of", "against", "icon", "visual") if getattr(self, name) is not None]
        if len(given) > 1:
            return [SlideError(given[1], f"a stat shows one thing beside its figure; choose '{given[0]}' or "
                                         f"'{given[1]}'")]  # fmt: skip
        if self.icon and (message := icons.problem(self.icon)):
            return [SlideError("icon", message)]
        if self.visual:
            return []  # its own problems are the visual's (shown_problems)
        if self.against is not None:
            problems = []
            if not self.name:
                problems.append(SlideError("against", "name the figure's own bar beside the others: add 'name: ...'"))
            if isinstance(self.value, tuple) or any(v < 0 for v in [self.value, *(o.value for o in self.against)]):
                problems.append(SlideError("against", "bars to scale need single figures of zero or more, not ranges"))
            return problems
        if self.name:
            return [SlideError("name", "'name' labels the figure's bar beside 'against'; add 'against' or remove it")]
        if self.of and (self.of.value <= 0 or isinstance(self.value, tuple) or not 0 <= self.value <= self.of.value):
            return [
                SlideError(
                    "of.value",
                    "'of' must be a whole at least as large as the figure, and the figure a single number, not a range",
                )
            ]
        return []

    def values(self) -> tuple[float, ...]:
        return self.value if isinstance(self.value, tuple) else (self.value,)

    def share(self) -> float | None:
        """The fraction a percentage stands for (0-1), when the figure is one; else None."""
        value = self.values()
        percent = (self.unit or "").strip() == "%" or (not self.unit and self.suffix.strip() == "%")
        return value[0] / 100 if percent and len(value) == 1 and 0 <= value[0] <= 100 else None


def _number(spec: Spec, value: float, counting: bool = False) -> str:
    written = spec.values()
    decimals = spec.decimals if spec.decimals is not None else (0 if all(float(v).is_integer() for v in written) else 1)
    if counting and decimals == 0 and max(abs(v) for v in written) < COUNT_IN_TENTHS:
        decimals = 1  # "2 billion" counts 0.4, 1.1, 1.7...: in whole numbers it showed "0 billion" for a while
    text = f"{abs(value):,.{decimals}f}"
    return ("\u2212" if value < 0 and text.strip("0.,") else "") + text


#: A whole figure under this counts up in tenths, and lands on the figure as written.
COUNT_IN_TENTHS = 10


def figure_parts(spec: Spec, values: tuple[float, ...], counting: bool = False) -> tuple[str, str]:
    """The figure as (main text at the figure's size, unit drawn smaller after it): ('−40', '°C'); ``counting``:
    as shown on its way up (a small whole figure in tenths, when no unit is drawn after it)."""
    unit = unit_text(spec.unit or "")
    tenths = counting and not (unit and unit not in CURRENCIES and not unit.startswith(TIGHT_UNITS))
    numbers = "\u2013".join(_number(spec, v, tenths) for v in values)
    before = spec.prefix + (unit if unit in CURRENCIES else "")
    tight = unit if unit.startswith(TIGHT_UNITS) and unit not in ("°C", "°F") else ""
    main = f"{before}{numbers}{spec.suffix}{tight}"
    small = "" if unit in CURRENCIES or tight else unit
    return main, small


def format_value(spec: Spec, values: tuple[float, ...] | None = None) -> str:
    """The figure as one line of text: 'about 5–7 km²'."""
    main, small = figure_parts(spec, values or spec.values())
    return " ".join(filter(None, [spec.qualifier, main, small]))


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    safe, motion = canvas.safe, canvas.theme.motion
    top = content_top(canvas)
    elements: list[Element] = []
    bottom = safe.y1
    if spec.source:
        source, source_top = source_line(canvas, spec.source, 0.3 + 2 * motion.stagger)
        elements.append(source)
        bottom = source_top - canvas.px(0.03)
    share = spec.share() if spec.icon is None and spec.against is None else None
    beside = share is not None or spec.of is not None or spec.against is not None or spec.icon is not None
    # With its own graphic beside the figure (a ring, an icon, bars) the text keeps its sizes and the graphic is the
    # card's picture: the theme's ornament is left off (a texture under an icon read as decoration, not content).
    ground = canvas.bare and not beside
    if beside:
        canvas = dataclasses.replace(canvas, bare=False)
    # The graphic stands beside the text where the room is wide; under it where it is not (square and portrait).
    under = beside and safe.width < (bottom - top) * STACK_BELOW
    column = round(safe.width * 0.58) if beside and not under else safe.width
    label_w = round(column * 0.78 if share is None and not under else column)
    duration = _counting(spec, context) if spec.count_up else motion.entrance
    text, text_bottom = _text(spec, canvas, context, (top, bottom), column, label_w, under, duration)
    elements += text
    elements += _graphic(spec, canvas, share, (top, text_bottom, bottom), column, under, duration)
    return Slide(partial(section_label, canvas, context, ornament=ground), elements)


#: How often a long count's figure changes (seconds).
TICK = 0.1
#: How long a figure counts up: at least this (when nothing says it, or without timing), and at most this.
COUNT_SECONDS = (1.2, 6.0)


def _counting(spec: Spec, context: SceneContext) -> float:
    """How long the figure counts up: until the sentence that says it ends (the next one starts, or the scene's
    tail), so it lands as the narrator says it; 1.2 s without timing or a sentence."""
    shortest, longest = COUNT_SECONDS
    starts = context.sentence_starts
    number = spec.sentence or 1
    if not starts or number > len(starts) or not context.duration:
        return shortest
    end = starts[number] if number < len(starts) else context.duration - 0.6
    return max(shortest, min(longest, end - 0.2))


def _text(
    spec: Spec,
    canvas: Canvas,
    context: SceneContext,
    room: tuple[int, int],
    column: int,
    label_w: int,
    under: bool,
    duration: float,
) -> tuple[list[Element], int]:
    """The qualifier, the figure (counting up) and its label down ``column`` (its words marked as they are said),
    and where the text ends.

    The text is centred between the ``room``'s top and bottom; over a graphic (``under``) it is at the top of its
    part, the graphic taking what it leaves.
    """
    safe, colors, motion = canvas.safe, canvas.theme.colors, canvas.theme.motion
    top, bottom = room
    gap = canvas.px(0.025)
    text_bottom = top + round((bottom - top) * 0.55) if under else bottom
    label, qualifier, figure, small = _fitted(spec, canvas, column, label_w, text_bottom - top, grow=not under)
    above = qualifier.height + canvas.px(0.005) if qualifier else 0
    y = top + (text_bottom - top - figure.height - gap - label.height - above) // 2
    if under:
        y = top
        text_bottom = top + above + figure.height + gap + label.height + canvas.px(0.05)
    elements: list[Element] = []
    if qualifier:
        elements.append(sprite(text_sprite(qualifier, colors.muted), (safe.x0, y), 0.15, motion.entrance, 0))
        y += above
    unit_face = canvas.fonts.face("figure", max(canvas.min_text, round(figure.size * UNIT_SIZE))) if small else None
    elements.append(_count_up(spec, figure, unit_face, safe.x0, y, colors.accent, duration))
    y += figure.height + gap
    elements += kinetic.marks(label, (safe.x0, y), canvas, context, 0.2 + motion.stagger + motion.entrance)
    elements.append(
        sprite(
            text_sprite(label, colors.text), (safe.x0, y), 0.2 + motion.stagger, motion.entrance, canvas.px(motion.rise)
        )
    )
    return elements, text_bottom


#: The figure and its label start this much larger than the theme's figure and heading sizes, and shrink to their
#: room: a short figure ('997') fills its column as a long one ('750,000') does, where at the theme's size it
#: took a third of the frame's width and left the rest of the column empty. Over a graphic under the text (a tall
#: frame's ring or bars) they keep the theme's sizes (0.72 of the heading for the label): the graphic needs the room.
FIGURE_SCALE, LABEL_SCALE = 1.4, 0.86
#: With nothing beside it (no graphic, visual or backdrop) the figure starts larger still: a poster's numeral.
BARE_FIGURE_SCALE, BARE_LABEL_SCALE = 1.9, 1.05


def _fitted(
    spec: Spec, canvas: Canvas, column: int, label_w: int, height: int, grow: bool = True
) -> tuple[TextBlock, TextBlock | None, TextBlock, str]:
    """The label, the qualifier (if any) and the figure fitted to the text's ``height``; the unit drawn after it.
    ``grow``: starting larger than the theme's sizes (not over a graphic under the text, which needs the room)."""
    sizes = canvas.theme.sizes
    figure_scale, label_scale = (FIGURE_SCALE, LABEL_SCALE) if grow else (1.0, 0.72)
    if grow and canvas.bare:  # nothing beside it: the figure is the picture
        figure_scale, label_scale = BARE_FIGURE_SCALE, BARE_LABEL_SCALE
    label = canvas.fit(
        spec.label,
        "heading",
        sizes.heading * label_scale,
        field="label",
        width=label_w,
        height=height * 0.45,
        max_lines=3,
    )
    qualifier = None
    if spec.qualifier:
        qualifier = canvas.fit(
            spec.qualifier, "heading", sizes.heading * 0.6, field="qualifier", width=column,
            height=height, max_lines=1, balance=False,
        )  # fmt: skip
    above = qualifier.height + canvas.px(0.005) if qualifier else 0
    main, small = figure_parts(spec, spec.values())
    figure = canvas.fit(
        f"{main} {small}".strip(),  # the unit is drawn smaller: fitting it at full size leaves room to spare
        "figure",
        sizes.figure * figure_scale,
        field="value",
        width=column,
        height=height - label.height - canvas.px(0.025) - above,
        max_lines=1,
        balance=False,
    )
    return label, qualifier, figure, small


def _graphic(
    spec: Spec,
    canvas: Canvas,
    share: float | None,
    edges: tuple[int, int, int],
    column: int,
    under: bool,
    duration: float,
) -> list[Element]:
    """What stands beside the figure, or under it: a ring for a share, the part of a whole, bars to scale, or an
    icon. ``edges``: the text's top, where it ends, and the bottom of the room."""
    safe, colors, motion = canvas.safe, canvas.theme.colors, canvas.theme.motion
    top, text_bottom, bottom = edges
    # Where the graphic goes: the column's right, or the room under the text.
    x0, g_top = (safe.x0, text_bottom) if under else (safe.x0 + column + canvas.px(0.05), top)
    room_w = safe.width if under else safe.width - column
    centre = (safe.x0 + safe.width // 2 if under else safe.x1 - room_w // 2, g_top + (bottom - g_top) // 2)
    room = min(bottom - g_top, room_w)
    if share is not None:
        return [_ring(share, centre, round(room * 0.36), colors.panel, colors.accent, 0.2, duration)]
    if spec.of is not None:
        return _part_of(spec, canvas, (x0, g_top, safe.x1, bottom), duration)
    if spec.against is not None:
        return _against(spec, canvas, (x0, g_top, safe.x1, bottom), duration)
    if spec.icon is not None:
        return [_icon(spec.icon, centre, round(room * 0.72), colors.panel, colors.accent, motion.entrance)]
    return []


def _icon(name: str, centre: tuple[int, int], size: int, disc: str, color: str, duration: float) -> Element:
    """A supporting icon on a disc, entering with the figure."""
    image = Image.new("RGBA", (size + 1, size + 1), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size, size), fill=disc)
    icons.draw(draw, name, (size / 2, size / 2), round(size * 0.46), color)
    return sprite(image, (centre[0] - size // 2, centre[1] - size // 2), 0.3, duration, 0)


#: The bars beside a figure measured against others are at most this thick (of the short side).
AGAINST_BAR = 0.085


def _against(spec: Spec, canvas: Canvas, area: tuple[int, int, int, int], duration: float) -> list[Element]:
    """The figure's bar and the others', to one scale, growing in as it counts up, each with its name and value."""
    assert spec.against is not None and spec.name
    colors, sizes = canvas.theme.colors, canvas.theme.sizes
    x0, top, x1, bottom = area
    rows = [(spec.name, float(spec.values()[0]), True), *((o.label, o.value, False) for o in spec.against)]
    most = max(value for _, value, _ in rows) or 1.0
    fields = ["name", *(f"against.{i}.label" for i in range(len(spec.against)))]
    row_h = (bottom - top) / len(rows)
    names = canvas.fit_alike([name for name, _, _ in rows], "body", sizes.body, fields=fields, width=x1 - x0,
                             height=row_h * 0.5, max_lines=1)  # fmt: skip
    face = canvas.fonts.face("label", max(canvas.min_text, names[0].size))
    # Each figure as written (14 -> '14', 2.08 -> '2.1'), without the big figure's qualifier.
    plain = [spec.model_copy(update={"value": value, "qualifier": None}) for _, value, _ in rows]
    widest = max(round(face.getlength(format_value(one))) for one in plain) + canvas.px(0.02)
    bar_h = max(4, min(canvas.px(AGAINST_BAR), round(row_h * 0.34)))  # chunky, as a graphic: not hairlines
    span = x1 - x0 - widest
    gap = canvas.px(0.012)
    block = names[0].height + gap + bar_h
    row_h = min(row_h, block * 2.0)  # the rows close together, in the middle of the room
    y0 = top + round((bottom - top - row_h * len(rows)) / 2 + (row_h - block) / 2)
    elements: list[Element] = []
    for i, (block_name, (_, _, own)) in enumerate(zip(names, rows, strict=True)):
        color = colors.text if own else colors.muted
        y = round(y0 + i * row_h)
        elements.append(sprite(text_sprite(block_name, color), (x0, y), 0.2 + 0.1 * i, canvas.theme.motion.entrance, 0))
    ascent, descent = face.getmetrics()

    def paint(frame: Image.Image, p: float) -> None:
        draw = ImageDraw.Draw(frame)
        e = ease_out(p)
        for i, (_, value, own) in enumerate(rows):
            y = round(y0 + i * row_h) + names[i].height + gap
            length = max(2, round(span * value / most * e)) if value > 0 else 0
            if length:
                draw.rectangle((x0, y, x0 + length, y + bar_h), fill=colors.accent if own else colors.grid)
            text = format_value(plain[i], (value * e if spec.count_up else value,))
            face.draw(draw, (x0 + length + canvas.px(0.012), y + (bar_h + ascent - descent) // 2),
                      text, colors.text if own else colors.muted)  # fmt: skip

    elements.append(Element(0.2, duration, paint))
    return elements


def readable(value: float) -> str:
    """A large number as a narrator reads it: 25700000 -> '25.7 million'; smaller ones with commas."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.1f}".removesuffix(".0") + f" {word}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def part_of_whole(share: float) -> str:
    """A share as people say it: '27%', or '1 in 756' when it is under one percent."""
    return f"1 in {round(1 / share):,}" if 0 < share < 0.01 else f"{share:.0%}"


def _part_of(spec: Spec, canvas: Canvas, area: tuple[int, int, int, int], duration: float) -> list[Element]:
    """The whole as a bar, the figure's part of it filling in to scale, and what each is."""
    assert spec.of is not None
    colors, sizes = canvas.theme.colors, canvas.theme.sizes
    x0, top, x1, bottom = area
    width = x1 - x0
    share = float(spec.values()[0]) / spec.of.value
    bar_h = max(4, canvas.px(0.05))
    whole_text = f"of {readable(spec.of.value)} {spec.of.label}"
    ratio = part_of_whole(share)
    caption = canvas.fit(whole_text, "body", sizes.body, field="of.label", width=width, height=(bottom - top) * 0.3,
                         max_lines=2)  # fmt: skip
    figure = canvas.fit(ratio, "figure", sizes.heading, field="of.value", width=width, height=(bottom - top) * 0.3,
                        max_lines=1, balance=False)  # fmt: skip
    total = figure.height + canvas.px(0.02) + bar_h + canvas.px(0.02) + caption.height
    y = top + (bottom - top - total) // 2
    elements = [sprite(text_sprite(figure, colors.accent), (x0, y), 0.2 + duration, canvas.theme.motion.entrance, 0)]
    bar_y = y + figure.height + canvas.px(0.02)

    def paint(frame: Image.Image, p: float) -> None:
        draw = ImageDraw.Draw(frame)
        draw.rectangle((x0, bar_y, x1, bar_y + bar_h), fill=colors.panel)
        part = max(2, round(width * share * ease_out(p))) if share > 0 else 0
        if part:
            draw.rectangle((x0, bar_y, x0 + part, bar_y + bar_h), fill=colors.accent)

    elements.append(Element(0.2, duration, paint))
    caption_y = bar_y + bar_h + canvas.px(0.02)
    elements.append(sprite(text_sprite(caption, colors.muted), (x0, caption_y), 0.3, canvas.theme.motion.entrance, 0))
    return elements


def _ring(share: float, centre: tuple[int, int], radius: int, track: str, fill: str, start: float, duration: float):
    """A ring that fills clockwise from the top to ``share`` of its turn, in step with the count-up."""
    cx, cy = centre
    width = max(2, round(radius * 0.22))
    box = (cx - radius, cy - radius, cx + radius, cy + radius)

    def paint(frame: Image.Image, p: float) -> None:
        draw = ImageDraw.Draw(frame)
        draw.ellipse(box, outline=track, width=width)
        turn = 360 * share * ease_out(p)
        if turn > 0.5:
            draw.arc(box, -90, -90 + turn, fill=fill, width=width)

    return Element(start, duration, paint)


#: A unit after the figure ('km²', '°C') is drawn at this fraction of the figure's size.
UNIT_SIZE = 0.45


def _count_up(spec: Spec, figure, unit_face, x: int, y: int, color: str, duration: float) -> Element:
    """The figure, entering over ``duration`` seconds (counting up if the spec says so), its unit smaller after it."""
    font, ascent = figure.font, figure.ascent
    final, small = figure_parts(spec, spec.values())
    unit_x = round(font.getlength(final) + font.size * 0.12)  # a thin space after the final figure, fixed
    widest = max(font.getlength(final), font.getlength(figure_parts(spec, spec.values(), counting=True)[0]))
    width = max(unit_x + (round(unit_face.getlength(small)) if unit_face else 0), round(widest)) + 2

    def paint(frame: Image.Image, p: float) -> None:
        e = ease_out(p)
        values = tuple(v * e for v in spec.values()) if spec.count_up else spec.values()
        layer = Image.new("RGBA", (width, figure.height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        font.draw(draw, (0, ascent), figure_parts(spec, values, counting=spec.count_up and p < 1.0)[0], color)
        if unit_face:
            unit_face.draw(draw, (unit_x, ascent), small, color)
        alpha = layer.getchannel("A")
        if p < 1.0:
            fade = min(1.0, p * 4)
            alpha = alpha.point(lambda a: round(a * fade))
        frame.paste(layer, (x, y), alpha)

    # A count longer than its fade-in ticks ten times a second: a frame in three is drawn and encoded anew.
    return Element(0.2, duration, paint, step=TICK, smooth=0.5) if duration > 1.5 else Element(0.2, duration, paint)


KIND = SlideKind(Spec, visuals.beside(build))
