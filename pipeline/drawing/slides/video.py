"""`video`: footage (the author's recording, licensed stock, archive film) as a scene, with its own sound.

The spec says which part of the file plays, how it fills the frame, how fast,
and what its sound does under the narration. The pictures come from the
``video`` scene source (sources/video.py); what this kind draws is the text
over them, a title and a caption with its credit, on shades that keep them
legible over any footage, so the fit check measures it like any slide's text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from PIL import Image
from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from pipeline.core.schema import Plain
from pipeline.drawing import footage
from pipeline.drawing.slides import overlay
from pipeline.drawing.slides.base import Canvas, SceneContext, Slide, SlideKind, SpecBase
from pipeline.drawing.slides.chrome import rgb
from pipeline.drawing.slides.problems import SlideError

#: The clip's sound level, relative to the narration's, when the storyboard does not say.
DEFAULT_VOLUME = -6.0


def _mute(value: object) -> object:
    """'mute' (or 'off', or false) -> None: the clip's sound is dropped; other words are said to be wrong here."""
    if value is False or (isinstance(value, str) and value.strip().lower() in ("mute", "off", "none")):
        return None
    if isinstance(value, str):
        figure = re.fullmatch(r"\s*([-+]?\d+(?:\.\d+)?)\s*(?:db)?\s*", value, re.IGNORECASE)
        fix = f"write just the number: {figure.group(1)}" if figure else "write a number such as -12, or mute"
        raise ValueError(
            f"'volume' is the clip's sound in dB relative to the narration (e.g. -12), or mute to drop it; "
            f"not '{value}': {fix}"
        )
    return value


class Spec(SpecBase):
    kind: Literal["video"]
    file: str = Field(min_length=1, description="Video under the project folder, e.g. assets/footage/border.mp4.")
    start: float = Field(0.0, ge=0, le=86_400, alias="from", description="Seconds into the file where the cut starts.")
    to: float | None = Field(None, gt=0, le=86_400, description="Seconds into the file where it ends (default: end).")
    fit: footage.Fit = Field(
        "cover", description="cover: fill the frame, cropping; contain: all of it, on black; blur: on a blurred copy."
    )
    speed: float = Field(1.0, ge=0.25, le=4.0, description="Playback speed, 0.25 to 4 (picture and sound).")
    volume: Annotated[float | None, BeforeValidator(_mute)] = Field(
        DEFAULT_VOLUME, ge=-60, le=12, description="The clip's sound in dB relative to the narration; 'mute' drops it."
    )
    duck: bool = Field(True, description="Dip the clip's sound under the narration, as the music does.")
    when_short: Literal["freeze", "loop", "slow"] = Field(
        "freeze", description="If the narration outlasts the clip: hold its last frame, loop it, or slow it to fit."
    )
    title: str | None = Field(None, max_length=70, description="A heading over the footage, at the top.")
    caption: str | None = Field(None, max_length=90, description="One or two lines in the lower third.")
    credit: str | None = Field(None, max_length=80, description="Where the footage comes from, in small type.")

    model_config = ConfigDict(**Plain.model_config, populate_by_name=True)
    ALSO_CALLED: ClassVar[tuple[str, ...]] = ("footage", "clip", "movie", "film", "broll", "b-roll")
    FIELD_HINTS: ClassVar[dict[str, str]] = {
        "mute": "to drop the clip's sound write volume: mute",
        "muted": "to drop the clip's sound write volume: mute",
        "sound": "the clip's sound is set by volume (dB, or mute) and duck",
        "audio": "the clip's sound is set by volume (dB, or mute) and duck",
        "start": "the cut's start is written from:",
        "end": "the cut's end is written to:",
        "loop": "to loop a clip shorter than its narration write when_short: loop",
        "freeze": "a clip shorter than its narration holds its last frame by default (when_short: freeze)",
        "path": "the clip's path is written file:",
        "src": "the clip's path is written file:",
    }

    @field_validator("to")
    @classmethod
    def _cut_in_order(cls, to: float | None, info: ValidationInfo) -> float | None:
        start = info.data.get("start")
        if to is not None and start is not None and to <= start:
            raise ValueError(f"'to: {to:g}' must come after 'from: {start:g}' (both are seconds into the file)")
        return to

    def asset_files(self) -> list[str]:
        return [self.file]

    def picture(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude={"volume", "duck"})  # the soundtrack's, not the picture's


def clip(spec: Spec, file: Path) -> tuple[footage.Probe, footage.Cut]:
    """The file (read from ``file``) as probed and the cut that plays, or a SlideError at the field that is wrong."""
    try:
        found = footage.probe(file, spec.file)
        return found, footage.cut(spec.start, spec.to, spec.speed, found)
    except footage.FootageError as exc:
        raise SlideError(exc.field, str(exc)) from None


def stretch(spec: Spec, part: footage.Cut, scene_seconds: float) -> footage.Cut:
    """The cut at the speed it plays in a scene ``scene_seconds`` long: slowed to fill it when ``slow`` says so."""
    if spec.when_short == "slow" and scene_seconds > part.seconds:
        return footage.Cut(part.start, part.end, (part.end - part.start) / scene_seconds)
    return part


def text_over(spec: Spec, canvas: Canvas) -> Slide:
    """The title, caption and credit over the footage, as a slide (its background is never shown)."""
    elements = overlay.title_over(canvas, spec.title) + overlay.lower_third(canvas, spec.caption, spec.credit)
    return Slide(Image.new("RGB", (canvas.width, canvas.height), rgb(canvas.theme.colors.background_edge)), elements)


def build(spec: Spec, canvas: Canvas, context: SceneContext) -> Slide:
    """The text over the footage (the file is checked first: a clip that cannot play is an error here)."""
    clip(spec, context.asset(spec.file))
    return text_over(spec, canvas)


KIND = SlideKind(Spec, build)
