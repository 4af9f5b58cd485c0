"""The project's own exceptions.

The library raises these; the CLI turns them into one-line messages and exit
codes. Anything a user can cause is one of these, never a bare traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ExplainerError(Exception):
    """Base for every failure the CLI reports as a message rather than a traceback."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, at a place a person can jump to."""

    file: Path | str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class StoryboardError(ExplainerError):
    """The storyboard (or a file it names) is wrong; carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (str(p.file), p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(ExplainerError):
    """The command line asked for something that cannot be done (unknown scene id, ...)."""

    exit_code = 2


class RendererMismatch(ExplainerError):
    """A worker would draw or narrate otherwise than this machine (another explainer, another package version)."""

    exit_code = 2


class EngineUnavailable(ExplainerError):
    """A text-to-speech engine cannot run here (no network, missing model, ...)."""


class RenderError(ExplainerError):
    """Encoding or writing the video failed."""


class Busy(ExplainerError):
    """Another render is writing the same output folder."""


class Stopped(Exception):
    """The render was told to stop (Ctrl-C or a failed scene) while this work was under way.

    Raised inside workers and the soundtrack thread so that their cleanup runs;
    never shown to the user: the reason it stopped is.
    """


def shown(path: Path) -> str:
    """``path`` as a message gives it: from the working folder when it is inside it (output/tiny), else whole."""
    here = Path.cwd()
    return str(path.relative_to(here)) if path.is_absolute() and path.is_relative_to(here) else str(path)
