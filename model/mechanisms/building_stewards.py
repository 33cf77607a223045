"""Building stewards 红色楼栋长 / building party groups / party-member central households
党员中心户: the first rung below the compound [001, 003].

The only module that reads ``building_stewards.organised``. [001] (Yanzhou) builds a five-level
organisation "街道党工委—社区党委—居民小区（网格）党支部—楼栋党小组—党员中心户", elects
"红色楼栋长" and asks them to act as "探头" (probes); [003] (Xingfu): "由小区党员、积极分子、
爱心人士组建的“楼栋管家”…反映和收集民意，协助制定楼院居民公约". Buildings get a steward with
chance ``coverage`` (one coin per building). In a steward's building:

- information: each week a household that kept a matter to itself (at most
  ``memory_days`` old) has it passed on to the grid worker with chance ``inform_prob``;
- small fixes: a small neighbour, facility or service matter reported to the grid or the
  WeChat group is settled in the building with chance ``settle_prob`` before anyone else
  takes it up (``IssueBook.first_rung``): settled that day at the compound rung, and the grid
  worker never sees it (小事不出小区, one rung lower);
- mobilisation: ``mobilise_bonus`` log-odds on every decision to join an activity.

Streams: ``building_stewards.coverage`` (per building), ``building_stewards.settle`` (per
case), ``building_stewards.inform`` (one draw per flat and week).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from commgov.agents.resident import Term
from commgov.model.lifecycle import COMPOUND, PROPERTY, SMALL, Issue
from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import Task, every

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario

TERM = "building stewards"


class BuildingStewards(Mechanism):
    """Stewards settle small matters in the building, pass on silent ones, mobilise."""

    name = "building_stewards"
    section = "building_stewards"
    odd = "7.26"
    sources = ("001", "003")

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.building_stewards.organised)

    def attach(self) -> None:
        m = self.model
        nb = m.neighbourhood
        u = m.streams.keyed_array("building_stewards.coverage",
                                  np.arange(nb.n_buildings, dtype=np.int64))
        self.stewarded = u < self.p.coverage                     # per building
        self.covered = self.stewarded[nb.building]               # per flat
        m.book.first_rung = self.first_rung
        m.households.participation_terms[TERM] = Term.by_flat(
            np.where(self.covered, self.p.mobilise_bonus, 0.0))

    def costs(self) -> dict[str, float]:
        return {"building stewards": float(np.count_nonzero(self.stewarded))
                * self.model.params.costs.steward_yuan}

    def tasks(self) -> Iterable[tuple[str, Task]]:
        yield "offices plan", Task(
            "institutions act", "stewards pass on",
            "building stewards pass neighbours' silent matters to the grid worker", "7.26",
            every(7, 3), self.inform)

    def first_rung(self, issue: Issue) -> bool:
        """A small matter settled in the building (True), or left to the usual route."""
        if issue.difficulty != SMALL or issue.kind == PROPERTY \
                or not self.covered[issue.household]:
            return False
        m = self.model
        if m.streams.keyed_id("building_stewards.settle", issue.id) >= self.p.settle_prob:
            return False
        m.book.counters.building_settled += 1
        m.book.handled(issue, COMPOUND)
        return True

    def inform(self, day: int) -> None:
        m = self.model
        p = self.p
        hh = m.households
        u = m.streams.daily("building_stewards.inform", day).random(hh.n)
        passed = np.flatnonzero(self.covered & hh.occupied & (hh.silent_kind >= 0)
                                & ~hh.open_issue & (day - hh.silent_day <= p.memory_days)
                                & (u < p.inform_prob))
        for h in passed.tolist():
            m.book.surface(h)
