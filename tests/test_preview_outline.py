"""The preview's outline: what the page shows before the first render is done (no render here)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PIL import Image

from pipeline.preview.server import media_file
from tests.conftest import REPO, TINY


@pytest.mark.parametrize("pool_from", [8, pytest.param(1, id="on-workers")])
def test_the_outline_comes_before_the_first_render(tmp_path, monkeypatch, pool_from):
    """A cold first render takes a minute or more; the page has the storyboard's scenes, narration and stills
    before it: the outline at once (no stills, no times, no video), then again as the stills are drawn (here,
    or on worker processes when there are many)."""
    import pipeline
    from pipeline.loading.options import RenderOptions
    from pipeline.preview import session as session_module
    from pipeline.preview.session import Session

    (tmp_path / "assets").mkdir()
    story = tmp_path / "tiny.yaml"
    story.write_text(TINY, encoding="utf-8")
    session = Session(story)
    options = RenderOptions(draft=True)
    monkeypatch.setattr(session_module, "OUTLINE_WIDTH", 160)
    monkeypatch.setattr(session_module, "OUTLINE_POOL_FROM", pool_from)
    project = pipeline.validate(story, options)
    told: list[dict] = []
    session.outline(project, options, lambda state: told.append(json.loads(json.dumps(state))))
    first, last = told[0], told[-1]
    assert [s["id"] for sec in first["sections"] for s in sec["scenes"]] == ["hello", "number"]
    assert first["status"] == "outline" and first["video"] is None
    scenes = [s for sec in last["sections"] for s in sec["scenes"]]
    assert all(s["still"] is None for sec in first["sections"] for s in sec["scenes"])
    assert scenes[1]["sentences"] == [{"text": "Thirty four thousand people.", "start": None, "end": None}]
    for scene in scenes:  # each still is a file the server serves, the page's thumbnail size in the video's shape
        path = media_file(session.media_root, scene["still"].removeprefix("/media/").split("?")[0])
        assert path is not None and Image.open(path).size == (160, 90)
    assert last["size"] == [320, 180]
    assert last["version"] > first["version"] and session.state["version"] == last["version"]


def _warm_here(folder: str) -> None:
    """A worker's warm-up (test): leave a file named by the process that ran it."""
    import os
    from pathlib import Path

    (Path(folder) / str(os.getpid())).touch()


def _fail() -> None:
    raise RuntimeError("a warm-up that fails")


def _pid() -> int:
    import os

    return os.getpid()


def test_a_pool_started_ahead_warms_each_worker_before_its_first_task(tmp_path):
    """The preview's outline waited for its workers to start, import and load fonts and map data (about 1.9 s)
    after the storyboard was read: they now start with the preview and load while it reads the storyboard."""
    from pipeline.rendering.executors.local import LocalPool, Warmup

    pool = LocalPool(1, warmup=Warmup(_warm_here, (str(tmp_path),)))
    try:
        pool.start()
        assert _children(), "the worker is started by start(), before any task"
        worker = pool.submit(_pid).result(timeout=60)
        assert [p.name for p in tmp_path.iterdir()] == [str(worker)], "its warm-up ran before its first task"
    finally:
        pool.close()
    broken = LocalPool(1, warmup=Warmup(_fail))
    try:  # a warm-up that fails leaves the worker as it was: the task loads what it needs itself
        assert broken.submit(_pid).result(timeout=60) > 0
    finally:
        broken.close()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the outline is drawn in the preview's process")
def test_the_preview_starts_the_outlines_worker_before_reading_the_storyboard(tmp_path):
    """``Session.start`` (called as the preview starts) has a worker up before the storyboard is read; the outline
    draws its stills on it and in this process, each once, then lets it go."""
    from pipeline.loading.options import RenderOptions
    from pipeline.loading.storyboard import read
    from pipeline.preview.session import Session

    (tmp_path / "assets").mkdir()
    story = tmp_path / "tiny.yaml"
    story.write_text(TINY, encoding="utf-8")
    session = Session(story)
    try:
        session.start()
        assert _children(), "a worker is up before anything is read"
        told: list[dict] = []
        session.outline(read(story).project, RenderOptions(draft=True), told.append)
        stills = [s["still"] for sec in told[-1]["sections"] for s in sec["scenes"]]
        assert all(stills) and len(set(stills)) == 2
        assert not _children(), "the outline's worker is let go once its stills are drawn"
    finally:
        session.close()


def _children() -> list:
    import psutil

    return [p for p in psutil.Process().children() if "resource_tracker" not in " ".join(p.cmdline())]


def test_the_slowest_stills_go_to_the_workers_first():
    """A map or a route first (each loads its data and draws the most), then a slide on a map or beside one."""
    from pipeline.loading.storyboard import read
    from pipeline.preview.session import slowest_first

    project = read(Path(__file__).parents[1] / "script" / "escape-north-korea.yaml").project
    ordered = sorted(project.entries(), key=slowest_first)
    kinds = [entry.scene.slide.kind for entry in ordered]
    assert set(kinds[:3]) == {"map", "route"} and "map" not in kinds[3:] and "route" not in kinds[3:]
    ids = [entry.id for entry in ordered]
    assert ids.index("cold-open") < ids.index("largest-prison"), "a title over a map before a plain list"


