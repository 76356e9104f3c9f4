"""Cost and CO2e per consignment: pure functions of the scenario's ``economics`` block and
the result tables (no simulation state, no plotting).

:mod:`.items` prices and weighs one unit's route leg by leg and node by node;
:mod:`.accounts` charges each consignment of a run (route items plus the cost of the time
it waited) and adds the ``cost_*`` and ``co2e_*`` columns to the consignments table; it
reads pandas tables, so it is imported as ``corridor_sim.economics.accounts`` (the engine
imports this package for route choice and stays free of pandas).
"""

from .items import CO2E_KINDS, COST_KINDS, Item, flow_items, route_items

__all__ = ["CO2E_KINDS", "COST_KINDS", "Item", "flow_items", "route_items"]
