"""Stage: publish the output set (video, captions, chapters, thumbnail, render.json) as one.

The set is written into a staging folder beside the output folder, then the
two folders are exchanged in one atomic step (Linux's renameat2 with
RENAME_EXCHANGE): a reader of the output folder sees the previous set or the
new one, never a new video beside old captions, whenever the render is
killed. What else the folder holds (stills, sheet.png, single scenes) is
moved back in from the old folder just after.

Where that exchange cannot be used (another kernel or file system, or an
output folder that also holds files that are not explainer's), the files are
renamed in one by one, the video last.

explainer removes only what it made and can tell it made: its partial files
('.explainer-part-XXXXXXXX-NAME', see cache.is_partial), only in a folder that
holds its marker (an output folder it made, its staging folder), and never a
file of the creator's that merely looks like one. A render killed at any
moment leaves at most the staging folder and partial files; ``recover`` (run
at the start of the next render, under the output folder's lock) finishes
moving the folder's other files back and removes the rest.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.core.cache import is_partial
from pipeline.core.errors import UsageError
from pipeline.core.formats import FORMATS

#: The marker of an output folder explainer made (and of its staging folder): a hidden file, and what it begins with.
MARK = ".explainer-output"
_MARK_TEXT = "explainer output folder\n"

#: What else explainer keeps in an output folder; any other entry makes it a folder that is not only explainer's.
OWN_ENTRIES = frozenset({"stills", "scenes", "sheet.png", "shorts", MARK, *FORMATS})
#: The folders of an output folder where explainer writes files one by one (and may leave partial ones).
_WRITTEN_IN = ("", "stills", "scenes")


def set_names(slug: str, chapters: bool = True) -> list[str]:
    """The files of one output set, the video last (the order files are renamed in when not exchanged).

    A Short has no chapters (YouTube shows none on a Short), so no chapters.txt.
    """
    listing = "chapters.txt" if chapters else None
    names = [f"{slug}.srt", f"{slug}.vtt", listing, "thumbnail.png", "render.json", f"{slug}.mp4"]
    return [name for name in names if name]


def staging(out_dir: Path) -> Path:
    """Where the next set is written: a hidden folder beside ``out_dir`` (the same file system)."""
    return out_dir.parent / f".{out_dir.name}.explainer-staging"


def is_marked(folder: Path) -> bool:
    """Whether explainer made ``folder`` (an output folder or a staging folder): it holds explainer's marker."""
    try:
        with (folder / MARK).open("rb") as file:
            return file.read(len(_MARK_TEXT) + 1) == _MARK_TEXT.encode()
    except OSError:
        return False


def _mark(folder: Path) -> None:
    (folder / MARK).write_text(_MARK_TEXT, encoding="utf-8")


def _half_made(folder: Path) -> bool:
    """A folder whose making was cut short: empty, or holding only a marker not yet (or only partly) written."""
    entries = list(folder.iterdir())
    if not entries:
        return True
    if [entry.name for entry in entries] != [MARK] or not entries[0].is_file():
        return False
    with entries[0].open("rb") as file:
        return _MARK_TEXT.encode().startswith(file.read(len(_MARK_TEXT) + 1))


def make_output(out_dir: Path) -> None:
    """Make ``out_dir`` if it is not there, marked as explainer's (an existing folder is left as it is)."""
    if not out_dir.is_dir():
        out_dir.mkdir(parents=True)
        _mark(out_dir)


@contextlib.contextmanager
def staged(out_dir: Path, names: list[str]) -> Iterator[Path]:
    """A fresh, empty staging folder for the set ``names``, committed to ``out_dir`` if the block succeeds.

    If the block fails (or is interrupted), what it wrote is removed and ``out_dir`` is untouched.
    """
    recover(out_dir, names)
    folder = staging(out_dir)
    folder.mkdir(parents=True)
    try:
        _mark(folder)
        yield folder
        missing = [name for name in names if not (folder / name).is_file()]
        if missing:
            raise RuntimeError(f"the output set is incomplete: {', '.join(missing)} was not written")
        commit(folder, out_dir, names)
    finally:
        _discard(folder, names)


def commit(folder: Path, out_dir: Path, names: list[str]) -> None:
    """Make the set written in ``folder`` the one in ``out_dir`` (``staged`` removes what is left of ``folder``)."""
    if not out_dir.exists():
        os.rename(folder, out_dir)
        return
    if all(entry.name in OWN_ENTRIES or entry.name in names or is_partial(entry.name) for entry in out_dir.iterdir()):
        if not is_marked(out_dir):  # only explainer's files: a folder an older explainer made, marked now so that
            _mark(out_dir)  # the staging folder it becomes is still known for explainer's if the render is killed
        if _exchange(folder, out_dir):
            _carry(folder, out_dir, names)
            return
    for name in names:
        os.replace(folder / name, out_dir / name)


def recover(out_dir: Path, names: list[str]) -> None:
    """Undo what a killed render left: the staging folder (moving the folder's other files back) and partial files.

    Killed before the exchange, the staging folder holds part of a new set (dropped); after it, the
    previous set (dropped) and the folder's other files, which are moved back in. A folder at the staging
    folder's place that explainer did not make is left as it is, and named.
    """
    folder = staging(out_dir)
    if folder.is_symlink() or folder.exists():
        if not folder.is_dir() or folder.is_symlink() or not is_marked(folder):
            if folder.is_dir() and not folder.is_symlink() and _half_made(folder):  # killed as it was made
                (folder / MARK).unlink(missing_ok=True)
                folder.rmdir()
            else:
                raise UsageError(
                    f"{folder} is in the way: explainer writes the next output set there, and it is not a folder "
                    "explainer made; move or rename it"
                )
        else:
            if out_dir.is_dir():
                _carry(folder, out_dir, names)
            _discard(folder, names)
            if folder.exists() and not out_dir.exists() and not out_dir.is_symlink():
                os.rename(folder, out_dir)  # the output folder was removed since: what else it held is it again
            if folder.exists():
                left = ", ".join(sorted(entry.name for entry in folder.iterdir()))
                raise UsageError(
                    f"{folder} holds {left}, which {out_dir} also has (left by a render that was killed); "
                    "keep the one you want in the output folder and delete the other"
                )
    if is_marked(out_dir):
        for name in _WRITTEN_IN:
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                remove_partials((out_dir / name).iterdir())


def remove_partials(entries: Iterable[Path]) -> None:
    """Remove explainer's partial files and folders among ``entries`` (see cache.is_partial)."""
    for entry in entries:
        if is_partial(entry.name):
            with contextlib.suppress(FileNotFoundError):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()


def _discard(folder: Path, names: list[str]) -> None:
    """Remove what explainer wrote in a staging folder (the set ``names``, partial files, the marker), and the
    folder if nothing else is left in it; anything else in it is kept."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in folder.iterdir():
        if entry.name in names and entry.is_file() and not entry.is_symlink():
            entry.unlink()
    remove_partials(folder.iterdir())
    if [entry.name for entry in folder.iterdir()] == [MARK]:
        (folder / MARK).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


def _carry(old: Path, out_dir: Path, skip: list[str]) -> None:
    """Move the entries of ``old`` that are not part of a set (stills, sheet.png...) into ``out_dir``."""
    for entry in old.iterdir():
        if entry.name in skip or entry.name == MARK or is_partial(entry.name):
            continue
        if not (out_dir / entry.name).exists():
            os.rename(entry, out_dir / entry.name)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; False where the system cannot (then nothing was changed)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(b))
