"""The `explainer` command: parse arguments, call the library, report.

Library errors (ExplainerError) become messages on stderr and exit codes:
2 for mistakes in the input or the command line, 1 for failures while
rendering, 130 when interrupted. No traceback reaches the user. A reader that stops reading
(``explainer places | head``) ends the command quietly: status 1 and no message, as click ends its own help then.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import select
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from pipeline import __version__
from pipeline.core.errors import ExplainerError, StoryboardError
from pipeline.core.formats import DEFAULT as DEFAULT_FORMAT
from pipeline.core.formats import FORMATS
from pipeline.core.formats.sizes import check_shape
from pipeline.core.lock import nearest_existing
from pipeline.narration import ENGINE_NAMES

#: The most problems listed at once: past that, the first ones usually explain the rest.
SHOWN_PROBLEMS = 100


def _error(console: Console, message: object) -> None:
    # Messages quote the user's text, e.g. "[longitude, latitude]": never read it as Rich markup.
    console.print(f"[bold red]error[/]: {escape(str(message))}")


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StoryboardError as exc:
            err = Console(stderr=True, highlight=False, soft_wrap=True)
            for problem in exc.problems[:SHOWN_PROBLEMS]:
                _error(err, problem)
            if len(exc.problems) > SHOWN_PROBLEMS:
                err.print(f"... and {len(exc.problems) - SHOWN_PROBLEMS:,} more, not shown; fix these first")
            if len(exc.problems) > 1:
                err.print(f"{len(exc.problems):,} problems found; nothing was rendered")
            ctx.exit(exc.exit_code)
        except ExplainerError as exc:
            _error(Console(stderr=True, highlight=False, soft_wrap=True), exc)
            ctx.exit(exc.exit_code)
        except BrokenPipeError as exc:
            if not stdout_closed():  # a pipe of the command's own (ffmpeg's) broke: a failure like any other
                _error(Console(stderr=True, highlight=False, soft_wrap=True), os_message(exc, ctx.meta.get(FOLDERS)))
                ctx.exit(1)
            ctx.exit(quiet_exit())
        except OSError as exc:  # the disk, the folders: the machine's failures, said plainly
            _error(Console(stderr=True, highlight=False, soft_wrap=True), os_message(exc, ctx.meta.get(FOLDERS)))
            ctx.exit(1)
        except KeyboardInterrupt:
            Console(stderr=True).print("interrupted; finished cache entries were kept, partial files removed")
            ctx.exit(130)


#: The status of a command whose reader stopped reading: click's own (its help, its usage errors) and Python's
#: advice for EPIPE, so that every command ends the same way.
PIPE_CLOSED = 1


def stdout_closed() -> bool:
    """Whether what the command prints goes nowhere any more: the reader of its pipe has gone (``| head``). The
    pipe says so itself (POLLERR on its writing end); a write that failed has already dropped what it held, so a
    flush alone cannot tell."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        if any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0)):
            return True
    except (AttributeError, OSError, ValueError):  # no poll (Windows), or stdout is not a file
        pass
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        return True
    return False


