"""Probability distribution specs used in scenario files (pure data, no sampling here).

Every duration or speed in a scenario may be a plain number (a fixed value) or a mapping
with a ``dist`` key. Units come from the field that holds the distribution (``dwell_h`` is
in hours, ``speed_kmh`` in km/h). Sampling lives in :mod:`corridor_sim.stochastic`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_serializer,
    model_validator,
)

NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value."""

    dist: Literal["fixed"] = "fixed"
    value: NonNeg

    def mean(self) -> float:
        return self.value

    @model_serializer
    def _as_number(self) -> float:
        """A fixed value is written back as the plain number."""
        return self.value


class Uniform(_Dist):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: NonNeg
    high: NonNeg

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self

    def mean(self) -> float:
        return (self.low + self.high) / 2


class Triangular(_Dist):
    """Triangular with ``low`` <= ``mode`` <= ``high``."""

    dist: Literal["triangular"]
    low: NonNeg
    mode: NonNeg
    high: NonNeg

    @model_validator(mode="after")
    def _order(self):
        if not (self.low <= self.mode <= self.high):
            raise ValueError(
                f"need low <= mode <= high, got {self.low}, {self.mode}, {self.high}"
            )
        return self

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3


class Normal(_Dist):
    """Normal with ``mean`` and ``sd``, truncated at 0 (negative draws are redrawn)."""

    dist: Literal["normal"]
    mean_: NonNeg = Field(alias="mean")
    sd: NonNeg

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def mean(self) -> float:  # mean of the untruncated normal (close when mean >> sd)
        return self.mean_


class Lognormal(_Dist):
    """Lognormal given either by ``mean`` and ``sd`` or by ``median`` and ``p90``."""

    dist: Literal["lognormal"]
    mean_: Pos | None = Field(default=None, alias="mean")
    sd: NonNeg | None = None
    median: Pos | None = None
    p90: Pos | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_pair(self):
        by_moments = self.mean_ is not None and self.sd is not None
        by_quantiles = self.median is not None and self.p90 is not None
        if by_moments == by_quantiles:
            raise ValueError("give exactly one pair: (mean, sd) or (median, p90)")
        if by_quantiles and self.p90 < self.median:
            raise ValueError(f"p90 ({self.p90}) must be >= median ({self.median})")
        return self

    def mu_sigma(self) -> tuple[float, float]:
        """Parameters of the underlying normal (log space)."""
        if self.median is not None:
            sigma = math.log(self.p90 / self.median) / 1.2815515655446004
            return math.log(self.median), sigma
        var = math.log(1 + (self.sd / self.mean_) ** 2)
        return math.log(self.mean_) - var / 2, math.sqrt(var)

    def mean(self) -> float:
        mu, sigma = self.mu_sigma()
        return math.exp(mu + sigma**2 / 2)


class Exponential(_Dist):
    """Exponential with the given ``mean``."""

    dist: Literal["exponential"]
    mean_: Pos = Field(alias="mean")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def mean(self) -> float:
        return self.mean_


class Gamma(_Dist):
    """Gamma given by ``mean`` and ``sd``."""

    dist: Literal["gamma"]
    mean_: Pos = Field(alias="mean")
    sd: Pos

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def shape_scale(self) -> tuple[float, float]:
        shape = (self.mean_ / self.sd) ** 2
        return shape, self.mean_ / shape

    def mean(self) -> float:
        return self.mean_


class Empirical(_Dist):
    """Draws one of ``values`` with probabilities proportional to ``weights``."""

    dist: Literal["empirical"]
    values: list[NonNeg] = Field(min_length=1)
    weights: list[NonNeg] | None = None

    @model_validator(mode="after")
    def _weights(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries, values has {len(self.values)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def probabilities(self) -> list[float]:
        w = self.weights or [1.0] * len(self.values)
        total = sum(w)
        return [x / total for x in w]

    def mean(self) -> float:
        return sum(v * p for v, p in zip(self.values, self.probabilities()))


def _number_is_fixed(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


Distribution = Annotated[
    Fixed | Uniform | Triangular | Normal | Lognormal | Exponential | Gamma | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_number_is_fixed),
]
"""A number (fixed value) or a mapping with ``dist:`` one of fixed, uniform, triangular,
normal, lognormal, exponential, gamma, empirical."""

DIST_KINDS = ("fixed", "uniform", "triangular", "normal", "lognormal", "exponential",
              "gamma", "empirical")
