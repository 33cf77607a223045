"""The mediation room 调解室 of a community's grid party branch, with the five-step method [000].

The only module that reads ``mediation.mediation_rooms``. In Fukang a compound
"信访矛盾突出,一度成为阜康市'上访大户'"; its grid branch worked out
"'情绪发泄、教育引导、倾听诉求、查看现场、握手言和'矛盾调解'五步工作法'", opened a
mediation room in 2018 and "调解化解纠纷3000余件 … 有规范建卷的调解案件450余件" [000].
Here each community gets one room (``MediationRoom``):

- **intake**: neighbour disputes of difficulty ``mediation.direct_from`` and harder go to the
  room on arrival unless a week of its sessions is booked already, the others when the
  grid worker fails them (``IssueBook.compound_intake``: the room is on the compound rung,
  so this is not an escalation);
- **let feelings out, hear the claim** (情绪发泄、倾听诉求): on intake the household's
  grievance falls by ``vent_release`` and its trust rises by ``listen_trust``, which lowers
  the petition hazard of everything it still has open (7.9);
- **educate, inspect the site** (教育引导、查看现场): sessions settle
  ``cases_per_week_per_1k`` cases a week per 1,000 planned households, each with chance
  logistic(``success_constant`` − ``difficulty_weight`` × the grid worker's difficulty
  penalty); a failed case goes up the ladder as before;
- **shake hands, file the case** (握手言和、规范建卷): a settled dispute recurs less — the
  household's neighbour-dispute rate is cut by ``recurrence_cut`` for ``hold_days``
  (``Households.rate_terms``; it lapses when the household moves out), so repeat
  complaints fall.

The effect is largest where neighbour disputes and grievance are many (a petition hotspot):
the room has more disputes to settle and more grievance to let out. Coins:
``mediation_room.session`` (case, day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.agents.resident import NEVER
from commgov.model.lifecycle import (
    COMPOUND,
    NEIGHBOUR,
    CaseHandler,
    CaseQueue,
    DailyCapacity,
    Issue,
    logistic,
)
from commgov.model.mechanisms.base import Mechanism
from commgov.model.metric import Metric, of_mechanism
from commgov.model.schedule import DAILY, Task
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.scenarios.schema import Scenario


class MediationRoom(CaseHandler):
    """One community's room: a queue and a weekly number of sessions."""

    LEVEL = COMPOUND

    def __init__(self, community: int, households: float, per_week: float) -> None:
        self.community = community
        self.per_week = per_week          # cases its sessions settle or fail a week
        self.queue = CaseQueue()
        self.capacity = DailyCapacity()

    def booked_up(self) -> bool:
        """A week of sessions is already booked: new disputes see the grid worker first."""
        return len(self.queue) >= self.per_week


class MediationParams(Section):
    """A grid branch's mediation room 调解室 with the five-step method (五步工作法) [000]."""

    ODD_SECTION: ClassVar[str] = "mediation"

    mediation_rooms: bool = P(
        False,
        source="[000]",
        doc="Each community's grid party branch runs a mediation room for neighbour "
        "disputes with the five-step method (情绪发泄、教育引导、倾听诉求、查看现场、握手言和) "
        "and case files (规范建卷) [000].",
        label=("Mediation room (调解室)", "调解室"),
        help=("Neighbour disputes mediated in five steps, with case files.",
              "邻里纠纷按“五步工作法”调解，规范建卷。"),
        control=Control("load", "on/off", 4, live=True),
    )
    cases_per_week_per_1k: float = P(
        10.0, 0, 100, unit="cases per week per 1,000 households",
        doc="Sessions the room holds, as cases a week per 1,000 planned households of its "
        "community: [000] reports 3,000+ disputes mediated; assumed, about twice the "
        "big and hard neighbour disputes a community has.")
    direct_from: int = P(
        1, 0, 3, unit="difficulty (0 small, 1 big, 2 hard, 3 none)",
        doc="Neighbour disputes of this difficulty and harder go to the room straight away "
        "(unless a week of its sessions is booked already); the others go to the grid worker "
        "first and to the room when he fails; assumed.")
    success_constant: float = P(
        2.0, -10, 10, unit="log-odds",
        doc="Log-odds that the room settles a small dispute (握手言和); assumed, a little "
        "above a grid worker's mediation constant (1.8): the branch's standing and method.")
    difficulty_weight: float = P(
        0.5, 0, 2, unit="x workers.difficulty_penalty",
        doc="Share of the grid worker's difficulty penalty the room feels: inspecting the "
        "site and hearing the claim (查看现场、倾听诉求) crack the hard cases a worker cannot; "
        "assumed (the room took cases the city court passed to it [000]).")
    vent_release: float = P(
        0.5, 0, 1, unit="share of grievance",
        doc="Share of the household's grievance let out at the room's first step "
        "(情绪发泄) [000]; assumed.")
    listen_trust: float = P(
        0.02, 0, 0.2, unit="trust",
        doc="Trust a household gains from being heard at the room (倾听诉求); assumed.")
    recurrence_cut: float = P(
        0.6, 0, 1, unit="share of the neighbour-dispute rate",
        doc="A dispute settled with a handshake and a case file (握手言和, 规范建卷) recurs "
        "less: the household's neighbour-dispute rate falls by this share [000]; assumed.")
    hold_days: int = P(
        365, 0, 3650, unit="days",
        doc="How long a filed settlement holds the dispute down; assumed.")



