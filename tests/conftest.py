"""Shared helpers: tiny projects in temporary folders, the real CLI, a media probe."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "script" / "escape-north-korea.yaml"

TINY = """\
title: Tiny test
video: {width: 320, height: 180, fps: 30}
narration: {engine: piper}
sections:
  - title: Opening
    scenes:
      - id: hello
        slide: {kind: title, title: Hello world, subtitle: A tiny test video}
        narration: Hello there. This is a tiny video.
  - title: Numbers
    scenes:
      - id: number
        slide: {kind: stat, value: 34000, label: people, source: Ministry of Unification}
        narration: Thirty four thousand people.
"""


@pytest.fixture
def project(tmp_path: Path):
    """Write a storyboard into a fresh project folder (with assets/) and return its path."""
    (tmp_path / "assets").mkdir()

    def write(text: str, name: str = "story.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def explainer(
    *args: str, cwd: Path | None = None, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the real `explainer` command (the installed console script when there is one), with ``env`` added to
    this process's environment."""
    exe = shutil.which("explainer")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "pipeline", *args]
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, env={**os.environ, **(env or {})}
    )


def chromium() -> str:
    """The system's Chromium, for Playwright's ``executable_path`` (its own browser download is not available)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    message = "no Chromium on PATH: README's test command installs it (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def top_level_atoms(path: Path) -> list[str]:
    names = []
    with path.open("rb") as f:
        while header := f.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0]
                f.seek(size - 16, 1)
            else:
                f.seek(size - 8, 1)
            names.append(kind.decode("latin-1"))
    return names


def probe(path: Path) -> dict:
    """Stream facts read with PyAV (audio facts when there is sound), plus the decoded video frame count."""
    import av

    with av.open(str(path)) as container:
        video = container.streams.video[0]
        info = {
            "video_codec": video.codec_context.name,
            "profile": video.codec_context.profile,
            "pix_fmt": video.codec_context.pix_fmt,
            "fps": float(video.average_rate),
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "video_duration": float(video.duration * video.time_base),
            # ITU-T H.273 codes: 1 is BT.709 for each (2: unspecified); range 1 is TV (limited)
            "colour": (video.codec_context.color_primaries, video.codec_context.color_trc,
                       video.codec_context.colorspace, video.codec_context.color_range),
        }  # fmt: skip
        if container.streams.audio:  # scene clips in the cache are video only
            audio = container.streams.audio[0]
            info |= {
                "audio_codec": audio.codec_context.name,
                "audio_profile": audio.codec_context.profile,
                "sample_rate": audio.codec_context.sample_rate,
                "channels": audio.codec_context.layout.nb_channels,
                "audio_duration": float(audio.duration * audio.time_base),
                "audio_bit_rate": audio.bit_rate or audio.codec_context.bit_rate,
            }
        info["frames"] = sum(1 for _ in container.decode(video=0))
    return info


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/*.png from the current drawing (after an intended visual change).",
    )


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def _boxes(data: bytes, start: int, end: int):
    """(kind, body start, end) of each ISO-BMFF box between ``start`` and ``end``."""
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", data[start + 8 : start + 16])[0], 16
        elif size == 0:
            size = end - start
        if size < head:
            raise ValueError(f"bad box size at {start}")
        yield kind, start + head, start + size
        start += size


def edit_lists(path: Path) -> list[list[tuple[int, int, int]] | None]:
    """Per track of an MP4: its edit list's entries (segment duration, media time, rate), or None without one."""
    data = path.read_bytes()
    found = []
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for trak in (box for box in _boxes(data, start, end) if box[0] == b"trak"):
            entries = None
            for edts in (box for box in _boxes(data, trak[1], trak[2]) if box[0] == b"edts"):
                for elst in (box for box in _boxes(data, edts[1], edts[2]) if box[0] == b"elst"):
                    at = elst[1]
                    layout = ">Qqhh" if data[at] == 1 else ">Iihh"
                    count, size = struct.unpack(">I", data[at + 4 : at + 8])[0], struct.calcsize(layout)
                    entries = [struct.unpack_from(layout, data, at + 8 + i * size)[:3] for i in range(count)]
            found.append(entries)
    return found


def pytest_collection_modifyitems(config, items):
    """The files with slow tests first, each file's tests together and in their order: on two workers a long render
    handed out near the end of the run kept one worker busy for a minute with the other idle; the fast files last
    are many short tests that even the two workers out. (Moving the slow tests alone would split a file from its
    module fixtures, made again for its later tests.)"""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)
