"""`bullets`: a heading and up to six short points that enter one after another."""

from __future__ import annotations

from typing import Annotated, Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.schema import Plain
from pipeline.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.slides.chrome import content_top, section_label
from pipeline.slides.motion import sprite, text_sprite
from pipeline.slides.problems import FitError
from pipeline.slides.text import TextBlock


class Item(Plain):
    text: str = Field(min_length=1, max_length=90)
    sentence: int | None = Field(
        None, ge=1, description="Appear as this sentence of the scene's narration starts (1 = the first)."
    )


class Spec(SpecBase):
    kind: Literal["bullets"]
    title: str | None = Field(None, max_length=70, description="Heading above the points.")
    items: list[Annotated[str, Field(min_length=1, max_length=90)] | Item] = Field(
        min_length=1,
        max_length=6,
        description="The points: plain text, or {text, sentence} to appear with a sentence of the narration.",
    )

    def texts(self) -> list[str]:
        return [item if isinstance(item, str) else item.text for item in self.items]

    def sentence_refs(self) -> list[tuple[str, int]]:
        return [
            (f"items.{i}.sentence", item.sentence)
            for i, item in enumerate(self.items)
            if isinstance(item, Item) and item.sentence
        ]


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    rise = canvas.px(motion.rise)
    top = content_top(canvas)
    title_gap = canvas.px(0.06)
    title = None
    if spec.title:
        title = canvas.fit(
            spec.title, "heading", sizes.heading, field="title", width=safe.width, height=safe.height * 0.3, max_lines=2
        )
    indent = canvas.px(0.055)
    gap = canvas.px(0.035)
    head = title.height + title_gap if title else 0
    blocks = _fit_items(spec.texts(), canvas, safe.width - indent, safe.y1 - top - head, gap)
    # Centre the whole block in the content area, a little above the middle.
    total = head + sum(b.height for b in blocks) + gap * (len(blocks) - 1)
    y = top + round((safe.y1 - top - total) * 0.42)
    elements: list[Element] = []
    t = 0.15
    if title:
        elements.append(sprite(text_sprite(title, colors.text), (safe.x0, y), t, motion.entrance, rise))
        y += head
        t += motion.stagger
    for i, block in enumerate(blocks):
        image = Image.new("RGBA", (safe.width, block.height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        mark = max(3, round(block.size * 0.28))
        cy = block.ascent - round(block.size * 0.33)
        draw.rectangle((0, cy - mark // 2, mark, cy + mark // 2), fill=colors.accent)
        block.draw(draw, indent, 0, colors.text)
        item = spec.items[i]
        start = context.sentence_time(None if isinstance(item, str) else item.sentence, t + i * motion.stagger)
        elements.append(sprite(image, (safe.x0, y), start, motion.entrance, rise))
        y += block.height + gap
    return Slide(section_label(canvas, context), elements)


def _fit_items(items: list[str], canvas: Canvas, width: int, height: int, gap: int) -> list[TextBlock]:
    """All items at one size: the largest at which every item fits in the space."""
    share = (height - gap * (len(items) - 1)) / len(items)
    fields = [f"items.{i}" for i in range(len(items))]
    blocks = canvas.fit_alike(
        items, "body", canvas.theme.sizes.body * 1.3, fields=fields, width=width, height=share, max_lines=3
    )
    if sum(b.height for b in blocks) + gap * (len(blocks) - 1) > height:
        raise FitError("items", "the points do not fit on one slide; shorten them or split the slide")
    return blocks


KIND = SlideKind(Spec, build)
