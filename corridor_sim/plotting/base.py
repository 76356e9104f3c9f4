"""Shared figure plumbing: a Figure that renders itself in Jupyter, colours, date axes."""

from __future__ import annotations

import datetime as dt
import io
import sys

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure as _Figure

CATEGORY_COLOURS = {
    "moving": "#4c72b0", "consolidation": "#dd8452", "border": "#c44e52",
    "transshipment": "#8172b3", "waiting": "#937860", "disruption": "#da8bc3",
    "rolling_stock": "#8c8c8c",
}
PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
           "#8c8c8c", "#ccb974", "#64b5cd")


class Figure(_Figure):
    """A matplotlib Figure with its own Agg canvas, so it saves anywhere and shows inline
    in Jupyter (``_repr_png_``) without pyplot or any set-up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        FigureCanvasAgg(self)

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100)
        return buf.getvalue()


def new_figure(figsize=(10, 5.5), nrows: int = 1, ncols: int = 1, **kw):
    """A constrained-layout figure and its axes. In a script or console that has imported
    ``matplotlib.pyplot`` the figure is made through pyplot, so ``plt.show()`` shows it;
    elsewhere (Jupyter included, where it shows inline) pyplot is never loaded."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None and "ipykernel" not in sys.modules:
        fig = plt.figure(figsize=figsize, layout="constrained", FigureClass=Figure)
    else:
        fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def release(fig) -> None:
    """Forget a figure pyplot keeps (after saving it), so saving many does not pile up."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


def figure_and_axes(ax=None, figsize=(10, 5.5)):
    """The figure and axes to draw on: the caller's ``ax`` (and its figure, e.g. one
    subplot of their own ``plt.subplots``), or a new figure of ``figsize`` inches."""
    if ax is not None:
        return ax.figure, ax
    return new_figure(figsize=figsize)


def legend_below(fig, ax, handles, labels, ncols: int, own_figure: bool) -> None:
    """A legend under the plot on a figure of our own, inside the axes on a caller's."""
    if own_figure:
        fig.legend(handles, labels, ncols=ncols, fontsize="small", loc="outside lower center")
    else:
        ax.legend(handles, labels, fontsize="x-small")


def flow_colours(cons: pd.DataFrame) -> dict:
    """A fixed colour per flow id: by the flow's position in the scenario's flow list (the
    categories of the ``flow`` column), so a flow keeps its colour in every plot and in
    every run of scenarios that share their flows."""
    flow = cons["flow"]
    order = (list(flow.cat.categories) if isinstance(flow.dtype, pd.CategoricalDtype)
             else sorted(flow.astype(str).unique()))
    return {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(order)}


def colour_map(labels) -> dict:
    """A stable colour per label, in the order given."""
    return {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(labels)}


def dates(start_date: dt.date, hours) -> np.ndarray:
    """Matplotlib date numbers of simulation hours (hours since ``start_date``)."""
    ts = pd.Timestamp(start_date) + pd.to_timedelta(np.asarray(hours, float), unit="h")
    return mdates.date2num(ts.to_pydatetime())


def date_axis(ax, monthly: bool = True) -> None:
    """Calendar dates on the x axis: one tick per month, labelled ``Jan 2023``."""
    ax.xaxis_date()
    if monthly:
        ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))


def shade_windows(ax, start_date: dt.date, windows: pd.DataFrame, colour: str,
                  label: str | None = None, alpha: float = 0.18) -> None:
    """Shade closure windows (``start_h``, ``end_h`` columns, hours) on a date axis, the
    full height of the axes, as one collection (one legend entry ``label``; the x
    limits are left to the caller)."""
    if windows.empty:
        return
    a, b = dates(start_date, windows["start_h"]), dates(start_date, windows["end_h"])
    spans = [[(x0, 0.0), (x0, 1.0), (x1, 1.0), (x1, 0.0)] for x0, x1 in zip(a, b)]
    ax.add_collection(PolyCollection(spans, transform=ax.get_xaxis_transform(),
                                     facecolors=colour, alpha=alpha, linewidths=0,
                                     label=label), autolim=False)


def od_label(origin: str, destination: str, names: dict | None = None) -> str:
    """``Xi'an → Istanbul`` from node ids (names from the scenario when given)."""
    names = names or {}
    return f"{names.get(origin, origin)} → {names.get(destination, destination)}"
