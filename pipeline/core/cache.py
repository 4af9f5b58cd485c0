"""A content-addressed store with atomic writes.

Keys are hashes of every input that changes an output, serialized as JSON with
sorted keys, so they never depend on dictionary order, paths or timestamps.
Files are written to a temporary name and renamed into place, so a killed
render never leaves an entry that a later run would trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from pipeline.core.errors import UsageError


def key(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@contextlib.contextmanager
def atomic_path(target: Path, once: bool = False) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block succeeds.

    ``once``: a cache entry, written once by content. If ``target`` exists when the block
    ends (another render sharing the cache wrote it meanwhile), it is kept and the new
    file dropped, so an entry never changes under a reader: the first writer wins.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    # The name ends as the target's does, so that ffmpeg picks the container from its extension.
    fd, name = tempfile.mkstemp(prefix=PART_PREFIX, suffix=f"-{target.name}", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes private files; give the result the permissions a normal write would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if not once:
            os.replace(tmp, target)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, target)  # fails, never replaces, if the entry is there
    finally:
        tmp.unlink(missing_ok=True)


def copy(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def write_bytes(target: Path, data: bytes, once: bool = False) -> None:
    with atomic_path(target, once) as tmp:
        tmp.write_bytes(data)


def write_checked(target: Path, data: bytes) -> None:
    """Write ``data`` followed by its SHA-256, atomically, so damage is detected on reading."""
    write_bytes(target, data + hashlib.sha256(data).digest())


def write_once_checked(target: Path, data: bytes) -> bytes:
    """Store ``data`` as write_checked does unless a good entry is there already; return what is stored.

    Callers use what this returns, never their own ``data``: two renders sharing a cache then
    use the same take of a sentence, whichever wrote it first.
    """
    with atomic_path(target, once=True) as tmp:
        tmp.write_bytes(data + hashlib.sha256(data).digest())
    stored = read_checked(target)
    if stored is None:  # a damaged entry from before: this one replaces it
        write_checked(target, data)
        return data
    return stored


#: Bytes of the checksum write_checked puts after the data.
CHECKSUM = 32


def read_checked(path: Path) -> bytes | None:
    """The data written by write_checked, or None when missing, truncated or damaged."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    return _checked(blob)


def _checked(blob: bytes) -> bytes | None:
    data, digest = blob[:-CHECKSUM], blob[-CHECKSUM:]
    if len(blob) < CHECKSUM or hashlib.sha256(data).digest() != digest:
        return None
    return data


def checked_size(path: Path) -> int | None:
    """How many bytes of data an entry written by write_checked holds, from its size alone (not verified);
    None when it is missing or too short to hold any."""
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return size - CHECKSUM if size > CHECKSUM else None


#: How every file and folder explainer writes before renaming it into place begins ('.explainer-part-'), followed
#: by tempfile's eight random characters and, for a file, '-' and the name it is being written as.
PART_PREFIX = ".explainer-part-"
_PARTIAL = re.compile(re.escape(PART_PREFIX) + r"[a-z0-9_]{8}(?:-.+)?")


def is_partial(name: str) -> bool:
    """A scratch file or folder of explainer's: '.explainer-part-k3x9q0ab-clip.mp4', '.explainer-part-k3x9q0ab'.

    Only this exact form counts: a creator's '.party-plan.txt' or '.part-time.xlsx' is never taken for one.
    """
    return _PARTIAL.fullmatch(name) is not None


@contextlib.contextmanager
def scratch(beside: Path) -> Iterator[Path]:
    """A temporary folder beside ``beside`` (never in the system's temp folder), named as a partial file."""
    beside.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=PART_PREFIX, dir=beside.parent) as folder:
        yield Path(folder)


#: The marker of a folder explainer made: its name, and the line it begins with (the Cache Directory Tagging
#: specification's, so that backup tools skip a cache).
CACHE_TAG = "CACHEDIR.TAG"
CACHE_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
#: The folders a cache holds (Store.path's kinds). A cache made before caches were tagged holds only these, and
#: is tagged when next used.
KINDS = frozenset({"audio", "fit", "footage", "locks", "scenes", "segments", "soundtracks", "thumbnails", "words"})


