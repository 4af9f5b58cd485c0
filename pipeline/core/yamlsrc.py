"""Safe YAML loading that remembers where every key and value came from.

PyYAML's safe loader gives plain data but forgets positions, so a schema error
could only say *what* is wrong. Here we compose the node tree with the safe
loader, build plain data ourselves and keep a map from each data path to its
line and column, so every later error can point at the exact spot.

Only the standard YAML tags are accepted (``!!python/...`` and friends are
refused), duplicate keys are errors (PyYAML silently keeps the last one), and
alias expansion is bounded so an alias bomb fails fast instead of eating memory.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.core.errors import Problem, StoryboardError, UsageError

Path_ = tuple[str | int, ...]

#: Upper bound on the number of nodes visited (alias expansion included).
MAX_NODES = 200_000
#: The deepest nesting of lists and mappings read (a storyboard needs about 8).
MAX_DEPTH = 50
#: The largest YAML file read (a storyboard, theme or lexicon is text: a 60-minute video is far below this).
MAX_FILE_BYTES = 2_000_000

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

#: What YAML makes of an unquoted date (2020-02-28): text is wanted, the message says to quote it.
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class SourceMap:
    """Positions of values and keys by their path in the loaded data."""

    file: Path
    values: dict[Path_, Pos] = field(default_factory=dict)
    keys: dict[Path_, Pos] = field(default_factory=dict)

    def value(self, path: Path_) -> Pos:
        """Position of the value at ``path``, or of its nearest known ancestor."""
        return self._nearest(self.values, path)

    def key(self, path: Path_) -> Pos:
        """Position of the key that introduces ``path`` (falls back to the value)."""
        if path in self.keys:
            return self.keys[path]
        return self.value(path)

    def sub(self, prefix: Path_) -> SourceMap:
        """The part of this map under ``prefix``, with paths relative to it."""
        n = len(prefix)
        return SourceMap(
            self.file,
            {p[n:]: pos for p, pos in self.values.items() if p[:n] == prefix},
            {p[n:]: pos for p, pos in self.keys.items() if p[:n] == prefix},
        )

    def has(self, path: Path_) -> bool:
        """Whether ``path`` itself was written in the file."""
        return path in self.values or path in self.keys

    def problem(self, path: Path_, message: str, *, at_key: bool = False) -> Problem:
        pos = self.key(path) if at_key else self.value(path)
        return Problem(self.file, pos.line, pos.column, message)

    @staticmethod
    def _nearest(table: dict[Path_, Pos], path: Path_) -> Pos:
        for end in range(len(path), -1, -1):
            if path[:end] in table:
                return table[path[:end]]
        return Pos(1, 1)


#: Kinds of file that are not regular files, by their type bits.
SPECIAL_FILES = {stat.S_IFIFO: "FIFO (named pipe)", stat.S_IFCHR: "character device", stat.S_IFBLK: "block device",
                 stat.S_IFSOCK: "socket"}  # fmt: skip


def read_file(file: Path, what: str = "storyboard") -> tuple[Any, SourceMap]:
    """Read a YAML file (a ``what``: storyboard, theme, lexicon) into plain data and its source map.

    Only a regular file of at most MAX_FILE_BYTES is read: a FIFO or a device
    (through a link, say) would be read forever, and a huge file is refused by
    its size before any of it is read.
    """
    try:
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{file}: is a folder; give the path of a {what} .yaml file")
        if not stat.S_ISREG(info.st_mode):
            kind = SPECIAL_FILES.get(stat.S_IFMT(info.st_mode), "special file")
            raise StoryboardError(
                [Problem(file, 1, 1, f"this is a {kind}, not a regular file; a {what} is a text file")]
            )
        raw = b""
        if info.st_size <= MAX_FILE_BYTES:
            with file.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)  # a file that grows while it is read stops here
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file; give the path of a {what} .yaml file") from None
    except OSError as exc:
        raise UsageError(f"{file}: cannot be read ({exc.strerror})") from None
    size = max(info.st_size, len(raw))
    if size > MAX_FILE_BYTES:
        message = (
            f"the file is {size:,} bytes, more than {MAX_FILE_BYTES:,}; a {what} is text, "
            "so this is probably not one (or split the video into parts)"
        )
        raise StoryboardError([Problem(file, 1, 1, message)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Lines as YAML counts them, as every other problem's place is (NEL and the Unicode separators break
        # lines too), and the column in characters: the bytes before the bad one are good UTF-8.
        before = re.split("\r\n|[\r\n\x85\u2028\u2029]", raw[: exc.start].decode("utf-8-sig"))
        line, column = len(before), len(before[-1]) + 1
        raise StoryboardError(
            [Problem(file, line, column, "the file is not UTF-8 text; save it as UTF-8 in your editor")]
        ) from None
    return load(text, file)


def _pos(mark: yaml.Mark) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


def load(text: str, file: Path) -> tuple[Any, SourceMap]:
    """Parse ``text`` (the contents of ``file``) into plain data and its source map."""
    smap = SourceMap(file)
    try:
        node = _compose(text, file)
    except RecursionError:  # PyYAML composes nested collections recursively
        # PyYAML's own parser does not recurse: it finds where; a parse error before that point is at 1:1
        try:
            found = _too_deep(yaml.parse(text, Loader=yaml.SafeLoader), file)
        except yaml.YAMLError:
            found = None
        raise StoryboardError([found or Problem(file, 1, 1, _DEEP)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "quoted scalar" in (exc.context or ""):
            mark = exc.context_mark  # where the quote opens, not the end of the file where it was missed
        pos = _pos(mark) if mark else Pos(1, 1)
        what = exc.problem or "invalid YAML"
        if "expected <block end>" in what:  # PyYAML's words for a line indented unlike its neighbours
            what = "this line is indented unlike the lines around it"
        hint = _yaml_hint(what)
        raise StoryboardError([Problem(file, pos.line, pos.column, f"invalid YAML: {what}{hint}")]) from None
    except yaml.YAMLError as exc:
        raise StoryboardError([Problem(file, 1, 1, f"invalid YAML: {exc}")]) from None
    if node is None:
        return None, smap
    builder = _Builder(smap)
    data = builder.build(node, ())
    if builder.problems:
        raise StoryboardError(builder.problems)
    return data, smap


def _compose(text: str, file: Path) -> yaml.Node | None:
    """The YAML's node tree: with libyaml when PyYAML has it (3x faster), else PyYAML's own parser.

    libyaml's composer recurses in C, where no recursion limit guards it, so the
    nesting is measured first from its (flat) stream of events. A document it
    cannot parse is parsed again by PyYAML's parser, whose messages the hints
    and the tests know.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    try:
        if problem := _too_deep(yaml.parse(text, Loader=fast), file):
            raise StoryboardError([problem])
        return yaml.compose(text, Loader=fast)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def _too_deep(events: Iterable[yaml.Event], file: Path) -> Problem | None:
    """Where lists and mappings first nest deeper than MAX_DEPTH, from a (flat) stream of parser events."""
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                pos = _pos(event.start_mark)
                return Problem(file, pos.line, pos.column, _DEEP)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


