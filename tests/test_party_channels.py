"""The secretary's day 书记说事日 [001], one compound one liaison 一小区一专员 [002] and building
stewards 红色楼栋长 / 党员中心户 [001, 003] (issue 11): what each attaches, that each is inert
when off, and the direction and rough size of each effect at two community sizes, on paired
seeds (the same seed with and without the mechanism), as the mean paired difference and its
95% interval."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from commgov.model.community import CommunityModel
from commgov.model.lifecycle import COMMUNITY, COMPOUND, STREET
from commgov.model.metrics import model_reporters

REPORTERS = model_reporters()
SEEDS = (0, 1, 2, 3)
DAYS = 240
SIZES = (800, 2400)
METRICS = ("silent_left_share", "silent_found_total", "trust_mean", "grievance_mean",
           "on_time_share", "participation_rate", "building_settled_share",
           "grid_cases_per_worker", "secretary_heard_total", "escalated_share")
TINY = {"graph__households_per_community": 300, "graph__grids_per_community": 1,
        "graph__compounds_per_community": 2}


@cache
def _end(scenario: str, households: int, seed: int) -> tuple[float, ...]:
    m = CommunityModel(scenario=scenario, rng=seed, collect=False,
                       graph__households_per_community=households)
    m.run_for(DAYS)
    return tuple(REPORTERS[k](m) for k in METRICS)


def paired(scenario: str, households: int, metric: str) -> tuple[float, float]:
    """Mean paired difference (policy − baseline) over SEEDS and its 95% half-width."""
    k = METRICS.index(metric)
    d = np.array([_end(scenario, households, s)[k] - _end("baseline", households, s)[k]
                  for s in SEEDS])
    return float(d.mean()), float(1.96 * d.std(ddof=1) / np.sqrt(len(d)))


def below(scenario: str, households: int, metric: str, hi: float = 0.0) -> float:
    """The whole 95% interval of the paired difference lies below ``hi``."""
    mean, half = paired(scenario, households, metric)
    assert mean + half < hi, (scenario, households, metric, mean, half)
    return mean


def above(scenario: str, households: int, metric: str, lo: float = 0.0) -> float:
    mean, half = paired(scenario, households, metric)
    assert mean - half > lo, (scenario, households, metric, mean, half)
    return mean


# ---------------------------------------------------------------- inert when off
@pytest.mark.parametrize("overrides", [
    {"secretary_day__attend_silent": 0.9, "secretary_day__success_bonus": 4.0},
    {"compound_liaison__visits_per_week": 300.0, "compound_liaison__find_prob": 1.0},
    {"building_stewards__coverage": 1.0, "building_stewards__settle_prob": 1.0}])
def test_a_mechanism_that_is_off_changes_nothing(overrides):
    """Its parameters move no number while its switch is off (it draws nothing)."""
    def frame(**kw):
        m = CommunityModel(scenario="baseline", rng=3, **TINY, **kw)
        m.run_for(60)
        return m.datacollector.get_model_vars_dataframe()
    a, b = frame(), frame(**overrides)
    assert a.equals(b)
    assert a["silent_found_total"].iloc[-1] == 0 and a["building_settled_share"].max() == 0


# ---------------------------------------------------------------- what each attaches
def test_stewards_attach_a_first_rung_and_mobilise_their_buildings():
    m = CommunityModel(scenario="building_stewards", rng=0, collect=False, **TINY)
    mech = next(x for x in m.mechanisms if x.name == "building_stewards")
    assert m.book.first_rung is not None
    share = mech.stewarded.mean()
    assert 0.3 < share < 1.0                               # coverage 0.7, a coin per building
    term = m.households.participation_terms["building stewards"]
    lift = term.values
    assert not term.per_kind and lift.shape == (m.households.n,)
    assert set(np.unique(lift)) <= {0.0, m.params.building_stewards.mobilise_bonus}
    assert np.array_equal(lift > 0, mech.covered)
    m.set_params({"building_stewards.organised": False})   # a live switch-off detaches it
    assert m.book.first_rung is None and m.households.participation_terms == {}


def test_the_secretarys_day_takes_the_secretarys_hours_on_its_weekday_only():
    m = CommunityModel(scenario="secretary_day", rng=0, collect=False, **TINY,
                       secretary_day__attend_silent=1.0)
    p = m.params.secretary_day
    m.run_for(30)
    office = m.offices[0]
    quiet = int(np.count_nonzero(m.households.silent_kind >= 0))
    assert quiet > 0
    while m.day % 7 != p.weekday:
        m.step()
    office.plan_day()
    before = office.case_hours
    heard0 = m.book.counters.secretary_heard
    mech = next(x for x in m.mechanisms if x.name == "secretary_day")
    mech.session(m.day)
    heard = m.book.counters.secretary_heard - heard0
    cap = p.hours_per_session / p.hours_per_case
    assert 0 < heard <= cap + 1
    assert office.case_hours == pytest.approx(max(0.0, before - heard * p.hours_per_case))
    tasks = [t for t in m.day_plan.tasks if t.name == "secretary's day"]
    assert [d for d in range(14) if tasks[0].cadence.due(d)] == [p.weekday, p.weekday + 7]


@pytest.mark.parametrize("constant,level", [(10.0, None), (-10.0, STREET)])
def test_the_secretary_settles_or_sends_a_matter_straight_to_the_street(constant, level):
    """难事不出街道 [001]: what the secretary cannot settle goes to the street at once, not
    back down the ladder; what it can is handled at the community rung."""
    m = CommunityModel(scenario="secretary_day", rng=0, collect=False, **TINY,
                       ladder__community_constant=constant)
    m.run_for(20)
    issue = next(i for i in m.book.open.values() if i.level == COMPOUND and i.handled_day < 0)
    mech = next(x for x in m.mechanisms if x.name == "secretary_day")
    mech._decide(issue)
    if level is None:
        assert issue.closed and m.book.counters.closed_at_level[COMMUNITY] >= 1
    else:
        assert not issue.closed and issue.level == level and issue.escalated


def test_a_surfaced_matter_is_reported_once_and_grows_when_found_late():
    m = CommunityModel(scenario="compound_liaison", rng=0, collect=False, **TINY)
    m.run_for(20)
    hh = m.households
    h = int(np.flatnonzero((hh.silent_kind >= 0) & ~hh.open_issue & hh.occupied)[0])
    hh.silent_difficulty[h] = 0
    reported = m.book.counters.reported
    issue = m.book.surface(h, grow=1)
    assert issue.difficulty == 1 and hh.silent_kind[h] == -1
    assert m.book.counters.reported == reported + 1 and m.book.counters.silent_found >= 1


@pytest.mark.parametrize("switch", ["secretary_day.held", "compound_liaison.appointed",
                                    "building_stewards.organised"])
def test_each_switches_on_mid_run(switch):
    """Switched on mid-run (``set_params``, as the app does for a live lever) at day 40, the
    mechanism joins the day plan and starts bringing silent matters to light."""
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    m.run_for(40)
    assert m.book.counters.silent_found == 0
    m.set_params({switch: True})
    assert switch.split(".")[0] in {x.name for x in m.mechanisms}
    m.run_for(120)
    assert m.book.counters.silent_found > 0


# ---------------------------------------------------------------- effects, two sizes
@pytest.mark.parametrize("households", SIZES)
def test_the_secretarys_day_hears_the_unheard_and_settles_with_authority(households):
    """[001]: 解决有话没人听、有理没处讲、有事没人问的问题: fewer matters left unheard (by
    3–8 points of all issues), less grievance, more trust; matters settle with the
    secretary's authority."""
    drop = -below("secretary_day", households, "silent_left_share")
    assert 0.02 < drop < 0.09
    below("secretary_day", households, "grievance_mean")
    above("secretary_day", households, "trust_mean")
    # It also takes matters other channels left past their time promise (难事).
    heard, found = (METRICS.index(k) for k in ("secretary_heard_total", "silent_found_total"))
    assert all(_end("secretary_day", households, s)[heard]
               > _end("secretary_day", households, s)[found] for s in SEEDS)


