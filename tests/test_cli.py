"""The command line as a user meets it: messages, exit codes, no tracebacks, nothing half-written."""

from __future__ import annotations

import contextlib
import json

import pytest
from PIL import Image

from tests.conftest import SHIPPED, TINY, explainer, probe


def test_validate_ok():
    run = explainer("validate", str(SHIPPED))
    assert run.returncode == 0 and "ok (6 sections" in run.stdout


def test_validate_reports_every_problem_with_location(project):
    story = project(
        "title: T\nsections:\n  - title: S\n    scenes:\n      - id: a\n        slide: {kind: stats}\n"
        "        narration: Hi.\n      - id: b\n        slide: {kind: title, title: T}\n"
    )
    run = explainer("validate", str(story))
    assert run.returncode == 2
    assert f"{story}:6:23: unknown slide kind 'stats' (did you mean 'stat'?)" in run.stderr
    assert f"{story}:8:" in run.stderr and "missing required field 'narration'" in run.stderr
    assert "2 problems found" in run.stderr and "Traceback" not in run.stderr


def test_messages_show_brackets_the_user_needs_to_read(project):
    """Rich must not eat "[longitude, latitude]" as markup: the fix it names has to be on screen."""
    story = project(
        "title: T\nsections:\n  - title: S\n    scenes:\n      - id: a\n"
        "        slide: {kind: route, stops: [North Korea, Chnia]}\n        narration: Hi.\n"
    )
    run = explainer("validate", str(story))
    assert run.returncode == 2
    assert "unknown place 'Chnia' (did you mean 'China'" in run.stderr
    assert "or give its [longitude, latitude] under 'places:'" in run.stderr


def test_bad_storyboard_renders_nothing(project, tmp_path):
    story = project("title: T\nsections: []\n")
    run = explainer("render", str(story), cwd=tmp_path)
    assert run.returncode == 2 and "'sections' needs at least 1 item" in run.stderr
    assert not (tmp_path / "output").exists()


def test_a_file_given_as_the_cache_names_the_cache_option(project, tmp_path):
    """--cache good.yaml (a file, not a folder) is --cache's mistake: it was said as a folder in the way, to be
    moved or to be replaced with --output. Nothing is written, the file least of all."""
    story = project(TINY)
    before = story.read_bytes()
    for value, says in ((story.name, "'story.yaml' is a file"), (f"{story.name}/sub", "is inside story.yaml")):
        run = explainer("render", str(story), "--cache", value, cwd=tmp_path)
        assert run.returncode == 2, run.stderr
        assert "'--cache'" in run.stderr and says in run.stderr and "--cache takes a folder" in run.stderr
        assert "--output" not in run.stderr and "Traceback" not in run.stderr
    assert story.read_bytes() == before and not (tmp_path / "output").exists()


def test_missing_file_and_unknown_scene(project, tmp_path):
    run = explainer("validate", str(tmp_path / "nope.yaml"))
    assert run.returncode == 2 and "no such file" in run.stderr and "Traceback" not in run.stderr
    run = explainer("still", str(project(TINY)), "helo")
    assert run.returncode == 2 and "no scene 'helo' (did you mean 'hello'?)" in run.stderr


def test_schema_is_json_schema():
    run = explainer("schema")
    schema = json.loads(run.stdout)
    assert run.returncode == 0 and schema["title"] == "explainer storyboard" and "sections" in schema["properties"]


def test_still_writes_the_settled_frame(project, tmp_path):
    out = tmp_path / "frame.png"
    run = explainer("still", str(project(TINY)), "number", "-o", str(out), "--size", "640x360")
    assert run.returncode == 0, run.stderr
    with Image.open(out) as image:
        assert image.size == (640, 360)
        assert len(set(image.convert("RGB").getdata())) > 20, "the frame is (nearly) blank"


def test_still_at_a_time_past_the_scenes_end_is_refused(project, tmp_path):
    """A frame past the end would be the last one, labelled as a time the scene never reaches: say so instead."""
    out = tmp_path / "frame.png"
    quick = TINY.replace("engine: piper", "engine: espeak")  # timing the scene narrates it: the quick voice
    run = explainer("still", str(project(quick)), "number", "--at", "60", "-o", str(out))
    assert run.returncode == 2 and "scene 'number' lasts" in run.stderr and "--at 60 is past its end" in run.stderr
    assert "Traceback" not in run.stderr and not out.exists()


