"""The ``corridor-sim`` command. Thin: parses arguments and calls the layers below.

Each sub-command lives in its own module (listed in ``COMMANDS``) exposing
``register(subparsers)``; the parser it adds sets ``func`` to a callable taking the parsed
arguments and returning an exit code.

Start-up stays short: a sub-command module imports at its top only light modules (the
standard library, the scenario layer, ``budget`` and ``backends``); what runs, reads or
draws results (pandas, simpy, scipy, pyarrow, matplotlib: several seconds on a small
machine) is imported inside the function that runs the command, so ``--help``,
``validate``, ``show`` and ``schema`` never load it (a test checks).
"""

from __future__ import annotations

import argparse
import atexit
import functools
import gc
import os
import sys
import warnings

from .. import __version__
from ..scenario import ScenarioError
from . import calibrate, compare, run, schema, show, sweep, validate
from .common import UserError
from .signals import cleanup_on_terminate

COMMANDS = [run, sweep, validate, show, schema, compare, calibrate]  # in --help order
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command whose reader left


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor-sim",
        description="Discrete-event simulation of freight on the Middle Corridor "
        "(China - Kazakhstan - Caspian - Azerbaijan - Georgia - Turkiye - Europe).",
    )
    parser.add_argument("--version", action="version", version=f"corridor-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        command.register(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None, *,
                  shown: set[str]) -> None:
    """Warnings from the library (few replications, disruptions outside the horizon...)
    as one plain line on stderr, each message once in a command (the summary and the
    report of replications both warn of few replications, for instance)."""
    text = str(message)
    if text not in shown:
        shown.add(text)
        print(f"corridor-sim: warning: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    _exit_without_final_collection()
    parser = build_parser()
    args = parser.parse_args(argv)
    # SIGTERM/SIGHUP stop any command cleanly (exit 128 + signal), even while it is still
    # importing what it runs
    with warnings.catch_warnings(), cleanup_on_terminate():
        warnings.showwarning = functools.partial(_show_warning, shown=set())
        return _dispatch(args)


def _exit_without_final_collection() -> None:
    """When this process exits, freeze the objects still alive (modules, a run's tables,
    the figures' artists) out of the cyclic garbage collector, whose last passes on the
    way out would otherwise go through them all: about 0.6 s after a baseline run on one
    core. Everything the command writes is closed by then; objects are still freed by
    reference counting, and the operating system takes back the rest. One registration
    per process, however often ``main`` is called."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def _dispatch(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except UserError as exc:
        print(f"corridor-sim: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("corridor-sim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (``| head``): stop quietly; results are
        # already written. Point stdout at /dev/null so the final flush cannot fail.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
