"""The preview's HTTP side: a Starlette app on uvicorn, serving the page, its state, an event stream and media.

- ``/`` and ``/static/…``: the page (HTML, CSS, a little JavaScript), from the package; nothing from the internet;
- ``/api/state``: the latest state as JSON; ``/events``: server-sent events, one per new state, and
  ``rendering`` when a save is being worked on;
- ``/media/…``: files of the preview's own output folder only; a path that leaves it (``..``, an
  absolute path, a link out) is refused with 404, as is anything not a file there. A path no file can
  have (a null byte, a name too long for the disk) is refused with 404 too, and said in one line.

Requests whose Host is not the address the server listens on are refused (400): a page on
another site cannot reach the preview through DNS rebinding. Read-only: nothing here writes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from pipeline.preview.session import Session

#: The page's own files, served from the package.
STATIC = ("index.html", "app.js", "style.css")
#: Seconds between keep-alive comments on the event stream.
KEEPALIVE = 15.0


class Hub:
    """Fans each new state out to every open event stream."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def publish(self, event: str, data: dict) -> None:
        """Send ``data`` to every stream (from any thread: the streams live on the server's loop)."""
        message = f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._send, message)

    def _send(self, message: str) -> None:
        for queue in self._queues:
            queue.put_nowait(message)

    async def stream(self, request: Request, first: str) -> AsyncIterator[str]:
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield first
            while not await request.is_disconnected():
                try:
                    yield await asyncio.wait_for(queue.get(), KEEPALIVE)
                except TimeoutError:
                    yield ": keep-alive\n\n"
        finally:
            self._queues.discard(queue)


def app(session: Session, hub: Hub, hosts: list[str], say: Callable[[str], None] = print) -> Starlette:
    """The preview's ASGI app for ``session``; ``hosts`` are the Host names it answers to; ``say`` is told, in one
    line, of a media path refused because no file can have it."""

    async def page(request: Request) -> Response:
        return _static("index.html")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        return _static(name) if name in STATIC else Response("not found", 404)

    async def state(request: Request) -> Response:
        return JSONResponse(session.state)

    async def events(request: Request) -> Response:
        first = f"event: state\ndata: {json.dumps(session.state, ensure_ascii=False)}\n\n"
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(hub.stream(request, first), media_type="text/event-stream", headers=headers)

    async def media(request: Request) -> Response:
        asked = request.path_params["path"]
        try:
            path = media_file(session.media_root, asked)
        except (OSError, ValueError) as exc:  # a null byte, a name too long: no file has it
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            say(f"preview: refused /media/{_shown(asked)} (404): {reason}")
            path = None
        if path is None:
            return Response("not found", 404)
        return FileResponse(path, headers={"Cache-Control": "no-store"})

    routes = [
        Route("/", page),
        Route("/static/{name}", static),
        Route("/api/state", state),
        Route("/events", events),
        Route("/media/{path:path}", media),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)])


def media_file(root: Path, asked: str) -> Path | None:
    """The file ``asked`` names inside ``root``, or None when it is not one (outside, a folder, missing); a name no
    file can have raises as the system does (ValueError for a null byte, OSError for a name too long)."""
    if not asked or asked.startswith(("/", "\\")) or ".." in Path(asked).parts or ":" in asked:
        return None
    root = root.resolve()
    path = (root / asked).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def _shown(asked: str, most: int = 60) -> str:
    """``asked`` for one line of a terminal: control and other unprintable characters escaped, cut to ``most``."""
    shown = repr(asked[:most])[1:-1]
    return f"{shown}… ({len(asked)} characters)" if len(asked) > most else shown


def _static(name: str) -> Response:
    text = resources.files("pipeline.preview").joinpath("static", name).read_bytes()
    kind = {"html": "text/html", "js": "text/javascript", "css": "text/css"}[name.rsplit(".", 1)[1]]
    return Response(text, media_type=f"{kind}; charset=utf-8", headers={"Cache-Control": "no-store"})
