"""Residents who refuse to enter their data into the grid system (a problem, not a policy) [003].

The only module that reads ``privacy.refusal_share``. [003] found that in Xingfu community
many residents would not let staff enter their information into the grid system, holding
it private (許多居民不肯配合工作人員將自己的信息錄入網格系統中,認為這屬於個人隱私), so the
grid workers cannot know every household (網格員不能及時了解每位住戶的基本情況,無法及時開展
日常工作).

A share ``refusal_share`` of flats refuses (one keyed draw per flat, ``privacy.refuse``;
a newcomer in the flat keeps its choice: a simplification). The grid does not see them:
they cannot report through the grid worker (the channel is closed, so they choose among
WeChat, 12345 and silence with the same draws) and get no door-to-door visits. When their
case does reach the grid worker (dispatched from 12345, a WeChat report, a courier's
hazard), it takes ``unknown_case_factor`` times the hours: the worker must first find out
who lives there and what they need. Couriers' reports of hazards still reach the grid
(``after = couriers``). The mechanism counts the
refusers' new issues and how many stay silent (metric ``refuser_silent_share``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from commgov.model.lifecycle import SILENT
from commgov.model.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class PrivacyRefusal(Mechanism):
    """Households that refuse to enter their data: the grid neither hears nor visits them."""

    name = "privacy"
    section = "privacy"
    odd = "7.30"
    sources = ("003",)
    after = ("couriers",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return params.privacy.refusal_share > 0

    def start(self) -> None:
        hh = self.model.households
        u = self.model.streams.keyed_array("privacy.refuse", np.arange(hh.n))
        self.refused = u < self.p.refusal_share
        self.arisen = 0           # refusers' new issues
        self.silent = 0           # ... kept quiet

    def attach(self) -> None:
        m = self.model
        m.households.grid_blocked = self.refused
        for w in m.workers:
            w.slow_households = (self.refused, self.p.unknown_case_factor)
        m.book.on_arrival.append(self.count)

    def count(self, hit: np.ndarray, kinds: np.ndarray, difficulty: np.ndarray,
              channels: np.ndarray) -> None:
        mine = self.refused[hit]
        self.arisen += int(np.count_nonzero(mine))
        self.silent += int(np.count_nonzero(mine & (channels == SILENT)))

    def silent_share(self) -> float:
        return self.silent / self.arisen if self.arisen else 0.0
