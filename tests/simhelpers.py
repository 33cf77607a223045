"""Shared helpers: seeded runs of the default community, cached per session.

Mechanism tests compare two settings on the same seeds (common random numbers) and on the
mean of several seeds, with tolerances; the default community of ~3,000 households runs a
year in about 0.2 s, so these stay fast.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from commgov.model.community import CommunityModel

SEEDS = (0, 1, 2, 3)


@cache
def _run(scenario: str, days: int, seed: int, overrides: tuple) -> pd.DataFrame:
    model = CommunityModel(scenario=scenario, rng=seed, **dict(overrides))
    model.run_for(days)
    return model.datacollector.get_model_vars_dataframe()


def final_mean(scenario: str = "baseline", metric: str = "trust_mean", days: int = 365,
               seeds=SEEDS, **overrides) -> float:
    """Mean over seeds of a metric's value on the last day."""
    key = tuple(sorted(overrides.items()))
    return float(np.mean([_run(scenario, days, s, key)[metric].iloc[-1] for s in seeds]))


def series(scenario: str = "baseline", days: int = 365, seed: int = 0,
           **overrides) -> pd.DataFrame:
    return _run(scenario, days, seed, tuple(sorted(overrides.items())))


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (read from /proc: the fault tests' workers)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out
