"""Four seed systems of issue 11 (ODD 7.27-7.30): couriers as special grid workers [001],
incubated social organisations [004], resident evaluation 两议两评两公开 [001, 003] and
households refusing to enter their data into the grid system [003].

Each effect is measured on paired seeds (the same seed on both sides: common random
numbers) in a small and a large community, as the mean paired difference with a 95%
interval (t with n-1 degrees of freedom), so a claim holds across sizes and not only at the
calibration point. The tiny-community tests check what each mechanism attaches.
"""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import REPORTERS, end_values, sized

from commgov.model.community import CommunityModel
from commgov.model.lifecycle import FACILITY, GRID, SILENT

SEEDS = (0, 1, 2, 3)
T95 = 3.182          # t(0.975, 3 df): 95% interval of a mean of 4 paired differences
DAYS = 240
SIZES = (1000, 4000)
TINY = {"graph__households_per_community": 300, "graph__grids_per_community": 1,
        "graph__compounds_per_community": 2}


def _end(scenario: str, seed: int, metrics: tuple[str, ...], **kw) -> np.ndarray:
    return end_values(scenario, DAYS, (seed,), metrics, **kw)[0]


def paired(b: str, metrics: tuple[str, ...], households: int, a: str = "baseline",
           **kw) -> tuple[np.ndarray, np.ndarray]:
    """Mean and 95% half-width of B − A per metric, over SEEDS (same seed both sides)."""
    d = np.array([_end(b, s, metrics, **sized(households), **kw)
                  - _end(a, s, metrics, **sized(households), **kw) for s in SEEDS])
    return d.mean(axis=0), T95 * d.std(axis=0, ddof=1) / np.sqrt(len(SEEDS))


# ---------------------------------------------------------------- couriers [001] (7.27)
def test_couriers_get_into_fewer_compounds_than_they_pass():
    """Access uses [001]'s 78.8% who find it hard to get in; the appointment helps part."""
    m = CommunityModel(scenario="courier_grid_workers", rng=0, collect=False, **TINY)
    mech = next(x for x in m.mechanisms if x.name == "couriers")
    assert m.params.couriers.entry_hard_share == 0.788
    assert mech.access() == pytest.approx(1 - 0.788 * (1 - m.params.couriers.pass_share))
    assert mech.spot in m.book.on_arrival
    base = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    assert not base.book.on_arrival and "couriers" not in [x.name for x in base.mechanisms]


def test_couriers_report_only_facility_hazards_and_send_them_to_the_grid():
    m = CommunityModel(scenario="courier_grid_workers", rng=0, collect=False,
                       couriers__spot_prob=1.0, couriers__pass_share=1.0, **TINY)
    mech = next(x for x in m.mechanisms if x.name == "couriers")
    hit = np.arange(8)
    kinds = np.array([FACILITY, 0, FACILITY, 1, FACILITY, 3, 0, FACILITY])
    difficulty = np.zeros(8, dtype=np.int64)
    channels = np.full(8, SILENT)
    mech.spot(hit, kinds, difficulty, channels)
    assert (channels[kinds == FACILITY] == GRID).all()
    assert (channels[kinds != FACILITY] == SILENT).all()
    assert mech.reports == 4 and mech.was_silent == 4


def test_more_access_more_reports():
    """No pass (every courier who finds entry hard stays out) against a pass for all."""
    reports = []
    for share in (0.0, 1.0):
        m = CommunityModel(scenario="courier_grid_workers", rng=0, collect=False,
                           couriers__pass_share=share, couriers__spot_prob=1.0,
                           **sized(1000))
        m.run_for(120)
        reports.append(REPORTERS["courier_reports_total"](m))
    assert 0 < reports[0] < reports[1]
    # nearly the same coins: reports scale with access, 0.212 against 1
    assert reports[0] / reports[1] == pytest.approx(0.212, abs=0.08)


def test_counts_by_kind_add_up_to_the_totals():
    """Each arisen, silent, resolved and on-time issue is counted once under its kind (the
    facility metrics read these counters)."""
    m = CommunityModel(scenario="courier_grid_workers", rng=0, collect=False, **sized(1000))
    m.run_for(120)
    c = m.book.counters
    assert sum(c.resolved_by_kind) == c.resolved and sum(c.on_time_by_kind) == c.on_time
    assert sum(c.silent_by_kind) == c.silent
    assert sum(c.arisen_by_kind) <= c.arisen      # office complaints arise outside 7.4
    f = FACILITY
    assert REPORTERS["facility_on_time_share"](m) == pytest.approx(
        c.on_time_by_kind[f] / c.resolved_by_kind[f])
    assert 0.5 < REPORTERS["facility_on_time_share"](m) <= 1.0


@pytest.mark.parametrize("households", SIZES)
def test_couriers_catch_hazards_early(households):
    """[001] 探头, 早發現、早處置: far fewer facility hazards go unreported (about a third
    fewer), and the extra cases they bring cost no on-time handling."""
    mean, half = paired("courier_grid_workers", ("facility_silent_share",
                                                 "facility_on_time_share", "on_time_share"),
                        households)
    assert mean[0] + half[0] < 0 and mean[0] > -0.12, (mean, half)
    assert mean[1] > -0.03 and mean[2] > -0.02, (mean, half)


