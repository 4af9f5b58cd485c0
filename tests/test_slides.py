"""Each slide kind, drawn small: content where it belongs, entrances that move, nothing outside the safe area."""

from __future__ import annotations

import dataclasses
import itertools
import typing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageColor
from pydantic import BaseModel

from pipeline.core.formats import FORMATS
from pipeline.drawing import canvases
from pipeline.drawing.slides import KINDS, text, visual
from pipeline.drawing.slides.base import Canvas, SceneContext, Slide
from pipeline.drawing.slides.chart import value_text
from pipeline.drawing.slides.fonts import FontBook
from pipeline.drawing.slides.motion import text_sprite
from pipeline.drawing.slides.text import FitError
from pipeline.drawing.slides.theme import Ornament
from pipeline.drawing.slides.theme import load as load_theme
from pipeline.drawing.timing import SceneTiming

W, H = 320, 180

SPECS = {
    "title": {"kind": "title", "title": "Why It's Hard to Escape", "subtitle": "A short subtitle", "kicker": "Kicker"},
    "stat": {"kind": "stat", "value": 34000, "label": "defectors since 1990", "source": "Ministry of Unification"},
    "bullets": {
        "kind": "bullets",
        "title": "Three sides",
        "items": ["West: Yellow Sea", "East: Sea of Japan", "South"],
    },
    "quote": {"kind": "quote", "text": "No parallel in the contemporary world.", "attribution": "UN inquiry, 2014"},
    "compare": {
        "kind": "compare",
        "before": {"value": "$2,000", "label": "before"},
        "after": {"value": "$10,000", "label": "after"},
        "change": "5x",
    },
    "chart": {"kind": "chart", "labels": ["2009", "2019", "2021"], "values": [3000, 1000, 60], "source": "MOU"},
    "closing": {"kind": "closing", "title": "The world's largest prison", "lines": ["Almost no one escapes now."]},
    "section": {"kind": "section", "subtitle": "Through China"},
    "timeline": {
        "kind": "timeline",
        "title": "Decades",
        "events": [
            {"date": "1990", "text": "Famine"},
            {"date": "2009", "text": "Peak"},
            {"date": "2020", "text": "Shut"},
        ],
    },
    "route": {"kind": "route", "title": "Out", "stops": ["North Korea", "China", ["Thailand", "Mongolia"]]},
    "image": {"kind": "image", "file": "picture.png", "caption": "The Tumen River", "credit": "Illustration"},
    "map": {
        "kind": "map",
        "title": "Closed on three sides",
        "camera": [{"show": ["North Korea", "South Korea"]}],
        "regions": [{"name": "North Korea", "color": "soft"}, {"name": "Yellow Sea", "at": 2}],
        "lines": [{"border": ["North Korea", "South Korea"], "label": "DMZ", "at": 3}],
        "pins": [{"place": "Pyongyang", "note": "The capital"}],
        "labels": [{"text": "Sea of Japan", "kind": "sea", "place": "Sea of Japan", "at": 2}],
    },
    "video": {"kind": "video", "file": "clip.mp4", "caption": "November 2017, Panmunjom", "credit": "Test footage"},
    "scale": {
        "kind": "scale",
        "title": "Lake beside country",
        "unit": "km\u00b2",
        "items": [{"label": "Lake Baikal", "value": 31722}, {"label": "Belgium", "value": 30689}],
    },
    "profile": {
        "kind": "profile",
        "title": "The climb",
        "points": [[0, 5364], [4, 6400], [8, 7950], [10, 8849]],
        "marks": [{"at": 0, "text": "Base camp"}, {"at": 10, "text": "Summit"}],
        "y_title": "Elevation (m)",
    },
    "steps": {
        "kind": "steps",
        "title": "From river to grid",
        "steps": ["Water is held", {"text": "It falls", "sentence": 2}, "A turbine spins", "Current flows"],
    },
}
#: The options each kind grew for topics beyond the first video, each with its own golden images.
VARIANTS = {
    "stat-range": {"kind": "stat", "qualifier": "about", "value": "5\u20137", "unit": "days", "label": "on foot"},
    "stat-share": {"kind": "stat", "value": 73, "unit": "%", "label": "of the country is mountains"},
    "stat-of": {"kind": "stat", "value": 34000, "label": "have escaped", "of": {"value": 25700000, "label": "people"}},
    "stat-against": {
        "kind": "stat", "value": 22.5, "unit": "GW", "label": "of capacity", "name": "Three Gorges",
        "against": [{"label": "Itaipu", "value": 14}, {"label": "Hoover", "value": 2.08}],
    },
    "stat-icon": {"kind": "stat", "value": 12, "label": "people infected by each case", "icon": "people-group"},
    "stat-minus": {"kind": "stat", "value": "\u221240", "unit": "\u00b0C", "label": "on the coldest nights"},
    "compare-versus": {
        "kind": "compare", "mode": "versus",
        "before": {"value": "20 hours", "label": "by car"}, "after": {"value": "2 hours", "label": "by plane"},
    },
    "chart-negative": {
        "kind": "chart", "type": "line", "labels": ["Jan", "Apr", "Jul", "Oct"], "values": [-38.6, -4.8, 19.5, -7.8],
        "value_suffix": "\u00b0", "x_title": "Month", "y_title": "Temperature (\u00b0C)",
    },
    "timeline-time": {
        "kind": "timeline", "spacing": "time",
        "events": [{"date": "Dec 1911", "text": "Pole"}, {"date": 1959, "text": "Treaty"}, {"date": 1991, "text": "B"}],
    },
    "steps-icons": {
        "kind": "steps",
        "steps": [
            {"text": "Held", "icon": "water"}, {"text": "Spun", "icon": "fan"}, {"text": "Power", "icon": "bolt"}
        ],
    },
    "steps-level": {
        "kind": "steps", "level": {"label": "Water", "unit": "m", "low": 0, "high": 20},
        "steps": [{"text": "Fill", "level": 5}, {"text": "Rise", "level": 18, "sentence": 2}, "Open"],
    },
    "bullets-ten": {"kind": "bullets", "title": "Ten", "items": [f"Point {i}" for i in range(1, 11)]},
    "bullets-visual": {
        "kind": "bullets", "title": "Leaving is treason", "visual": {"icon": "gavel"},
        "items": ["Crossing without leave", {"text": "Life in prison", "sentence": 2}, "Provinces need passes"],
    },
    "title-visual": {
        "kind": "title", "kicker": "Kicker", "title": "Why It's Hard", "visual": {"picture": "picture.png"},
    },
    "stat-visual": {"kind": "stat", "value": 750000, "label": "soldiers on the border", "visual": {"icon": "shield"}},
    "stat-backdrop": {
        "kind": "stat", "value": 34000, "label": "reached the South", "visual": {"icon": "person-walking-arrow-right"},
        "backdrop": {"picture": "picture.png", "focus": [0.4, 0.6]},
    },
    "title-map-backdrop": {
        "kind": "title", "kicker": "North Korea", "title": "Hard to leave",
        "backdrop": {"map": {"show": ["North Korea", "South Korea"], "highlight": ["North Korea"], "style": "flat"}},
    },
    "section-backdrop": {
        "kind": "section", "title": "The Trap", "subtitle": "Sea on two sides",
        "backdrop": {"map": {"show": ["North Korea", "South Korea"], "style": "flat"}, "dim": 0.6},
    },
    "stat-map-inset": {
        "kind": "stat", "value": 34000, "label": "reached the South",
        "visual": {"map": {"show": ["North Korea", "South Korea"], "highlight": ["South Korea"], "style": "flat"}},
    },
    "quote-visual": {"kind": "quote", "text": "A state without parallel.", "visual": {"icon": "scale-balanced"}},
    "route-areas": {
        "kind": "route", "title": "Claims",
        "areas": [{"sector": [-74, -25], "south_of": -60, "label": "A"}, {"sector": [-80, -20], "south_of": -60}],
    },
    "map-flight": {
        "kind": "map", "style": "relief", "title": "The rivers",
        "camera": [{"centre": "Seoul", "span": 16000}, {"show": ["Yalu", "Tumen"], "at": 2, "seconds": 1.0}],
        "lines": [{"river": "Yalu", "color": "water", "label": "Yalu", "at": 2}],
        "labels": [{"text": "China", "kind": "country", "place": "Shenyang"}],
    },
    "map-data": {
        "kind": "map", "title": "People online", "style": "satellite",
        "data": {"values": {"China": 73, "Mongolia": 79, "Japan": 83, "South Korea": 97}, "legend": "Per cent",
                 "unit": "%", "at": 1},
    },
    "route-relief": {"kind": "route", "style": "relief", "title": "Out", "stops": ["North Korea", "China"]},
    "route-alternative": {"kind": "route", "stops": ["Lagos", {"places": ["Cairo"], "style": "alternative"}]},
    "route-via": {
        "kind": "route",
        "stops": ["Singapore", {"places": ["Rotterdam"], "via": ["Suez Canal"]},
                  {"places": ["Rotterdam"], "from": "Singapore", "via": ["Cape Town"], "style": "alternative"}],
    },
}  # fmt: skip
ALL = {**SPECS, **VARIANTS}
PICTURE = Path(__file__).parent / "data" / "picture.png"
CLIP = Path(__file__).parent / "data" / "clip.mp4"  # made by tests/clips.py: frame i shows i