def quiet_exit() -> int:
    """Ready to exit after the reader of stdout has gone: stdout pointed at /dev/null, so that the interpreter's
    own flush at exit finds nowhere to fail (it would print 'Exception ignored ... BrokenPipeError'); the status."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file: nothing to point elsewhere
        pass
    finally:
        os.close(devnull)
    return PIPE_CLOSED


#: Key of the folders a command writes to (name -> path) in click's shared context, for messages about the disk.
FOLDERS = "explainer.folders"


def os_message(exc: OSError, folders: dict[str, Path] | None = None) -> str:
    """What a failed read or write means for the user, and what to do about it.

    ``folders``: the folders the command writes to ({'output': ..., 'cache': ...}), so that a
    full disk names the one that filled up and how much room each has left.
    """
    name = f" {exc.filename}" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"no space left on the disk{' for' + name if name else ''}{_room(exc.filename, folders or {})}; "
            "free some space and render again (finished scenes stay in the cache; no half-written file was kept)"
        )
    if exc.errno == errno.EFBIG:
        return "a file reached the size limit this shell allows (ulimit -f); raise the limit and render again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"cannot write{name}: {exc.strerror}; render into a folder you can write to with --output "
            "(and --cache for the cache)"
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"cannot make the folder{name}: a file is in the way; move it, or choose another folder with --output"
    return f"cannot write{name}: {exc.strerror or exc}; choose another folder with --output (or --cache)"


def _room(filename: str | None, folders: dict[str, Path]) -> str:
    """'in the cache, /x/.cache (12 MB free)': the folder the failed file is in, else every folder written to."""
    inside = [n for n, f in folders.items() if filename and Path(filename).resolve().is_relative_to(f.resolve())]
    said = []
    for folder_name in inside[:1] or list(folders):
        folder = folders[folder_name]
        try:
            free = f" ({shutil.disk_usage(nearest_existing(folder)).free / 1e6:,.0f} MB free)"
        except OSError:
            free = ""
        said.append(f"the {folder_name}, {folder}{free}")
    return f" in {' or '.join(said)}" if said else ""


def _size(_ctx, _param, value: str | None) -> tuple[int, int] | None:
    from pipeline.core.errors import UsageError
    from pipeline.core.formats.sizes import parse_size

    if value is None:
        return None
    try:
        return parse_size(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


def _cache(_ctx, _param, value: str | None) -> str | None:
    """A --cache folder with a file in its place (or in the place of a folder above it) is the --cache's mistake,
    said before anything is drawn: found later, when the cache is made, it read as a folder in --output's way."""
    from pipeline.core import remotecache

    if value is None or remotecache.is_url(value):
        return value
    folder = remotecache.folder(value)
    for at in (folder, *folder.parents):
        if at.is_dir():
            break
        if at.exists() or at.is_symlink():
            where = "is a file" if at == folder else f"is inside {at}, which is a file"
            raise click.BadParameter(
                f"'{value}' {where}; --cache takes a folder for the cache (made when missing), e.g. --cache "
                "output/.cache, or a shared store's URL"
            )
    return value


size_option = click.option(
    "--size", callback=_size, metavar="WxH", help="Render at another resolution than the storyboard's (e.g. 640x360)."
)


def _screens(default: str) -> str:
    """Every format in FORMATS as --format's help says it: 'wide 16:9 (the storyboard's size), vertical 9:16
    1080x1920 (into output/<slug>/vertical/), ...', so a format added there is in the help too."""
    said = []
    for name, profile in FORMATS.items():
        width, height = profile.size
        step = math.gcd(width, height)
        shape = f"{width // step}:{height // step}"
        if name == DEFAULT_FORMAT:
            said.append(f"{name} {shape} ({default}the storyboard's size)")
        else:
            said.append(f"{name} {shape} {width}x{height} (into output/<slug>/{name}/)")
    return ", ".join(said)


format_option = click.option(
    "--format",
    "format_name",
    type=click.Choice(list(FORMATS)),
    default=DEFAULT_FORMAT,
    show_default=True,
    help=f"The screen: {_screens('')}; see docs/formats.md.",
)

#: render's --format: one or several (a batch renders each storyboard in each).
formats_option = click.option(
    "--format",
    "format_names",
    type=click.Choice(list(FORMATS)),
    multiple=True,
    help=f"The screen, repeatable: {_screens('the default, ')}; see docs/formats.md.",
)


