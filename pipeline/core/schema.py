"""The base of every storyboard and theme model: unknown fields are errors, values are frozen,
and a number is a number.

YAML reads yes, no, on and off as true and false, and pydantic would then take
true as the number 1: ``value: yes`` on a stat slide would show "1". Here a
true/false where a number is expected is an error at that field.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Annotated, Any, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

#: Signs people paste into figures, read as the plain ones: minus signs and dashes before a number.
MINUS_SIGNS = "\u2212\u2012\u2013\u2014"
#: Spaces people put between digit groups (thin, narrow no-break, no-break): '1 000 000'.
DIGIT_SPACES = "\u2009\u202f\u00a0"


def plain_figure(value: Any) -> Any:
    """A figure written as typeset text ('−40', '1 000 000') as the number it is; anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text[:1] in MINUS_SIGNS:
        text = "-" + text[1:]
    text = re.sub(rf"(?<=\d)[{DIGIT_SPACES}](?=\d{{3}}(?!\d))", "", text)
    try:
        return float(text)
    except ValueError:
        return value  # the number check says what is wrong with it


#: A figure a slide shows or charts: up to a quadrillion either way (past that, no viewer reads the digits).
Figure = Annotated[float, BeforeValidator(plain_figure), Field(ge=-1e15, le=1e15)]
#: A point across a picture, from 0 (left or top edge) to 1 (right or bottom edge).
Fraction = Annotated[float, Field(ge=0, le=1)]


def whole_as_text(value: Any) -> Any:
    """A whole number where a label is wanted is its text: YAML reads a bare year (1990) as a number."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class YamlBool(str):
    """A true/false found where a number belongs, passed on as text so that the number check fails at its field."""

    def __new__(cls, flag: bool) -> YamlBool:
        return super().__new__(cls, "true" if flag else "false")


class Plain(BaseModel):
    #: inf and nan (YAML's .inf and .nan) are no figure a slide can draw or a timing can use.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, value in data.items():
            field = cls.model_fields.get(name)
            if field is None or not _wants_number(field.annotation):
                continue
            if isinstance(value, bool):
                out[name] = YamlBool(value)
            elif isinstance(value, list):
                out[name] = [YamlBool(v) if isinstance(v, bool) else v for v in value]
        return out


def _wants_number(annotation: Any) -> bool:
    """Whether the annotation takes a number (or numbers) and never a true/false."""
    if annotation in (int, float):
        return True
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _wants_number(args[0])
    if origin in (Union, types.UnionType):
        return bool not in args and any(_wants_number(a) for a in args)
    if origin in (list, tuple):
        return all(_wants_number(a) for a in args if a is not Ellipsis)
    return False
