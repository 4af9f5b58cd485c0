"""`explainer mcp`: the real command, started by the MCP SDK's own client over a stdio pipe, as an assistant starts it.

The quick tests share one server in a fresh project (storyboards at 320x180), as an assistant's session does; the
authoring loop starts its own.
"""

from __future__ import annotations

import base64
import functools
import os
import shutil
import struct
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

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


def make_project(root: Path) -> Path:
    """A project folder with the tiny and the broken storyboard in script/."""
    (root / "assets").mkdir(parents=True)
    (root / "script").mkdir()
    (root / "script" / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (root / "script" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return root


def params(folder: Path) -> StdioServerParameters:
    """`explainer mcp --project folder`: the installed console script when there is one (as an assistant's
    config names it), else python -m pipeline; this checkout's pipeline either way."""
    exe = shutil.which("explainer")
    command, head = (exe, []) if exe else (sys.executable, ["-m", "pipeline"])
    return StdioServerParameters(command=command, args=[*head, "mcp", "--project", str(folder)], cwd=str(folder),
                                 env={"PYTHONPATH": str(REPO)})  # fmt: skip


class Session:
    """One client session with a running server, called from synchronous tests through an anyio portal."""

    def __init__(self, folder: Path, portal: BlockingPortal, client):
        self.folder, self.portal, self.client = folder, portal, client

    def call(self, name: str, arguments: dict | None = None, **options):
        return self.portal.call(functools.partial(self.client.call_tool, name, arguments or {}, **options))

    def tools(self) -> list[str]:
        return [tool.name for tool in self.portal.call(self.client.list_tools).tools]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Session]:
    """One server for the module's quick tests (starting one costs about 2 s): an assistant's session."""
    folder = make_project(tmp_path_factory.mktemp("mcp") / "project")
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(mcp.Client(params(folder))) as client:
        yield Session(folder, portal, client)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_lists_the_tools_and_gives_a_broken_storyboards_problems_located(server: Session):
    names = set(server.tools())
    assert {"schema", "docs", "draft", "validate", "lint", "still", "sheet", "places", "render"} <= names
    result = server.call("validate", {"storyboard": "script/broken.yaml"})
    assert not result.is_error
    checked = result.structured_content
    assert checked["ok"] is False
    assert all(p["file"] == "script/broken.yaml" for p in checked["problems"])
    misspelt = next(p for p in checked["problems"] if "sorce" in p["message"])
    assert (misspelt["line"], misspelt["column"]) == (7, BROKEN.splitlines()[6].index("sorce") + 1)
    assert "source" in misspelt["fix"]  # the library's suggestion, apart from what is wrong
    kind = next(p for p in checked["problems"] if "titel" in p["message"])
    assert kind["line"] == 9 and "title" in kind["fix"]


def test_a_still_is_a_png_image_of_the_size_asked(server: Session):
    folder = server.folder
    settled = server.call("still", {"storyboard": "script/tiny.yaml", "scene": "figure"})
    assert not settled.is_error, settled.content
    image = next(block for block in settled.content if block.type == "image")
    assert image.mime_type == "image/png"
    assert _png_size(base64.b64decode(image.data)) == (320, 180)
    assert (folder / "output" / "tiny" / "stills" / "figure.png").is_file()  # where `explainer still` writes it
    smaller = server.call("still", {"storyboard": "script/tiny.yaml", "scene": "opening", "size": "640x360",
                                    "out": "look.png"})  # fmt: skip
    image = next(block for block in smaller.content if block.type == "image")
    assert _png_size(base64.b64decode(image.data)) == (640, 360)
    assert _png_size((folder / "look.png").read_bytes()) == (640, 360)
    unknown = server.call("still", {"storyboard": "script/tiny.yaml", "scene": "figures"})
    assert unknown.is_error and "did you mean 'figure'" in unknown.content[0].text
    sheet = server.call("sheet", {"storyboard": "script/tiny.yaml", "columns": 2})
    image = next(block for block in sheet.content if block.type == "image")
    width, height = _png_size(base64.b64decode(image.data))
    assert width > 2 * 320 > height  # two tiles side by side, labelled under them
    assert (folder / "output" / "tiny" / "sheet.png").is_file()


def test_paths_outside_the_project_are_refused(server: Session, tmp_path: Path):
    folder = server.folder
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(TINY, encoding="utf-8")
    png = tmp_path / "still.png"
    (folder / "script" / "link.yaml").symlink_to(outside)
    (folder / "out").symlink_to(tmp_path, target_is_directory=True)
    results = [
        server.call("validate", {"storyboard": str(outside)}),  # absolute, elsewhere
        server.call("validate", {"storyboard": "../elsewhere.yaml"}),  # climbs out
        server.call("validate", {"storyboard": "script/link.yaml"}),  # a link that points out
        server.call("still", {"storyboard": "script/tiny.yaml", "scene": "figure", "out": str(png)}),
        server.call("draft", {"script": "A title\n\nA paragraph.", "out": "out/story.yaml"}),  # a folder link out
        server.call("write_storyboard", {"path": "../story.yaml", "yaml": TINY}),
        server.call("read_storyboard", {"path": "/etc/passwd"}),
    ]
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


def test_without_the_sdk_the_command_says_what_to_install(tmp_path: Path):
    folder = make_project(tmp_path / "project")
    code = "import sys; sys.modules['mcp'] = None; from pipeline.cli import main; main()"
    run = subprocess.run(
        [sys.executable, "-c", code, "mcp", "--project", str(folder)], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)}, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "cannot be imported" in run.stderr and "pip install 'explainer[mcp]'" in run.stderr


@pytest.mark.slow  # narrates and renders a draft video: about 10 s
def test_an_authoring_session_drafts_fixes_and_renders_with_progress(tmp_path: Path):
    folder = make_project(tmp_path / "project")
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

    async def session():
        async with mcp.Client(params(folder)) as client:
            return await calls(client)

    drafted, wrong, right, rendered = anyio.run(session)
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
