"""One render at a time per output folder, and folders checked before any work.

The lock is a hidden file beside the output folder held with flock: the OS
frees it when the render ends, however it ends (a crash or SIGKILL included).
A second render of the same folder is refused with the holder's process id,
whatever cache each one uses.

Renders into different folders may share one cache: each holds the cache's
own lock shared (as do the checks and stills while they write to it), and a
render that finds itself alone removes partial files left in the cache by
renders that died.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from pipeline.core import cache
from pipeline.core.errors import Busy, UsageError, shown


def nearest_existing(path: Path) -> Path:
    """``path``, or the nearest folder above it that exists (where it would be made)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable(folder: Path) -> None:
    """Fail before any work if ``folder`` cannot be made or written (without making it)."""
    existing = nearest_existing(folder)
    if not existing.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "a file is in the way", str(folder))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "permission denied", str(folder))


def lock_file(out_dir: Path) -> Path:
    """Where ``out_dir``'s render lock is: a hidden file beside it, whichever cache the render uses."""
    folder = out_dir.resolve()
    return folder.parent / f".{folder.name}.explainer-lock"


@contextlib.contextmanager
def render_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir``'s render lock, or raise Busy naming the process that holds it.

    The lock belongs to the output folder, not to the cache: two renders into one folder are refused even when
    each has a cache of its own. The file is removed when the lock is let go; a render that finds the file it
    locked removed or replaced meanwhile (by the holder before it, letting go) locks the new one instead.
    """
    path = lock_file(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        file = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip()
            file.close()
            raise Busy(
                f"another render is writing {shown(out_dir)}/ (process {holder or 'unknown'}); wait for it to finish, "
                "or render into another folder with --output"
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(file.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        file.close()
    with file:
        file.seek(0)
        found = file.read().strip()
        if found and not found.isdigit():  # not a process id: a file of someone else's with this name
            raise UsageError(
                f"{path} is in the way: explainer keeps the render lock of {out_dir} there, and this file is not "
                "one it made; move or rename it"
            )
        file.seek(0)
        file.truncate()
        file.write(str(os.getpid()))
        file.flush()
        try:
            yield
        finally:
            path.unlink(missing_ok=True)  # while still held: a render waiting on this file then tries the path anew


@contextlib.contextmanager
def sharing(store: cache.Store) -> Iterator[bool]:
    """Hold the cache's lock shared while writing to it; yields whether nothing else was using the cache."""
    lock = store.path("locks", "cache", ".lock")
    try:
        cache.claim(store.root)
        lock.parent.mkdir(parents=True, exist_ok=True)
        file = lock.open("a+", encoding="utf-8")
    except OSError:  # a cache that cannot be written (a read-only project still checks): nothing to share
        yield False
        return
    with file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            alone = True
        except BlockingIOError:
            alone = False
        fcntl.flock(file, fcntl.LOCK_SH)  # from exclusive: let other renders in once this one has cleaned up
        yield alone
