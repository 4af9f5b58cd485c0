"""`explainer preview`: the real command, a real server, a real browser (the system's Chromium, driven by Playwright).

One session per test file: starting the server, the browser and the first render is most of the cost.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import TINY, chromium

from pipeline.preview.server import media_file

pytestmark = pytest.mark.slow  # a server, a browser and several renders


def _children(pid: int) -> set[int]:
    """Every process below ``pid``."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = {int(k) for k in (task / "children").read_text().split()}
        except OSError:
            continue
        for kid in kids:
            found |= {kid, *_children(kid)}
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is still a live process (a zombie has ended: only its exit status is left to collect)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def preview(tmp_path):
    """``explainer preview`` on the tiny storyboard: (project folder, storyboard, url, process)."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "script").mkdir()
    story = tmp_path / "script" / "tiny.yaml"
    story.write_text(TINY, encoding="utf-8")
    exe = shutil.which("explainer")
    cmd = [exe] if exe else [sys.executable, "-m", "pipeline"]
    process = subprocess.Popen(
        [*cmd, "preview", "script/tiny.yaml"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    line = process.stdout.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    assert match, (line, process.stderr.read() if process.poll() is not None else "")
    yield tmp_path, story, match.group(1), process
    if process.poll() is None:
        process.kill()
        process.wait()


def _state(url: str) -> dict:
    with urllib.request.urlopen(url + "api/state", timeout=10) as reply:
        return json.load(reply)


def _wait(page, script: str, arg=None, timeout: float = 60_000):
    page.wait_for_function(script, arg=arg, timeout=timeout)


def test_the_page_follows_every_save_and_shows_errors(preview):
    from playwright.sync_api import sync_playwright

    _, story, url, process = preview
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        # The storyboard as the video: its scenes, in order, each with a still, and a player with chapter marks.
        _wait(page, "document.querySelectorAll('.scene').length === 2 && document.getElementById('video').duration > 0")
        assert page.eval_on_selector_all(".scene", "els => els.map(e => e.dataset.id)") == ["hello", "number"]
        assert page.eval_on_selector_all(".chapters button", "els => els.map(e => e.textContent)") == [
            "Opening", "Numbers",
        ]  # fmt: skip
        # Each still loads once the state names it (the outline's stills give way to the render's): waited for.
        _wait(page, "[...document.querySelectorAll('.scene img')].every(i => i.complete && i.naturalWidth === 320)")
        first = page.evaluate("document.getElementById('video').duration")
        # Clicking a scene seeks to it and selects it: its sentences and their times, its waveform.
        page.click(".scene[data-id=number]")
        assert page.inner_text("#detail-title").startswith("number · stat")
        assert "Thirty four thousand people." in page.inner_text("#sentences")

        # A save written in place: the new narration and a longer video.
        story.write_text(TINY.replace("Thirty four thousand people.", "Thirty four thousand people, in thirty years."))
        _wait(page, "document.querySelector('.scene[data-id=number] .narration').textContent.includes('thirty years')")
        _wait(page, "d => document.getElementById('video').duration > d + 0.5", first)
        assert "1 scene re-rendered" in page.inner_text("#status")
        second = page.evaluate("document.getElementById('video').duration")

        # A save by writing a new file and renaming it over the old one, as many editors do.
        temporary = story.with_name("tiny.yaml.new")
        edited = story.read_text().replace("This is a tiny video.", "A tiny video about rivers and the sea.")
        temporary.write_text(edited)
        os.replace(temporary, story)
        _wait(page, "document.querySelector('.scene[data-id=hello] .narration').textContent.includes('rivers')")
        _wait(page, "d => document.getElementById('video').duration > d + 0.5", second)

        # A scene clicked while the new video loads is where it starts, not the old playhead the page puts back
        # (a seek before the metadata is the media element's default start position, applied after that).
        page.click(".scene[data-id=hello]")  # the playhead at 0
        held: list = []
        page.route("**/*.mp4*", lambda route: held.append(route) if held is not None else route.continue_())
        story.write_text(story.read_text().replace("rivers and the sea", "rivers and the sea, and lakes"))
        _wait(page, "document.querySelector('.scene[data-id=hello] .narration').textContent.includes('lakes')")
        page.click(".scene[data-id=number]")
        assert held, "the new video was asked for"
        routes, held = held, None
        for route in routes:
            route.continue_()
        start = next(s["start"] for sec in _state(url)["sections"] for s in sec["scenes"] if s["id"] == "number")
        _wait(page, "s => Math.abs(document.getElementById('video').currentTime - s) < 0.1", start)

        # A burst of writes (an editor writing a file in pieces) is one save: one render, one new state.
        before = _state(url)["version"]
        page.evaluate("""() => { window.renders = 0; window.listening = new EventSource('/events');
            window.listening.addEventListener('rendering', () => { window.renders += 1; }); }""")
        _wait(page, "window.listening.readyState === 1")
        text = story.read_text()
        for n in range(5):
            story.write_text(text.replace("rivers and the sea", f"rivers and the sea, take {n}"))
            time.sleep(0.005)
        _wait(page, "document.querySelector('.scene[data-id=hello] .narration').textContent.includes('take 4')")
        time.sleep(1.5)  # time for any second render to show itself
        assert _state(url)["version"] == before + 1
        assert page.evaluate("window.renders") == 1  # one render started, not one per write

        # A save while a render is under way cancels it: its state never shows, the newer one does. The page logs
        # the events in order; the second save must be seen (a third "rendering") before the first render ends,
        # which a busy machine can miss with a short revision: then it is tried again with a longer one.
        page.evaluate("""() => { window.log = []; for (const kind of ['rendering', 'state'])
            window.listening.addEventListener(kind, () => window.log.push(kind)); }""")
        text = story.read_text()
        for attempt, count in enumerate((6, 24, 60)):
            before, seen = _state(url)["version"], page.evaluate("window.log.length")
            long = " ".join(f"This is added sentence number {n} of a long revision." for n in range(1, count + 1))
            story.write_text(text.replace("Thirty four thousand people", f"{long} Thirty four thousand people"))
            _wait(page, "n => window.log.length > n", seen)  # the first save is being rendered
            final = f"Exactly thirty four thousand people, try {attempt}"
            story.write_text(text.replace("Thirty four thousand people", final))
            narration = "t => document.querySelector('.scene[data-id=number] .narration').textContent.includes(t)"
            _wait(page, narration, final)
            time.sleep(1.0)
            log = page.evaluate("n => window.log.slice(n)", seen)
            if log[:2] == ["rendering", "state"]:
                continue  # the first render ended before the second save was seen: not this case
            assert log == ["rendering", "rendering", "state"], log
            assert _state(url)["version"] == before + 1
            assert "added sentence" not in page.inner_text(".scene[data-id=number] .narration")
            break
        else:
            raise AssertionError("no revision was long enough to be saved over while it rendered")
        assert not [p for p in (story.parent.parent / "output").rglob("*") if p.name.startswith(".explainer-part-")]
        good = _state(url)["version"]

        # A broken save: the located error with the YAML around it; the last video still plays.
        story.write_text(TINY.replace("value: 34000", "value: lots"))
        _wait(page, "!document.getElementById('problems').hidden")
        problems = page.inner_text("#problems")
        assert re.search(r"script/tiny\.yaml:\d+:\d+", problems), problems
        assert "value: lots" in problems
        assert page.evaluate("document.getElementById('video').src").endswith(f".mp4?v={good}")
        page.evaluate("document.getElementById('video').play()")
        _wait(page, "document.getElementById('video').currentTime > 0.3", timeout=20_000)
        assert page.evaluate("document.getElementById('video').error") is None
        browser.close()

    # The server serves only the preview's own files, and only to its own address.
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    for path in ("/media/../script/tiny.yaml", "/media/%2e%2e/script/tiny.yaml", "/media//etc/passwd"):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", path)
        assert connection.getresponse().status == 404, path
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/api/state", headers={"Host": "attacker.example"})
    assert connection.getresponse().status == 400

    # Ctrl-C while a render is under way: the server stops and leaves no process behind.
    story.write_text(TINY.replace("Hello there.", "Hello there, and welcome."))
    time.sleep(1.0)
    below = _children(process.pid)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert "Traceback" not in process.stderr.read()
    time.sleep(0.5)
    assert [pid for pid in below if _running(pid)] == []


def test_a_media_path_no_file_can_have_is_a_404_said_in_one_line(preview):
    """A null byte or a name too long for the disk was a 500, with a traceback in the preview's terminal."""
    _, _, url, process = preview
    deadline = time.monotonic() + 120
    while not _state(url).get("video") and time.monotonic() < deadline:  # the folder is there: a name is looked up
        time.sleep(0.2)
    assert _state(url).get("video"), _state(url)
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    asked = ["/media/%00", "/media/tiny/a%00b.mp4", "/media/" + "x" * 300 + ".mp4", "/media/tiny/" + "y" * 300]
    for path in asked:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", path)
        reply = connection.getresponse()
        assert (reply.status, reply.read()) == (404, b"not found"), path
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    out, err = process.stdout.read(), process.stderr.read()
    assert "Traceback" not in out + err and "Exception" not in out + err, err
    refused = [line for line in out.splitlines() if line.startswith("preview: refused /media/")]
    assert len(refused) == len(asked), out
    assert "\\x00" in refused[0] and "embedded null byte" in refused[0], refused
    assert "File name too long" in refused[2] and "(304 characters)" in refused[2], refused


def test_media_paths_stay_inside_the_preview_folder(tmp_path):
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "a.mp4").write_bytes(b"x")
    (tmp_path / "link").symlink_to("/etc")
    assert media_file(tmp_path, "tiny/a.mp4") == (tmp_path / "tiny" / "a.mp4").resolve()
    for asked in ("../x", "/etc/passwd", "tiny/../../x", "link/passwd", "tiny", "", "C:/x"):
        assert media_file(tmp_path, asked) is None, asked
