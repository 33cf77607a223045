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
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.agents.resident import Term
from commgov.model.lifecycle import COMPOUND, PROPERTY, SMALL, Issue
from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import Task, every
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario

TERM = "building stewards"


class BuildingStewardsParams(Section):
    """Building stewards, building party groups and party-member central households
    (红色楼栋长、楼栋党小组、党员中心户 [001, 003]): the rung below the compound."""

    ODD_SECTION: ClassVar[str] = "building_stewards"

    organised: bool = P(
        False,
        source="[001, 003]",
        doc="Buildings get stewards (推选“红色楼栋长”…楼栋党小组—党员中心户 [001]; 楼栋管家 "
        "[003]).",
        label=("Building stewards (红色楼栋长)", "红色楼栋长"),
        help=("Stewards settle small matters in the building, pass on silent ones, mobilise.",
              "楼栋长就地化解小事、反映民意、动员参与。"),
        control=Control("party", "on/off", 5, live=True),
    )
    coverage: float = P(
        0.7, 0, 1, unit="share of buildings",
        doc="Buildings with a steward (a party member or activist living there); assumed.")
    settle_prob: float = P(
        0.35, 0, 1, unit="probability",
        doc="Chance a steward settles a small neighbour, facility or service matter reported "
        "in the building before it reaches the grid worker; assumed.")
    inform_prob: float = P(
        0.05, 0, 1, unit="probability per week",
        doc="Weekly chance a steward learns of a neighbour's unreported matter and passes it "
        "to the grid worker (反映和收集民意 [003]; the 'probe' 探头 role [001]); assumed.")
    mobilise_bonus: float = P(
        0.3, 0, 5, unit="log-odds",
        doc="Added to the chance of joining an activity in a steward's building; assumed.")
    memory_days: int = P(
        90, 1, 3650, unit="days",
        doc="A matter kept silent longer than this is no longer passed on; assumed.")



class BuildingStewards(Mechanism):
    """Stewards settle small matters in the building, pass on silent ones, mobilise."""

    name = "building_stewards"
    section = "building_stewards"
    params = BuildingStewardsParams
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
