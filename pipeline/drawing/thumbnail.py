"""thumbnail.png, designed as explainer channels design theirs, not a frame of the video.

A channel's thumbnail (Wendover, RealLifeLore, Vox, Johnny Harris) is two to five huge words in a heavy face with
an outline or on blocks, over one strong visual made vivid (a map with the country lit, a picture, a big icon),
with an accent shape pointing at what matters; it reads at 168x94, the size it has in search results, and keeps
the bottom-right corner clear for the duration badge. ``draw`` makes that from the words and one ``Shown`` visual,
in the theme's ``thumbnail`` look; the storyboard's side (which words, which visual) is the caller's
(rendering/stills.py). ``Thumbnail`` is the storyboard's ``thumbnail: {text, scene, visual}`` field, and
``key_words`` shortens a title to the words a thumbnail shows.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps
from pydantic import Field

from pipeline.core.schema import Plain
from pipeline.drawing.slides import icons
from pipeline.drawing.slides.base import Box, Canvas
from pipeline.drawing.slides.chrome import background, rgb
from pipeline.drawing.slides.fonts import Face, FontBook
from pipeline.drawing.slides.problems import SlideError
from pipeline.drawing.slides.visual import Visual

#: The design's version, in the thumbnail's cache key: change it when the look changes.
DESIGN = "thumb-2"
#: The most words a thumbnail shows (more do not read at 168x94), and how many a title is shortened to.
MOST_WORDS, KEY_WORDS = 5, 4
#: The most characters of a creator's thumbnail text.
MOST_CHARACTERS = 40
#: Words a title keeps but a thumbnail drops: question words, articles, small verbs and hedges.
_DROPPED_WORDS = (
    "a an the and or but nor so yet of to in on at by for from with into onto about as than that this these those "
    "why how what when where who whom which whose is are was were be been being am do does did done can could will "
    "would shall should may might must has have had it it's its they them their we our you your i my he she his "
    "her nearly almost really actually just very ever even still quite only truly"
)
DROPPED = frozenset(_DROPPED_WORDS.split())
#: The bottom-right corner YouTube covers with the video's length (of the width and the height): nothing goes there.
BADGE = (0.2, 0.16)
#: Of the frame's short side: the margin and how thick the words' outline is (of their size).
MARGIN, OUTLINE = 0.06, 0.075


class Thumbnail(Plain):
    """``thumbnail: {text, scene, visual}``: what thumbnail.png says and shows, each part defaulting to the
    storyboard's own (``thumbnail: SCENE_ID`` is ``{scene: SCENE_ID}``)."""

    text: str | None = Field(
        None,
        min_length=1,
        max_length=MOST_CHARACTERS,
        description=f"The words, at most {MOST_WORDS} (default: the title's key words); words between stars are set "
        "in the accent colour, e.g. `The *impossible* escape`.",
    )
    scene: str | None = Field(
        None, description="Id of the scene whose visual (backdrop, visual, map or picture) the thumbnail shows."
    )
    visual: Visual | None = Field(
        None, description="Or its own visual: {icon: NAME}, {picture: FILE, focus: [x, y]} or {map: {show, highlight}}."
    )

    def problems(self) -> list[SlideError]:
        """What is wrong with the fields (their paths under 'thumbnail')."""
        found = []
        if self.text is not None:
            words = [word for word, _ in marked(self.text)]
            if not words:
                found.append(SlideError("text", "the text has no words; write two to five, e.g. 'Escape *Korea*'"))
            elif len(words) > MOST_WORDS:
                found.append(SlideError(
                    "text",
                    f"{len(words)} words; a thumbnail shows at most {MOST_WORDS} (they must read at 168x94): keep the "
                    f"key ones, e.g. '{' '.join(key_words(' '.join(words)))}'",
                ))  # fmt: skip
            if self.text.count("*") % 2:
                found.append(SlideError("text", "a '*' is not closed; mark accent words as '*word*'"))
        if self.visual is not None:
            found += self.visual.problems("visual")
        return found


