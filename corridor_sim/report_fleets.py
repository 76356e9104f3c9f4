"""The report's section on fleets of wagons, platforms and containers."""

from __future__ import annotations

import pandas as pd

from .kpis.fleets import fleet_summary
from .report_section import Section
from .units import quantity


def fleet_sections(tables: dict[str, pd.DataFrame]) -> list[Section]:
    """Use, empty running and turnaround of each fleet (means over replications), and
    the time cargo waited for rolling stock; none without fleets."""
    f = fleet_summary(tables.get("fleets"))
    if f.empty:
        return []
    cons = tables["consignments"]
    waited = cons.loc[cons["delivered_h"] >= 0, "rolling_stock_h"] \
        if "rolling_stock_h" in cons else pd.Series(dtype=float)
    return [Section("Wagons, platforms and containers", level=3, table=pd.DataFrame({
        "fleet": f["fleet"], "kind": f["kind"],
        "size": [quantity(round(n), u) for n, u in zip(f["size"], f["unit"])],
        "in use": f["in_use_share"].map("{:.0%}".format),
        "running empty": f["empty_share"].map("{:.0%}".format),
        "idle": f["idle_share"].map("{:.0%}".format),
        "turnaround (d)": f["turnaround_days"].map("{:.1f}".format),
        "empty unit-km (M)": (f["empty_unit_km"] / 1e6).map("{:,.1f}".format)}),
        notes=["Shares of the fleet's unit-time over the reported period; turnaround = "
               "size / loaded trips per day. Consignments delivered after warm-up waited "
               f"on average {waited.mean() if len(waited) else 0.0:.1f} h for a wagon, "
               "platform or box (delay category rolling_stock)."])]
