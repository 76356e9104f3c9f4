"""Argument helpers shared by several sub-commands."""

from __future__ import annotations

import argparse

from ..scenario import ScenarioError, load_scenario, parse_assignment
from ..scenario.errors import Problem


def add_scenario_args(parser: argparse.ArgumentParser) -> None:
    """``SCENARIO`` plus repeatable ``--set path=value`` overrides."""
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="PATH=VALUE",
                        help="override a value, e.g. --set demand.scale=1.5 "
                        "--set flows.cn_tr.tons_per_year=5e5 (repeatable)")


def parse_overrides(items: list[str]) -> dict:
    out = {}
    for item in items:
        try:
            path, value = parse_assignment(item)
        except ValueError as exc:
            raise ScenarioError([Problem(str(exc), path="--set")]) from None
        out[path] = value
    return out


def load_from_args(args: argparse.Namespace):
    """Load the scenario named on the command line with its ``--set`` overrides."""
    return load_scenario(args.scenario, parse_overrides(args.overrides))
