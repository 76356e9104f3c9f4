"""The ``choices`` table: one row per consignment of a market, with the route it chose.

Consignments that chose a simulated flow are the rows of that flow in the consignments
table (their times, cost and CO2e come from the simulation). Those that chose an abstract
route never entered the simulation: they are re-created here from the same named random
streams as the engine used (so both read the same draws), with a transit time drawn from
the route's distribution (stream ``market:<id>:route:<route>:transit``), its freight at
the creation date and its emissions per TEU. A market with ``expected: learned`` chose
during the run: its draws are the run's (``RunData.market_choices``).

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


def _abstract_parts(scenario, mid: str, times: np.ndarray, chosen: np.ndarray,
                    streams: Streams, end_h: float) -> list[dict]:
    m = scenario.markets[mid]
    out = []
    for k, alt in enumerate(m.alternatives):
        if alt.route is None:
            continue
        r = scenario.routes[alt.route]
        t = times[chosen == k]
        n = len(t)
        days = draw(r.transit_days, streams.generator(f"market:{mid}:route:{alt.route}:transit"),
                    n)
        done = t + days * 24.0
        usd = np.full(n, r.usd_per_teu)
        for rate in r.rates:
            usd = np.where(t >= scenario.hours_since_start(rate.from_), rate.usd_per_teu, usd)
        teu = m.teu_per_unit
        inside = done < end_h
        out.append({
            "market": mid, "route": alt.route, "abstract": True, "origin": m.from_,
            "destination": m.to, "n": n,
            "consignment_id": np.full(n, -1, dtype=np.int64),
            "teu": np.full(n, float(teu)), "tons": np.full(n, float(m.tons_per_unit)),
            "created_h": t, "delivered_h": np.where(inside, done, np.nan),
            "transit_h": np.where(inside, done - t, np.nan),
            "cost_usd": usd * teu, "co2e_kg": np.full(n, r.co2e_kg_per_teu * teu),
            "co2e_ttw_kg": np.full(n, r.co2e_ttw_kg_per_teu * teu)})
    return out


LABELS = ("market", "route", "origin", "destination")
NUMBERS = ("consignment_id", "teu", "tons", "created_h", "delivered_h", "transit_h",
           "cost_usd", "co2e_kg", "co2e_ttw_kg")


def _frame(parts: list[dict]) -> pd.DataFrame:
    """One table from parts holding a label per part (categorical columns) and arrays."""
    sizes = [p["n"] for p in parts]
    data: dict = {}
    for col in LABELS:
        labels = [str(p[col]) for p in parts]
        categories = sorted(set(labels))
        codes = np.repeat([categories.index(x) for x in labels], sizes)
        data[col] = pd.Categorical.from_codes(codes.astype(np.int32), categories)
    data["abstract"] = np.repeat([bool(p["abstract"]) for p in parts], sizes)
    for col in NUMBERS:
        data[col] = np.concatenate([np.asarray(p[col]) for p in parts])
    return pd.DataFrame(data)[COLUMNS]


def choices_table(run, consignments: pd.DataFrame) -> pd.DataFrame | None:
    """The choices of every market of ``run`` (a RunData); None without markets.
    ``consignments``: the run's consignments table (with its cost columns)."""
    sc = run.scenario
    if not sc.markets:
        return None
    streams = Streams(sc.seed, run.replication)
    flow = consignments["flow"].astype(str).to_numpy()
    parts = []
    for mid, m in sc.markets.items():
        if mid in run.market_choices:  # chosen during the run (expected: learned)
            times, chosen = run.market_choices[mid]
        else:
            times, chosen = market_draws(sc, mid, run.start_h, run.end_h, streams)
        for alt in m.alternatives:
            if alt.flow is None:
                continue
            sim = consignments[flow == alt.flow]
            parts.append({"market": mid, "route": alt.flow, "abstract": False,
                          "origin": m.from_, "destination": m.to, "n": len(sim),
                          **{c: sim[c].to_numpy() for c in NUMBERS}})
        parts += _abstract_parts(sc, mid, times, chosen, streams, run.end_h)
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return _frame(parts)