def is_tagged(folder: Path) -> bool:
    """Whether ``folder`` is a cache explainer made: it holds a CACHEDIR.TAG that explainer wrote."""
    try:
        with (folder / CACHE_TAG).open("rb") as file:
            head = file.read(512)
    except OSError:
        return False
    return head.startswith(CACHE_SIGNATURE.encode()) and b"explainer" in head


def claim(root: Path) -> None:
    """Make ``root`` explainer's cache, or refuse it: a new or empty folder is tagged (CACHEDIR.TAG), a tagged one
    is used as it is, and a folder that holds anything else is refused before anything is written in it.

    Only a tagged cache is ever swept of partial files, so a folder of the creator's given by mistake with
    ``--cache`` loses nothing.
    """
    if is_tagged(root):
        return
    root.mkdir(parents=True, exist_ok=True)
    entries = sorted(entry.name for entry in root.iterdir())
    theirs = [name for name in entries if not ((root / name).is_dir() and name in KINDS)]
    if theirs:
        shown = ", ".join(theirs[:3]) + (f" and {len(theirs) - 3} more" if len(theirs) > 3 else "")
        raise UsageError(
            f"the cache folder {root} holds files that are not explainer's ({shown}) and no {CACHE_TAG}; "
            "give the cache a folder of its own with --cache (a new or empty one)"
        )
    write_bytes(
        root / CACHE_TAG,
        f"{CACHE_SIGNATURE}\n# This file is a cache directory tag created by explainer.\n"
        "# explainer keeps narration, scene clips and soundtracks here; it may all be deleted.\n".encode(),
    )


class Shared(Protocol):
    """The shared tier behind a local cache, by an entry's path relative to the cache's root (remotecache.Shared
    keeps it at an fsspec URL)."""

    def fetch(self, relative: str, local: Path) -> bool:
        """Copy the entry to ``local`` (whole, renamed into place); False when it is not there."""
        ...

    def read(self, relative: str) -> bytes | None: ...

    def put(self, local: Path, relative: str) -> bool:
        """Store ``local`` unless an entry is there; False when one was (it is kept)."""
        ...

    def remove(self, relative: str) -> None: ...


class Store:
    """Files under ``root/<kind>/<key><ext>``, and behind them, when ``shared`` is given, the shared tier at a URL
    (see remotecache): an entry missing here is fetched from it, and one made here is put there."""

    def __init__(self, root: Path, shared: Shared | None = None):
        self.root = root
        self.shared = shared

    def path(self, kind: str, digest: str, ext: str) -> Path:
        return self.root / kind / f"{digest}{ext}"

    def has(self, path: Path) -> bool:
        """Whether the entry at ``path`` is here, fetching it from the shared tier when it is there."""
        return path.exists() or (self.shared is not None and self.shared.fetch(self._relative(path), path))

    def share(self, path: Path) -> None:
        """Put the entry made at ``path`` in the shared tier, unless one is there already."""
        if self.shared is not None:
            self.shared.put(path, self._relative(path))

    def read_checked(self, path: Path) -> bytes | None:
        """As ``read_checked``, taking the shared tier's entry when this one is missing or damaged; a damaged
        shared entry is dropped there, so that the next machine stores a good one."""
        data = read_checked(path)
        if data is not None or self.shared is None:
            return data
        relative = self._relative(path)
        blob = self.shared.read(relative)
        data = None if blob is None else _checked(blob)
        if data is None:
            if blob is not None:
                self.shared.remove(relative)
            return None
        write_bytes(path, blob)
        return data

    def write_once_checked(self, path: Path, data: bytes) -> bytes:
        """As ``write_once_checked`` on both tiers: the take stored first, here or on the shared tier, is the
        one kept and returned (another machine's replaces ours here when it won the race)."""
        stored = write_once_checked(path, data)
        if self.shared is not None and not self.shared.put(path, self._relative(path)):
            blob = self.shared.read(self._relative(path))
            theirs = None if blob is None else _checked(blob)
            if theirs is not None and theirs != stored:
                write_bytes(path, blob)
                return theirs
        return stored

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def partials(self) -> list[Path]:
        """explainer's scratch files and folders anywhere in the cache (none in a folder explainer did not tag)."""
        found: list[Path] = []
        if not is_tagged(self.root):
            return found
        for folder, dirs, files in os.walk(self.root):
            found += [Path(folder) / name for name in [*dirs, *files] if is_partial(name)]
            dirs[:] = [d for d in dirs if not is_partial(d)]
        return found
