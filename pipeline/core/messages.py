"""Turning pydantic's validation errors into problems a person can act on.

Each error becomes one ``Problem`` at the line and column of the value (or
key) it is about, worded for someone editing YAML: what is wrong, and what to
write instead. Nothing here knows the storyboard's models; the caller passes
the model that validated the data.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable
from typing import Annotated, Any, Union

from pydantic import BaseModel

from pipeline.core.errors import Problem
from pipeline.core.schema import YamlBool
from pipeline.core.yamlsrc import SourceMap

#: Text fields at most this long are labels ('prefix', 'unit'): too long means shorten, not split.
SHORT_FIELD = 24
#: Characters that look like a minus sign or a digit separator but are not what YAML reads as one.
LOOKALIKES = {
    "\u2212": "the Unicode minus sign",
    "\u2013": "an en dash",
    "\u2014": "an em dash",
    "\u2012": "a figure dash",
    "\u00a0": "a no-break space",
    "\u202f": "a narrow no-break space",
    "\u2009": "a thin space",
}
DASHES = "\u2212\u2013\u2014\u2012"


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or nothing when none is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def closest(word: object, choices: Iterable[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(str(word), list(choices), n=n, cutoff=0.6)


def type_name(value: Any) -> str:
    return {
        dict: "mapping",
        list: "list",
        str: "text",
        bool: "true/false",
        YamlBool: "true/false",
        int: "number",
        float: "number",
        type(None): "empty value",
    }.get(type(value), type(value).__name__)


def data_path(loc: tuple, data: Any, keep_last: bool = True) -> tuple:
    """Drop the union tags pydantic puts in error locations (…, 'slide', 'stat', 'value'; …, 'items', 2, 'Item').

    A tag is a name in the location that is not in the data: a slide's kind, a
    union member's type ('constrained-str', 'Item') under a scalar or a mapping;
    or the kind of the mapping it is under, once (a title slide's tag is 'title',
    which is also one of its fields). With ``keep_last`` the last part is kept:
    the field that is missing or unknown.
    """
    path: list[Any] = []
    node = data
    after_kind = False
    for i, part in enumerate(loc):
        last = keep_last and i == len(loc) - 1
        kind = isinstance(node, dict) and not after_kind and node.get("kind") == part
        after_kind = kind
        tag = isinstance(part, str) and not last and (part not in node if isinstance(node, dict) else bool(path))
        if kind or tag or (isinstance(node, list) and isinstance(part, str)):  # a kind, or a union member's type
            continue
        path.append(part)
        if isinstance(node, dict):
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(path)


def problems(errors: list[dict[str, Any]], data: Any, smap: SourceMap, model: type[BaseModel]) -> list[Problem]:
    """Every pydantic error as a located problem, once each, without the union members the value is not.

    A value that may be text or a mapping (a bullet item) fails both ways when
    it is wrong; only the errors of the shape the author wrote are kept.
    """
    return list(dict.fromkeys(problem(err, data, smap, model) for err in _the_shape_written(errors, data)))


def _the_shape_written(errors: list[dict[str, Any]], data: Any) -> list[dict[str, Any]]:
    paths = [_path_of(err, data) for err in errors]
    inside = {path[:end] for path in paths for end in range(len(path))}  # values with an error within them
    inside |= {path[:-1] for err, path in zip(errors, paths, strict=True) if err["type"] == "missing"}
    # A value of the right shape for one member is told about that member only: 'lots' for a figure or a range is
    # not a number, and 1e300 or inf is a number out of bounds, not a list (a range) that it was never meant to be.
    said = {path for err, path in zip(errors, paths, strict=True) if not err["type"].endswith("_type")}
    kept: list[dict[str, Any]] = []
    shapes_seen: dict[tuple, dict[str, Any]] = {}
    for err, path in zip(errors, paths, strict=True):
        if err["type"].endswith("_type"):
            if path in inside or path in said:
                continue  # another member of the union says what is wrong inside the value
            if path in shapes_seen:  # text or a mapping: one message naming both shapes
                first = shapes_seen[path]
                first["shapes"] = [*first.get("shapes", [SHAPES.get(first["type"])]), SHAPES.get(err["type"])]
                continue
            err = shapes_seen[path] = dict(err)
        kept.append(err)
    return kept


#: What each of pydantic's type errors asks for, in words.
SHAPES = {
    "string_type": "text",
    "model_type": "a mapping of fields",
    "dict_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "list_type": "a list",
    "tuple_type": "a list",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
}


def _path_of(err: dict[str, Any], data: Any) -> tuple:
    return data_path(tuple(err["loc"]), data, keep_last=err["type"] in ("missing", "extra_forbidden"))


def problem(err: dict[str, Any], data: Any, smap: SourceMap, model: type[BaseModel]) -> Problem:
    """One pydantic error (from ``ValidationError.errors()``) on ``data`` validated by ``model``."""
    kind = err["type"]
    path = _path_of(err, data)
    value = err.get("input")
    ctx = err.get("ctx") or {}
    name = path[-1] if path else ""
    label = f"'{path[-2]}' item {name + 1}" if isinstance(name, int) and len(path) > 1 else f"'{name}'"

    shapes = [shape for shape in err.get("shapes", []) if shape]
    if len(shapes) > 1:
        return smap.problem(path, f"{label} must be {' or '.join(dict.fromkeys(shapes))}, not {_a(value)}")
    if value is None and kind in SHAPES:
        return smap.problem(path, f"{label} is empty (nothing after the colon); write {SHAPES[kind]} there")
    if kind == "missing":
        return smap.problem(path[:-1], f"missing required field '{name}'{_where(path[:-1], data)}")
    if kind == "extra_forbidden":
        found = _model_at(path[:-1], data, model)
        allowed = [field.alias or name for name, field in found.model_fields.items()] if found else []
        advice = getattr(found, "FIELD_HINTS", {}).get(str(name).lower())
        hint = f"; {advice}" if advice else ""
        hint = hint or did_you_mean(name, allowed) or (f" (allowed: {', '.join(allowed)})" if allowed else "")
        if value is None and allowed:  # `{source: Vostok, 1983}`: the comma ended the text, '1983' became a field
            hint += "; if it is the end of the text before it, that text has a comma: put the whole text in quotes"
        return smap.problem(path, f"unknown field '{shorten(str(name))}'{hint}", at_key=True)
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        kinds = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
        alias = next((k for m, k in _union_kinds(path, data, model) if str(tag).lower() in m.ALSO_CALLED), None)
        hint = f" (for {tag}, the kind is '{alias}')" if alias else did_you_mean(tag, kinds)
        return smap.problem(
            (*path, "kind"), f"unknown slide kind '{shorten(str(tag))}'{hint}; kinds: {', '.join(kinds)}"
        )
    if kind == "union_tag_not_found":
        kinds = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
        listing = f": one of {', '.join(kinds)}" if kinds else ""
        return smap.problem(path, f"a slide needs a 'kind'{listing}")
    if kind in ("int_parsing", "float_parsing", "int_type", "float_type", "int_from_float"):
        want = "a whole number" if kind.startswith("int") else "a number"
        parent = _model_at(path[:-1], data, model)
        suffix = str(name) if parent is not None and "suffix" in parent.model_fields else ""
        return smap.problem(path, f"{label} must be {want}, not {_show(value)}{_number_hint(value, kind, suffix)}")
    if kind == "finite_number":
        written = _written(path, data)  # .inf (a YAML number) or inf (text that reads as one)
        why = " (YAML reads .inf and .nan as numbers)" if isinstance(written, float) else ""
        return smap.problem(path, f"{label} must be a finite number, not {_show(value)}{why}; write the figure")
    if kind == "string_type":
        hint = ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = (
                f"; put it in quotes, '{_show(value)}': YAML reads a bare figure as a number, and quotes make it text"
            )
        elif isinstance(value, YamlBool):
            hint = f"; put it in quotes, '{value}': YAML reads yes, no, on and off as true and false"
        return smap.problem(path, f"{label} must be text, not {_a(value)}{hint}")
    if kind in ("bool_parsing", "bool_type"):
        return smap.problem(path, f"{label} must be true or false, not {_show(value)}")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return smap.problem(path, f"{label} must be a mapping of fields (key: value lines), not {_a(value)}")
    if kind in ("list_type", "tuple_type"):
        return smap.problem(path, f"{label} must be a list (one '- ' line per item), not {_a(value)}")
    if kind == "literal_error":
        return smap.problem(path, f"{label} must be one of {ctx.get('expected', '')}, not {_show(value)}")
    if kind == "string_pattern_mismatch" and name in ("id", "slug"):
        return smap.problem(
            path,
            f"'{shorten(str(value))}' is not a valid {name}: use lowercase letters, digits and dashes, "
            "e.g. 'border-guards'",
        )
    if kind == "too_short":
        if isinstance(value, str):
            return smap.problem(path, f"{label} is empty; write some text or remove the field")
        return smap.problem(path, f"{label} needs at least {ctx.get('min_length', 1)} item(s)")
    if kind == "string_too_long":
        most = ctx.get("max_length") or 0
        if name in ("id", "slug"):
            advice = "shorten it (it names files; a few words are enough)"
        elif most <= SHORT_FIELD:
            advice = "shorten it (the slide has room for a short label here)"
        else:
            advice = "shorten it, and let the narration say the rest"
        return smap.problem(path, f"{label} is too long: {len(value)} characters, at most {most}; {advice}")
    if kind == "too_long":
        return smap.problem(path, f"{label} has too many items: at most {ctx.get('max_length')}")
    bound = {"less_than_equal": "at most", "less_than": "less than", "greater_than_equal": "at least",
             "greater_than": "more than"}  # fmt: skip
    if kind in bound:
        limit = next(iter(ctx.values()), "")
        if isinstance(limit, (int, float)):
            limit = f"{limit:,.0f}" if float(limit).is_integer() and abs(limit) >= 1e6 else f"{limit:g}"
        return smap.problem(path, f"{label} must be {bound[kind]} {limit}, not {_show(value)}")
    if kind == "value_error":
        return smap.problem(path, str(ctx.get("error", err["msg"])))
    message = err["msg"][0].lower() + err["msg"][1:]
    return smap.problem(path, f"{label}: {message}")


#: Words for a figure's size a creator may write after it ('200 million').
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def _number_hint(value: Any, kind: str, suffix: str = "") -> str:
    """Why the text ``value`` is not a number and what to write; ``suffix``: the field's name when its mapping has
    a 'suffix' field, which draws words after the figure."""
    if isinstance(value, YamlBool):
        return " (YAML reads yes, no, on and off as true and false; write the figure)"
    if not isinstance(value, str):
        return ""
    odd = [char for char in value if char in LOOKALIKES]
    if odd:
        char = odd[0]
        fixed = "".join("-" if c in DASHES else c for c in value if c not in LOOKALIKES or c in DASHES)
        return (
            f" (it has {LOOKALIKES[char]} '{char}' (U+{ord(char):04X}), often pasted from a document; "
            f"type the figure with a plain hyphen-minus: {fixed})"
        )
    if re.fullmatch(r"[-+]?[\d,.\s$%€£]+", value.strip()):
        plain = re.sub(r"[^\d.\-]", "", value)
        return f" (write it as a plain number without quotes, commas or units: {plain})"
    unit = re.fullmatch(r"\s*([-+]?\d+(?:\.\d+)?)\s*([^\d\s.]+)\s*", value)
    if unit and unit.group(2).lower() in SCALES:  # '200 million': the figure alone would lose the million
        figure, word = unit.group(1), unit.group(2)
        whole = round(float(figure) * SCALES[word.lower()])
        if suffix:
            return f' (write {suffix}: {figure} and suffix: " {word}" (drawn after it), or the whole figure: {whole})'
        return f" (write the whole figure: {whole})"
    if unit:  # '2x', '-6 dB', '30 s': the figure with a unit the field does not take
        return f" (this field takes just the figure, without '{unit.group(2)}': {unit.group(1)})"
    return " (this field takes a figure: write just the number here, and put words in the slide's text fields)"


def _show(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return repr(shorten(value)) if isinstance(value, str) else _a(value)


def _a(value: Any) -> str:
    """'a list', 'a mapping', 'an empty value': the kind of value the author wrote."""
    name = type_name(value)
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def shorten(text: str, most: int = 60) -> str:
    """``text`` as a message may quote it: at most ``most`` characters, invisible ones shown escaped (\\u200b)."""
    text = text if len(text) <= most else f"{text[: most - 3]}..."
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _where(path: tuple, data: Any) -> str:
    node = data
    for part in path:
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
    if isinstance(node, dict) and "id" in node:
        return f" in {'Short' if path[:1] == ('shorts',) else 'scene'} '{node['id']}'"
    if isinstance(node, dict) and "kind" in node:
        return f" in this {node['kind']} slide"
    return ""


def _written(path: tuple, data: Any) -> Any:
    """The value at ``path`` as the file has it (None when there is none)."""
    node = data
    for part in path:
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
    return node


def _model_at(path: tuple, data: Any, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (for listing its fields)."""
    cls: Any = root
    node = data
    for part in path:
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
        if isinstance(part, int):
            continue
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or part not in cls.model_fields:
            return None
        cls = _model_in(cls.model_fields[part].annotation, node)
    return cls if isinstance(cls, type) and issubclass(cls, BaseModel) else None


def _union_kinds(path: tuple, data: Any, root: type[BaseModel]) -> list[tuple[Any, str]]:
    """(model, kind) of every member of the union of kinds at ``path`` (the slide field), for their other names."""
    parent = _model_at(path[:-1], data, root)
    field = parent.model_fields.get(path[-1]) if parent and path else None
    annotation = field.annotation if field else None
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    members = typing.get_args(annotation) if typing.get_origin(annotation) in (Union, types.UnionType) else ()
    return [
        (m, typing.get_args(m.model_fields["kind"].annotation)[0])
        for m in members
        if isinstance(m, type) and issubclass(m, BaseModel) and "kind" in m.model_fields and hasattr(m, "ALSO_CALLED")
    ]


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _model_in(annotation: Any, node: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _model_in(typing.get_args(annotation)[0], node)
    if origin in (list, tuple):
        return _model_in(typing.get_args(annotation)[0], node[0] if isinstance(node, list) and node else None)
    if origin in (Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if isinstance(node, dict) and "kind" in node:
            for model in models:
                if node["kind"] in typing.get_args(model.model_fields["kind"].annotation):
                    return model
        return models[0] if len(models) == 1 else None
    return annotation