def key_words(title: str, most: int = KEY_WORDS) -> list[str]:
    """The words of ``title`` a thumbnail shows: without question words, articles, small verbs and hedges, at most
    ``most`` of them ('Why It's Nearly Impossible to Escape North Korea' -> Impossible Escape North Korea); too
    many, and the first in small letters go, else the first ('The long way out of North Korea' -> way out North
    Korea)."""
    words = [w.strip('.,:;!?"“”‘’()') for w in title.replace("*", "").split()]
    words = [w for w in words if w]
    kept = [w for w in words if w.lower().replace("’", "'") not in DROPPED] or words
    while len(kept) > most:  # a title ends on its subject: the first word in small letters goes, else the first
        small = [i for i, w in enumerate(kept) if w[:1].islower()]
        del kept[small[0] if small else 0]
    return kept


def marked(text: str) -> list[tuple[str, bool]]:
    """The words of ``text`` and whether each is marked (between stars) for the accent colour."""
    out, inside = [], False
    for i, part in enumerate(re.split(r"\*", text)):
        inside = i % 2 == 1
        out += [(word, inside) for word in part.split()]
    return out


@dataclasses.dataclass(frozen=True)
class Shown:
    """The thumbnail's visual: a picture made for the frame (a map drawn at its size, a photo), where its lit
    region is (a mask the picture's size), or an icon's name; none of them: the theme's background."""

    picture: Image.Image | None = None
    lit: Image.Image | None = None
    icon: str | None = None
    focus: tuple[float, float] = (0.5, 0.5)


def visual_box(canvas: Canvas) -> Box:
    """Where the visual's subject goes: the right of a wide frame, the lower part of a tall one (a map's places
    are fitted there, so the words stand beside them)."""
    w, h = canvas.width, canvas.height
    if _wide(canvas):
        return Box(round(w * 0.5), round(h * 0.08), round(w * 0.97), round(h * 0.86))
    return Box(round(w * 0.06), round(h * 0.42), round(w * 0.94), round(h * 0.86))


def draw(words: Sequence[tuple[str, bool]], shown: Shown, canvas: Canvas) -> Image.Image:
    """The thumbnail: ``shown`` made vivid over the frame, shaded where the ``words`` stand, the words as large as
    their box allows (the marked ones in the accent colour), and an arrow to the lit region or an accent bar."""
    look = canvas.theme.thumbnail
    colors = canvas.theme.colors
    accent = rgb(look.accent or colors.accent)
    image = _ground(shown, canvas)
    if look.saturation != 1:
        image = ImageEnhance.Color(image).enhance(look.saturation)
    image = ImageEnhance.Contrast(image).enhance(1.08)
    if shown.lit is not None:
        image = _outlined(image, shown.lit, accent, canvas)
    image = _shaded(image, canvas)
    if shown.icon is not None:
        _icon(image, shown.icon, canvas, accent)
    fonts = FontBook(canvas.theme.fonts.model_copy(update={"figure": look.font})) if look.font else canvas.fonts
    shown_words = [(w.upper() if look.upper else w, on) for w, on in words] or [("", False)]
    lines, face = _fitted(shown_words, fonts, _text_box(canvas))
    placed = _words(image, lines, face, _text_box(canvas), canvas, accent)
    if placed is not None and not (shown.lit is not None and _arrow(image, placed, shown.lit, canvas, accent)):
        _bar(image, placed, canvas, accent)
    return image


def _wide(canvas: Canvas) -> bool:
    return canvas.width >= canvas.height * 1.2


def _ground(shown: Shown, canvas: Canvas) -> Image.Image:
    size = (canvas.width, canvas.height)
    if shown.picture is None:
        return background(canvas, shapes=True).convert("RGB")
    if shown.picture.size == size:
        return shown.picture.convert("RGB")
    return ImageOps.fit(shown.picture.convert("RGB"), size, Image.Resampling.LANCZOS, centering=shown.focus)


