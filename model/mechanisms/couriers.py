"""Couriers and delivery riders as special grid workers with points (特聘网格员) [001].

The only module that reads ``couriers.special_grid_workers``. [001] finds the new
employment groups willing and able to help (兗州區現有快遞小哥270人、外賣騎手230人…熟悉社區
情況,完全具備參與社區治理的精力、時間及地域等條件) but kept out of the compounds
(78.8%的快遞小哥、外賣騎手反映“進小區難”), and proposes that the community appoint them
(由社區聘其擔任“特聘網格員”…以積分制對其參加社區治理進行評定…引導其發揮“探頭”作用),
so that problems are found and handled early (做到問題爭議早發現、早處置).

A facility or safety hazard that arises in a compound is seen by a courier with probability
``spot_prob`` x access, where access = 1 - ``entry_hard_share`` x (1 - ``pass_share``): the
couriers who still cannot get in see nothing there. A hazard they see is reported to the
household's grid worker that day, whatever channel the household chose (or its silence);
a big one is still a small matter with probability ``early_share``. Each report earns
points (``costs.courier_point_yuan``). Coins: ``couriers.spot`` and ``couriers.early``
(household, day): one per new issue, drawn only when the mechanism is on.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.model.lifecycle import BIG, FACILITY, GRID, SILENT, SMALL
from commgov.model.mechanisms.base import Mechanism
from commgov.model.metric import Metric, of_mechanism
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.scenarios.schema import Scenario


class CourierParams(Section):
    """Couriers and delivery riders as special grid workers with points (特聘网格员) [001]."""

    ODD_SECTION: ClassVar[str] = "couriers"

    special_grid_workers: bool = P(
        False,
        source="[001]",
        doc="The community appoints couriers and delivery riders as special grid workers "
        "(特聘网格员) and rates their part with points (积分制), so they act as its 'probes' "
        "(探头) for hazards in the compounds they enter every day [001].",
        label=("Couriers as grid workers (特聘网格员)", "快递小哥特聘网格员"),
        help=(
            "Couriers and riders report hazards they see in the compounds, for points.",
            "快递小哥、外卖骑手发现小区隐患即上报，按积分评定。",
        ),
        control=Control("grid", "on/off", 7, live=True),
    )
    entry_hard_share: float = P(
        0.788,
        0,
        1,
        unit="share of couriers",
        source="[001]",
        doc="Couriers and riders who find it hard to get into a compound (进小区难): 78.8% in "
        "Yanzhou [001]. They see only the compounds they get into.",
        basis="paper figure: 78.8% of couriers and riders in Yanzhou [001]",
    )
    pass_share: float = P(
        0.5,
        0,
        1,
        unit="share",
        doc="Share of those entry problems that being a special grid worker (a pass, a known "
        "face at the gate) removes; assumed.",
    )
    spot_prob: float = P(
        0.5,
        0,
        1,
        unit="probability",
        doc="Chance that a facility or safety hazard in a compound couriers get into is seen "
        "and reported by one of them the day it arises (couriers pass daily); assumed.",
    )
    early_share: float = P(
        0.3,
        0,
        1,
        unit="probability",
        doc="Chance that a big hazard found early is still a small matter (早发现、早处置 "
        "[001]): one difficulty level down; assumed.",
    )



class Couriers(Mechanism):
    """Couriers and riders, appointed special grid workers, report the hazards they see."""

    name = "couriers"
    section = "couriers"
    params = CourierParams
    metrics = (
        Metric("courier_reports_total",
               "Facility and safety hazards reported by couriers and riders appointed special "
               "grid workers, cumulative (0 without them) [001].",
               of_mechanism("couriers", attrgetter("reports")),
               label=("Hazards reported by couriers", "快递小哥上报隐患"),
               help=("cumulative hazards reported by couriers as grid workers [001]",
                     "特聘网格员（快递小哥）累计上报隐患 [001]"),
               unit=("hazards", "件"),
               direction=+1, scale="value"),
    )
    odd = "7.27"
    sources = ("001",)

    def __init__(self, model: CommunityModel) -> None:
        super().__init__(model)
        self.reports = 0          # hazards couriers reported, since the start
        self.was_silent = 0       # ... of which the household would have kept quiet about

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.couriers.special_grid_workers)

    def access(self) -> float:
        """Chance a courier gets into a compound: entry is hard for ``entry_hard_share``
        [001], and the appointment removes ``pass_share`` of that."""
        p = self.p
        return 1.0 - p.entry_hard_share * (1.0 - p.pass_share)

    def costs(self) -> dict[str, float]:
        """Points redeemed, at the rate of reports so far (a year's worth)."""
        m = self.model
        per_year = self.reports * 365.0 / max(1, m.day)
        return {"courier points": per_year * m.params.costs.courier_point_yuan}

    def attach(self) -> None:
        self.model.book.on_arrival.append(self.spot)

    def spot(self, hit: np.ndarray, kinds: np.ndarray, difficulty: np.ndarray,
             channels: np.ndarray) -> None:
        """Today's facility hazards: those a courier sees go to the grid, found early."""
        facility = np.flatnonzero(kinds == FACILITY)
        if not len(facility):
            return
        m = self.model
        st = m.streams
        h = hit[facility]
        seen = facility[st.keyed_array("couriers.spot", h, m.day)
                        < self.p.spot_prob * self.access()]
        if not len(seen):
            return
        self.reports += len(seen)
        self.was_silent += int(np.count_nonzero(channels[seen] == SILENT))
        channels[seen] = GRID
        big = seen[difficulty[seen] == BIG]
        early = big[st.keyed_array("couriers.early", hit[big], m.day) < self.p.early_share]
        difficulty[early] = SMALL
