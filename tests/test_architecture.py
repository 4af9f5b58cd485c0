"""The package's import graph has no cycle: counting every import of a pipeline module, at the top, inside a
function or only for type checking. A cycle means a name lives in the wrong module; break it by moving the name
(as MUSIC_TYPES moved to audio.py and LintOptions to lint/options.py), not by importing inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "pipeline"


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """Each pipeline module, and the pipeline modules it imports anywhere in its text."""
    modules = {_module(path): path for path in PACKAGE.rglob("*.py")}

    def known(name: str) -> str | None:  # 'pipeline.cache.Store' -> 'pipeline.cache'
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
    assert "pipeline.timeline" in graph["pipeline.captions"]  # at the top
    assert "pipeline.speech" in graph["pipeline.timeline"]  # under TYPE_CHECKING
    assert "pipeline.narration" in graph["pipeline.narration.jobs"]  # inside a function


def test_no_module_of_the_package_imports_itself_round_a_cycle():
    assert _cycles(_graph()) == []
