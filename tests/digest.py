"""A compact, exact digest of a run's output tables, for golden-output regression tests.

``digest(scenario, replication)`` runs the scenario and summarises the consignments,
movements and resources tables: per-flow counts and sums (transit hours, delivered
tons) rounded to 1e-6, table sizes, and sha256 hashes of the main columns rounded to
1e-6 (hours, TEU, tons). Any change in what the engine produces changes the digest.

Print the digest of any scenario: ``python -m tests.digest SCENARIO.yaml [REPLICATION]``.
"""

from __future__ import annotations

import hashlib
import json
import sys

import numpy as np

from corridor_sim.engine import CATEGORIES

ROUND = 6  # decimals kept before hashing (1e-6 h, TEU, t)


def _hash(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            a = np.round(np.nan_to_num(a, nan=-1.0, posinf=-2.0, neginf=-3.0), ROUND) + 0.0
        elif a.dtype.kind == "O":
            a = np.asarray([str(x) for x in a])
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _r(x: float) -> float:
    return round(float(x), ROUND)


def digest_tables(tables: dict) -> dict:
    """The digest of ``results.build_tables`` output (plain JSON-able dict)."""
    c, m, r = tables["consignments"], tables["movements"], tables["resources"]
    done = c[c["delivered_h"].notna()]
    flows = {}
    for flow, g in done.groupby("flow", observed=True):
        flows[str(flow)] = {
            "created": int((c["flow"] == flow).sum()),
            "delivered": len(g),
            "transit_h_sum": _r(g["transit_h"].sum()),
            "delivered_tons": _r(g["tons"].sum()),
        }
    cats = [f"{name}_h" for name in CATEGORIES]
    return {
        "consignments": len(c),
        "delivered": len(done),
        "batches": int(m["batch_id"].nunique()) if len(m) else 0,
        "movement_rows": len(m),
        "resource_rows": len(r),
        "flows": flows,
        "sha256": {
            "transit_h": _hash(c["transit_h"].to_numpy()),
            "delays": _hash(*(c[col].to_numpy() for col in cats)),
            "trips": _hash(c["departed_h"].to_numpy(), c["arrived_h"].to_numpy()),
            "movements": _hash(m["batch_id"].to_numpy(), m["place"].to_numpy(),
                               m["activity"].to_numpy(), m["start_h"].to_numpy(),
                               m["end_h"].to_numpy(), m["teu"].to_numpy()),
            "resources": _hash(r["resource"].to_numpy(), r["metric"].to_numpy(),
                               r["t_h"].to_numpy(), r["value"].to_numpy()),
        },
    }


def digest(scenario, replication: int = 0) -> dict:
    """Run ``scenario`` (one replication) and return the digest of its tables."""
    from corridor_sim.engine import simulate
    from corridor_sim.results import build_tables

    run = simulate(scenario, replication)
    out = digest_tables(build_tables(run))
    out["events"] = run.events
    return out


def main(argv: list[str]) -> int:
    from corridor_sim.scenario import load_scenario

    scenario = load_scenario(argv[0])
    print(json.dumps(digest(scenario, int(argv[1]) if len(argv) > 1 else 0), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
