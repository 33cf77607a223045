"""The one kernel that runs many models (issue 10): every caller gets the same numbers on
every engine, and each result comes back with the index of its item."""

from __future__ import annotations

from commgov.experiments import calibrate, engine
from commgov.experiments.validate import _job
from commgov.scenarios.loader import load_scenario

SMALL = {"graph.households_per_community": 400, "graph.compounds_per_community": 2,
         "graph.grids_per_community": 1}


def test_run_map_returns_every_index_once_on_each_engine() -> None:
    s = load_scenario("baseline", SMALL)
    jobs = [(s, seed, 20) for seed in range(3)]
    one = dict(engine.run_map(_job, jobs, workers=1))
    two = dict(engine.run_map(_job, jobs, workers=2))
    assert sorted(one) == sorted(two) == [0, 1, 2]
    assert one == two
    assert one[0] != one[1]            # different seeds, different runs: the index matters


def test_calibration_points_do_not_depend_on_workers() -> None:
    pts = [calibrate.current_defaults()]
    a = calibrate.evaluate_points(pts, [0], 30, workers=1)
    b = calibrate.evaluate_points(pts, [0], 30, workers=2)
    assert a.equals(b)
