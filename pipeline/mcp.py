"""`explainer mcp`: the library as tools an AI assistant calls, over the Model Context Protocol on stdio.

A face like the CLI: each tool is its arguments checked, one library call, and the library's answer (or its
exceptions) turned into what an assistant can act on: located problems as data, stills as PNG images, a render's
progress as MCP progress notifications. It serves one project folder, the one it was started in, and every path a
tool is given is resolved inside it: an absolute path elsewhere, a '..' that climbs out or a link that points out
is refused with a message, never followed. Storyboards are read as the CLI reads them (files they name confined to
their project, never --allow-outside-assets).

The SDK (the ``mcp`` extra) is imported here, and this module only by ``explainer mcp``: the rest of explainer
neither needs nor loads it. See docs/agents.md.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ImageContent, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

import pipeline
from pipeline.core.errors import ExplainerError, Problem, StoryboardError, UsageError

#: The screens a tool's ``format`` takes (pipeline.core.formats.FORMATS, spelled out for the tools' schemas).
Format = Literal["wide", "vertical", "square"]
Captions = Literal["file", "burn", "words"]

# The tools' common arguments, with what the assistant reads of them in each tool's input schema.
Storyboard = Annotated[str, Field(description="The storyboard's path in the project, e.g. script/my-video.yaml")]
Screen = Annotated[Format, Field(description="wide 16:9 (the storyboard's size), vertical 9:16, square 1:1")]
Size = Annotated[str | None, Field(description="WIDTHxHEIGHT, both even, e.g. 640x360, instead of the default size")]
CaptionLook = Annotated[
    Captions | None,
    Field(description="file: captions beside the video only (default); burn: drawn in too; words: word by word"),
]
PngOut = Annotated[str | None, Field(description="A .png path in the project to write it to instead of output/")]
SceneId = Annotated[str, Field(description="A scene's id, as validate lists them")]

#: A still returned to the assistant is drawn at most this many pixels on its long side unless a size is asked:
#: a 1080p PNG is a megabyte or two of base64 in the assistant's context, and it sees no more in it.
STILL_SIDE = 960
#: A sheet is returned at most this many pixels on its long side, in 256 colours (the file keeps the CLI's size and
#: colours): the shipped video's 33 scenes are a 1980x2856 sheet, a 2 MB PNG, 0.4 MB so, its labels as legible;
#: assistants see images scaled to about this side anyway, and some clients refuse a tool result over 1 MB.
SHEET_SIDE = 1568
#: The most bytes a text file read or written through the tools may have (the loader's limit on a storyboard).
TEXT_LIMIT = 2_000_000
#: How often a render's progress is sent at most, in seconds (a stage's start and end are always sent).
PROGRESS_EVERY = 0.25


class Refused(UsageError):
    """A path outside the project the server was started in."""


# -- the project: where every path is resolved ----------------------------------------------------------------


class Workspace:
    """The project folder the server serves, and every path resolved inside it."""

    def __init__(self, root: Path):
        self.root = root.resolve()

    def path(self, name: str, what: str = "path") -> Path:
        """``name`` (relative to the project, or absolute inside it), resolved with its links followed; refused
        when it leads outside the project."""
        if not name or not name.strip() or "\0" in name:
            raise Refused(f"give a {what} inside the project {self.root}, relative to it (e.g. script/video.yaml)")
        given = Path(name)
        full = given if given.is_absolute() else self.root / given
        try:
            resolved = full.resolve()
        except (OSError, RuntimeError) as exc:  # a loop of links, a name too long
            raise Refused(f"'{name}' is not a usable path ({exc}); give a {what} inside the project") from None
        if resolved == self.root or resolved.is_relative_to(self.root):
            return resolved
        if given.is_absolute():
            how = ""
        elif ".." in given.parts:
            how = " ('..' climbs out of it)"
        else:
            how = f" (through a link to {resolved})"
        raise Refused(
            f"'{name}' is outside the project {self.root}{how}; this server reads and writes only inside the "
            f"project it was started in: give a {what} inside it, relative to it (e.g. script/video.yaml)"
        )

    def file(self, name: str, what: str = "file") -> Path:
        """An existing regular file inside the project."""
        path = self.path(name, what)
        if not path.exists():
            raise UsageError(f"{self.shown(path)}: no such {what} in the project {self.root}")
        if not path.is_file():
            raise UsageError(f"{self.shown(path)} is not a file; give a {what} inside the project")
        return path

    def output(self, name: str, suffix: str) -> Path:
        """Where a tool writes: ``name`` inside the project, a ``suffix`` file."""
        path = self.path(name, f"{suffix[1:].upper()} file to write")
        if path.suffix.lower() != suffix:
            raise UsageError(f"'{name}': give a {suffix} file name")
        if path.is_dir():
            raise UsageError(f"'{name}' is a folder; give a {suffix} file name")
        return path

    def shown(self, path: Path | str) -> str:
        """``path`` relative to the project (as the tools take paths), or whole when it is elsewhere."""
        path = Path(path)
        full = path if path.is_absolute() else self.root / path
        with contextlib.suppress(OSError, RuntimeError):
            full = full.resolve()
        return full.relative_to(self.root).as_posix() if full.is_relative_to(self.root) else str(path)

    def project(self, storyboard: Path) -> None:
        """Refuse a storyboard whose project (the nearest folder above it with assets/) is above the served one:
        its files and its output/ would be outside."""
        from pipeline.core.assets import project_root

        if not project_root(storyboard).is_relative_to(self.root):
            raise Refused(f"{self.shown(storyboard)} belongs to the project {project_root(storyboard)}, outside "
                          f"{self.root}; make an assets/ folder in {self.root}")  # fmt: skip


def find_root(start: Path) -> Path | None:
    """The project a folder is in, as the CLI finds a storyboard's: the nearest folder at or above it with an
    ``assets/`` folder."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if (folder / "assets").is_dir()), None)


