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

