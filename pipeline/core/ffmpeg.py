"""Running the ffmpeg that imageio-ffmpeg ships (the one MoviePy uses).

Arguments are always a list, never a shell string. A failure becomes a
RenderError quoting ffmpeg's last relevant lines instead of a Python stack.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import imageio_ffmpeg

from pipeline.core.errors import RenderError


def exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def build() -> str:
    """The ffmpeg build's own description (version and build options), for cache keys."""
    out = subprocess.run([exe(), "-version"], capture_output=True, check=False).stdout.decode("utf-8", "replace")
    lines = [line for line in out.splitlines() if line.startswith(("ffmpeg version", "configuration:"))]
    return " | ".join(lines) or f"imageio-ffmpeg {imageio_ffmpeg.__version__}"


#: The filter that labels frames BT.709 in TV range (what to_bt709 makes), so that nothing converts them again.
BT709_TAGS = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv"


def to_bt709(pixels: str = "yuv420p") -> str:
    """The filters that convert frames to BT.709 colours in TV range, as ``pixels``: what the encoder takes."""
    return f"scale=out_color_matrix=bt709:out_range=tv,format={pixels}"


def command(args: list[str], loglevel: str = "error") -> list[str]:
    """The full ffmpeg command line for ``args``: no banner, no stdin prompts, only ``loglevel`` messages."""
    return [exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", loglevel, *args]


def run(args: list[str], *, input: bytes | None = None, what: str = "ffmpeg") -> bytes:
    """Run ffmpeg with ``args``; return its stdout."""
    return _run(args, input, "error", what).stdout


def run_stderr(args: list[str], *, input: bytes | None = None, what: str = "ffmpeg") -> str:
    """Run ffmpeg with ``args`` at info log level; return what it printed (filters report there)."""
    return _run(args, input, "info", what).stderr.decode("utf-8", "replace")


def spool() -> IO[bytes]:
    """An unnamed temporary file (O_TMPFILE on Linux) in the system's temp folder, found without tempfile's first-use
    probe: ``gettempdir`` writes and deletes a named file there, which a render is not to leave even for a moment
    (a test watching $TMPDIR saw one)."""
    folder = tempfile.tempdir or next((v for k in ("TMPDIR", "TEMP", "TMP") if (v := os.environ.get(k))), "/tmp")
    return tempfile.TemporaryFile(dir=folder)


class Process:
    """ffmpeg running with its log in a temporary file (a chatty filter can never stall a pipe).

    ``finish()`` waits for it and returns the log, or raises one RenderError
    saying ``what`` failed; ``kill()`` stops it. Extra keywords go to Popen.
    """

    def __init__(self, args: list[str], *, what: str, loglevel: str = "error", **popen_args):
        self.what = what
        self._log = spool()  # lives as long as the process; finish() or kill() closes it
        self.proc = popen(command(args, loglevel), stderr=self._log, **popen_args)

    def finish(self) -> str:
        code = self.proc.wait()
        self._log.seek(0)
        text = self._log.read()
        self._log.close()
        if code != 0:
            raise RenderError(failure(self.what, code, text))
        return text.decode("utf-8", "replace")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        if self.proc.stdin:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        self._log.close()


def feed(
    args: list[str],
    chunks: Iterable[bytes | memoryview],
    *,
    what: str,
    loglevel: str = "error",
    stdout: IO[bytes] | None = None,
    cwd: Path | None = None,
) -> str:
    """Run ffmpeg with ``args``, writing ``chunks`` to its stdin as they come; return what it printed.

    The input is never held whole: a long soundtrack streams through in blocks.
    ``stdout`` (default: nowhere) may be another process's stdin, for work done alongside.

    A thread writes while the caller makes the next chunks: a pipe holds 64 KB, so writing a
    block of seconds in the caller's thread left ffmpeg idle while the block after it was made,
    and the two took turns (the draft soundtrack: 2.4 s of feeding, 1.4 s of it waiting).
    """
    process = Process(
        args, what=what, loglevel=loglevel, stdin=subprocess.PIPE, stdout=stdout or subprocess.DEVNULL, cwd=cwd
    )
    writer = Writer(process.proc.stdin)
    try:
        for chunk in chunks:
            if not writer.put(chunk):
                break  # ffmpeg stopped reading: its log says why
        writer.close()
    except BaseException:
        process.kill()
        writer.close()
        raise
    return process.finish()


class Writer:
    """Writes chunks to a pipe from its own thread, up to AHEAD chunks behind the one who puts them."""

    AHEAD = 2

    def __init__(self, pipe: IO[bytes]):
        self.pipe = pipe
        self.broken = False
        self._chunks: queue.Queue = queue.Queue(self.AHEAD)
        self._thread = threading.Thread(target=self._write, name="ffmpeg stdin", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self.broken:
                continue  # drained, so a put never waits on a writer that has stopped
            try:
                self.pipe.write(chunk)
            except (BrokenPipeError, ValueError):  # ffmpeg stopped reading, or was killed and its stdin closed
                self.broken = True
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.pipe.close()

    def put(self, chunk: bytes | memoryview) -> bool:
        """Queue ``chunk``; False once ffmpeg has stopped reading."""
        self._chunks.put(chunk)
        return not self.broken

    def close(self) -> None:
        """Write what is queued, close the pipe and wait for the thread. Closing again does nothing (the queue
        would wait for a thread that has ended)."""
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()


def concat_inputs(files: list[tuple[Path, float]], folder: Path) -> list[str]:
    """ffmpeg input arguments that read ``files`` one after another (concat demuxer; a file may repeat).

    Each file comes with its exact length in seconds: the demuxer would otherwise take it from
    the container, which for a short H.264 segment with B-frames is a fraction of a frame off.
    """
    listing = folder / "concat.txt"
    listing.write_text(
        "".join(f"file '{_concat_quote(path)}'\nduration {seconds:.6f}\n" for path, seconds in files),
        encoding="utf-8",
    )
    return ["-f", "concat", "-safe", "0", "-i", str(listing)]


def _concat_quote(path: Path) -> str:
    return str(path.resolve()).replace("'", "'\\''")


def _run(args: list[str], input: bytes | None, loglevel: str, what: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(command(args, loglevel), input=input, capture_output=True, check=False, process_group=0)
    if proc.returncode != 0:
        raise RenderError(failure(what, proc.returncode, proc.stderr))
    return proc


def popen(cmd: list[str], **kwargs) -> subprocess.Popen:
    """Start ffmpeg in its own process group: a terminal's Ctrl-C reaches explainer, which stops it cleanly."""
    return subprocess.Popen(cmd, process_group=0, **kwargs)


def failure(what: str, code: int, stderr: bytes) -> str:
    """One message for a failed ffmpeg: what it was doing, its last lines, and what to do when that is clear."""
    if code < 0:
        name = signal.Signals(-code).name
        cause = {
            "SIGXFSZ": "a file reached the size limit this shell allows (ulimit -f); raise it or free space",
            "SIGKILL": "it was killed, perhaps for want of memory; close other programs or use --jobs 1",
        }.get(name, "it was stopped from outside")
        return f"{what} failed: ffmpeg was stopped by {name}: {cause}"
    message = f"{what} failed: {tail(stderr)}"
    if b"No space left on device" in stderr:
        message += "; the disk is full: free some space and render again (finished scenes stay in the cache)"
    return message


def tail(stderr: bytes, lines: int = 4) -> str:
    """ffmpeg's last distinct lines, without its '[component @ 0x...]' prefixes."""
    text = [_PREFIX.sub("", line).strip() for line in stderr.decode("utf-8", "replace").strip().splitlines()]
    last = list(dict.fromkeys(line for line in text if line))[-lines:]
    return " | ".join(last) or "(ffmpeg printed nothing)"


_PREFIX = re.compile(r"^\[[^\]]* @ 0x[0-9a-f]+\]\s*")
