"""The lessons on the new seed systems (issue 11, item 4) show what their 'notice' says: the
change of the lesson's first watched metric has the stated direction on paired seeds, with
a 95% interval that excludes 0, in a community smaller than the app's default."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from commgov.model.community import CommunityModel
from commgov.scenarios.loader import load_scenario
from commgov.viz.lessons import LESSON_BY_ID, Setup
from commgov.viz.levers import model_kwargs

SIZE = {"graph.households_per_community": 1500}


@functools.cache
def _last_day(lesson: str, side: str, seed: int) -> pd.Series:
    setup: Setup = getattr(LESSON_BY_ID[lesson], side)
    loaded = load_scenario(setup.scenario, model_kwargs({**setup.overrides, **SIZE}))
    m = CommunityModel(scenario=loaded, rng=seed, collect=True)
    m.run_for(365)
    return m.datacollector.get_model_vars_dataframe().iloc[-1]


@pytest.mark.parametrize("lesson,metric,sign", [
    ("secretary_day", "silent_left_share", -1),
    ("secretary_day", "escalated_share", -1),
    ("mediation_room", "neighbour_repeat_share", -1),
    ("mediation_room", "escalated_share", -1),
    ("social_organisations", "participation_rate_non_retired", +1),
])
def test_a_seed_system_lesson_shows_its_notice(lesson: str, metric: str, sign: int) -> None:
    ls = LESSON_BY_ID[lesson]
    assert metric in ls.watch
    d = np.array([_last_day(lesson, "b", s)[metric] - _last_day(lesson, "a", s)[metric]
                  for s in range(4)])
    lo, hi = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    assert (hi < 0) if sign < 0 else (lo > 0), (lesson, metric, d)
