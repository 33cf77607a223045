"""Policy answers that hold away from the calibration point (issue 9).

Staffing by the papers' rule across community sizes, office work with consequences, turnover
that costs, smooth drivers without cliffs, metrics that discriminate, and per-mechanism
random streams that make paired comparisons really paired. Effects are compared on the same
seeds (common random numbers), averaged over seeds, with tolerances.
"""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import REPORTERS, end_values, sized

from commgov.model.community import CommunityModel, staff_posts
from commgov.model.streams import Streams
from commgov.scenarios.loader import load_scenario


# ---------------------------------------------------------------- staffing [000, 001, 003]
def _posts(allocation: str, households: int) -> tuple[float, float, float]:
    p = load_scenario("baseline", {"staff.allocation": allocation}).scenario
    planned = households * p.households.initial_occupancy
    residents = planned * p.households.residents_per_household
    grid, service = staff_posts(p, planned, residents)
    return grid, service, residents


@pytest.mark.parametrize("allocation", ["fixed_posts", "needs_based"])
def test_grid_coverage_never_improves_with_size(allocation):
    """[003]: one grid worker per ~600 households whatever the size; under fixed posts the
    committee [001] does not grow, so office capacity per resident falls with size."""
    sizes = [800, 1500, 3000, 5000, 8000, 15000]
    per_worker = [h / _posts(allocation, h)[0] for h in sizes]
    assert max(per_worker) / min(per_worker) < 1.02
    if allocation == "fixed_posts":
        assert 540 <= per_worker[2] <= 660, "default community ≈ 600 households per worker"
        office = [(7 + _posts(allocation, h)[1]) / _posts(allocation, h)[2] for h in sizes]
        assert all(a > b for a, b in zip(office, office[1:], strict=False))


def test_per_capita_quota_runs_backwards_with_size():
    """The old per-capita quota, kept as a lever: small communities get the committee and
    almost no grid workers, so coverage improves with size — what [001] warns against."""
    small, large = 1500, 8000
    assert small / _posts("per_capita", small)[0] > 2 * large / _posts("per_capita", large)[0]


def test_staff_change_smoothly_with_size():
    """Full-time equivalents, not rounded heads: no jumps at rounding boundaries."""
    sizes = np.arange(1000, 1400, 7)
    fte = np.array([_posts("fixed_posts", int(h))[0] for h in sizes])
    steps = np.diff(fte) / fte[:-1]
    assert np.all(steps > 0) and steps.max() < 0.02


def test_default_community_keeps_its_calibrated_staffing():
    m = CommunityModel(scenario="baseline", rng=0)
    hpw = REPORTERS["households_per_worker"](m)
    assert 510 <= hpw <= 690                      # validate pattern 4 [003]


# ---------------------------------------------------------------- office work [000, 001, 004]
OFFICE = ["office_wait_share_90d", "formalism_share", "office_uncovered_share", "trust_mean",
          "merge_unlearnt_share"]


@pytest.fixture(scope="module")
def merge_by_size():
    seeds, days = (0, 1, 2), 200
    out = {}
    for size in (1500, 6000):
        for scen in ("baseline", "grid_merge", "grid_merge_plus_staff"):
            out[size, scen] = end_values(scen, days, seeds, OFFICE, **sized(size))
    return out


def test_merging_without_staff_leaves_office_requests_waiting(merge_by_size):
    """多网合一 sends cadres into the compounds and leaves office work undone [000, 001]."""
    for size in (1500, 6000):
        d = merge_by_size[size, "grid_merge"] - merge_by_size[size, "baseline"]
        assert d[:, 0].mean() > 0.1, f"office waits rise at {size} households"
        assert d[:, 1].mean() > 0.2, "cadres are pulled back to the office (formalism)"


def test_merging_costs_small_communities_most(merge_by_size):
    """[000]: small communities find it hardest to balance the grid and the office."""
    small = (merge_by_size[1500, "grid_merge"] - merge_by_size[1500, "baseline"]).mean(axis=0)
    large = (merge_by_size[6000, "grid_merge"] - merge_by_size[6000, "baseline"]).mean(axis=0)
    assert small[0] > large[0] + 0.05, "office waits rise more in the small community"
    assert small[1] > large[1], "more formalism: a small office is its cadres"


def test_added_staff_recover_most_of_the_office(merge_by_size):
    """grid_merge_plus_staff: hires backfill the office the cadres left [000]."""
    for size in (1500, 6000):
        base = merge_by_size[size, "baseline"].mean(axis=0)
        merged = merge_by_size[size, "grid_merge"].mean(axis=0)
        staffed = merge_by_size[size, "grid_merge_plus_staff"].mean(axis=0)
        lost = merged[0] - base[0]
        assert staffed[0] - base[0] < 0.5 * lost, f"most of the office recovered at {size}"


