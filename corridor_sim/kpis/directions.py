"""KPIs by direction: cargo delivered westbound and eastbound, and how full the vessels
of each sea service sail each way (cargo and background traffic)."""

from __future__ import annotations

import pandas as pd

from .basics import delivered, scenario_dict

DIRECTIONS = ("westbound", "eastbound")


def throughput_by_direction(cons: pd.DataFrame, t0_h: float, t1_h: float) -> pd.DataFrame:
    """Tons and TEU delivered in [t0_h, t1_h) per direction (both directions always
    listed; per replication on average when there are several)."""
    d = delivered(cons, ("delivered_h", "replication", "direction", "tons", "teu"))
    d = d[(d["delivered_h"] >= t0_h) & (d["delivered_h"] < t1_h)]
    reps = d["replication"].nunique() if "replication" in d and len(d) else 1
    if "direction" in d:
        g = d.groupby("direction", observed=False)[["tons", "teu"]].sum()
    else:
        g = pd.DataFrame(columns=["tons", "teu"], dtype=float)
    g = g.reindex(list(DIRECTIONS), fill_value=0.0) / max(reps, 1)
    return g.rename_axis("direction").reset_index()


def deck_use(mov: pd.DataFrame, scenario) -> pd.DataFrame:
    """Per sea service and crossing (``outbound`` as written, ``return`` back): sailings,
    mean TEU of cargo and of background traffic per sailing, and the load factor (deck
    slots used over deck slots offered by those sailings, 0-1)."""
    cols = ["service", "way", "sailings", "cargo_teu", "background_teu", "load_factor"]
    if mov.empty:
        return pd.DataFrame(columns=cols)
    v = mov[mov["kind"] == "vessel"].drop_duplicates("batch_id")
    if v.empty:
        return pd.DataFrame(columns=cols)
    services = scenario_dict(scenario).get("services", {})
    parts = v["segment"].str.split(":")
    v = v.assign(service=parts.str[1],
                 way=parts.str[2].fillna("outbound"))
    if "background_teu" not in v:
        v = v.assign(background_teu=0.0)
    rows = []
    for (svc, way), g in v.groupby(["service", "way"]):
        deck = float(services[svc]["capacity_teu"]) if svc in services else float("nan")
        used = g["teu"].sum() + g["background_teu"].sum()
        rows.append((svc, way, len(g), g["teu"].mean(), g["background_teu"].mean(),
                     used / (deck * len(g))))
    return pd.DataFrame(rows, columns=cols)