# -- what tools give back -------------------------------------------------------------------------------------


class Located(BaseModel):
    """One thing wrong, at a place in a file: what is wrong, and how to fix it where the library says so."""

    file: str = Field(description="The file, relative to the project.")
    line: int
    column: int
    message: str = Field(description="What is wrong.")
    fix: str | None = Field(None, description="How to fix it, when the message says so.")


class Warned(Located):
    """One thing lint found: a place, what a viewer would notice, the fix, and the rule that found it."""

    rule: str = Field(description="The rule's id (docs page 'lint' says why it warns).")


class Checked(BaseModel):
    """What validate (or write_storyboard) found."""

    storyboard: str
    ok: bool
    problems: list[Located] = Field(default_factory=list)
    sections: int | None = None
    scenes: list[str] | None = Field(None, description="The scene ids, in order (for still and render's scenes).")


class Linted(BaseModel):
    storyboard: str
    warnings: list[Warned]
    notes: list[str] = Field(default_factory=list, description="What lint could not check, where times came from.")


class Drafted(BaseModel):
    storyboard: str = Field(description="The storyboard written, relative to the project.")
    sections: int
    scenes: int
    notes: int = Field(description="Comments in the YAML marking where the author should act.")
    yaml: str = Field(description="The storyboard's text, as written.")


class PlaceFound(BaseModel):
    name: str
    kind: str = Field(description="country, city, sea, strait, region, peak...")
    country: str | None = None
    codes: list[str] = Field(default_factory=list, description="A country's ISO codes (a route may name it by them).")


class Places(BaseModel):
    places: list[PlaceFound]
    did_you_mean: list[str] = Field(default_factory=list)


class Rendered(BaseModel):
    video: str | None = Field(None, description="The video, relative to the project (None: not joined).")
    files: list[str] = Field(description="Every file of the output set written (or up to date).")
    duration: float = Field(description="Seconds.")
    size: str
    scenes: int
    scenes_rendered: list[str]
    unchanged: bool = Field(description="Nothing changed since the last render: nothing was written.")
    missing: list[str] = Field(default_factory=list, description="Scenes not rendered yet (the video not joined).")
    notes: list[str] = Field(default_factory=list)


