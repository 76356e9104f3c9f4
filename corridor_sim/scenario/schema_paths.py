"""Walk the scenario schema along a field path (for suggestions, overrides and docs).

A field path is a tuple of mapping keys (field names as written in YAML, e.g. ``from``)
and list indices, such as ``("flows", 0, "tons_per_year")``.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel

from . import distributions as _d
from .models import Scenario

DIST_CLASSES: dict[str, type[BaseModel]] = {
    "fixed": _d.Fixed, "uniform": _d.Uniform, "triangular": _d.Triangular,
    "normal": _d.Normal, "lognormal": _d.Lognormal, "exponential": _d.Exponential,
    "gamma": _d.Gamma, "empirical": _d.Empirical,
}


def yaml_names(model: type[BaseModel]) -> list[str]:
    """Field names as written in a scenario file (aliases such as ``from``)."""
    return [f.alias or name for name, f in model.model_fields.items()]


def field_annotation(model: type[BaseModel], key: Any) -> Any | None:
    """Annotation of the field spelled ``key`` (alias or name) in ``model``, or None."""
    for name, f in model.model_fields.items():
        if key == name or key == f.alias:
            return f.annotation
    return None


def _is_dist_union(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    return bool(args) and all(isinstance(a, type) and issubclass(a, _d._Dist) for a in args)


def shape(annotation: Any) -> tuple[str, Any]:
    """Classify an annotation: ('model', cls), ('dict', value annotation),
    ('list', item annotation), ('dist', None) or ('leaf', annotation)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return shape(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    if origin is dict:
        return "dict", typing.get_args(annotation)[1]
    if origin is list:
        return "list", typing.get_args(annotation)[0]
    if _is_dist_union(annotation):
        return "dist", None
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType) and args:
        if len(args) == 1:
            return shape(args[0])
        if _is_dist_union(typing.Union[tuple(args)]):  # noqa: UP007 - built from a tuple
            return "dist", None
    return "leaf", annotation


def model_at(loc: tuple) -> type[BaseModel] | None:
    """The model that holds the fields at ``loc`` (a pydantic error location, which may
    contain distribution tags such as ``'lognormal'``), or None."""
    annotation: Any = Scenario
    for part in loc:
        kind, inner = shape(annotation)
        if kind == "model":
            annotation = field_annotation(inner, part)
            if annotation is None:
                return None
        elif kind in ("dict", "list"):
            annotation = inner
        elif kind == "dist":
            if part not in DIST_CLASSES:
                return None
            annotation = DIST_CLASSES[part]
        else:
            return None
    kind, inner = shape(annotation)
    return inner if kind == "model" else None


def suggest(name: Any, choices) -> str:
    """'; did you mean 'x'?' when ``name`` is close to one of ``choices``, else ''."""
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
