"""Calibration figure: targets against simulation, fitted parameters, objective history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Figure


def calibration(comparison: pd.DataFrame, params: pd.DataFrame, history: pd.DataFrame,
                title: str = "") -> Figure:
    """Three panels: each target against its simulated mean with the 95 % CI (as % of the
    target); each fitted parameter's position between its bounds (start and fitted); the
    objective (sum of squared relative errors) over evaluations.

    ``comparison``: target, target_value, simulated, ci_low, ci_high, tolerance (as from
    :func:`corridor_sim.calibrate.compare_targets`); ``params``: parameter, low, high,
    start, fitted; ``history``: eval, objective.
    """
    fig = Figure(figsize=(12, 8.5), layout="constrained")
    grid = fig.add_gridspec(2, 2)
    ax_t, ax_p, ax_h = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), \
        fig.add_subplot(grid[1, :])
    comp = comparison.reset_index(drop=True)
    y = np.arange(len(comp))
    ref = comp["target_value"].to_numpy(dtype=float)
    sim = comp["simulated"].to_numpy(dtype=float) / ref * 100
    lo = comp["ci_low"].to_numpy(dtype=float) / ref * 100
    hi = comp["ci_high"].to_numpy(dtype=float) / ref * 100
    tol = comp["tolerance"].to_numpy(dtype=float) * 100
    ax_t.barh(y, 2 * tol, left=100 - tol, color="#dddddd", label="tolerance")
    ax_t.axvline(100, color="k", lw=1, label="target")
    err = np.vstack([np.nan_to_num(sim - lo), np.nan_to_num(hi - sim)])
    ax_t.errorbar(sim, y, xerr=err, fmt="o", color="#c44e52", capsize=4,
                  label="simulated (95 % CI)")
    ax_t.set_yticks(y, [f"{t}\n({v:g} {u})" for t, v, u in
                        zip(comp["target"], comp["target_value"], comp["unit"])])
    ax_t.invert_yaxis()
    ax_t.set_xlabel("simulated as % of the published target")
    ax_t.set_title("Targets vs simulation")
    ax_t.legend(fontsize="small", loc="best")
    ax_t.grid(axis="x", alpha=0.3)

    par = params.reset_index(drop=True)
    yp = np.arange(len(par))
    span = (par["high"] - par["low"]).replace(0, 1.0)
    ax_p.barh(yp, np.ones(len(par)), color="#eeeeee", edgecolor="#999999")
    ax_p.plot((par["start"] - par["low"]) / span, yp, "o", mfc="none", color="grey",
              label="start")
    ax_p.plot((par["fitted"] - par["low"]) / span, yp, "D", color="#4c72b0", label="fitted")
    ax_p.set_yticks(yp, [f"{p}\n[{lo:g}, {hi:g}] -> {v:.3g}" for p, lo, hi, v in
                         zip(par["parameter"], par["low"], par["high"], par["fitted"])],
                    fontsize="small")
    ax_p.invert_yaxis()
    ax_p.set_xlim(-0.05, 1.05)
    ax_p.set_xlabel("position within the published bounds (0 = low, 1 = high)")
    ax_p.set_title("Fitted parameters")
    ax_p.legend(fontsize="small", loc="lower right")

    if len(history):
        ax_h.plot(history["eval"], history["objective"], ".-", color="#8172b3",
                  label="evaluation")
        ax_h.plot(history["eval"], history["objective"].cummin(), color="k", lw=1.2,
                  label="best so far")
        ax_h.set_yscale("log")
    ax_h.set_xlabel("evaluation")
    ax_h.set_ylabel("objective (sum of squared relative errors)")
    ax_h.set_title("Objective history")
    ax_h.legend(fontsize="small")
    ax_h.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig
