"""The one confidence-interval helper (experiments/stats.py): the t interval of a mean, as
scipy gives it, whatever the caller (demo, reports, claims, cost-effectiveness, the app)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from commgov.experiments import costeff
from commgov.experiments.stats import mean_ci, t_half_width, t_quantile


def test_mean_ci_matches_scipys_t_interval() -> None:
    d = np.array([0.3, 1.1, 0.4, 0.9, 0.2, 0.7])
    e = mean_ci(d)
    lo, hi = stats.t.interval(0.95, df=len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    assert e.n == 6 and e.mean == pytest.approx(d.mean())
    assert (e.ci_low, e.ci_high) == pytest.approx((lo, hi))
    assert e.sd == pytest.approx(d.std(ddof=1))
    lo90, hi90 = stats.t.interval(0.9, df=len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    e90 = mean_ci(d, confidence=0.9)
    assert (e90.ci_low, e90.ci_high) == pytest.approx((lo90, hi90))


def test_mean_ci_drops_missing_values_and_has_no_interval_below_two() -> None:
    e = mean_ci([1.0, np.nan, 3.0, np.inf])
    assert e.n == 2 and e.mean == pytest.approx(2.0)
    one = mean_ci([5.0])
    assert one.n == 1 and one.mean == 5.0 and np.isnan(one.ci_low) and np.isnan(one.ci_high)
    empty = mean_ci([])
    assert empty.n == 0 and np.isnan(empty.mean)


def test_half_width_is_vectorised_and_nan_below_two() -> None:
    hw = t_half_width(np.array([1.0, 2.0, 1.0]), np.array([1, 4, 10]))
    assert np.isnan(hw[0])
    assert hw[1] == pytest.approx(stats.t.ppf(0.975, 3) * 2.0 / 2.0)
    assert hw[2] == pytest.approx(stats.t.ppf(0.975, 9) / np.sqrt(10))
    assert float(t_quantile(2, 0.9)) == stats.t.ppf(0.95, 1)


def test_cost_effectiveness_uses_the_same_interval() -> None:
    rng = np.random.default_rng(3)
    out_a, out_b = rng.normal(0.5, 0.05, 8), rng.normal(0.6, 0.05, 8)
    r = costeff.ratio(costeff.OUTCOMES[0], np.full(8, 1e5), np.full(8, 2e5), out_a, out_b,
                      365)
    ci = mean_ci(out_b - out_a)
    assert (r.d_outcome, r.d_outcome_lo, r.d_outcome_hi) == (ci.mean, ci.ci_low, ci.ci_high)
