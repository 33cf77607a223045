"""Costs (issue 11, item 2): every run carries what it costs, by item, from the prices in
[costs]; each policy adds its own item and nothing else."""

from __future__ import annotations

import pytest

from commgov.model.community import CommunityModel
from commgov.model.costs import cost_items, cost_per_year
from commgov.model.metrics import model_reporters

TINY = {"graph__households_per_community": 600, "graph__grids_per_community": 1,
        "graph__compounds_per_community": 2}
STAFF = ("grid workers", "service centre", "committee cadres", "red stations")


def _items(scenario: str, days: int = 30, **kw) -> tuple[CommunityModel, dict[str, float]]:
    m = CommunityModel(scenario=scenario, rng=0, collect=False, **TINY, **kw)
    m.run_for(days)
    return m, cost_items(m)


def test_the_baseline_pays_its_staff_and_stations():
    m, items = _items("baseline")
    c = m.params.costs
    fte = sum(w.hours for w in m.workers) / m.params.staff.hours_per_day
    assert set(items) == set(STAFF)
    assert items["grid workers"] == pytest.approx(fte * c.grid_worker_yuan)
    assert items["committee cadres"] == 7 * c.cadre_yuan
    assert "training" not in items           # no training programme, no item
    assert model_reporters()["cost_yuan_per_year"](m) == pytest.approx(sum(items.values()))


@pytest.mark.parametrize("scenario,item", [
    ("integrated_platform", "platform"), ("red_property", "red property"),
    ("neighbourhood_council", "councils"), ("grid_merge", "merge allowance"),
    ("volunteer_points", "volunteer points"), ("training", "training"),
    ("courier_grid_workers", "courier points"),
    ("social_organisations", "social organisations"),
    ("two_deliberations", "resident evaluation"),
    ("mediation_room", "mediation rooms"),
    ("root_cause_fixes", "root-cause fixes"), ("property_rating", "property rating")])
def test_each_policy_adds_its_own_item(scenario, item):
    _, base = _items("baseline")
    m, items = _items(scenario)
    assert items[item] > 0
    assert set(items) - set(base) == {item}
    for k in STAFF:                    # merging moves cadres, it does not hire
        assert items[k] == pytest.approx(base[k]), k


def test_prices_scale_their_items_and_hires_cost_more():
    _, cheap = _items("grid_merge_plus_staff", costs__service_staff_yuan=10_000.0)
    _, dear = _items("grid_merge_plus_staff", costs__service_staff_yuan=20_000.0)
    assert dear["service centre"] == pytest.approx(2 * cheap["service centre"])
    _, merge = _items("grid_merge")
    _, staffed = _items("grid_merge_plus_staff")
    assert staffed["service centre"] > merge["service centre"]


def test_cost_per_resolved_issue_is_the_windowed_cost_over_resolved_issues():
    m, _ = _items("baseline", days=120)
    reporters = model_reporters()
    per = reporters["cost_per_resolved_yuan_90d"](m)
    assert per > 0
    assert per == pytest.approx(cost_per_year(m) * 90 / 365 / _resolved_last_90(m))


def _resolved_last_90(m: CommunityModel) -> float:
    from commgov.model.lifecycle import IssueCounters

    i = IssueCounters.TRACKED.index("resolved")
    return m.history[-1][i] - m.history[-91][i]


def test_cost_follows_a_lever_changed_during_the_day():
    """The cost metrics are computed once a day, yet a live change shows at once."""
    m, _ = _items("baseline", days=3)
    cost = model_reporters()["cost_yuan_per_year"]
    before = cost(m)
    m.set_params({"property.red_property": True}, by_hand=True)
    assert cost(m) == pytest.approx(before + len(m.firms) * m.params.costs.red_property_yuan)
