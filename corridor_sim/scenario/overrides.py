"""Dotted-path overrides (``flows.cn_tr.tons_per_year=5e5``) applied to raw scenario data.

List items are addressed by their ``id`` (legs also by ``from-to``) or by index.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml


def parse_value(text: str) -> Any:
    """Parse a command-line value as YAML: numbers, booleans, lists, dates, strings."""
    try:
        return yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        return text


def parse_assignment(item: str) -> tuple[str, Any]:
    """Split ``path=value`` into the path and its typed value."""
    if "=" not in item:
        raise ValueError(f"override {item!r} must look like path=value")
    path, _, value = item.partition("=")
    path = path.strip()
    if not path:
        raise ValueError(f"override {item!r} has an empty path")
    return path, parse_value(value)


def _item_key(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "id" in item:
        return str(item["id"])
    if "from" in item and "to" in item:
        return f"{item['from']}-{item['to']}"
    return None


def _child(container: Any, key: str, path: str, create: bool) -> tuple[Any, Any]:
    """Return (container, resolved key) for one path segment."""
    if isinstance(container, dict):
        if key not in container and not create:
            raise KeyError(f"{path}: no key {key!r} (have: {', '.join(map(str, container))})")
        return container, key
    if isinstance(container, list):
        for i, item in enumerate(container):
            if _item_key(item) == key:
                return container, i
        if key.lstrip("-").isdigit() and -len(container) <= int(key) < len(container):
            return container, int(key)
        ids = [k for k in map(_item_key, container) if k]
        raise KeyError(f"{path}: no item {key!r} (have: {', '.join(ids)})")
    raise KeyError(f"{path}: cannot descend into a {type(container).__name__}")


def apply_overrides(data: dict, overrides: dict[str, Any]) -> dict:
    """Return a deep copy of ``data`` with each dotted path set to its value.

    Raises KeyError naming the path when an intermediate key or list item is missing.
    """
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        parts = path.split(".")
        node: Any = out
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, dict) and part not in node:
                node[part] = {}  # the schema decides later whether this key may exist
            container, key = _child(node, part, ".".join(parts[: depth + 1]), create=False)
            node = container[key]
        container, key = _child(node, parts[-1], path, create=True)
        container[key] = copy.deepcopy(value)
    return out
