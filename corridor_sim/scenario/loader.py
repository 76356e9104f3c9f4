"""Load scenario files: safe YAML, ``extends`` chains, overrides, schema and semantic checks;
derive a scenario from another with :func:`with_overrides`.

Every problem is reported with its file, line, column and field path; all problems found
in a file are reported together in one :class:`ScenarioError`. A problem in a value that
came from a parent file (via ``extends``) points into that parent file; a problem in a
value set by an override points at ``--set``.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import Problem, ScenarioError
from .models import Scenario
from .overrides import drop_replaced_free, find_item, item_key, resolve_overrides
from .schema_paths import DIST_CLASSES, model_at, suggest, yaml_names
from .semantics import check_scenario
from .yaml_source import Located, parse_yaml, read_text

MAX_EXTENDS = 32


def _match(base: list, item: dict) -> int | None:
    """Index in ``base`` of the item that ``item`` (from a child file) updates."""
    if item.get("id") is not None:
        for i, b in enumerate(base):
            if isinstance(b, dict) and b.get("id") == item["id"]:
                return i
        return None
    key = item_key(item)
    return find_item(base, key) if key is not None else None


def merge(base: Any, over: Any) -> Any:
    """Deep-merge ``over`` (child) onto ``base`` (parent): mappings merge key by key; lists
    whose items all have an ``id`` (or ``from`` and ``to``) merge item by item, matched by
    ``id`` or ``from-to`` (new items are appended); anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        if "dist" in over and over.get("dist") != base.get("dist"):
            return copy.deepcopy(over)  # a different distribution replaces the old one
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if (isinstance(base, list) and isinstance(over, list) and over
            and all(item_key(i) is not None for i in [*base, *over])):
        out = [copy.deepcopy(item) for item in base]
        for item in over:
            index = _match(out, item)
            if index is None:
                out.append(copy.deepcopy(item))
            else:
                out[index] = merge(out[index], item)
        return out
    return copy.deepcopy(over)


def read_chain(path: str | Path) -> list[Located]:
    """Parse ``path`` and every file it ``extends``; return them base first."""
    chain: list[Located] = []
    seen: list[Path] = []
    current = Path(path)
    while True:
        resolved = current.resolve()
        located = parse_yaml(read_text(current), str(current))
        seen.append(resolved)
        chain.append(located)
        parent = located.data.get("extends")
        if parent is None:
            return chain[::-1]
        line, col = located.marks.get(("extends",), (None, None))

        def fail(message: str, file=str(current), line=line, col=col) -> ScenarioError:
            return ScenarioError([Problem(message, file=file, line=line, column=col,
                                          path="extends")])

        if not isinstance(parent, str) or not parent.strip():
            raise fail("`extends` must be a file name (relative to this file), found "
                       f"{parent!r}")
        parent_path = Path(os.path.normpath(current.parent / parent))
        if parent_path.resolve() in seen:
            names = [p.name for p in seen] + [parent_path.name]
            raise fail(f"`extends` cycle: {' -> '.join(names)}")
        if parent_path.exists() and not parent_path.is_file():
            what = "is a directory" if parent_path.is_dir() else "is not a regular file"
            raise fail(f"`extends` names {parent!r}, which {what} ({parent_path}); "
                       "name a YAML scenario file")
        if not parent_path.is_file():
            siblings = [p.name for p in current.parent.glob("*.yaml")]
            raise fail(f"`extends` names {parent!r}, which does not exist ({parent_path})"
                       f"{suggest(parent, siblings)}")
        if len(chain) >= MAX_EXTENDS:
            raise fail(f"`extends` chain longer than {MAX_EXTENDS} files")
        current = parent_path


