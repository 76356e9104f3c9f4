"""Scenario language: schema, YAML loading with ``extends`` and overrides, checks.

This package is pure data: it imports neither simpy nor matplotlib. Its modules import
one way, from the schema up to the loader::

    errors, distributions  <  yaml_source, models  <  schema_paths  <  overrides, capacity
    <  semantics  <  loader

so the schema (``models``) knows nothing of loading: deriving a variant of a scenario is
the loader function :func:`with_overrides`, not a method of :class:`Scenario`.
"""

from .errors import Problem, ScenarioError
from .loader import load_checked, load_raw, load_scenario, validate_data, with_overrides
from .models import Flow, Leg, Node, Scenario, Service
from .overrides import apply_overrides, parse_assignment
from .semantics import check_scenario

__all__ = [
    "Flow", "Leg", "Node", "Problem", "Scenario", "ScenarioError", "Service",
    "apply_overrides", "check_scenario", "load_checked", "load_raw", "load_scenario",
    "parse_assignment", "validate_data", "with_overrides",
]
