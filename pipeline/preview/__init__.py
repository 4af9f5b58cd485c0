"""`explainer preview`: a live page beside the editor that re-renders as the storyboard is saved.

Three parts, each in its own thread:

- the server (``server.py``: Starlette on uvicorn, loopback only by default) serves the page and
  its state, and pushes each new state to the page as a server-sent event;
- the refresher (``Refresher`` below) runs ``Session.refresh`` (``session.py``: the same
  validate-and-render path as ``explainer render``, into ``output/.preview/``) for the latest
  save; a save that arrives while one is rendering cancels it at its next frame and starts over;
- the watcher (``watchfiles``, in the calling thread) sees saves anywhere in the project except
  ``output/``: written in place, written to a new file and renamed over the old one, or several
  writes in a burst, which it groups into one change.

Ctrl-C stops the watcher, cancels the render in progress (its workers stop at their next frame
and remove their partial files), and stops the server.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.errors import Stopped
from pipeline.preview.session import Session

if TYPE_CHECKING:
    from pipeline.preview.server import Hub

__all__ = ["Refresher", "Session", "serve"]

#: Milliseconds without a new change before a burst of writes is one save (watchfiles' ``step``).
QUIET_MS = 120
#: Folders under the project never watched: outputs and tools' own.
IGNORED = ("output", ".git", "__pycache__", ".venv", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache")


class Refresher(threading.Thread):
    """Renders the latest save, one at a time; a newer save cancels the render in progress."""

    def __init__(self, session: Session, hub: Hub):
        super().__init__(name="preview-refresh", daemon=True)
        self.session, self.hub = session, hub
        self._wake = threading.Condition()
        self._files: list[str] = []
        self._due = False
        self._closing = False

    def request(self, files: list[str]) -> None:
        """Refresh for these saved files (relative to the project), superseding any refresh under way."""
        with self._wake:
            self._files += [f for f in files if f not in self._files]
            self._due = True
            self._wake.notify()
        self.session.cancel()

    def close(self) -> None:
        with self._wake:
            self._closing = True
            self._wake.notify()
        self.session.cancel()

    def run(self) -> None:
        while True:
            with self._wake:
                while not (self._due or self._closing):
                    self._wake.wait()
                if self._closing:
                    return
                files, self._files, self._due = self._files, [], False
            self.hub.publish("rendering", {"files": files})
            try:
                state = self.session.refresh(files, on_outline=lambda outline: self.hub.publish("state", outline))
            except Stopped:
                continue  # a newer save (or Ctrl-C) took over
            except Exception as exc:  # the page says what broke; the preview keeps watching
                state = self.session.failed(f"the render failed: {type(exc).__name__}: {exc}", files)
            self.hub.publish("state", state)


def serve(
    storyboard: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    quality: str = "draft",
    open_browser: bool = False,
    allow_outside_assets: bool = False,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the preview of ``storyboard`` until Ctrl-C."""
    session = Session(storyboard, quality, allow_outside_assets=allow_outside_assets)
    session.start()  # the outline's worker loads while the server starts and the storyboard is read
    import uvicorn
    import watchfiles

    from pipeline.preview.server import Hub, app

    hub = Hub()
    listening = socket.create_server((host, port))
    bound = listening.getsockname()[1]
    hosts = ["127.0.0.1", "localhost", "[::1]", host]
    server = uvicorn.Server(uvicorn.Config(app(session, hub, hosts, say), log_level="warning", lifespan="off"))
    serving = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, name="preview-server", daemon=True)
    serving.start()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{bound}/"
    if not _loopback(host):
        say(f"warning: the preview listens on {host}: anyone who can reach this machine can see it")
    say(f"preview of {storyboard} at {url} (Ctrl-C to stop)")
    refresher = Refresher(session, hub)
    refresher.start()
    refresher.request([])
    if open_browser:
        webbrowser.open(url)
    stop = threading.Event()
    try:
        for changes in watchfiles.watch(
            session.root, watch_filter=_watched(session.root), step=QUIET_MS, stop_event=stop, raise_interrupt=True
        ):
            files = sorted({Path(path).relative_to(session.root).as_posix() for _, path in changes})
            refresher.request(files)
    except KeyboardInterrupt:
        pass
    finally:
        refresher.close()
        refresher.join()
        session.close()
        server.should_exit = True
        serving.join(5)
        say("preview stopped")


def _watched(root: Path) -> Callable[..., bool]:
    import watchfiles

    default = watchfiles.DefaultFilter()

    def keep(change: watchfiles.Change, path: str) -> bool:
        parts = Path(path).relative_to(root).parts
        return bool(parts) and parts[0] not in IGNORED and not parts[-1].startswith(".#") and default(change, path)

    return keep


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"
