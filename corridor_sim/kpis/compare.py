"""Differences of KPIs between runs, with Welch confidence intervals over replications."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .basics import scenario_dict, start_date_of

KEY = ["kpi", "group", "unit"]


def kpi_stats(kpis: pd.DataFrame) -> pd.DataFrame:
    """Mean, sd and n of each KPI from either a per-replication table (``value`` column,
    one row per replication) or a summary table (``mean``, ``sd``, ``n``)."""
    if "value" in kpis.columns:
        g = kpis.groupby(KEY, sort=False)["value"]
        return g.agg(mean="mean", sd="std", n="count").reset_index()
    return kpis[[*KEY, "mean", "sd", "n"]].copy()


def welch_interval(m1, s1, n1, m2, s2, n2, confidence: float = 0.95):
    """Confidence interval of ``m2 - m1`` from two samples' means, sds and sizes (Welch's
    t, unequal variances); NaN where either sample has fewer than two values."""
    from scipy import stats

    m1, s1, n1, m2, s2, n2 = (np.asarray(a, float) for a in (m1, s1, n1, m2, s2, n2))
    diff = m2 - m1
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = s1 ** 2 / n1, s2 ** 2 / n2
        se = np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
        half = stats.t.ppf(0.5 + confidence / 2, df) * se
    half = np.where(se == 0, 0.0, half)
    half = np.where((n1 < 2) | (n2 < 2), np.nan, half)
    return diff - half, diff + half


def kpi_differences(kpis: dict[str, pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """KPI differences of every run against the first one.

    ``kpis`` maps a run label to its KPI table (per replication, or summarised). One row
    per later run and KPI present in both: run, kpi, group, unit, base_mean, mean, diff
    (run minus first), rel_diff (diff / base_mean), ci_low, ci_high (``confidence``
    interval of the difference, Welch's t on the replications; NaN with fewer than two
    replications on either side), n_base, n.
    """
    labels = list(kpis)
    if len(labels) < 2:
        raise ValueError("comparing needs at least two runs")
    base = kpi_stats(kpis[labels[0]])
    frames = []
    for label in labels[1:]:
        other = kpi_stats(kpis[label])
        j = base.merge(other, on=KEY, suffixes=("_base", ""), how="inner")
        lo, hi = welch_interval(j["mean_base"], j["sd_base"], j["n_base"],
                                j["mean"], j["sd"], j["n"], confidence)
        out = pd.DataFrame({
            "run": label, "kpi": j["kpi"], "group": j["group"], "unit": j["unit"],
            "base_mean": j["mean_base"], "mean": j["mean"],
            "diff": j["mean"] - j["mean_base"],
        })
        with np.errstate(divide="ignore", invalid="ignore"):
            out["rel_diff"] = np.where(j["mean_base"] != 0, out["diff"] / j["mean_base"],
                                       np.nan)
        out["ci_low"], out["ci_high"] = lo, hi
        out["n_base"], out["n"] = j["n_base"].to_numpy(), j["n"].to_numpy()
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


SETTINGS = ("horizon_days", "warmup_days", "start_date", "replications")
DAYS_PER_YEAR = 365.0


def run_settings(scenario, replications: int) -> dict:
    """What must match for two runs' totals to be comparable: horizon, warm-up (days),
    start date and number of replications."""
    sc = scenario_dict(scenario)
    return {"horizon_days": float(sc["horizon_days"]),
            "warmup_days": float(sc.get("warmup_days", 0)),
            "start_date": start_date_of(sc).isoformat(), "replications": int(replications)}


def unlike_runs(settings: dict[str, dict]) -> list[str]:
    """One message per setting (:data:`SETTINGS`) on which runs differ from the first;
    ``settings`` maps run labels to :func:`run_settings`."""
    labels = list(settings)
    base = settings[labels[0]]
    out = []
    for key in SETTINGS:
        differ = [lab for lab in labels[1:] if settings[lab].get(key) != base.get(key)]
        if differ:
            values = ", ".join(f"{lab}: {settings[lab].get(key)}" for lab in labels)
            hint = ("totals (tons delivered) are not comparable; compare tons_per_year"
                    if key == "horizon_days" else "the runs are not like for like")
            out.append(f"runs differ in {key} ({values}); {hint}")
    return out


def with_per_year(kpis: pd.DataFrame, horizon_days: float) -> pd.DataFrame:
    """``kpis`` plus ``tons_per_year`` rows (unit ``t/yr``): each ``tons_delivered`` row
    scaled from the horizon to 365 days."""
    tons = kpis[kpis["kpi"] == "tons_delivered"].copy()
    scale = DAYS_PER_YEAR / float(horizon_days)
    tons["kpi"], tons["unit"] = "tons_per_year", "t/yr"
    for col in ("value", "mean", "sd", "ci_low", "ci_high"):
        if col in tons:
            tons[col] = tons[col] * scale
    return pd.concat([kpis, tons], ignore_index=True)
