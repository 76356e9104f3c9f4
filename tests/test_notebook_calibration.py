"""The calibration notebook runs top to bottom (short setting)."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from .factories import ROOT


@pytest.mark.slow
def test_calibration_notebook_executes(monkeypatch):
    path = ROOT / "notebooks" / "calibration.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    monkeypatch.setenv("CORRIDOR_SIM_QUICK", "1")
    client = NotebookClient(nb, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute(env={**os.environ, "CORRIDOR_SIM_QUICK": "1"})
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
