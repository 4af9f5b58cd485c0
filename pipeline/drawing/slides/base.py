"""What every slide kind builds on: the canvas, the scene context, elements, the slide, the kind.

A slide is a background drawn once plus elements that each enter over a short
time. After the last entrance the slide holds still, and that still frame is
drawn once and reused, so the cost of a scene is its few moving frames.

Lengths are fractions of the frame's short side (``Canvas.px``), and content
keeps inside ``Canvas.safe``: the theme's margin, the format's title-safe and
platform-safe areas, and room for burned-in captions.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, TypeVar

import numpy as np
from PIL import Image

from pipeline.core.formats import FORMATS, FormatProfile
from pipeline.core.schema import Plain
from pipeline.drawing.slides import camera
from pipeline.drawing.slides.fonts import FontBook
from pipeline.drawing.slides.problems import FitError, SlideError
from pipeline.drawing.slides.text import TextBlock, fit
from pipeline.drawing.slides.theme import Layout, Theme
from pipeline.drawing.timing import SceneTiming


@dataclass(frozen=True)
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Pictured:
    """A picture a slide stands on (``backdrop:``): the image, the point kept in view, and its name (the memo's key:
    a canvas is shared by the render's slides)."""

    #: The picture, made when the slide's background is first drawn (a map is drawn then).
    picture: Callable[[], Image.Image] = field(compare=False, repr=False)
    focus: tuple[float, float] = (0.5, 0.5)
    name: str = ""
    #: How far it fades behind the text, when not the theme's.
    dim: float | None = None
    #: Where the picture is faded less (a map's lit regions, the point of it): a mask the picture's size, or None.
    keep: Callable[[], Image.Image | None] | None = field(default=None, compare=False, repr=False)
    #: Where the text stands, so the picture fades most there: the frame's 'start' (the left of a wide frame, the
    #: top of a tall one), its 'end' (the text beside a visual on the left), or 'lower' (a lower third).
    text: Literal["start", "end", "lower"] = "start"


@dataclass(frozen=True)
class Canvas:
    """Frame size and format, theme and fonts: everything a slide needs to draw, passed explicitly."""

    width: int
    height: int
    theme: Theme
    fonts: FontBook
    #: Fraction of the short side kept clear above the bottom margin for burned-in captions (0: none).
    caption_band: float = 0.0
    #: The format the frame is made for: its title-safe and platform-safe areas.
    profile: FormatProfile = field(default_factory=lambda: FORMATS["wide"])
    #: Images every slide of this canvas shares (the background), drawn once per render.
    memo: dict[str, Image.Image] = field(default_factory=dict, compare=False, repr=False)
    #: Where the text goes when the slide gives part of the frame to a visual (visual.py): its ``safe`` area.
    column: Box | None = None
    #: A picture the slide stands on instead of the theme's background (``backdrop:``; chrome.py fades it).
    backdrop: Pictured | None = None
    #: The slide has nothing beside or behind its text (no visual, no backdrop): a text card that lays itself out
    #: to fill the frame, on the theme's ornament (ornament.py). Set by visual.py's ``beside`` and ``behind``.
    bare: bool = False

    @property
    def unit(self) -> int:
        """The length sizes are fractions of: the frame's short side."""
        return min(self.width, self.height)

    def px(self, fraction: float) -> int:
        """A length given as a fraction of the frame's short side, in pixels."""
        return max(1, round(fraction * self.unit))

    @property
    def safe(self) -> Box:
        """Where slide content goes: inside the theme's margin, the format's safe areas and above any caption band
        (or the text's column, when a visual has the rest)."""
        return self.column or self.frame_safe

    @property
    def frame_safe(self) -> Box:
        """The safe area of the whole frame, whatever the text's column."""
        margin = self.theme.margin
        clear = self.profile.keep_clear()
        left = round(max(margin, clear.left) * self.width)
        right = round(max(margin, clear.right) * self.width)
        top = round(max(margin, clear.top) * self.height)
        bottom = round(max(margin, clear.bottom) * self.height)
        return Box(left, top, self.width - right, self.height - bottom - self.reserved)

    @property
    def reserved(self) -> int:
        """Pixels at the bottom of the safe area kept for burned-in captions."""
        return round(self.caption_band * self.unit)

    @property
    def caption_box(self) -> Box:
        """The band burned-in captions sit in: the bottom of the title-safe area, under the content."""
        safe = self.frame_safe
        return Box(safe.x0, safe.y1, safe.x1, safe.y1 + self.reserved)

    @property
    def min_text(self) -> int:
        return self.px(self.theme.sizes.minimum)

    @property
    def narrowness(self) -> float:
        """How many times narrower the safe area is than a wide frame's with the same short side (1 or more).

        Type is sized from the short side, so a text that takes two lines on a
        wide slide takes about twice this many in a portrait column: ``fit``
        allows that many more lines (the height it is given still bounds it);
        a one-line label stays one line.
        """
        if self.width >= self.height * 16 / 9 - 1:
            return 1.0
        wide = Canvas(round(self.unit * 16 / 9), self.unit, self.theme, self.fonts, profile=FORMATS["wide"])
        return max(1.0, wide.safe.width / max(1, self.safe.width))

    def fit(
        self,
        text: str,
        role: str,
        size: float,
        *,
        field: str,
        width: float,
        height: float,
        max_lines: int,
        balance: bool = True,
    ) -> TextBlock:
        """Fit ``text`` in the theme's ``role`` font, starting at ``size`` (fraction of height)."""
        return fit(
            text,
            self.fonts,
            role,
            field=field,
            max_width=width,
            max_height=height,
            size=max(self.px(size), self.min_text),
            min_size=self.min_text,
            max_lines=max_lines if max_lines == 1 else max(max_lines, round(max_lines * self.narrowness)),
            line_spacing=self.theme.line_spacing,
            balance=balance,
        )

    def fit_alike(
        self,
        texts: list[str],
        role: str,
        size: float,
        *,
        fields: list[str],
        width: float,
        height: float,
        max_lines: int,
    ) -> list[TextBlock]:
        """Every text at one size: the largest at which all of them fit, so sibling labels look alike.

        When some do not fit, the longest of those is named; when even the shortest text does not, the
        room each has is the problem (too many siblings), and the message says so.
        """
        first, failed = [], []
        for t, f in zip(texts, fields, strict=True):
            try:
                first.append(self.fit(t, role, size, field=f, width=width, height=height, max_lines=max_lines))
            except FitError as exc:
                failed.append((len(t), t, exc))
        if failed:
            longest, _, exc = max(failed, key=lambda item: item[0])
            shortest = min(len(t) for t in texts)
            if shortest == min(length for length, _, _ in failed) and shortest <= 0.6 * longest:
                raise FitError(
                    exc.field,
                    f"text is too long to fit its share of the slide: even the shortest of these {len(texts)} "
                    f"({shortest} characters) does not fit at the smallest size; use fewer, or split them across "
                    "scenes",
                )
            raise exc
        common = min(block.size for block in first) / self.unit
        return [
            self.fit(t, role, common, field=f, width=width, height=height, max_lines=max_lines)
            for t, f in zip(texts, fields, strict=True)
        ]


@dataclass(frozen=True)
class SceneContext:
    """What a slide may know about its place in the video (plain data from the plan)."""

    section_title: str
    section_number: int
    timing: SceneTiming = field(default_factory=SceneTiming)
    #: The files the slide names (as written in the storyboard) -> where to read them.
    assets: Mapping[str, Path] = field(default_factory=dict)
    #: Frames per second of the video the scene is in.
    fps: int = 30
    #: Where a scene source keeps what it prepares from its files once (a normalized clip), in the cache; None:
    #: prepare nothing (a still reads the one frame it needs).
    prepared: Path | None = None
    #: Where the slide's visual goes, chosen over the whole video (drawing/layouts.py): 'right' or 'left' of the
    #: text, or 'full' (over the whole frame, the text as a lower third).
    layout: Layout = "right"

    @property
    def sentence_starts(self) -> tuple[float, ...]:
        return self.timing.sentence_starts

    @property
    def duration(self) -> float:
        """The scene's length in seconds (0 when not planned yet, e.g. for a settled still)."""
        return self.timing.duration

    def asset(self, name: str) -> Path:
        """Where to read the file the storyboard names ``name`` (a SlideError when the scene was not given it)."""
        if name not in self.assets:
            raise SlideError("file", f"'{name}' was not given to this scene; this is a bug in explainer")
        return self.assets[name]

    @property
    def words(self) -> tuple[tuple[str, float], ...]:
        """Each written word of the narration and when it is said, in seconds from the scene's start."""
        return self.timing.words

    def sentence_time(self, sentence: int | None, default: float) -> float:
        """When the scene's ``sentence`` (counted from 1) starts, or ``default`` without timing.

        Reveals that follow the narration use this, so an item appears as the
        narrator reaches it, by the real length of the synthesized speech.
        """
        if sentence is None or not 0 < sentence <= len(self.sentence_starts):
            return default
        return self.sentence_starts[sentence - 1]


@dataclass
class Element:
    """Something that enters at ``start`` over ``duration`` seconds and then stays.

    ``paint(image, p)`` draws it onto the frame at entrance progress ``p`` in (0, 1].
    """

    start: float
    duration: float
    paint: Callable[[Image.Image, float], None]
    #: After its first ``smooth`` seconds, an element that moves for long (a drift) moves in steps of ``step``
    #: seconds: frames between are the very same frame, drawn once and encoded as a repeat (0: every frame).
    step: float = 0.0
    smooth: float = 0.0
    #: When the element leaves the frame (another element takes its place, e.g. the same text gliding on).
    until: float = math.inf
    #: A small change that leaves the layout as it was (a word marked, a ping): the camera pushes on through it.
    minor: bool = False

    def progress(self, t: float) -> float:
        if t >= self.until:
            return 0.0
        if self.duration <= 0:
            return 1.0 if t >= self.start else 0.0
        if self.step > 0 and t - self.start > self.smooth:
            t = self.start + self.smooth + math.floor((t - self.start - self.smooth) / self.step) * self.step
        return min(1.0, max(0.0, (t - self.start) / self.duration))


@dataclass
class Slide:
    """``background`` may be a function that draws it, so checking a layout never pays for drawing it.

    A frame is drawn from the elements' progress alone, so two frames with the same progress are the same
    frame: it is drawn once and returned as the same array (which the encoder sees as a hold), as between
    the reveals of a timeline or a list tied to its sentences. The leading elements that are settled or not
    yet started are painted once and kept, so a frame repaints only from the first element that is moving.
    """

    background: Image.Image | Callable[[], Image.Image]
    elements: list[Element] = field(default_factory=list)
    #: What moves the whole frame while the slide holds (None: a hold stands still); see ``aim``.
    camera: camera.Camera | None = None
    _still: np.ndarray | None = field(default=None, repr=False)
    #: The last frame drawn, by the elements' progress in it.
    _last: tuple[tuple[float, ...], np.ndarray] | None = field(default=None, repr=False)
    #: The base with a run of leading elements painted, by their progress (each 0 or 1).
    _settled: tuple[tuple[float, ...], Image.Image] | None = field(default=None, repr=False)

    @property
    def base(self) -> Image.Image:
        if callable(self.background):
            self.background = self.background()
        return self.background

    @property
    def settle_time(self) -> float:
        """Seconds after which every frame is the same still frame."""
        return max((e.start + e.duration for e in self.elements), default=0.0)

    def image(self, t: float) -> Image.Image:
        return self._paint(tuple(e.progress(t) for e in self.elements))

    def _paint(self, state: tuple[float, ...]) -> Image.Image:
        """The frame with each element at its progress in ``state``."""
        steady = next((i for i, p in enumerate(state) if p not in (0.0, 1.0)), len(state))
        if self._settled is None or self._settled[0] != state[:steady]:
            layer = self.base.copy()
            for element, p in zip(self.elements[:steady], state[:steady], strict=True):
                if p > 0:
                    element.paint(layer, p)
            self._settled = (state[:steady], layer)
        frame = self._settled[1].copy()
        for element, p in zip(self.elements[steady:], state[steady:], strict=True):
            if p > 0:
                element.paint(frame, p)
        return frame

    def aim(self, duration: float, rate: float, after: float) -> None:
        """Give the slide a camera that pushes in ``rate`` of the frame a second during each hold of ``after``
        seconds or more of a ``duration``-second scene (camera.py)."""
        spans = [(e.start, e.start + max(0.0, e.duration), e.minor) for e in self.elements]
        busy, minor = ([(a, b) for a, b, small in spans if small is kind] for kind in (False, True))
        moves = camera.pushes(busy, duration, rate, after, minor)
        self.camera = camera.Camera(moves, np.asarray(self.base)) if moves else None

    def frame(self, t: float) -> np.ndarray:
        """The RGB frame at ``t`` seconds as an HxWx3 uint8 array (the same array as the frame before when
        nothing moved), as the camera sees it."""
        unmoved = self._unmoved(t)
        return self.camera.frame(t, unmoved) if self.camera is not None else unmoved

    def _unmoved(self, t: float) -> np.ndarray:
        if t >= self.settle_time:
            still = self.still()
            # Settled: what drew the moving frames is let go (a layered scene draws two slides; 29 MB at 1080p).
            self._last = self._settled = None
            return still
        state = tuple(e.progress(t) for e in self.elements)
        if self._last is None or self._last[0] != state:
            self._last = (state, np.asarray(self._paint(state)))
        return self._last[1]

    def still(self) -> np.ndarray:
        if self._still is None:
            self._still = np.asarray(self.image(self.settle_time + 1.0))
        return self._still


class SpecBase(Plain):
    """Fields every slide kind's spec shares; unknown fields are errors.

    ``ALSO_CALLED`` lists names an author may guess for the kind ('footage' for
    video); ``FIELD_HINTS`` says what to write instead of a field the kind does
    not have but an author may guess ('mute'). Error messages use both.
    """

    ALSO_CALLED: ClassVar[tuple[str, ...]] = ()
    FIELD_HINTS: ClassVar[dict[str, str]] = {}

    def picture(self) -> dict[str, Any]:
        """The fields that change the scene's picture, for its cache key (a kind leaves out those for sound only)."""
        return self.model_dump(mode="json")

    def sentence_refs(self) -> list[tuple[str, int]]:
        """(field path, sentence number) for every reveal tied to a narration sentence."""
        return []

    def asset_files(self) -> list[str]:
        """Paths (relative to the project) of files the slide draws, for cache keys and checks."""
        return []

    def asset_field(self) -> str:
        """The field that names the slide's file, for problems with it ('file', 'visual.picture')."""
        return "file"

    def asset_places(self) -> list[tuple[str, str]]:
        """Each file the slide draws with the field that names it, for problems located at that field."""
        return [(name, self.asset_field()) for name in self.asset_files()]

    def with_reveals(self, said: list[str]) -> SpecBase:
        """The spec with its items tied to the sentences of the scene's narration (``said``) that say them, where
        the storyboard leaves that to the narration (see reveals.py); a kind without a list is itself."""
        return self

    def check(self) -> list[SlideError]:
        """What is wrong with the kind's own fields that needs no drawing to find (unknown places...), every one."""
        return []

    def shown_problems(self) -> list[SlideError]:
        """What is wrong with what the slide shows beside or behind its own content (a visual, a backdrop)."""
        return []

    def problems(self) -> list[SlideError]:
        """Every problem found without drawing: the kind's own (``check``) and those of what it shows."""
        return self.check() + self.shown_problems()


SpecT = TypeVar("SpecT", bound=SpecBase)


@dataclass(frozen=True)
class SlideKind(Generic[SpecT]):
    """A slide kind: its spec model, whose literal ``kind`` field is the kind's name, and its builder."""

    spec: type[SpecT]
    build: Callable[[SpecT, Canvas, SceneContext], Slide]

    def __post_init__(self) -> None:
        if not (isinstance(self.spec, type) and issubclass(self.spec, SpecBase)):
            raise TypeError(f"a slide kind's spec must subclass SpecBase, not {self.spec!r}")

    @property
    def name(self) -> str:
        return typing.get_args(self.spec.model_fields["kind"].annotation)[0]
