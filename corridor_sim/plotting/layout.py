"""Laying out a figure of subplots at a fixed cost.

Matplotlib's constrained layout measures every tick label, title and legend of every axes
twice before the figure is drawn, and drawing measures them again: for the standard
figures of a run that is about a third of what saving them costs. :func:`fit` instead
places the subplots once, with margins measured from the few texts around them (the
tick labels the axes will show, axis labels, titles, legends beside or below the axes,
the figure's title), and removes the layout engine, so that saving draws the figure
once and lays nothing out (:func:`freeze`).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.legend import Legend
from matplotlib.text import Text

PAD_IN = 0.06  # around the whole figure and between texts and the next axes (inches)


def fit(fig) -> None:
    """Place the subplots of ``fig`` (one grid, e.g. from ``fig.subplots``) so that their
    decorations fit inside the figure, then draw it without a layout engine. The figure
    keeps this layout: call it last, once everything is on the figure."""
    axes = [ax for ax in fig.axes if ax.get_subplotspec() is not None]
    if not axes:
        return
    renderer = fig.canvas.get_renderer()
    per_in = 1.0 / fig.dpi
    grid = axes[0].get_subplotspec().get_gridspec()
    nrows, ncols = grid.get_geometry()
    width, height = fig.get_size_inches()
    left = np.zeros(ncols)
    right = np.zeros(ncols)
    top = np.zeros(nrows)
    bottom = np.zeros(nrows)
    for ax in axes:
        spec = ax.get_subplotspec()
        d = _decorations(ax, renderer, per_in)
        left[spec.colspan.start] = max(left[spec.colspan.start], d["left"])
        right[spec.colspan.stop - 1] = max(right[spec.colspan.stop - 1], d["right"])
        top[spec.rowspan.start] = max(top[spec.rowspan.start], d["top"])
        bottom[spec.rowspan.stop - 1] = max(bottom[spec.rowspan.stop - 1], d["bottom"])
    fig_top, fig_bottom, fig_right = _figure_texts(fig, renderer, per_in)
    m_left = PAD_IN + left[0]
    m_right = PAD_IN + right[-1] + fig_right
    m_top = PAD_IN + top[0] + fig_top
    m_bottom = PAD_IN + bottom[-1] + fig_bottom
    hgap = max([bottom[i] + top[i + 1] + PAD_IN for i in range(nrows - 1)], default=0.0)
    wgap = max([right[j] + left[j + 1] + PAD_IN for j in range(ncols - 1)], default=0.0)
    ax_h = (height - m_top - m_bottom - hgap * (nrows - 1)) / nrows
    ax_w = (width - m_left - m_right - wgap * (ncols - 1)) / ncols
    freeze(fig)
    grid.update(left=m_left / width, right=1 - m_right / width, bottom=m_bottom / height,
                top=1 - m_top / height, hspace=hgap / ax_h if ax_h > 0 else 0.2,
                wspace=wgap / ax_w if ax_w > 0 else 0.2)
    for ax in axes:
        ax._set_position(ax.get_subplotspec().get_position(fig))


def settle(fig) -> None:
    """Lay ``fig`` out once with its layout engine (if it has one) and keep that layout
    (:func:`freeze`): saving it then draws it once, the same figure."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    freeze(fig)


def freeze(fig) -> None:
    """Keep the figure's layout as it is: no layout engine at all, so that saving draws
    the figure once (with any engine, even matplotlib's placeholder for "none", it is
    drawn twice: once without painting, for the engine, then for real)."""
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)


def _size(text: Text, renderer, per_in: float) -> tuple[float, float]:
    """Width and height (inches) of a text as drawn; zero when it is empty or hidden."""
    if not text.get_visible() or not text.get_text():
        return 0.0, 0.0
    bb = text.get_window_extent(renderer)
    return bb.width * per_in, bb.height * per_in


def _tick_labels(axis, renderer, per_in: float) -> tuple[float, float]:
    """Width and height (inches) of the widest and tallest major tick label ``axis`` will
    show at its current limits and formatter."""
    params = axis.get_tick_params(which="major")
    side = "labelleft" if axis.axis_name == "y" else "labelbottom"
    if not params.get(side, True):
        return 0.0, 0.0
    lo, hi = sorted(axis.get_view_interval())
    locs = [x for x in axis.get_majorticklocs() if lo - 1e-9 * abs(hi - lo) <= x
            <= hi + 1e-9 * abs(hi - lo)]
    labels = axis.get_major_formatter().format_ticks(locs) if locs else []
    first = axis.get_major_ticks(1)[0]  # its label's size and rotation are every label's
    size, rotation = first.label1.get_fontsize(), first.label1.get_rotation()
    w = h = 0.0
    for s in dict.fromkeys(labels):  # each distinct label once
        text = Text(0, 0, s, fontsize=size, rotation=rotation, figure=axis.figure)
        tw, th = _size(text, renderer, per_in)
        w, h = max(w, tw), max(h, th)
    tick = (first.get_pad() + first.get_tick_padding()) / 72.0
    return (w + tick if w else tick), (h + tick if h else tick)


def _decorations(ax, renderer, per_in: float) -> dict[str, float]:
    """Inches the texts around ``ax`` take on each side of it."""
    tick_w, _ = _tick_labels(ax.yaxis, renderer, per_in)
    _, tick_h = _tick_labels(ax.xaxis, renderer, per_in)
    ylabel_w, _ = _size(ax.yaxis.label, renderer, per_in)
    _, xlabel_h = _size(ax.xaxis.label, renderer, per_in)
    labelpad = ax.yaxis.labelpad / 72.0
    left = tick_w + (ylabel_w + labelpad if ylabel_w else 0.0)
    bottom = tick_h + (xlabel_h + ax.xaxis.labelpad / 72.0 if xlabel_h else 0.0)
    title_h = max(_size(t, renderer, per_in)[1]
                  for t in (ax.title, ax._left_title, ax._right_title))
    top = title_h + (ax.titleOffsetTrans.get_matrix()[1, 2] * per_in if title_h else 0.0)
    right = 0.0
    legend = ax.get_legend()
    if legend is not None and legend.get_visible():
        bb = legend.get_window_extent(renderer)
        box = ax.get_window_extent(renderer)
        right = max(0.0, (bb.x1 - box.x1) * per_in)
    return {"left": left, "right": right, "top": top, "bottom": bottom}


def _figure_texts(fig, renderer, per_in: float) -> tuple[float, float, float]:
    """Inches that the figure's title and its legends above, below or right of the axes
    take at the top, at the bottom and on the right."""
    top = bottom = right = 0.0
    if fig._suptitle is not None:
        top += _size(fig._suptitle, renderer, per_in)[1] + PAD_IN
    for legend in fig.legends:
        if not isinstance(legend, Legend) or not legend.get_visible():
            continue
        bb = legend.get_window_extent(renderer)
        side = legend._outside_loc or {1: "upper", 2: "upper", 9: "upper",
                                       5: "right", 7: "right"}.get(legend._loc, "lower")
        if side == "right":
            right += bb.width * per_in + PAD_IN
        elif side == "upper":
            top += bb.height * per_in + PAD_IN
        else:
            bottom += bb.height * per_in + PAD_IN
    return top, bottom, right
