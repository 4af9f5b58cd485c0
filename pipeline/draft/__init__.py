"""`explainer draft`: a storyboard drafted from a script, that validates and renders as it is.

The stages: ``reader`` reads the script (Markdown or plain text) into sections
and blocks; ``compose`` makes scenes of a comfortable length and the cards that
open and close sections; ``rules`` chooses each scene's slide; ``ids`` names the
scenes; the fit check shortens any text that cannot be drawn at the target
format; ``writer`` writes the YAML with comments where the author should act.
Deterministic: the same script gives the same storyboard, byte for byte.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import StoryboardError, UsageError
from pipeline.core.formats import FORMATS
from pipeline.draft import compose, fitting, ids, media, reader, voice, writer
from pipeline.draft.phrases import phrase
from pipeline.drawing.slides.theme import DEFAULT as DEFAULT_THEME
from pipeline.loading import characters
from pipeline.loading.checks import validate
from pipeline.loading.options import RenderOptions


@dataclass(frozen=True)
class Draft:
    yaml: str
    sections: int
    scenes: int
    notes: int


#: How the draft narrates: the engine the product was designed around, and an offline voice when it cannot run.
ENGINE, FALLBACK = "gtts", "piper"


def draft(text: str, *, script_name: str, slug: str, format_name: str = "wide", root: Path | None = None) -> Draft:
    """The storyboard drafted from ``text`` (the script's contents; ``script_name`` names it in a comment).
    ``root``: the project the storyboard goes into, whose media folder (``assets/``) may have pictures for it."""
    dropped = characters.invisible(text)  # a control or bidi character in a storyboard is refused by validate
    text = "".join(c for c in text if c not in dropped)
    script = reader.read(text)
    rate = voice.words_per_minute(ENGINE, FALLBACK)
    sections = compose.compose(script, rate)
    voice.bound(sections, script_name)
    compose.align_reveals(sections)
    ids.assign(sections)
    found = media.pictures(root) if root is not None else []
    media.attach(sections, found)
    fitting.fit(sections, FORMATS[format_name], DEFAULT_THEME, root)
    unchecked = voice.note_words(sections)
    form = "Markdown" if script.form == "markdown" else "plain text"
    header = [
        f"{script.title}: drafted by `explainer draft` from {script_name} ({form}).",
        "Check it with `explainer validate` and `explainer lint`, see it with `explainer sheet`; comments",
        "above a scene say where it needs you (a figure's source, a word the voice may say oddly).",
    ]
    if unchecked:
        header += ["", f"Pronunciations not checked: {unchecked}"]
    if dropped:
        header += ["", f"Invisible characters left out of the script: {characters.names(dropped)}."]
    if script.left_out:
        header += ["", "Left out of the narration (channel furniture and asides):"]
        header += [f"  {line}" for line in script.left_out]
    settings = {"narration": {"engine": ENGINE, "fallback": FALLBACK}}
    if format_name != "wide":
        header += ["", f"Drafted to fit the {format_name} format: render it with --format {format_name}."]

    def written() -> str:
        return writer.storyboard(title=script.title[:100], slug=slug, header=header, settings=settings,
                                 sections=sections)  # fmt: skip

    text_out = checked(written, sections, script_name, format_name, root)
    scenes = [scene for section in sections for scene in section.scenes]
    return Draft(text_out, len(sections), len(scenes), sum(len(s.notes) for s in scenes))


def checked(written: Callable[[], str], sections: list[compose.DraftSection], script_name: str,
            format_name: str, root: Path | None = None) -> str:  # fmt: skip
    """The storyboard ``written()`` gives once ``validate`` takes it: validated as written, in a project folder of
    its own, and each scene whose slide validate refuses drawn as a statement card instead, with a note naming the
    problem; a problem no slide causes (which the draft's rules should never make) stops the draft with it, as a
    message, never a traceback. A draft never writes what validate refuses."""
    scenes = [scene for section in sections for scene in section.scenes]
    for _ in range(len(scenes) + 1):
        text = written()
        with tempfile.TemporaryDirectory(prefix="draft-") as folder:
            path = Path(folder) / "script" / "draft.yaml"
            path.parent.mkdir()
            (Path(folder) / "assets").mkdir()
            _pictures_into(Path(folder), sections, root)
            path.write_text(text, encoding="utf-8")
            try:
                validate(path, RenderOptions(format=format_name))
                return text
            except StoryboardError as exc:
                problems = exc.problems
        lines = text.split("\n")
        starts = [(i + 1, line.split("id:", 1)[1].strip().strip("'\"")) for i, line in enumerate(lines)
                  if line.startswith("      - id: ")]  # fmt: skip
        repaired = False
        for problem in problems:
            where = [name for number, name in starts if number <= problem.line]
            scene = next((s for s in scenes if where and s.id == where[-1]), None)
            if scene is None or (scene.slide.get("kind") == "title" and "visual" not in scene.slide):
                raise UsageError(f"{script_name}: the draft would not validate ({problem.message}); please report it")
            scene.notes.append(f"drafted as a {scene.slide['kind']} slide that validate refused ({problem.message}); "
                               "drawn as a statement card: choose its slide")  # fmt: skip
            scene.slide = {"kind": "title", "title": phrase(scene.sentences[0], 70)}
            repaired = True
        if not repaired:
            break
    raise UsageError(f"{script_name}: the draft would not validate; please report it")


def _pictures_into(folder: Path, sections: list[compose.DraftSection], root: Path | None) -> None:
    """The media folder's pictures the draft shows, linked (or copied) into the scratch project ``folder`` at their
    own paths, so that validate reads them there."""
    if root is None:
        return
    for scene in (scene for section in sections for scene in section.scenes):
        name = scene.slide.get("visual", {}).get("picture")
        if name is None:
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            try:
                target.hardlink_to(root / name)
            except OSError:  # another file system
                shutil.copyfile(root / name, target)


def slug_for(out: Path) -> str:
    """The storyboard's slug from its file name: script/my-video.yaml -> my-video."""
    return "-".join(re.findall(r"[a-z0-9]+", out.stem.lower()))[:80] or "draft"
