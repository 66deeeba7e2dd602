"""Named, independent random streams from one seed.

Each part of the generator draws from its own stream (and each organisation's
cases from their own), so changing one part, or how organisations are batched
for writing, never shifts the numbers drawn anywhere else.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "stream",
    "categorical",
    "categorical_rows",
    "ORGS",
    "SIZES",
    "SHARES",
    "RATES",
    "CLUSTERS",
    "COUNTS",
    "CASES",
]

ORGS, SIZES, SHARES, RATES, CLUSTERS, COUNTS, CASES = range(1, 8)


def stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def categorical(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """`size` draws of an index with probability proportional to `weights` (1-d)."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    if cumulative[-1] <= 0:
        raise ValueError("categorical draw from all-zero weights")
    picks = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    within: np.ndarray = np.minimum(picks, len(cumulative) - 1)
    return within


def categorical_rows(rng: np.random.Generator, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per entry of `rows`, each from its row of the weight matrix [R, K].

    All rows are searched at once: each row's cumulative probabilities are shifted by
    the row number, so row r occupies [r, r + 1] in one sorted array. A row of zeros
    draws uniformly.
    """
    weights = np.asarray(weights, dtype=float)
    count, width = weights.shape
    weights = np.where(weights.sum(axis=1, keepdims=True) > 0, weights, 1.0)
    cumulative = np.cumsum(weights, axis=1)
    cumulative = cumulative / cumulative[:, -1:]
    cumulative[:, -1] = 1.0
    shifted = (cumulative + np.arange(count)[:, None]).ravel()
    picks = np.searchsorted(shifted, rows + rng.random(rows.size), side="right") - rows * width
    within: np.ndarray = np.clip(picks, 0, width - 1)
    return within
