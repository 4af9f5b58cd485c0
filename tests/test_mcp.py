"""`explainer mcp`: the real command, started by the MCP SDK's own client over a stdio pipe, as an assistant starts it.

Each test starts one server in a fresh project (a storyboard at 320x180) and makes its calls in one session.
"""

from __future__ import annotations

import base64
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import pytest

from tests.conftest import REPO

mcp = pytest.importorskip("mcp", reason="the mcp extra: pip install -e '.[mcp]'")
from mcp.client.stdio import StdioServerParameters  # noqa: E402

TINY = """\
title: Tiny
video: {width: 320, height: 180}
narration: {engine: piper}
sections:
  - title: One
    scenes:
      - id: opening
        slide: {kind: title, title: A tiny video, subtitle: for the server}
        narration: This is a tiny video.
      - id: figure
        slide: {kind: stat, value: 12, label: things counted, source: The test}
        narration: We counted twelve things.
"""

#: Two mistakes a person makes: a misspelt field (line 7) and a misspelt slide kind (line 9).
BROKEN = """\
title: Broken
video: {width: 320, height: 180}
sections:
  - title: One
    scenes:
      - id: a
        slide: {kind: stat, value: 12, label: things, sorce: nobody}
        narration: Twelve things.
      - {id: b, slide: {kind: titel, title: Hi}, narration: Hi.}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A project folder with the tiny and the broken storyboard in script/."""
    root = tmp_path / "project"
    (root / "assets").mkdir(parents=True)
    (root / "script").mkdir()
    (root / "script" / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (root / "script" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return root


def session(folder: Path, calls, *args: str):
    """Start `explainer mcp --project folder` and run ``calls(client)`` in one session over its stdio."""
    command, head = _command()
    params = StdioServerParameters(
        command=command, args=[*head, "mcp", "--project", str(folder), *args], cwd=str(folder),
        env={"PYTHONPATH": str(REPO)},  # this checkout's pipeline, whatever the console script was installed from
    )  # fmt: skip

    async def run():
        async with mcp.Client(params) as client:
            return await calls(client)

    return anyio.run(run)


def _command() -> tuple[str, list[str]]:
    """The installed `explainer` console script when there is one (as an assistant's config names it), else
    python -m pipeline."""
    from shutil import which

    exe = which("explainer")
    return (exe, []) if exe else (sys.executable, ["-m", "pipeline"])


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_lists_the_tools_and_gives_a_broken_storyboards_problems_located(folder: Path):
    async def calls(client):
        tools = await client.list_tools()
        return tools, await client.call_tool("validate", {"storyboard": "script/broken.yaml"})

    tools, result = session(folder, calls)
    names = {tool.name for tool in tools.tools}
    assert {"schema", "docs", "draft", "validate", "lint", "still", "sheet", "places", "render"} <= names
    assert not result.is_error
    checked = result.structured_content
    assert checked["ok"] is False
    where = {(p["line"], p["column"]): p for p in checked["problems"]}
    assert all(p["file"] == "script/broken.yaml" for p in checked["problems"])
    misspelt = next(p for p in checked["problems"] if "sorce" in p["message"])
    assert (misspelt["line"], misspelt["column"]) == (7, BROKEN.splitlines()[6].index("sorce") + 1)
    assert "source" in misspelt["fix"]  # the library's suggestion, apart from what is wrong
    kind = next(p for p in checked["problems"] if "titel" in p["message"])
    assert kind["line"] == 9 and "title" in kind["fix"]
    assert len(where) == len(checked["problems"])


def test_a_still_is_a_png_image_of_the_size_asked(folder: Path):
    async def calls(client):
        settled = await client.call_tool("still", {"storyboard": "script/tiny.yaml", "scene": "figure"})
        smaller = await client.call_tool(
            "still", {"storyboard": "script/tiny.yaml", "scene": "opening", "size": "640x360", "out": "look.png"}
        )
        unknown = await client.call_tool("still", {"storyboard": "script/tiny.yaml", "scene": "figures"})
        sheet = await client.call_tool("sheet", {"storyboard": "script/tiny.yaml", "columns": 2})
        return settled, smaller, unknown, sheet

    settled, smaller, unknown, sheet = session(folder, calls)
    assert not settled.is_error, settled.content
    image = next(block for block in settled.content if block.type == "image")
    assert image.mime_type == "image/png"
    assert _png_size(base64.b64decode(image.data)) == (320, 180)
    assert (folder / "output" / "tiny" / "stills" / "figure.png").is_file()  # where `explainer still` writes it
    image = next(block for block in smaller.content if block.type == "image")
    assert _png_size(base64.b64decode(image.data)) == (640, 360)
    assert _png_size((folder / "look.png").read_bytes()) == (640, 360)
    assert unknown.is_error and "did you mean 'figure'" in unknown.content[0].text
    image = next(block for block in sheet.content if block.type == "image")
    width, height = _png_size(base64.b64decode(image.data))
    assert width > 2 * 320 > height  # two tiles side by side, labelled under them
    assert (folder / "output" / "tiny" / "sheet.png").is_file()


def test_paths_outside_the_project_are_refused(folder: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere.yaml"
    png = tmp_path / "still.png"
    outside.write_text(TINY, encoding="utf-8")
    (folder / "script" / "link.yaml").symlink_to(outside)
    (folder / "out").symlink_to(tmp_path, target_is_directory=True)

    async def calls(client):
        return [
            await client.call_tool("validate", {"storyboard": str(outside)}),  # absolute, elsewhere
            await client.call_tool("validate", {"storyboard": "../elsewhere.yaml"}),  # climbs out
            await client.call_tool("validate", {"storyboard": "script/link.yaml"}),  # a link that points out
            await client.call_tool("still", {"storyboard": "script/tiny.yaml", "scene": "figure", "out": str(png)}),
            await client.call_tool("draft", {"script": "A title\n\nA paragraph.", "out": "out/story.yaml"}),
            await client.call_tool("write_storyboard", {"path": "../story.yaml", "yaml": TINY}),
            await client.call_tool("read_storyboard", {"path": "/etc/passwd"}),
        ]

    results = session(folder, calls)
    for result in results:
        assert result.is_error, result.content
        said = result.content[0].text
        assert "outside the project" in said and "Traceback" not in said, said
    assert "'..' climbs out" in results[1].content[0].text
    assert "through a link" in results[2].content[0].text
    assert not (tmp_path / "story.yaml").exists() and not png.exists()


def test_the_tools_format_names_every_format():
    from typing import get_args

    from pipeline import FORMATS
    from pipeline.mcp import Format

    assert set(get_args(Format)) == set(FORMATS)


def test_the_command_loads_no_sdk_until_mcp_runs():
    code = "import sys, pipeline.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    assert run.stdout.strip() == "[]"


def test_without_the_sdk_the_command_says_what_to_install(folder: Path):
    code = "import sys; sys.modules['mcp'] = None; from pipeline.cli import main; main()"
    run = subprocess.run(
        [sys.executable, "-c", code, "mcp", "--project", str(folder)], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)}, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "cannot be imported" in run.stderr and "pip install 'explainer[mcp]'" in run.stderr


@pytest.mark.slow  # narrates and renders a draft video: about 10 s
def test_an_authoring_session_drafts_fixes_and_renders_with_progress(folder: Path):
    script = textwrap.dedent("""\
        # Why Bridges Sway

        In 2000 the Millennium Bridge in London opened, and it swayed under the crowd.

        Engineers added 91 dampers to calm it. It reopened two years later.
        """)
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value, total, message):
        progress.append((value, message))

    async def calls(client):
        drafted = await client.call_tool("draft", {"script": script, "out": "script/bridges.yaml"})
        text = drafted.structured_content["yaml"]
        # The assistant's edit: this test's own storyboard size and voice (offline), one mistake in it.
        first = "narration: {engine: gtts, fallback: piper}"
        fixed = text.replace(first, "video: {width: 320, heigth: 180}\nnarration: {engine: piper}")
        wrong = await client.call_tool("write_storyboard", {"path": "script/bridges.yaml", "yaml": fixed})
        right = await client.call_tool("edit_storyboard", {"path": "script/bridges.yaml", "old": "heigth",
                                                           "new": "height"})  # fmt: skip
        rendered = await client.call_tool(
            "render", {"storyboard": "script/bridges.yaml", "draft": True}, progress_callback=on_progress
        )
        return drafted, wrong, right, rendered

    drafted, wrong, right, rendered = session(folder, calls)
    assert not drafted.is_error and (folder / "script" / "bridges.yaml").is_file()
    problem = wrong.structured_content["problems"][0]
    assert "heigth" in problem["message"] and problem["line"] > 1
    assert right.structured_content["ok"], right.structured_content
    assert not rendered.is_error, rendered.content
    done = rendered.structured_content
    assert done["video"] == "output/bridges/draft/bridges.mp4" and (folder / done["video"]).is_file()
    assert "output/bridges/draft/bridges.srt" in done["files"]
    values = [value for value, _ in progress]
    assert values == sorted(set(values)) and len(values) >= 3  # MCP's progress only grows
    assert any(message and message.startswith("Rendering scenes") for _, message in progress)
