"""Argument helpers shared by several sub-commands."""

from __future__ import annotations

import argparse
import sys

from ..backends import BACKENDS
from ..scenario import ScenarioError, load_scenario, parse_assignment
from ..scenario.errors import Problem


class UserError(Exception):
    """A problem the user can fix (bad path, bad option); printed without a traceback."""


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
    """Load the scenario named on the command line with its ``--set`` overrides. A
    horizon not longer than the warm-up, set by ``--horizon-days`` or ``--warmup-days``, is
    reported against those options (not against the file)."""
    try:
        return load_scenario(args.scenario, parse_overrides(args.overrides))
    except ScenarioError as exc:
        given = {opt: v for opt, v in (("--horizon-days", getattr(args, "horizon_days", None)),
                                       ("--warmup-days", getattr(args, "warmup_days", None)))
                 if v is not None}
        if given and any(p.path in ("warmup_days", "horizon_days") for p in exc.problems):
            opts = " and ".join(f"{k} {v:g}" for k, v in given.items())
            raise UserError(f"{opts}: the warm-up must be shorter than the horizon "
                            f"({exc.problems[0].message}); give a longer --horizon-days or "
                            "a shorter --warmup-days (e.g. --warmup-days 0)") from None
        raise


def add_period_args(parser: argparse.ArgumentParser) -> None:
    """``--horizon-days`` and ``--warmup-days``."""
    parser.add_argument("--horizon-days", type=float, help="override the horizon (days)")
    parser.add_argument("--warmup-days", type=float,
                        help="override the warm-up before the start date (days; shorter "
                        "than the horizon)")


def add_backend_args(parser: argparse.ArgumentParser) -> None:
    """``--backend``, ``--workers`` and ``--scheduler`` for commands that run many
    replications."""
    parser.add_argument("--backend", choices=BACKENDS, default="processes",
                        help="where replications run: serial (this process), processes "
                        "(default: a local process pool) or dask (needs the dask extra)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="worker processes (default: one per CPU core)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler to use, e.g. tcp://host:8786 (implies "
                        "--backend dask; default: start a local cluster)")


def apply_run_options(args: argparse.Namespace) -> None:
    """Fold ``--seed``, ``--horizon-days`` and ``--warmup-days`` into the ``--set``
    overrides, check
    ``--replications`` and let ``--scheduler`` imply the Dask backend."""
    if args.seed is not None:
        args.overrides.append(f"seed={args.seed}")
    if args.horizon_days is not None:
        args.overrides.append(f"horizon_days={args.horizon_days:g}")
    if getattr(args, "warmup_days", None) is not None:
        args.overrides.append(f"warmup_days={args.warmup_days:g}")
    if args.replications < 1:
        raise UserError(f"--replications must be at least 1 (got {args.replications})")
    if args.scheduler:
        args.backend = "dask"


def report_failures(failed, status_path, label=lambda r: f"replication {r.replication}") -> int:
    """Print the failed replications (rows of a status table) to stderr; return the exit
    code: 1 if any failed, else 0. ``label(row)`` names a row (e.g. with its sweep point)."""
    if not len(failed):
        return 0
    print(f"corridor-sim: {len(failed)} replication(s) failed (errors and tracebacks in "
          f"{status_path}):", file=sys.stderr)
    for r in failed.head(5).itertuples():
        print(f"  {label(r)}: {r.error}", file=sys.stderr)
    print("  run the same command again to retry only those", file=sys.stderr)
    return 1
