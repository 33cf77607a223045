"""The one kernel that runs many models (issue 10): every caller gets the same numbers on
every engine, and each result comes back with the index of its item."""

from __future__ import annotations

import os
from pathlib import Path

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


def _die_once(item: tuple[str, int]) -> int:
    """Kill this worker the first time any item runs (a marker file says it happened)."""
    marker, x = item
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return x * x


def test_a_shared_pool_stays_warm_and_recovers_from_a_dead_worker(tmp_path) -> None:
    s = load_scenario("baseline", SMALL)
    jobs = [(s, seed, 20) for seed in range(3)]
    pool = engine.SharedPool(2)
    try:
        assert dict(engine.run_map(_job, jobs, pool=pool)) == dict(engine.run_map(_job, jobs))
        warm = pool.executor()
        marker = str(tmp_path / "died")
        got = dict(engine.run_map(_die_once, [(marker, x) for x in range(4)], pool=pool))
        assert got == {i: i * i for i in range(4)}     # every item once, after a restart
        assert os.path.exists(marker) and pool.executor() is not warm
    finally:
        pool.close()


def test_run_map_stops_when_cancelled() -> None:
    s = load_scenario("baseline", SMALL)
    jobs = [(s, seed, 20) for seed in range(3)]
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1
    assert [i for i, _ in engine.run_map(_job, jobs, cancelled=cancelled)] == [0]
    pool = engine.SharedPool(2)
    try:
        assert list(engine.run_map(_job, jobs, pool=pool, cancelled=lambda: True)) == []
    finally:
        pool.close()
    assert engine.shared_pool(3) is engine.shared_pool(3) is not engine.shared_pool(2)


def test_only_the_engine_starts_process_pools() -> None:
    """One kernel (issue 10): every pool of model runs is the engine's, so restarts, parent
    watching and cancellation live in one place."""
    root = Path(engine.__file__).resolve().parents[1]
    makers = [str(p.relative_to(root)) for d in ("experiments", "viz", "model", "agents",
                                                 "scenarios")
              for p in sorted((root / d).rglob("*.py"))
              if "ProcessPoolExecutor(" in p.read_text(encoding="utf-8")]
    assert makers == ["experiments/engine.py"]