class _Listed(click.Option):
    """An option whose metavar and help are made when the help is shown, by ``listed()``: from a registry too
    slow to import for every command (the executors' brings in the drawing stack)."""

    def __init__(self, *args, listed: Callable[[], tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.listed = listed

    def get_help_record(self, ctx: click.Context):
        self.metavar, self.help = self.listed()
        return super().get_help_record(ctx)


def _executors() -> tuple[str, str]:
    """--executor's metavar and help from EXECUTORS and CLUSTERS: each name or address form, and the first line of
    its factory's docstring."""
    from pipeline.rendering.executors import CLUSTERS, EXECUTORS

    named = [*EXECUTORS.items(), *((f"{scheme}://HOST:PORT", factory) for scheme, factory in CLUSTERS.items())]
    said = []
    for name, factory in named:
        doc = (factory.__doc__ or "").strip().split("\n")[0].rstrip(".")
        said.append(f"{name}: {doc[:1].lower()}{doc[1:]}" if doc else name)
    return "|".join(name for name, _ in named), f"Where scenes are rendered: {'; '.join(said)}."


outside_option = click.option(
    "--allow-outside-assets",
    "outside",
    is_flag=True,
    help="Let the storyboard read files outside its project folder (absolute paths, '..', links).",
)

captions_option = click.option(
    "--captions",
    type=click.Choice(["file", "burn", "words"]),
    help="'file' (default): captions only as <slug>.srt/.vtt beside the video; 'burn': also drawn into the "
    "picture; 'words': drawn as short phrases, the word being said highlighted (the default for --shorts).",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="explainer")
def main() -> None:
    """Turn a YAML storyboard into a narrated explainer video."""


@main.command()
@click.argument("storyboards", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--engine", type=click.Choice(ENGINE_NAMES), help="Narrate with this engine, whatever the storyboard says."
)
@click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the video and render.json (default: output/<slug>/).",
)
@click.option(
    "--cache",
    "cache_dir",
    metavar="FOLDER|URL",
    callback=_cache,
    help="Cache folder for narration and scene clips (default: output/.cache/), or a cache shared between "
    "machines at an fsspec URL (s3://bucket/prefix), kept behind output/.cache/.",
)
@formats_option
@size_option
@click.option("--fps", type=click.IntRange(1, 60), help="Frame rate (default: the storyboard's).")
@captions_option
@click.option(
    "--scene",
    "scene_ids",
    multiple=True,
    metavar="ID",
    help="Render just this scene (repeatable) to output/<slug>/scenes/<id>.mp4, then refresh the full video.",
)
@click.option("--no-join", is_flag=True, help="With --scene: do not refresh the full video.")
@click.option(
    "--shorts",
    is_flag=True,
    help="Render the storyboard's Shorts instead: each a vertical video with word-by-word captions, in "
    "output/<slug>/shorts/<id>/.",
)
@click.option("--draft", is_flag=True, help="A quick 640-wide, 15 fps preview in output/<slug>/draft/.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Scenes rendered at once (default: one per core).")
@click.option(
    "--executor",
    "executor_spec",
    default="local",
    show_default=True,
    metavar="EXECUTOR",
    cls=_Listed,
    listed=_executors,
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@outside_option
def render(
    storyboards: tuple[Path, ...],
    engine: str | None,
    output_dir: Path | None,
    cache_dir: str | None,
    format_names: tuple[str, ...],
    size,
    fps: int | None,
    captions: str | None,
    scene_ids: tuple[str, ...],
    no_join: bool,
    shorts: bool,
    draft: bool,
    jobs: int | None,
    executor_spec: str,
    quiet: bool,
    outside: bool,
) -> None:
    """Render STORYBOARD to output/<slug>/<slug>.mp4 with narration, re-rendering only what changed.

    Several storyboards are one batch: all their scenes on one pool, then each video, and a table."""
    from pipeline.core.errors import UsageError
    from pipeline.rendering.executors import executor_for

    format_names = tuple(dict.fromkeys(format_names)) or (DEFAULT_FORMAT,)
    options = _render_options(
        output_dir, cache_dir, engine, format_names, size, fps, captions, scene_ids, no_join, draft, jobs, outside
    )
    if len(storyboards) > 1 or len(format_names) > 1:
        one_only = (("--scene", scene_ids), ("--shorts", shorts), ("--output", output_dir))
        asked = [name for name, given in one_only if given]
        if asked:
            raise UsageError(f"{asked[0]} renders one storyboard in one format; leave it out to render a batch")
        executor = executor_for(executor_spec, options.workers())
        _render_batch(list(storyboards), options, executor, quiet, format_names)
    elif shorts:
        _render_shorts(storyboards[0], _for_shorts(options, captions), quiet)
    else:
        _render_one(storyboards[0], options, executor_for(executor_spec, options.workers()), quiet)


def _render_options(
    output_dir: Path | None,
    cache_dir: str | None,
    engine: str | None,
    format_names: tuple[str, ...],
    size,
    fps: int | None,
    captions: str | None,
    scene_ids: tuple[str, ...],
    no_join: bool,
    draft: bool,
    jobs: int | None,
    outside: bool,
):
    """The render's options from its arguments, refusing combinations that make no sense; a shared cache is
    reached now, so a wrong URL or missing credentials are said before anything is narrated."""
    from pipeline import RenderOptions
    from pipeline.core import remotecache
    from pipeline.core.errors import UsageError

    if draft and (size or fps):
        raise UsageError("--draft has its own size and frame rate; leave out --size and --fps")
    if no_join and not scene_ids:
        raise UsageError("--no-join only makes sense with --scene ID")
    for format_name in format_names:
        check_shape(format_name, size)
    shared = cache_dir if cache_dir and remotecache.is_url(cache_dir) else None
    if shared:
        remotecache.Shared(shared).check()
    return RenderOptions(
        output_dir=output_dir,
        cache_dir=remotecache.folder(cache_dir) if cache_dir and not shared else None,
        shared_cache=shared,
        engine=engine,
        format=format_names[0],
        size=size,
        fps=fps,
        burn_captions=captions in ("burn", "words"),
        caption_words=captions == "words",
        scenes=scene_ids,
        no_join=no_join,
        draft=draft,
        jobs=jobs or 0,
        allow_outside_assets=outside,
    )


def _render_one(storyboard: Path, options, executor, quiet: bool) -> None:
    """One storyboard in one format: checked at the size this render draws, rendered with bars, then one line
    saying what was written."""
    from pipeline import validate

    with contextlib.ExitStack() as workers:
        start_early(storyboard, options, executor, workers)
        project = validate(storyboard, options)  # checked at the size and frame rate this render draws
        _render_checked(storyboard, project, options, executor, quiet)


def start_early(storyboard: Path, options, executor, workers: contextlib.ExitStack) -> None:
    """For a storyboard's first render (nothing in its output folder yet: every scene to draw, every sentence to
    speak), start the local workers now, while this process checks the storyboard on one core: each imports the
    drawing, and the voice when they will speak (1-1.5 s), on the other core instead of after the check. Not for a
    re-render, which is usually one changed scene drawn here with no worker at all, nor for a one-scene storyboard.
    ``workers`` lets them go on the way out."""
    from pipeline.loading import storyboard as storyboards
    from pipeline.narration import speech
    from pipeline.narration.sentences import split
    from pipeline.rendering import preload
    from pipeline.rendering.executors.local import POOL_FROM, LocalPool, Warmup

    if not isinstance(executor, LocalPool) or executor.workers <= 1:
        return
    loaded = storyboards.read(storyboard, allow_outside_assets=options.allow_outside_assets)
    if loaded.project is None or loaded.problems:
        return  # the check will say what is wrong: nothing to render
    entries = loaded.project.entries()
    output = options.output_dir_for(loaded.project)
    if len(entries) < 2 or (output.exists() and any(output.iterdir())):
        return  # one scene is drawn here, with no worker
    # The voices only where the workers will speak: a few sentences are said here (POOL_FROM).
    said = sum(len(split(entry.scene.narration or "")) for entry in entries)
    engines = tuple(options.engines(loaded.project)) if said >= POOL_FROM else ()
    prepared = speech.prepared_voices(options.store(loaded.project.root))  # as the narration's jobs name it
    executor.warmup = Warmup(preload.render, (engines, prepared))
    workers.callback(executor.close)
    executor.start()


def _render_checked(storyboard: Path, project, options, executor, quiet: bool) -> None:
    from pipeline import render as run

    output = options.output_dir_for(project)
    click.get_current_context().meta[FOLDERS] = {"output": output, "cache": options.cache_root(project.root)}
    console = Console(stderr=True, quiet=quiet, highlight=False, soft_wrap=True)
    with _RichReporter(console) as reporter:
        result = run(project, options, reporter, executor)
    for path in result.scene_files.values():
        console.print(f"wrote {escape(str(path))}")
    if result.unchanged:
        return
    if result.missing:
        console.print(
            f"the full video was not refreshed: {len(result.missing)} scene(s) are not rendered yet; "
            f"run 'explainer render {escape(str(storyboard))}' to render them"
        )
        return
    if options.no_join:
        return
    scenes = len(result.plan.scenes)
    minutes, seconds = divmod(round(result.plan.duration), 60)
    console.print(
        f"wrote {escape(str(result.video))} ({minutes}:{seconds:02d}, {result.plan.width}x{result.plan.height}, "
        f"{scenes} scenes, {len(result.scenes_rendered)} rendered, {scenes - len(result.scenes_rendered)} from cache)"
    )


def _render_batch(storyboards: list[Path], options, executor, quiet: bool, formats: tuple[str, ...]) -> None:
    """Every storyboard on one pool, then a table of what became of each; exit 1 when any failed."""
    from rich.measure import Measurement
    from rich.table import Column, Table

    from pipeline import render_batch

    console = Console(stderr=True, quiet=quiet, highlight=False, soft_wrap=True)
    with _RichReporter(console) as reporter:
        items = render_batch(storyboards, options, reporter, executor, formats)
    whole = {"no_wrap": True, "overflow": "ignore"}  # paths are never cut: they are copied from here
    table = Table(Column("storyboard", **whole), "format", Column("video", **whole), "length", "scenes drawn",
                  "done at", "", box=None, pad_edge=False)  # fmt: skip
    for item in items:
        if item.result is None:
            table.add_row(escape(str(item.storyboard)), item.format, "", "", "", "", "[red]failed[/]")
            continue
        plan = item.result.plan
        minutes, seconds = divmod(round(plan.duration), 60)
        video = item.result.video
        shown = video.relative_to(Path.cwd()) if video.is_relative_to(Path.cwd()) else video
        table.add_row(escape(str(item.storyboard)), item.format, escape(str(shown)), f"{minutes}:{seconds:02d}",
                      f"{item.rendered} of {len(plan.scenes)}", f"{item.seconds:.1f} s", "[green]ok[/]")  # fmt: skip
    out = Console(highlight=False, soft_wrap=True)
    # As wide as its rows, whatever the terminal's width (80 columns when piped): a cut path cannot be copied.
    natural = Measurement.get(out, out.options.update(max_width=10_000), table).maximum
    Console(highlight=False, soft_wrap=True, width=max(natural, out.width)).print(table)
    failed = [item for item in items if item.error is not None]
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for item in failed:
        problems = item.error.problems if isinstance(item.error, StoryboardError) else [item.error]
        for problem in problems[:SHOWN_PROBLEMS]:
            _error(err, problem)
    if failed:
        err.print(f"{len(failed)} of {len(items)} videos failed; the others were rendered")
        raise click.exceptions.Exit(1)


def _for_shorts(options, captions: str | None):
    """Shorts burn their captions: word by word unless --captions burn says otherwise; --captions file is refused."""
    import dataclasses

    from pipeline.core.errors import UsageError

    if captions == "file":
        raise UsageError("Shorts always have their captions drawn in; use --captions words (the default) or burn")
    return dataclasses.replace(options, burn_captions=True, caption_words=captions != "burn")


def _validated_shorts(storyboard: Path, options):
    """The project, once every Short checks: the scenes they show as they draw in the vertical format above
    their captions, and their hook cards."""
    import dataclasses

    from pipeline import load, validate
    from pipeline.core.errors import UsageError
    from pipeline.planning import shorts

    if options.scenes or options.draft:
        raise UsageError("--shorts renders each Short whole; leave out --scene and --draft")
    if options.format not in ("wide", "vertical"):  # wide: the default, not asked for
        raise UsageError(f"Shorts are vertical; leave out --format {options.format}")
    check_shape("vertical", options.size)
    words = options.caption_words or not options.burn_captions
    checked = dataclasses.replace(options, format="vertical", burn_captions=True, caption_words=words)
    loaded = load(storyboard, allow_outside_assets=options.allow_outside_assets)
    shown = {entry.id for short in loaded.storyboard.shorts for entry in shorts.chosen(loaded, short)}
    project = validate(storyboard, checked, only=shown)  # the scenes the Shorts show, as they draw them
    if not project.storyboard.shorts:
        raise UsageError(f"{storyboard} declares no Shorts; add a 'shorts:' list (see the README's Shorts section)")
    for index in range(len(project.storyboard.shorts)):
        shorts.check_hook(project, index, options)
    return project


def _render_shorts(storyboard: Path, options, quiet: bool) -> None:
    """Every Short of ``storyboard``, checked, then each rendered."""
    from pipeline import render_shorts

    project = _validated_shorts(storyboard, options)
    click.get_current_context().meta[FOLDERS] = {
        "output": (options.output_dir or project.output_dir) / "shorts",
        "cache": options.cache_root(project.root),
    }
    console = Console(stderr=True, quiet=quiet, highlight=False, soft_wrap=True)
    with _RichReporter(console) as reporter:
        results = render_shorts(project, options, reporter)
    for result in results:
        minutes, seconds = divmod(round(result.plan.duration), 60)
        state = "unchanged" if result.unchanged else f"{len(result.scenes_rendered)} scene(s) rendered"
        console.print(f"wrote {escape(str(result.video))} ({minutes}:{seconds:02d}, {result.plan.width}x"
                      f"{result.plan.height}, {state})")  # fmt: skip


@main.command()
@click.argument("storyboard", type=click.Path(path_type=Path))
@format_option
@size_option
@captions_option
@click.option("--shorts", is_flag=True, help="Check the Shorts as they will render (vertical, word captions).")
@outside_option
def validate(storyboard: Path, format_name: str, size, captions: str | None, shorts: bool, outside: bool) -> None:
    """Check STORYBOARD without rendering: schema, ids, theme, fonts, files, text fitting."""
    from pipeline import RenderOptions, validate

    options = RenderOptions(
        format=format_name, size=size, burn_captions=captions in ("burn", "words"), caption_words=captions == "words",
        allow_outside_assets=outside,
    )  # fmt: skip
    if shorts:
        project = _validated_shorts(storyboard, _for_shorts(options, captions))
        click.echo(f"{storyboard}: ok ({len(project.storyboard.shorts)} Shorts)")
        return
    check_shape(format_name, size)
    project = validate(storyboard, options)
    count = len(project.entries())
    click.echo(f"{storyboard}: ok ({len(project.storyboard.sections)} sections, {count} scenes)")


@main.command()
@click.argument("storyboard", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit with 1 when there are warnings (for CI).")
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The narration cache to measure sentences from (default: output/.cache/).",
)
@outside_option
def lint(storyboard: Path, strict: bool, cache_dir: Path | None, outside: bool) -> None:
    """Read STORYBOARD as an editor would: located warnings on pacing, sources, figures, chapters, reveals and
    pronunciation, one per line (a storyboard that does not validate is reported as validate reports it)."""
    from pipeline.lint import LintOptions
    from pipeline.lint import lint as run

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    options = LintOptions(allow_outside_assets=outside, cache_dir=cache_dir, note=lambda m: err.print(m, markup=False))
    warnings = run(storyboard, options)
    for warning in warnings:
        click.echo(str(warning))
    err.print(f"{storyboard}: {len(warnings)} warning(s)" if warnings else f"{storyboard}: no warnings", markup=False)
    if strict and warnings:
        click.get_current_context().exit(1)


@main.command()
def schema() -> None:
    """Print the storyboard's JSON Schema (for YAML editors' autocompletion)."""
    from pipeline.loading.storyboard import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@main.command()
@click.argument("storyboard", type=click.Path(path_type=Path))
@click.argument("scene_id")
@click.option(
    "--at",
    "at",
    type=click.FloatRange(min=0),
    help="Seconds into the scene, timed by its real narration (default: the settled frame, no narration needed).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="PNG to write (default: output/<slug>/stills/<id>.png).",
)
@format_option
@size_option
@captions_option
@outside_option
def still(
    storyboard: Path,
    scene_id: str,
    at: float | None,
    out: Path | None,
    format_name: str,
    size,
    captions: str | None,
    outside: bool,
) -> None:
    """Write one frame of SCENE_ID as a PNG, without rendering the video.

    With --captions burn the frame shows the caption up at --at (default: the settled frame's time).
    """
    from PIL import Image

    from pipeline import RenderOptions, scene_timing, validate
    from pipeline.core import cache
    from pipeline.core.errors import UsageError
    from pipeline.publishing import publish
    from pipeline.rendering import stills

    burn = captions in ("burn", "words")
    check_shape(format_name, size)
    options = RenderOptions(
        format=format_name, size=size, burn_captions=burn, caption_words=captions == "words",
        allow_outside_assets=outside,
    )  # fmt: skip
    project = validate(storyboard, options, only={scene_id})
    entry = project.entry(scene_id)
    timing, cues = None, []
    if at is not None or burn:
        timing, cues = scene_timing(project, scene_id, options)
    if at is not None and at >= timing.duration:
        raise UsageError(
            f"scene '{scene_id}' lasts {timing.duration:.2f} s; --at {at:g} is past its end: give a time from 0 to "
            f"{timing.duration:.2f}"
        )
    frame = stills.still(
        project, options.frame(project.storyboard.video), entry, at=at, timing=timing, cues=tuple(cues),
        burn_captions=burn,
    )  # fmt: skip
    if out is None:
        publish.make_output(options.output_dir_for(project))
    target = out or options.output_dir_for(project) / "stills" / f"{scene_id}.png"
    with cache.atomic_path(target) as tmp:
        Image.fromarray(frame).save(tmp, format="PNG")
    click.echo(str(target))


@main.command()
@click.argument("storyboard", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="PNG to write (default: output/<slug>/sheet.png).",
)
@click.option("--columns", type=click.IntRange(1, 12), help="Scenes per row (default: 4 wide, 6 vertical, 5 square).")
@format_option
@outside_option
def sheet(storyboard: Path, out: Path | None, columns: int | None, format_name: str, outside: bool) -> None:
    """Write a contact sheet: the settled frame of every scene, labelled with its id."""
    from pipeline import RenderOptions, validate
    from pipeline.core import cache
    from pipeline.publishing import publish
    from pipeline.rendering import stills

    options = RenderOptions(format=format_name, allow_outside_assets=outside)
    project = validate(storyboard, options)
    columns = columns or {"vertical": 6, "square": 5}.get(format_name, 4)
    image = stills.sheet(project, options.frame(project.storyboard.video), columns=columns)
    if out is None:
        publish.make_output(options.output_dir_for(project))
    target = out or options.output_dir_for(project) / "sheet.png"
    with cache.atomic_path(target) as tmp:
        image.save(tmp, format="PNG")
    click.echo(str(target))


@main.command()
@click.argument("script", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Storyboard to write (default: script/<script name>.yaml).",
)
@format_option
@click.option("--force", is_flag=True, help="Replace the storyboard if it exists.")
def draft(script: Path, out: Path | None, format_name: str, force: bool) -> None:
    """Draft a storyboard from SCRIPT (plain text or Markdown) that validates and renders as it is."""
    from pipeline.core import cache
    from pipeline.core.assets import project_root
    from pipeline.core.errors import UsageError
    from pipeline.draft import draft as make_draft
    from pipeline.draft import slug_for

    target = out or Path("script") / f"{slug_for(script)}.yaml"
    if target.exists() and not force:
        raise UsageError(f"{target} exists; choose another name with -o, or add --force to replace it")
    try:
        text = script.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{script}: no such file; give the path of a script (plain text or Markdown)") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{script}: not UTF-8 text (byte {exc.start}); save the script as UTF-8") from None
    if not any(ch.isalnum() for ch in text):
        raise UsageError(f"{script}: the script is empty; write a title line and some paragraphs")
    root = project_root(target.resolve())  # its media folder may have pictures for the script
    made = make_draft(text, script_name=script.name, slug=slug_for(target), format_name=format_name, root=root)
    target.parent.mkdir(parents=True, exist_ok=True)
    with cache.atomic_path(target) as tmp:
        tmp.write_text(made.yaml, encoding="utf-8")
    click.echo(
        f"wrote {target} ({made.sections} sections, {made.scenes} scenes, {made.notes} notes for you as comments); "
        f"next: explainer validate {target}"
    )


@main.command()
@click.argument("storyboard", type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default: a free one).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback lets other machines see the preview (a warning says so).",
)
@click.option(
    "--quality",
    type=click.Choice(["draft", "full"]),
    default="draft",
    show_default=True,
    help="draft: 640 wide at 15 fps, quick; full: the storyboard's own size and frame rate.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@outside_option
def preview(storyboard: Path, port: int, host: str, quality: str, open_browser: bool, outside: bool) -> None:
    """Serve a live page of STORYBOARD that re-renders as it (or anything it uses) is saved, until Ctrl-C."""
    from pipeline.core.errors import UsageError
    from pipeline.preview import serve

    if not storyboard.is_file():
        raise UsageError(f"{storyboard}: no such file")
    try:
        serve(storyboard, host=host, port=port, quality=quality, open_browser=open_browser,
              allow_outside_assets=outside, say=lambda line: click.echo(line, err=False))  # fmt: skip
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@main.command()
@click.argument("text", required=False, default="")
def places(text: str) -> None:
    """List the places a map knows with TEXT as their name or its first words: countries (with ISO codes), admin-1
    regions, towns down to 1,000 people, seas, straits, rivers, lakes, regions and peaks, the most prominent first
    (every country when TEXT is left out). Where a name is shared, a storyboard picks one with a hint after a comma:
    'Victoria, Canada', 'Springfield, Illinois'."""
    from pipeline.drawing.maps import gazetteer

    if not text.strip():
        for name, codes in gazetteer.countries():
            click.echo(f"{name}  (country; {', '.join(codes)})" if codes else f"{name}  (country)")
        return
    found, total = gazetteer.search(text)
    for place in found:
        if place.kind == "country":
            codes = dict(gazetteer.countries()).get(place.name)
            click.echo(f"{place.name}  (country; {', '.join(codes)})" if codes else f"{place.name}  (country)")
        else:
            click.echo(f"{place.name}  ({place.describe().partition(' (')[2]}")
    if total > len(found):
        other = next((p for p in found[1:] if p.country and p.name == found[0].name), None)
        example = f" ('{other.name}, {other.country}')" if other else ""
        click.echo(f"... and {total - len(found)} more; a hint after a comma picks one of a shared name{example}")
    if not found:
        close = gazetteer.closest(text)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise click.UsageError(f"no place is called '{text}'{hint}")


@main.command()
@click.argument("text", required=False, default="")
def icons(text: str) -> None:
    """List the icons a slide may name (Font Awesome Free's solid set, as on fontawesome.com): those with TEXT in
    their name, or every one when TEXT is left out."""
    from pipeline.drawing.slides import icons as icon_set

    wanted = text.strip().lower()
    found = sorted(name for name in icon_set.names() if wanted in name)
    if not found:
        raise click.UsageError(icon_set.problem(wanted) or f"no icon has '{text}' in its name")
    for name in found:
        click.echo(name)


@main.command("mcp")
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    help="The project folder to serve (its assets/ folder is made when missing); default: the project the "
    "current folder is in (the nearest folder at or above it with an assets/ folder).",
)
def mcp_server(project: Path | None) -> None:
    """Serve explainer to an AI assistant: a Model Context Protocol server on stdin/stdout, reading and writing
    only inside one project folder (see docs/agents.md). Needs the mcp extra: pip install 'explainer[mcp]'."""
    from pipeline.core.errors import UsageError

    try:
        from pipeline import mcp as face
    except ImportError as exc:  # the extra is not installed, or another major version of the SDK is
        if (exc.name or "").split(".")[0] not in ("mcp", "mcp_types"):
            raise
        raise UsageError(f"explainer mcp: {_sdk_missing(exc)}") from None
    face.serve(project)


