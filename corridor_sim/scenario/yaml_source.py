"""Safe YAML reading that remembers where each value came from.

Only plain YAML types are built (mappings, lists, strings, numbers, booleans, null,
dates); any tag that would construct a Python object is refused. Duplicate keys are errors.
Alias expansion and nesting depth are bounded so hostile files fail fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import Problem, ScenarioError

MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_BYTES = 5_000_000
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_SCALAR_TAGS = {"tag:yaml.org,2002:" + t for t in
                ("null", "bool", "int", "float", "str", "timestamp")}
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
               (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))

Path_ = tuple  # a field path: keys and list indices


@dataclass
class Located:
    """Parsed YAML data plus the (line, column) of every path in it, 1-based."""

    data: Any
    file: str
    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple) -> tuple[int | None, int | None]:
        """Position of ``path`` or of its nearest ancestor present in the file."""
        path = tuple(path)
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (None, None))


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _problem(file: str, message: str, mark=None, path: str = "") -> Problem:
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return Problem(message, file=file, line=line, column=col, path=path)


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.count = 0
        self.marks: dict[tuple, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node, path: tuple, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ScenarioError([_problem(
                self.file, f"document expands to more than {MAX_NODES} values "
                "(alias bomb or runaway file); refusing to read it", node.start_mark)])
        if depth > MAX_DEPTH:
            raise ScenarioError([_problem(
                self.file, f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)])
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, (MappingNode, SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            self.problems.append(_problem(
                self.file, f"tag {_short(node.tag)!r} is not allowed; only plain YAML values "
                "(no Python objects)", node.start_mark, ".".join(map(str, path))))
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [self.build(v, path + (i,), depth + 1) for i, v in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: tuple, depth: int) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problems.append(_problem(self.file, "mapping keys must be plain scalars",
                                              key_node.start_mark))
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(_problem(self.file, "YAML merge keys (<<) are not "
                                              "supported; use `extends:`", key_node.start_mark))
                continue
            key = self._scalar(key_node, path)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                key = str(key)
            if key in out:
                first = self.marks.get(path + (key,), (None, None))[0]
                self.problems.append(_problem(
                    self.file, f"duplicate key {key!r} (first defined on line {first}); "
                    "each key may appear once", key_node.start_mark,
                    ".".join(map(str, path + (key,)))))
                continue
            self.marks[path + (key,)] = (key_node.start_mark.line + 1,
                                         key_node.start_mark.column + 1)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def _scalar(self, node, path: tuple) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.problems.append(_problem(
                self.file, f"tag {_short(node.tag)!r} is not allowed; only plain YAML values "
                "(no Python objects)", node.start_mark, ".".join(map(str, path))))
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.problems.append(_problem(self.file, f"bad value: {exc}", node.start_mark))
            return None


def read_text(path: Path) -> str:
    """Read a scenario file as UTF-8 text, with a clear error for anything else."""
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError([Problem(f"file not found: {name}", file=name)]) from None
    except OSError as exc:
        raise ScenarioError([Problem(f"cannot read: {exc.strerror}", file=name)]) from None
    if path.is_dir():
        raise ScenarioError([Problem("is a directory, expected a YAML file", file=name)])
    if not path.is_file():  # a pipe or device may block or never end
        raise ScenarioError([Problem("not a regular file, expected a YAML file", file=name)])
    if size > MAX_BYTES:
        raise ScenarioError([Problem(f"file is {size} bytes; scenario files are limited to "
                                     f"{MAX_BYTES} bytes", file=name)])
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)  # the file may have grown since stat
    except OSError as exc:
        raise ScenarioError([Problem(f"cannot read: {exc.strerror}", file=name)]) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError([Problem(f"file is over {MAX_BYTES} bytes; scenario files are "
                                     "limited to that size", file=name)])
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            raise ScenarioError([Problem(f"{encoding} text; save the file as UTF-8",
                                         file=name)])
    if b"\x00" in raw:
        raise ScenarioError([Problem("binary file (contains NUL bytes), expected YAML text",
                                     file=name)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(f"not UTF-8 text (byte {exc.start}); save the file as "
                                     "UTF-8", file=name)]) from None


def parse_yaml(text: str, file: str) -> Located:
    """Parse one YAML document into plain data with positions; raise ScenarioError."""
    root = _compose_fast(text)
    if root is None:
        root = _compose(text, file)
    builder = _Builder(file)
    try:
        data = builder.build(root, (), 0)
    except RecursionError:
        raise ScenarioError([Problem("nesting too deep", file=file)]) from None
    if builder.problems:
        raise ScenarioError(builder.problems)
    if not isinstance(data, dict):
        raise ScenarioError([_problem(file, f"top level must be a mapping of scenario fields, "
                                      f"found {type(data).__name__}", root.start_mark)])
    return Located(data, file, builder.marks)


def _compose_fast(text: str):
    """The document's node tree from libyaml (about ten times faster than the Python
    parser), or None when libyaml is missing, the text holds characters the Python reader
    refuses, or libyaml finds any problem: the Python parser then reads it again and words
    the error. (libyaml bounds nesting at 1,000 levels, so a hostile file cannot exhaust
    the stack here.)"""
    if (not getattr(yaml, "__with_libyaml__", False)
            or yaml.reader.Reader.NON_PRINTABLE.search(text)):
        return None
    loader = yaml.CSafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _compose(text: str, file: str):
    """The document's node tree from the Python parser; raise ScenarioError naming where
    the text is wrong."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # control characters and the like
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ScenarioError([Problem(f"character U+{exc.character:04X} is not allowed in "
                                     "YAML text", file=file, line=line,
                                     column=column)]) from None
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = f"YAML syntax error: {exc.problem or exc.context}"
        if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
            msg += (f" ({exc.context} that starts on line {exc.context_mark.line + 1}, "
                    f"column {exc.context_mark.column + 1})")
        raise ScenarioError([_problem(file, msg, mark)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(f"YAML error: {exc}", file=file)]) from None
    except RecursionError:
        raise ScenarioError([Problem(f"nesting deeper than {MAX_DEPTH} levels",
                                     file=file)]) from None
    finally:
        loader.dispose()
    if root is None:
        raise ScenarioError([Problem("file is empty; expected a scenario mapping", file=file)])
    return root


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's when built in
    """Safe dumper that double-quotes strings holding Unicode line breaks (PyYAML would
    otherwise write them in a form that does not read back the same)."""


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = '"' if any(c in value for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, width: int = 100) -> str:
    """Plain data as YAML text that reads back equal (UTF-8, keys in order)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=width)