def split_fix(message: str) -> tuple[str, str | None]:
    """'unknown field 'labl' (did you mean 'label'?)' -> what is wrong, and the fix: messages say both as
    'what is wrong; how to fix it', or end on a suggestion."""
    depth, cut = 0, -1
    for at, char in enumerate(message):  # the first '; ' outside brackets: '(..., first word; estimated ...)' is one
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if depth == 0 and message.startswith("; ", at):
            cut = at
            break
    wrong, fix = (message, "") if cut < 0 else (message[:cut], message[cut + 2 :])
    hint = re.search(r"\s*\(((?:did you mean|allowed:) [^()]*)\)$", wrong)
    if hint:  # 'unknown slide kind 'titel' (did you mean 'title'?); kinds: ...': the suggestion first
        wrong, fix = wrong[: hint.start()], f"{hint[1]}; {fix}" if fix else hint[1]
    return wrong, fix or None


def _located(workspace: Workspace, file: Path | str, line: int, column: int, message: str, **more):
    wrong, fix = split_fix(message)
    kind = Warned if "rule" in more else Located
    return kind(file=workspace.shown(file), line=line, column=column, message=wrong, fix=fix, **more)


def _problems(workspace: Workspace, problems: list[Problem]) -> list[Located]:
    return [_located(workspace, p.file, p.line, p.column, p.message) for p in problems]


def failed(message: str) -> CallToolResult:
    """A tool's error result: one message the assistant can act on, never a traceback."""
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


@contextlib.contextmanager
def _said(workspace: Workspace) -> Iterator[None]:
    """The library's exceptions as the CLI says them (one line each), raised as ``Said`` for the tool to return."""
    try:
        yield
    except StoryboardError as exc:
        shown = [f"{p.file}:{p.line}:{p.column}: {p.message}" + (f"; {p.fix}" if p.fix else "")
                 for p in _problems(workspace, exc.problems)[:100]]  # fmt: skip
        more = f"\n{len(exc.problems)} problems found; run validate for them as data" if len(exc.problems) > 1 else ""
        raise Said("\n".join(shown) + more) from None
    except ExplainerError as exc:
        raise Said(str(exc)) from None
    except OSError as exc:  # the disk, a folder in the way: the machine's failures, said plainly
        name = f" {workspace.shown(exc.filename)}" if exc.filename else ""
        raise Said(f"cannot read or write{name}: {exc.strerror or exc}") from None


class Said(Exception):
    """A tool's failure, already said as the assistant should read it."""


def _options(**fields):
    from pipeline import RenderOptions

    return RenderOptions(**fields)


def _size(value: str | None) -> tuple[int, int] | None:
    from pipeline.core.formats.sizes import parse_size

    return None if value is None else parse_size(value)


def _captions(captions: Captions | None) -> dict[str, bool]:
    return {"burn_captions": captions in ("burn", "words"), "caption_words": captions == "words"}


def _png(image) -> bytes:
    """A PIL image or an HxWx3 array as PNG bytes."""
    from PIL import Image

    if not isinstance(image, Image.Image):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    from pipeline.core import cache

    path.parent.mkdir(parents=True, exist_ok=True)
    with cache.atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _image_result(workspace: Workspace, png: bytes, path: Path, about: str) -> CallToolResult:
    import base64

    return CallToolResult(content=[
        ImageContent(type="image", data=base64.b64encode(png).decode(), mime_type="image/png"),
        TextContent(type="text", text=f"{about}; written to {workspace.shown(path)}"),
    ])  # fmt: skip


def _still_size(storyboard: Path, format_name: str) -> tuple[int, int] | None:
    """The size a still is drawn at when none is asked: the format's, scaled to STILL_SIDE on its long side."""
    from pipeline import load

    frame = _options(format=format_name).frame(load(storyboard).storyboard.video)
    scale = STILL_SIDE / max(frame.width, frame.height)
    if scale >= 1:
        return None
    return round(frame.width * scale / 2) * 2, round(frame.height * scale / 2) * 2


# -- the docs -------------------------------------------------------------------------------------------------

#: The docs folder of a source checkout (an installed wheel has none; the storyboard reference is generated).
DOCS = Path(__file__).resolve().parents[1] / "docs"