def small_canvas(burn_captions: bool = False, theme: str = "documentary") -> Canvas:
    theme = load_theme(theme)
    band = canvases.band(theme) if burn_captions else 0.0
    return Canvas(W, H, theme, FontBook(theme.fonts), caption_band=band)


@pytest.fixture(scope="module")
def canvas() -> Canvas:
    return small_canvas()


def build(canvas, spec, sentence_starts=(), duration=0.0):
    kind = KINDS[spec["kind"]]
    return kind.build(kind.spec.model_validate(spec), canvas, _context(sentence_starts, duration))


def source(canvas, spec, sentence_starts=(), duration=0.0):
    """The scene source for ``spec``: a slide, or footage with the text over it."""
    from pipeline.drawing.sources import open_source

    return open_source(KINDS[spec["kind"]].spec.model_validate(spec), canvas, _context(sentence_starts, duration))


def _context(sentence_starts, duration) -> SceneContext:
    files = {"picture.png": PICTURE, "clip.mp4": CLIP}
    return SceneContext("Section", 2, SceneTiming(tuple(sentence_starts), duration), files)


def drawn(slide, canvas, spec) -> np.ndarray:
    """Mask of pixels the slide's text and marks changed, relative to what is behind them.

    Behind is the background; for a picture it is the picture and its full-width shade (the first
    two elements), for footage the shade (the clip itself is not part of the slide), so the check is
    about the caption's bar and text.
    """
    under = {"image": 2, "video": 1}.get(spec["kind"], 0)
    if spec["kind"] == "map":  # the map itself (its ground, shapes, names and pins) is behind the title and legend
        under = sum(1 for e in slide.elements if getattr(e.paint, "map", False))
    behind = Slide(slide.base, slide.elements[:under]).still() if under else np.asarray(slide.base)
    diff = np.abs(slide.still().astype(int) - behind.astype(int)).max(axis=2)
    return diff > 40


def test_every_registered_kind_is_covered():
    assert set(SPECS) == set(KINDS)


@pytest.mark.parametrize("burn_captions", [False, True], ids=["plain", "caption-band"])
@pytest.mark.parametrize("kind", sorted(ALL))
def test_kind_draws_content_inside_the_safe_area_and_enters(kind, burn_captions):
    """Every kind and every option of it (VARIANTS).

    With burned-in captions the safe area ends above the caption band, so this also keeps slides clear of it.
    """
    canvas = small_canvas(burn_captions)
    slide = build(canvas, ALL[kind])
    mask = drawn(slide, canvas, ALL[kind])
    assert mask.sum() > 150, "the slide drew (almost) nothing"
    ys, xs = np.nonzero(mask)
    safe = canvas.safe
    assert xs.min() >= safe.x0 - 1 and xs.max() <= safe.x1 + 1
    assert ys.min() >= safe.y0 - 1 and ys.max() <= safe.y1 + 1
    assert slide.settle_time > 0.3
    first = slide.frame(0.0)
    assert (first != slide.still()).any(), "no entrance: the first frame is already the still"
    assert slide.frame(slide.settle_time + 5) is slide.still(), "the hold must reuse one still frame"


@pytest.mark.parametrize(
    "burn_captions", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["plain", "caption-band"]
)
@pytest.mark.parametrize("kind", sorted(ALL))
def test_longest_texts_the_schema_allows_stay_inside_the_safe_area(canvas, kind, burn_captions):
    """Every text at its schema limit (wide letters, real word breaks) fits, and nothing spills out.

    The limits are the promise: anything the schema accepts must draw inside the title-safe area,
    and above the caption band too, except where CROWDED says: there the slide refuses, naming
    the field, and the loader reports it at the storyboard line.
    """
    spec = _longest(KINDS[ALL[kind]["kind"]].spec, ALL[kind], COUNTS.get(kind, {}))
    band = canvases.band(canvas.theme) if burn_captions else 0.0
    big = Canvas(640, 360, canvas.theme, canvas.fonts, caption_band=band)
    _inside_or_refused(big, spec, CROWDED.get((kind, burn_captions)))


def _inside_or_refused(frame: Canvas, spec: dict, refused: str | None) -> None:
    """``spec`` drawn on ``frame`` stays inside its safe area; or, when ``refused`` names a field, the slide
    refuses to draw, naming it."""
    if refused is not None:
        # Too long, or (on a time scale, where even spacing would fit) standing too close to its neighbour.
        with pytest.raises(FitError, match=r"too long to fit|too close together on the time scale") as caught:
            build(frame, spec)
        assert caught.value.field.startswith(refused)
        return
    slide = build(frame, spec)
    ys, xs = np.nonzero(drawn(slide, frame, spec))
    safe = frame.safe
    # A visual under the text of a tall frame reaches below the safe area (no text goes there: visual.py).
    low = visual.split(frame)[1].y1 if spec.get("visual") and frame.height > frame.width else safe.y1
    assert xs.min() >= safe.x0 - 1 and xs.max() <= safe.x1 + 1, (xs.min(), xs.max(), safe)
    assert ys.min() >= safe.y0 - 1 and ys.max() <= low + 1, (ys.min(), ys.max(), safe)


#: Other formats at a quarter of their size (insets and type are fractions of the frame, so they lay out alike); a
#: side that does not divide by 4 is rounded to the nearest pixel (1080x1350 would be 270x338).
FORMAT_SIZES = {"vertical": (270, 480), "square": (270, 270)}


