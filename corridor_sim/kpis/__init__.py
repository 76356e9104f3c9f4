"""KPI definitions: pure functions from result tables to KPI tables (no simulation state).

Counting rule: a consignment counts in the period in which it is delivered; deliveries
during warm-up (``delivered_h < 0``) are excluded from KPIs and reported separately.
Tables holding several replications (a ``replication`` column) give per-replication
averages for totals and pooled distributions for transit times.
"""

from __future__ import annotations

from ..categories import CATEGORIES, DELAY_CATEGORIES
from .basics import (
                     WAIT_ACTIVITIES,
                     delivered,
                     horizon_h,
                     hours_of,
                     link_table,
                     n_replications,
                     node_table,
                     scenario_dict,
                     start_date_of,
                     to_datetime,
                     tons_delivered,
                     warmup_deliveries,
                     with_dates,
)
from .classes import class_lines, flow_classes, service_of, transit_by_class
from .compare import kpi_differences
from .delays import backlog_end, backlog_over_time, bottlenecks, delay_breakdown, delay_by_place
from .directions import deck_use, throughput_by_direction
from .economics import economics_by_od, has_accounts
from .fleets import fleet_lines, fleet_summary
from .flows import (
                     demand_balance,
                     throughput_by_flow,
                     throughput_by_leg,
                     throughput_by_month,
                     transit_by_od,
                     transit_days,
)
from .legs import leg_transit_h, legs_lines, legs_of_interest, legs_table, transit_between
from .memo import shared_results
from .resources import capacities, resource_series, resource_stats, step_stats
from .routes import route_breakdown, route_economics, route_shares, route_shares_by_month
from .table import ci_summary_lines, consignment_columns, kpi_table, summary_lines
from .utilisation import utilisation, utilisation_table

__all__ = [
                     "CATEGORIES",
                     "DELAY_CATEGORIES",
                     "WAIT_ACTIVITIES",
                     "backlog_end",
                     "backlog_over_time",
                     "bottlenecks",
                     "capacities",
                     "consignment_columns",
                     "ci_summary_lines",
                     "class_lines",
                     "deck_use",
                     "delay_breakdown",
                     "demand_balance",
                     "delay_by_place",
                     "delivered",
                     "economics_by_od",
                     "fleet_lines",
                     "fleet_summary",
                     "flow_classes",
                     "has_accounts",
                     "horizon_h",
                     "hours_of",
                     "kpi_differences",
                     "kpi_table",
                     "leg_transit_h",
                     "legs_lines",
                     "legs_of_interest",
                     "legs_table",
                     "link_table",
                     "n_replications",
                     "node_table",
                     "resource_series",
                     "resource_stats",
                     "route_breakdown",
                     "route_economics",
                     "route_shares",
                     "route_shares_by_month",
                     "scenario_dict",
                     "service_of",
                     "shared_results",
                     "start_date_of",
                     "step_stats",
                     "summary_lines",
                     "throughput_by_direction",
                     "throughput_by_flow",
                     "throughput_by_leg",
                     "throughput_by_month",
                     "to_datetime",
                     "tons_delivered",
                     "transit_by_od",
                     "transit_between",
                     "transit_by_class",
                     "transit_days",
                     "utilisation",
                     "utilisation_table",
                     "warmup_deliveries",
                     "with_dates",
]
