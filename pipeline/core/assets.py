"""The files a storyboard names: confined to the project folder, and known by their content.

A storyboard from someone else is untrusted, so every file it names
(pictures, music, lexicon files, themes and their ``extends:`` chain) goes
through ``Sandbox``: a path is refused
when it is absolute elsewhere, climbs out with '..', or is (or passes through)
a link that points elsewhere; the resolved path is what counts.

Cache keys and scene jobs address those files by content (``digest``), so an
edited picture re-renders its scene and a renamed one does not.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import stat
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import Problem
from pipeline.core.yamlsrc import SPECIAL_FILES, Path_, SourceMap


def project_root(file: Path) -> Path:
    """The nearest folder at or above the storyboard that has an ``assets/`` folder."""
    for folder in [file.parent, *file.parent.parents]:
        if (folder / "assets").is_dir():
            return folder
    return file.parent


@dataclass(frozen=True)
class Sandbox:
    """Resolves the files a storyboard names, refusing those outside ``root`` unless ``allow``."""

    root: Path
    allow: bool = False
    #: Folders of explainer's own files (its built-in themes) that may be read as well.
    shipped: tuple[Path, ...] = ()

    def contains(self, path: Path) -> bool:
        """Whether ``path``, its links followed, may be read: inside the project or a shipped folder (or allowed)."""
        where = path.resolve()
        return self.allow or any(where.is_relative_to(folder.resolve()) for folder in (self.root, *self.shipped))

    def refusal(self, name: str) -> str | None:
        """Why the path ``name`` may not be used (None when it may)."""
        shown = name if len(name) <= 60 else name[:57] + "..."
        if "\0" in name:
            return f"'{shown}' is not a usable path"
        try:
            target = (self.root / name).resolve()
            target.exists()
        except OSError as exc:  # a name too long for the file system, a loop of links
            return f"'{shown}' is not a usable path ({exc.strerror or exc}); give a file's path inside the project"
        if self.contains(target):
            return None
        via = "" if Path(name).is_absolute() or ".." in Path(name).parts else f", through a link to {target}"
        return (
            f"'{name}' is outside the project folder {self.root}{via}; copy the file into assets/, "
            "or pass --allow-outside-assets if you trust this storyboard"
        )

    def check(self, names: list[str], smap: SourceMap, path: Path_) -> list[Problem]:
        """A problem at ``path`` for every name in ``names`` that is refused."""
        return [smap.problem(path, message) for name in names if (message := self.refusal(name))]


def not_regular(path: Path) -> str | None:
    """What ``path`` is when it is there but is no regular file ('a folder', 'a FIFO (named pipe)'...), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return "a folder" if stat.S_ISDIR(mode) else f"a {SPECIAL_FILES.get(stat.S_IFMT(mode), 'special file')}"


def nearby(path: Path, name: str) -> str:
    """``; did you mean 'assets/clip.mp4'?`` when a file beside the missing ``path`` has a name like its own.

    Case counts on Linux and not on the Mac or Windows a storyboard may come
    from, so a name that differs only in case is the first suggestion.
    ``name`` is the path as written; the suggestion keeps its folder part.
    """
    try:
        names = sorted(p.name for p in path.parent.iterdir() if p.is_file())
    except OSError:  # the folder itself is missing: nothing to suggest
        return ""
    close = [n for n in names if n.lower() == path.name.lower()]
    close = close or difflib.get_close_matches(path.name.lower(), [n.lower() for n in names], n=1, cutoff=0.75)
    if not close:
        return ""
    found = next(n for n in names if n.lower() == close[0].lower())
    folder = name.rpartition("/")[0]
    return f"; did you mean '{folder + '/' if folder else ''}{found}'?"


def digest(path: Path) -> str:
    """Hash of a file's bytes ('missing' when it is not there, 'not a file' for a FIFO or device: never read).

    Read once per version of the file (its size and modification time name the version), streamed: a render
    asks for a clip's digest for its scene, its prepared frames and its sound, and a clip can be gigabytes.
    """
    if not_regular(path):
        return "not a file"
    try:
        found = path.stat()
    except OSError:
        return "missing"
    return _digest(path, found.st_size, found.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    try:
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()[:32]
    except OSError:
        return "missing"


@dataclass(frozen=True)
class Asset:
    """A file a scene draws: the name the storyboard gives, where it is, and its content's digest."""

    name: str
    path: Path
    digest: str


def assets(root: Path, names: list[str]) -> tuple[Asset, ...]:
    return tuple(Asset(name, root / name, digest(root / name)) for name in names)