#: The pages for someone writing a storyboard, in the order to read them; the rest are for contributors.
AUTHORING = ("agents", "storyboards", "storyboard", "draft", "lint", "formats", "sound", "commands", "output",
             "preview", "safety")  # fmt: skip


def doc_pages() -> dict[str, str]:
    """Page name -> its first heading, for the pages this installation has: the authoring pages first."""
    found = {"storyboard": "Storyboard reference"}
    if DOCS.is_dir():
        for page in sorted(DOCS.glob("*.md")):
            if page.stem != "README":
                first = page.read_text(encoding="utf-8").split("\n", 1)[0].lstrip("# ").strip()
                found[page.stem] = first or page.stem
    order = [name for name in AUTHORING if name in found] + [name for name in found if name not in AUTHORING]
    return {name: found[name] + ("" if name in AUTHORING else " (for contributors)") for name in order}


def doc_text(page: str) -> str:
    from pipeline.docgen import reference

    name = page.removesuffix(".md").strip().lower()
    if name == "storyboard":
        return reference()  # generated from the schema: present in any installation, and never out of date
    if name in doc_pages():
        return (DOCS / f"{name}.md").read_text(encoding="utf-8")
    listing = ", ".join(doc_pages())
    raise UsageError(f"no docs page '{page}'; pages: {listing}")


# -- progress ---------------------------------------------------------------------------------------------------


class Progress:
    """The library's Reporter as MCP progress notifications, sent from the render's thread.

    MCP's progress must grow with every notification, and a render's stages each count from zero, so the value
    sent is every step done so far plus the stages started; the message says the stage and how far into it."""

    def __init__(self, ctx: Context, clock=None):
        import time

        self.ctx, self.clock = ctx, clock or time.monotonic
        self.name, self.total, self.at, self.done, self.stages = "", 0, 0, 0, 0
        self.notes: list[str] = []
        self.sent = 0.0

    def stage(self, name: str, total: int) -> None:
        self.name, self.total, self.at = name, total, 0
        self.stages += 1
        self._send(force=True)

    def advance(self, amount: int = 1) -> None:
        self.at += amount
        self.done += amount
        self._send(force=self.at >= self.total)

    def note(self, message: str) -> None:
        self.notes.append(message)  # returned with the result (MCP's logging is deprecated as of 2026-07-28)

    def _send(self, force: bool) -> None:
        now = self.clock()
        if not force and now - self.sent < PROGRESS_EVERY:
            return
        self.sent = now
        message = f"{self.name} {min(self.at, self.total)}/{self.total}"
        self._call(self.ctx.report_progress, self.done + self.stages, None, message)

    @staticmethod
    def _call(send, *args) -> None:
        with contextlib.suppress(Exception):  # a client gone or a closed stream must not stop the render
            anyio.from_thread.run(send, *args)


# -- the server -------------------------------------------------------------------------------------------------


INSTRUCTIONS = """\
explainer turns a YAML storyboard into a narrated explainer video. This server works in one project folder: \
every path is relative to it, and paths outside it are refused.
A session: draft a storyboard from a script (or write one with write_storyboard; docs page 'storyboards' shows \
how, 'storyboard' lists every field), validate it and fix each problem at its line and column, look at scenes \
with still (or every scene with sheet), check it with lint, then render (draft=true first: quick and small).
places and icons list the names maps and visuals accept."""


