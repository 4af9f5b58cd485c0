"""`timeline`: dated events on a line, labels alternating above and below it.

The line draws itself on; each event enters on its own, either one after
another or, with ``sentence:``, as the narrator starts that sentence.

``spacing: even`` (the default) gives every event the same room; ``spacing:
time`` places each on a time scale, so 1950, 1953 and 2020 are drawn as far
apart as they are (events too close to label are nudged apart, in order).
Time spacing reads dates as years (1990), months and years (Mar 2020, March
2020, 2020-03) or days (2020-03-15, 15 Mar 2020).

Where the area for content is taller than wide (a portrait frame) the line
runs top to bottom: dates at its left, what happened at its right, each
event's text with the whole width beside the line.
"""

from __future__ import annotations

import calendar
import contextlib
import itertools
import re
from collections.abc import Callable
from functools import partial
from typing import Annotated, Literal

from PIL import Image, ImageDraw
from pydantic import BeforeValidator, Field

from pipeline.core.schema import Plain, whole_as_text
from pipeline.drawing.slides import kinetic, reveals
from pipeline.drawing.slides import visual as visuals
from pipeline.drawing.slides.base import Canvas, Element, SceneContext, Slide, SlideKind
from pipeline.drawing.slides.chrome import content_top, heading, section_label
from pipeline.drawing.slides.motion import ease_out, grow_bar, sprite, text_sprite
from pipeline.drawing.slides.problems import FitError, SlideError
from pipeline.drawing.slides.text import TextBlock

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {month: i for i, month in enumerate(_MONTH_NAMES, 1)}


#: The least distance between neighbouring events on a time scale, as a share of an even slot: labels alternate
#: above and below the line, so each has the room to the next-but-one.
MIN_GAP = 0.6