def test_merging_starts_with_specialised_work_unlearnt(merge_by_size):
    """[000] 阵痛需要适应: merged staff learn the specialised networks' work over time, and
    only as fast as the office can spare hours; hires that cover the office speed it up."""
    for size in (1500, 6000):
        base = merge_by_size[size, "baseline"][:, 4]
        merged = merge_by_size[size, "grid_merge"][:, 4]
        staffed = merge_by_size[size, "grid_merge_plus_staff"][:, 4]
        assert (base == 0).all(), "no merge, nothing to learn"
        # Never faster than a fully covered office (exp(-days / adaptation_days)), and
        # under way after 200 days.
        assert (merged >= np.exp(-200 / 365) - 1e-9).all() and (merged < 1).all()
        assert staffed.mean() < merged.mean(), f"hires speed the learning at {size}"


@pytest.mark.parametrize("size", [1500, 4000])
def test_unlearnt_specialised_work_costs_handling(size):
    """[000] 一些专网业务的落实遇到了困境: while the work is unlearnt, issues that a
    specialised network used to take take longer and settle less often, at any community
    size; the learning itself is the same on both sides (paired seeds)."""
    metrics = ["on_time_share", "escalated_share", "merge_unlearnt_share"]
    free = end_values("grid_merge", 150, (0, 1, 2, 3), metrics, grid__specialist_penalty=0.0,
                      grid__specialist_extra_hours=0.0, **sized(size))
    costly = end_values("grid_merge", 150, (0, 1, 2, 3), metrics,
                        grid__specialist_penalty=2.0, grid__specialist_extra_hours=1.0,
                        **sized(size))
    d = (costly - free).mean(axis=0)
    assert d[0] < -0.01, f"fewer settled on time ({d[0]:+.3f})"
    assert d[1] > 0.005, f"more escalated ({d[1]:+.3f})"
    np.testing.assert_allclose(costly[:, 2], free[:, 2], rtol=0.05)


# ---------------------------------------------------------------- turnover [000]
def test_turnover_costs_trust_and_reopens_old_accounts():
    """'A new official ignores the old accounts' [000]: high turnover lowers trust and
    on-time handling and raises repeat complaints (paired seeds)."""
    metrics = ["trust_mean", "on_time_share", "repeat_share_90d"]
    seeds = (0, 1, 2, 3)
    low = end_values("baseline", 365, seeds, metrics, workers__turnover_per_year=0.05,
                     **sized(1500))
    high = end_values("baseline", 365, seeds, metrics, workers__turnover_per_year=0.6,
                      **sized(1500))
    d = (high - low).mean(axis=0)
    assert d[0] < -0.01, "trust falls"
    assert d[1] < -0.02, "fewer cases on time"
    assert d[2] > 0.0, "more repeat complaints"


def test_a_successor_reopens_old_accounts_and_delays_handed_over_cases():
    m = CommunityModel(scenario="baseline", rng=3, **sized(1500))
    for _ in range(120):
        m.step()
    w = max((x for x in m.workers if not x.cadre), key=lambda x: len(x.households))
    settled = (m.households.last_resolved_worker[w.households] == w.index).sum()
    assert settled > 0
    before = m.book.counters.repeats
    trust_before = m.households.trust[w.households].mean()
    w.turnover()
    assert m.book.counters.repeats > before, "some settled matters come back"
    assert m.households.trust[w.households].mean() < trust_before
    assert w.cover < 1.0 and w.vacant_until > m.day, "the post stays vacant a while"


# ---------------------------------------------------------------- smooth drivers
def test_petition_hazard_is_smooth_and_monotone():
    """No threshold: the daily hazard rises continuously with grievance and age [000]."""
    m = CommunityModel(scenario="baseline", rng=0)
    lad = m.params.ladder
    g = np.linspace(0, 3, 61)
    age = np.array([5, 30, 90])[:, None]
    h = (lad.petition_daily_max / (1 + np.exp(-(g - lad.petition_grievance)
                                               / lad.petition_grievance_scale))
         * -np.expm1(-age / lad.petition_after_days))
    assert np.all(np.diff(h, axis=1) > 0) and np.all(np.diff(h, axis=0) > 0)
    assert np.max(np.diff(h, axis=1)) < 0.1 * lad.petition_daily_max


def test_petitions_rise_smoothly_with_the_hazard_scale():
    """Scaling the petition hazard scales petitions, with no jump to or from zero (in an
    under-staffed community, where issues stay open long enough to be petitioned)."""
    totals = [end_values("baseline", 240, (0, 1), ["petitions_total"], **sized(1500),
                         staff__per_10k_residents=14,
                         ladder__petition_daily_max=x).mean() for x in (0.01, 0.02, 0.04)]
    assert 0 < totals[0] < totals[1] < totals[2]


