"""Grid workers' visits, made in one pass, follow the per-worker rule exactly [003]."""

from __future__ import annotations

import numpy as np

from commgov.agents.grid_worker import visit_households
from commgov.model.community import CommunityModel

SMALL = {"graph__households_per_community": 500, "graph__compounds_per_community": 4,
         "graph__grids_per_community": 2, "graph__communities": 2}


def _one_by_one(m: CommunityModel) -> tuple[np.ndarray, np.ndarray]:
    """The rule written per worker: each of a worker's occupied households is visited when
    today's draw x its household count is below spare hours x visits per hour."""
    hh = m.households
    rel, trust = hh.relationship.copy(), hh.trust.copy()
    p = m.params
    for w in m.workers:
        mine = w.households
        expected = w.visit_hours * p.workers.visits_per_hour
        if expected <= 0 or not len(mine):
            continue
        idx = mine[m.visit_draws()[mine] * len(mine) < expected]
        idx = idx[hh.occupied[idx]]
        rel[idx] = np.minimum(1.0, rel[idx] + p.workers.relationship_gain)
        trust[idx] = np.minimum(1.0, trust[idx] + p.trust.visit)
    return rel, trust


def test_one_pass_equals_the_per_worker_rule():
    m = CommunityModel(scenario="baseline", rng=4, collect=False, **SMALL)
    m.run_for(20)
    hh = m.households
    for w, hours in zip(m.workers, np.linspace(0.0, 6.0, len(m.workers)), strict=True):
        w.visit_hours = float(hours)          # some with no spare time at all
    want_rel, want_trust = _one_by_one(m)
    before = hh.relationship.copy()
    visit_households(m, m.workers)
    assert np.array_equal(hh.relationship, want_rel)
    assert np.array_equal(hh.trust, want_trust)
    visited = hh.relationship != before
    assert visited.any() and hh.occupied[visited].all()
    idle = m.workers[0].households              # the worker with 0 spare hours
    assert not visited[idle].any()