@pytest.mark.slow
def test_a_format_renders_into_its_own_folder_at_its_shape(project):
    """--format vertical: a 9:16 video in output/<slug>/vertical/, the wide output untouched; still and sheet
    follow; a --size of another shape is refused."""
    story = project(TINY)
    run = explainer("render", str(story), "--format", "vertical", "--size", "180x320")
    assert run.returncode == 0, run.stderr
    out = story.parent / "output" / "story"
    facts = probe(out / "vertical" / "story.mp4")
    assert (facts["width"], facts["height"]) == (180, 320)
    assert not (out / "story.mp4").exists(), "the wide video is not written by a vertical render"
    still = explainer("still", str(story), "number", "--format", "square", "--size", "270x270")
    assert still.returncode == 0, still.stderr
    with Image.open(out / "square" / "stills" / "number.png") as image:
        assert image.size == (270, 270)
    wrong = explainer("render", str(story), "--format", "vertical", "--size", "320x180")
    assert wrong.returncode == 2 and "not the vertical format's shape (1080x1920)" in wrong.stderr


#: The command with a 4:5 format and an executor plugged in first, as a contributor registers them
#: (docs/extending.md).
PLUGGED_IN = """\
from pipeline.core.formats import FORMATS, FormatProfile, Insets
from pipeline.rendering.executors import EXECUTORS, Serial
FORMATS["portrait45"] = FormatProfile("portrait45", (1080, 1350), Insets.even(0.035), Insets(), 32, (1080, 1350))
def threads(workers):
    \"\"\"Scene jobs on threads of this process.\"\"\"
    return Serial()
EXECUTORS["threads"] = threads
from pipeline.entry import main
main()
"""


def _plugged_in(*args: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", PLUGGED_IN, *args], capture_output=True, text=True, timeout=600, check=False
    )


def test_the_help_names_every_format_and_executor_registered():
    """--format's and --executor's help are made from FORMATS and EXECUTORS: a new one is in them, with no edit."""
    run = _plugged_in("render", "--help")
    said = " ".join(run.stdout.split())
    assert run.returncode == 0, run.stderr
    assert "vertical 9:16 1080x1920 (into output/<slug>/vertical/)" in said
    assert "portrait45 4:5 1080x1350 (into output/<slug>/portrait45/)" in said
    assert "--executor local|serial|threads|dask://HOST:PORT" in said
    assert "threads: scene jobs on threads of this process;" in said


@pytest.mark.slow
def test_a_size_of_another_shape_is_refused_with_a_size_that_is_taken(project):
    """The example a refused --size gives is a size --size takes: for a 4:5 format a quarter of 1080x1350 was
    270x337, refused as odd when given back. It keeps the format's shape exactly, both sides even."""
    import re

    story = project(TINY)
    wrong = explainer("render", str(story), "--format", "vertical", "--size", "320x180")
    assert wrong.returncode == 2 and "e.g. 270x480" in wrong.stderr, wrong.stderr
    wrong = _plugged_in("render", str(story), "--format", "portrait45", "--size", "320x180")
    assert wrong.returncode == 2 and "not the portrait45 format's shape (1080x1350)" in wrong.stderr, wrong.stderr
    width, height = map(int, re.search(r"e\.g\. (\d+)x(\d+)", wrong.stderr).groups())
    assert width % 2 == height % 2 == 0 and width * 5 == height * 4, (width, height)
    taken = _plugged_in("validate", str(story), "--format", "portrait45", "--size", f"{width}x{height}")
    assert taken.returncode == 0, taken.stderr


def test_python_dash_m_works():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, check=False)
    assert run.returncode == 0 and "explainer" in run.stdout