def _sdk_missing(exc: ImportError) -> str:
    """What is wrong with this Python's MCP SDK, and the command that fixes it."""
    from importlib import metadata

    try:
        version = metadata.version("mcp")
    except metadata.PackageNotFoundError:
        found = "the MCP SDK (the mcp package) is not installed"
    else:
        major, minor = (int(part) if part.isdigit() else 0 for part in [*version.split("."), "0"][:2])
        if (major, minor) < (2, 3) or major > 2:
            found = f"mcp {version} is installed, and explainer needs mcp 2.3 or later, below 3"
        else:
            found = f"the MCP SDK (mcp {version}) cannot be imported ({exc})"
    return f"{found} in this Python ({sys.executable}); install it with: {sys.executable} -m pip install " \
           "'explainer[mcp]' (from a checkout: pip install -e '.[mcp]')"  # fmt: skip


class _RichReporter:
    """One progress display for the whole render, on stderr."""

    def __init__(self, console: Console):
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description:<17}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            disable=console.quiet or not sys.stderr.isatty(),
        )
        self.task = None

    def __enter__(self) -> _RichReporter:
        import signal

        # Its refresh thread inherits this mask: Ctrl-C must reach the main thread only (see executors/local.py).
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.progress.__enter__()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[self.task].total)
        self.task = self.progress.add_task(name, total=max(total, 1))
        if not self.console.is_terminal:
            self.console.print(f"{name}…")

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)

    def note(self, message: str) -> None:
        self.console.print(message, markup=False)
