"""The preview's outline: what the page shows before the first render is done (no render here)."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from pipeline.preview.server import media_file
from tests.conftest import TINY


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