@pytest.mark.parametrize("households", SIZES)
def test_a_compound_liaison_finds_silent_matters_and_builds_trust(households):
    """[002]: 常态走访与联系: silent matters come to light (a third to most of those kept
    silent), trust rises and grievance falls; a liaison per compound covers a large compound
    more thinly, so the effect is smaller there."""
    drop = -below("compound_liaison", households, "silent_left_share")
    assert 0.03 < drop < 0.15
    above("compound_liaison", households, "silent_found_total")
    above("compound_liaison", households, "trust_mean")
    below("compound_liaison", households, "grievance_mean", hi=0.002)


def test_a_liaison_per_compound_is_spread_thinner_in_larger_compounds():
    small = -paired("compound_liaison", SIZES[0], "silent_left_share")[0]
    large = -paired("compound_liaison", SIZES[1], "silent_left_share")[0]
    assert small > large


@pytest.mark.parametrize("households", SIZES)
def test_building_stewards_settle_small_matters_and_lighten_the_grid(households):
    """[001, 003]: the rung below the compound settles small matters in the building (5–20%
    of reports), so grid workers take up fewer cases; stewards mobilise neighbours and pass on
    silent matters."""
    settled = above("building_stewards", households, "building_settled_share")
    assert 0.05 < settled < 0.2
    below("building_stewards", households, "grid_cases_per_worker")
    above("building_stewards", households, "participation_rate", lo=0.01)
    below("building_stewards", households, "silent_left_share")


def test_all_three_with_the_closed_loop_count_every_case_once():
    """Together, and with revisits (a handled case stays open until its revisit): no case is
    taken up again once handled, so every resolved case was reported and every found one
    was kept silent first."""
    m = CommunityModel(scenario="closed_loop", rng=1, collect=False, **TINY,
                       secretary_day__held=True, compound_liaison__appointed=True,
                       building_stewards__organised=True)
    m.run_for(150)
    c = m.book.counters
    assert 0 < c.silent_found <= c.silent
    assert c.building_settled > 0 and c.secretary_heard > 0
    assert c.resolved + len(m.book.open) <= c.reported