def _parts(date: str) -> tuple[int, int, int | None] | None:
    """(year, month, day or None) of a date label as written, or None when it reads as no date."""
    text = date.strip().lower().replace(",", " ")
    if m := re.fullmatch(r"(\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text):
        year, month, day = int(m[1]), int(m[2] or 1), int(m[3]) if m[3] else None
    elif m := re.fullmatch(r"(?:(\d{1,2})\s+)?([a-z]{3})[a-z]*\.?\s+(\d{1,4})", text):
        if m[2] not in _MONTHS:
            return None
        year, month, day = int(m[3]), _MONTHS[m[2]], int(m[1]) if m[1] else None
    else:
        return None
    return (year, month, day) if 1 <= month <= 12 else None


def missing_day(date: str) -> str | None:
    """Why the date label ``date`` names a day that does not exist ('30 Feb 2020': February 2020 has 29 days),
    or None (it is a real day, or no day at all)."""
    parts = _parts(date)
    if parts is None or parts[2] is None:
        return None
    year, month, day = parts
    days = calendar.monthrange(year, month)[1]
    if 1 <= day <= days:
        return None
    return f"{calendar.month_name[month]} {year} has {days} days" if day else "a month has no day 0"


def when(date: str) -> float | None:
    """A date label as a point in time (years, fractional), or None: '1990', 'Mar 2020', '2020-03-15'."""
    parts = _parts(date)
    if parts is None or missing_day(date):
        return None
    year, month, day = parts
    return year + (month - 1) / 12 + ((day or 1) - 1) / 365


class Event(Plain):
    date: Annotated[str, BeforeValidator(whole_as_text)] = Field(
        min_length=1, max_length=12, description="Short date label, e.g. 1990 or 'Jan 2020'."
    )
    text: str = Field(min_length=1, max_length=40, description="What happened, in a few words.")
    sentence: int | None = Field(
        None, ge=1, description="Appear as this sentence of the scene's narration starts (1 = the first)."
    )


class Spec(visuals.WithBackdrop):
    kind: Literal["timeline"]
    title: str | None = Field(None, max_length=70, description="Heading above the line.")
    events: list[Event] = Field(min_length=2, max_length=8, description="In date order, left to right.")
    spacing: Literal["even", "time"] = Field(
        "even",
        description="even: the same room for each event; time: placed by date on a time scale, except that events "
        "closer than their labels need are nudged apart, in order (1999, 2016 and 2023 after 1914 end up evenly "
        "spaced): the scale shows long gaps, not short ones.",
    )
    reveal: reveals.Reveal = reveals.reveal_field("event")

    def sentence_refs(self) -> list[tuple[str, int]]:
        return [(f"events.{i}.sentence", e.sentence) for i, e in enumerate(self.events) if e.sentence]

    def with_reveals(self, said: list[str]) -> Spec:
        found = reveals.tied(self, [f"{e.date} {e.text}" for e in self.events], said)
        if found is None:
            return self
        tied = [e.model_copy(update={"sentence": at}) for e, at in zip(self.events, found, strict=True)]
        return self.model_copy(update={"events": tied})

    def check(self) -> list[SlideError]:
        missing = [(i, e.date, why) for i, e in enumerate(self.events) if (why := missing_day(e.date))]
        if missing:  # a typo whatever the spacing: the label would show it, and a time scale would place it
            return [
                SlideError(f"events.{i}.date", f"'{date}' is not a date: {why}; write the day that was meant")
                for i, date, why in missing
            ]
        if self.spacing == "even":
            return []
        errors, times = [], []
        for i, event in enumerate(self.events):
            t = when(event.date)
            if t is None:
                errors.append(SlideError(
                    f"events.{i}.date",
                    f"'{event.date}' is not a date a time scale can place; write a year (1990), a month "
                    "(Mar 2020 or 2020-03) or a day (2020-03-15), or use spacing: even",
                ))  # fmt: skip
            elif times and t < times[-1][1]:
                errors.append(SlideError(
                    f"events.{i}.date", f"'{event.date}' comes before '{times[-1][0]}'; put the events in date order"
                ))  # fmt: skip
            else:
                times.append((event.date, t))
        if not errors and times[0][1] == times[-1][1]:
            errors.append(SlideError("spacing", "every event has the same date; use spacing: even"))
        return errors

    def positions(self) -> list[float]:
        """Where each event sits along the line, from 0 to 1."""
        n = len(self.events)
        if self.spacing == "even":
            return [(i + 0.5) / n for i in range(n)]
        times = [when(e.date) or 0.0 for e in self.events]
        first, span = times[0], (times[-1] - times[0]) or 1.0
        margin = 0.5 / n  # the ends keep the room an evenly spaced event has
        at = [margin + (1 - 2 * margin) * (t - first) / span for t in times]
        # Events too close to label (Dec 1911, Jan 1912 on a century) are nudged apart, in order.
        gap = MIN_GAP / n
        for i in range(1, n):
            at[i] = max(at[i], at[i - 1] + gap)
        at[-1] = min(at[-1], 1 - margin)
        for i in range(n - 2, -1, -1):
            at[i] = min(at[i], at[i + 1] - gap)
        return at


#: The dates' and texts' sizes tried, largest first (of the theme's heading and body), each shrinking to its room:
#: a few events fill the frame (three short ones took a band a fifth of its height); where the larger dates leave
#: the texts too little room (a square frame, long texts), the smaller ones.
LABEL_SCALES = ((2.0, 1.5), (1.3, 1.25), (0.95, 1.0))
#: The most of its side of the line a date may take (its text has the rest).
DATE_SHARE = 0.55


def _labels(spec: Spec, canvas: Canvas, slot: float, half: int) -> tuple[list[TextBlock], list[TextBlock]]:
    """Each event's date and text, on one side of the line with ``half`` pixels of height, ``slot`` apart: at the
    largest of LABEL_SCALES at which they fit (a FitError from the smallest)."""
    for scales in LABEL_SCALES[:-1]:
        with contextlib.suppress(FitError):
            return _labels_at(spec, canvas, slot, half, *scales)
    return _labels_at(spec, canvas, slot, half, *LABEL_SCALES[-1])


def _labels_at(
    spec: Spec, canvas: Canvas, slot: float, half: int, date_scale: float, text_scale: float
) -> tuple[list[TextBlock], list[TextBlock]]:
    sizes, safe, n = canvas.theme.sizes, canvas.safe, len(spec.events)
    dates = canvas.fit_alike(
        [e.date for e in spec.events], "figure", sizes.heading * date_scale,
        fields=[f"events.{i}.date" for i in range(n)], width=min(slot * 1.8, safe.width * 0.3),
        height=half * DATE_SHARE, max_lines=1,
    )  # fmt: skip
    room = half - max(d.height for d in dates) - canvas.px(0.012)
    texts = canvas.fit_alike(
        [e.text for e in spec.events], "body", sizes.body * text_scale,
        fields=[f"events.{i}.text" for i in range(n)], width=min(slot * 1.5, safe.width * 0.36),
        height=room, max_lines=3,
    )  # fmt: skip
    return dates, texts


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    theme, safe = canvas.theme, canvas.safe
    colors, motion = theme.colors, theme.motion
    rise = canvas.px(motion.rise)
    y = content_top(canvas)
    elements: list[Element] = []
    if spec.title:
        title, y = heading(canvas, spec.title, y, room=0.22, gap=0.04)
        elements.append(title)

    if safe.height > safe.width:
        return Slide(partial(section_label, canvas, context), elements + _down(spec, canvas, context, y))
    n = len(spec.events)
    xs = [safe.x0 + safe.width * p for p in spec.positions()]
    # A label may be as wide as the room to the next label on its side of the line (they alternate).
    room_x = [min([safe.width, *(abs(xs[j] - xs[i]) for j in (i - 2, i + 2) if 0 <= j < n)]) for i in range(n)]
    slot = min(safe.width / n, min(room_x) / 2) if spec.spacing == "time" else safe.width / n
    line_y = y + (safe.y1 - y) // 2
    tick = canvas.px(0.035)
    half = safe.y1 - line_y - tick - canvas.px(0.015)
    dates, texts = _labels(spec, canvas, slot, half)

    elements.append(
        grow_bar(safe.x0, line_y - canvas.px(0.002), safe.width, max(2, canvas.px(0.004)), colors.grid, 0.25, 0.9)
    )
    r = max(3, canvas.px(0.012))
    for i, event in enumerate(spec.events):
        cx = round(xs[i])
        above = i % 2 == 0
        label = _label(dates[i], texts[i], colors.accent, colors.text, canvas.px(0.012), above)
        x = min(max(cx - label.width // 2, safe.x0), safe.x1 - label.width)
        top = line_y - tick - label.height if above else line_y + tick
        start = context.sentence_time(event.sentence, 0.5 + i * motion.stagger)
        elements.append(_marker(cx, line_y, r, tick, above, colors.accent, start, motion.entrance * 0.6))
        elements += _said(canvas, context, event, (cx, line_y), r, start + motion.entrance)
        elements.append(sprite(label, (x, top), start + 0.1, motion.entrance, rise if not above else -rise))
    return Slide(partial(section_label, canvas, context), elements)


def _down(spec: Spec, canvas: Canvas, context: SceneContext, y: int) -> list[Element]:
    """The timeline running down from ``y``: a date left of the line and its text right of it, per event."""
    theme, safe = canvas.theme, canvas.safe
    colors, sizes, motion = theme.colors, theme.sizes, theme.motion
    n = len(spec.events)
    top, length = y + canvas.px(0.02), safe.y1 - y - canvas.px(0.04)
    ys = [top + length * p for p in spec.positions()]
    row = min([length / n, *(b - a for a, b in itertools.pairwise(ys))])
    gap = canvas.px(0.025)
    dates = canvas.fit_alike(
        [e.date for e in spec.events], "figure", sizes.heading * 0.8, fields=[f"events.{i}.date" for i in range(n)],
        width=safe.width * 0.4, height=row * 0.6, max_lines=1,
    )  # fmt: skip
    line_x = safe.x0 + max(d.width for d in dates) + gap
    texts = canvas.fit_alike(
        [e.text for e in spec.events], "body", sizes.body, fields=[f"events.{i}.text" for i in range(n)],
        width=safe.x1 - line_x - gap, height=row * 0.95, max_lines=3,
    )  # fmt: skip
    thick = max(2, canvas.px(0.004))
    elements = [_rule_down(line_x - thick // 2, top, thick, length, colors.grid, 0.25, 0.9)]
    r = max(3, canvas.px(0.012))
    rise = canvas.px(motion.rise)
    for i, event in enumerate(spec.events):
        cy = round(ys[i])
        start = context.sentence_time(event.sentence, 0.5 + i * motion.stagger)
        elements.append(_marker(line_x, cy, r, 0, True, colors.accent, start, motion.entrance * 0.6))
        elements += _said(canvas, context, event, (line_x, cy), r, start + motion.entrance)
        date = text_sprite(dates[i], colors.accent, "right")
        elements.append(sprite(date, (line_x - gap - date.width, cy - date.height // 2), start + 0.1, motion.entrance))
        text = text_sprite(texts[i], colors.text)
        elements.append(sprite(text, (line_x + gap, cy - text.height // 2), start + 0.1, motion.entrance, rise))
    return elements


def _said(canvas: Canvas, context: SceneContext, event: Event, centre: tuple[int, int], r: int, shown: float):
    """A ping on the event's marker as the narrator says its date or its words, once it is on screen."""
    said = kinetic.first_said(reveals.content(f"{event.date} {event.text}"), context, shown)
    return [kinetic.ping(canvas, centre, r * 1.6, said, spread=2.2)] if said is not None else []


def _rule_down(x: int, y: int, width: int, length: int, color: str, start: float, duration: float) -> Element:
    """The line drawing itself from the top down."""

    def paint(frame: Image.Image, p: float) -> None:
        bottom = y + max(1, round(length * ease_out(p))) - 1
        ImageDraw.Draw(frame).rectangle((x, y, x + width - 1, bottom), fill=color)

    return Element(start, duration, paint)


def _label(date: TextBlock, text: TextBlock, date_color: str, text_color: str, gap: int, above: bool) -> Image.Image:
    """Date and text centred in one sprite; the date sits next to the line."""
    width = max(date.width, text.width)
    image = Image.new("RGBA", (width, date.height + gap + text.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    date_y, text_y = (text.height + gap, 0) if above else (0, date.height + gap)
    date.draw(draw, 0, date_y, date_color, align="center", box_width=width)
    text.draw(draw, 0, text_y, text_color, align="center", box_width=width)
    return image


def _marker(cx: int, cy: int, r: int, tick: int, above: bool, color: str, start: float, duration: float) -> Element:
    """A dot on the line that grows in, with a tick towards its label."""

    def paint(frame: Image.Image, p: float) -> None:
        draw = ImageDraw.Draw(frame)
        reach = round(tick * min(1.0, p * 1.5))
        y1 = cy - reach if above else cy + reach
        draw.line((cx, cy, cx, y1), fill=color, width=max(1, r // 3))
        rr = r * min(1.0, 0.3 + p)
        draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=color)

    return Element(start, duration, paint)


def crowded(build: Callable[[Spec, Canvas, SceneContext], Slide]) -> Callable[[Spec, Canvas, SceneContext], Slide]:
    """``build``, saying so when labels do not fit because events stand too close on a time scale: a date
    was said to be 'too long' ('1881', four characters), where the cure is spacing: even or one event fewer."""

    def built(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
        try:
            return build(spec, canvas, context)
        except FitError as exc:
            if spec.spacing != "time":
                raise
            try:
                build(spec.model_copy(update={"spacing": "even"}), canvas, context)
            except FitError:
                raise exc from None
            at = spec.positions()
            i = min(range(1, len(at)), key=lambda k: at[k] - at[k - 1])
            a, b = spec.events[i - 1].date, spec.events[i].date
            raise FitError(f"events.{i}.date", f"'{a}' and '{b}' stand too close together on the time scale for "
                           "their labels to fit; use spacing: even (the same room for every event), or leave one "
                           "of them out") from None  # fmt: skip

    return built


KIND = SlideKind(Spec, visuals.behind(crowded(build)))
