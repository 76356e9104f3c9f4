"""The import graph of a package, read from its source with ``ast`` (imports inside
functions included), and checks of it against an ordered list of layers."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx


def module_name(path: Path, root: Path, package: str) -> str:
    """Dotted name of the module in ``path`` (a package's ``__init__.py`` is the package)."""
    parts = [package, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool,
              known: set[str]) -> set[str]:
    """Modules of ``known`` that one import statement in ``module`` loads by name."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".")
            if not is_package:
                base = base[:-1]
            base = base[:len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        names = []
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            names.append(sub if sub in known else target)
    out = set()
    for name in names:
        while name and name not in known:  # `import pkg.mod.attr` style: nearest module
            name = name.rpartition(".")[0]
        if name:
            out.add(name)
    return out


def import_graph(root: Path, package: str) -> nx.DiGraph:
    """Directed graph: an edge ``a -> b`` for each module ``a`` of the package in ``root``
    that imports module ``b`` of the same package anywhere in its source. Each edge keeps
    the line numbers of those imports in its ``lines`` attribute."""
    files = {module_name(p, root, package): p for p in sorted(root.rglob("*.py"))}
    known = set(files)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported(node, module, is_package, known) - {module}:
                    if graph.has_edge(module, target):
                        graph.edges[module, target]["lines"].append(node.lineno)
                    else:
                        graph.add_edge(module, target, lines=[node.lineno])
    return graph


def layer_of(module: str, package: str, layers: list[tuple[str, list[str]]]) -> int | None:
    """Index in ``layers`` (lowest first) of the module: the entry whose name is the
    longest prefix of the module's path inside the package (``""`` is the package's
    own ``__init__``). None when no entry matches."""
    rel = module.removeprefix(package).removeprefix(".")
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(layers):
        for prefix in prefixes:
            hit = rel == prefix if prefix == "" else (rel == prefix
                                                       or rel.startswith(prefix + "."))
            if hit and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def layer_problems(graph: nx.DiGraph, package: str,
                   layers: list[tuple[str, list[str]]]) -> list[str]:
    """Every module without a layer and every import of a higher layer, as messages."""
    problems = []
    for module in sorted(graph):
        if layer_of(module, package, layers) is None:
            problems.append(f"{module} has no layer in the table")
    for a, b, data in sorted(graph.edges(data=True)):
        la, lb = layer_of(a, package, layers), layer_of(b, package, layers)
        if la is not None and lb is not None and lb > la:
            problems.append(f"{a} (layer {layers[la][0]}) imports {b} (layer "
                            f"{layers[lb][0]}, higher) on line(s) {data['lines']}")
    return problems


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """The import cycles: each strongly connected group of modules that import each other
    (directly or through others), as a sorted list of module names."""
    return sorted(sorted(group) for group in nx.strongly_connected_components(graph)
                  if len(group) > 1)