# ---------------------------------------------------------------- social orgs [004] (7.28)
def test_social_organisations_grow_from_the_incubator():
    m = CommunityModel(scenario="social_organisations", rng=0, collect=False, **TINY)
    mech = next(x for x in m.mechanisms if x.name == "social_orgs")
    term = m.households.participation_terms["social organisations"]
    assert term.per_kind and term.values.sum() == 0.0     # day 0: nothing grown yet
    m.run_for(m.params.social_orgs.incubation_days // 2 + 1)
    half = m.households.participation_terms["social organisations"].values
    full = np.array([0.6, 0.5, 0.6, 0.15])
    assert half == pytest.approx(full * mech.grown(m.day - 1))
    assert 0.45 < mech.grown(m.day - 1) < 0.55


@pytest.mark.parametrize("households", SIZES)
def test_social_organisations_draw_in_the_working_age(households):
    """[004]: councils draw cadres and retirees; incubated organisations reach the young
    and middle-aged. Working-age participation rises, nearly doubling, far more in
    relative terms than retirees', and far more than councils raise it."""
    metrics = ("participation_rate_non_retired", "participation_rate_retired")
    base = np.mean([_end("baseline", s, metrics, **sized(households)) for s in SEEDS], axis=0)
    mean, half = paired("social_organisations", metrics, households)
    assert mean[0] - half[0] > 0.04, (mean, half)
    assert mean[0] / base[0] > 1.5 * mean[1] / base[1], (mean, base)
    council, _ = paired("neighbourhood_council", metrics, households)
    assert mean[0] > council[0] + 0.03, (mean, council)
    assert council[1] > council[0]           # councils: mainly retirees (7.14)


# ---------------------------------------------------------------- evaluation [001, 003] (7.29)
def test_low_rated_workers_push_harder():
    m = CommunityModel(scenario="two_deliberations", rng=0, collect=False, **TINY)
    mech = next(x for x in m.mechanisms if x.name == "evaluation")
    p = m.params.evaluation
    grid = [w for w in m.workers if not w.cadre]
    assert all(w.admin_terms["resident evaluation"] == -p.admin_shift_hours for w in grid)
    mech.rating = {grid[0].index: 0.2}
    mech.attach()
    assert grid[0].mediation_bonus == pytest.approx(p.effort_logit * 1.6)
    mech.rating = {grid[0].index: 0.9}
    mech.attach()
    assert grid[0].mediation_bonus == pytest.approx(p.effort_logit * 0.2)
    m.retune()                                  # live change: terms set afresh from state
    assert grid[0].mediation_bonus == pytest.approx(p.effort_logit * 0.2)
    base = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    assert base.households.grid_blocked is None
    assert all(w.slow_households is None for w in base.workers)
    assert all(w.mediation_bonus == 0.0 and "resident evaluation" not in w.admin_terms
               for w in base.workers)


@pytest.mark.parametrize("households", SIZES)
def test_resident_evaluation_lifts_trust_and_on_time_handling(households):
    """[001] 從“應付領導”轉向“服務居民”, [003] resident-centred assessment."""
    mean, half = paired("two_deliberations", ("trust_mean", "on_time_share"), households)
    assert mean[0] - half[0] > 0.005 and mean[0] < 0.06, (mean, half)
    assert mean[1] - half[1] > 0 and mean[1] < 0.1, (mean, half)


# ---------------------------------------------------------------- privacy refusal [003] (7.30)
def test_refusers_get_no_grid_channel_and_no_visits():
    m = CommunityModel(scenario="privacy_refusal", rng=0, collect=False, **TINY)
    hh = m.households
    refused = hh.grid_blocked
    assert refused is not None and 0.2 < refused.mean() < 0.4
    hit = np.flatnonzero(hh.occupied)
    ch = hh.choose_channels(hit, np.zeros(len(hit), dtype=np.int64), m.red_station)
    assert not (ch[refused[hit]] == GRID).any() and (ch[~refused[hit]] == GRID).any()
    assert all(w.slow_households[0] is refused
               and w.slow_households[1] == m.params.privacy.unknown_case_factor
               for w in m.workers)
    m.run_for(60)
    occ = hh.occupied
    assert hh.relationship[refused & occ].max() == 0.0     # never visited
    assert hh.relationship[~refused & occ].max() > 0.0


@pytest.mark.parametrize("households", SIZES)
def test_refusal_hides_issues_from_the_grid(households):
    """[003] 網格員不能及時了解每位住戶: refusers keep more issues quiet, so the share kept
    quiet rises, and fewer issues are handled within the promise."""
    mean, half = paired("privacy_refusal", ("silent_share", "on_time_share",
                                            "refuser_silent_share"), households)
    assert mean[0] - half[0] > 0.02 and mean[0] < 0.12, (mean, half)
    assert mean[1] < 0, (mean, half)
    usual = np.mean([_end("baseline", s, ("silent_share",), **sized(households))[0]
                     for s in SEEDS])
    assert mean[2] > 2 * usual, (mean, usual)    # refusers: well above the usual silence
