"""Running the ffmpeg that imageio-ffmpeg ships (the one MoviePy uses).

Arguments are always a list, never a shell string. A failure becomes a
RenderError quoting ffmpeg's last relevant lines instead of a Python stack.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable

import imageio_ffmpeg

from pipeline.errors import RenderError


def exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def command(args: list[str], loglevel: str = "error") -> list[str]:
    """The full ffmpeg command line for ``args``: no banner, no stdin prompts, only ``loglevel`` messages."""
    return [exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", loglevel, *args]


def run(args: list[str], *, input: bytes | None = None, what: str = "ffmpeg") -> bytes:
    """Run ffmpeg with ``args``; return its stdout."""
    return _run(args, input, "error", what).stdout


def run_stderr(args: list[str], *, input: bytes | None = None, what: str = "ffmpeg") -> str:
    """Run ffmpeg with ``args`` at info log level; return what it printed (filters report there)."""
    return _run(args, input, "info", what).stderr.decode("utf-8", "replace")


def feed(args: list[str], chunks: Iterable[bytes | memoryview], *, what: str, loglevel: str = "error") -> str:
    """Run ffmpeg with ``args``, writing ``chunks`` to its stdin as they come; return what it printed.

    The input is never held whole: a long soundtrack streams through in blocks.
    Its log goes to a file, so a chatty filter can never stall the pipe.
    """
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command(args, loglevel), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        try:
            for chunk in chunks:
                proc.stdin.write(chunk)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped reading: its log says why
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        code = proc.wait()
        log.seek(0)
        text = log.read()
    if code != 0:
        raise RenderError(f"{what} failed: {tail(text)}")
    return text.decode("utf-8", "replace")


def _run(args: list[str], input: bytes | None, loglevel: str, what: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(command(args, loglevel), input=input, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RenderError(f"{what} failed: {tail(proc.stderr)}")
    return proc


def tail(stderr: bytes, lines: int = 4) -> str:
    """ffmpeg's last distinct lines, without its '[component @ 0x...]' prefixes."""
    text = [_PREFIX.sub("", line).strip() for line in stderr.decode("utf-8", "replace").strip().splitlines()]
    last = list(dict.fromkeys(line for line in text if line))[-lines:]
    return " | ".join(last) or "(ffmpeg printed nothing)"


_PREFIX = re.compile(r"^\[[^\]]* @ 0x[0-9a-f]+\]\s*")