def build(workspace: Workspace) -> MCPServer:
    """The server's tools over ``workspace``: each checks its paths there, then makes one library call."""
    server = MCPServer(
        "explainer", instructions=INSTRUCTIONS, version=pipeline.__version__,
        description="Turn a YAML storyboard into a narrated explainer video",
    )  # fmt: skip
    reads = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)  # into output/
    replaces = ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False)  # a storyboard

    def run(body):
        """``body()``'s result, or its failure as an error result."""
        try:
            with _said(workspace):
                return body()
        except Said as exc:
            return failed(str(exc))

    @server.tool(annotations=reads)
    def schema() -> str:
        """The storyboard's JSON Schema: every field, its type, limits and meaning (as `explainer schema`; about
        60 kB). docs page 'storyboard' says the same in Markdown with an example of each slide kind."""
        import json

        from pipeline.loading.storyboard import json_schema

        return json.dumps(json_schema(), separators=(",", ":"))

    @server.tool(annotations=reads)
    def docs(page: str = "") -> str:
        """A page of explainer's docs as Markdown, or the list of pages when page is left out. 'storyboards' shows
        how to write each slide kind; 'storyboard' is the reference of every field with an example per kind;
        'draft', 'lint', 'formats', 'sound' and 'safety' say more."""
        if not page.strip():
            return "\n".join(f"{name}: {title}" for name, title in doc_pages().items())
        return run(lambda: doc_text(page))

    # The same as resources, for clients that let a person attach them (Claude Code's @ mentions).
    @server.resource("explainer://schema", name="storyboard-schema", mime_type="application/json",
                     description="The storyboard's JSON Schema")  # fmt: skip
    def schema_resource() -> str:
        return schema()

    for name, title in doc_pages().items():
        server.resource(f"explainer://docs/{name}", name=name, title=title, mime_type="text/markdown",
                        description=f"explainer's docs: {title}")(functools.partial(doc_text, name))  # fmt: skip

    @server.tool(annotations=replaces)
    def draft(
        out: Annotated[str, Field(description="The .yaml path in the project to write, e.g. script/my-video.yaml")],
        script: Annotated[str | None, Field(description="The script's text (or give script_file)")] = None,
        script_file: Annotated[str | None, Field(description="A script file in the project (.txt or .md)")] = None,
        format: Screen = "wide",
        force: Annotated[bool, Field(description="Replace out if it exists")] = False,
    ) -> Drafted:
        """Draft a storyboard from a script (plain text or Markdown: a title line, then paragraphs; '## ' starts a
        section) and write it to out (a .yaml path in the project). Give the script's text as script, or a file in
        the project as script_file. The draft validates and renders as it is; comments in it mark where to act.
        force replaces an existing file."""
        from pipeline.draft import draft as make_draft
        from pipeline.draft import slug_for

        def body() -> Drafted:
            if (script is None) == (script_file is None):
                raise UsageError("give the script's text as script, or a file in the project as script_file")
            target = workspace.output(out, ".yaml")
            if target.exists() and not force:
                raise UsageError(f"{workspace.shown(target)} exists; choose another out, or set force to replace it")
            name, text = "script", script
            if script_file is not None:
                source = workspace.file(script_file, "script")
                name, text = source.name, _read_text(workspace, source)
            if not any(ch.isalnum() for ch in text or ""):
                raise UsageError("the script is empty; write a title line and some paragraphs")
            made = make_draft(text, script_name=name, slug=slug_for(target), format_name=format, root=workspace.root)
            _write(target, made.yaml.encode("utf-8"))
            return Drafted(storyboard=workspace.shown(target), sections=made.sections, scenes=made.scenes,
                           notes=made.notes, yaml=made.yaml)  # fmt: skip

        return run(body)

    @server.tool(annotations=reads)
    def read_storyboard(path: str) -> str:
        """The text of a storyboard (or a script) in the project, to edit it and write it back with
        write_storyboard."""
        return run(lambda: _read_text(workspace, workspace.file(path, "storyboard")))

    @server.tool(annotations=replaces)
    def write_storyboard(path: str, yaml: str) -> Checked:
        """Write a storyboard's YAML to path in the project (replacing it), then validate it: the problems come
        back located as validate gives them. Edit the text read_storyboard or draft gave, and write it whole."""

        def body() -> Checked:
            target = workspace.path(path, "storyboard")
            if target.suffix.lower() not in (".yaml", ".yml"):
                raise UsageError(f"'{path}': a storyboard is a .yaml file")
            if len(yaml.encode("utf-8")) > TEXT_LIMIT:
                raise UsageError(f"the storyboard is over {TEXT_LIMIT:,} bytes, the most a storyboard may have")
            _write(target, yaml.encode("utf-8"))
            return _check(workspace, target, _options())

        return run(body)

    @server.tool(annotations=replaces)
    def edit_storyboard(path: str, old: str, new: str) -> Checked:
        """Replace the one place old appears in a storyboard of the project with new (old must appear exactly
        once: give a line or two around the change), then validate it as validate does. For a small fix, instead
        of writing the whole storyboard back."""

        def body() -> Checked:
            target = workspace.file(path, "storyboard")
            text = _read_text(workspace, target)
            if not old:
                raise UsageError("give old, the text to replace (copy it from read_storyboard, with a line around it)")
            count = text.count(old)
            if count != 1:
                where = "does not appear" if count == 0 else f"appears {count} times"
                raise UsageError(f"old {where} in {workspace.shown(target)}; give text that appears exactly once "
                                 "(copy it from read_storyboard, with a line around it)")  # fmt: skip
            _write(target, text.replace(old, new).encode("utf-8"))
            return _check(workspace, target, _options())

        return run(body)

    @server.tool(annotations=reads)
    def validate(
        storyboard: Storyboard, format: Screen = "wide", size: Size = None, captions: CaptionLook = None
    ) -> Checked:
        """Check a storyboard without rendering: schema, ids, theme, fonts, files, whether every text fits at the
        size drawn. Every problem comes back at once with its file, line and column, and its fix where known.
        size is WIDTHxHEIGHT (default: the storyboard's); captions 'burn' or 'words' checks room for them."""

        def body() -> Checked:
            path = workspace.file(storyboard, "storyboard")
            workspace.project(path)
            wanted = _size(size)
            from pipeline.core.formats.sizes import check_shape

            check_shape(format, wanted, option="size")
            return _check(workspace, path, _options(format=format, size=wanted, **_captions(captions)))

        return run(body)

    @server.tool(annotations=reads)
    def lint(storyboard: Storyboard) -> Linted:
        """Read a storyboard as an editor would: warnings on pace, unsourced figures, chapters, pronunciation and
        reveals, each located, with its rule id (a storyboard that does not validate gives validate's problems)."""
        from pipeline.lint import LintOptions
        from pipeline.lint import lint as run_lint

        def body() -> Linted:
            path = workspace.file(storyboard, "storyboard")
            workspace.project(path)
            notes: list[str] = []
            warnings = run_lint(path, LintOptions(note=notes.append))
            found = [_located(workspace, w.file, w.line, w.col, w.message, rule=w.rule) for w in warnings]
            return Linted(storyboard=workspace.shown(path), warnings=found, notes=notes)

        return run(body)

    @server.tool(annotations=writes)
    def still(
        storyboard: Storyboard,
        scene: SceneId,
        at: Annotated[
            float | None, Field(ge=0, description="Seconds into the scene (default: its settled frame)")
        ] = None,
        format: Screen = "wide",
        size: Size = None,
        captions: CaptionLook = None,
        out: PngOut = None,
    ) -> CallToolResult:
        """One frame of a scene as a PNG image, without rendering the video (as `explainer still`): the settled
        frame, or at seconds into the scene (timed by its real narration, which is spoken for it). size is
        WIDTHxHEIGHT (default: the format's shape, 960 on its long side); the PNG is also written to out (default
        output/<slug>/stills/<scene>.png)."""
        from pipeline import scene_timing
        from pipeline import validate as check
        from pipeline.core.formats.sizes import check_shape
        from pipeline.rendering import stills

        def body() -> CallToolResult:
            path = workspace.file(storyboard, "storyboard")
            workspace.project(path)
            wanted = _size(size)
            check_shape(format, wanted, option="size")
            if at is not None and at < 0:
                raise UsageError(f"at {at:g}: give seconds from 0 into the scene")
            wanted = wanted or _still_size(path, format)
            options = _options(format=format, size=wanted, **_captions(captions))
            project = check(path, options, only={scene})
            entry = _entry(project, scene)
            timing, cues = None, []
            if at is not None or options.burn_captions:
                timing, cues = scene_timing(project, scene, options)
            if at is not None and at >= timing.duration:
                raise UsageError(f"scene '{scene}' lasts {timing.duration:.2f} s; at {at:g} is past its end: give a "
                                 f"time from 0 to {timing.duration:.2f}")  # fmt: skip
            frame = options.frame(project.storyboard.video)
            image = stills.still(project, frame, entry, at=at, timing=timing, cues=tuple(cues),
                                 burn_captions=options.burn_captions)  # fmt: skip
            target = workspace.output(out, ".png") if out else _output(options, project) / "stills" / f"{scene}.png"
            png = _png(image)
            _write(target, png)
            when = "settled" if at is None else f"at {at:g} s"
            return _image_result(workspace, png, target, f"scene '{scene}', {when}, {frame.width}x{frame.height}")

        return run(body)

    @server.tool(annotations=writes)
    def sheet(
        storyboard: Storyboard,
        columns: Annotated[int | None, Field(ge=1, le=12, description="Scenes per row")] = None,
        format: Screen = "wide",
        out: PngOut = None,
    ):
        """Every scene's settled frame on one contact sheet, each labelled with its number, id and kind, as a PNG
        image (as `explainer sheet`); also written to out (default output/<slug>/sheet.png)."""
        from PIL import Image

        from pipeline import validate as check
        from pipeline.rendering import stills

        def body() -> CallToolResult:
            path = workspace.file(storyboard, "storyboard")
            workspace.project(path)
            if columns is not None and not 1 <= columns <= 12:
                raise UsageError(f"columns {columns}: give 1 to 12")
            options = _options(format=format)
            project = check(path, options)
            count = columns or {"vertical": 6, "square": 5}.get(format, 4)
            image = stills.sheet(project, options.frame(project.storyboard.video), columns=count)
            target = workspace.output(out, ".png") if out else _output(options, project) / "sheet.png"
            _write(target, _png(image))
            about = f"{len(project.entries())} scenes, {image.width}x{image.height}"
            if max(image.size) > SHEET_SIDE:
                scale = SHEET_SIDE / max(image.size)
                image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
                about += f" (shown at {image.width}x{image.height})"
            return _image_result(workspace, _png(image.convert("RGB").quantize(256)), target, about)

        return run(body)

    @server.tool(annotations=reads)
    def places(text: str = "") -> Places:
        """The places a map knows with text in their name (as `explainer places`): countries with their ISO codes,
        and cities, seas, straits, regions and peaks; every country when text is empty. A route or map names them
        as listed here."""
        from pipeline.drawing.slides import geo

        found = [PlaceFound(name=c.name, kind="country", codes=geo.codes(c)) for c in geo.named(text)]
        if text.strip():
            found += [PlaceFound(name=p.name, kind=p.kind, country=p.country) for p in geo.places_named(text)]
        return Places(places=found, did_you_mean=[] if found else geo.closest(text))

    @server.tool(annotations=reads)
    def icons(text: str = "") -> list[str]:
        """The icon names with text in them (Font Awesome Free's solid set, as on fontawesome.com), for a slide's
        visual: {icon: NAME} or a step's icon; every one when text is empty."""
        from pipeline.drawing.slides import icons as icon_set

        wanted = text.strip().lower()
        found = sorted(name for name in icon_set.names() if wanted in name)
        return found or failed(icon_set.problem(wanted) or f"no icon has '{text}' in its name")

    @server.tool(annotations=writes)
    async def render(
        storyboard: Storyboard,
        ctx: Context,
        draft: Annotated[bool, Field(description="A quick 640-wide, 15 fps video in output/<slug>/draft/")] = False,
        format: Screen = "wide",
        size: Size = None,
        fps: Annotated[int | None, Field(ge=1, le=60, description="Frame rate (default: the storyboard's)")] = None,
        captions: CaptionLook = None,
        scenes: Annotated[list[str] | None, Field(description="Render just these scene ids, then the video")] = None,
    ) -> Rendered:
        """Render the video (as `explainer render`) into output/<slug>/, redoing only what changed, with progress
        notifications: the narration, the scenes, the soundtrack, the join. draft=true renders a quick 640-wide,
        15 fps video into output/<slug>/draft/ (do that first); scenes renders just those scene ids (each to
        output/<slug>/scenes/<id>.mp4) and refreshes the video. Returns the files written."""
        from pipeline import Cancel
        from pipeline import render as run_render
        from pipeline import validate as check
        from pipeline.core.formats.sizes import check_shape
        from pipeline.publishing import publish

        cancel = Cancel()
        reporter = Progress(ctx)

        def body() -> Rendered:
            path = workspace.file(storyboard, "storyboard")
            workspace.project(path)
            wanted = _size(size)
            check_shape(format, wanted, option="size")
            if draft and (wanted or fps):
                raise UsageError("draft has its own size and frame rate; leave out size and fps")
            if fps is not None and not 1 <= fps <= 60:
                raise UsageError(f"fps {fps}: give 1 to 60")
            options = _options(format=format, size=wanted, fps=fps, draft=draft, scenes=tuple(scenes or ()),
                               **_captions(captions))  # fmt: skip
            project = check(path, options)
            for scene in options.scenes:
                _entry(project, scene)  # the library's own message names the CLI's --scene
            result = run_render(project, options, reporter, cancel=cancel)
            folder = result.video.parent
            written = [folder / name for name in publish.set_names(project.slug) if (folder / name).exists()]
            written += list(result.scene_files.values())
            joined = not result.missing
            return Rendered(
                video=workspace.shown(result.video) if joined else None, files=[workspace.shown(f) for f in written],
                duration=round(result.plan.duration, 2), size=f"{result.plan.width}x{result.plan.height}",
                scenes=len(result.plan.scenes), scenes_rendered=list(result.scenes_rendered),
                unchanged=result.unchanged, missing=list(result.missing), notes=reporter.notes,
            )  # fmt: skip

        try:  # abandoned on cancel, else a cancelled call waits for the whole render before it hears of it
            return await anyio.to_thread.run_sync(lambda: run(body), abandon_on_cancel=True)
        except anyio.get_cancelled_exc_class():
            cancel.set()  # the client cancelled: the scenes stop at their next frame, the last video stays
            raise

    return server


