"""Both directions in one figure: cargo delivered westbound and eastbound per month, and
how full each sea service's vessels sail each way (cargo, background traffic, free
deck)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import kpis
from .base import Figure, new_figure

WAY_COLOURS = {"westbound": "#4c72b0", "eastbound": "#dd8452"}
DECK_COLOURS = {"cargo": "#4c72b0", "background": "#8c8c8c", "free": "#e8e8e8"}


def _monthly_by_direction(cons: pd.DataFrame, start_date) -> pd.DataFrame:
    if "direction" not in cons:
        cons = cons.assign(direction="westbound")
    t = kpis.throughput_by_month(cons, start_date, by="direction")
    out = t.pivot(index="month", columns="direction", values="tons")
    return out.reindex(columns=list(WAY_COLOURS)).fillna(0.0)


def both_directions(cons: pd.DataFrame, movements: pd.DataFrame, scenario,
                    *, figsize=(12, 5)) -> Figure:
    """Left: thousand tons delivered per month, westbound and eastbound side by side.
    Right: per sea service and crossing (as written, and back), the mean deck slots (TEU)
    per sailing taken by cargo and by background traffic, and the free rest, with the load
    factor (crossings that never carried anything, e.g. empty returns, are not listed)."""
    start = kpis.start_date_of(scenario)
    fig, (ax_t, ax_d) = new_figure(figsize=figsize, ncols=2,
                                   gridspec_kw={"width_ratios": [1.3, 1]})
    monthly = _monthly_by_direction(cons, start)
    x = np.arange(len(monthly))
    for k, way in enumerate(WAY_COLOURS):
        ax_t.bar(x + (k - 0.5) * 0.4, monthly[way] / 1e3, width=0.4, color=WAY_COLOURS[way],
                 label=f"{way} ({monthly[way].sum() / 1e3:,.1f} kt in all)")
    ax_t.set_xticks(x, [m.strftime("%b %Y") for m in monthly.index], rotation=45,
                    ha="right")
    ax_t.set_ylabel("delivered (thousand t per month)")
    ax_t.set_title("Cargo delivered by direction")
    ax_t.legend(frameon=False)

    deck = kpis.deck_use(movements, scenario)
    services = kpis.scenario_dict(scenario).get("services", {})
    if deck.empty:
        ax_d.text(0.5, 0.5, "no sea crossings", ha="center", va="center",
                  transform=ax_d.transAxes)
        ax_d.set_axis_off()
        return fig
    ends = {n: (s["from"], s["to"]) for n, s in services.items()}
    labels = []
    for r in deck.itertuples():
        a, b = ends.get(r.service, ("", ""))
        a, b = (b, a) if r.way == "return" else (a, b)
        labels.append(f"{r.service.replace('_', ' ')}\n{a} → {b}")
    y = np.arange(len(deck))[::-1]
    cap = np.array([float(services.get(s, {}).get("capacity_teu", np.nan))
                    for s in deck["service"]])
    cargo, bg = deck["cargo_teu"].to_numpy(float), deck["background_teu"].to_numpy(float)
    free = np.clip(cap - cargo - bg, 0.0, None)
    ax_d.barh(y, cargo, color=DECK_COLOURS["cargo"], label="cargo followed")
    ax_d.barh(y, bg, left=cargo, color=DECK_COLOURS["background"],
              label="background traffic")
    ax_d.barh(y, free, left=cargo + bg, color=DECK_COLOURS["free"], label="free")
    for yy, total, lf in zip(y, cargo + bg + free, deck["load_factor"]):
        ax_d.text(total, yy, f" {lf:.0%}", va="center", fontsize=8)
    ax_d.set_yticks(y, labels, fontsize=8)
    ax_d.set_xlabel("deck slots (TEU) per sailing, mean")
    ax_d.set_title("Deck use per crossing (load factor)")
    ax_d.legend(frameon=False, fontsize=8, loc="lower right")
    return fig
