"""Property tests: invariants of the engine on random small corridors (see tests/README.md).

Each example builds a random valid scenario, runs it with ``experiment.run_single`` and
checks conservation, time order, delay accounting, resource capacities, FIFO departures
and determinism. The profile is fixed (derandomized) so the suite is reproducible.
"""

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings

from corridor_sim.engine import simulate
from corridor_sim.experiment import run_single
from corridor_sim.results import build_tables
from corridor_sim.scenario.semantics import check_semantics

from .invariants import (
    check_batch_loads,
    check_capacities,
    check_conservation,
    check_delay_sum,
    check_fifo,
    check_itinerary,
    check_movement_times,
    check_priority,
    check_rides,
    check_single_track,
    check_trip_times,
    check_whereabouts,
)
from .strategies import scenarios

settings.register_profile(
    "ci", max_examples=300, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CI = settings.get_profile("ci")


@CI
@given(scenarios())
def test_invariants_on_random_corridors(sc):
    check_all(sc)


@settings(CI, max_examples=40)
@given(scenarios(max_nodes=9, max_flows=6, max_days=200))
def test_invariants_on_larger_random_corridors(sc):
    check_all(sc)


def check_all(sc):
    """Every invariant of tests/invariants.py on one run of ``sc``."""
    # the strategy builds connected routes; other whole-scenario rules may reject a few
    # examples (e.g. units bigger than a train), which are then skipped
    assume(not [p for p in check_semantics(sc) if p.severity == "error"])
    tables, _ = run_single(sc)
    check_conservation(sc, tables)
    check_delay_sum(tables)
    check_trip_times(tables)
    check_itinerary(sc, tables)
    check_movement_times(tables)
    check_capacities(sc, tables)
    check_single_track(sc, tables)
    # a second, independent run of the same scenario and seed: identical tables, and its
    # batch manifests (not in the tables) for route and FIFO checks
    run = simulate(sc)
    again = build_tables(run)
    for name, df in again.items():
        pd.testing.assert_frame_equal(tables[name].drop(columns="replication"), df)
    check_rides(sc, run, tables)
    check_whereabouts(sc, run, tables)
    check_batch_loads(sc, run)
    check_fifo(run)
    check_priority(run)
