"""The report's sections (:class:`corridor_sim.report_section.Section`) as one Markdown
document."""

from __future__ import annotations

import pandas as pd

from .report_section import Section


def _markdown_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |"
              for row in df.itertuples(index=False)]
    return "\n".join(lines)


def render_markdown(sections: list[Section]) -> str:
    """The sections as one Markdown document."""
    out: list[str] = []
    for s in sections:
        if s.title:
            out += [f"{'#' * s.level} {s.title}", ""]
        elif out:
            out += ["---"]
        for p in s.paragraphs:
            out += [p] if p.startswith("- ") else [p, ""]
        if s.paragraphs and s.paragraphs[-1].startswith("- "):
            out.append("")
        if s.table is not None:
            out += [_markdown_table(s.table), ""]
        for n in s.notes:
            out += [n, ""]
        for caption, path in s.images:
            out += [f"### {caption}", "", f"![{caption}]({path})", ""]
    return "\n".join(out).rstrip("\n") + "\n"