def _outlined(image: Image.Image, lit: Image.Image, accent: tuple[int, int, int], canvas: Canvas) -> Image.Image:
    """The lit region brightened, ringed in the accent colour with a glow: the country the video is about."""
    mask = lit.convert("L").resize(image.size)
    if not mask.getbbox():
        return image
    grown = mask.filter(ImageFilter.BoxBlur(canvas.px(0.005))).point(lambda v: 255 if v > 8 else 0)
    ring = np.asarray(grown, dtype=np.float32) - np.asarray(mask, dtype=np.float32)
    glow = np.asarray(grown.filter(ImageFilter.GaussianBlur(canvas.px(0.02))), dtype=np.float32)
    inside = np.asarray(mask, dtype=np.float32)[..., None] / 255
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels * (1 + 0.25 * inside)  # the lit land a little brighter than its neighbours
    a = np.clip(np.maximum(ring, glow * 0.55 * (1 - inside[..., 0])) / 255, 0, 1)[..., None]
    pixels = pixels * (1 - a) + np.array(accent, dtype=np.float32) * a
    return Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))


def _shaded(image: Image.Image, canvas: Canvas) -> Image.Image:
    """The visual darkened towards the theme's stroke colour where the words stand (the left of a wide frame, the
    top of a tall one), easing to nothing across the frame."""
    look = canvas.theme.thumbnail
    if look.shade <= 0:
        return image
    wide = _wide(canvas)
    n = canvas.width if wide else canvas.height
    t = np.clip(np.linspace(0.0, 1.0, n, dtype=np.float32) / (0.72 if wide else 0.6), 0, 1)
    fade = look.shade * (1 - t * t * (3 - 2 * t))
    fade = fade[None, :, None] if wide else fade[:, None, None]
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels * (1 - fade) + np.array(rgb(look.stroke), dtype=np.float32) * fade
    return Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))


def _icon(image: Image.Image, name: str, canvas: Canvas, accent: tuple[int, int, int]) -> None:
    """The icon huge in the visual's box, in the accent colour with a dark shadow, on a soft disc."""
    box = visual_box(canvas)
    side = min(box.width, box.height)
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    r = side * 0.5
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, 70))
    shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
    icons.draw(ImageDraw.Draw(shadow), name, (cx + side * 0.02, cy + side * 0.03), round(side * 0.62),
               (*rgb(canvas.theme.thumbnail.stroke), 200))  # fmt: skip
    layer.alpha_composite(shadow.filter(ImageFilter.GaussianBlur(side * 0.015)))
    icons.draw(d, name, (cx, cy), round(side * 0.62), (*accent, 255))
    image.paste(layer, (0, 0), layer)


def _text_box(canvas: Canvas) -> Box:
    w, h = canvas.width, canvas.height
    m = round(MARGIN * min(w, h))
    if _wide(canvas):
        return Box(m, m, round(w * 0.6), h - m)
    return Box(m, round(h * 0.07), w - m, round(h * 0.4))


def _lines(words: Sequence[tuple[str, bool]], count: int) -> list[list[tuple[str, bool]]]:
    """``words`` in ``count`` lines, the breaks chosen to make the longest line shortest (in characters)."""
    n = len(words)
    best: list[list[tuple[str, bool]]] = [list(words)]
    best_len = math.inf
    for cuts in _cuts(n, count):
        bounds = [0, *cuts, n]
        lines = [list(words[a:b]) for a, b in itertools.pairwise(bounds)]
        longest = max(len(" ".join(w for w, _ in line)) for line in lines)
        if longest < best_len:
            best, best_len = lines, longest
    return best


def _cuts(n: int, count: int) -> list[tuple[int, ...]]:
    if count == 1:
        return [()]
    out = []
    for first in range(1, n - count + 2):
        out += [(first, *(first + c for c in rest)) for rest in _cuts(n - first, count - 1)]
    return out


def _line_text(line: Sequence[tuple[str, bool]]) -> str:
    return " ".join(w for w, _ in line)


