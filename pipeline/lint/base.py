"""What every lint rule shares: the warning and the storyboard as the rules read it (the options: options.py).

A rule is a module with ``RULE`` (its stable id) and ``check(context) -> list[Warning]``.
The ``Context`` holds the validated project and what rules need from it more than
once: the text of the file (to point at a word inside a narration) and each scene's
timing (measured or estimated, see ``scene_times.py``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.yamlsrc import Path_
from pipeline.lint import scene_times
from pipeline.lint.options import LintOptions
from pipeline.loading.storyboard import Project, SceneEntry
from pipeline.planning import script


@dataclass(frozen=True, order=True)
class Warning:
    """One thing lint found, at a place a person can jump to."""

    file: Path | str
    line: int
    col: int
    rule: str
    message: str
    #: The scene it is in, if any: said after the message, as validate's problems say it.
    scene: str | None = None

    def __str__(self) -> str:
        named = self.scene and f"scene '{self.scene}'" not in self.message  # not said twice
        where = f" (scene '{self.scene}')" if named else ""
        return f"{self.file}:{self.line}:{self.col}: warning: {self.message}{where} [{self.rule}]"


class Context:
    """The storyboard as the rules read it (built once per lint, after it validates)."""

    def __init__(self, project: Project, options: LintOptions):
        self.project = project
        self.options = options
        self.file = project.file
        self.smap = project.source_map
        self.entries = project.entries()
        self._text: str | None = None

    # -- places ---------------------------------------------------------------

    def at(self, path: Path_, rule: str, message: str, *, key: bool = False) -> Warning:
        """A warning at the value (or key) ``path`` names in the storyboard."""
        pos = self.smap.key(path) if key else self.smap.value(path)
        return Warning(self.file, pos.line, pos.column, rule, message, self._scene(path))

    def in_narration(self, entry: SceneEntry, offset: int, token: str, rule: str, message: str) -> Warning:
        """A warning at ``token``, found at character ``offset`` of the scene's narration (as loaded: its
        whitespace collapsed), where it is written in the file; at the narration itself when it cannot be
        found there (a quoted narration with escapes)."""
        narration = entry.scene.narration or ""
        path = (*entry.place, "narration")
        needle = token.split()[0] if token.split() else token
        nth = narration.count(needle, 0, offset)  # occurrences before this one
        start = self._offset(self.smap.value(path))
        text = self.text
        found = -1
        if start is not None and needle:
            at = start
            for _ in range(nth + 1):
                found = text.find(needle, at)
                if found < 0:
                    break
                at = found + len(needle)
        if found < 0:
            return self.at(path, rule, message)
        line = text.count("\n", 0, found) + 1
        col = found - (text.rfind("\n", 0, found) + 1) + 1
        return Warning(self.file, line, col, rule, message, entry.id)

    def _scene(self, path: Path_) -> str | None:
        """The id of the scene ``path`` is in, if it is in one."""
        return next((e.id for e in self.entries if tuple(path[: len(e.place)]) == tuple(e.place)), None)

    @property
    def text(self) -> str:
        if self._text is None:
            try:
                self._text = self.file.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
            except (OSError, UnicodeDecodeError):
                self._text = ""
        return self._text

    def _offset(self, pos) -> int | None:
        """Character offset of a (line, column) position in the file's text."""
        lines = self.text.split("\n")
        if not 0 < pos.line <= len(lines):
            return None
        return sum(len(line) + 1 for line in lines[: pos.line - 1]) + pos.column - 1

    # -- what the rules share -------------------------------------------------

    @functools.cached_property
    def timings(self):
        """Each scene's timing, measured where a render or the cache has it, else estimated (scene_times.py)."""
        return scene_times.scene_times(self.project, self.options)

    def speed(self, entry: SceneEntry) -> float:
        """The speed the scene's voice speaks at (its own, else the storyboard's)."""
        return script.voice(self.project, entry.scene).speed

    def note(self, message: str) -> None:
        if self.options.note is not None:
            self.options.note(message)
