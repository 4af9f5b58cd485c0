"""Every broken storyboard in tests/bad/ ends in located messages, exit code 2, and no output written.

Each entry runs through `explainer render` in a copy of the folder: in this
process (click's test runner calling the same command) for the fast tier, and
as the real installed command, a process per entry, in the slow one.
tests/bad/expected.yaml says where each must be reported and a phrase of the
message. The copy is compared before and after: only the cache may change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import main
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


def _in_process(folder: Path, args: list[str], monkeypatch) -> tuple[int, str]:
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    monkeypatch.chdir(folder)
    result = runner.invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stderr


def _real_command(folder: Path, args: list[str], monkeypatch) -> tuple[int, str]:
    proc = explainer(*args, cwd=folder, timeout=120)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("run", [_in_process, pytest.param(_real_command, marks=pytest.mark.slow)], ids=["lib", "cmd"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_reported_where_it_is(folder, name, run, monkeypatch):
    case = CASES[name]
    before = _files(folder)
    code, stderr = run(folder, ["render", f"{name}.yaml", *case.get("args", [])], monkeypatch)

    assert code == 2, stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert errors, stderr
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