@pytest.mark.slow  # every kind in every other format: the goldens in each format draw them in the fast tier
@pytest.mark.parametrize("fmt", sorted(FORMAT_SIZES))
@pytest.mark.parametrize("kind", sorted(ALL))
def test_every_kind_lays_out_in_every_format(canvas, kind, fmt):
    """Every kind and option, texts at their schema limits, in a portrait and a square frame: everything drawn
    stays inside the format's safe area (clear of the platforms' overlays in portrait), or the slide refuses,
    naming the field, as CROWDED_IN says."""
    spec = _longest(KINDS[ALL[kind]["kind"]].spec, ALL[kind], COUNTS.get(kind, {}))
    frame = Canvas(*FORMAT_SIZES[fmt], canvas.theme, canvas.fonts, profile=FORMATS[fmt])
    _inside_or_refused(frame, spec, CROWDED_IN.get((kind, fmt)))


#: (kind, format) -> the field refused when every text and list is at its limit in that format. Measured when the
#: formats came (issue 17, first session): nothing spills out of the safe area, but these layouts still refuse
#: their longest texts. Some are honest (ten 90-character bullets or eight 40-character events do not fit a
#: 768x960 column); others are layouts still to adapt. A new kind or format adds its own entries; existing ones
#: may only be removed.
CROWDED_IN: dict[tuple[str, str], str] = {
    ("bullets", "square"): "items.",
    ("bullets", "vertical"): "items.",
    ("bullets-ten", "square"): "items.",
    ("bullets-ten", "vertical"): "items.",
    ("bullets-visual", "square"): "items.",
    ("bullets-visual", "vertical"): "items.",
    ("chart-negative", "vertical"): "labels",
    ("profile", "vertical"): "marks.",
    ("route-areas", "square"): "areas",
    ("route-areas", "vertical"): "areas",
    ("scale", "square"): "items.",
    ("scale", "vertical"): "items.",
    ("steps", "square"): "steps.",
    ("steps", "vertical"): "steps.",
    ("timeline", "square"): "events.",
    ("timeline", "vertical"): "events.",
    ("timeline-time", "square"): "events.",
    ("timeline-time", "vertical"): "events.",
}


#: (kind, burned captions) -> the field refused when every text and list is at its limit. Each limit alone fits; all
#: of them at once under a two-line title do not: eight three-line events above captions; eight events on a time
#: scale all so close they are nudged apart (each label then has 60% of an even slot); ten 90-character points
#: (two columns fit ten of about 34); six 90-character points or eight 40-character steps above captions.
CROWDED = {
    ("timeline", True): "events.",
    ("timeline-time", True): "events.",
    ("timeline-time", False): "events.",
    ("bullets", True): "items.",
    ("bullets-ten", True): "items.",
    ("bullets-ten", False): "items.",
    ("steps", True): "steps.",
    # Six 90-character points in three fifths of the frame: a visual takes room, and the message says so.
    ("bullets-visual", True): "items.",
    ("bullets-visual", False): "items.",
}
#: Lists filled to fewer items than the schema's limit: a gauge stands beside at most six steps (its check refuses
#: more), and plain bullets test the one-column layout's six (bullets-ten fills all ten).
COUNTS = {"steps-level": {"steps": 6}, "bullets": {"items": 6}, "bullets-visual": {"items": 6}}


def _longest(model, spec, counts=None):
    """``spec`` with every text the schema limits filled to its limit, and every list to its length limit."""
    out, counts = dict(spec), counts or {}
    for name, field in model.model_fields.items():
        if name in (
            "kind",
            "file",
            "icon",
            "name",
            "place",
            "river",
            "centre",
            "show",
            "word",
            "border",
        ):  # names, not prose
            continue
        value = out.get(name)
        limit = _limit(field.metadata)
        inner = _text_limit(field.annotation)
        if isinstance(value, str) and limit:
            out[name] = _words(limit)
        elif isinstance(value, dict) and isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            out[name] = _longest(field.annotation, value)
        elif isinstance(value, list) and value and name != "stops":
            count = counts.get(name) or limit or len(value)
            options = [o for a in typing.get_args(field.annotation) for o in (typing.get_args(a) or (a,))]
            item_model = next((o for o in options if isinstance(o, type) and issubclass(o, BaseModel)), None)
            items = [value[i % len(value)] for i in range(count)]  # a mixed list keeps its mix
            if isinstance(items[0], dict) or (isinstance(items[0], str) and inner):
                out[name] = [
                    _longest(item_model, item) if isinstance(item, dict) else _words(inner) if inner else item
                    for item in items
                ]
    return out


def _limit(metadata) -> int | None:
    """The max_length among a field's constraints (a FieldInfo inside Annotated holds its own)."""
    for m in metadata:
        found = getattr(m, "max_length", None) or (_limit(m.metadata) if hasattr(m, "metadata") else None)
        if found:
            return found
    return None


def _text_limit(annotation) -> int | None:
    """The max_length of the text items in a list annotation (list[Annotated[str, Field(max_length=...)] | ...])."""
    for arg in typing.get_args(annotation):
        for option in typing.get_args(arg) or (arg,):
            if typing.get_origin(option) is typing.Annotated:
                found = _limit(option.__metadata__)
                if found:
                    return found
    return None


