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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
    error = _Error(err, _path_of(err, data), data, smap, model)
    shapes = [shape for shape in err.get("shapes", []) if shape]
    if len(shapes) > 1:
        return error.say(f"{error.label} must be {' or '.join(dict.fromkeys(shapes))}, not {_a(error.value)}")
    if error.value is None and error.kind in SHAPES:
        return error.say(f"{error.label} is empty (nothing after the colon); write {SHAPES[error.kind]} there")
    case = CASES.get(error.kind)
    found = case(error) if case is not None else None
    return found if found is not None else _in_pydantic_words(error)


@dataclass(frozen=True)
class _Error:
    """One pydantic error, with what its case needs to word it: where it is and what the author wrote."""

    err: dict[str, Any]
    path: tuple
    data: Any
    smap: SourceMap
    model: type[BaseModel]

    @property
    def kind(self) -> str:
        return self.err["type"]

    @property
    def value(self) -> Any:
        return self.err.get("input")

    @property
    def ctx(self) -> dict[str, Any]:
        return self.err.get("ctx") or {}

    @property
    def name(self) -> Any:
        """The field's name, or the item's index in its list."""
        return self.path[-1] if self.path else ""

    @property
    def label(self) -> str:
        """'title', or 'items' item 3: the value as the author knows it."""
        name = self.name
        return f"'{self.path[-2]}' item {name + 1}" if isinstance(name, int) and len(self.path) > 1 else f"'{name}'"

    def say(self, message: str, path: tuple | None = None, at_key: bool = False) -> Problem:
        """``message`` at the value (or at ``path``; at its key with ``at_key``)."""
        return self.smap.problem(self.path if path is None else path, message, at_key=at_key)


def _missing(error: _Error) -> Problem:
    parent = error.path[:-1]
    return error.say(f"missing required field '{error.name}'{_where(parent, error.data)}", parent)


def _unknown_field(error: _Error) -> Problem:
    name, value = error.name, error.value
    found = _model_at(error.path[:-1], error.data, error.model)
    allowed = [field.alias or name for name, field in found.model_fields.items()] if found else []
    advice = getattr(found, "FIELD_HINTS", {}).get(str(name).lower())
    hint = f"; {advice}" if advice else ""
    hint = hint or did_you_mean(name, allowed) or (f" (allowed: {', '.join(allowed)})" if allowed else "")
    if value is None and allowed:  # `{source: Vostok, 1983}`: the comma ended the text, '1983' became a field
        hint += "; if it is the end of the text before it, that text has a comma: put the whole text in quotes"
    return error.say(f"unknown field '{shorten(str(name))}'{hint}", at_key=True)


def _kinds_expected(error: _Error) -> list[str]:
    return re.findall(r"'([^']+)'", str(error.ctx.get("expected_tags", "")))


def _unknown_kind(error: _Error) -> Problem:
    tag, kinds = error.ctx.get("tag"), _kinds_expected(error)
    members = _union_kinds(error.path, error.data, error.model)
    alias = next((k for m, k in members if str(tag).lower() in m.ALSO_CALLED), None)
    hint = f" (for {tag}, the kind is '{alias}')" if alias else did_you_mean(tag, kinds)
    message = f"unknown slide kind '{shorten(str(tag))}'{hint}; kinds: {', '.join(kinds)}"
    return error.say(message, (*error.path, "kind"))


def _no_kind(error: _Error) -> Problem:
    kinds = _kinds_expected(error)
    listing = f": one of {', '.join(kinds)}" if kinds else ""
    return error.say(f"a slide needs a 'kind'{listing}")


def _not_a_number(error: _Error) -> Problem:
    kind, name, value = error.kind, error.name, error.value
    want = "a whole number" if kind.startswith("int") else "a number"
    parent = _model_at(error.path[:-1], error.data, error.model)
    suffix = str(name) if parent is not None and "suffix" in parent.model_fields else ""
    return error.say(f"{error.label} must be {want}, not {_show(value)}{_number_hint(value, kind, suffix)}")


def _not_finite(error: _Error) -> Problem:
    written = _written(error.path, error.data)  # .inf (a YAML number) or inf (text that reads as one)
    why = " (YAML reads .inf and .nan as numbers)" if isinstance(written, float) else ""
    return error.say(f"{error.label} must be a finite number, not {_show(error.value)}{why}; write the figure")


