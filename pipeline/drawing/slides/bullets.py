"""`bullets`: a heading and up to ten short points that enter one after another.

Up to six points stand in one column; seven to ten (or six that do not fit
one column) are set in two columns, read down the left one first.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.core.schema import Plain
from pipeline.drawing.slides import kinetic, reveals
from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind
from pipeline.drawing.slides.chrome import content_top, section_label
from pipeline.drawing.slides.motion import sprite, text_sprite
from pipeline.drawing.slides.problems import FitError
from pipeline.drawing.slides.text import TextBlock

#: The most points on one slide, and the most in one column.
MAX_ITEMS, ONE_COLUMN = 10, 6
#: The size points start at, in the theme's body size, by how many there are (0: any other count).
START_SCALES = {1: 1.55, 2: 1.55, 3: 1.55, 4: 1.45, 0: 1.3}
#: The heading over three points or fewer, in the theme's heading size: it stays larger than its points.
HEADING_FEW = 1.3


class Item(Plain):
    text: str = Field(min_length=1, max_length=90)
    sentence: int | None = Field(
        None, ge=1, description="Appear as this sentence of the scene's narration starts (1 = the first)."
    )


class Spec(visuals.WithVisual):
    kind: Literal["bullets"]
    title: str | None = Field(None, max_length=70, description="Heading above the points.")
    items: list[Annotated[str, Field(min_length=1, max_length=90)] | Item] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="The points (two columns past six): plain text, or {text, sentence} to appear with a sentence.",
    )
    reveal: reveals.Reveal = reveals.reveal_field("point")

    def texts(self) -> list[str]:
        return [item if isinstance(item, str) else item.text for item in self.items]

    def sentence_refs(self) -> list[tuple[str, int]]:
        return [
            (f"items.{i}.sentence", item.sentence)
            for i, item in enumerate(self.items)
            if isinstance(item, Item) and item.sentence
        ]

    def with_reveals(self, said: list[str]) -> Spec:
        found = reveals.tied(self, self.texts(), said)
        if found is None:
            return self
        return self.model_copy(
            update={"items": [Item(text=t, sentence=s) for t, s in zip(self.texts(), found, strict=True)]}
        )


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    rise = canvas.px(motion.rise)
    top = content_top(canvas)
    title_gap = canvas.px(0.06)
    indent = canvas.px(0.055)
    texts = spec.texts()
    column_gap = canvas.px(0.05)

    def laid(large: bool) -> tuple[TextBlock | None, int, tuple[int, int, list[TextBlock]]]:
        """The heading, the gap between points and (columns, column width, points): ``large`` for a few points
        set to their room, with a larger heading and wider gaps."""
        few = large and len(texts) <= 3
        title = None
        if spec.title:
            title = canvas.fit(spec.title, "heading", sizes.heading * (HEADING_FEW if few else 1.0), field="title",
                               width=safe.width, height=safe.height * 0.3, max_lines=2)  # fmt: skip
        gap = canvas.px(0.05 if large and len(texts) <= 4 else 0.035)
        head = title.height + title_gap if title else 0
        start = START_SCALES.get(len(texts), START_SCALES[0]) if large else START_SCALES[0]
        for columns in (1, 2) if len(texts) <= ONE_COLUMN else (2,):
            width = (safe.width - column_gap * (columns - 1)) // columns
            try:
                return title, gap, (columns, width, _fit_items(texts, canvas, width - indent, safe.y1 - top - head,
                                                               gap, columns, start))  # fmt: skip
            except FitError:
                if columns == 2 or len(texts) < 2:
                    raise
        raise AssertionError("unreachable: two columns raise")

    # A few points are set large, to their room (two points at the body size left the lower half of the frame
    # empty); where the room is short (a tall frame's column over its visual), the larger heading and gaps would
    # only shrink the points, and the plain layout is kept.
    plain = laid(False)
    large = laid(True) if len(texts) <= 4 else plain
    title, gap, layout = large if large[2][2][0].size >= plain[2][2][0].size else plain
    head = title.height + title_gap if title else 0
    columns, width, blocks = layout
    per_column = -(-len(blocks) // columns)
    stacks = [blocks[c * per_column : (c + 1) * per_column] for c in range(columns)]
    # Centre the whole block in the content area, a little above the middle.
    total = head + max(_stack_height(stack, gap) for stack in stacks)
    y = top + round((safe.y1 - top - total) * 0.42)
    elements: list[Element] = []
    taken: set[int] = set()  # spoken words marked already (kinetic.py)
    t = 0.15
    if title:
        elements += kinetic.marks(title, (safe.x0, y), canvas, context, t + motion.entrance, taken)
        elements.append(sprite(text_sprite(title, colors.text), (safe.x0, y), t, motion.entrance, rise))
        y += head
        t += motion.stagger
    for i, block in enumerate(blocks):
        column, row = divmod(i, per_column)
        image = Image.new("RGBA", (width, block.height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        mark = max(3, round(block.size * 0.28))
        cy = block.ascent - round(block.size * 0.33)
        draw.rectangle((0, cy - mark // 2, mark, cy + mark // 2), fill=colors.accent)
        block.draw(draw, indent, 0, colors.text)
        item = spec.items[i]
        start = context.sentence_time(None if isinstance(item, str) else item.sentence, t + i * motion.stagger)
        x = safe.x0 + column * (width + column_gap)
        item_y = y + sum(b.height + gap for b in stacks[column][:row])
        elements += kinetic.marks(block, (x + indent, item_y), canvas, context, start + motion.entrance, taken)
        elements.append(sprite(image, (x, item_y), start, motion.entrance, rise))
    return Slide(partial(section_label, canvas, context, ornament=canvas.bare), elements)


def _stack_height(blocks: list[TextBlock], gap: int) -> int:
    return sum(b.height for b in blocks) + gap * (len(blocks) - 1)


def _fit_items(
    items: list[str], canvas: Canvas, width: int, height: int, gap: int, columns: int = 1, start: float = 1.3
) -> list[TextBlock]:
    """All items at one size: the largest at which every item fits its column."""
    rows = -(-len(items) // columns)
    share = (height - gap * (rows - 1)) / rows
    fields = [f"items.{i}" for i in range(len(items))]
    blocks = canvas.fit_alike(
        items,
        "body",
        canvas.theme.sizes.body * start,
        fields=fields,
        width=width,
        height=share,
        max_lines=3,
    )
    stacks = [blocks[c * rows : (c + 1) * rows] for c in range(columns)]
    if max(_stack_height(stack, gap) for stack in stacks) > height:
        raise FitError("items", "the points do not fit on one slide; shorten them or split the slide")
    return blocks


KIND = SlideKind(Spec, visuals.beside(build))
