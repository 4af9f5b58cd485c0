"""The shared tier of the cache: entries kept at an fsspec URL (``--cache s3://bucket/explainer``).

Every render works from its local cache folder (ffmpeg reads clips by path, the narration is
read sentence by sentence), and the shared tier sits behind it: an entry the local folder lacks
is fetched from the URL when it is there, and an entry this render made is put there. Several
machines (a Dask cluster's client machines, a team's laptops) then draw and narrate each scene
and sentence once between them.

- **Content-addressed.** Entries keep the local cache's layout, ``<kind>/<key><ext>``, under the
  URL; a key is a hash of everything that makes the entry, so an entry never changes.
- **Put if absent.** An entry is written with fsspec's ``mode="create"``: on S3 that is a
  conditional put (``If-None-Match: *``), so of two machines racing on one entry the first wins
  and the second is refused, never a mix. An object store shows an object whole or not at all, so
  a reader never sees half an entry. A sentence whose take lost the race is replaced here by the
  stored take (``cache.Store.write_once_checked``), so every machine uses the same one.
- **Fetched whole.** A fetch is written to a partial file in the local folder and renamed into
  place, as every local entry is.

A local path or a ``file://`` URL is not this: it is the local cache folder itself (a shared
filesystem path works directly; its entries are renamed into place, which is atomic there).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from pipeline.core import cache
from pipeline.core.errors import RenderError, UsageError


def is_url(value: str) -> bool:
    """Whether ``--cache value`` names a shared store (``s3://...``) rather than a folder here."""
    scheme, sep, _ = value.partition("://")
    return bool(sep) and scheme != "file"


def folder(value: str) -> Path:
    """The local folder a ``--cache`` value that is not a shared store names (a path, or a file:// URL)."""
    return Path(value.removeprefix("file://"))


class Shared:
    """Cache entries at ``url``, an fsspec URL (``s3://bucket/prefix``, ``gs://...``, ``memory://...``)."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        try:
            import fsspec
        except ImportError:
            raise UsageError(f'--cache {url}: a shared cache needs fsspec: pip install -e ".[cluster]"') from None
        try:
            self.fs, self.root = fsspec.core.url_to_fs(self.url)
        except ValueError as exc:  # an unknown protocol
            raise UsageError(f"--cache {url}: {exc}") from None
        except ImportError as exc:  # a known protocol whose package is not installed
            raise UsageError(f"--cache {url}: {exc}") from None

    def check(self) -> None:
        """Reach the store now, so that a wrong URL or missing credentials are said before anything is drawn."""
        # An object store's first part is its bucket, which must exist; a folder-like store's folders need not.
        top = self.root.split("/", 1)[0]
        try:
            if top:
                self.fs.info(top)
            else:  # a folder-like store (memory://, sftp://): reached, its folders made as entries are put
                self.fs.exists(self.root)
        except FileNotFoundError:
            raise UsageError(
                f"--cache {self.url}: there is no bucket '{top}' there; create it first, or check the URL"
            ) from None
        except Exception as exc:  # credentials, network, permissions: the library's own words
            raise UsageError(f"--cache {self.url}: cannot reach the shared cache: {_said(exc)}") from None

    def key(self, relative: str) -> str:
        return f"{self.root}/{relative}"

    def fetch(self, relative: str, local: Path) -> bool:
        """Copy the entry at ``relative`` to ``local`` (whole, renamed into place); False when it is not there."""
        try:
            with self._said(), cache.atomic_path(local, once=True) as tmp:
                self.fs.get_file(self.key(relative), str(tmp))
        except FileNotFoundError:
            return False
        return True

    def read(self, relative: str) -> bytes | None:
        """The entry at ``relative``, or None when it is not there."""
        try:
            with self._said():
                return self.fs.cat_file(self.key(relative))
        except FileNotFoundError:
            return None

    def put(self, local: Path, relative: str) -> bool:
        """Store ``local`` at ``relative`` unless an entry is there; False when one was (it is kept)."""
        try:
            with self._said():
                self.fs.put_file(str(local), self.key(relative), mode="create")
        except FileExistsError:
            return False
        return True

    def remove(self, relative: str) -> None:
        """Drop a damaged entry, so that the next machine stores a good one."""
        with contextlib.suppress(FileNotFoundError), self._said():
            self.fs.rm_file(self.key(relative))

    @contextlib.contextmanager
    def _said(self) -> Iterator[None]:
        """The store failing during a render (the network, credentials) as one message, not the library's
        traceback; a missing or existing entry is the caller's to handle."""
        try:
            yield
        except (FileNotFoundError, FileExistsError):
            raise
        except Exception as exc:
            raise RenderError(
                f"the shared cache at {self.url} failed: {_said(exc)}; finished entries here are kept, render again "
                "once it is reachable (or without --cache)"
            ) from None


def _said(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
