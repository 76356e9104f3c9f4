"""Small scenarios built in code for engine tests (no files needed)."""

from __future__ import annotations

from pathlib import Path

from corridor_sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"


def node(kind: str, **extra) -> dict:
    """A node of ``kind`` for scenarios built in code (position and country don't matter)."""
    return {"kind": kind, "country": "XX", "lon": 0, "lat": 0, **extra}


def baseline(**overrides) -> Scenario:
    """The 2023 baseline with dotted-path overrides."""
    return load_scenario(BASELINE, overrides or None)


def ferry_corridor(name: str, seed: int, horizon_days: float, warmup_days: float,
                   capacity_teu: float, flows: list[dict]) -> Scenario:
    """Terminal a -> train -> port p -> ferry s (2 vessels of ``capacity_teu``) -> port q
    -> train -> terminal z, with ``flows`` on it (trains of 40 TEU)."""
    return Scenario.model_validate({
        "name": name, "start_date": "2023-01-01", "horizon_days": horizon_days,
        "warmup_days": warmup_days, "seed": seed,
        "nodes": {"a": node("terminal"), "p": node("port", dwell_h=2),
                  "q": node("port", dwell_h=2, depart={"when_full": 1.0, "max_wait_h": 24}),
                  "z": node("terminal")},
        "legs": [{"from": "a", "to": "p", "distance_km": 200, "speed_kmh": 50,
                  "max_train_teu": 40},
                 {"from": "q", "to": "z", "distance_km": 200, "speed_kmh": 50,
                  "max_train_teu": 40}],
        "services": {"s": {"from": "p", "to": "q", "distance_km": 300, "vessels": 2,
                           "capacity_teu": capacity_teu, "speed_kn": 10,
                           "depart": {"when_full": 0.9, "max_wait_h": 12}}},
        "flows": flows,
    })


def mmc_station(arrivals_per_h: float, service_mean_h: float, servers: int,
                days: float, seed: int = 1) -> Scenario:
    """Poisson trains (full blocks) -> a border with ``servers`` tracks and exponential
    dwell -> destination. Trains reach the border as a Poisson stream (fixed run time,
    unlimited line capacity), so the border is an M/M/c queue."""
    block = 50
    tons_per_year = arrivals_per_h * 8760 * block * 10.0
    return Scenario.model_validate({
        "name": "mmc",
        "start_date": "2023-01-01",
        "horizon_days": days,
        "warmup_days": 5,
        "seed": seed,
        "nodes": {
            "a": {"kind": "terminal", "country": "CN", "lon": 0, "lat": 0,
                  "depart": {"when_full": 1.0, "max_wait_h": 1000}},
            "b": {"kind": "border", "country": "KZ", "lon": 1, "lat": 0, "tracks": servers,
                  "dwell_h": {"dist": "exponential", "mean": service_mean_h}},
            "c": {"kind": "terminal", "country": "KZ", "lon": 2, "lat": 0},
        },
        "legs": [
            {"from": "a", "to": "b", "distance_km": 100, "speed_kmh": 50,
             "max_train_teu": block},
            {"from": "b", "to": "c", "distance_km": 100, "speed_kmh": 50,
             "max_train_teu": block},
        ],
        "flows": [{"id": "f", "from": "a", "to": "c", "via": ["b"], "tons_per_unit": 10,
                   "tons_per_year": tons_per_year, "block_units": block}],
    })


def refusal(path: Path, text: str) -> str:
    """Write scenario ``text`` to ``path``, load it, and return the loader's message
    (the test fails if the scenario is accepted)."""
    import pytest

    from corridor_sim.scenario import ScenarioError

    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    return str(err.value)
