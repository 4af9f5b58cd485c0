"""Property tests: whatever text a storyboard file holds, loading it gives a project or the project's own
validation error with a location, never anything else, and quickly.

Random text, random bytes, and a valid storyboard mutated line by line (lines
dropped, repeated, re-indented, cut short, characters swapped) are fed to the
loader.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import RenderOptions, validate
from pipeline.errors import StoryboardError, UsageError
from tests.conftest import REPO, TINY

#: Whatever the input, loading answers within this many seconds (fitting included).
LIMIT_SECONDS = 5.0

VALID = (
    TINY
    + """\
      - id: points
        slide: {kind: bullets, title: Three points, items: [One, Two, {text: Three, sentence: 1}]}
        narration: "One, two, three. [pause 0.5] Done."
music: {file: assets/bed.ogg, volume: -18}
theme: {extends: documentary, colors: {accent: '#e63946'}}
"""
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("props")
    (root / "assets").mkdir()
    shutil.copy(REPO / "assets" / "music" / "ambient-bed.ogg", root / "assets" / "bed.ogg")
    return root


def _load_text(folder: Path, data: bytes) -> None:
    story = folder / "story.yaml"
    story.write_bytes(data)
    started = time.perf_counter()
    try:
        validate(story, RenderOptions(size=(320, 180)))
    except StoryboardError as exc:
        assert exc.problems, "a validation error always says what is wrong"
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.message
    except UsageError:
        pass
    assert time.perf_counter() - started < LIMIT_SECONDS


PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)


@PROPERTY
@given(st.text(max_size=400))
def test_any_text_loads_or_is_a_located_error(folder, text):
    _load_text(folder, text.encode("utf-8"))


@PROPERTY
@given(st.binary(max_size=300))
def test_any_bytes_load_or_are_a_located_error(folder, data):
    _load_text(folder, data)


_mutation = st.tuples(
    st.sampled_from(["drop", "repeat", "indent", "dedent", "cut", "swap", "insert"]),
    st.integers(min_value=0, max_value=10_000),
    st.text(alphabet=" -:[]{},'\"#&*!|>\t\nabcxyz019", min_size=1, max_size=6),
)


def _mutate(text: str, mutations: list[tuple[str, int, str]]) -> str:
    lines = text.split("\n")
    for kind, where, junk in mutations:
        i = where % len(lines)
        line = lines[i]
        if kind == "drop":
            del lines[i]
        elif kind == "repeat":
            lines.insert(i, line)
        elif kind == "indent":
            lines[i] = "  " + line
        elif kind == "dedent":
            lines[i] = line[2:]
        elif kind == "cut":
            lines[i] = line[: where % (len(line) + 1)]
        elif kind == "swap" and line:
            at = where % len(line)
            lines[i] = line[:at] + junk[0] + line[at + 1 :]
        else:
            at = where % (len(line) + 1)
            lines[i] = line[:at] + junk + line[at:]
        if not lines:
            lines = [""]
    return "\n".join(lines)


@PROPERTY
@given(st.lists(_mutation, min_size=1, max_size=4))
def test_a_mutated_storyboard_loads_or_is_a_located_error(folder, mutations):
    _load_text(folder, _mutate(VALID, mutations).encode("utf-8"))