@pytest.mark.slow
def test_a_batch_renders_every_storyboard_it_can_and_says_which_failed(project, tmp_path):
    first = project(TINY, "a.yaml")
    second = project(TINY.replace("Hello world", "Hello batch"), "b.yaml")
    broken = project(TINY.replace("value: 34000", "value: lots"), "broken.yaml")
    run = explainer("render", first.name, second.name, broken.name, "--quiet", cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "broken.yaml:13:36: 'value' must be a number" in run.stderr
    assert "1 of 3 videos failed; the others were rendered" in run.stderr
    rows = {line.split()[0]: line for line in run.stdout.splitlines()[1:]}
    assert "2 of 2" in rows["a.yaml"] and "1 of 2" in rows["b.yaml"], run.stdout  # the shared stat drawn once
    assert rows["broken.yaml"].rstrip().endswith("failed")
    for slug in ("a", "b"):
        assert probe(tmp_path / "output" / slug / f"{slug}.mp4")["frames"] > 0
    alone = explainer("render", first.name, second.name, "--scene", "hello", cwd=tmp_path)
    assert alone.returncode == 2 and "--scene renders one storyboard in one format" in alone.stderr


def test_a_batch_table_is_as_wide_as_its_paths_when_piped(project, tmp_path):
    """Piped, the console is 80 columns wide, and the table cut its paths ('a-storyboard-with-a-long-na')."""
    long = "a-storyboard-with-a-long-name-in-a-folder-of-its-own-that-is-deep.yaml"
    run = explainer("render", f"missing/{long}", f"missing/second-{long}", "--quiet", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert f"missing/{long}" in run.stdout and f"missing/second-{long}" in run.stdout, run.stdout


@pytest.mark.slow
def test_a_storyboard_in_several_formats_is_one_batch(project, tmp_path):
    story = project(TINY, "tiny.yaml")
    run = explainer("render", story.name, "--format", "wide", "--format", "square", "--quiet", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    rows = [line.split() for line in run.stdout.splitlines() if line.strip().endswith("ok")]
    assert [(row[1], row[2]) for row in rows] == [("wide", "output/tiny/tiny.mp4"),
                                                  ("square", "output/tiny/square/tiny.mp4")]  # fmt: skip
    assert (
        probe(tmp_path / "output/tiny/square/tiny.mp4")["width"],
        probe(tmp_path / "output/tiny/tiny.mp4")["width"],
    ) == (1080, 320)


@pytest.mark.slow
def test_icons_lists_the_names_a_slide_may_use_and_says_which_are_close_to_one_it_lacks():
    """A creator had to look inside the installed package to learn that 'shovel' is not a free icon."""
    found = explainer("icons", "bread")
    assert found.returncode == 0 and found.stdout.split() == ["bread-slice"], found.stderr
    every = explainer("icons").stdout.split()
    assert len(every) > 1000 and every == sorted(every) and "leaf" in every and "wind" in every
    missing = explainer("icons", "shovel")
    assert missing.returncode == 2 and "no icon 'shovel' (did you mean" in missing.stderr, missing.stderr


@pytest.mark.parametrize(
    "args", [("places",), ("places", "Spring"), ("icons",), ("--help",), ("validate", str(SHIPPED))], ids=" ".join
)
def test_a_reader_that_stops_reading_ends_the_command_quietly(args):
    """`explainer places NAME | head` ended in a traceback (or 'cannot write: Broken pipe; choose another folder
    with --output') once head had what it wanted. Here the pipe's reader has gone before the command starts, so
    its first write breaks it, whatever the command and however little it prints: no message, no traceback, and
    status 1, as click ends its own help."""
    import os
    import shutil
    import subprocess
    import sys

    exe = shutil.which("explainer")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "pipeline", *args]
    read, write = os.pipe()
    os.close(read)
    try:
        run = subprocess.run(cmd, stdout=write, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        os.close(write)
    assert run.stderr == "", run.stderr
    assert run.returncode == 1


def test_a_first_render_starts_its_workers_before_the_check_and_a_rerender_does_not(project, tmp_path):
    """A storyboard's first render draws every scene on the workers: they start (importing the drawing, and
    loading the voice when they will speak) while this process checks the storyboard, on the other core. A few
    sentences are said here, so their workers load no voice; a re-render, usually one scene drawn in this
    process, starts none early."""
    from pipeline.cli import start_early
    from pipeline.loading.options import RenderOptions
    from pipeline.rendering.executors.local import LocalPool

    quick = TINY.replace("engine: piper", "engine: espeak")  # a voice that loads at once
    talky = quick.replace("narration: Hello there.", "narration: " + "One more thing. " * 8)
    assert talky != quick
    cases = [(quick, "a", (True, False)), (talky, "b", (True, True)), (quick, "a", None)]
    for text, name, loaded in cases:
        story = project(text, f"{name}.yaml")
        options = RenderOptions(output_dir=tmp_path / name, cache_dir=tmp_path / "cache")
        pool = LocalPool(2)
        with contextlib.ExitStack() as workers:
            start_early(story, options, pool, workers)
            assert pool.started is (loaded is not None)
            if loaded is not None:
                assert pool.submit(_loaded).result(timeout=60) == loaded
        assert not pool.started  # let go on the way out
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / "render.json").write_text("{}")  # as a render leaves it: the next is a re-render


def _loaded() -> tuple[bool, bool]:
    """In a worker: whether the drawing and the voices' code were loaded before its first task."""
    import sys

    return "pipeline.drawing.slides" in sys.modules, "pipeline.narration.engines" in sys.modules
