"""``corridor-sim schema [--out FILE]``: the JSON Schema of scenario files (for editors)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..atomic import write_file
from ..scenario import Scenario


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "schema", help="write the JSON Schema of scenario files",
        description="Write the JSON Schema of scenario files to stdout or a file (point "
        "your editor's YAML language server at it for completion and checks).")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(func=run)


def schema_text() -> str:
    schema = Scenario.model_json_schema(by_alias=True)
    schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
    schema["properties"]["extends"] = {
        "type": "string", "description": "parent scenario file, relative to this file"}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    text = schema_text()
    if not args.out:
        print(text, end="")
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_file(out, text)
    return 0
