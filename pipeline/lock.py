"""One render at a time per output folder, and folders checked before any work.

The lock is a file in the cache held with flock: the OS frees it when the
render ends, however it ends (a crash or SIGKILL included). A second render
of the same folder is refused with the holder's process id.

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

from pipeline import cache
from pipeline.errors import Busy


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


@contextlib.contextmanager
def render_lock(store: cache.Store, out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir``'s render lock (a lock file in the cache), or raise Busy naming who holds it."""
    lock = store.path("locks", cache.key({"output": str(out_dir.resolve())}), ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+", encoding="utf-8") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip()
            raise Busy(
                f"another render is writing {out_dir} (process {holder or 'unknown'}); wait for it to finish, "
                "or render into another folder with --output"
            ) from None
        file.seek(0)
        file.truncate()
        file.write(str(os.getpid()))
        file.flush()
        yield


@contextlib.contextmanager
def sharing(store: cache.Store) -> Iterator[bool]:
    """Hold the cache's lock shared while writing to it; yields whether nothing else was using the cache."""
    lock = store.path("locks", "cache", ".lock")
    try:
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