_DEEP = f"lists and mappings are nested more than {MAX_DEPTH} deep here; a storyboard needs a few levels"


_SELF = (
    "the list or mapping anchored here (&name) holds an alias to itself (*name), so it would repeat forever; "
    "write the values out instead of the alias"
)


def _yaml_hint(problem: str) -> str:
    if "\\t" in problem or "tab" in problem:
        return " (indent with spaces, not tabs)"
    if "mapping values are not allowed" in problem:
        return " (a ':' inside a value needs the whole value in quotes)"
    if "could not find expected ':'" in problem:
        return " (check the indentation of this line and the one before)"
    if "found unexpected end of stream" in problem or "while scanning a quoted" in problem:
        return " (a quote is not closed)"
    if "indented unlike" in problem:
        return "; line it up with the field above it (spaces only)"
    return ""


class _Builder:
    def __init__(self, smap: SourceMap):
        self.smap = smap
        self.problems: list[Problem] = []
        self.visited = 0
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        #: The lists and mappings being built, outermost first: one met again is an alias to itself.
        self.open: list[yaml.Node] = []

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            pos = _pos(node.start_mark)
            raise StoryboardError(
                [
                    Problem(
                        self.smap.file,
                        pos.line,
                        pos.column,
                        f"the document expands to more than {MAX_NODES:,} values "
                        "(too many aliases?); write the values out instead",
                    )
                ]
            )
        self.smap.values.setdefault(path, _pos(node.start_mark))
        if len(path) > MAX_DEPTH:
            pos = _pos(node.start_mark)
            raise StoryboardError([Problem(self.smap.file, pos.line, pos.column, _DEEP)])
        if node.tag not in _SAFE_TAGS:
            pos = _pos(node.start_mark)
            if node.tag == _TIMESTAMP and isinstance(node, yaml.ScalarNode):  # 2020-02-28, unquoted
                message = (
                    f"YAML reads an unquoted {node.value} as a calendar date, which a storyboard does not take; "
                    f"write it as text, in quotes: '{node.value}'"
                )
            else:
                message = (
                    f"the tag '{node.tag}' is not allowed; storyboards hold plain text, numbers, lists and mappings "
                    "only"
                )
            self.problems.append(Problem(self.smap.file, pos.line, pos.column, message))
            return None
        if not isinstance(node, yaml.CollectionNode):
            return self.constructor.construct_object(node, deep=True)
        if any(node is outer for outer in self.open):
            pos = _pos(node.start_mark)
            raise StoryboardError([Problem(self.smap.file, pos.line, pos.column, _SELF)])
        self.open.append(node)
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.pop()

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                pos = _pos(key_node.start_mark)
                self.problems.append(
                    Problem(
                        self.smap.file,
                        pos.line,
                        pos.column,
                        "merge keys ('<<') are not supported; write the fields out",
                    )
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                pos = _pos(key_node.start_mark)
                self.problems.append(Problem(self.smap.file, pos.line, pos.column, "a key must be plain text"))
                continue
            key = str(key_node.value)
            kpath = (*path, key)
            if key in out:
                pos = _pos(key_node.start_mark)
                first = self.smap.keys[kpath]
                self.problems.append(
                    Problem(
                        self.smap.file,
                        pos.line,
                        pos.column,
                        f"duplicate key '{key}' (first given on line {first.line}); keep one of them",
                    )
                )
                continue
            self.smap.keys[kpath] = _pos(key_node.start_mark)
            out[key] = self.build(value_node, kpath)
        return out
