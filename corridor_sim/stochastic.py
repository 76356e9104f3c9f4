"""Named random streams and samplers for scenario distributions.

Every random quantity is drawn from a numpy ``Generator`` that belongs to one named
component (``"node:altynkol:dwell"``, ``"flow:cn_tr:arrivals"``...). Each stream is seeded
from the scenario seed, the replication index and a stable hash of its name, so adding or
removing a component never shifts the numbers another component draws, and two variants
of a scenario share common random numbers wherever their components coincide.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .scenario.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
)


def stream_key(name: str) -> tuple[int, ...]:
    """A stable tuple of four 32-bit words derived from ``name`` (independent of
    Python's per-process hash randomisation)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


class Streams:
    """Factory of independent, reproducible generators keyed by component name."""

    def __init__(self, seed: int, replication: int = 0):
        self.seed = int(seed)
        self.replication = int(replication)

    def generator(self, name: str) -> np.random.Generator:
        seq = np.random.SeedSequence(entropy=self.seed,
                                     spawn_key=(self.replication, *stream_key(name)))
        return np.random.Generator(np.random.PCG64(seq))


def draw(spec, rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw ``n`` values from a distribution spec (all values >= 0)."""
    if isinstance(spec, Fixed):
        return np.full(n, float(spec.value))
    if isinstance(spec, Uniform):
        return rng.uniform(spec.low, spec.high, n)
    if isinstance(spec, Triangular):
        if spec.low == spec.high:
            return np.full(n, float(spec.low))
        return rng.triangular(spec.low, spec.mode, spec.high, n)
    if isinstance(spec, Normal):
        return _truncated_normal(spec.mean_, spec.sd, rng, n)
    if isinstance(spec, Lognormal):
        mu, sigma = spec.mu_sigma()
        return rng.lognormal(mu, sigma, n)
    if isinstance(spec, Exponential):
        return rng.exponential(spec.mean_, n)
    if isinstance(spec, Gamma):
        shape, scale = spec.shape_scale()
        return rng.gamma(shape, scale, n)
    if isinstance(spec, Empirical):
        return rng.choice(np.asarray(spec.values, float), size=n, p=spec.probabilities())
    raise TypeError(f"unknown distribution spec {spec!r}")


def _truncated_normal(mean: float, sd: float, rng: np.random.Generator, n: int) -> np.ndarray:
    out = rng.normal(mean, sd, n)
    for _ in range(50):
        bad = out < 0
        if not bad.any():
            return out
        out[bad] = rng.normal(mean, sd, int(bad.sum()))
    return np.maximum(out, 0.0)


class Sampler:
    """Draws one value at a time from a spec, refilling a block of pre-drawn values."""

    __slots__ = ("_buf", "_i", "block", "fixed", "rng", "spec")

    def __init__(self, spec, rng: np.random.Generator, block: int = 512):
        self.spec = spec
        self.rng = rng
        self.block = block
        self.fixed = float(spec.value) if isinstance(spec, Fixed) else None
        self._buf = np.empty(0)
        self._i = 0

    def __call__(self) -> float:
        if self.fixed is not None:
            return self.fixed
        if self._i >= len(self._buf):
            self._buf = draw(self.spec, self.rng, self.block).tolist()
            self._i = 0
        value = self._buf[self._i]
        self._i += 1
        return value
