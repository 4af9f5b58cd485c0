"""Characters a storyboard's text may not hold: control characters and bidirectional controls.

Neither is visible, and neither is text a viewer should get: a control
character (BEL, ESC, written in a quoted YAML string as ``\\a`` or ``\\e``)
would reach the captions file as it is, and a bidirectional control (U+202E
RIGHT-TO-LEFT OVERRIDE, usually pasted in with the text) silently reverses
what is drawn after it. Every text of the storyboard, keys included, is
checked once after loading, and each one holding such a character is reported
at its place, naming the characters as what they are.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pipeline.core.errors import Problem
from pipeline.core.yamlsrc import Path_, SourceMap

#: Whitespace a text may hold: a line break in a title is kept as one, the others are spaces.
ALLOWED = frozenset("\t\n\r")
#: The characters that reorder text: the marks, embeddings, overrides and isolates of the Unicode bidi algorithm.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Names of the C0 controls and DEL (Unicode's aliases: ``unicodedata.name`` has none for control characters).
_CONTROL_NAMES = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY", "ACKNOWLEDGE",
    "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN",
    "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL",
    "END OF MEDIUM", "SUBSTITUTE", "ESCAPE", "FILE SEPARATOR", "GROUP SEPARATOR", "RECORD SEPARATOR",
    "UNIT SEPARATOR",
)  # fmt: skip
#: ... and of the C1 controls, from U+0080.
_C1_NAMES = (
    "PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE", "INDEX", "NEXT LINE",
    "START OF SELECTED AREA", "END OF SELECTED AREA", "CHARACTER TABULATION SET",
    "CHARACTER TABULATION WITH JUSTIFICATION", "LINE TABULATION SET", "PARTIAL LINE FORWARD",
    "PARTIAL LINE BACKWARD", "REVERSE LINE FEED", "SINGLE SHIFT TWO", "SINGLE SHIFT THREE", "DEVICE CONTROL STRING",
    "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE", "CANCEL CHARACTER", "MESSAGE WAITING",
    "START OF GUARDED AREA", "END OF GUARDED AREA", "START OF STRING", "SINGLE GRAPHIC CHARACTER INTRODUCER",
    "SINGLE CHARACTER INTRODUCER", "CONTROL SEQUENCE INTRODUCER", "STRING TERMINATOR", "OPERATING SYSTEM COMMAND",
    "PRIVACY MESSAGE", "APPLICATION PROGRAM COMMAND",
)  # fmt: skip
#: The most characters a message names (then "and N more").
NAMED = 3


def is_control(char: str) -> bool:
    """A control character that is not a tab or a line break (C0, DEL, C1)."""
    return unicodedata.category(char) == "Cc" and char not in ALLOWED


def name(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE', 'U+0007 BELL': the character as a person can look it up."""
    code = ord(char)
    if code < len(_CONTROL_NAMES):
        named = _CONTROL_NAMES[code]
    elif code == 0x7F:
        named = "DELETE"
    elif 0x80 <= code < 0x80 + len(_C1_NAMES):
        named = _C1_NAMES[code - 0x80]
    else:
        named = unicodedata.name(char, "control character" if is_control(char) else "unnamed character")
    return f"U+{code:04X} {named}"


def invisible(text: str) -> list[str]:
    """The control and bidirectional characters in ``text``, once each, in order."""
    return list(dict.fromkeys(c for c in text if c in BIDI or is_control(c)))


def names(chars: list[str]) -> str:
    """The characters named, at most NAMED of them: 'U+0007 BELL and U+001B ESCAPE'."""
    named = [name(c) for c in chars[:NAMED]]
    if len(chars) > NAMED:
        return f"{', '.join(named)} and {len(chars) - NAMED} more"
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def problems(data: Any, smap: SourceMap) -> list[Problem]:
    """Every text in ``data`` (a loaded storyboard) that holds a control or bidirectional character, at its place."""
    found: list[Problem] = []
    _walk(data, (), smap, found)
    return found


def _walk(node: Any, path: Path_, smap: SourceMap, found: list[Problem]) -> None:
    if isinstance(node, str):
        if message := _message(node, _label(path)):
            found.append(smap.problem(path, message))
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and (message := _message(key, f"the key '{_shown(key)}'")):
                found.append(smap.problem((*path, key), message, at_key=True))
            _walk(value, (*path, key), smap, found)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk(value, (*path, i), smap, found)


def _message(text: str, label: str) -> str | None:
    """What is wrong with ``text`` (the value called ``label``), or None when it has neither kind of character."""
    bidi = list(dict.fromkeys(c for c in text if c in BIDI))
    controls = list(dict.fromkeys(c for c in text if is_control(c)))
    said = []
    if bidi:
        what = (
            "an invisible character that reorders the text around it"
            if len(bidi) == 1
            else "invisible characters that reorder the text around them"
        )
        said.append(f"{names(bidi)}, {what} (it would be drawn reversed or jumbled)")
    if controls:
        what = "a control character" if len(controls) == 1 else "control characters"
        said.append(f"{names(controls)}, {what}, not text (in a quoted value, an escape such as \\a or \\e writes one)")
    if not said:
        return None
    return f"{label} has {'; and '.join(said)}; delete {'it' if len(bidi) + len(controls) == 1 else 'them'}"


def _label(path: Path_) -> str:
    """'title', 'items' item 2: the value at ``path`` as a message names it."""
    if not path:
        return "the storyboard"
    last = path[-1]
    if isinstance(last, int):
        return f"'{path[-2]}' item {last + 1}" if len(path) > 1 else f"item {last + 1}"
    return f"'{_shown(last)}'"


def _shown(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:40])
