"""docs/scenarios.md documents every field of every scenario model, with the right
required/default status, so the docs stay in sync with the schema."""

import re

import pytest

from corridor_sim.scenario import classes as c
from corridor_sim.scenario import distributions as d
from corridor_sim.scenario import economics as e
from corridor_sim.scenario import fleets as fl
from corridor_sim.scenario import models as m
from corridor_sim.scenario import routes as r

from .conftest import ROOT

DOC = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
MODELS = [m.Scenario, m.Node, m.GaugeChange, m.DepartPolicy, m.Leg, m.Service, m.Weather,
          m.Monthly, m.Flow, m.RatePeriod, m.Disruption, m.Demand, m.Calibration, m.Outputs,
          m.Report, c.RegularLeg, c.RegularNode,
          d.Fixed, d.Uniform, d.Triangular, d.Normal, d.Lognormal, d.Exponential, d.Gamma,
          d.Empirical, e.Economics, e.RailCountry, e.LegSections, e.Section, e.SeaService,
          e.DatedRate, e.Handling, e.Emissions, e.EmptyRunning, r.AbstractRoute, r.Window,
          r.Market, r.Alternative, fl.Fleet]


def section(name: str) -> str:
    match = re.search(rf"^### `{name}`\n(.*?)(?=^##|\Z)", DOC, re.DOTALL | re.MULTILINE)
    assert match, f"docs/scenarios.md has no section for {name}"
    return match.group(1)


def rows(name: str) -> dict[str, list[str]]:
    out = {}
    for line in section(name).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 4:
            out[cells[0].strip("`")] = cells
    return out


def test_every_model_is_documented():
    documented = set(re.findall(r"^### `(\w+)`", DOC, re.MULTILINE))
    assert {model.__name__ for model in MODELS} <= documented
    # every model in the schema is covered (MonthlyProb shares Monthly's section)
    schema_models = {n for n, obj in vars(m).items()
                     if isinstance(obj, type) and issubclass(obj, m.Strict)
                     and obj is not m.Strict}
    assert schema_models - {"MonthlyProb"} <= documented


@pytest.mark.parametrize("model", MODELS, ids=lambda c: c.__name__)
def test_every_field_documented_with_required_status(model):
    table = rows(model.__name__)
    for name, field in model.model_fields.items():
        key = field.alias or name
        assert key in table, f"{model.__name__}.{key} missing from docs/scenarios.md"
        required = table[key][2] == "required"
        assert required == field.is_required(), f"{model.__name__}.{key} default"
    extra = set(table) - {f.alias or n for n, f in model.model_fields.items()}
    assert not extra, f"documented but not in the schema: {extra}"
