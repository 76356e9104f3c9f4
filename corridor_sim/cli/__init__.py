"""The ``corridor-sim`` command. Thin: parses arguments and calls the layers below.

Each sub-command lives in its own module exposing ``register(subparsers)``; the parser it
adds sets ``func`` to a callable taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings

from ..scenario import ScenarioError

COMMANDS = ["run", "sweep", "validate", "show", "schema", "compare", "calibrate"]
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command whose reader left


class UserError(Exception):
    """A problem the user can fix (bad path, bad option); printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor-sim",
        description="Discrete-event simulation of freight on the Middle Corridor "
        "(China - Kazakhstan - Caspian - Azerbaijan - Georgia - Turkiye - Europe).",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"corridor-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings from the library (few replications, disruptions outside the horizon...)
    as one plain line on stderr."""
    print(f"corridor-sim: warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        return _dispatch(args)


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
