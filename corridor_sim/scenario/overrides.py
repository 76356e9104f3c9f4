"""Dotted-path overrides (``flows.cn_tr.tons_per_year=5e5``) applied to raw scenario data.

Paths follow the schema: mapping entries by key (``nodes.aktau.berths``), list items by
their ``id`` (``flows.cn_tr``), legs also by ``from-to`` (``legs.tbilisi-akhalkalaki``),
or any list item by index (``disruptions.0.days``). A missing intermediate mapping that
the schema allows is created (``services.x.weather.duration_h`` when ``weather`` is unset).
An unknown path is a :class:`ScenarioError` with a "did you mean" suggestion.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

import yaml

from .errors import Problem, ScenarioError
from .models import Scenario
from .schema_paths import DIST_CLASSES, field_annotation, shape, suggest, yaml_names

_NUMBER = re.compile(r"^[+-]?(\d[\d_]*\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse_value(text: str) -> Any:
    """Parse a command-line value as YAML: numbers (``5e5`` too), booleans, null, lists,
    mappings, dates; anything else stays a string. Python-object tags are refused."""
    stripped = text.strip()
    if not stripped:
        return ""
    if _NUMBER.match(stripped):
        clean = stripped.replace("_", "")
        try:
            return int(clean)
        except ValueError:
            return float(clean)
    try:
        value = yaml.safe_load(stripped)
    except yaml.YAMLError:
        return text
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return value


def parse_assignment(item: str) -> tuple[str, Any]:
    """Split ``path=value`` into the path and its typed value."""
    if "=" not in item:
        raise ValueError(f"override {item!r} must look like path=value")
    path, _, value = item.partition("=")
    path = path.strip()
    if not path or any(not p for p in path.split(".")):
        raise ValueError(f"override {item!r} has an empty path segment")
    return path, parse_value(value)


def item_key(item: Any) -> str | None:
    """How a list item is addressed: its ``id``, else ``from-to``, else None."""
    if not isinstance(item, dict):
        return None
    if "id" in item and item["id"] is not None:
        return str(item["id"])
    if "from" in item and "to" in item:
        return f"{item['from']}-{item['to']}"
    return None


def find_item(items: list, key: str) -> int | None:
    """Index of the item addressed by ``key`` (id, ``from-to`` or index), or None."""
    for i, item in enumerate(items):
        if item_key(item) == key:
            return i
    for i, item in enumerate(items):
        if isinstance(item, dict) and f"{item.get('from')}-{item.get('to')}" == key:
            return i
    if re.fullmatch(r"-?\d+", key) and -len(items) <= int(key) < len(items):
        return int(key) % len(items)
    return None


def _fail(path: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(message, file="--set", path=path)])


def resolve(data: dict, path: str) -> tuple[Any, Any, tuple]:
    """Walk ``data`` along ``path`` guided by the schema, creating missing mappings the
    schema allows. Return (container, key, location tuple) of the value to set."""
    parts = path.split(".")
    annotation: Any = Scenario
    node: Any = data
    loc: tuple = ()
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[:depth]) or "the scenario"
        kind, inner = shape(annotation)
        if kind == "dist":
            if not isinstance(node, dict) or node.get("dist") not in DIST_CLASSES:
                raise _fail(path, f"{where} is a plain number, not a distribution mapping; "
                            f"set it whole, e.g. --set {where}={{dist: uniform, low: 1, high: 2}}")
            kind, inner = "model", DIST_CLASSES[node["dist"]]
        expected = {"model": dict, "dict": dict, "list": list}.get(kind)
        if expected is not None and not isinstance(node, expected):
            raise _fail(path, f"{where} is not a {'list' if expected is list else 'mapping'}")
        if kind == "model":
            annotation = field_annotation(inner, part)
            if annotation is None:
                names = yaml_names(inner)
                raise _fail(path, f"{where} has no field {part!r}{suggest(part, names)} "
                            f"(allowed: {', '.join(names)})")
            key: Any = part
        elif kind == "dict":
            annotation = inner
            if part not in node and not last:
                raise _fail(path, f"{where} has no entry {part!r}{suggest(part, node)} "
                            f"(have: {', '.join(map(str, node)) or 'none'})")
            key = part
        elif kind == "list":
            annotation = inner
            index = find_item(node, part)
            if index is None:
                have = [item_key(x) or str(i) for i, x in enumerate(node)]
                raise _fail(path, f"{where} has no item {part!r}{suggest(part, have)} "
                            f"(have: {', '.join(have) or 'none'})")
            key = index
        else:
            raise _fail(path, f"{where} is a single value; cannot set {part!r} inside it")
        loc += (key,)
        if last:
            return node, key, loc
        child = node.get(key) if isinstance(node, dict) else node[key]
        if child is None:
            child_kind = shape(annotation)[0]
            if child_kind not in ("model", "dict"):
                raise _fail(path, f"{'.'.join(parts[:depth + 1])} is not set; set it whole")
            child = node[key] = {}
        node = child
    raise _fail(path, "empty path")  # pragma: no cover - parse_assignment forbids it


def resolve_overrides(data: dict, overrides: dict[str, Any]) -> tuple[dict, dict[tuple, str]]:
    """Apply overrides to a deep copy of ``data``. Return the new data and, for each
    location set, the ``path=value`` text that set it. Collects every unknown path."""
    out = copy.deepcopy(data)
    where: dict[tuple, str] = {}
    problems: list[Problem] = []
    for path, value in overrides.items():
        try:
            container, key, loc = resolve(out, str(path))
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        container[key] = copy.deepcopy(value)
        where[loc] = f"{path}={value!r}"
    if problems:
        raise ScenarioError(problems)
    return out, where


def apply_overrides(data: dict, overrides: dict[str, Any]) -> dict:
    """Return a deep copy of ``data`` with each dotted path set to its value.

    Raises :class:`ScenarioError` (with "did you mean") when a path does not exist.
    """
    return resolve_overrides(data, overrides)[0]


def drop_replaced_free(data: dict, overrides: dict[str, Any]) -> list[Problem]:
    """Leave out of ``data``'s ``calibration.free`` (in place) every free parameter that
    lies inside a value an override replaced whole (``--set nodes.x.dwell_h={dist: fixed,
    value: 12}`` replaces ``nodes.x.dwell_h.median``): the user fixed it. Returns one
    warning per parameter left out."""
    free = (data.get("calibration") or {}).get("free")
    if not isinstance(free, dict):
        return []
    problems = []
    for path in list(free):
        by = next((o for o in overrides if str(path).startswith(f"{o}.")), None)
        if by is not None:
            del free[path]
            problems.append(Problem(f"calibration free parameter {path} is left out: "
                                    f"--set {by}=... replaced it", file="--set",
                                    path=f"calibration.free.{path}", severity="warning"))
    return problems
