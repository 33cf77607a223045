"""The model as a Mesa model: construction, reproducibility, agents as views, batch_run."""

from __future__ import annotations

import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest

from commgov.agents import GridWorker, PartyBranch, PropertyFirm, Resident
from commgov.model.community import CommunityModel
from commgov.model.metrics import CORE_METRICS, METRIC_MEANINGS
from commgov.scenarios.loader import ScenarioError, list_scenarios

SMALL = {"graph__households_per_community": 600, "graph__compounds_per_community": 3,
         "graph__grids_per_community": 1}


def metrics(seed: int, days: int = 60, scenario: str = "baseline", **kw) -> pd.DataFrame:
    m = CommunityModel(scenario=scenario, rng=seed, **kw)
    m.run_for(days)
    return m.datacollector.get_model_vars_dataframe()


def test_every_core_metric_is_collected_daily_and_documented():
    df = metrics(0, days=10)
    assert len(df) == 11                      # day 0 plus ten steps
    for col in CORE_METRICS:
        assert col in df.columns
        assert METRIC_MEANINGS[col]
    assert df["day"].tolist() == list(range(11))
    shares = [c for c in CORE_METRICS if c.endswith(("share", "rate", "mean"))]
    assert ((df[shares] >= 0) & (df[shares] <= 1)).all().all()


def test_same_seed_same_output_different_seed_different():
    a, b, c = metrics(7), metrics(7), metrics(8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_same_seed_same_output_in_another_process():
    code = ("from commgov.model.community import CommunityModel as M;"
            "m=M(scenario='baseline', rng=7); m.run_for(60);"
            "print(m.datacollector.get_model_vars_dataframe().to_csv(), end='')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out == metrics(7).to_csv()


@pytest.mark.parametrize("name", [n for n, _ in list_scenarios()])
def test_every_scenario_runs(name):
    m = CommunityModel(scenario=name, rng=1)
    m.run_for(5)
    df = m.datacollector.get_model_vars_dataframe()
    assert df["issues_reported_total"].iloc[-1] > 0


def test_residents_are_views_onto_the_arrays():
    m = CommunityModel(scenario="baseline", rng=0, **SMALL)
    residents = m.agents_by_type[Resident]
    assert len(residents) == m.households.n
    r = residents.select(lambda a: a.idx == 5).to_list()[0]
    r.trust = 0.123
    assert m.households.trust[5] == pytest.approx(0.123)
    m.households.trust[5] = 0.9
    assert r.trust == pytest.approx(0.9)
    assert r.cell.coordinate == 5
    assert isinstance(r.kind, str) and r.kind in ("local", "resettled", "new_resident",
                                                   "retiree")
    # Mesa tools still work on the views.
    mean = residents.select(lambda a: a.occupied).agg("trust", np.mean)
    assert mean == pytest.approx(m.households.trust[m.households.occupied].mean())
    dc = mesa.DataCollector(agenttype_reporters={Resident: {"trust": "trust"}})
    dc.collect(m)
    assert len(dc.get_agenttype_vars_dataframe(Resident)) == m.households.n
    assert len(m.agents_by_type[GridWorker]) == len(m.workers)
    assert len(m.agents_by_type[PropertyFirm]) == m.neighbourhood.n_compounds
    assert len(m.agents_by_type[PartyBranch]) == m.neighbourhood.n_compounds


def test_graph_is_the_mesa_space():
    m = CommunityModel(scenario="baseline", rng=0, **SMALL)
    cell = m.space._cells[0]
    nbrs = {c.coordinate for c in cell.neighborhood}
    assert nbrs == set(m.neighbourhood.graph.neighbors(0))


def test_bad_keyword_override_is_refused_before_anything_runs():
    with pytest.raises(ScenarioError) as e:
        CommunityModel(scenario="baseline", rng=0, staff__per_10k_residents=-3)
    assert "staff.per_10k_residents" in str(e.value) and "-3" in str(e.value)
    with pytest.raises(ScenarioError) as e:
        CommunityModel(scenario="baseline", rng=0, staf__per_10k_residents=3)
    assert "staf" in str(e.value)


def test_batch_run_works_on_the_model_class_unchanged():
    results = mesa.batch_run(
        CommunityModel,
        parameters={"scenario": ["baseline", "grid_merge"], **SMALL},
        number_processes=1, max_steps=15, data_collection_period=-1,
        display_progress=False, rng=[1, 2])
    df = pd.DataFrame(results)
    assert len(df) == 4
    assert set(df["scenario"]) == {"baseline", "grid_merge"}
    assert (df["issues_reported_total"] > 0).all()
    assert {"resolved_share", "households_per_worker"} <= set(df.columns)
    merged = df[df.scenario == "grid_merge"]["households_per_worker"].mean()
    assert merged < df[df.scenario == "baseline"]["households_per_worker"].mean()


def test_batch_run_in_parallel_processes_matches_serial():
    """batch_run uses the spawn start method: the model must import cleanly elsewhere."""
    kw = {"parameters": {"scenario": "baseline", **SMALL}, "max_steps": 10,
          "data_collection_period": -1, "display_progress": False, "rng": [3, 4]}
    serial = pd.DataFrame(mesa.batch_run(CommunityModel, number_processes=1, **kw))
    parallel = pd.DataFrame(mesa.batch_run(CommunityModel, number_processes=2, **kw))
    cols = ["rng", "issues_reported_total", "trust_mean", "fee_collection_rate"]
    pd.testing.assert_frame_equal(serial[cols].sort_values("rng").reset_index(drop=True),
                                  parallel[cols].sort_values("rng").reset_index(drop=True))