def _not_text(error: _Error) -> Problem:
    value, hint = error.value, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        hint = f"; put it in quotes, '{_show(value)}': YAML reads a bare figure as a number, and quotes make it text"
    elif isinstance(value, YamlBool):
        hint = f"; put it in quotes, '{value}': YAML reads yes, no, on and off as true and false"
    return error.say(f"{error.label} must be text, not {_a(value)}{hint}")


def _worded(template: str) -> Callable[[_Error], Problem]:
    """A case that is one sentence: ``template`` with the value's {label}, {shown} (as written) and {a} (its kind)."""
    return lambda error: error.say(template.format(label=error.label, shown=_show(error.value), a=_a(error.value)))


def _not_one_of(error: _Error) -> Problem:
    return error.say(f"{error.label} must be one of {error.ctx.get('expected', '')}, not {_show(error.value)}")


def _not_a_name(error: _Error) -> Problem | None:
    """An id or slug with characters a file name should not have; other patterns in pydantic's words."""
    if error.name not in ("id", "slug"):
        return None
    return error.say(
        f"'{shorten(str(error.value))}' is not a valid {error.name}: use lowercase letters, digits and dashes, "
        "e.g. 'border-guards'"
    )


def _too_short(error: _Error) -> Problem:
    if isinstance(error.value, str):
        return error.say(f"{error.label} is empty; write some text or remove the field")
    return error.say(f"{error.label} needs at least {error.ctx.get('min_length', 1)} item(s)")


def _text_too_long(error: _Error) -> Problem:
    most = error.ctx.get("max_length") or 0
    if error.name in ("id", "slug"):
        advice = "shorten it (it names files; a few words are enough)"
    elif most <= SHORT_FIELD:
        advice = "shorten it (the slide has room for a short label here)"
    else:
        advice = "shorten it, and let the narration say the rest"
    return error.say(f"{error.label} is too long: {len(error.value)} characters, at most {most}; {advice}")


def _too_many(error: _Error) -> Problem:
    return error.say(f"{error.label} has too many items: at most {error.ctx.get('max_length')}")


#: Each of pydantic's bound errors as the words before the bound.
BOUNDS = {"less_than_equal": "at most", "less_than": "less than", "greater_than_equal": "at least",
          "greater_than": "more than"}  # fmt: skip


def _out_of_bounds(error: _Error) -> Problem:
    limit = next(iter(error.ctx.values()), "")
    if isinstance(limit, (int, float)):
        limit = f"{limit:,.0f}" if float(limit).is_integer() and abs(limit) >= 1e6 else f"{limit:g}"
    return error.say(f"{error.label} must be {BOUNDS[error.kind]} {limit}, not {_show(error.value)}")


def _validator_said(error: _Error) -> Problem:
    """A validator's own message, which is written for the author already."""
    return error.say(str(error.ctx.get("error", error.err["msg"])))


def _in_pydantic_words(error: _Error) -> Problem:
    """Any other error: pydantic's message, after the value's name."""
    message = error.err["msg"][0].lower() + error.err["msg"][1:]
    return error.say(f"{error.label}: {message}")


#: How each kind of pydantic error is worded; a case that answers None leaves it to pydantic's words.
CASES: dict[str, Callable[[_Error], Problem | None]] = {
    "missing": _missing,
    "extra_forbidden": _unknown_field,
    "union_tag_invalid": _unknown_kind,
    "union_tag_not_found": _no_kind,
    **dict.fromkeys(("int_parsing", "float_parsing", "int_type", "float_type", "int_from_float"), _not_a_number),
    "finite_number": _not_finite,
    "string_type": _not_text,
    **dict.fromkeys(("bool_parsing", "bool_type"), _worded("{label} must be true or false, not {shown}")),
    **dict.fromkeys(
        ("model_type", "dict_type", "model_attributes_type"),
        _worded("{label} must be a mapping of fields (key: value lines), not {a}"),
    ),
    **dict.fromkeys(("list_type", "tuple_type"), _worded("{label} must be a list (one '- ' line per item), not {a}")),
    "literal_error": _not_one_of,
    "string_pattern_mismatch": _not_a_name,
    "too_short": _too_short,
    "string_too_long": _text_too_long,
    "too_long": _too_many,
    **dict.fromkeys(BOUNDS, _out_of_bounds),
    "value_error": _validator_said,
}


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
    if isinstance(node, dict) and "kind" in node and path[-1:] == ("slide",):
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
                kind = model.model_fields.get("kind")  # a union of slide kinds is told apart by it; others have none
                if kind is not None and node["kind"] in typing.get_args(kind.annotation):
                    return model
        return models[0] if len(models) == 1 else None
    return annotation
