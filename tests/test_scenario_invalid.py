"""Every broken scenario in tests/scenarios/invalid/ fails with the expected message,
at the expected file and line (see expected.yaml there)."""

from pathlib import Path

import pytest
import yaml

from corridor_sim.scenario import ScenarioError, load_scenario

INVALID = Path(__file__).parent / "scenarios" / "invalid"
EXPECTED = yaml.safe_load((INVALID / "expected.yaml").read_text(encoding="utf-8"))


def test_index_lists_every_invalid_file():
    files = {p.name for p in INVALID.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_scenario_reports_problem(name):
    expected = EXPECTED[name]
    with pytest.raises(ScenarioError) as info:
        load_scenario(INVALID / name)
    problems = info.value.problems
    assert len(problems) >= expected.get("count", 1), problems
    matching = [p for p in problems if expected["contains"] in p.message]
    assert matching, f"no problem mentions {expected['contains']!r}: {problems}"
    problem = matching[0]
    assert Path(problem.file).name == expected.get("in", name)
    assert problem.line == expected["line"]
    if problem.line is not None:
        assert problem.column is not None and problem.column >= 1
    assert all(p.severity == "error" for p in problems)
    rendered = str(info.value)
    assert expected["contains"] in rendered
    if problem.line is not None:
        assert f"{expected.get('in', name)}:{problem.line}:" in rendered