def _fitted(words: Sequence[tuple[str, bool]], fonts: FontBook, box: Box) -> tuple[list[list[tuple[str, bool]]], Face]:
    """The words broken into one to three lines at the largest size that fits ``box`` (ties: fewer lines)."""
    best: tuple[int, list[list[tuple[str, bool]]]] | None = None
    for count in range(1, min(3, len(words)) + 1):
        lines = _lines(words, count)
        lo, hi = 8, box.height
        while lo < hi:  # the largest size whose lines fit
            mid = (lo + hi + 1) // 2
            face = fonts.face("figure", mid)
            pad = 2 * OUTLINE * mid
            tall = _pitch(face) * (count - 1) + _cap(face) + pad
            wide = max(face.getlength(_line_text(line)) for line in lines) + pad
            lo, hi = (mid, hi) if wide <= box.width and tall <= box.height else (lo, mid - 1)
        if best is None or lo > best[0] * 1.04:
            best = (lo, lines)
    assert best is not None
    return best[1], fonts.face("figure", best[0])


def _cap(face: Face) -> float:
    """The height of a capital above the baseline."""
    top = face.getbbox("H")[1]
    return float(-top)


def _pitch(face: Face) -> float:
    """From one line's baseline to the next: tight, as a thumbnail sets its words."""
    return _cap(face) * 1.22


def _words(
    image: Image.Image,
    lines: list[list[tuple[str, bool]]],
    face: Face,
    box: Box,
    canvas: Canvas,
    accent: tuple[int, int, int],
) -> Box | None:
    """The lines drawn in ``box`` (left-aligned and centred upright in a wide frame, centred in a tall one), with
    their outline and shadow or their blocks; where the last line's ink is (None: no words)."""
    look = canvas.theme.thumbnail
    ink, stroke = rgb(look.ink), rgb(look.stroke)
    cap, pitch = _cap(face), _pitch(face)
    outline = max(2, round(OUTLINE * face.size))
    block = look.style == "box"
    if block:
        pitch *= 1.12
    total = pitch * (len(lines) - 1) + cap
    wide = _wide(canvas)
    y = (box.y0 + box.y1) / 2 - total / 2 + cap
    shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
    front = Image.new("RGBA", image.size, (0, 0, 0, 0))
    sd, fd = ImageDraw.Draw(shadow), ImageDraw.Draw(front)
    offset = max(2, round(face.size * 0.06))
    last: Box | None = None
    any_marked = any(on for line in lines for _, on in line)
    for i, line in enumerate(lines):
        text = _line_text(line)
        if not text:
            continue
        length = face.getlength(text)
        x = box.x0 + outline if wide else (box.x0 + box.x1) / 2 - length / 2
        line_marked = any(on for _, on in line) or (not any_marked and i == len(lines) - 1)
        if block:
            pad_x, pad_y = face.size * 0.14, cap * 0.2
            rect = (x - pad_x, y - cap - pad_y, x + length + pad_x, y + pad_y * 1.1)
            fill = accent if line_marked else rgb(look.box or canvas.theme.colors.text)
            sd.rectangle(_moved(rect, offset), fill=(*stroke, 170))
            fd.rectangle(rect, fill=(*fill, 255))
            _run(fd, face, (x, y), line, lambda on: (*ink, 255), 0, stroke)
        else:
            _run(sd, face, (x + offset, y + offset), line, lambda on: (*stroke, 200), outline, stroke)

            def colour(on: bool, whole: bool = line_marked) -> tuple[int, ...]:
                return (*(accent if (on if any_marked else whole) else ink), 255)

            _run(fd, face, (x, y), line, colour, outline, stroke)
        last = Box(round(x), round(y - cap), round(x + length), round(y))
        y += pitch
    soft = shadow.filter(ImageFilter.GaussianBlur(offset * 0.8))
    image.paste(soft, (0, 0), soft)
    image.paste(front, (0, 0), front)
    return last


def _moved(rect: tuple[float, float, float, float], by: float) -> tuple[float, float, float, float]:
    return (rect[0] + by, rect[1] + by, rect[2] + by, rect[3] + by)


