"""`scale`: sizes side by side, drawn to scale.

Areas are drawn as squares or circles whose areas are in proportion (a lake
beside a country), heights as bars whose heights are (a tower beside a
person). The shapes stand on one baseline and grow in one after another, each
labelled with what it is and its size; with two items, how many times the
larger is the smaller is written between them.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Literal

from PIL import Image, ImageDraw
from pydantic import Field

from pipeline.core.schema import Figure
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import frame_content, section_label
from pipeline.drawing.slides.motion import ease_out, sprite, text_sprite
from pipeline.drawing.slides.problems import SlideError
from pipeline.drawing.slides.text import TextBlock


class Item(SpecBase):
    label: str = Field(min_length=1, max_length=32, description="What it is: 'Lake Baikal'.")
    value: Figure = Field(description="Its size, as a plain number (an area, a height...): 31722.")
    shown: str | None = Field(
        None, max_length=24, description="The size as written under it (default: the value and the unit)."
    )


class Spec(SpecBase):
    kind: Literal["scale"]
    title: str | None = Field(None, max_length=70, description="Heading above the shapes.")
    shape: Literal["square", "circle", "bar"] = Field(
        "square", description="square or circle: areas to scale; bar: lengths or heights to scale."
    )
    unit: str | None = Field(None, max_length=12, description="Unit written after each value: 'km²', 'm'.")
    items: list[Item] = Field(min_length=2, max_length=4, description="The things to compare, left to right.")
    source: str | None = Field(None, max_length=100)

    def check(self) -> list[SlideError]:
        return [
            SlideError(f"items.{i}.value", "a size must be more than zero; sizes are drawn to scale")
            for i, item in enumerate(self.items)
            if item.value <= 0
        ]


def shown(spec: Spec, item: Item) -> str:
    if item.shown:
        return item.shown
    decimals = 0 if float(item.value).is_integer() else 1
    return f"{item.value:,.{decimals}f}" + (f" {spec.unit}" if spec.unit else "")


def ratio(a: float, b: float) -> str:
    """How many times a is b, as a narrator would round it: '12×', '2.5×'; '' when they are about the same."""
    r = a / b
    if r < 1.15:
        return ""
    return f"{r:,.0f}\u00d7" if r >= 10 else f"{r:.1f}\u00d7".replace(".0\u00d7", "\u00d7")


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    safe, sizes = canvas.safe, canvas.theme.sizes
    elements, y, bottom = frame_content(canvas, spec.title, spec.source, room=0.22, gap=0.05, source_at=0.3)
    n = len(spec.items)
    gap = canvas.px(0.06)
    slot = (safe.width - gap * (n - 1)) / n
    labels = canvas.fit_alike(
        [item.label for item in spec.items], "body", sizes.body, fields=[f"items.{i}.label" for i in range(n)],
        width=slot, height=(bottom - y) * 0.32, max_lines=3,
    )  # fmt: skip
    values = canvas.fit_alike(
        [shown(spec, item) for item in spec.items], "figure", sizes.heading * 0.8,
        fields=[f"items.{i}.value" for i in range(n)], width=slot, height=(bottom - y) * 0.12, max_lines=1,
    )  # fmt: skip
    text_h = max(v.height for v in values) + max(lab.height for lab in labels) + canvas.px(0.01)
    ratio_h = 0
    if n == 2:
        ratio_h = values[0].height + canvas.px(0.02)
    base = bottom - text_h - canvas.px(0.02)
    texts = [max(values[i].width, labels[i].width) for i in range(n)]
    extents, widths = _extents(spec, canvas, base - y - ratio_h, texts, slot, gap)
    elements += _items(spec, canvas, base, list(zip(extents, widths, values, labels, strict=True)), gap)
    if n == 2:
        elements.append(_ratio_line(spec, canvas, y, ratio_h))
    return Slide(partial(section_label, canvas, context), elements)


def _extents(
    spec: Spec, canvas: Canvas, room_h: float, texts: list[int], slot: float, gap: int
) -> tuple[list[tuple[float, float]], list[float]]:
    """Each shape's width and height in pixels, and its column's width.

    The largest fills the room, the rest to scale; each column is as wide as its shape or its text, and the
    columns fit the width (the scale shrinks until they do).
    """
    n = len(spec.items)
    if spec.shape == "bar":
        scale = room_h / max(item.value for item in spec.items)
        extents = [(min(slot * 0.6, canvas.px(0.2)), item.value * scale) for item in spec.items]
    else:
        roots = [math.sqrt(item.value) for item in spec.items]
        scale = room_h / max(roots)
        for _ in range(20):
            if sum(max(r * scale, t) for r, t in zip(roots, texts, strict=True)) + gap * (n - 1) <= canvas.safe.width:
                break
            scale *= 0.93
        extents = [(r * scale, r * scale) for r in roots]
    widths = [max(w, t) for (w, _), t in zip(extents, texts, strict=True)]
    if spec.shape == "bar":  # bars are narrow: give each its share of the width
        widths = [slot] * n
    return extents, widths


def _items(
    spec: Spec,
    canvas: Canvas,
    base: int,
    columns: list[tuple[tuple[float, float], float, TextBlock, TextBlock]],
    gap: int,
) -> list[Element]:
    """Each item's shape standing on ``base`` in its column, with its size and its name under it, one after another.

    ``columns``: each item's shape (width, height), its column's width, and its size and name fitted."""
    safe, colors, motion = canvas.safe, canvas.theme.colors, canvas.theme.motion
    n = len(columns)
    x = safe.x0 + (safe.width - sum(width for _, width, _, _ in columns) - gap * (n - 1)) / 2
    elements: list[Element] = []
    for i, ((w, h), width, value, label) in enumerate(columns):
        cx = x + width / 2
        start = 0.4 + i * motion.stagger * 2
        color = colors.accent if i == max(range(n), key=lambda j: spec.items[j].value) else colors.accent_soft
        elements.append(_shape(spec.shape, cx, base, max(2.0, w), max(2.0, h), color, start, motion.entrance * 1.5))
        value_img = text_sprite(value, color, align="center", width=round(width))
        label_img = text_sprite(label, colors.text, align="center", width=round(width))
        top = base + canvas.px(0.02)
        elements.append(sprite(value_img, (round(x), top), start + 0.3, motion.entrance, 0))
        elements.append(sprite(label_img, (round(x), top + value.height), start + 0.35, motion.entrance, 0))
        x += width + gap
    return elements


def _ratio_line(spec: Spec, canvas: Canvas, y: int, height: int) -> Element:
    """'Russia ≈ 12× Lake Baikal' over two items: how many times the larger is the smaller."""
    safe, motion = canvas.safe, canvas.theme.motion
    big, small = sorted(spec.items, key=lambda item: item.value, reverse=True)
    block = canvas.fit(
        " ".join(filter(None, [big.label, "\u2248", ratio(big.value, small.value), small.label])), "heading",
        canvas.theme.sizes.heading * 0.7,
        field="items", width=safe.width, height=height, max_lines=1, balance=False,
    )  # fmt: skip
    image = text_sprite(block, canvas.theme.colors.muted, align="center", width=safe.width)
    return sprite(image, (safe.x0, y), 0.4 + 2 * motion.stagger * 2, motion.entrance, 0)


def _shape(kind: str, cx: float, base: int, width: float, height: float, color: str, start: float, duration: float):
    """A square, circle or bar standing on ``base``, growing from its foot."""

    def paint(frame: Image.Image, p: float) -> None:
        e = ease_out(p)
        draw = ImageDraw.Draw(frame)
        if kind == "bar":
            h = height * e
            draw.rectangle((cx - width / 2, base - h, cx + width / 2, base), fill=color)
            return
        w, h = width * e, height * e
        box = (cx - w / 2, base - h, cx + w / 2, base)
        (draw.ellipse if kind == "circle" else draw.rectangle)(box, fill=color)

    return Element(start, duration, paint)


KIND = SlideKind(Spec, build)
