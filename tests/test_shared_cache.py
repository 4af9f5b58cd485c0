"""The cache shared between machines at an fsspec URL: a real S3 server (moto's) on loopback, real s3fs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import explainer
from test_cluster import STORY, _decoded, _project

from pipeline.core import cache
from pipeline.core.remotecache import Shared

pytest.importorskip("s3fs", reason='the shared cache tests need the cluster extra: pip install -e ".[test]"')


@pytest.fixture(scope="module")
def s3():
    """An S3 server on a free loopback port, with a bucket 'team'; the environment that reaches it."""
    import fsspec
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://{host}:{port}"}  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        fsspec.get_filesystem_class("s3").clear_instance_cache()
        fsspec.filesystem("s3").mkdir("team")
        yield env
        fsspec.get_filesystem_class("s3").clear_instance_cache()
    server.stop()


def _store(root: Path, url: str) -> cache.Store:
    return cache.Store(root, Shared(url))


def test_of_two_machines_racing_on_a_sentence_the_first_take_is_kept_by_both(s3, tmp_path):
    url = "s3://team/race"
    first, second = _store(tmp_path / "a", url), _store(tmp_path / "b", url)
    assert first.write_once_checked(first.path("audio", "k", ".f32"), b"first take") == b"first take"
    # The second machine made its own take meanwhile: the shared one wins, here and on its disk.
    assert second.write_once_checked(second.path("audio", "k", ".f32"), b"second take") == b"first take"
    assert cache.read_checked(second.path("audio", "k", ".f32")) == b"first take"
    assert Shared(url).read("audio/k.f32")[: -cache.CHECKSUM] == b"first take"


def test_an_entry_missing_here_is_fetched_whole_and_a_damaged_shared_one_is_dropped(s3, tmp_path):
    url = "s3://team/fetch"
    maker, user = _store(tmp_path / "a", url), _store(tmp_path / "b", url)
    clip = maker.path("scenes", "abc", ".mp4")
    cache.write_bytes(clip, b"a clip's bytes")
    maker.share(clip)
    wanted = user.path("scenes", "abc", ".mp4")
    assert user.has(wanted) and wanted.read_bytes() == b"a clip's bytes"
    assert not user.has(user.path("scenes", "missing", ".mp4"))
    assert not [p for p in (tmp_path / "b").rglob("*") if cache.is_partial(p.name)], "no partial file left"

    Shared(url).fs.pipe_file("team/fetch/audio/bad.f32", b"cut short")
    assert user.read_checked(user.path("audio", "bad", ".f32")) is None
    assert Shared(url).read("audio/bad.f32") is None, "the damaged entry was dropped for the next machine"


@pytest.mark.slow
def test_a_second_machine_renders_from_the_shared_cache(s3, tmp_path):
    """Machine B (its own folder, its own empty local cache) narrates and draws nothing that machine A did: its
    video is A's, frame for frame and sample for sample."""
    url = "s3://team/videos"
    videos, said = [], []
    for machine in ("a", "b"):
        story = _project(tmp_path / machine, STORY)
        run = explainer("render", str(story), "--size", "320x180", "--cache", url, cwd=tmp_path / machine, env=s3)
        assert run.returncode == 0, run.stderr
        videos.append(tmp_path / machine / "output" / "story" / "story.mp4")
        said.append(run.stdout + run.stderr)
    assert "3 rendered, 0 from cache" in said[0] and "5 sentence(s) synthesized" in said[0], said[0]
    assert "0 rendered, 3 from cache" in said[1] and "0 sentence(s) synthesized" in said[1], said[1]
    assert _decoded(videos[0]) == _decoded(videos[1])
    kinds = {path.split("/")[2] for path in Shared(url).fs.find("team/videos")}
    assert {"audio", "scenes", "soundtracks"} <= kinds, kinds


@pytest.mark.slow  # 1.5-2.5 s: the full run's (the fast tier keeps to a minute)
def test_a_shared_cache_that_cannot_be_reached_is_said_before_anything_is_narrated(s3, tmp_path):
    story = _project(tmp_path / "project")
    for url, said in (("s3://no-such-bucket/x", "there is no bucket 'no-such-bucket'"),
                      ("nosuch://x", "--cache nosuch://x: Protocol not known")):  # fmt: skip
        run = explainer("render", str(story), "--cache", url, cwd=tmp_path / "project", env=s3)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert said in run.stderr, run.stderr
    assert not list((tmp_path / "project" / "output").rglob("*.f32")), "nothing was narrated"


@pytest.mark.slow
def test_a_store_that_fails_during_a_render_is_one_message(s3, tmp_path, monkeypatch):
    """An S3 error after the start (the network, expired credentials) was botocore's traceback."""
    from pipeline.core.errors import RenderError

    store = _store(tmp_path / "a", "s3://team/failing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    store.shared.fs.clear_instance_cache()
    store.shared = Shared("s3://team/failing")
    try:
        with pytest.raises(RenderError, match=r"the shared cache at s3://team/failing failed: .*render again"):
            store.has(store.path("scenes", "abc", ".mp4"))
    finally:
        store.shared.fs.clear_instance_cache()  # the next test's s3:// reaches the real server again
    assert not list((tmp_path / "a").rglob(".explainer-part-*")), "no partial file left"
