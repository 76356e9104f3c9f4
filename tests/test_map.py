"""The corridor map draws coasts, seas and borders from data installed with the package,
without network access, and keeps every label inside its panel."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

from corridor_sim import plotting
from corridor_sim.experiment import run_single
from corridor_sim.plotting.geography import shapes
from corridor_sim.scenario import load_scenario

from .factories import BASELINE


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_caspian_and_black_sea_load_offline(no_network):
    with pytest.raises(OSError):  # the guard works
        socket.create_connection(("localhost", 9))
    box = (45.0, 56.0, 35.0, 48.0)
    lakes = [xy for kind, xy in shapes("gshhs", box) if kind == 2]
    caspian = max(lakes, key=len)
    assert 46 < caspian[:, 0].mean() < 53 and 36 < caspian[:, 1].min() < 37.5
    assert 46.5 < caspian[:, 1].max() < 47.5
    # the Black Sea is the gap between the land shores around 30-40 E, 41-46 N
    land = [xy for kind, xy in shapes("gshhs", (27.0, 42.0, 40.0, 47.0)) if kind == 1]
    assert land
    borders = shapes("countries", (40.0, 50.0, 38.0, 44.0))
    assert len(borders) >= 3  # Georgia, Azerbaijan, Armenia, Türkiye ...


def test_corridor_map_has_coasts_borders_and_labels_inside(no_network):
    sc = load_scenario(BASELINE, {"horizon_days": 20, "warmup_days": 5})
    tables, _ = run_single(sc)
    fig = plotting.corridor_map(tables["movements"], sc)
    fig.canvas.draw()
    maps = fig.axes[:2]
    for ax in maps:
        shores = [c for c in ax.collections if c.get_gid() == "shore"]
        assert len(shores) == 1 and len(shores[0].get_paths()) > 5
        borders = [c for c in ax.collections if isinstance(c, LineCollection)
                   and c.get_gid() == "border"]
        assert borders and len(borders[0].get_segments()) >= 3
        box = ax.get_window_extent()
        for t in ax.texts:
            bb = t.get_window_extent()
            assert box.x0 <= bb.x0 and bb.x1 <= box.x1, t.get_text()
            assert box.y0 <= bb.y0 and bb.y1 <= box.y1, t.get_text()
    legend = fig.legends[0].get_window_extent()
    for ax in maps:
        assert not legend.overlaps(ax.get_window_extent())
    shore = next(c for c in maps[1].collections if c.get_gid() == "shore")
    sea = np.asarray(to_rgba(maps[1].get_facecolor()))[:3]
    water = [i for i, fc in enumerate(shore.get_facecolor()) if np.allclose(fc[:3], sea)]
    assert water and min(water) > 0  # the Caspian drawn as water over the land before it
