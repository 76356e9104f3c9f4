"""The delay categories: one definition for the engine, the result tables and the KPIs.

Every hour of a consignment's transit falls into exactly one category; the parts add up
to the transit time. ``moving`` is time on a train or a vessel under way; the others are
delays:

- ``consolidation``: waiting at a node for a train to be formed;
- ``border``: handling and inspection at a border crossing;
- ``transshipment``: loading, unloading and gauge changes at terminals and ports;
- ``waiting``: waiting for a line slot, a vessel, a berth or at anchor;
- ``disruption``: time lost to closures (weather, scheduled works);
- ``rolling_stock``: waiting for a container or wagon at the origin, or for platforms
  when a train was ready to leave (scenarios with ``fleets``).
"""

from __future__ import annotations

CATEGORIES = ("moving", "consolidation", "border", "transshipment", "waiting", "disruption",
              "rolling_stock")
DELAY_CATEGORIES = CATEGORIES[1:]  # everything but moving
CATEGORY_INDEX = {name: i for i, name in enumerate(CATEGORIES)}