class MediationRooms(Mechanism):
    """A grid branch's mediation room per community: five steps, case files [000]."""

    name = "mediation_room"
    section = "mediation"
    params = MediationParams
    metrics = (
        Metric("mediation_settled_total",
               "Neighbour disputes settled and filed by the mediation rooms from day 0 "
               "(调解室, 五步工作法 [000]); 0 without rooms.",
               of_mechanism("mediation_room", attrgetter("settled")),
               label=("Settled in mediation rooms", "调解室调解成功"),
               help=("disputes settled with a handshake and filed [000]",
                     "握手言和并建卷的纠纷 [000]"),
               unit=("cases", "件"),
               direction=+1, scale="value"),
    )
    odd = "7.21"
    sources = ("000",)

    def __init__(self, model: CommunityModel) -> None:
        super().__init__(model)
        self.settled = 0                  # disputes settled and filed in the rooms
        self.taken = 0                    # disputes the rooms took in

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.mediation.mediation_rooms)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"mediation rooms": len(self.rooms) * m.params.costs.mediation_room_yuan}

    def start(self) -> None:
        m = self.model
        occ = m.params.households.initial_occupancy
        rate = self.p.cases_per_week_per_1k / 1000.0
        self.rooms = [MediationRoom(o.community, len(o.members) * occ,
                                    len(o.members) * occ * rate) for o in m.offices]
        self.tried: set[int] = set()       # cases the room has had (a failure goes up)
        # The settled households' multiplier of their issue rates (neighbour column).
        self.factor = np.ones((m.households.n, 4))
        self.until = np.zeros(m.households.n, dtype=np.int64)
        self.expiry: defaultdict[int, list[int]] = defaultdict(list)

    def attach(self) -> None:
        m = self.model
        m.book.compound_intake = self.intake
        m.households.rate_terms[self.name] = self.factor

    def tasks(self) -> Iterable[tuple[str, Task]]:
        yield "deliveries due", Task(
            "deferred work", "settlements lapse", "filed settlements past hold_days lapse",
            self.odd, DAILY, self._lapse)
        yield "property firms", Task(
            "institutions act", "mediation rooms",
            "five-step mediation of neighbour disputes; settlements filed", self.odd, DAILY,
            self._sessions)

    # ------------------------------------------------------------------ intake
    def intake(self, issue: Issue, failed: bool) -> bool:
        """Take a neighbour dispute: hard enough on arrival, or failed by the grid worker."""
        if issue.kind != NEIGHBOUR or issue.id in self.tried:
            return False
        if not failed and issue.difficulty < self.p.direct_from:
            return False
        m = self.model
        room = self.rooms[m.community_of(issue.household)]
        if not failed and room.booked_up():
            return False
        self.tried.add(issue.id)
        self.taken += 1
        hh = m.households
        h = issue.household
        hh.grievance[h] *= 1.0 - self.p.vent_release          # 情绪发泄
        hh.adjust_trust(h, self.p.listen_trust)                # 倾听诉求
        issue.progress = 0.0
        room.receive(issue)
        return True

    # ------------------------------------------------------------------ the day
    def _sessions(self, day: int) -> None:
        m = self.model
        p = self.p
        w = m.params.workers.difficulty_penalty
        penalty = (w.small, w.big, w.hard)
        for room in self.rooms:
            for issue in room.capacity.serve(room.queue, room.per_week / 7.0):
                x = p.success_constant - p.difficulty_weight * penalty[issue.difficulty]
                if m.streams.keyed("mediation_room.session", issue.id, day) < logistic(x):
                    self._file(issue.household, day)
                    m.book.handled(issue, COMPOUND)
                else:
                    m.book.escalate(issue)

    def _file(self, h: int, day: int) -> None:
        """握手言和, 规范建卷: the settled dispute is held down for ``hold_days``."""
        self.settled += 1
        if self.p.hold_days <= 0:
            return
        self.factor[h, NEIGHBOUR] = 1.0 - self.p.recurrence_cut
        self.until[h] = day + self.p.hold_days
        self.expiry[int(self.until[h])].append(h)

    def _lapse(self, day: int) -> None:
        """Settlements past ``hold_days`` lapse; so do those of households that moved out
        (a newcomer brings no case history, 7.17)."""
        for h in self.expiry.pop(day, ()):
            if self.until[h] <= day:          # not settled again since
                self.factor[h, NEIGHBOUR] = 1.0
        hh = self.model.households
        held = np.flatnonzero(self.factor[:, NEIGHBOUR] < 1.0)
        self.factor[held[hh.last_report_day[held] == NEVER], NEIGHBOUR] = 1.0
