"""Import rules of the layered design."""

import ast
import re
import subprocess
import sys
from pathlib import Path

from .import_graph import cycles, import_graph, layer_problems, module_name

PKG = Path(__file__).resolve().parents[1] / "corridor_sim"


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


def test_scenario_imports_neither_simpy_nor_matplotlib():
    mods = _modules_after_import("corridor_sim.scenario")
    assert "simpy" not in mods
    assert "matplotlib" not in mods


def test_engine_runs_without_pandas():
    """The engine (route choice included) works on numpy arrays; tables come later, so
    simulating does not pay for importing pandas (about half a second and 60 MiB)."""
    mods = _modules_after_import("corridor_sim.engine")
    assert "pandas" not in mods and "matplotlib" not in mods


def test_package_import_is_light():
    mods = _modules_after_import("corridor_sim")
    heavy = {"simpy", "matplotlib", "scipy", "pyarrow", "pandas"} & mods
    assert not heavy


def test_run_results_and_kpis_load_neither_matplotlib_nor_scipy():
    """Running a replication and reading its KPIs (one replication: no interval) loads
    no plotting and no scipy; pyarrow comes with pandas, not with the package."""
    code = ("import sys, corridor_sim as cs; "
            "r = cs.run('scenarios/baseline_2023.yaml', progress=False, "
            "overrides={'horizon_days': 20, 'warmup_days': 5}); r.kpis; "
            "print(' '.join(m for m in ('scipy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PKG.parent)
    assert out.stdout.split() == []


def test_command_line_parser_loads_no_analysis_stack():
    """``corridor-sim --help`` / ``validate`` build the whole parser; the modules that
    run or draw results are imported only when a command runs."""
    code = ("import sys, corridor_sim.cli as c; c.build_parser(); "
            "print(' '.join(m for m in ('pandas', 'simpy', 'scipy', 'matplotlib', 'pyarrow') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == []


def test_only_engine_imports_simpy_and_only_plotting_matplotlib():
    for path in PKG.rglob("*.py"):
        text = path.read_text()
        rel = path.relative_to(PKG).as_posix()
        if "import simpy" in text or "from simpy" in text:
            assert rel.startswith("engine/"), rel
        if "import matplotlib" in text or "from matplotlib" in text:
            assert rel.startswith("plotting"), rel


def test_economics_imports_neither_simpy_nor_matplotlib():
    mods = _modules_after_import("corridor_sim.economics")
    assert "simpy" not in mods and "matplotlib" not in mods
    assert "corridor_sim.engine" not in mods


# ------------------------------------------------------------------ layer order and cycles
# The layers of the package, lowest first (docs/architecture.md explains each place). A
# module may import modules of its own layer or of lower ones, never of a higher one;
# imports inside functions count the same as those at the top of a file. Entries are paths
# inside the package; the longest matching entry wins; "" is the package's __init__.
LAYERS: list[tuple[str, list[str]]] = [
    ("foundation", ["atomic", "categories", "units", "steps", "forked", "progress"]),
    ("scenario", ["scenario", ""]),
    ("network", ["network", "stochastic", "budget", "seeds"]),
    ("economics", ["economics"]),
    ("engine", ["engine"]),
    ("results", ["results", "results_io", "itinerary", "choices", "fleet_tables", "batches",
                 "resource_series", "background_table"]),
    ("kpis", ["kpis", "overload", "intervals"]),
    ("experiment", ["experiment", "backends", "experiment_store", "sweep", "calibrate",
                    "run_tables"]),
    ("plotting", ["plotting"]),
    ("report", ["report", "report_html", "report_markdown", "report_section",
                "report_fleets", "report_verdict", "calibration_report"]),
    ("api", ["api", "comparison"]),
    ("cli", ["cli", "__main__"]),
]


def _package_graph():
    return import_graph(PKG, "corridor_sim")


def test_every_module_sits_in_a_layer_and_imports_none_above_it():
    problems = layer_problems(_package_graph(), "corridor_sim", LAYERS)
    assert not problems, "\n".join(problems)


def test_the_import_graph_has_no_cycle():
    graph = _package_graph()
    assert graph.number_of_edges() > 50  # the graph was read (not an empty walk)
    assert not cycles(graph), cycles(graph)


def test_layer_table_matches_docs():
    """docs/architecture.md lists the same layers, in the same order, with the same
    modules as LAYERS."""
    text = (PKG.parent / "docs" / "architecture.md").read_text()
    rows = re.findall(r"^\| (\d+) \| (\w+) \| ([^|]+) \|", text, flags=re.M)
    documented = [(name, sorted(m.strip(" `/") for m in mods.split(",")))
                  for _, name, mods in rows]
    expected = [(name, sorted("(package)" if p == "" else p for p in prefixes))
                for name, prefixes in LAYERS]
    assert documented == expected


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_checker_reports_an_upward_import_and_a_cycle(tmp_path):
    """A synthetic package: ``low`` imports ``high`` inside a function (upward), and
    ``high.a`` / ``high.b`` import each other (a cycle)."""
    root = tmp_path / "pkg"
    _write(root, "__init__.py", "")
    _write(root, "low.py", "def f():\n    from .high import a\n    return a\n")
    _write(root, "high/__init__.py", "")
    _write(root, "high/a.py", "from . import b\n")
    _write(root, "high/b.py", "import pkg.high.a\n")
    _write(root, "high/c.py", "from .. import low\nfrom ..low import f\n")  # downward: fine
    _write(root, "stray.py", "")
    layers = [("bottom", ["", "low"]), ("top", ["high"])]
    graph = import_graph(root, "pkg")
    problems = layer_problems(graph, "pkg", layers)
    assert problems == [
        "pkg.stray has no layer in the table",
        "pkg.low (layer bottom) imports pkg.high.a (layer top, higher) on line(s) [2]",
    ]
    assert cycles(graph) == [["pkg.high.a", "pkg.high.b"]]
    _write(root, "high/b.py", "")  # break the cycle
    _write(root, "low.py", "def f():\n    return 1\n")  # and the upward import
    _write(root, "stray.py", "from .high import b\n")
    graph = import_graph(root, "pkg")
    assert cycles(graph) == []
    assert layer_problems(graph, "pkg", [*layers[:1], ("top", ["high", "stray"])]) == []


# Imports inside functions, outside the command line (whose command bodies import what
# they run, for start-up time): each has its reason in docs/architecture.md.
DEFERRED_IMPORTS = {
    ("corridor_sim.api", "corridor_sim.plotting"),  # matplotlib: about a second
    ("corridor_sim.intervals", "scipy.special"),  # scipy: only when intervals are drawn
    ("corridor_sim.intervals", "scipy.stats"),
    ("corridor_sim.calibration_report", "corridor_sim.plotting"),
    ("corridor_sim.kpis.compare", "scipy"),  # scipy.stats: seconds, for one quantile
    ("corridor_sim.progress", "tqdm.auto"),  # warns on import: inside a filter
    ("corridor_sim.backends", "distributed"),  # optional extra
}


def _function_imports(path: Path) -> set[str]:
    """Modules imported inside functions of the module in ``path``: for ``from X import
    y`` that is X; for ``from . import y``, the package's module y."""
    module = module_name(path, PKG, "corridor_sim")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for fn in ast.walk(ast.parse(path.read_text())):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] \
                    if node.level else []
                target = ".".join([*base, *([node.module] if node.module else [])])
                if node.module is None:  # `from . import plotting`
                    found |= {f"{target}.{alias.name}" for alias in node.names}
                else:
                    found.add(target)
    return found


def test_imports_inside_functions_are_only_the_listed_ones():
    found = set()
    for path in PKG.rglob("*.py"):
        module = module_name(path, PKG, "corridor_sim")
        if not module.startswith("corridor_sim.cli"):
            found |= {(module, name) for name in _function_imports(path)}
    assert found == DEFERRED_IMPORTS
