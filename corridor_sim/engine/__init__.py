"""The simulation engine: the only package that imports simpy."""

from ..categories import CATEGORIES
from .model import RunData, simulate

__all__ = ["CATEGORIES", "RunData", "simulate"]
