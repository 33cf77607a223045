"""Root-cause fixes 治未病 [001] (model/mechanisms/root_cause.py).

"樹立'治未病'理念,對同類、共性訴求進行提級處理 … 從制度、政策、流程等方面進行分析,制定改進措施"
[001]: repeated complaints analysed and their causes fixed, so recurring kinds arise less.
Paired seeds (common random numbers), means of paired differences with a t interval, two
community sizes.
"""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import end_values, paired, sized

from commgov.model.community import CommunityModel

ON = {"root_cause__root_cause_fixes": True}


def test_reviews_lower_the_rates_where_complaints_repeat():
    tiny = {"graph__households_per_community": 300, "graph__grids_per_community": 1,
            "graph__compounds_per_community": 2}
    off = CommunityModel(scenario="baseline", rng=0, **tiny)
    assert off.book.on_repeat is None and off.households.rate_terms == {}
    m = CommunityModel(scenario="root_cause_fixes", rng=0, **tiny)
    fix = next(x for x in m.mechanisms if x.name == "root_cause")
    assert m.book.on_repeat == fix._count
    m.run_for(200)
    p = m.params.root_cause
    assert fix.reviews == 200 // p.review_days
    assert np.all(fix.rate <= 1.0) and np.all(fix.rate >= p.floor)
    assert fix.rate.min() < 0.99                        # some cause was fixed
    hh = m.households
    assert np.array_equal(fix.factor, fix.rate[hh.compound])
    assert hh.rate_terms["root_cause"] is fix.factor


@pytest.mark.parametrize("households", [800, 1500])
def test_fewer_issues_per_household_at_two_sizes(households):
    """Fixed causes: fewer issues arise (rough size: a few to 25% fewer in the first year),
    and fewer of those reported are repeats."""
    mean, half = paired(("reports_per_household_90d", "repeat_share"), ON,
                        **sized(households))
    base = end_values("baseline", 365, (0,), ("reports_per_household_90d",),
                      **sized(households))[0, 0]
    assert mean[0] + half[0] < 0, (mean, half)
    assert -0.25 * base < mean[0] < -0.02 * base, (mean, base)
    assert mean[1] < 0, (mean, half)


def test_the_fix_grows_smoothly_with_effectiveness():
    """No cliff: zero effectiveness changes nothing, and a stronger fix cuts more."""
    metric = ("reports_per_household_90d",)
    kw = sized(1000)
    none, _ = paired(metric, {**ON, "root_cause__effectiveness": 0.0}, seeds=(0, 1), **kw)
    weak, _ = paired(metric, {**ON, "root_cause__effectiveness": 0.15}, seeds=(0, 1), **kw)
    strong, _ = paired(metric, {**ON, "root_cause__effectiveness": 0.35}, seeds=(0, 1), **kw)
    assert none[0] == 0.0
    assert strong[0] < weak[0] < 0