def _translate(merged: Any, src: Any, loc: tuple) -> tuple | None:
    """The location in one source file's data of the merged value at ``loc``, or the
    longest prefix of it that the source defines."""
    out: tuple = ()
    for part in loc:
        if isinstance(src, dict) and isinstance(merged, dict) and part in src:
            src, merged = src[part], merged.get(part)
            out += (part,)
        elif isinstance(src, list) and isinstance(merged, list) and isinstance(part, int):
            if not 0 <= part < len(merged):
                break
            key = item_key(merged[part])
            index = find_item(src, key) if key is not None else None
            if index is None and key is None and part < len(src):
                index = part
            if index is None:
                break
            src, merged = src[index], merged[part]
            out += (index,)
        else:
            break
    return out


def locate(sources: list[Located], merged: dict, loc: tuple
           ) -> tuple[str | None, int | None, int | None]:
    """File, line and column of the value at merged location ``loc``: the file (latest in
    the chain wins) that defines the longest part of the path."""
    best, best_len = None, -1
    for src in reversed(sources):
        sloc = _translate(merged, src.data, loc)
        if sloc and len(sloc) > best_len and sloc in src.marks:
            best, best_len = (src.file, *src.marks[sloc]), len(sloc)
            if len(sloc) == len(loc):
                break
    if best is not None:
        return best
    if sources:
        return (sources[-1].file, *sources[-1].marks.get((), (None, None)))
    return None, None, None


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch tags (e.g. 'lognormal', 'function-before[...]')."""
    return tuple(p for p in loc if not (isinstance(p, str) and (
        p in DIST_CLASSES or p.startswith("function-") or p == "[key]")))


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(err: dict) -> str:
    """A message for one pydantic error: what was found and what is allowed."""
    loc, kind, ctx = err["loc"], err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = loc[-1]
        model = model_at(loc[:-1])
        if model is not None:
            names = yaml_names(model)
            return (f"unknown field {key!r}{suggest(key, names)} "
                    f"(allowed: {', '.join(names)})")
        return f"unknown field {key!r}"
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        return (f"unknown distribution {ctx.get('tag')!r}{suggest(ctx.get('tag'), DIST_CLASSES)}"
                f" (allowed: {', '.join(DIST_CLASSES)})")
    if kind == "union_tag_not_found":
        return ("expected a number or a distribution mapping with `dist:` one of "
                f"{', '.join(DIST_CLASSES)} (found {_shown(err.get('input'))})")
    if kind == "literal_error":
        allowed = [a.strip(" '") for a in str(ctx.get("expected", "")).replace(" or ", ", ")
                   .split(",")]
        return (f"found {_shown(err.get('input'))} (allowed: {', '.join(allowed)})"
                f"{suggest(err.get('input'), allowed)}")
    if kind == "string_pattern_mismatch":
        return (f"found {_shown(err.get('input'))}; ids may contain only letters, digits, "
                "'_' and '-'")
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    return f"{err['msg']} (found {_shown(err.get('input'))})"


def _loc_of(path: str) -> tuple:
    return tuple(int(x) if x.isdigit() else x for x in path.split(".")) if path else ()


class _Placer:
    """Attaches file positions to problems found in merged data."""

    def __init__(self, data: dict, sources: list[Located], file: str | None,
                 set_by: dict[tuple, str]):
        self.data, self.sources, self.file, self.set_by = data, sources, file, set_by

    def place(self, message: str, loc: tuple, severity: str = "error") -> Problem:
        path = ".".join(map(str, loc))
        for n in range(len(loc), 0, -1):
            if loc[:n] in self.set_by:
                return Problem(f"{message} [set by --set {self.set_by[loc[:n]]}]",
                               file="--set", path=path, severity=severity)
        if self.sources:
            f, line, col = locate(self.sources, self.data, loc)
        else:
            f, line, col = self.file, None, None
        return Problem(message, file=f, line=line, column=col, path=path, severity=severity)


def check_data(data: dict, sources: list[Located] | None = None, file: str | None = None,
               *, strict: bool = False, set_by: dict[tuple, str] | None = None
               ) -> tuple[Scenario | None, list[Problem]]:
    """Validate merged data; return the scenario (None if the schema fails) and every
    problem found (schema errors, or semantic errors and warnings), with positions."""
    placer = _Placer(data, sources or [], file, set_by or {})
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems, seen = [], set()
        for err in exc.errors():
            p = placer.place(describe(err), _clean_loc(err["loc"]))
            if str(p) not in seen:
                seen.add(str(p))
                problems.append(p)
        return None, problems
    problems = [placer.place(p.message, _loc_of(p.path), p.severity)
                for p in check_scenario(scenario, strict=strict)]
    return scenario, problems


def validate_data(data: dict, sources: list[Located] | None = None,
                  file: str | None = None, *, strict: bool = False,
                  set_by: dict[tuple, str] | None = None) -> Scenario:
    """Validate merged scenario data; raise ScenarioError listing every error (and, with
    ``strict``, every warning)."""
    scenario, problems = check_data(data, sources, file, strict=strict, set_by=set_by)
    errors = [p for p in problems if p.severity == "error"]
    if errors or scenario is None:
        raise ScenarioError(errors)
    return scenario


def _duplicate_items(src: Located) -> list[Problem]:
    """Two flows (or legs) with the same id in one file would silently merge: refuse."""
    problems = []
    for section in ("flows", "legs"):
        items = src.data.get(section)
        if not isinstance(items, list):
            continue
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            key = item_key(item)
            if key is None:
                continue
            if key in first:
                line, col = src.marks.get((section, i), (None, None))
                earlier = src.marks.get((section, first[key]), (None,))[0]
                problems.append(Problem(
                    f"duplicate {section[:-1]} {key!r} (first on line {earlier}); each "
                    f"{section[:-1]} id (or from-to) may appear once per file", src.file,
                    line, col, f"{section}.{i}"))
            else:
                first[key] = i
    return problems


def load_raw(path: str | Path) -> tuple[dict, list[Located]]:
    """Read a scenario file and its ``extends`` chain into merged plain data (without the
    ``extends`` key) and the parsed sources, base first."""
    sources = read_chain(path)
    problems = [p for src in sources for p in _duplicate_items(src)]
    if problems:
        raise ScenarioError(problems)
    data: dict = {}
    for src in sources:
        data = merge(data, {k: v for k, v in src.data.items() if k != "extends"})
    return data, sources


def load_checked(path: str | Path, overrides: dict[str, Any] | None = None,
                 strict: bool = False) -> tuple[Scenario, list[Problem]]:
    """Load a scenario; return it with its warnings. Raise ScenarioError on any error."""
    data, sources = load_raw(path)
    set_by: dict[tuple, str] = {}
    left_out: list[Problem] = []
    if overrides:
        data, set_by = resolve_overrides(data, overrides)
        left_out = drop_replaced_free(data, overrides)
    scenario, problems = check_data(data, sources, str(path), strict=strict, set_by=set_by)
    problems = [*left_out, *problems]
    errors = [p for p in problems if p.severity == "error"]
    if errors or scenario is None:
        raise ScenarioError(errors)
    return scenario, problems


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None,
                  strict: bool = False) -> Scenario:
    """Load, merge, override and validate a scenario file.

    ``overrides`` maps dotted paths to values, e.g. ``{"demand.scale": 1.5}``. With
    ``strict``, semantic warnings (e.g. demand above capacity) are errors too.
    Raises :class:`ScenarioError` with every problem found.
    """
    return load_checked(path, overrides, strict)[0]


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """A new scenario: ``scenario`` with dotted-path overrides applied, e.g.
    ``{"flows.cn_tr.tons_per_year": 5e5, "services.caspian_ferry.vessels": 8}``.

    Paths and values are checked as on the command line (``--set``); raises
    :class:`ScenarioError` on an unknown path or an invalid result.
    """
    data = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data, set_by = resolve_overrides(data, overrides)
    return validate_data(data, set_by=set_by)
