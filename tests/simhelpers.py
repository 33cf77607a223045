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
from scipy import stats

from commgov.model.community import CommunityModel
from commgov.model.metrics import model_reporters

SEEDS = (0, 1, 2, 3)
REPORTERS = model_reporters()


def sized(households: int) -> dict:
    """Overrides for a community of ``households`` with the default grid and compound sizes."""
    return {"graph__households_per_community": households,
            "graph__grids_per_community": max(1, round(households / 600)),
            "graph__compounds_per_community": max(2, round(households / 300))}


def end_values(scenario: str, days: int, seeds, metrics, **overrides) -> np.ndarray:
    """[seed, metric] values on the last day (no DataCollector: fast)."""
    out = []
    for seed in seeds:
        m = CommunityModel(scenario=scenario, rng=seed, collect=False, **overrides)
        for _ in range(days):
            m.step()
        out.append([REPORTERS[k](m) for k in metrics])
    return np.array(out, dtype=float)


def paired(metrics: tuple[str, ...], on: dict, days: int = 365, seeds=SEEDS,
           scenario: str = "baseline", **kw) -> tuple[np.ndarray, np.ndarray]:
    """Mean paired difference (with ``on`` − without) per metric over ``seeds`` (the same
    seed on both sides) and the half-width of its 95% t interval."""
    d = (end_values(scenario, days, seeds, metrics, **kw, **on)
         - end_values(scenario, days, seeds, metrics, **kw))
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(axis=0, ddof=1) / np.sqrt(len(d))
    return d.mean(axis=0), half


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


class Tally:
    """Outcome counts of a fuzz or fault test module (issue 12): each input or fault is
    counted once under ``<kind>: <unit>`` and once under ``<kind>: <outcome>``; ``report``
    prints the counts and writes them to the file named by ``env`` when that is set."""

    def __init__(self, title: str, unit: str, env: str) -> None:
        from collections import Counter
        self.title, self.unit, self.env = title, unit, env
        self.counts: Counter[str] = Counter()

    def __call__(self, kind: str, outcome: str) -> None:
        self.counts[f"{kind}: {self.unit}"] += 1
        self.counts[f"{kind}: {outcome}"] += 1

    def __getitem__(self, key: str) -> int:
        return self.counts[key]

    def __setitem__(self, key: str, value: int) -> None:
        self.counts[key] = value

    def report(self) -> None:
        import json
        import os
        import sys
        text = json.dumps(dict(sorted(self.counts.items())), indent=1)
        print(f"\n{self.title}: {text}", file=sys.stderr)
        if os.environ.get(self.env):
            Path(os.environ[self.env]).write_text(text + "\n", encoding="utf-8")


def compare_operands(node) -> list:
    """Operands of an ``ast.Compare``, with the elements of any tuple, list or set among them
    (``x in ("a", "b")``): what the record tests' second-table scanners check for a key."""
    import ast
    sides = [node.left, *node.comparators]
    return sides + [e for s in sides if isinstance(s, ast.Tuple | ast.List | ast.Set)
                    for e in s.elts]
