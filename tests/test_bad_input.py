"""Every broken storyboard in tests/bad/ ends in located messages, exit code 2, and no output written.

Each entry runs through the real `explainer render` in a copy of the folder;
tests/bad/expected.yaml says where each must be reported and a phrase of the
message. The copy is compared before and after: only the cache may change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, explainer

BAD = REPO / "tests" / "bad"
CASES: dict[str, dict] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def test_every_entry_has_an_expectation_and_there_are_enough():
    entries = {path.stem for path in BAD.glob("*.yaml")} - {"expected"}
    assert entries == set(CASES)
    assert len(CASES) >= 40


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("bad") / "project"
    shutil.copytree(BAD, copy, symlinks=True)
    return copy


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file outside the cache, with its size and modification time."""
    return {
        str(path.relative_to(folder)): (path.lstat().st_size, path.lstat().st_mtime_ns)
        for path in folder.rglob("*")
        if ".cache" not in path.parts and not path.is_dir()
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_reported_where_it_is(folder, name):
    case = CASES[name]
    before = _files(folder)
    proc = explainer("render", f"{name}.yaml", *case.get("args", []), cwd=folder, timeout=120)

    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert errors, proc.stderr
    if "at" in case:
        where = f"{case.get('file', f'{name}.yaml')}:{case['at']}: "
        assert any(where in line and case["says"] in line for line in errors), (where, case["says"], errors)
    else:
        assert any(case["says"] in line for line in errors), errors
    if "count" in case:
        assert len(errors) == case["count"], errors
    assert _files(folder) == before, "a storyboard that fails to load writes nothing but cache entries"
    made = [path.name for path in (folder / "output").glob("*") if path.name != ".cache"]
    assert not made, f"no output folder is made: {made}"
