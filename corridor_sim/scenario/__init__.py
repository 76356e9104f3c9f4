"""Scenario language: schema, YAML loading with ``extends`` and overrides, checks.

This package is pure data: it imports neither simpy nor matplotlib.
"""

from .errors import Problem, ScenarioError
from .loader import load_checked, load_raw, load_scenario, validate_data
from .models import Flow, Leg, Node, Scenario, Service
from .overrides import apply_overrides, parse_assignment
from .semantics import check_scenario

__all__ = [
    "Flow", "Leg", "Node", "Problem", "Scenario", "ScenarioError", "Service",
    "apply_overrides", "check_scenario", "load_checked", "load_raw", "load_scenario",
    "parse_assignment", "validate_data",
]