def _run(draw_on, face: Face, xy, line, colour, outline: int, stroke) -> None:
    """One line, word by word (a word's colour may differ), each part in its font, outlined ``outline`` wide."""
    x, y = xy
    space = face.getlength(" ")
    for word, on in line:
        for font, part in face.runs(word):
            draw_on.text((x, y), part, font=font, fill=colour(on), anchor="ls", stroke_width=outline,
                         stroke_fill=(*stroke, colour(on)[3]))  # fmt: skip
            x += font.getlength(part)
        x += space


def _centre(lit: Image.Image) -> tuple[float, float] | None:
    """The lit region's centre of mass, as a fraction of the picture (None: nothing lit)."""
    small = np.asarray(lit.convert("L").resize((160, 90)), dtype=np.float32)
    total = small.sum()
    if total <= 0:
        return None
    ys, xs = np.mgrid[0:90, 0:160]
    return float((xs * small).sum() / total / 160), float((ys * small).sum() / total / 90)


def _arrow(image: Image.Image, words: Box, lit: Image.Image, canvas: Canvas, accent) -> bool:
    """A chunky accent arrow from beside the words to the edge of the lit region, clear of the badge's corner;
    False when the region is too close to the words for one (or nothing is lit)."""
    target = _centre(lit)
    if target is None:
        return False
    w, h = canvas.width, canvas.height
    tx, ty = target[0] * w, target[1] * h
    if _wide(canvas):
        sx, sy = words.x1 + canvas.px(0.04), (words.y0 + words.y1) / 2
    else:
        sx, sy = w / 2, words.y1 + canvas.px(0.05)
    dist = math.hypot(tx - sx, ty - sy)
    if dist <= 0:
        return False
    ux, uy = (tx - sx) / dist, (ty - sy) / dist
    mask = np.asarray(lit.convert("L").resize(image.size))
    edge = dist
    for step in range(0, int(dist), 4):  # the first lit pixel on the way
        x, y = int(sx + ux * step), int(sy + uy * step)
        if 0 <= x < w and 0 <= y < h and mask[y, x] > 127:
            edge = step
            break
    length = min(edge - canvas.px(0.03), canvas.px(0.4))
    ex, ey = sx + ux * length, sy + uy * length
    badge = ex > w * (1 - BADGE[0]) and ey > h * (1 - BADGE[1])
    if length < canvas.px(0.14) or badge:
        return False
    shaft, head, head_len = canvas.px(0.022), canvas.px(0.055), canvas.px(0.08)
    nx, ny = -uy, ux
    bx, by = ex - ux * head_len, ey - uy * head_len
    points = [
        (sx + nx * shaft, sy + ny * shaft), (bx + nx * shaft, by + ny * shaft), (bx + nx * head, by + ny * head),
        (ex, ey), (bx - nx * head, by - ny * head), (bx - nx * shaft, by - ny * shaft),
        (sx - nx * shaft, sy - ny * shaft),
    ]  # fmt: skip
    stroke = rgb(canvas.theme.thumbnail.stroke)
    ImageDraw.Draw(image).polygon(points, fill=accent, outline=stroke, width=max(2, canvas.px(0.006)))
    return True


def _bar(image: Image.Image, words: Box, canvas: Canvas, accent) -> None:
    """A thick slanted accent bar under the last line of words."""
    thick = canvas.px(0.022)
    y = words.y1 + canvas.px(0.035)
    slant = thick * 0.8
    long = max(words.width * 0.55, canvas.px(0.2))
    x0 = words.x0 if _wide(canvas) else (words.x0 + words.x1 - long) / 2  # under the words' start, or centred
    x1 = x0 + long
    stroke = rgb(canvas.theme.thumbnail.stroke)
    ImageDraw.Draw(image).polygon(
        [(x0 + slant, y), (x1 + slant, y), (x1, y + thick), (x0, y + thick)],
        fill=accent, outline=stroke, width=max(2, canvas.px(0.004)),
    )  # fmt: skip