def _words(n: int) -> str:
    """Wide, realistic text of exactly ``n`` characters."""
    return " ".join(["Wombat"] * (n // 7 + 1))[:n].strip()


def test_reveals_follow_the_real_sentence_starts(canvas):
    spec = {"kind": "bullets", "items": [{"text": "First", "sentence": 2}, {"text": "Second", "sentence": 3}, "Third"]}
    slide = build(canvas, spec, sentence_starts=(0.5, 2.25, 4.75), duration=7.0)
    assert [e.start for e in slide.elements[:2]] == [2.25, 4.75]
    timeline = dict(
        SPECS["timeline"], events=[dict(e, sentence=i + 1) for i, e in enumerate(SPECS["timeline"]["events"])]
    )
    slide = build(canvas, timeline, sentence_starts=(0.5, 3.0, 6.0), duration=8.0)
    markers = [e.start for e in slide.elements if e.duration < canvas.theme.motion.entrance][:3]
    assert markers == [0.5, 3.0, 6.0]


def _painted_afresh(slide: Slide, t: float) -> np.ndarray:
    """The frame at ``t`` with every element painted onto the background in order, nothing kept."""
    frame = slide.base.copy()
    for element in slide.elements:
        if (p := element.progress(t)) > 0:
            element.paint(frame, p)
    return np.asarray(frame)


@pytest.mark.parametrize("kind", ["timeline", "bullets", "image", "route"])
def test_frames_drawn_from_kept_layers_are_the_frames_painted_afresh(canvas, kind):
    """A slide keeps the leading elements that have settled and the last frame; every frame, asked for in
    order or out of it, is still pixel for pixel what painting each element in turn gives."""
    spec = ALL[kind]
    if kind in ("timeline", "bullets"):
        key = "events" if kind == "timeline" else "items"
        spec = dict(spec, **{key: [dict(e, sentence=i + 1) if isinstance(e, dict) else {"text": e, "sentence": i + 1}
                                   for i, e in enumerate(spec[key])]})  # fmt: skip
    starts = tuple(0.5 + 2.5 * i for i in range(6))
    slide = build(canvas, spec, sentence_starts=starts, duration=16.0)
    times = [i / 15 for i in range(0, 16 * 15, 7)] + [9.3, 0.2, 4.0, 15.9, 1.1]
    for t in times:
        assert np.array_equal(slide.frame(t), _painted_afresh(slide, t)), t


def test_frames_between_reveals_are_one_array(canvas):
    """Between a timeline's reveals nothing moves: each frame is the array of the frame before, which the
    encoder sees as a hold (it had drawn and encoded every one of them)."""
    events = [dict(e, sentence=i + 1) for i, e in enumerate(SPECS["timeline"]["events"])]
    slide = build(canvas, dict(SPECS["timeline"], events=events), sentence_starts=(0.5, 4.0, 8.0), duration=12.0)
    assert slide.settle_time > 8.0
    between = [slide.frame(t) for t in (2.5, 2.6, 3.0, 3.9)]  # the first event has entered, the second not
    assert all(frame is between[0] for frame in between)
    assert slide.frame(4.1) is not between[0]


def test_korean_is_drawn_with_real_glyphs(canvas):
    """조선 in a Latin face falls back per glyph to Noto Sans CJK: distinct ink, not two identical boxes."""
    face = canvas.fonts.face("heading", 40)
    assert [part for _, part in face.runs("Chosŏn 조선")] == ["Chosŏn ", "조선"]
    font = face.runs("조")[0][0]
    masks = [np.asarray(font.getmask(ch)) for ch in "조선"]
    assert all(m.any() for m in masks)
    assert masks[0].shape != masks[1].shape or (masks[0] != masks[1]).any(), "both drawn as the same box"


def test_a_checks_font_book_lays_out_and_notes_missing_characters_without_drawing_glyphs():
    """The fit check's book measures text and notes characters no font has, as a drawing book does, but draws no
    glyphs (nobody looks at what a check draws): the same layout, a blank sprite."""
    theme = load_theme("documentary")
    books = FontBook(theme.fonts), FontBook(theme.fonts, glyphs=False)
    sprites, layouts = [], []
    for book in books:
        block = text.fit("Pyongyang 평양 🚀", book, "body", field="t", max_width=300, max_height=200, size=40,
                         min_size=20, max_lines=3, line_spacing=1.2)  # fmt: skip
        layouts.append((block.width, block.height, block.lines))
        sprites.append(np.asarray(text_sprite(block, "#ffffff")))
    assert layouts[0] == layouts[1]
    assert books[0].missing == books[1].missing == {"🚀"}
    assert sprites[0][..., 3].any() and not sprites[1][..., 3].any()


def test_a_face_measures_a_text_again_as_the_font_does_and_notes_missing_characters_every_time():
    """A face keeps the widths and ink boxes of texts its own font draws whole (fitting measures the same lines
    again and again): the same figures as the font's, asked twice; and a text with a character no font has is
    noted on every asking, so the fit check (which clears the book's missing characters per slide) still sees it."""
    theme = load_theme("documentary")
    book = FontBook(theme.fonts)
    face = book.face("body", 31)
    for line in ("Pyongyang and the Yalu", "Chosŏn", "twice  spaced", ""):
        for _ in range(2):
            assert face.getlength(line) == face.font.getlength(line)
            if line:
                assert face.getbbox(line) == face.font.getbbox(line, anchor="ls")
    mixed = "Seoul 서울"
    widths = [face.getlength(mixed) for _ in range(2)]
    assert widths[0] == widths[1] == sum(font.getlength(part) for font, part in face.runs(mixed))
    for _ in range(2):
        book.missing.clear()
        face.getlength("Launch 🚀")
        assert book.missing == {"🚀"}
        book.missing.clear()
        face.getbbox("Launch 🚀")
        assert book.missing == {"🚀"}


def test_a_fonts_coverage_is_the_code_points_its_cmap_names(canvas):
    """Coverage reads the cmap with numbered glyph names (the names were the cost, not the code points): the
    same code points as fontTools' own reading, for every face of the theme and the CJK fallback."""
    from fontTools.ttLib import TTCollection, TTFont

    from pipeline.drawing.slides.fonts import coverage, resolve

    files = {role: resolve(spec, role) for role, spec in canvas.fonts.fonts if spec is not None}  # the theme's
    assert "fallback" in files and len(files) == 6
    for role, file in files.items():
        if file.path.suffix.lower() == ".ttc":
            font = TTCollection(str(file.path), lazy=True).fonts[file.index]
        else:
            font = TTFont(str(file.path), lazy=True)
        assert coverage(file) == frozenset(font.getBestCmap()), role
    assert ord("조") in coverage(files["fallback"])


def test_image_moves_for_the_whole_scene(canvas):
    slide = build(canvas, {"kind": "image", "file": "picture.png", "move": "in"}, duration=6.0)
    assert slide.settle_time == pytest.approx(6.0, abs=1e-3)
    assert (slide.frame(1.0) != slide.frame(5.0)).any()


def test_a_settled_slide_lets_go_of_what_drew_its_moving_frames(canvas, monkeypatch):
    """Once settled, every frame is the still: the last moving frame and the kept layers are let go (a layered
    scene draws two slides: 29 MB at 1080p), and an earlier frame asked for again is drawn again, the same."""
    import gc
    import weakref

    events = [dict(e, sentence=i + 1) for i, e in enumerate(SPECS["timeline"]["events"])]
    slide = build(canvas, dict(SPECS["timeline"], events=events), sentence_starts=(0.5, 4.0, 8.0), duration=12.0)
    size = slide.base.size  # the background, made before watching: the slide keeps it
    layers = []  # every frame-sized picture made while drawing, by weak reference
    copy = Image.Image.copy

    def watched(image):
        made = copy(image)
        if made.size == size:
            layers.append(weakref.ref(made))
        return made

    monkeypatch.setattr(Image.Image, "copy", watched)
    drawn = slide.frame(4.2)
    moving, last = drawn.copy(), weakref.ref(drawn)
    del drawn
    gc.collect()
    assert last() is not None and any(layer() is not None for layer in layers), "kept while the slide moves"
    assert np.array_equal(slide.frame(slide.settle_time + 0.1), slide.still())
    gc.collect()
    assert last() is None and all(layer() is None for layer in layers), "let go once settled"
    assert np.array_equal(slide.frame(4.2), moving)


def test_a_picture_slide_makes_its_background_only_when_drawn(canvas):
    """A layered picture scene never draws the slide itself (ffmpeg moves the picture): its frame-sized background
    is not made for nothing."""
    slide = build(canvas, {"kind": "image", "file": "picture.png", "move": "in"}, duration=6.0)
    assert callable(slide.background)
    slide.frame(1.0)
    assert not callable(slide.background)


def test_image_errors_name_the_file_field(canvas, tmp_path):
    from pipeline.drawing.slides.problems import SlideError

    (tmp_path / "notes.png").write_text("not a picture")
    for name in ("missing.png", "notes.png"):
        with pytest.raises(SlideError) as info:
            KINDS["image"].build(
                KINDS["image"].spec(kind="image", file=name),
                canvas,
                SceneContext("S", 1, assets={name: tmp_path / name}),
            )
        assert info.value.field == "file"


@pytest.mark.slow  # 1.5-2.5 s: the full run's (the fast tier keeps to a minute)
def test_a_16_bit_greyscale_picture_is_drawn_as_bright_as_the_same_picture_in_8_bits(project, tmp_path):
    """Pillow's conversion clipped a 16-bit greyscale PNG's values at 255: the still was pure white. The still of
    a grey ramp saved in 16 bits is the still of the same ramp in 8 bits."""
    from tests.conftest import explainer

    ramp = np.tile(np.linspace(0, 255, 400).round().astype(np.uint16), (240, 1))
    Image.fromarray(ramp.astype(np.uint8)).save(tmp_path / "assets" / "eight.png")
    sixteen = Image.new("I;16", (400, 240))
    sixteen.frombytes((ramp * 257).astype("<u2").tobytes())
    sixteen.save(tmp_path / "assets" / "sixteen.png")
    with Image.open(tmp_path / "assets" / "sixteen.png") as opened:
        assert opened.mode.startswith("I"), "saved as a 16-bit greyscale PNG"
    scene = """\
      - id: {name}
        slide: {{kind: image, file: assets/{name}.png, move: none}}
        narration: A grey ramp.
"""
    story = project(
        "title: Ramps\nvideo: {width: 320, height: 180}\nsections:\n  - title: One\n    scenes:\n"
        + scene.format(name="eight")
        + scene.format(name="sixteen")
    )
    stills = []
    for name in ("eight", "sixteen"):
        run = explainer("still", str(story), name, "-o", str(tmp_path / f"{name}-still.png"))
        assert run.returncode == 0, run.stderr
        with Image.open(tmp_path / f"{name}-still.png") as still:
            stills.append(np.asarray(still.convert("RGB")).astype(int))
    eight, sixteen = stills
    assert eight[:, :40].mean() < 40 and eight[:, -40:].mean() > 215, "the 8-bit ramp runs from dark to light"
    assert np.abs(sixteen - eight).max() <= 2


def test_route_rejects_an_unknown_place_with_a_suggestion(canvas):
    from pipeline.drawing.slides.problems import SlideError

    with pytest.raises(SlideError, match="did you mean 'China'"):
        build(canvas, {"kind": "route", "stops": ["North Korea", "Chnia"]})


def test_route_is_framed_below_its_title(canvas):
    """No arrow or marker runs through the rows the title occupies, even for a route heading north."""
    spec = {"kind": "route", "style": "flat", "title": "North", "stops": ["South Korea", "China", "Mongolia"]}
    frame = build(canvas, spec).still().astype(int)
    colors = canvas.theme.colors

    def near(hex_color):
        return np.abs(frame - np.array(ImageColor.getrgb(hex_color))).max(axis=2) < 40

    title_rows = np.flatnonzero(near(colors.text)[: H // 2, : int(W * 0.45)].any(axis=1))
    assert title_rows.size, "the title was not drawn"
    band = near(colors.accent)[title_rows.min() : title_rows.max() + 1]
    assert not band.any(), f"{band.sum()} route pixels in the title's rows"
    assert near(colors.accent)[title_rows.max() + 1 :].sum() > 50, "the route itself was not drawn"


def test_stat_counts_up(canvas):
    slide = build(canvas, SPECS["stat"])
    early, late = slide.frame(0.5), slide.still()
    accent = np.array([0xE5, 0x38, 0x3B])

    def accent_pixels(frame):
        return (np.abs(frame.astype(int) - accent).max(axis=2) < 60).sum()

    # Mid-count the figure is a smaller number with fewer digits lit than "34,000".
    assert 0 < accent_pixels(early) < accent_pixels(late)


def test_chart_bar_heights_follow_the_data(canvas):
    spec = dict(SPECS["chart"], labels=["a", "b"], values=[100, 50], source=None)
    slide = build(canvas, spec)
    frame = slide.still().astype(int)
    accent = np.array([0xE5, 0x38, 0x3B])
    is_bar = np.abs(frame - accent).max(axis=2) < 40
    safe = canvas.safe
    centers = [round(safe.x0 + safe.width / 2 * (i + 0.5)) for i in range(2)]
    heights = [is_bar[:, x].sum() for x in centers]
    assert heights[0] > 20
    assert abs(heights[1] / heights[0] - 0.5) < 0.05


@pytest.mark.parametrize("chart_type", ["bar", "line"])
def test_negative_values_hang_below_a_zero_line_with_a_minus_sign(canvas, chart_type):
    """Temperatures, losses: a negative value is drawn below zero, in proportion, and labelled with '−' (U+2212)."""
    spec = dict(SPECS["chart"], type=chart_type, labels=["a", "b"], values=[20, -10], source=None)
    slide = build(canvas, spec)
    frame = slide.still().astype(int)
    is_mark = np.abs(frame - np.array([0xE5, 0x38, 0x3B])).max(axis=2) < 40
    safe = canvas.safe
    up, down = (np.nonzero(is_mark[:, round(safe.x0 + safe.width / 2 * (i + 0.5))])[0] for i in range(2))
    if chart_type == "bar":
        assert up.max() < down.min(), "the positive bar ends where the negative one starts: the zero line"
        assert abs(len(down) / len(up) - 0.5) < 0.08
    else:
        assert (down.mean() - up.mean()) > 0.3 * (safe.y1 - safe.y0) / 2, "the -10 point sits well below the 20"
    spec_model = KINDS["chart"].spec.model_validate(spec)
    assert value_text(spec_model, -10) == "\u221210" and value_text(spec_model, -0.0) == "0"


@pytest.mark.parametrize(
    ("fields", "main", "small"),
    [
        ({"value": "5\u20137", "unit": "days"}, "5\u20137", "days"),  # a range, typed with an en dash
        ({"value": [8, 10], "unit": "km2"}, "8\u201310", "km\u00b2"),  # km2 typeset as km²
        ({"value": "\u221240", "unit": "\u00b0C"}, "\u221240", "\u00b0C"),  # pasted minus, drawn as a minus
        ({"value": "1\u2009400", "unit": "$"}, "$1,400", ""),  # a thin space between digit groups; $ first
        ({"value": 73, "unit": "%"}, "73%", ""),
    ],
)
def test_a_stat_takes_figures_as_people_write_them(canvas, fields, main, small):
    """Before: the minus sign and ranges were refused, units had a 4-character prefix, km² could not be drawn."""
    from pipeline.drawing.slides.stat import figure_parts

    spec = KINDS["stat"].spec.model_validate({"kind": "stat", "label": "Label", **fields})
    assert figure_parts(spec, spec.values()) == (main, small)
    build(canvas, {"kind": "stat", "label": "Label", "qualifier": "about", **fields})  # and it draws


def test_a_share_fills_a_ring_beside_the_figure(canvas):
    """A stat slide used to leave the right half of the frame empty; a percentage now shows its proportion."""
    accent = np.array([0xE5, 0x38, 0x3B])
    right = slice(canvas.safe.x0 + round(canvas.safe.width * 0.6), canvas.safe.x1)

    def accent_right(value: float) -> int:
        frame = build(canvas, {"kind": "stat", "value": value, "unit": "%", "label": "of it"}).still().astype(int)
        return int((np.abs(frame[:, right] - accent).max(axis=2) < 40).sum())

    quarter, most = accent_right(25), accent_right(75)
    assert quarter > 20 and 2.5 < most / quarter < 3.5, "the ring's filled arc follows the share"
    # A short figure: a bare card's long one is set to span the frame, into the ring's place.
    plain = build(canvas, {"kind": "stat", "value": 75, "label": "people"}).still().astype(int)
    assert (np.abs(plain[:, right] - accent).max(axis=2) < 40).sum() == 0, "no ring for a figure that is no share"


def test_versus_compares_two_options_without_an_arrow_or_a_change(canvas):
    """`compare` always drew a before -> after arrow; two options side by side are not a change."""
    sides = {"before": {"value": "20 hours", "label": "by car"}, "after": {"value": "2 hours", "label": "by plane"}}
    change = build(canvas, {"kind": "compare", **sides}).still().astype(int)
    versus = build(canvas, {"kind": "compare", "mode": "versus", **sides}).still().astype(int)
    soft = np.array([0xF4, 0xA2, 0x61])  # the arrow's colour (accent_soft)
    assert (np.abs(change - soft).max(axis=2) < 40).sum() > 20 and (np.abs(versus - soft).max(axis=2) < 40).sum() == 0
    accent = np.abs(versus - np.array([0xE5, 0x38, 0x3B])).max(axis=2) < 40
    middle = canvas.width // 2
    assert accent[:, :middle].sum() > 20 and accent[:, middle:].sum() > 20, "both options in the accent"
    spec = KINDS["compare"].spec.model_validate({"kind": "compare", "mode": "versus", "change": "10x", **sides})
    assert [e.field for e in spec.check()] == ["change"]


def test_chart_axis_titles_take_room_from_the_plot(canvas):
    plain = dict(SPECS["chart"], source=None)
    titled = dict(plain, x_title="Year", y_title="Defectors per year")
    for spec in (plain, titled):
        build(canvas, spec)
    muted = canvas.theme.colors.muted.lstrip("#")
    rgb = [int(muted[i : i + 2], 16) for i in (0, 2, 4)]
    ink = lambda spec, colour: np.abs(build(canvas, spec).still().astype(int) - colour).max(axis=2) < 40  # noqa: E731
    assert ink(titled, rgb).sum() > ink(plain, rgb).sum(), "the titles are drawn, in the muted colour"
    bar = lambda spec: ink(spec, [0xE5, 0x38, 0x3B])  # noqa: E731
    assert bar(titled).any(axis=1).sum() < bar(plain).any(axis=1).sum(), "the plot gives them room"


def test_seven_to_ten_points_stand_in_two_columns(canvas):
    """Seven or more points were refused (at most 6), with no way round."""
    items = [f"Point number {i}" for i in range(1, 11)]
    slide = build(canvas, {"kind": "bullets", "title": "Ten", "items": items})
    mask = drawn(slide, canvas, {"kind": "bullets"})
    columns = np.nonzero(mask.any(axis=0))[0]
    middle = canvas.safe.x0 + canvas.safe.width // 2
    assert columns.min() < middle - 20 and columns.max() > middle + 20, "text on both halves"
    starts = [e.start for e in slide.elements[1:]]
    assert starts == sorted(starts), "read down the left column first, in order"


def test_a_time_scale_places_events_as_far_apart_as_their_dates():
    """Timelines spaced 1950, 1953 and 2020 evenly; on a time scale the long gap is long."""
    spec = KINDS["timeline"].spec.model_validate({
        "kind": "timeline", "spacing": "time",
        "events": [{"date": 1950, "text": "a"}, {"date": "Mar 1953", "text": "b"}, {"date": "2020-06", "text": "c"}],
    })  # fmt: skip
    at = spec.positions()
    assert at[2] - at[1] > 2 * (at[1] - at[0]) and at[0] < at[1] < at[2]
    crowded = KINDS["timeline"].spec.model_validate({
        "kind": "timeline", "spacing": "time",
        "events": [{"date": "Dec 1911", "text": "a"}, {"date": "Jan 1912", "text": "b"}, {"date": 2024, "text": "c"}],
    })  # fmt: skip
    near = crowded.positions()
    assert near[1] - near[0] >= 0.6 / 3 - 1e-9, "events too close to label are nudged apart"
    bad = KINDS["timeline"].spec.model_validate({
        "kind": "timeline", "spacing": "time", "events": [{"date": "Spring", "text": "a"}, {"date": 1990, "text": "b"}],
    })  # fmt: skip
    assert [e.field for e in bad.check()] == ["events.0.date"]


def test_scale_draws_areas_to_scale(canvas):
    """A lake larger than a country had no kind: squares whose areas are 4 to 1 have sides 2 to 1."""
    spec = {"kind": "scale", "items": [{"label": "Big", "value": 4}, {"label": "Small", "value": 1}]}
    frame = build(canvas, spec).still().astype(int)
    sides = []
    for colour in ([0xE5, 0x38, 0x3B], [0xF2, 0xA5, 0x41]):  # the larger in the accent, the other in accent_soft
        mask = np.abs(frame - colour).max(axis=2) < 30
        rows = mask.sum(axis=1)
        sides.append(np.count_nonzero(rows > rows.max() * 0.5))  # the square's height, not its label's
    assert abs(sides[0] / sides[1] - 2.0) < 0.15, sides


def test_a_profile_of_steps_runs_level_between_points(canvas):
    """Steps render as steps, not slopes: halfway between two points the line is at the first one's level."""
    spec = KINDS["profile"].spec.model_validate(
        {"kind": "profile", "shape": "steps", "points": [[0, 10], [1, 5], [2, 0]]}
    )
    assert spec.height_at(0.5) == 10 and spec.height_at(1.5) == 5
    slope = KINDS["profile"].spec.model_validate({"kind": "profile", "points": [[0, 10], [1, 5], [2, 0]]})
    assert slope.height_at(0.5) == 7.5
    bad = KINDS["profile"].spec.model_validate(
        {"kind": "profile", "points": [[0, 1], [2, 1], [1, 1]], "marks": [{"at": 5, "text": "x"}]}
    )
    assert [e.field for e in bad.check()] == ["points.2", "marks.0.at"]


def test_a_profile_numbers_its_distances_with_the_decimals_their_step_needs(canvas):
    """The distance axis had its title and no numbers; its ticks (and the heights') show what their step needs."""
    from pipeline.drawing.slides.chrome import rgb
    from pipeline.drawing.slides.profile import tick_text, tick_values

    short, long = tick_values(0, 0.8), tick_values(0, 1700)
    assert [tick_text(t, short) for t in short] == ["0.0", "0.2", "0.4", "0.6", "0.8"]
    assert [tick_text(t, long) for t in long] == ["0", "500", "1,000", "1,500"]
    spec = {"kind": "profile", "points": [[0, 120], [950, 300], [1700, 1450]], "x_title": "Distance (km)"}
    big = Canvas(1280, 720, canvas.theme, canvas.fonts)
    settled = build(big, spec).still()
    below = settled[big.safe.y0 + round(big.safe.height * 0.85) :, big.safe.x0 : big.safe.x1].astype(int)
    muted = np.abs(below - np.array(rgb(big.theme.colors.muted))).sum(axis=2) < 60  # the grey of ticks and titles
    columns = np.flatnonzero(muted.any(axis=0))
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > big.px(0.03)) + 1)
    assert len(runs) >= 5, "the distances 0, 500, 1,000 and 1,500, and the title, under the plot"


def test_a_figure_of_a_whole_fills_its_share_of_a_bar(canvas):
    """34,000 of 25.7 million: the frame shows how small a part it is ('1 in 756'), not only the digits."""
    from pipeline.drawing.slides.stat import part_of_whole, readable

    assert part_of_whole(34000 / 25_700_000) == "1 in 756" and part_of_whole(120 / 450) == "27%"
    assert readable(25_700_000) == "25.7 million" and readable(450) == "450" and readable(2e9) == "2 billion"
    accent = np.array([0xE5, 0x38, 0x3B])
    right = slice(canvas.safe.x0 + round(canvas.safe.width * 0.62), canvas.safe.x1)

    def filled(value: float) -> int:
        spec = {"kind": "stat", "value": value, "label": "seats", "of": {"value": 400, "label": "seats in all"}}
        frame = build(canvas, spec).still().astype(int)[:, right]
        return int((np.abs(frame - accent).max(axis=2) < 40).any(axis=0).sum())  # columns with accent ink

    assert filled(300) > 2 * filled(100) > 0
    bad = KINDS["stat"].spec.model_validate(
        {"kind": "stat", "value": 5, "label": "x", "of": {"value": 4, "label": "y"}}
    )
    assert [e.field for e in bad.check()] == ["of.value"]


def test_a_figure_against_others_draws_each_bar_to_scale(canvas):
    """A small comparison beside the figure: 22.5 against 14 and 2.08, bars as long as the figures are large."""
    spec = {
        "kind": "stat", "value": 20, "unit": "GW", "label": "capacity", "name": "This", "count_up": False,
        "against": [{"label": "Other", "value": 10}, {"label": "Small", "value": 5}],
    }  # fmt: skip
    # On a look without an ornament: the documentary one's contour lines are drawn in the grid colour, as these bars.
    canvas = dataclasses.replace(canvas, theme=canvas.theme.model_copy(update={"ornament": Ornament()}))
    frame = build(canvas, spec).still().astype(int)
    right = slice(canvas.safe.x0 + round(canvas.safe.width * 0.62), canvas.safe.x1)
    lengths = []  # per bar (a band of rows with the colour), its length in pixels, top to bottom
    for colour in (canvas.theme.colors.accent, canvas.theme.colors.grid):
        rows = (np.abs(frame[:, right] - ImageColor.getrgb(colour)).max(axis=2) < 12).sum(axis=1)
        bands = np.split(rows, np.nonzero(rows < 3)[0])
        lengths += [int(band.max()) for band in bands if band.size and band.max() >= 3]
    own, other, small = lengths
    assert other / own == pytest.approx(0.5, abs=0.04) and small / own == pytest.approx(0.25, abs=0.04), lengths
    model = KINDS["stat"].spec
    assert [e.field for e in model.model_validate({**spec, "name": None}).check()] == ["against"]
    both = model.model_validate({**spec, "icon": "bolt"})
    assert [e.field for e in both.check()] == ["icon"] and "choose 'against' or 'icon'" in str(both.check()[0])
    assert [e.field for e in model.model_validate({**SPECS["stat"], "icon": "bolt"}).check()] == []
    assert [e.field for e in model.model_validate({**SPECS["stat"], "icon": "blot"}).check()] == ["icon"]


def test_a_step_can_show_an_icon_by_name(canvas):
    """Steps had no icons; any Font Awesome Free solid icon is named as on its site, a typo gets a suggestion."""
    from pipeline.drawing.slides import icons

    assert {"water", "bolt", "syringe", "industry"} <= set(icons.names())
    numbered = build(canvas, {"kind": "steps", "steps": ["Hold the river", "Make current"]}).still()
    with_icons = build(
        canvas, {"kind": "steps", "steps": [{"text": "Hold the river", "icon": "water"}, "Make current"]}
    )
    assert (numbered != with_icons.still()).any(), "the first disc shows the icon, not the number"
    typo = KINDS["steps"].spec.model_validate({"kind": "steps", "steps": [{"text": "a", "icon": "watr"}, "b"]})
    (error,) = typo.check()
    assert error.field == "steps.0.icon" and "did you mean 'water'" in str(error)
    # A word the icon is searched by on fontawesome.com: 'boat' was told 'bolt' and 'bath', not 'ship'.
    assert "did you mean 'ship', 'ferry'" in icons.problem("boat")


def test_a_gauge_beside_steps_rises_to_each_steps_level(canvas):
    """A change of state (a lock filling) is drawn: the gauge's fill follows the steps as they appear."""
    from pipeline.drawing.slides.steps import level_at

    assert level_at([(1.0, 10.0), (3.0, 2.0)], 4.0, 0.5) == 4.0
    assert level_at([(1.0, 10.0), (3.0, 2.0)], 4.0, 2.9) == pytest.approx(10.0)
    assert level_at([(1.0, 10.0), (3.0, 2.0)], 4.0, 9.0) == pytest.approx(2.0)
    assert 4.0 < level_at([(1.0, 10.0)], 4.0, 1.5) < 10.0
    spec = {
        "kind": "steps", "level": {"label": "Water", "unit": "m", "low": 0, "high": 20},
        "steps": [{"text": "Fill", "level": 5, "sentence": 1}, {"text": "Rise", "level": 18, "sentence": 2}],
    }  # fmt: skip
    slide = build(canvas, spec, sentence_starts=(0.5, 3.0), duration=6.0)
    right = slice(canvas.safe.x1 - round(canvas.safe.width * 0.24), canvas.safe.x1)
    panel = np.array(ImageColor.getrgb(canvas.theme.colors.accent))

    def water_rows(t: float) -> int:
        frame = slide.frame(t).astype(int)[:, right]
        water = np.abs(frame - (panel * 0.4 + np.array(ImageColor.getrgb(canvas.theme.colors.background)) * 0.6))
        return int(((water.max(axis=2) < 12).sum(axis=1) > 3).sum())

    early, late = water_rows(2.5), water_rows(6.0)
    assert early > 0 and late / early == pytest.approx(18 / 5, rel=0.2)
    bad = KINDS["steps"].spec.model_validate({**spec, "steps": [{"text": "a", "level": 30}, "b"]})
    assert [e.field for e in bad.check()] == ["steps.0.level"]
    orphan = KINDS["steps"].spec.model_validate({"kind": "steps", "steps": [{"text": "a", "level": 3}, "b"]})
    assert [e.field for e in orphan.check()] == ["steps.0.level"] and "needs a gauge" in str(orphan.check()[0])
    crowded = KINDS["steps"].spec.model_validate({**spec, "steps": [{"text": "a", "level": 1}] + ["b"] * 6})
    assert [e.field for e in crowded.check()] == ["level"]


def test_bullets_enter_one_after_another(canvas):
    slide = build(canvas, SPECS["bullets"])
    starts = [e.start for e in slide.elements]  # title, then the items in order
    assert len(starts) == 4 and all(b > a for a, b in itertools.pairwise(starts))


def test_text_that_cannot_fit_raises_fit_error_for_the_field(canvas):
    with pytest.raises(FitError) as info:
        text = "Many words that cannot all fit on one line"
        canvas.fit(text, "heading", 0.2, field="t", width=40, height=H, max_lines=1)
    assert info.value.field == "t"


URL = "https://www.example.org/articles/2024/escape-routes-explained.html"


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        (URL, ["https://www.", "example.org/", "articles/2024/", "escape-routes-", "explained.html"]),
        ("Donaudampfschifffahrtsgesellschaftskapitänswitwe", None),
    ],
)
def test_a_word_wider_than_its_box_is_broken_as_a_typesetter_breaks_it(canvas, text, pieces):
    """A URL breaks after its slashes, dots and hyphens; a word with none of them is hyphenated."""
    box = 120
    block = canvas.fit(text, "body", 0.1, field="t", width=box, height=H, max_lines=6)
    assert len(block.lines) > 1
    assert all(block.font.getlength(line) <= box for line in block.lines)
    if pieces:  # every break at one of the URL's own punctuation marks, nothing added
        assert "".join(block.lines) == text
        assert all(line.endswith(("/", ".", "-")) for line in block.lines[:-1])
    else:
        assert all(line.endswith("-") for line in block.lines[:-1])
        assert "".join(line.removesuffix("-") for line in block.lines) == text
    # Words that fit are kept whole: the type shrinks before any word is broken.
    words = ["Short", "words", "only", "here"]
    whole = canvas.fit(" ".join(words), "body", 0.1, field="t", width=box, height=H, max_lines=6)
    assert all(part in words for line in whole.lines for part in line.split())


