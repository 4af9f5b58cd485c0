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

A render killed at any moment leaves at most the staging folder and hidden
``.part`` files; ``recover`` (run at the start of the next render, under the
output folder's lock) finishes moving the folder's other files back and
removes the rest.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.cache import is_partial
from pipeline.formats import FORMATS

#: What else explainer keeps in an output folder; any other entry makes it a folder that is not only explainer's.
OWN_ENTRIES = frozenset({"stills", "scenes", "sheet.png", "shorts", *FORMATS})


def set_names(slug: str, chapters: bool = True) -> list[str]:
    """The files of one output set, the video last (the order files are renamed in when not exchanged).

    A Short has no chapters (YouTube shows none on a Short), so no chapters.txt.
    """
    listing = "chapters.txt" if chapters else None
    names = [f"{slug}.srt", f"{slug}.vtt", listing, "thumbnail.png", "render.json", f"{slug}.mp4"]
    return [name for name in names if name]


def staging(out_dir: Path) -> Path:
    """Where the next set is written: a hidden folder beside ``out_dir`` (the same file system)."""
    return out_dir.parent / f".{out_dir.name}.next"


@contextlib.contextmanager
def staged(out_dir: Path, names: list[str]) -> Iterator[Path]:
    """A fresh, empty staging folder for the set ``names``, committed to ``out_dir`` if the block succeeds.

    If the block fails (or is interrupted), the folder is removed and ``out_dir`` is untouched.
    """
    recover(out_dir, names)
    folder = staging(out_dir)
    folder.mkdir(parents=True)
    try:
        yield folder
        missing = [name for name in names if not (folder / name).is_file()]
        if missing:
            raise RuntimeError(f"the output set is incomplete: {', '.join(missing)} was not written")
        commit(folder, out_dir, names)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def commit(folder: Path, out_dir: Path, names: list[str]) -> None:
    """Make the set written in ``folder`` the one in ``out_dir`` (``staged`` removes what is left of ``folder``)."""
    if not out_dir.exists():
        os.rename(folder, out_dir)
        return
    own = set(names) | OWN_ENTRIES
    if all(entry.name in own or is_partial(entry.name) for entry in out_dir.iterdir()) and _exchange(folder, out_dir):
        _carry(folder, out_dir, names)
    else:
        for name in names:
            os.replace(folder / name, out_dir / name)


def recover(out_dir: Path, names: list[str]) -> None:
    """Undo what a killed render left: the staging folder (moving the folder's other files back) and partial files.

    Killed before the exchange, the staging folder holds part of a new set (dropped); after it, the
    previous set (dropped) and the folder's other files, which are moved back in.
    """
    folder = staging(out_dir)
    if folder.is_dir() and not folder.is_symlink():
        if out_dir.is_dir():
            _carry(folder, out_dir, names)
        shutil.rmtree(folder, ignore_errors=True)
    if out_dir.is_dir():
        remove_partials(out_dir.iterdir())


def remove_partials(entries: Iterable[Path]) -> None:
    """Remove the partial files and folders among ``entries``."""
    for entry in entries:
        if is_partial(entry.name):
            with contextlib.suppress(FileNotFoundError):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()


def _carry(old: Path, out_dir: Path, skip: list[str]) -> None:
    """Move the entries of ``old`` that are not part of a set (stills, sheet.png...) into ``out_dir``."""
    for entry in old.iterdir():
        if entry.name not in skip and not is_partial(entry.name) and not (out_dir / entry.name).exists():
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