def _output(options, project) -> Path:
    """The output folder, made as the CLI makes it (marked as explainer's, so a render may use it later)."""
    from pipeline.publishing import publish

    folder = options.output_dir_for(project)
    publish.make_output(folder)
    return folder


def _check(workspace: Workspace, path: Path, options) -> Checked:
    """validate's answer as data: ok with the scene ids, or every problem located."""
    from pipeline import validate

    try:
        project = validate(path, options)
    except StoryboardError as exc:
        return Checked(storyboard=workspace.shown(path), ok=False, problems=_problems(workspace, exc.problems))
    ids = [entry.id for entry in project.entries()]
    return Checked(storyboard=workspace.shown(path), ok=True, sections=len(project.storyboard.sections), scenes=ids)


def _entry(project, scene: str):
    from pipeline.core.messages import closest

    ids = [entry.id for entry in project.entries()]
    if scene not in ids:
        close = closest(scene, ids, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; scenes: {', '.join(ids[:40])}"
        raise UsageError(f"the storyboard has no scene '{scene}'{hint}")
    return project.entry(scene)


def _read_text(workspace: Workspace, path: Path) -> str:
    if path.stat().st_size > TEXT_LIMIT:
        raise UsageError(f"{workspace.shown(path)} is over {TEXT_LIMIT:,} bytes")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{workspace.shown(path)}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def serve(project: Path | None = None) -> None:
    """Serve ``project`` (default: the project the working folder is in) on stdin and stdout until the client
    closes them."""
    if project is not None:
        root = project.resolve()
        if not root.is_dir():
            raise UsageError(f"--project {project}: no such folder")
        (root / "assets").mkdir(exist_ok=True)  # a project is a folder with assets/: its storyboards' files are there
    else:
        found = find_root(Path.cwd())
        if found is None:
            raise UsageError(f"{Path.cwd()} is in no project (no assets/ folder here or above); start the server "
                             "with --project DIR (its assets/ folder is made when missing)")  # fmt: skip
        root = found
    if root == Path(root.anchor):
        raise UsageError("the project cannot be the whole file system; give --project DIR, the project's folder")
    os.chdir(root)  # the library's messages name files from here, as the tools take them
    build(Workspace(root)).run("stdio")
