"""The simulation engine: the only package that imports simpy."""

from .model import RunData, simulate
from .records import CATEGORIES

__all__ = ["CATEGORIES", "RunData", "simulate"]
