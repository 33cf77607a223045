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


def test_office_requests_thinned_are_the_plain_ones(model):
    """The office requests' bound on the raw draws keeps every flat whose draw x 365 is
    below the rate: the same askers as the test over every flat."""
    m = model
    hh, o = m.households, m.params.office
    u = np.random.default_rng(m.streams._seq("office.requests", m.day + 1)).random(hh.n)
    want = np.count_nonzero(hh.occupied & (u * 365.0 < o.requests_per_household_year))
    c = m.book.counters
    before = c.office_requests
    m.streams._daily.clear()
    m._office_requests()
    assert c.office_requests - before == want > 0


def test_mean_of_is_numpys_mean():
    from commgov.model.metrics import _mean_of
    rng = np.random.default_rng(1)
    for n in (1, 2, 7, 9, 10, 130, 300):
        values = (rng.random(n) * 10.0 ** rng.integers(-6, 7, n)).tolist()
        assert _mean_of(values) == float(np.mean(values))


def test_participation_counts_are_the_plain_shares(model):
    """The three participation metrics from shared counts equal the plain masks' shares."""
    from commgov.model import metrics as mt
    hh = model.households
    saved = hh.last_participation.copy()
    try:
        rng = np.random.default_rng(2)
        hh.last_participation[:] = model.day - rng.integers(0, 200, hh.n)
        recent = model.day - hh.last_participation < model.params.participation.window_days
        occ = hh.occupied
        for retired, fn in ((None, mt._participation), (True, mt._participation_of(True)),
                            (False, mt._participation_of(False))):
            group = occ if retired is None else occ & ((hh.kind == mt._RETIREE) == retired)
            want = float(np.count_nonzero(recent & group) / np.count_nonzero(group))
            assert fn(model) == want and 0 < want < 1
    finally:
        hh.last_participation[:] = saved


def test_metrics_collector_rows_are_mesas():
    """A row from the lean ``collect`` holds what Mesa's own ``collect`` records."""
    import mesa

    from commgov.model.metrics import model_reporters
    m = CommunityModel(scenario=bench_scenario(1500), rng=3, collect=True)
    mesa_dc = mesa.DataCollector(model_reporters=model_reporters())
    for _ in range(12):
        m.step()
        m._collecting = {}
        mesa_dc.collect(m)
        m._collecting = None
    ours = m.datacollector.get_model_vars_dataframe().iloc[1:]
    theirs = mesa_dc.get_model_vars_dataframe()
    assert list(ours.columns) == list(theirs.columns)
    assert np.array_equal(ours.to_numpy(), theirs.to_numpy(), equal_nan=True)


def test_cached_graph_terms_diffuse_as_the_plain_formula(model):
    """Trust diffusion with its graph terms kept between weeks gives the plain formula's
    numbers, also after the diffusion lever moves."""
    hh, p = model.households, model.params
    saved = (hh.trust.copy(), hh.grievance.copy(), p.trust.diffusion)
    try:
        for rate in (p.trust.diffusion, p.trust.diffusion, 0.5 * p.trust.diffusion + 0.1):
            p.trust.diffusion = rate
            nbr = (hh.adjacency @ hh.trust) / np.maximum(hh.degree, 1)
            d = np.where(hh.degree > 0, rate, 0.0)
            want = (1 - d) * hh.trust + d * nbr
            want += p.trust.revert_per_year / 52.0 * (hh._trust0[hh.kind] - want)
            np.clip(want, 0, 1, out=want)
            hh.diffuse_trust()
            assert np.array_equal(hh.trust, want)
    finally:
        hh.trust, hh.grievance[:], p.trust.diffusion = saved


def test_duration_window_is_the_numpy_histogram():
    """The list histogram's percentiles are, exactly, those of the numpy histogram it
    replaced (cumsum and searchsorted over the same counts), day by day as cases close and
    old days leave the window, with p50 and p90 sharing one day's running counts."""
    from commgov.model.lifecycle import DurationWindow
    rng = np.random.default_rng(5)
    window, hist, days = DurationWindow(30), np.zeros(64, dtype=np.int64), []
    for day in range(150):
        closed = rng.integers(0, 90, rng.integers(0, 25)).tolist()
        for d in closed:
            window.add(day, d)
            if d >= len(hist):
                hist = np.concatenate([hist, np.zeros(d + 1, np.int64)])
            hist[d] += 1
        days.append((day, closed))
        while days and days[0][0] < day - 30:
            hist -= np.bincount(days.pop(0)[1], minlength=len(hist))
        for q in (50, 90, 50):
            n = int(hist.sum())
            if n == 0:
                want = 0.0
            else:
                cum, pos = np.cumsum(hist), (n - 1) * q / 100.0
                lo = int(pos)
                v_lo = int(np.searchsorted(cum, lo + 1))
                v_hi = int(np.searchsorted(cum, min(lo + 2, n)))
                want = float(v_lo + (v_hi - v_lo) * (pos - lo))
            assert window.percentile(day, q) == want
