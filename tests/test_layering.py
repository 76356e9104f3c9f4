"""Import rules of the layered design."""

import subprocess
import sys
from pathlib import Path

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


def test_package_import_is_light():
    mods = _modules_after_import("corridor_sim")
    assert "simpy" not in mods and "matplotlib" not in mods


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
