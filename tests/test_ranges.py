"""Meaningful ranges: nonsense values are refused with file, key, value and what is allowed;
runs that would not fit in memory are refused up front; the app checks every request on the
server (issue 12, items 2 and 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from commgov.experiments import runner
from commgov.experiments.errors import SizeError
from commgov.scenarios.loader import SCENARIO_DIR, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("toml, says", [
    ("[property.initial_quality]\nold = -0.5\n", ["initial_quality.old = -0.5", "0 to 1"]),
    ("[party.owners_committee_share]\ncommercial = -0.2\n",
     ["owners_committee_share.commercial", "0 to 1"]),
    ("[issues.kind_multiplier]\nlocal = -50.0\n", ["kind_multiplier.local = -50", "0 to 50"]),
    ("[issues.deadline_days]\nsmall = 1.5\n", ["deadline_days.small = 1.5", "whole days"]),
    ("[issues]\nheating_start_day = 100\nheating_end_day = 100\n",
     ["heating_start_day", "100", "different end day"]),
    ("[property]\nquality_floor = 0.9\nquality_ceiling = 0.5\n",
     ["quality_floor = 0.9", "floor <= ceiling"]),
    ("[staff]\ngrid_post_share = 0.0\n", ["grid_post_share = 0", "above 0"]),
    ("[workers]\nadmin_hours = 12.0\n", ["workers.admin_hours = 12", "hours_per_day = 8"]),
    ("[workers.hours_per_case]\nsmall = 0.0\n", ["hours_per_case.small = 0", "above 0"]),
    ("[trust]\ndiffusion = nan\n", ["trust.diffusion", "nan"]),
    ("[issues.difficulty_shares]\nsmall = 1.5\nbig = -0.5\nhard = 0.0\n",
     ["difficulty_shares"]),
    ('[graph]\nfile = "a\\u0000b.graphml"\n', ["graph", "NUL byte"]),
    ("a = " + "[" * 200 + "]" * 200 + "\n", ["nested"]),
])
def test_nonsense_is_refused_with_file_key_value_and_allowed(tmp_path, toml, says):
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    msg = str(e.value)
    assert "bad.toml" in msg, msg
    for s in says:
        assert s in msg, msg


def test_every_shipped_scenario_is_still_valid():
    for p in SCENARIO_DIR.glob("*.toml"):
        load_scenario(p.stem)


def test_overrides_are_checked_the_same_way():
    with pytest.raises(ScenarioError, match="--set"):
        load_scenario("baseline", {"issues.deadline_days.hard": 2.5})
    with pytest.raises(ScenarioError, match="nested"):
        load_scenario("baseline", {"graph.file": [[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]})


def test_a_model_that_would_not_fit_is_refused_with_the_estimate(monkeypatch):
    monkeypatch.setattr(runner, "available_memory", lambda: 4 * 2**30)
    huge = load_scenario("baseline", {"graph.communities": 200,
                                      "graph.households_per_community": 50_000})
    with pytest.raises(SizeError) as e:
        runner.check_size(huge, 365)
    msg = str(e.value)
    assert "10,000,000 households" in msg and "GiB" in msg and "Allowed here" in msg
    runner.check_size(load_scenario("baseline"), 365)       # the default fits


@pytest.mark.parametrize("args, says", [
    (["simulate", "baseline", "--days", "100000000"], "1 to 36,500"),
    (["simulate", "baseline", "--set", "graph.communities=200", "--set",
      "graph.households_per_community=50000"], "households"),
    (["simulate", "no\x00pe"], "Unknown scenario"),
    (["simulate", "x" * 5000 + ".toml"], "does not exist"),
    (["simulate", "baseline", "--set", "graph.file=" + "y" * 5000], "graph"),
])
def test_cli_refuses_sizes_and_odd_inputs_without_a_traceback(tmp_path, args, says):
    if "graph.households_per_community=50000" in args and runner.memory_estimate(
            10_000_000, 365) <= runner.MEMORY_SHARE * (runner.available_memory() or 0):
        pytest.skip("this machine could hold 10 million households")
    try:
        res = subprocess.run([sys.executable, str(ROOT / "run.py"), *args], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    except ValueError:               # the NUL byte cannot even reach a child's argv
        pytest.skip("argv cannot carry a NUL byte")
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and says in res.stderr, res.stderr


# ---------------------------------------------------------------- the app
def test_app_reads_scenarios_by_name_only():
    from commgov.viz import limits
    from commgov.viz.levers import scenario_values

    with pytest.raises(limits.AppLimitError, match="not one of the app's scenarios"):
        scenario_values("/etc/passwd")
    with pytest.raises(limits.AppLimitError):
        limits.check_settings("../scenarios/baseline", {})
    limits.check_settings("grid_merge", {})


@pytest.mark.parametrize("overrides, says", [
    ({"graph.households_per_community": 50_000}, "outside the app's range"),
    ({"graph.file": "/etc/passwd"}, "not a setting of the app"),
    ({"grid.merged": "yes"}, "true or false"),
    ({"staff.per_10k_residents": float("nan")}, "outside"),
])
def test_app_refuses_values_the_page_cannot_send(overrides, says):
    from commgov.viz import limits
    from commgov.viz.session import Settings

    with pytest.raises(limits.AppLimitError, match=says):
        Settings("baseline", tuple(overrides.items())).build()


def test_app_caps_comparisons_and_steps():
    from commgov.viz import limits
    from commgov.viz.compare import compare
    from commgov.viz.lessons import LESSONS, Setup

    with pytest.raises(limits.AppLimitError, match="1 to 1,095"):
        compare(Setup("baseline"), Setup("grid_merge"), days=10_000_000)
    with pytest.raises(limits.AppLimitError, match="seeds"):
        compare(Setup("baseline"), Setup("grid_merge"), days=30, seeds=range(50))
    with pytest.raises(limits.AppLimitError):
        limits.step_days(10**9)
    for lesson in LESSONS:                 # everything the page itself sends is accepted
        for setup in (lesson.explore, lesson.a, lesson.b):
            limits.check_settings(setup.scenario, setup.overrides)


def test_heavy_work_is_limited(monkeypatch):
    from commgov.viz import limits

    held = []
    for _ in range(limits.MAX_HEAVY):
        cm = limits.heavy()
        cm.__enter__()
        held.append(cm)
    try:
        with pytest.raises(limits.AppLimitError, match="busy"), limits.heavy(wait=0.1):
            pass
    finally:
        for cm in held:
            cm.__exit__(None, None, None)
    with limits.heavy(wait=0.1):
        pass


def test_start_up_says_what_0000_exposes():
    from commgov.viz.limits import exposure_notice

    assert "only this computer" in exposure_notice("127.0.0.1", 8765)
    wide = exposure_notice("0.0.0.0", 8765)
    assert "anyone who can reach this computer" in wide and "without a password" in wide