def test_the_preview_spawns_its_worker_before_importing_the_rest():
    """The outline's worker is the longest path to the first state: the command spawns it before importing the
    server, numpy, Pillow, YAML or the storyboard's models (those load here while it starts on the other core)."""
    import subprocess
    import sys

    code = (
        "import sys; import pipeline.cli, pipeline.preview; from pathlib import Path;"
        "from pipeline.preview.session import Session; Session(Path('x/script/a.yaml'));"
        "heavy = ('numpy', 'PIL', 'yaml', 'pydantic', 'starlette', 'uvicorn', 'pipeline.drawing.slides');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert loaded.stdout.strip() == "[]"


def test_the_page_adds_each_new_still_without_drawing_the_others_again():
    """The outline comes again every few tenths of a second as stills are drawn: the page makes a picture only for
    a scene whose still is new, and keeps the items of the scenes that did not change (their stills are not made
    and decoded again on every update)."""
    import io

    from playwright.sync_api import sync_playwright

    from tests.conftest import chromium

    static = Path(__file__).resolve().parent.parent / "pipeline" / "preview" / "static"
    png = io.BytesIO()
    Image.new("RGB", (32, 18), "#336699").save(png, format="PNG")

    def scene(scene_id: str, still: str | None) -> dict:
        said = [{"text": f"{scene_id}.", "start": None, "end": None}]
        return {"id": scene_id, "kind": "statement", "index": 0, "start": None, "duration": None, "still": still,
                "reveals": [], "waveform": [], "sentences": said}  # fmt: skip

    def state(version: int, stills: int) -> dict:
        ids = ["one", "two", "three"]
        scenes = [scene(i, f"/media/{i}.png" if n < stills else None) for n, i in enumerate(ids)]
        return {"version": version, "status": "outline", "problems": [], "title": "t", "slug": "t", "duration": None,
                "size": [320, 180], "video": None, "chapters": [], "files": [], "took": 0.0,
                "sections": [{"number": 1, "title": "Only", "scenes": scenes}]}  # fmt: skip

    events = "".join(f"event: state\ndata: {json.dumps(state(v, v))}\n\n" for v in (1, 2, 3))
    files = {"/": ("index.html", "text/html"), "/static/app.js": ("app.js", "text/javascript"),
             "/static/style.css": ("style.css", "text/css")}  # fmt: skip

    def answer(route):
        path = route.request.url.split("//", 1)[1].split("/", 1)[1]
        path = "/" + path.split("?")[0]
        if path in files:
            name, kind = files[path]
            return route.fulfill(body=(static / name).read_bytes(), content_type=kind)
        if path == "/events":
            return route.fulfill(body=events, content_type="text/event-stream")
        if path.startswith("/media/"):
            return route.fulfill(body=png.getvalue(), content_type="image/png")
        return route.fulfill(status=404, body="")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True)
        try:
            page = browser.new_page()
            page.add_init_script("""window.made = 0; const make = document.createElement.bind(document);
                document.createElement = (tag, ...rest) => { if (tag === "img") window.made += 1;
                return make(tag, ...rest); };""")
            page.route("**/*", answer)
            page.goto("http://preview.test/")
            page.wait_for_function("document.querySelectorAll('.scene img').length === 3")
            assert page.evaluate("window.made") == 3  # one picture a still: 1 + 2 + 3 when each update drew all again
            assert page.evaluate("[...document.querySelectorAll('.scene')].map((s) => s.dataset.id)") == [
                "one", "two", "three"]  # fmt: skip
        finally:
            browser.close()


MAPS = """\
title: Maps and cards
video: {width: 320, height: 180, fps: 30}
sections:
  - title: Only
    scenes:
"""


def test_the_preview_leaves_the_last_few_maps_to_its_warmed_worker(tmp_path, monkeypatch):
    """This process draws the quick stills; a still that needs a map's data it leaves to the worker (whose tables
    are loaded) when only a few are left: loading them here for one took longer than the worker's whole share,
    and held the worker's stills back meanwhile. Every still is drawn all the same."""
    import pipeline
    from pipeline.loading.options import RenderOptions
    from pipeline.preview import session as session_module
    from pipeline.preview.session import Session
    from pipeline.rendering import stills

    (tmp_path / "assets").mkdir()
    places = ["North Korea", "South Korea", "Japan", "China"]
    said = "        narration: A sentence to say.\n"
    on_map = "        slide: {{kind: title, title: Map {n}, backdrop: {{map: {{show: [{place}]}}}}}}\n"
    scenes = [f"      - id: map-{n}\n" + on_map.format(n=n, place=place) for n, place in enumerate(places)]
    scenes += [f"      - id: card-{n}\n        slide: {{kind: title, title: Card {n}}}\n" for n in range(4)]
    scenes = [scene + said for scene in scenes]
    story = tmp_path / "maps.yaml"
    story.write_text(MAPS + "".join(scenes), encoding="utf-8")
    here: list[str] = []
    drawn_here = stills.still_png
    monkeypatch.setattr(stills, "still_png", lambda *args: here.append(args[2]) or drawn_here(*args))
    monkeypatch.setattr(session_module, "OUTLINE_WIDTH", 160)
    monkeypatch.setattr(session_module, "OUTLINE_POOL_FROM", 2)
    session = Session(story)
    options = RenderOptions(draft=True)
    told: list[dict] = []
    try:
        session.outline(pipeline.validate(story, options), options, told.append)
    finally:
        session.close()
    assert all(s["still"] for sec in told[-1]["sections"] for s in sec["scenes"])
    assert not [scene_id for scene_id in here if scene_id.startswith("map-")], here  # the cards: as the cores allow
