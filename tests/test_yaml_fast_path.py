"""Scenario YAML read by libyaml when it can, by the Python parser when it must: the same
values and positions either way, and the Python parser's wording for every error."""

from pathlib import Path

import pytest
import yaml

from corridor_sim.scenario import load_scenario
from corridor_sim.scenario import yaml_source as ys

from .conftest import SCENARIOS, TEST_SCENARIOS

HAVE_LIBYAML = getattr(yaml, "__with_libyaml__", False)
FILES = sorted([*SCENARIOS.glob("*.yaml"), *TEST_SCENARIOS.rglob("*.yaml")])


def _built(root, file):
    """What the scenario loader builds from a node tree: data, positions and problems."""
    builder = ys._Builder(file)
    try:
        data = builder.build(root, (), 0)
    except ys.ScenarioError as exc:  # an alias bomb, nesting beyond MAX_DEPTH
        return str(exc)
    return data, builder.marks, [str(p) for p in builder.problems]


@pytest.mark.skipif(not HAVE_LIBYAML, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_libyaml_reads_every_scenario_file_as_the_python_parser_does(path):
    try:
        text = ys.read_text(path)
    except ys.ScenarioError:  # not UTF-8 text: never parsed
        return
    fast = ys._compose_fast(text)
    if fast is None:  # refused by libyaml: must be a file the Python parser refuses too
        with pytest.raises(ys.ScenarioError):
            ys._compose(text, str(path))
        return
    assert _built(fast, str(path)) == _built(ys._compose(text, str(path)), str(path))


@pytest.mark.skipif(not HAVE_LIBYAML, reason="PyYAML built without libyaml")
def test_positions_count_characters_not_bytes():
    text = "name: Türkiye — Kars\nnotes: 'Çandarlı'\nflows:\n  - {id: é, teu: 1.5e3}\n"
    assert _built(ys._compose_fast(text), "x") == _built(ys._compose(text, "x"), "x")
    # é is one column, not two bytes
    assert ys.parse_yaml(text, "x").marks[("flows", 0, "teu")] == (4, 13)


@pytest.mark.skipif(not HAVE_LIBYAML, reason="PyYAML built without libyaml")
def test_a_valid_scenario_never_reaches_the_python_parser(monkeypatch):
    def refuse(text, file):
        raise AssertionError("the Python parser was used")

    monkeypatch.setattr(ys, "_compose", refuse)
    assert load_scenario(SCENARIOS / "baseline_2023.yaml").name == "baseline_2023"


@pytest.mark.parametrize("text, words", [
    ("a: [1, 2\n", "YAML syntax error"),
    ("a: 1\n\tb: 2\n", "YAML syntax error"),
    ("a: \x07\n", r"character U\+0007 is not allowed"),
    ("# nothing\n", "file is empty"),
])
def test_errors_are_worded_by_the_python_parser(text, words):
    with pytest.raises(ys.ScenarioError, match=words):
        ys.parse_yaml(text, "bad.yaml")


def test_libyaml_nesting_limit_falls_back_to_the_depth_error():
    text = "a: " + "[" * 2000 + "]" * 2000 + "\n"
    with pytest.raises(ys.ScenarioError, match="nesting"):
        ys.parse_yaml(text, "deep.yaml")


def test_files_list_is_not_empty():
    assert len(FILES) > 50 and all(isinstance(p, Path) for p in FILES)
