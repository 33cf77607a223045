"""``python run.py optimise``: fronts within the budget and non-dominated, the same front for
the same seed on every engine, levers read from the parameters' records, inputs named."""

from __future__ import annotations

import dataclasses
import json
import random

import numpy as np
import pandas as pd
import pytest

from commgov.experiments import cli
from commgov.experiments import optimise as opt
from commgov.scenarios.loader import flat_parameters

pytest.importorskip("platypus")

LEVERS = ("staff.per_10k_residents,grid.merged,grid.added_staff,loop.closed_loop,"
          "platform.integrated")
TINY = dict(budgets=[60_000.0, 200_000.0], evaluations=8, population=4, reps=2, days=60,
            households=600)


def tiny_setup(seed: int = 0) -> opt.Setup:
    return opt.Setup(levers=opt.select_levers(LEVERS), seed=seed, **TINY)


def run(setup: opt.Setup, **engine) -> opt.Result:
    with opt.EngineSession(**{"workers": 1, **engine}) as session:
        return opt.search(setup, session)


@pytest.fixture(scope="module")
def tiny() -> opt.Result:
    return run(tiny_setup())


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """a dominates b: cost no higher, every outcome no lower, and better somewhere."""
    sa, sb = opt.minimised(a[None])[0], opt.minimised(b[None])[0]
    return bool(np.all(sa <= sb) and np.any(sa < sb))


COLS = [opt.EXTRA_COST, *opt.OBJECTIVES]


# ---------------------------------------------------------------- the front
def test_front_respects_the_budget_and_no_evaluated_point_beats_it(tiny):
    ev = tiny.evaluated[COLS].to_numpy(float)
    assert len(ev) >= 6                                     # the search evaluated candidates
    for b in tiny.setup.budgets:
        front = tiny.front[tiny.front["budget_yuan"] == b]
        assert len(front), f"no mix within {b}"
        assert (front[opt.EXTRA_COST] <= b).all()
        pts = front[COLS].to_numpy(float)
        for p in pts:                                        # nothing evaluated beats it
            assert not any(dominates(q, p) for q in ev if q[0] <= b)
        # every other evaluated point within the budget is beaten by a front point
        on = set(front["candidate"])
        for cand, q in zip(tiny.evaluated["candidate"], ev, strict=True):
            if q[0] <= b and cand not in on:
                assert any(dominates(p, q) for p in pts), cand


def test_smaller_budget_front_is_the_larger_front_cut_at_the_budget(tiny):
    small, large = tiny.setup.budgets
    f_small = set(tiny.front.loc[tiny.front["budget_yuan"] == small, "candidate"])
    f_large = tiny.front[tiny.front["budget_yuan"] == large]
    assert f_small == set(f_large.loc[f_large[opt.EXTRA_COST] <= small, "candidate"])


def test_baseline_is_the_zero_of_cost_and_differences_are_paired(tiny):
    """A candidate equal to the baseline costs 0 extra and differs by exactly 0."""
    setup = tiny_setup()
    setup.levers = opt.select_levers("loop.closed_loop")
    setup.budgets = [1.0]
    with opt.EngineSession(workers=1) as s:
        e = opt.search(setup, s).evaluated
    base = e[~e["loop.closed_loop"]]
    assert len(base) == 1
    assert base[opt.EXTRA_COST].iloc[0] == 0.0
    assert base["on_time_share_diff"].iloc[0] == 0.0
    on = e[e["loop.closed_loop"]]
    assert (on[opt.EXTRA_COST] == 0.0).all()      # the closed loop has no price in [costs]


def test_nondominated_matches_brute_force():
    rng = np.random.default_rng(3)
    pts = rng.integers(0, 4, size=(60, 4)).astype(float)
    mask = opt.nondominated(pts)
    for i, p in enumerate(pts):
        beaten = any(np.all(q <= p) and np.any(q < p) for q in pts)
        assert mask[i] == (not beaten)


# ---------------------------------------------------------------- reproducible
def test_same_seed_same_front_and_global_random_untouched(tiny):
    random.seed(12345)
    state = random.getstate()
    again = run(tiny_setup())
    assert random.getstate() == state        # Platypus drew from its private generator
    pd.testing.assert_frame_equal(tiny.front, again.front)
    pd.testing.assert_frame_equal(tiny.evaluated, again.evaluated)


def test_in_process_two_workers_and_dask_give_the_same_front():
    pytest.importorskip("dask.distributed")
    setup = opt.Setup(levers=opt.select_levers("staff.per_10k_residents,loop.closed_loop,"
                                               "platform.integrated"),
                      budgets=[100_000.0], evaluations=4, population=4, reps=2, days=30,
                      households=600, seed=5)
    one = run(setup)
    assert len(one.evaluated) >= 3
    for engine in ({"workers": 2}, {"workers": 2, "dask_local": True}):
        other = run(setup, **engine)
        assert other.engine != one.engine
        pd.testing.assert_frame_equal(one.front, other.front)
        pd.testing.assert_frame_equal(one.evaluated, other.evaluated)


# ---------------------------------------------------------------- levers from the records
def test_levers_are_every_policy_control_and_a_new_switch_joins():
    params = flat_parameters()
    keys = [lv.key for lv in opt.all_levers(params)]
    expected = [k for k, p in params.items()
                if p.control is not None and p.control.group != "context"]
    assert keys == expected and "staff.per_10k_residents" in keys and "grid.merged" in keys
    assert "graph.households_per_community" not in keys
    # a mechanism added later: its switch gets a Control in a policy group, nothing else
    template = params["council.enabled"]
    fake = dataclasses.replace(template, key="mediation_room.enabled")
    lv = {x.key: x for x in opt.all_levers({**params, "mediation_room.enabled": fake})}
    assert lv["mediation_room.enabled"].levels == (False, True)
    staff = lv["staff.per_10k_residents"]
    assert staff.levels[0] == 10 and staff.levels[-1] == 50 and 18.0 in staff.levels
    assert lv["workers.training"].levels[:3] == (0.0, 0.05, 0.1)


