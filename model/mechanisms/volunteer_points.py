"""Volunteer points 志愿积分 [001].

The only module that reads ``participation.volunteer_points``. Points that residents earn
for taking part (and redeem for small goods or services) add ``participation.points_bonus``
log-odds, by household kind, to every decision to join an activity (7.13).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from commgov.agents.resident import Term
from commgov.model.mechanisms.base import Mechanism
from commgov.scenarios.records import HOUSEHOLD_KINDS

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario

TERM = "volunteer points"


class VolunteerPoints(Mechanism):
    """Points for volunteering raise the chance of taking part, by household kind."""

    name = "volunteer_points"
    section = "participation"
    odd = "7.13"
    sources = ("001",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.participation.volunteer_points)

    def costs(self) -> dict[str, float]:
        """Rewards at the rate households have taken part so far (a year's worth)."""
        m = self.model
        per_year = m.participations * 365.0 / max(1, m.day)
        return {"volunteer points": per_year * m.params.costs.volunteer_point_yuan}

    def attach(self) -> None:
        bonus = self.p.points_bonus
        self.model.households.participation_terms[TERM] = Term.by_kind(
            np.array([getattr(bonus, k) for k in HOUSEHOLD_KINDS], dtype=np.float64))
