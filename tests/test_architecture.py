"""The package's import graph: stage packages in layers, and no cycle.

Every import of a pipeline module counts, at the top, inside a function or only for type checking. A cycle means a
name lives in the wrong module; break it by moving the name (as MUSIC_TYPES moved to core/audio.py and LintOptions
to lint/options.py), not by importing inside a function. A stage imports only core and the stages before it
(``STAGES``); the faces over the library (cli, workflow, preview, draft, lint, mcp, docgen) may import any stage.
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


@pytest.mark.slow  # a fresh interpreter per stage: 8 of them, 6 s
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
        "      or m.split('.')[1] in ('cli', 'workflow', 'preview', 'draft', 'lint', 'mcp', 'docgen', 'entry'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]", f"importing {stage} loaded {out.stdout.strip()}"


# Tests use the package as its users do: through public names. A seam a test needs is a public, documented name
# (docs/extending.md), never a private one reached into: a private name may change with no one told.

TESTS = REPO / "tests"

#: Underscored names that are public by the standard library's own convention (a namedtuple's methods and fields).
PUBLIC_UNDERSCORED = frozenset({"_replace", "_asdict", "_fields", "_make", "_field_defaults"})

#: Calls whose string arguments name an attribute or a dotted target: monkeypatch.setattr/delattr, mock.patch,
#: mock.patch.object and .multiple, and the getattr family.
NAMING_CALLS = frozenset({"setattr", "delattr", "getattr", "hasattr", "patch", "object", "multiple"})


def _private(name: str) -> bool:
    """One leading underscore (or a mangled two), not a dunder nor a namedtuple's public method."""
    return name.startswith("_") and not name.endswith("__") and name not in PUBLIC_UNDERSCORED


def _own_attributes(cls: ast.ClassDef) -> set[str]:
    """The underscored names a class written in a test defines itself: methods, class attributes, ``self._x = ``."""
    own = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node is not cls:
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            own.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            own.add(node.id)
    return {name for name in own if _private(name)}


def _private_reaches(source: str, filename: str = "<test>") -> list[str]:
    """Each place the source imports, reads, patches or names a private name, as 'file:line: what'.

    Attribute reads ``x._y`` count whatever ``x`` is, except ``self._y`` / ``cls._y`` inside a class the test itself
    defines, for a ``_y`` that class defines (its own state). Strings count where they name a target: an argument of
    monkeypatch.setattr, mock.patch or getattr naming ``_y``, or a dotted ``pipeline.x._y``.
    """
    tree = ast.parse(source)
    exempt: set[int] = set()  # ids of attribute nodes that are a test class's own state
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        own = _own_attributes(cls)
        for node in ast.walk(cls):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in own
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                exempt.add(id(node))
    found = []
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where}: imports {a.name}" for a in node.names if any(map(_private, a.name.split(".")))]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pipeline":
            if any(map(_private, node.module.split("."))):
                found.append(f"{where}: imports from {node.module}")
            found += [f"{where}: imports {a.name} from {node.module}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and id(node) not in exempt:
            found.append(f"{where}: {'patches' if isinstance(node.ctx, ast.Store | ast.Del) else 'reads'} .{node.attr}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name not in NAMING_CALLS:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    continue
                parts = arg.value.split(".")
                if (len(parts) == 1 and _private(arg.value)) or (parts[0] == "pipeline" and any(map(_private, parts))):
                    found.append(f"{where}: names {arg.value!r} in {name}()")
    return sorted(set(found), key=lambda line: (line.split(":")[0], int(line.split(":")[1]), line))


def test_the_private_name_check_finds_each_way_a_test_reaches_in():
    source = (
        "import pipeline._hidden\n"
        "from pipeline.rendering.encode import Segments, _Given\n"
        "from pipeline.core._inner import thing\n"
        "from tests.conftest import _helper\n"  # a test's own helper: not the package's
        "def test_it(monkeypatch, canvas):\n"
        "    canvas.fonts._files.items()\n"
        "    Segments._write = None\n"
        "    monkeypatch.setattr(Segments, '_write', print)\n"
        "    monkeypatch.setattr('pipeline.rendering.encode._Given', print)\n"
        "    mock.patch.object(Segments, '_open')\n"
        "    getattr(canvas, '_last')\n"
        "    canvas.__class__, canvas.__dict__, row._replace(a=1), monkeypatch.setattr('os.environ', {})\n"
        "class Fake:\n"
        "    def __init__(self):\n"
        "        self._count = 0\n"
        "    def _bump(self):\n"
        "        self._count += 1\n"
        "        return self._bump, self._other\n"  # _other is not the class's own
    )
    assert _private_reaches(source, "t.py") == [
        "t.py:1: imports pipeline._hidden",
        "t.py:2: imports _Given from pipeline.rendering.encode",
        "t.py:3: imports from pipeline.core._inner",
        "t.py:6: reads ._files",
        "t.py:7: patches ._write",
        "t.py:8: names '_write' in setattr()",
        "t.py:9: names 'pipeline.rendering.encode._Given' in setattr()",
        "t.py:10: names '_open' in object()",
        "t.py:11: names '_last' in getattr()",
        "t.py:18: reads ._other",
    ]


def test_no_test_reaches_into_a_private_name():
    """Tests check the package through its public names; a seam they need is made public and documented."""
    paths = sorted(TESTS.glob("*.py"))
    assert len(paths) > 30, "the tests were not found"
    found = [line for path in paths for line in _private_reaches(path.read_text(encoding="utf-8"), path.name)]
    assert found == [], "tests reach private names:\n" + "\n".join(found)
