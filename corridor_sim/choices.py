"""The ``choices`` table: one row per consignment of a market, with the route it chose.

Consignments that chose a simulated flow are the rows of that flow in the consignments
table (their times, cost and CO2e come from the simulation). Those that chose an abstract
route never entered the simulation: they are re-created here from the same named random
streams as the engine used (so both read the same draws), with a transit time drawn from
the route's distribution (stream ``market:<id>:route:<route>:transit``), its freight at
the creation date and its emissions per TEU.

Columns: market, route, abstract (bool), consignment_id (-1 for abstract routes), origin,
destination, teu, tons, created_h, delivered_h (NaN if not delivered by the end of the
run), transit_h, cost_usd, co2e_kg, co2e_ttw_kg. Hours since the scenario's start date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .engine.demand import market_draws
from .stochastic import Streams, draw

COLUMNS = ["market", "route", "abstract", "consignment_id", "origin", "destination", "teu",
           "tons", "created_h", "delivered_h", "transit_h", "cost_usd", "co2e_kg",
           "co2e_ttw_kg"]


def _abstract_rows(scenario, mid: str, times: np.ndarray, chosen: np.ndarray,
                   streams: Streams, end_h: float) -> list[pd.DataFrame]:
    m = scenario.markets[mid]
    out = []
    for k, alt in enumerate(m.alternatives):
        if alt.route is None:
            continue
        r = scenario.routes[alt.route]
        t = times[chosen == k]
        days = draw(r.transit_days, streams.generator(f"market:{mid}:route:{alt.route}:transit"),
                    len(t))
        done = t + days * 24.0
        usd = np.full(len(t), r.usd_per_teu)
        for rate in r.rates:
            usd = np.where(t >= scenario.hours_since_start(rate.from_), rate.usd_per_teu, usd)
        teu = m.teu_per_unit
        out.append(pd.DataFrame({
            "market": mid, "route": alt.route, "abstract": True,
            "consignment_id": np.full(len(t), -1, dtype=np.int64),
            "origin": m.from_, "destination": m.to,
            "teu": teu, "tons": m.tons_per_unit, "created_h": t,
            "delivered_h": np.where(done < end_h, done, np.nan),
            "transit_h": np.where(done < end_h, done - t, np.nan),
            "cost_usd": usd * teu, "co2e_kg": r.co2e_kg_per_teu * teu,
            "co2e_ttw_kg": r.co2e_ttw_kg_per_teu * teu}))
    return out


def choices_table(run, consignments: pd.DataFrame) -> pd.DataFrame | None:
    """The choices of every market of ``run`` (a RunData); None without markets.
    ``consignments``: the run's consignments table (with its cost columns)."""
    sc = run.scenario
    if not sc.markets:
        return None
    streams = Streams(sc.seed, run.replication)
    parts = []
    for mid, m in sc.markets.items():
        times, chosen = market_draws(sc, mid, run.start_h, run.end_h, streams)
        flows = [a.flow for a in m.alternatives if a.flow is not None]
        sim = consignments[consignments["flow"].astype(str).isin(flows)]
        if len(sim):
            parts.append(pd.DataFrame({
                "market": mid, "route": sim["flow"].astype(str).to_numpy(), "abstract": False,
                "consignment_id": sim["consignment_id"].to_numpy(dtype=np.int64),
                "origin": sim["origin"].to_numpy(), "destination": sim["destination"].to_numpy(),
                "teu": sim["teu"].to_numpy(), "tons": sim["tons"].to_numpy(),
                "created_h": sim["created_h"].to_numpy(),
                "delivered_h": sim["delivered_h"].to_numpy(),
                "transit_h": sim["transit_h"].to_numpy(),
                "cost_usd": sim["cost_usd"].to_numpy(), "co2e_kg": sim["co2e_kg"].to_numpy(),
                "co2e_ttw_kg": sim["co2e_ttw_kg"].to_numpy()}))
        parts += _abstract_rows(sc, mid, times, chosen, streams, run.end_h)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    df = pd.concat(parts, ignore_index=True)[COLUMNS]
    return df.sort_values(["market", "created_h"], kind="stable", ignore_index=True)
