"""``corridor-sim validate FILE... [--strict] [--set PATH=VALUE]``: check scenario files.

Prints ``OK <file>`` for each file that loads (after its warnings, if any) or every
problem found in it. Exit code 0 when all files are valid, 2 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from ..scenario import ScenarioError, load_checked
from .common import parse_overrides

EXIT_INVALID = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="check scenario files and report every problem",
        description="Check scenario files: YAML syntax, schema, references, routes and "
        "offered load. Warnings are printed but do not fail unless --strict.")
    parser.add_argument("files", metavar="FILE", nargs="+", help="scenario YAML files")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings (e.g. demand above capacity) as errors")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="PATH=VALUE", help="override a value before checking "
                        "(repeatable), e.g. --set demand.scale=1.5")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    overrides = parse_overrides(args.overrides)
    status = 0
    for file in args.files:
        try:
            _, problems = load_checked(file, overrides, strict=args.strict)
        except ScenarioError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"FAILED {file} ({len(exc.problems)} problem"
                  f"{'s' if len(exc.problems) != 1 else ''})", file=sys.stderr)
            status = EXIT_INVALID
            continue
        for problem in problems:
            print(problem)
        note = f" ({len(problems)} warning{'s' if len(problems) != 1 else ''})" if problems else ""
        print(f"OK {file}{note}")
    return status
