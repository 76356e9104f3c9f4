"""The delay categories have one definition (corridor_sim/categories.py) that the
engine, the result tables and the KPIs all use."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from corridor_sim import categories, engine, kpis
from corridor_sim.engine.model import _category
from corridor_sim.engine.records import CAT
from corridor_sim.experiment import run_single

from .factories import baseline

PKG = Path(categories.__file__).resolve().parent


def test_engine_results_and_kpis_share_one_definition():
    assert engine.CATEGORIES is categories.CATEGORIES
    assert kpis.CATEGORIES is categories.CATEGORIES
    assert kpis.DELAY_CATEGORIES is categories.DELAY_CATEGORIES
    assert [CAT[c] for c in categories.CATEGORIES] == list(range(len(categories.CATEGORIES)))


def test_no_module_lists_the_categories_again():
    pattern = re.compile(r'\(\s*"moving",\s*"consolidation"')
    found = [p.relative_to(PKG).as_posix() for p in PKG.rglob("*.py")
             if pattern.search(p.read_text())]
    assert found == ["categories.py"]


def test_every_category_the_engine_names_exists():
    names = set()
    for path in (PKG / "engine").glob("*.py"):
        names |= set(re.findall(r'\b(?:CAT|C)\["(\w+)"\]', path.read_text()))
    assert names and names <= set(categories.CATEGORIES)


def test_node_categories_and_tables_agree():
    sc = baseline(horizon_days=40)
    for node in sc.nodes.values():
        assert _category(node) in categories.CATEGORIES
    tables, _ = run_single(sc)
    c = tables["consignments"]
    cols = [f"{name}_h" for name in categories.CATEGORIES]
    assert set(cols) <= set(c.columns)
    assert set(tables["movements"]["category"].unique()) <= set(categories.CATEGORIES)
    done = c[c["delivered_h"].notna()]
    assert np.allclose(done[cols].sum(axis=1), done["transit_h"], atol=1e-6)
