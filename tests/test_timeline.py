"""Timed policies (issue 11, item 1): a scenario's [[timeline]] changes levers on given days;
until then the run is the base run, draw for draw."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from commgov.experiments.cli import main
from commgov.model.community import CommunityModel
from commgov.scenarios.loader import ScenarioError, live_keys, load_scenario

TINY = {"graph__households_per_community": 300, "graph__grids_per_community": 1,
        "graph__compounds_per_community": 2}


def _frames(scenario: str, days: int, **kw) -> tuple[CommunityModel, pd.DataFrame]:
    m = CommunityModel(scenario=scenario, rng=2, **{**TINY, **kw})
    m.run_for(days)
    return m, m.datacollector.get_model_vars_dataframe()


def test_a_reform_from_day_180_is_the_base_run_until_then():
    base, a = _frames("baseline", 200)
    timed, b = _frames("integrated_platform_from_day_180", 200)
    pd.testing.assert_frame_equal(a.iloc[:181], b.iloc[:181])     # rows: day 0 .. 180
    assert not a.iloc[181:].equals(b.iloc[181:]), "the reform changes the run"
    assert not base.params.platform.integrated and timed.params.platform.integrated
    assert "platform" in [x.name for x in timed.mechanisms]
    assert timed.hotline.dispatch_days == 0


def _write(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "timed.toml"
    f.write_text('name = "timed"\n' + body, encoding="utf-8")
    return f


def test_timeline_mistakes_are_named_before_anything_runs(tmp_path):
    f = _write(tmp_path, """
[[timeline]]
day = 100
set = { party.branch_coverage = 1.0, platform.integrated = 3 }
[[timeline]]
day = 50
set = { nope.x = 1 }
""")
    with pytest.raises(ScenarioError) as e:
        load_scenario(f)
    msg = str(e.value)
    assert "[[timeline]] 1 (day 100): party.branch_coverage is built into the model" in msg
    assert "platform.integrated = 3" in msg
    assert "days must increase" in msg and "unknown parameter 'nope.x'" in msg
    allowed = msg.split("can set:")[1]
    assert "platform.integrated" in allowed and "grid.merged" in allowed
    with pytest.raises(ScenarioError, match="greater than or equal to 1"):
        load_scenario(_write(tmp_path, "[[timeline]]\nday = 0\n"
                                       "set = { loop.closed_loop = true }\n"))
    with pytest.raises(ScenarioError, match="workers.admin_hours"):   # cross-field rule
        load_scenario(_write(tmp_path, "[[timeline]]\nday = 5\n"
                                       "set = { workers.admin_hours = 9.0 }\n"))
    assert main(["simulate", str(f), "--days", "3"]) == 2


def test_live_keys_are_the_apps_live_levers():
    from commgov.viz.levers import LEVERS

    assert live_keys() == sorted(lv.key for lv in LEVERS if lv.live)


def test_a_change_by_hand_wins_over_later_steps(tmp_path):
    f = _write(tmp_path, "[[timeline]]\nday = 5\nset = { property.red_property = true }\n"
                         "[[timeline]]\nday = 8\nset = { property.red_property = false }\n")
    m = CommunityModel(scenario=load_scenario(f), rng=0, collect=False, **TINY)
    m.run_for(6)
    assert m.params.property.red_property and m.households.fee_bonus > 0
    m.params.property.red_property = True            # the app sets it by hand on day 6
    m.retune(by_hand=["property.red_property"])
    m.run_for(4)
    assert m.params.property.red_property, "the step on day 8 no longer changes it"


def test_the_schedule_shows_the_timed_changes(capsys):
    assert main(["schedule", "integrated_platform_from_day_180"]) == 0
    out = capsys.readouterr().out
    assert "timed changes" in out and "on days 180" in out
    assert re_first_task(out) == "timed changes"


def re_first_task(out: str) -> str:
    lines = out.splitlines()
    return lines[lines.index("1. calendar") + 1].strip().split("  ")[0]


def test_a_merge_from_day_180_restaffs_as_if_built_merged_and_can_end():
    kw = {"graph__households_per_community": 1200, "graph__grids_per_community": 2,
          "graph__compounds_per_community": 4}
    _, a = _frames("baseline", 190, **kw)
    timed, b = _frames("grid_merge_from_day_180", 190, **kw)
    pd.testing.assert_frame_equal(a.iloc[:181], b.iloc[:181])
    built = CommunityModel(scenario="grid_merge", rng=2, collect=False, **kw)
    assert sorted(w.hours for w in timed.workers) == sorted(w.hours for w in built.workers)
    assert (timed.households.worker == built.households.worker).all()
    assert [o.office_hours for o in timed.offices] == [o.office_hours for o in built.offices]
    assert 0.9 < timed.offices[0].unlearnt < 1.0, "learning started on day 180"
    assert b["formalism_share"].iloc[170] == 0 and b["formalism_share"].iloc[185] > 0
    # ... and the pilot ends: cadres back in the office, flats back to the grid workers.
    base = CommunityModel(scenario="baseline", rng=2, collect=False, **kw)
    timed.params.grid.merged = False
    timed.retune()
    timed.run_for(3)
    assert all(w.hours == 0 and not len(w.households) and not w.queue.issues()
               for w in timed.workers if w.cadre)
    assert (timed.households.worker == base.households.worker).all()
    assert timed.offices[0].unlearnt == 0.0
