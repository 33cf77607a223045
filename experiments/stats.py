"""Confidence intervals of a mean: the one place the project computes them.

The demo, sweep reports, validation, the claims suite, cost-effectiveness, the optimiser and
the app's comparison all report a mean (often of paired differences: replication k of a
policy minus replication k of its reference, common random numbers) with the two-sided t
interval. They all go through here, so a number printed by one of them can be checked
against another.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

CONFIDENCE = 0.95


def t_quantile(n: Any, confidence: float = CONFIDENCE) -> Any:
    """The two-sided t quantile for a mean of ``n`` values (``n - 1`` degrees of freedom);
    NaN where n < 2. Vectorised over ``n``."""
    from scipy import stats  # slow to import; only needed once runs are done

    n_arr = np.asarray(n, dtype=float)
    return stats.t.ppf(0.5 + confidence / 2, np.where(n_arr > 1, n_arr - 1, np.nan))


def t_half_width(std: Any, n: Any, confidence: float = CONFIDENCE) -> Any:
    """Half-width of the two-sided t confidence interval of a mean; NaN where n < 2.

    Vectorised: ``std`` (the sample standard deviation, ``ddof=1``) and ``n`` may be scalars
    or arrays of the same shape.
    """
    n_arr = np.asarray(n, dtype=float)
    return t_quantile(n_arr, confidence) * np.asarray(std, dtype=float) / np.sqrt(n_arr)


@dataclass(frozen=True)
class MeanCI:
    """A sample's mean with its two-sided t interval (NaN bounds when n < 2)."""

    mean: float
    ci_low: float
    ci_high: float
    sd: float
    n: int


def mean_ci(values: Iterable[float], confidence: float = CONFIDENCE) -> MeanCI:
    """Mean and two-sided t interval of the finite values (NaNs and infinities dropped);
    for paired differences, the effect of B against A and its interval."""
    v = np.asarray(list(values) if not isinstance(values, np.ndarray) else values,
                   dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n == 0:
        return MeanCI(math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else math.nan
    hw = float(t_half_width(sd, n, confidence))
    return MeanCI(mean, mean - hw, mean + hw, sd, n)
