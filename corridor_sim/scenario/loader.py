"""Load scenario files: safe YAML, ``extends`` chains, overrides, schema and semantic checks.

Every problem is reported with its file, line, column and field path; all problems found
in a file are reported together in one :class:`ScenarioError`.
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem, ScenarioError
from .models import Scenario
from .overrides import _item_key, apply_overrides
from .semantics import check_semantics
from .yaml_source import Located, parse_yaml, read_text

MAX_EXTENDS = 32


def _merge(base: Any, over: Any) -> Any:
    """Deep-merge ``over`` onto ``base``: mappings merge key by key; lists whose items all
    have a key (``id``, or ``from-to`` for legs without one) merge item by item (new keys
    appended); anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(over, list) and _all_have_keys(base, over):
        out = [copy.deepcopy(item) for item in base]
        index = {_item_key(item): i for i, item in enumerate(out)}
        for item in over:
            key = _item_key(item)
            if key in index:
                out[index[key]] = _merge(out[index[key]], item)
            else:
                out.append(copy.deepcopy(item))
        return out
    return copy.deepcopy(over)


def _all_have_keys(*lists: list) -> bool:
    return all(_item_key(i) is not None for lst in lists for i in lst)


def _read_chain(path: Path, seen: list[Path]) -> tuple[dict, list[Located]]:
    """Read ``path`` and everything it extends; return merged data and the sources
    (the file itself last)."""
    path = path.resolve()
    if path in seen:
        cycle = " -> ".join(p.name for p in [*seen, path])
        raise ScenarioError([Problem(f"`extends` cycle: {cycle}", file=str(seen[-1]),
                                     path="extends")])
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError([Problem(f"`extends` chain longer than {MAX_EXTENDS} files",
                                     file=str(path))])
    located = parse_yaml(read_text(path), str(path))
    data = dict(located.data)
    parent = data.pop("extends", None)
    if parent is None:
        return data, [located]
    if not isinstance(parent, str):
        line, col = located.where(("extends",))
        raise ScenarioError([Problem("`extends` must be a file name (relative to this file)",
                                     file=str(path), line=line, column=col, path="extends")])
    parent_path = path.parent / parent
    if not parent_path.exists():
        line, col = located.where(("extends",))
        raise ScenarioError([Problem(f"`extends` names {parent!r}, which does not exist "
                                     f"({parent_path})", file=str(path), line=line,
                                     column=col, path="extends")])
    base, sources = _read_chain(parent_path, [*seen, path])
    return _merge(base, data), [*sources, located]


def _locate(sources: list[Located], loc: tuple) -> tuple[str | None, int | None, int | None]:
    """Find the innermost file that defines ``loc`` (the last one wins, as in merging)."""
    for src in reversed(sources):
        if tuple(loc) in src.marks:
            line, col = src.marks[tuple(loc)]
            return src.file, line, col
    for src in reversed(sources):
        line, col = src.where(loc)
        if line is not None:
            return src.file, line, col
    return (sources[-1].file if sources else None), None, None


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class that owns the field at ``loc`` (for suggestions)."""
    from . import models

    model: Any = models.Scenario
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            for name, f in getattr(model, "model_fields", {}).items():
                if f.alias == part:
                    field = f
            if field is None:
                if model in (models.Scenario,) and part in ("nodes", "services"):
                    continue
                return None
        model = _unwrap(field.annotation)
        if model is dict:
            continue
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    import typing

    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is dict and len(args) == 2:
        return _unwrap(args[1])
    for arg in args or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = _unwrap(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return annotation


def allowed_fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _describe(err: dict) -> str:
    loc = err["loc"]
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(loc)
        if model is not None:
            names = allowed_fields(model)
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return f"unknown field {key!r}{hint} (allowed: {', '.join(names)})"
        return f"unknown field {key!r}"
    found = err.get("input")
    shown = repr(found) if not isinstance(found, (dict, list)) else type(found).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    msg = err["msg"]
    if kind == "missing":
        return "required field is missing"
    return f"{msg} (found {shown})"


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch tags (e.g. 'lognormal', 'function-before[...]')."""
    from .distributions import DIST_KINDS

    out = []
    for part in loc:
        if isinstance(part, str) and (part in DIST_KINDS or part.startswith("function-")):
            continue
        out.append(part)
    return tuple(out)


def validate_data(data: dict, sources: list[Located] | None = None,
                  file: str | None = None) -> Scenario:
    """Validate merged scenario data; raise ScenarioError listing every problem."""
    sources = sources or []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        seen = set()
        for err in exc.errors():
            loc = _clean_loc(err["loc"])
            f, line, col = _locate(sources, loc) if sources else (file, None, None)
            p = Problem(_describe(err), file=f, line=line, column=col,
                        path=".".join(map(str, loc)))
            if str(p) not in seen:
                seen.add(str(p))
                problems.append(p)
        raise ScenarioError(problems) from None
    problems = [p for p in check_semantics(scenario) if p.severity == "error"]
    if problems:
        located = []
        for p in problems:
            loc = tuple(int(x) if x.isdigit() else x for x in p.path.split(".")) if p.path else ()
            f, line, col = _locate(sources, loc) if sources else (file, None, None)
            located.append(Problem(p.message, f, line, col, p.path, p.severity))
        raise ScenarioError(located)
    return scenario


def load_raw(path: str | Path) -> tuple[dict, list[Located]]:
    """Read a scenario file and its ``extends`` chain into merged plain data."""
    return _read_chain(Path(path), [])


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario file.

    ``overrides`` maps dotted paths to values, e.g. ``{"demand.scale": 1.5}``.
    Raises :class:`ScenarioError` with every problem found.
    """
    data, sources = load_raw(path)
    if overrides:
        try:
            data = apply_overrides(data, overrides)
        except KeyError as exc:
            raise ScenarioError([Problem(f"override: {exc.args[0]}", file=str(path))]) from None
    return validate_data(data, sources)