def test_descenders_are_not_clipped(canvas):
    block = canvas.fit("gjpqy", "heading", 0.2, field="t", width=W, height=H, max_lines=1)
    ink = np.asarray(text_sprite(block, "#ffffff").getchannel("A")) > 0
    rows = np.nonzero(ink.any(axis=1))[0]
    # Descenders hang well below the baseline, and the block is tall enough to hold them.
    assert rows.max() - block.ascent >= block.size * 0.15
    assert rows.max() < ink.shape[0] - 1


def test_a_second_theme_is_only_data():
    """The daylight theme changes every colour with no code: a light frame with dark text."""
    theme = load_theme("daylight")
    light = Canvas(W, H, theme, FontBook(theme.fonts))
    frame = build(light, SPECS["title"]).still()
    assert frame.mean() > 180, "daylight should be a light slide"
    assert (frame.max(axis=2) < 90).sum() > 200, "with dark ink on it"


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours (last axis: R, G, B in 0-255)."""
    c = np.asarray(rgb, dtype=float) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return c @ np.array([0.2126, 0.7152, 0.0722])


@pytest.mark.parametrize("theme", ["documentary", "daylight", "editorial", "flat"])
def test_text_over_footage_stays_legible_on_any_frame(theme):
    """Title, caption and credit over the brightest and the darkest footage: each line's colour has at least
    WCAG's 4.5:1 contrast with every pixel of the shade around it (text pixels are the same over white and
    over black; the shade is what differs)."""
    found = load_theme(theme)
    width, height = 1280, 720  # large enough that the credit's small letters have solid cores
    canvas = Canvas(width, height, found, FontBook(found.fonts))
    spec = KINDS["video"].spec.model_validate({
        "kind": "video", "file": "a.mp4", "title": "Inside the starter",
        "caption": "Wild yeast feeding on flour", "credit": "Footage: test pattern",
    })  # fmt: skip
    slide = KINDS["video"].build.__globals__["text_over"](spec, canvas)
    over = {}
    for name in ("white", "black"):
        frame = Image.new("RGB", (width, height), name)
        for element in slide.elements:
            element.paint(frame, 1.0)
        over[name] = np.asarray(frame).astype(int)
    same = (over["white"] == over["black"]).all(axis=2)
    color = np.array(ImageColor.getrgb(canvas.theme.colors.text))  # title, caption and credit
    ink = same & (np.abs(over["white"] - color).sum(axis=2) <= 6)
    rows = np.flatnonzero(ink.sum(axis=1) > 2)
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > height // 60) + 1)  # title, caption, credit
    assert len(runs) == 3 and runs[0][0] < height * 0.2 and runs[2][-1] > height * 0.85
    # The shade alone lets the same share of the frame through everywhere behind the text; a pixel a letter touches
    # (its anti-aliased rim, a serif's hairline too thin for a solid core) lets less through: neither text nor shade.
    through = np.abs(over["white"] - over["black"]).max(axis=2)
    for run in runs:
        cols = np.flatnonzero(ink[run].any(axis=0))
        box = np.s_[run[0] : run[-1] + 1, cols[0] : cols[-1] + 1]
        shade = through[box] >= through[box].max() - 2
        for frame in over.values():
            under = _luminance(frame[box][shade])
            text = _luminance(color)
            worst = min((max(text, u) + 0.05) / (min(text, u) + 0.05) for u in (under.min(), under.max()))
            assert worst >= 4.5, (run[0], round(worst, 2))


def test_siblings_that_cannot_share_the_room_are_told_so(canvas):
    """When even the shortest of a list does not fit its share, the message says to use fewer, and names the
    longest item, not the first that happened to fail."""
    texts = ["Short one", "Another short", "A much longer text that goes on and on about it"]
    with pytest.raises(FitError) as caught:
        canvas.fit_alike(texts, "body", 0.05, fields=["items.0", "items.1", "items.2"], width=W * 0.8,
                         height=canvas.min_text * 0.5, max_lines=2)  # fmt: skip
    assert caught.value.field == "items.2"
    assert "even the shortest of these 3 (9 characters)" in str(caught.value) and "use fewer" in str(caught.value)


def test_events_too_close_on_a_time_scale_are_said_to_be_too_close(canvas):
    """A creator's timeline (1881, 1914, 1999, 2016, 2023, spaced by time) did not fit a tall frame, and the
    message said the date '1881', four characters, was too long: it names the two events that crowd each
    other and the cure (spacing: even), which does fit."""
    said = [("1881", "France starts digging"), ("1914", "The canal opens"), ("1999", "Panama takes control"),
            ("2016", "Bigger locks open"), ("2023", "The worst drought in decades")]  # fmt: skip
    events = [{"date": d, "text": t} for d, t in said]
    tall = Canvas(270, 480, canvas.theme, canvas.fonts, profile=FORMATS["vertical"])
    spec = {"kind": "timeline", "title": "A century of the canal", "events": events}
    with pytest.raises(FitError) as info:
        build(tall, {**spec, "spacing": "time"})
    assert "'1999' and '2016' stand too close together on the time scale" in str(info.value)
    assert "spacing: even" in str(info.value) and info.value.field == "events.3.date"
    build(tall, {**spec, "spacing": "even"})


def test_two_amounts_of_one_unit_are_compared_by_bars_as_long_as_they_are(canvas):
    """'13,000 miles' against '5,200 miles': a bar under each side, on one baseline, as long as its amount (a
    creator's comparison stood as two figures over an empty lower third); 'China' against 'Thailand' has none."""
    from pipeline.drawing.slides.compare import amounts_of

    assert amounts_of("13,000 miles", "5,200 miles") == (13000, 5200)
    assert amounts_of("$2,000", "$10,000") == (2000, 10000)
    assert amounts_of("20 hours", "2 days") is None and amounts_of("China", "Thailand") is None
    sides = {"before": {"value": "20 hours", "label": "by car"}, "after": {"value": "5 hours", "label": "by plane"}}
    frame = build(canvas, {"kind": "compare", "mode": "versus", **sides}).still().astype(int)
    accent = np.abs(frame - np.array([0xE5, 0x38, 0x3B])).max(axis=2) < 40
    rows = np.flatnonzero(accent.sum(axis=1) > 0)
    bar_rows = [r for r in rows if r > canvas.height * 0.6]  # below the figures and labels
    assert bar_rows, "bars under the sides"
    row = accent[bar_rows[len(bar_rows) // 2]]
    middle = canvas.width // 2
    left, right = row[:middle].sum(), row[middle:].sum()
    assert left == pytest.approx(4 * right, rel=0.2), (left, right)
    words = {"before": {"value": "China", "label": "a"}, "after": {"value": "Thailand", "label": "b"}}
    plain = build(canvas, {"kind": "compare", "mode": "versus", **words}).still().astype(int)
    low = np.abs(plain - np.array([0xE5, 0x38, 0x3B])).max(axis=2)[int(canvas.height * 0.6) :] < 40
    assert low.sum() == 0
