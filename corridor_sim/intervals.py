"""Confidence intervals of KPIs over replications."""

from __future__ import annotations

import pandas as pd


def summarize(kpis_by_replication: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, sd, n and a Student-t confidence interval of each KPI across replications
    (a table with kpi, group, unit, value and one row per replication)."""
    from scipy.special import stdtrit  # Student-t quantile (lighter than scipy.stats)

    g = kpis_by_replication.groupby(["kpi", "group", "unit"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    tcrit = stdtrit((out["n"] - 1).clip(lower=1).to_numpy(float), 0.5 + confidence / 2)
    half = tcrit * out["sd"].fillna(0.0) / out["n"].pow(0.5)
    out["ci_low"] = out["mean"] - half.where(out["n"] > 1)
    out["ci_high"] = out["mean"] + half.where(out["n"] > 1)
    return out
