"""``corridor-sim show FILE [--set PATH=VALUE]``: print the fully resolved scenario as YAML
(``extends`` merged, overrides applied, defaults omitted)."""

from __future__ import annotations

import argparse

from ..scenario.yaml_source import dump_yaml
from .common import add_scenario_args, load_from_args


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "show", help="print the resolved scenario as YAML",
        description="Print the scenario with its extends chain merged and overrides applied.")
    add_scenario_args(parser)
    parser.add_argument("--defaults", action="store_true",
                        help="also print fields left at their default values")
    parser.set_defaults(func=run)


def scenario_yaml(scenario, defaults: bool = False) -> str:
    """The scenario as YAML text that loads back to an equal scenario."""
    data = (scenario.model_dump(mode="json", by_alias=True) if defaults
            else scenario.to_dict())
    return dump_yaml(data)


def run(args: argparse.Namespace) -> int:
    print(scenario_yaml(load_from_args(args), args.defaults), end="")
    return 0
