"""`figure-mismatch`: the narration says a figure close to, but not, the one on its slide.

"Arrivals peaked at 3,000" over a chart whose peak reads 2,914 makes a viewer wonder which
one is wrong. The slide's figures are its data: a stat's value (with its "million" suffix, its
``of`` whole and the figures it is measured ``against``), a compare side's value when it is
a figure ("$2,000"), a chart's values, a scale's sizes, and figures written in any of its texts
(a bullet's "10 years", a timeline event's "2,914 arrive", a profile's mark); the years it shows (timeline
dates, chart labels, years in its texts) are its years. The narration's figures are read as
written or said: "34,000", "$10,000", "27%", "3.5 million", "fifteen", "three and a half
million", "a thousand".

To keep it quiet, a warning needs all of:

- the narration's figure matches none of the slide's figures;
- it is of similar size to one of them (within a factor of two), and that figure is said
  nowhere in the scene's narration;
- it is not a rounding the narration owns up to: "about 1,000" for 1,047 (a hedge such as
  about, around, nearly, close to, barely, and the slide's figure rounds to the one said), or
  "more than 1,000" for 1,047 (a bound that holds);
- it is not a small number (under 10: "two of them" is rarely the slide's figure), nor a
  multiple ("ten times the Hoover Dam", "5x").

Years are compared only with years the slide shows, and only a year or two apart ("2011" said
over "2012" shown): "in 2009" is not a figure to check against a chart of 2,914 arrivals, and
a narration that mentions 1950 over a timeline that starts in 1953 is telling more, not
contradicting it.
"""

from __future__ import annotations

from pipeline.lint import numbers
from pipeline.lint.base import Context, Warning
from pipeline.lint.numbers import Said

RULE = "figure-mismatch"
#: Figures within this factor of each other are "of similar size".
SIMILAR = 2.0
#: Narration figures below this are not compared.
SMALLEST = 10
#: A year said is checked against the slide's years this close to it (2011 for 2012; not 1950 for 1953).
NEAR_YEARS = 2


def slide_figures(slide) -> tuple[list[tuple[float, str]], list[int]]:
    """(value, as shown) of the slide's figures, and the years it shows."""
    found: list[tuple[float, str]] = []
    years: list[int] = []
    kind = slide.kind
    if kind == "stat":
        scale = numbers.scale_of(slide.suffix) if slide.suffix.strip() else numbers.scale_of(slide.unit or "")
        for value in slide.values():
            found.append((value * scale, f"{slide.prefix}{shown(value)}{slide.suffix}"))
        if slide.of is not None:
            found.append((slide.of.value, shown(slide.of.value)))
        for other in slide.against or []:
            found.append((other.value * scale, f"{shown(other.value)}{slide.suffix}"))
    elif kind == "compare":
        for side in (slide.before, slide.after):
            value = numbers.parse_value(side.value)
            if value is not None:
                found.append((value, side.value))
    elif kind == "chart":
        scale = numbers.scale_of(slide.value_suffix)
        found += [(value * scale, f"{slide.value_prefix}{shown(value)}{slide.value_suffix}") for value in slide.values]
        years += [y for label in slide.labels if (y := numbers.year_of(label)) is not None]
    elif kind == "scale":
        found += [(item.value, shown(item.value)) for item in slide.items]
    elif kind == "timeline":
        years += [y for event in slide.events if (y := numbers.year_of(event.date)) is not None]
    for text in _texts(slide):
        for said in numbers.figures(text):
            if said.year:
                years.append(int(said.value))
            elif any(ch.isdigit() for ch in said.text):  # digits only: "Three of four directions" is a title
                found.append((said.value, said.text))
    return found, years


def shown(value: float) -> str:
    """A figure as people write it: 2914 -> '2,914', 3.5 -> '3.5'."""
    return f"{int(value):,}" if value == int(value) else f"{value:,}"


def _texts(slide) -> list[str]:
    """The slide's own texts that may hold figures (not its data fields, read above)."""
    out = []
    for name in ("title", "subtitle", "kicker", "label", "caption", "text"):
        value = getattr(slide, name, None)
        if isinstance(value, str):
            out.append(value)
    if slide.kind in ("bullets", "steps"):
        out += slide.texts()
    elif slide.kind == "timeline":
        out += [event.text for event in slide.events]
    elif slide.kind == "closing":
        out += list(slide.lines)
    elif slide.kind == "compare":
        out += [slide.before.label, slide.after.label]
    elif slide.kind == "profile":
        out += [mark.text for mark in slide.marks]
    return out


def _same(a: float, b: float) -> bool:
    return abs(abs(a) - abs(b)) <= 1e-6 * max(1.0, abs(a), abs(b))


def _owned_rounding(said: Said, value: float) -> bool:
    """The narration says openly that its figure is rounded or a bound, and the slide's figure agrees."""
    if not said.hedge:
        return False
    shown, spoken = abs(value), abs(said.value)
    if said.hedge in numbers.AT_LEAST and shown >= spoken:
        return True
    if said.hedge in numbers.AT_MOST and shown <= spoken:
        return True
    return _same(round(shown / said.precision) * said.precision, spoken)


def check(context: Context) -> list[Warning]:
    found = []
    for entry in context.entries:
        narration = entry.scene.narration or ""
        shown, years = slide_figures(entry.scene.slide)
        said_all = numbers.figures(narration)
        for said in said_all:
            if said.year:  # a date in passing unless the slide shows one a year or two off
                candidates = [(float(y), str(y)) for y in years if abs(y - said.value) <= NEAR_YEARS]
            else:
                candidates = shown
            if not candidates or any(_same(said.value, value) for value, _ in candidates):
                continue
            if said.ratio or abs(said.value) < SMALLEST or any(_owned_rounding(said, value) for value, _ in candidates):
                continue
            close = [
                (value, text)
                for value, text in candidates
                if value
                and 1 / SIMILAR <= abs(said.value) / abs(value) <= SIMILAR
                and not any(_same(other.value, value) for other in said_all)
            ]
            if not close:
                continue
            _, text = min(close, key=lambda c: abs(abs(c[0]) - abs(said.value)))
            if said.year:
                message = f"the narration says {said.text} where the slide shows {text}; correct whichever is wrong"
            else:
                spoken = said.text.lower() if said.text[:1].isalpha() else said.text
                message = (
                    f"the narration says {said.text} where the slide shows {text}; say the slide's figure, round it "
                    f'openly ("about {spoken}") if it is a rounding, or correct whichever is wrong'
                )
            found.append(context.in_narration(entry, said.start, said.text, RULE, message))
    return found
