"""The package's import graph: stage packages in layers, and no cycle.

Every import of a pipeline module counts, at the top, inside a function or only for type checking. A cycle means a
name lives in the wrong module; break it by moving the name (as MUSIC_TYPES moved to core/audio.py and LintOptions
to lint/options.py), not by importing inside a function. A stage imports only core and the stages before it
(``STAGES``); the faces over the library (cli, workflow, preview, draft, lint, docgen) may import any stage.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "pipeline"


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """Each pipeline module, and the pipeline modules it imports anywhere in its text."""
    modules = {_module(path): path for path in PACKAGE.rglob("*.py")}

    def known(name: str) -> str | None:  # 'pipeline.core.cache.Store' -> 'pipeline.core.cache'
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(known(alias.name) for alias in node.names if alias.name.startswith("pipeline"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's package up
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                if base.startswith("pipeline"):
                    found.update(known(f"{base}.{alias.name}") for alias in node.names)
        graph[name] = {module for module in found if module and module != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
    return cycles


def test_the_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_imports_inside_functions_and_for_type_checking():
    graph = _graph()
    assert "pipeline.planning.timeline" in graph["pipeline.planning.captions"]  # at the top
    assert "pipeline.narration.speech" in graph["pipeline.planning.timeline"]  # under TYPE_CHECKING
    assert "pipeline.narration.engines" in graph["pipeline.narration.jobs"]  # inside a function


def test_no_module_of_the_package_imports_itself_round_a_cycle():
    assert _cycles(_graph()) == []


#: The stage packages in the order they may import each other: each only core and the ones before it. drawing and
#: narration are independent of each other (what can be shown, what can be said); loading checks a storyboard
#: against both, so both come before it.
STAGES = [("core",), ("drawing", "narration"), ("loading",), ("planning",), ("rendering",), ("sound",), ("publishing",)]
RANK = {stage: rank for rank, group in enumerate(STAGES) for stage in group}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def _layer_breaks(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(module, import) pairs where a stage module imports a later stage or a face, or a peer of its own rank."""
    breaks = []
    for module, imports in graph.items():
        stage = _stage(module)
        if stage is None:
            continue  # the root and the faces
        for imported in imports:
            other = _stage(imported)
            if imported == "pipeline" or other == stage:
                continue
            if other is None or RANK[other] >= RANK[stage]:
                breaks.append((module, imported))
    return sorted(breaks)


def test_the_layer_check_finds_a_stage_reaching_forward():
    graph = {
        "pipeline.core.cache": {"pipeline.loading.storyboard"},
        "pipeline.drawing.slides": {"pipeline.narration.spoken", "pipeline.core.errors"},
        "pipeline.planning.timeline": {"pipeline.narration.speech", "pipeline.cli"},
        "pipeline.cli": {"pipeline.publishing.publish"},
    }
    assert _layer_breaks(graph) == [
        ("pipeline.core.cache", "pipeline.loading.storyboard"),
        ("pipeline.drawing.slides", "pipeline.narration.spoken"),
        ("pipeline.planning.timeline", "pipeline.cli"),
    ]


def test_every_stage_imports_only_core_and_the_stages_before_it():
    assert set(RANK) == {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name in RANK}
    assert _layer_breaks(_graph()) == []


def test_every_stage_package_says_what_it_takes_and_gives():
    for stage in RANK:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "Takes" in doc and "give" in doc, stage


@pytest.mark.parametrize("stage", list(RANK))
def test_importing_a_stage_loads_no_later_stage(stage):
    """Every module of the stage, imported in a fresh interpreter, brings in nothing of a later stage or a face."""
    modules = sorted(name for name in _graph() if _stage(name) == stage)
    later = sorted(s for s in RANK if RANK[s] >= RANK[stage] and s != stage)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"later = {later!r}\n"
        "print(sorted(m for m in sys.modules if m.startswith('pipeline.') and (m.split('.')[1] in later\n"
        "      or m.split('.')[1] in ('cli', 'workflow', 'preview', 'draft', 'lint', 'docgen', 'entry'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]", f"importing {stage} loaded {out.stdout.strip()}"
