"""Texts shortened until they fit their slide at the target format, by the same fit check `validate` runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.core.formats.base import FormatProfile, Frame
from pipeline.draft.compose import DraftScene, DraftSection
from pipeline.draft.phrases import phrase
from pipeline.drawing.canvases import canvas as make_canvas
from pipeline.drawing.slides import KINDS
from pipeline.drawing.slides.base import SceneContext
from pipeline.drawing.slides.problems import FitError
from pipeline.drawing.slides.theme import load as load_theme

#: How many times a text is shortened before the draft gives up on it (and the author sees validate's error).
TRIES = 8


def fit(sections: list[DraftSection], profile: FormatProfile, theme_name: str, root: Path | None = None) -> None:
    """Shorten, in place, every text of the sections' slides that does not fit at ``profile``'s size (``root``:
    the project whose pictures the slides show)."""
    width, height = profile.size
    canvas = make_canvas(Frame(width, height, 30, profile), load_theme(theme_name))
    for number, section in enumerate(sections, start=1):
        for scene in section.scenes:
            _valid(scene)
            picture = scene.slide.get("visual", {}).get("picture")
            files = {picture: root / picture} if picture and root is not None else {}
            context = SceneContext(section.title, number, assets=files)
            kind = KINDS[scene.slide["kind"]]
            for _ in range(TRIES):
                try:
                    kind.build(kind.spec.model_validate(scene.slide), canvas, context)
                    break
                except FitError as exc:
                    if not _shorten(scene.slide, exc.path):
                        break


def _valid(scene: DraftScene) -> None:
    """A slide a rule drafted that its kind's schema refuses becomes a statement card, with a note saying so: the
    draft never writes what validate refuses (the rules keep to the limits; this is the net under them)."""
    kind = scene.slide["kind"]
    try:
        KINDS[kind].spec.model_validate(scene.slide)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        scene.notes.append(f"drafted as a {kind} slide whose {where} it could not write ({error['msg'].lower()}); "
                           "drawn as a statement card: choose its slide")  # fmt: skip
        scene.slide = {"kind": "title", "title": phrase(scene.sentences[0], 70)}


def _shorten(slide: dict[str, Any], path: tuple) -> bool:
    """The text at ``path`` (or the list's longest item's, for a whole list) cut by about a fifth; False when
    there is nothing left to cut."""
    holder: Any = slide
    for key in path[:-1]:
        holder = holder[key]
    key = path[-1]
    value = holder[key]
    if isinstance(value, dict) and "text" in value:
        holder, key, value = value, "text", value["text"]
    if isinstance(value, list):  # the whole list: its longest text
        texts = [(i, v["text"] if isinstance(v, dict) else v) for i, v in enumerate(value)]
        i = max(texts, key=lambda t: len(t[1]))[0]
        return _shorten(slide, (*path, i))
    if not isinstance(value, str) or len(value.split()) <= 2:
        return False
    shorter = phrase(value, max(8, int(len(value) * 0.8)), capital=value[:1].isupper())
    if shorter == value:
        return False
    holder[key] = shorter
    return True
