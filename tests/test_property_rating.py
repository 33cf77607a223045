"""Star rating of property firms, joint meetings and replacement [003, 000]
(model/mechanisms/property_rating.py).

"每个月街道办都将组织所有小区物业企业举行会议 … 每个季度均将进行星级物业评价工作" [003];
owners choose firms by "调查物业公司背景和社会评价" [000]. The rating fed back raises firm
quality, so more households pay and firms settle more cases; a firm rated low for long is
replaced by a better one that must first learn the compound. Paired seeds (common random
numbers), means of paired differences with a t interval, two community sizes.
"""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import REPORTERS, paired, sized

from commgov.model.community import CommunityModel

ON = {"property_rating__star_rating": True}
FAILING = {"property__quality_ceiling": 0.45}   # revenue cannot pay for good service


def _mech(m: CommunityModel):
    return next(x for x in m.mechanisms if x.name == "property_rating")


def test_ratings_and_meetings_set_the_firms_terms():
    tiny = {"graph__households_per_community": 300, "graph__grids_per_community": 1,
            "graph__compounds_per_community": 2}
    off = CommunityModel(scenario="baseline", rng=0, **tiny)
    assert all(f.rating_bonus == 0.0 and f.case_penalty == 0.0 for f in off.firms)
    m = CommunityModel(scenario="property_rating", rng=0, **tiny)
    rating = _mech(m)
    p = m.params.property_rating
    m.run_for(p.rating_days)                      # the first rating, no meeting after it yet
    assert rating.ratings == 1
    assert np.all((rating.stars >= 1) & (rating.stars <= 5))
    m.run_for(p.meeting_days)                     # a joint meeting hears the rating
    for f, stars in zip(m.firms, rating.stars, strict=True):
        assert f.rating_bonus == pytest.approx(p.feedback_gain * (5 - stars) / 4)
    assert REPORTERS["firm_stars_mean"](m) == pytest.approx(rating.stars.mean())


@pytest.mark.parametrize("households", [800, 1500])
def test_rating_raises_quality_fees_and_firm_settlements_at_two_sizes(households):
    """[003, 000]: feedback raises quality; residents pay for service they see (7.11).
    Rough size: a few points of fee collection, well short of red property's 60 → 98%."""
    mean, half = paired(("firm_quality_mean", "fee_collection_rate", "firm_settled_share"),
                        ON, days=540, **sized(households))
    assert np.all(mean - half > 0), (mean, half)
    assert mean[1] < 0.15, mean


def test_a_failing_firm_is_replaced_and_the_new_one_learns():
    m = CommunityModel(scenario="property_rating", rng=0, collect=False, **sized(1000),
                       **FAILING)
    rating = _mech(m)
    p = m.params.property_rating
    seen = None
    for _ in range(720):
        m.step()
        fresh = np.flatnonzero(rating.replaced_day == m.day - 1)
        if seen is None and len(fresh):
            seen = int(fresh[0])
            firm = m.firms[seen]
            assert firm.case_penalty == pytest.approx(p.transition_penalty)
            assert firm.rating_bonus == 0.0
    assert seen is not None and rating.replacements >= 1
    assert REPORTERS["firm_replacements_total"](m) == rating.replacements
    # After transition_days the handicap has faded (unless replaced again since).
    since = m.day - rating.replaced_day[seen]
    if since >= p.transition_days:
        assert m.firms[seen].case_penalty == 0.0


def test_replacing_failing_firms_lifts_quality():
    """Where revenue cannot pay for good service, replacement (by a firm chosen by its
    record [000]) lifts quality against the same ratings without replacement."""
    metrics = ("firm_quality_mean", "fee_collection_rate")
    kw = {**sized(1000), **FAILING}
    mean, half = paired(metrics, {**ON}, days=540, **kw)
    kept, _ = paired(metrics, {**ON, "property_rating__replace_max": 0.0}, days=540, **kw)
    assert mean[0] > kept[0] + 0.01, (mean, kept)
