"""The drafted storyboard as YAML text a person edits: the shipped storyboard's layout, with comments.

Written by hand rather than by a YAML library's dumper: comments where the
author should act sit above the scene they are about, narration is a folded
block wrapped at 100 columns, and short slides are one flow mapping per line
(PyYAML's dumper writes no comments; ruamel.yaml's round-trip comments would
be a second YAML library for one writer). Every scalar goes through PyYAML's
own quoting, so what is written reads back as the same value.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from pipeline.draft.compose import DraftSection

WIDTH = 100


def storyboard(
    *, title: str, slug: str, header: list[str], settings: dict[str, Any], sections: list[DraftSection]
) -> str:
    out = [f"# {line}".rstrip() for line in header]
    out += ["", f"title: {_scalar(title)}", f"slug: {slug}"]
    for key, value in settings.items():
        out.append(f"{key}: {_flow(value)}")
    out += ["", "sections:"]
    for section in sections:
        out.append(f"  - title: {_scalar(section.title)}")
        out.append("    scenes:")
        for scene in section.scenes:
            for note in scene.notes:
                out += [f"      # {line}" for line in _wrap(note, WIDTH - 8)]
            out.append(f"      - id: {_scalar(scene.id)}")
            out += _slide(scene.slide)
            out.append("        narration: >")
            out += [f"          {line}" for line in _wrap(" ".join(scene.sentences), WIDTH - 10)]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _wrap(text: str, width: int) -> list[str]:
    """Lines for a folded block (or a comment): broken at spaces only, so folding them back gives ``text``."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _slide(slide: dict[str, Any]) -> list[str]:
    one_line = f"        slide: {_flow(slide)}"
    if len(one_line) <= WIDTH:
        return [one_line]
    lines = ["        slide:"]
    for key, value in slide.items():
        if isinstance(value, list):
            lines.append(f"          {key}:")
            lines += [f"            - {_flow(item)}" for item in value]
        else:
            lines.append(f"          {key}: {_flow(value)}")
    return lines


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value, flow=True)


def _scalar(value: Any, flow: bool = False) -> str:
    """``value`` as YAML writes it, quoted only where it must be (and always where a flow collection needs)."""
    text = yaml.safe_dump(value, allow_unicode=True, width=10**6, default_style=None).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    if flow and isinstance(value, str) and text == value and any(c in value for c in ",[]{}#:"):
        text = yaml.safe_dump(value, allow_unicode=True, width=10**6, default_style='"').strip()
    return text
