"""corridor-sim: a discrete-event simulator of freight on the Middle Corridor.

Importing this package is cheap and has no side effects; the engine (simpy), the
analysis layer and plotting (matplotlib) are imported only when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from .scenario import Scenario, ScenarioError, load_scenario, with_overrides

_LAZY = {
    "run": ("corridor_sim.api", "run"),
    "load_results": ("corridor_sim.api", "load_results"),
    "compare": ("corridor_sim.comparison", "compare"),
    "Results": ("corridor_sim.api", "Results"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'corridor_sim' has no attribute {name!r}")


__all__ = ["Scenario", "ScenarioError", "load_scenario", "with_overrides", "__version__",
           *_LAZY]
