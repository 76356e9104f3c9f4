"""Published figures as data: calibration targets and input figures with their sources.

Two files live in ``seeds/``:

- ``targets_*.yaml``: what the model must reproduce. Each target names the KPI row it is
  compared with (``kpi`` and ``group`` of :func:`corridor_sim.kpis.kpi_table`), a factor
  converting the KPI's unit into the target's unit (e.g. 1e-6 for t -> Mt), the scenarios it
  applies to, a relative tolerance and its source.
- ``inputs.yaml``: figures the scenarios are built from (each with the scenario paths that
  use it) and the published *ranges* within which calibration may move a parameter.

Every entry cites a key of the file's ``sources`` mapping (publisher, date, what it says).
This module is pure data: no simulation, no plotting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .scenario import Problem, ScenarioError
from .scenario.overrides import find_item
from .scenario.yaml_source import parse_yaml, read_text

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Source(_Strict):
    """Where a figure was published: ``publisher``, ``date`` (a year or a day) and what it
    says, in the project's words."""

    publisher: str = Field(min_length=2)
    date: dt.date | int | str
    says: str = Field(min_length=10)
    url: str | None = None


class KpiRef(_Strict):
    """A row of the KPI table: ``name`` (kpi column) and ``group``; the KPI value times
    ``factor`` is in the target's unit."""

    name: str
    group: str = "all"
    factor: float = 1.0


class Target(_Strict):
    """A published figure the model must reproduce (``value`` in ``unit``).

    ``tolerance`` is relative (0.1 = +-10 %); ``applies_to`` lists scenario names.
    """

    id: str
    value: float
    unit: str
    tolerance: Annotated[float, Field(gt=0, le=1)] = 0.1
    kpi: KpiRef
    computed_as: str = Field(min_length=10)
    applies_to: list[str] = Field(min_length=1)
    source: str
    note: str | None = None


class Input(_Strict):
    """An input figure and where scenarios use it: ``used_in`` maps a scenario file
    (relative to the repository) to the dotted paths holding this value.

    ``low`` and ``high`` give the range the figure may take (a published range, or for
    an assumption -- ``source: assumption`` -- the range it should be swept over, which
    every assumed number must have)."""

    id: str
    value: float | str
    unit: str
    year: int | str
    source: str
    low: float | None = None
    high: float | None = None
    used_in: dict[str, list[str]] = Field(default_factory=dict)
    note: str | None = None

    @model_validator(mode="after")
    def _range(self):
        if self.source == "assumption" and isinstance(self.value, float) and (
                self.low is None or self.high is None):
            raise ValueError("an assumed figure needs `low` and `high`: the range to sweep it "
                             "over")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both `low` and `high`, or neither")
        if self.low is not None and isinstance(self.value, float) and not (
                self.low <= self.value <= self.high):
            raise ValueError(f"value {self.value:g} lies outside [low, high] = "
                             f"[{self.low:g}, {self.high:g}]")
        return self


class Range(_Strict):
    """A published range ``[low, high]`` (in ``unit``) for parameters calibration may vary;
    ``paths`` are the dotted override paths it bounds."""

    id: str
    low: float
    high: float
    unit: str
    year: int | str
    source: str | list[str]
    paths: list[str] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self

    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)


class TargetFile(_Strict):
    sources: dict[str, Source]
    targets: list[Target] = Field(min_length=1)


class InputFile(_Strict):
    sources: dict[str, Source]
    inputs: list[Input] = Field(default_factory=list)
    ranges: list[Range] = Field(default_factory=list)


def _load(path: str | Path, model: type[BaseModel]) -> Any:
    path = Path(path)
    if not path.exists():
        raise ScenarioError([Problem(f"file not found: {path}", file=str(path))])
    located = parse_yaml(read_text(path), str(path))
    try:
        obj = model.model_validate(located.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line, col = located.where(loc)
            problems.append(Problem(err["msg"], file=str(path), line=line, column=col,
                                    path=".".join(map(str, loc))))
        raise ScenarioError(problems) from None
    missing = _unknown_sources(obj)
    if missing:
        raise ScenarioError([Problem(f"cites unknown source {key!r} (known: "
                                     f"{', '.join(obj.sources)})", file=str(path), path=where)
                             for where, key in missing])
    return obj


def _unknown_sources(obj: Any) -> list[tuple[str, str]]:
    out = []
    for name in ("targets", "inputs", "ranges"):
        for i, item in enumerate(getattr(obj, name, [])):
            keys = item.sources() if isinstance(item, Range) else [item.source]
            out += [(f"{name}.{i}.source", k) for k in keys if k not in obj.sources]
    return out


def load_targets(path: str | Path) -> TargetFile:
    """Read a targets file; raise ScenarioError (file, line, field) when it is invalid."""
    return _load(path, TargetFile)


def load_inputs(path: str | Path = SEEDS / "inputs.yaml") -> InputFile:
    """Read the input figures and published ranges."""
    return _load(path, InputFile)


def targets_for(tf: TargetFile, scenario_name: str) -> list[Target]:
    """The targets that apply to the scenario called ``scenario_name``."""
    return [t for t in tf.targets if scenario_name in t.applies_to]


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted override path in plain scenario data (list items by ``id``,
    by ``from-to`` or by index, as in :mod:`corridor_sim.scenario.overrides`)."""
    node = data
    for part in path.split("."):
        if isinstance(node, dict):
            if part not in node:
                raise KeyError(f"{path}: no key {part!r}")
            node = node[part]
        elif isinstance(node, list):
            index = find_item(node, part)
            if index is None:
                raise KeyError(f"{path}: no item {part!r}")
            node = node[index]
        else:
            raise KeyError(f"{path}: cannot descend into {type(node).__name__}")
    return node


def range_for(inputs: InputFile, path: str) -> Range | None:
    """The published range that bounds the override ``path`` (None if there is none)."""
    for r in inputs.ranges:
        if path in r.paths:
            return r
    return None


def check_bounds(free: dict[str, tuple[float, float]], inputs: InputFile,
                 file: str | None = None) -> None:
    """Every free parameter's bounds must lie inside the published range for its path;
    raise ScenarioError listing each one that does not (or that has no range)."""
    problems = []
    for path, (low, high) in free.items():
        where = f"calibration.free.{path}"
        r = range_for(inputs, path)
        if r is None:
            problems.append(Problem("no published range in seeds/inputs.yaml bounds this "
                                    "parameter; add one (with its source) before freeing it",
                                    file=file, path=where))
        elif low > high:
            problems.append(Problem(f"bounds [{low:g}, {high:g}] are reversed", file=file,
                                    path=where))
        elif low < r.low or high > r.high:
            problems.append(Problem(
                f"bounds [{low:g}, {high:g}] leave the published range "
                f"[{r.low:g}, {r.high:g}] {r.unit} ({r.id}, source: "
                f"{', '.join(r.sources())})", file=file, path=where))
    if problems:
        raise ScenarioError(problems)
