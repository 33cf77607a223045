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

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.model.lifecycle import SILENT
from commgov.model.mechanisms.base import Mechanism
from commgov.model.metric import Metric, of_mechanism
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class PrivacyParams(Section):
    """Residents who refuse to enter their data into the grid system [003]."""

    ODD_SECTION: ClassVar[str] = "privacy"

    refusal_share: float = P(
        0.0,
        0,
        1,
        unit="share of flats",
        source="[003]",
        doc="Households that refuse to enter their data into the grid system as a matter of "
        "privacy (许多居民不肯配合工作人员将自己的信息录入网格系统中 [003]): their grid "
        "worker does not know them, so they get no visits and cannot report through the grid. "
        "0: everyone is in the system.",
        basis="mechanism [003] (许多居民, no share given); the problem scenario assumes 0.3",
        label=("Households refusing the grid system", "拒绝录入网格系统的住户"),
        help=("Share of flats that keep their data out of the grid system (privacy).",
              "出于隐私不愿录入网格系统的住户比例。"),
        control=Control("context", "%", 7, hi=60, step=5, scale=100, live=True),
    )
    unknown_case_factor: float = P(
        1.5,
        1,
        5,
        unit="x hours",
        source="[003]",
        doc="Hours a refusing household's case takes the grid worker, relative to a known "
        "household's: the worker must first find out who lives there and what they need "
        "(网格员不能及时了解每位住户的基本情况,无法及时开展日常工作 [003]); value assumed.",
    )



class PrivacyRefusal(Mechanism):
    """Households that refuse to enter their data: the grid neither hears nor visits them."""

    name = "privacy"
    section = "privacy"
    params = PrivacyParams
    metrics = (
        Metric("refuser_silent_share",
               "Share of the new issues of households that refused to enter their data into the "
               "grid system that they kept quiet about, cumulative; 0 when nobody refuses [003].",
               of_mechanism("privacy", lambda x: x.silent_share()),
               label=("Silent share among data refusers", "拒录信息住户沉默比例"),
               help=("issues of households outside the grid system kept quiet [003]",
                     "未录入网格系统住户的诉求中沉默的比例 [003]"),
               unit=("% of their issues", "占其诉求 %"),
               direction=-1, scale="share"),
    )
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