# ---------------------------------------------------------------- metrics
def test_windowed_and_burn_in_metrics():
    m = CommunityModel(scenario="baseline", rng=0, metrics__burn_in_days=30)
    for _ in range(120):
        m.step()
    df = m.datacollector.get_model_vars_dataframe()
    c = np.array(m.history)
    on_time, resolved = c[:, 4], c[:, 3]
    expect_burn = (on_time[-1] - on_time[29]) / (resolved[-1] - resolved[29])
    assert df["on_time_share"].iloc[-1] == pytest.approx(expect_burn)
    expect_30 = (on_time[-1] - on_time[-31]) / (resolved[-1] - resolved[-31])
    assert df["on_time_share_30d"].iloc[-1] == pytest.approx(expect_30)
    for col in ("days_to_resolve_p50", "days_to_resolve_p90", "overdue_open_per_1k",
                "repeat_share_90d", "office_wait_share_90d", "on_time_compound_share"):
        assert np.isfinite(df[col]).all()
    assert df["days_to_resolve_p90"].iloc[-1] >= df["days_to_resolve_p50"].iloc[-1]


def test_discriminating_metrics_are_not_at_a_ceiling():
    """resolved_share sits near 1 in most scenarios; the new outcomes separate policies."""
    metrics = ["resolved_share", "on_time_share_90d", "days_to_resolve_p90"]
    base = end_values("baseline", 200, (0, 1, 2), metrics)
    staffed = end_values("staffing_43_9", 200, (0, 1, 2), metrics)
    d = (staffed - base).mean(axis=0)
    assert abs(d[0]) < 0.01, "resolved_share barely moves: it sits near its ceiling"
    assert d[1] > 0.03 and d[2] < 0, "more staff: more on time, a shorter slow tail"


# ---------------------------------------------------------------- random streams
def test_streams_are_named_and_reproducible():
    a, b = Streams.from_seed(7), Streams.from_seed(7)
    assert a.keyed("x", 1, 2) == b.keyed("x", 1, 2)
    assert a.keyed("x", 1, 2) != a.keyed("y", 1, 2) != a.keyed("x", 2, 1)
    assert np.array_equal(a.daily("d", 5).random(4), b.daily("d", 5).random(4))
    assert not np.array_equal(a.daily("d", 5).random(4), a.daily("d", 6).random(4))
    u = np.array([a.keyed("u", i) for i in range(4000)])
    assert 0.48 < u.mean() < 0.52 and u.min() >= 0 and u.max() < 1


def test_the_world_at_day_0_is_the_same_under_every_policy():
    """A policy changes nothing it does not touch: grid_merge hires no owners' committees."""
    worlds = []
    for scen in ("baseline", "grid_merge", "closed_loop", "red_property"):
        m = CommunityModel(scenario=scen, rng=11)
        worlds.append((m.households.trust.copy(), m.households.kind.copy(),
                       [oc.functional for oc in m.owners_committees],
                       [b is not None for b in m.branches]))
    for w in worlds[1:]:
        assert np.array_equal(w[0], worlds[0][0]) and np.array_equal(w[1], worlds[0][1])
        assert w[2] == worlds[0][2] and w[3] == worlds[0][3]


@pytest.mark.slow
def test_pairing_cuts_the_noise_of_policy_differences():
    """Paired SD / unpaired SD of (policy − baseline) ≤ 0.5 (median over five core metrics)
    for grid_merge, closed_loop and red_property (issue 10's target)."""
    metrics = ["on_time_share", "resolved_share", "trust_mean", "participation_rate",
               "fee_collection_rate"]
    seeds = range(10)
    base = end_values("baseline", 365, seeds, metrics)
    for scen in ("grid_merge", "closed_loop", "red_property"):
        pol = end_values(scen, 365, seeds, metrics)
        paired = (pol - base).std(axis=0, ddof=1)
        unpaired = np.sqrt(pol.var(axis=0, ddof=1) + base.var(axis=0, ddof=1))
        assert np.median(paired / unpaired) <= 0.5, scen


def test_duration_window_matches_numpy_percentiles():
    """The days-to-resolve histogram gives numpy's percentile of the last 90 days' cases."""
    from commgov.model.lifecycle import DurationWindow
    rng = np.random.default_rng(0)
    window, seen = DurationWindow(90), []
    for day in range(200):
        for d in rng.integers(0, 40, rng.integers(0, 30)).tolist():
            window.add(day, d)
            seen.append((day, d))
        current = [d for closed, d in seen if closed >= day - 90]
        for q in (50, 90):
            expect = float(np.percentile(current, q)) if current else 0.0
            assert window.percentile(day, q) == pytest.approx(expect)
