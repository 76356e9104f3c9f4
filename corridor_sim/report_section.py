"""One part of a run report, the unit the Markdown and HTML renderers share."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Section:
    """One part of the report: a title (level 1 = the report's title), paragraphs of text
    (Markdown emphasis only) and an optional table whose cells are already formatted."""

    title: str
    level: int = 2
    paragraphs: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)  # (caption, relative path)
    verdict: bool | None = None  # the first paragraph is the verdict: overloaded or not



_INVARIANT = {"TEU"}  # the same after any number
_SINGULAR = {"trains/day": "train/day"}  # plurals whose singular is not without the "s"


def quantity(n: float, unit: str) -> str:
    """``n`` and its ``unit`` (given singular or plural, e.g. ``wagon`` or ``wagons``)
    as the report writes them: thousands separated, the unit agreeing with the number
    (``1 vessel``, ``1,880 wagons``, ``9,655 TEU``, ``1.6 trains/day``)."""
    plural = unit if unit in _INVARIANT or unit in _SINGULAR or unit.endswith("s") \
        else unit + "s"
    singular = _SINGULAR.get(plural, plural if plural in _INVARIANT else plural[:-1])
    number = f"{int(n):,}" if float(n).is_integer() else f"{n:,g}"
    return f"{number} {singular if n == 1 else plural}"
