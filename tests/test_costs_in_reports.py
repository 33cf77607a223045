"""Cost beside outcomes, cost per unit of outcome, before/after marks of timed policies
(issue 11): the shared rule (experiments/costeff.py, experiments/timemarks.py), the sweep
report, the app's comparison and charts, and the budget lesson."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commgov.experiments import costeff, timemarks
from commgov.experiments.report import SweepResults, _cost_html, build_report, cost_table
from commgov.viz import i18n

OUT = costeff.OUTCOMES[1]           # trust: a +1 outcome


# ------------------------------------------------------------------ the ratio and its CI
def test_fieller_interval_covers_the_true_ratio_about_95_percent() -> None:
    """Monte Carlo: paired Δcost, Δoutcome with a known ratio of means (2,000 yuan per
    unit); the interval holds it in ~95% of samples where it is reported at all."""
    rng = np.random.default_rng(3)
    hits = shown = 0
    for _ in range(2000):
        do = rng.normal(5.0, 3.0, 8)
        dc = 2000.0 * 5.0 + rng.normal(0, 3000.0, 8) + 800.0 * (do - 5.0)
        f = costeff.fieller(dc, do)
        if f is None:
            continue
        shown += 1
        r, lo, hi = f
        assert lo <= r <= hi
        hits += lo <= 2000.0 <= hi
    assert shown > 1800
    assert 0.93 < hits / shown < 0.97


def test_no_ratio_when_the_outcome_difference_is_unclear() -> None:
    a = np.zeros(5)
    cost = np.full(5, 1e5)
    # the outcome's interval crosses 0: n/a, not a huge number
    r = costeff.ratio(OUT, a, cost, a, np.array([0.5, -0.4, 0.1, -0.2, 0.05]), 365)
    assert r.status == "nodiff" and np.isnan(r.ratio)
    assert r.d_outcome_lo < 0 < r.d_outcome_hi
    # a clear gain: a number with its interval
    gain = np.array([2.0, 2.2, 1.9, 2.1, 2.0])
    r = costeff.ratio(OUT, a, cost, a, gain, 365)
    assert r.status == "ok" and r.ratio == pytest.approx(1e5 / gain.mean())
    assert r.lo < r.ratio < r.hi
    assert costeff.ratio_text(r, "en").startswith(f"{1e5 / gain.mean():,.0f}")
    # costs more and does worse / costs less and does better: no ratio, a word
    assert costeff.ratio(OUT, a, cost, a, -gain, 365).status == "dominated"
    assert costeff.ratio(OUT, a, -cost, a, gain, 365).status == "saves"
    assert costeff.ratio(OUT, a[:1], cost[:1], a[:1], gain[:1], 365).status == "few"
    # cheaper and worse: what B saves per unit lost, said in words
    r = costeff.ratio(OUT, a, -cost, a, -gain, 365)
    assert r.status == "ok" and r.worse and r.ratio > 0
    assert costeff.ratio_text(r, "en").startswith("saves ")
    assert "节省" in costeff.ratio_text(r, "zh")
    for lang in i18n.LANGS:
        assert costeff.ratio_text(costeff.ratio(OUT, a, cost, a, -gain, 365), lang)


def test_a_cumulative_outcome_is_priced_with_the_runs_cost() -> None:
    resolved = next(o for o in costeff.OUTCOMES if o.key == "resolved")
    z = np.zeros(3)
    r = costeff.ratio(resolved, z, np.full(3, 36_500.0), z, np.array([9.0, 10.0, 11.0]),
                      days=100)
    assert r.ratio == pytest.approx(10_000.0 / 10.0)
    # a policy from day 50 of 100 pays for half the run: what was spent, not the end rate
    r = costeff.ratio(resolved, z, np.full(3, 36_500.0), z, np.array([9.0, 10.0, 11.0]),
                      days=100, mean_cost_a=z, mean_cost_b=np.full(3, 18_250.0))
    assert r.ratio == pytest.approx(5_000.0 / 10.0)
    trust = next(o for o in costeff.OUTCOMES if o.key == "trust")     # a rate: the end cost
    r = costeff.ratio(trust, z, np.full(3, 36_500.0), z, np.array([9.0, 10.0, 11.0]),
                      days=100, mean_cost_a=z, mean_cost_b=np.full(3, 18_250.0))
    assert r.ratio == pytest.approx(36_500.0 / 10.0)


# ------------------------------------------------------------------ timeline marks
def test_timeline_marks_and_windows() -> None:
    marks = timemarks.scenario_marks("grid_merge_from_day_180")
    assert [(m.day, m.kind) for m in marks] == [(180, "start")]
    assert "180" in marks[0].label("en") and "第 180 天" in marks[0].label("zh")
    assert timemarks.scenario_marks("baseline") == ()

    class Step:
        def __init__(self, day: int, **kw: object) -> None:
            self.day, self.set = day, kw

    kinds = [m.kind for m in timemarks.marks([Step(300, a=False), Step(100, a=True),
                                              Step(200, b=3)])]
    assert kinds == ["start", "change", "end"]
    assert timemarks.windows([180], 365, 60) == ((60, 180), (240, 366))
    assert timemarks.windows([180, 300], 365, 60) == ((60, 180), (240, 300))
    assert timemarks.windows([30], 365, 60) is None


# ------------------------------------------------------------------ the sweep report
SWEEP = '''name = "costs"
scenarios = ["baseline", "red_property", "grid_merge_from_day_180"]
replications = 3
days = 300
record_every = 5
metrics = ["cost_yuan_per_year", "issues_resolved_total", "trust_mean",
           "participation_rate", "households_occupied", "fee_collection_rate",
           "office_wait_share_90d"]
[set]
"graph.households_per_community" = 600
"graph.compounds_per_community" = 3
"graph.grids_per_community" = 1
'''


@pytest.fixture(scope="module")
def sweep_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from commgov.experiments import engine
    from commgov.experiments.sweep import load_sweep

    tmp = tmp_path_factory.mktemp("costs")
    (tmp / "costs.toml").write_text(SWEEP, encoding="utf-8")
    _, results = engine.engine_for(workers=1, scheduler=None, dask_local=False)
    engine.execute(load_sweep(tmp / "costs.toml"), tmp / "out", results, resume=False,
                   engine="test", progress=False)
    return tmp / "out"


def test_report_prices_each_policy_against_the_reference(sweep_out: Path) -> None:
    res = SweepResults(sweep_out)
    table = cost_table(res).set_index("scenario")
    # red property: 10,000 yuan a compound a year [costs], 3 compounds; a clear fee gain
    assert table.loc["red_property", "d_cost"] == pytest.approx(30_000.0)
    assert table.loc["grid_merge_from_day_180", "d_cost"] > 0          # the merge allowance
    s = res.summary
    for scen, r in table.iterrows():
        for o in costeff.OUTCOMES:
            status = r[f"per_{o.key}_status"]
            crosses = r[f"d_{o.key}_low"] <= 0 <= r[f"d_{o.key}_high"]
            assert (status == "nodiff") == crosses, (scen, o.key)
            if status == "ok":
                assert r[f"per_{o.key}_low"] <= r[f"per_{o.key}"] <= r[f"per_{o.key}_high"]
    # with the daily table, the timed merge's resolved issues are priced with what the run
    # spent (the allowance from day 180 of 300), not the end rate over the whole run
    timed = cost_table(res, res.daily()).set_index("scenario").loc["grid_merge_from_day_180"]
    whole = table.loc["grid_merge_from_day_180"]
    assert whole["per_resolved_status"] == timed["per_resolved_status"] == "ok"
    assert timed["per_resolved"] == pytest.approx(whole["per_resolved"] * 120 / 300, rel=0.05)
    assert timed["per_trust"] == whole["per_trust"] or np.isnan(whole["per_trust"])
    # the paired Δtrust is the mean of per-seed differences, in points
    a = s[s.scenario == "baseline"].set_index("replication")["trust_mean"]
    b = s[s.scenario == "grid_merge_from_day_180"].set_index("replication")["trust_mean"]
    assert table.loc["grid_merge_from_day_180", "d_trust"] == pytest.approx(
        100 * (b - a).mean())


def test_report_marks_the_policy_start_and_compares_before_and_after(sweep_out: Path,
                                                                      tmp_path: Path) -> None:
    res = SweepResults(sweep_out)
    assert set(res.marks) == {"grid_merge_from_day_180"}
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        en = build_report(sweep_out, out=tmp_path / "en")
    page = (en / "index.html").read_text(encoding="utf-8")
    assert "Cost and what it buys" in page and "Before and after a timed policy" in page
    zh = _cost_html(res, cost_table(res), "zh")
    assert "不适用" in zh or "（" in zh
    assert i18n.metric_label("trust_mean", "zh") in zh
    ba = pd.read_csv(en / "tables" / "before_after.csv").set_index("metric")
    assert set(ba["scenario"]) == {"grid_merge_from_day_180"}
    assert ba.loc["cost_yuan_per_year", "before_days"] == "60-179"
    # the merge pulls cadres out of the office: office requests wait more after day 180
    # than before, and more than the baseline's change over the same windows [000, 001]
    wait = ba.loc["office_wait_share_90d"]
    assert wait["after"] > wait["before"] and wait["did_low"] > 0
    # cost rises by the allowance on the day the merge starts, the baseline's does not
    assert ba.loc["cost_yuan_per_year", "did"] > 0
    assert ba.loc["cost_yuan_per_year", "did_low"] == pytest.approx(
        ba.loc["cost_yuan_per_year", "did"])
    costs = pd.read_csv(en / "tables" / "cost_effectiveness_vs_baseline.csv")
    assert len(costs) == 2


def test_report_without_costs_says_how_to_get_them(tmp_path: Path) -> None:
    from commgov.experiments import engine
    from commgov.experiments.sweep import load_sweep

    body = SWEEP.replace("days = 300", "days = 20").replace(
        SWEEP[SWEEP.index("metrics"):SWEEP.index("[set]")], 'metrics = ["trust_mean"]\n')
    (tmp_path / "c.toml").write_text(body, encoding="utf-8")
    _, results = engine.engine_for(workers=1, scheduler=None, dask_local=False)
    engine.execute(load_sweep(tmp_path / "c.toml"), tmp_path / "o", results, resume=False,
                   engine="test", progress=False)
    assert cost_table(SweepResults(tmp_path / "o")) is None
    page = (build_report(tmp_path / "o") / "index.html").read_text(encoding="utf-8")
    assert "did not record cost_yuan_per_year" in page


# ------------------------------------------------------------------ the app
def test_charts_draw_the_policy_start() -> None:
    from commgov.viz.charts import LiveCharts, compare_figure

    marks = timemarks.scenario_marks("grid_merge_from_day_180")
    live = LiveCharts("en", marks=marks)
    for ax in live.axes.flat:
        assert any(list(ln.get_xdata()) == [180, 180] for ln in ax.lines)
    live.update({"issues_open": np.zeros(5)})         # draws with the mark in the background
    run = {m: np.linspace(0, 1, 200) for m in ("trust_mean", "issues_open")}
    fig = compare_figure([run], [run], ["trust_mean", "issues_open"], "A", "B", "zh",
                         marks_b=marks)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t == "B: 政策开始：第 180 天" for t in texts)
    assert not fig.axes[1].texts                       # labelled once, in the first panel
    plain = compare_figure([run], [run], ["trust_mean"], "A", "B", "en")
    assert not any(list(ln.get_xdata()) == [180, 180] for ln in plain.axes[0].lines)


def test_comparison_prices_b_against_a_with_the_same_rule() -> None:
    from commgov.viz.compare import KEEP, cost_rows, paired_rows
    from commgov.viz.components import cost_rows_html

    def run(cost: float, trust: float, resolved: float) -> dict[str, np.ndarray]:
        r = {k: np.full(10, 1.0) for k in KEEP}
        r |= {"cost_yuan_per_year": np.full(10, cost), "trust_mean": np.full(10, trust),
              "issues_resolved_total": np.full(10, resolved),
              "participation_rate": np.full(10, 0.2), "households_occupied": np.full(10, 500)}
        return r

    a = [run(7e5, 0.50, 100), run(7e5, 0.52, 110), run(7e5, 0.49, 105)]
    b = [run(8e5, 0.55, 101), run(8e5, 0.56, 109), run(8e5, 0.545, 106)]
    rows = {r.outcome: r for r in cost_rows(a, b, days=365)}
    assert rows["trust"].status == "ok"
    assert rows["trust"].ratio == pytest.approx(1e5 / (100 * np.mean([0.05, 0.04, 0.055])))
    assert rows["resolved"].status == "nodiff"
    assert rows["participant"].status == "nodiff"        # no difference at all

    class Res:
        costs = tuple(rows.values())

    for lang in i18n.LANGS:
        page = cost_rows_html(Res(), lang)
        assert i18n.metric_label("trust_mean", lang) in page
        assert costeff.pick(costeff.STATUS["nodiff"], lang) in page
        assert costeff.pick(OUT.unit, lang) in page
    assert any(r.metric == "cost_yuan_per_year" for r in paired_rows(a, b))
