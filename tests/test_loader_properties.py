"""Property tests: whatever text a storyboard file holds, loading it gives a project or the project's own
validation error with a location, never anything else, and quickly.

Random text, random bytes, a valid storyboard mutated line by line (lines
dropped, repeated, re-indented, cut short, characters swapped) and mutated as
data (a value replaced by any other shape, nested deep, a collection made
huge, a scalar made long, a field dropped or made up) are fed to the loader.
Every problem must point inside the file it names; for a data mutation, at
least one must point at the lines the mutation wrote.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline import RenderOptions, validate
from pipeline.core import yamlsrc
from pipeline.core.errors import StoryboardError, UsageError
from tests.conftest import REPO, TINY

#: Whatever the input, loading answers within this many seconds of CPU time (fitting included). CPU time, not the
#: clock's: on a machine busy with other work the clock also counts the time this process waited for a core.
LIMIT_SECONDS = 5.0
#: ... and for a storyboard made huge (up to about 1 MB: 1,500 copies of a section list, 100,000-character text).
HUGE_LIMIT_SECONDS = 10.0  # loose (the slowest takes 1.1 s): it catches a slow path, not noise

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


def _load_text(folder: Path, data: bytes, limit: float = LIMIT_SECONDS) -> list:
    """Validate ``data`` as a storyboard; the problems found (none when it is valid), each checked to be located.

    Only the validation is timed: checking where each problem points is the test's own work. (It once split the
    whole file again for every problem: 1,182 problems on a 737 KB storyboard took 12 s to check, after 1 s of
    validation, and on a busy machine the two together passed the 30 s limit.)
    """
    story = folder / "story.yaml"
    story.write_bytes(data)
    problems = []
    usage = None
    started = time.process_time()
    try:
        validate(story, RenderOptions(size=(320, 180)))
    except StoryboardError as exc:
        problems = exc.problems
        assert problems, "a validation error always says what is wrong"
    except UsageError as exc:
        usage = exc
    spent = time.process_time() - started
    if usage is not None:
        assert str(usage).startswith(str(story)), "a usage error names the file"
    # YAML's line breaks (what its line numbers count): \r\n, \r, \n, NEL, and the Unicode line and paragraph separators
    lines = re.split("\r\n|[\r\n\x85\u2028\u2029]", data.decode("utf-8", "replace")) if problems else []
    for problem in problems:
        _assert_located(problem, story, lines)
    assert spent < limit, f"validating took {spent:.1f} s of CPU time, more than {limit:g}"
    return problems


def _assert_located(problem, story: Path, lines: list[str]) -> None:
    """The problem points at a real place in the file it names (``lines``: the story's lines as YAML counts them),
    and reads as a sentence, not Python's insides."""
    assert problem.message and "Traceback" not in problem.message and "pydantic" not in problem.message
    assert "<class" not in problem.message and "object at 0x" not in problem.message
    if Path(problem.file) != story:  # a theme, lexicon or music file it names
        return
    assert 1 <= problem.line <= len(lines), (problem, len(lines))
    assert 1 <= problem.column <= len(lines[problem.line - 1]) + 2, (problem, lines[problem.line - 1])


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    # Generating data slowly on a busy machine (tests run one per core) is no failure of the loader.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@PROPERTY
@given(st.text(max_size=400))
def test_any_text_loads_or_is_a_located_error(folder, text):
    _load_text(folder, text.encode("utf-8"))


@PROPERTY
@given(st.binary(max_size=300))
@example(data=b"\xc2\x85\x80")  # a NEL (a YAML line break) then a bad byte: it was placed on the line before
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


# -- mutations of the data, dumped back to YAML ----------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["", "34,000", "\u221240", "yes", "#e63946", "assets/bed.ogg"]),
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def _data_mutation(draw) -> tuple[str, str]:
    """(the valid storyboard's YAML, the same data mutated at one place), both dumped the same way."""
    data = yaml.safe_load(VALID)
    path = draw(st.sampled_from(_paths(data)[1:]))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key, old = path[-1], parent[path[-1]]
    kind = draw(st.sampled_from(["replace", "deep", "huge", "long", "drop", "unknown"]))
    if kind == "replace":
        parent[key] = draw(_values)
    elif kind == "deep":
        for _ in range(draw(st.integers(20, 120))):
            old = [old] if draw(st.booleans()) else {"x": old}
        parent[key] = old
    elif kind == "huge":
        parent[key] = [old] * draw(st.integers(1001, 1500))
    elif kind == "long":
        parent[key] = "W" * draw(st.integers(1000, 100_000))
    elif kind == "drop" and isinstance(parent, dict):
        del parent[key]
    elif isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=8))] = draw(_scalars)
    else:
        parent.append(draw(_values))
    return _dump(yaml.safe_load(VALID)), _dump(data), path[:-1]


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=10**6)


def _sections_made_huge() -> tuple[str, str, tuple]:
    """The slowest data mutation found (of 300, profiled): the sections list as each of 1,500 sections, about 1 MB
    and 1,500 problems (validated in 1.1 s of CPU time; checking where the problems point took 20 s, when the
    harness split the file again for each)."""
    data = yaml.safe_load(VALID)
    data["sections"] = [data["sections"]] * 1500
    return _dump(yaml.safe_load(VALID)), _dump(data), ()


@pytest.mark.slow
@settings(PROPERTY, max_examples=30)  # each is a full validation of the shipped storyboard (about 0.4 s)
@given(_data_mutation())
def test_a_storyboard_mutated_as_data_is_valid_or_points_at_what_changed(folder, mutation):
    """The problems point at the lines the mutation wrote, or at the mapping that lost a field."""
    _points_at_what_changed(folder, mutation)


@pytest.mark.slow
def test_the_slowest_mutation_found_points_at_what_changed(folder):
    """The sections made huge (``_sections_made_huge``), made when the test runs: as an ``@example`` it was made
    at import, 2-4 s of every test worker's start, the fast tier's too."""
    _points_at_what_changed(folder, _sections_made_huge())


def _points_at_what_changed(folder, mutation: tuple[str, str, tuple]) -> None:
    original, mutated, parent = mutation
    problems = _load_text(folder, mutated.encode("utf-8"), limit=HUGE_LIMIT_SECONDS)
    story = folder / "story.yaml"
    mine = [p for p in problems if Path(p.file) == story and "duplicate" not in p.message]
    if mine:
        before, after = original.split("\n"), mutated.split("\n")
        changed = [i + 1 for i, line in enumerate(after) if i >= len(before) or line != before[i]]
        changed += [len(after)] if len(after) != len(before) else []
        try:
            parent_line = yamlsrc.load(mutated, story)[1].value(parent).line
        except StoryboardError:  # nested too deep to map: the changed lines alone
            parent_line = min(changed, default=1)
        first = min([*changed, parent_line])
        last = max(changed, default=len(after))
        assert any(first - 1 <= p.line <= last + 1 for p in mine), (first, last, mine)