def test_a_dependent_lever_is_canonical_while_its_switch_is_off(tiny):
    e = tiny.evaluated
    off = e[~e["grid.merged"]]
    assert (off["grid.added_staff"] == 0.0).all()


# ---------------------------------------------------------------- the command
def _main(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["optimise", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, named", [
    (["--levers", "grid.mergd"], "'grid.mergd' (did you mean 'grid.merged'?)"),
    (["--levers", "graph.households_per_community"], "not a policy"),
    (["--levers", "trust.diffusion"], "not a lever"),
    (["--levers", "grid.added_staff"], "add grid.merged"),
    (["--budget", "200000,lots"], "'lots' is not a budget"),
    (["--budget", "-5"], "'-5' is not a budget"),
])
def test_input_errors_name_the_value_and_run_nothing(capsys, tmp_path, argv, named):
    code, out, err = _main(capsys, *argv, "--out", str(tmp_path / "o"))
    assert code == 2 and named in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_command_writes_outputs_with_digests_and_refuses_to_overwrite(capsys, tmp_path):
    out = tmp_path / "opt"
    argv = ["--levers", "staff.per_10k_residents,loop.closed_loop", "--budget", "100000",
            "--evaluations", "4", "--population", "4", "--reps", "2", "--days", "30",
            "--households", "600", "--workers", "1", "--out", str(out), "-q"]
    code, stdout, err = _main(capsys, *argv)
    assert code == 0, err
    meta = json.loads((out / "run.json").read_text())
    for name, digest in meta["outputs_sha256"].items():
        assert opt._sha256(out / name) == digest
    assert meta["setup"]["seeds"] == [0, 1]
    assert meta["setup"]["budgets_yuan_per_community_year"] == [100000.0]
    html = (out / "index.html").read_text()
    assert "data:image/png;base64," in html and "Budget 100,000" in html
    front = pd.read_csv(out / "front.csv")
    assert (front[opt.EXTRA_COST] <= 100_000).all()
    code, _, err = _main(capsys, *argv)
    assert code == 2 and "--force" in err


# ---------------------------------------------------------------- the optimiser searches
class ToySession(opt.EngineSession):
    """A known problem instead of the model: each outcome peaks at its own point of five
    levers; cost rises with staff and training."""

    def run(self, tasks):
        for t in tasks:
            ov = t["overrides"]
            s = (ov.get("staff.per_10k_residents", 18.0) - 10) / 40
            tr = ov.get("workers.training", 0.0)
            cut = ov.get("workers.task_access_cut", 0.0) / 0.8
            to = ov.get("workers.turnover_per_year", 0.2) / 0.5
            act = ov.get("party.activation", 0.15)

            def bowl(*pairs):
                return -sum((x - a) ** 2 for x, a in pairs)

            yield {"run_id": t["run_id"], "ok": True, "final": {
                opt.COST_METRIC: 400_000 * s + 100_000 * tr,
                "on_time_share": bowl((s, .6), (cut, .3), (to, .2), (act, .7)),
                "participation_rate": bowl((s, .4), (cut, .7), (to, .5), (act, .2), (tr, .8)),
                "trust_mean": bowl((s, .5), (cut, .5), (to, .8), (act, .5), (tr, .3))}}


def hypervolume(front: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: int = 20_000) -> float:
    """Share of the box [lo, hi] (minimised objectives) that the front dominates (Monte Carlo,
    fixed points)."""
    pts = np.random.default_rng(0).uniform(lo, hi, size=(n, len(lo)))
    hit = np.zeros(n, dtype=bool)
    for p in opt.minimised(front):
        hit |= np.all(pts >= p, axis=1)
    return float(hit.mean())


def test_nsga2_beats_random_search_of_the_same_size_on_a_known_problem():
    """Same number of distinct candidates (= model runs): NSGA-II's front covers more of the
    objective space than random search's. (At ~120 evaluations the two are about even: the
    search needs generations to pay off; see the README.)"""
    levers = opt.select_levers("staff.per_10k_residents,workers.training,workers.task_access_cut,"
                               "workers.turnover_per_year,party.activation")
    budget = 250_000.0
    ga_hv, rnd_hv = [], []
    for seed in range(4):
        setup = opt.Setup(levers=levers, budgets=[budget], evaluations=200, population=20,
                          reps=1, days=1, households=600, seed=seed)
        res = opt.search(setup, ToySession(workers=1))
        ga = res.front[COLS].to_numpy(float)
        rng = random.Random(1000 + seed)
        ev = opt.Evaluator(setup, ToySession(workers=1), {lv.key: None for lv in levers}, 1)
        batch: dict[str, dict] = {}
        while len(batch) < len(res.evaluated):
            ov = ev.overrides([rng.randrange(len(lv.levels)) for lv in levers])
            batch[opt.candidate_key(ov)] = ov
        ev.evaluate_batch(list(batch.values()))
        vals = opt.evaluated_table(ev, setup)[COLS].to_numpy(float)
        rnd = vals[opt.front_mask(vals, budget)]
        both = opt.minimised(np.vstack([ga, rnd]))
        lo, hi = both.min(axis=0), both.max(axis=0)
        ga_hv.append(hypervolume(ga, lo, hi))
        rnd_hv.append(hypervolume(rnd, lo, hi))
    assert np.mean(ga_hv) > np.mean(rnd_hv) + 0.02, (ga_hv, rnd_hv)
