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
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def key(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes private files; give the result the permissions a normal write would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def copy(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_checked(target: Path, data: bytes) -> None:
    """Write ``data`` followed by its SHA-256, atomically, so damage is detected on reading."""
    write_bytes(target, data + hashlib.sha256(data).digest())


def read_checked(path: Path) -> bytes | None:
    """The data written by write_checked, or None when missing, truncated or damaged."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    data, digest = blob[:-32], blob[-32:]
    if len(blob) < 32 or hashlib.sha256(data).digest() != digest:
        return None
    return data


class Store:
    """Files under ``root/<kind>/<key><ext>``."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, kind: str, digest: str, ext: str) -> Path:
        return self.root / kind / f"{digest}{ext}"
