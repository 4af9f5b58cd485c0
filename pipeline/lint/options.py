"""How lint reads a storyboard: its options, every one with the default a render has."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LintOptions:
    """How lint reads the storyboard; every field has the default a render has."""

    #: Let the storyboard name files outside its project folder (as render's --allow-outside-assets).
    allow_outside_assets: bool = False
    #: The narration cache to measure sentences from (default: output/.cache/ under the project).
    cache_dir: Path | None = None
    #: The folder of the last render, whose render.json has real sentence times (default: output/<slug>/).
    output_dir: Path | None = None
    #: Judge the narration as this engine speaks it, whatever the storyboard says (as render's --engine).
    engine: str | None = None
    #: Use real sentence times from the last render and the narration cache (False: estimate everything).
    measured: bool = True
    #: Only these rule ids (empty: every rule).
    rules: tuple[str, ...] = ()
    #: Told what lint could not check or where timings came from (the CLI prints these on stderr).
    note: Callable[[str], None] | None = None
