"""The model's fast paths (issue 10, item 7) decide exactly what the plain computation
decides: the same households get issues, the same channels are chosen, the same coins fall.
Each test recomputes the plain way on a running street and compares."""

from __future__ import annotations

import numpy as np
import pytest

from commgov.experiments.bench import bench_scenario
from commgov.model.community import CommunityModel


@pytest.fixture(scope="module")
def model() -> CommunityModel:
    m = CommunityModel(scenario=bench_scenario(3000), rng=4, collect=False)
    m.run_for(40)
    return m


def _plain_arrivals(hh, heating: bool, facility_factor: np.ndarray) -> np.ndarray:
    """draw_new_issues' arrival test over every flat, as it was written before thinning."""
    p = hh.model.params
    st = hh.model.streams        # today's arrival draws afresh (daily() hands out one stream)
    u = np.random.default_rng(st._seq("issues.arrival", hh.model.day + 1)).random(hh.n)
    fac = facility_factor[hh.compound]
    if heating:
        fac = fac * p.issues.heating_facility_multiplier
    r = hh.rates
    for factor in hh.rate_terms.values():
        r = r * factor
    total = r[:, 0] + r[:, 1] + r[:, 2] * fac + r[:, 3]
    tide = np.flatnonzero(hh.tide)
    total[tide] += r[tide, 3] * (p.population.tide_service_multiplier - 1)
    return np.flatnonzero(hh.occupied & ~hh.open_issue & (u * 365.0 < total))


@pytest.mark.parametrize("heating", [False, True])
def test_thinned_arrivals_are_the_plain_ones(model, heating):
    hh = model.households
    saved = hh.tide.copy()
    try:
        hh.tide[::7] = hh.occupied[::7]      # some winter-tide flats, to cover that term
        for scale in (1.0, 6.0):             # a large facility factor moves the bound
            fac = model._facility_factor * scale
            want = _plain_arrivals(hh, heating, fac)
            hh.model.streams._daily.clear()
            hit, kinds = hh.draw_new_issues(heating, fac)
            assert np.array_equal(hit, want) and len(want) > 0
            assert len(kinds) == len(hit) and (len(hit) == 0 or kinds.max() <= 3)
    finally:
        hh.tide[:] = saved


def test_one_household_channel_is_the_batch_choice(model):
    hh = model.households
    rng = np.random.default_rng(0)
    flats = np.flatnonzero(hh.occupied)[:400]
    kinds = rng.integers(0, 4, size=len(flats))
    batch = hh.choose_channels(flats, kinds, model.red_station, stream="channels.refile")
    one = [int(hh.choose_channels(flats[i:i + 1], kinds[i:i + 1], model.red_station,
                                  stream="channels.refile")[0]) for i in range(len(flats))]
    assert batch.tolist() == one
    assert len(set(one)) > 1                 # the check is not vacuous


def test_book_coin_is_keyed(model):
    book, st = model.book, model.streams
    issues = list(book.open.values())
    assert issues
    for issue in issues:
        assert book.coin("grid.mediation", issue) == st.keyed("grid.mediation", issue.id,
                                                              model.day)
    model.step()                              # a new day: new coins
    for issue in list(book.open.values()):
        assert book.coin("grid.mediation", issue) == st.keyed("grid.mediation", issue.id,
                                                              model.day)
