"""The secretary's day 书记说事日: residents raise matters with the party secretary [001].

The only module that reads ``secretary_day.held``. [001] (Yanzhou): "以街道为单位，每周固定
一天为“书记说事日”，开展书记问事、居民议事、民主定事、承诺办事、辦畢评事，确保“说事”能真正
解决实际问题 … 解决有话没人听、有理没处讲、有事没人问的问题，实现小事不出小区、大事不出社
区、难事不出街道". So, once a week on the same day for the whole street
(``weekday``), each community's secretary holds a session out of the office's case hours:

- who comes: households that kept a matter to themselves (``Households.silent_kind``, at
  most ``memory_days`` old) with chance ``attend_silent`` × (1 − (1 − ``tied_share``) ×
  their tie to the grid worker) — the channel reaches those the grid does not; and
  households whose reported matter is past its time promise, with ``attend_overdue`` (the
  hard matters other channels left waiting); and households whose request to the office
  waited behind its backlog since the last session, with ``attend_office`` (有理没处讲): the
  secretary sees it done, undoing what the wait cost them;
- the secretary hears as many as ``hours_per_session`` / ``hours_per_case`` allows (the
  fraction by a coin), in the order of the day's per-flat draw, and decides with the
  committee's authority plus ``success_bonus`` log-odds (民主定事、承诺办事); what fails goes
  straight to the street, the right level for it (难事不出街道), not back down the ladder;
- everyone heard gains ``trust_gain`` (有话有人听). The hours spent come off the office's
  case hours that day: the cost of the channel is the secretary's time.

Streams: ``secretary_day.attend`` (one draw per flat and session), ``secretary_day.extra``
(the fractional case, per community and day), ``secretary_day.decide`` (per case).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.agents.resident import NEVER
from commgov.model.lifecycle import COMMUNITY, STREET, Issue
from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import Cadence, Task
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class SecretaryDayParams(Section):
    """The weekly secretary's day 书记说事日 [001]: residents raise matters with the party
    secretary in person, heard and settled with the committee's authority."""

    ODD_SECTION: ClassVar[str] = "secretary_day"

    held: bool = P(
        False,
        source="[001]",
        doc="Each community's party secretary holds a weekly secretary's day (以街道为单位，每周"
        "固定一天为“书记说事日” [001]).",
        label=("Secretary's day (书记说事日)", "书记说事日"),
        help=("Residents raise matters with the party secretary once a week.",
              "居民每周一天当面向书记反映问题。"),
        control=Control("party", "on/off", 4, live=True),
    )
    weekday: int = P(
        2, 0, 6, unit="day mod 7", source="[001]",
        doc="The fixed day of the week, the same for the whole street (以街道为单位 [001]).")
    hours_per_session: float = P(
        4.0, 0, 8, unit="hours per community",
        doc="Secretary's hours a session takes, out of the office's case hours that day "
        "(the cost of the channel is the secretary's time); assumed: half a working day.")
    hours_per_case: float = P(
        0.5, 0.05, 8, unit="hours",
        doc="Hours the secretary spends on one matter (ask, deliberate, decide: 书记问事、居民"
        "议事、民主定事 [001]); assumed.")
    attend_silent: float = P(
        0.05, 0, 1, unit="probability per session",
        doc="Chance a household that kept a matter to itself brings it to the session "
        "(有话没人听…有事没人问 [001]: the secretary hears the unheard); assumed.")
    tied_share: float = P(
        0.5, 0, 1, unit="share of attend_silent",
        doc="Share of attend_silent felt by a household with a full tie to its grid worker: "
        "the channel draws most from those who do not turn to the grid; assumed.")
    attend_overdue: float = P(
        0.25, 0, 1, unit="probability per session",
        doc="Chance a household whose reported matter is past its time promise takes it to "
        "the secretary (hard matters, 难事 [001]); assumed.")
    attend_office: float = P(
        0.2, 0, 1, unit="probability per session",
        doc="Chance a household whose request to the office waited behind its backlog since "
        "the last session takes it to the secretary, who pushes it through (有理没处讲 "
        "[001]); assumed.")
    success_bonus: float = P(
        1.0, 0, 5, unit="log-odds",
        doc="Over the committee's chance of settling a matter: the secretary decides and "
        "commits on the spot (民主定事、承诺办事 [001]); assumed. What fails goes straight to "
        "the street (难事不出街道 [001]).")
    trust_gain: float = P(
        0.03, 0, 0.5, unit="trust",
        doc="Trust gained by a household heard at the session (解决有话没人听 [001]); assumed.")
    memory_days: int = P(
        90, 1, 3650, unit="days",
        doc="A matter kept silent longer than this is no longer raised; assumed.")



class SecretaryDay(Mechanism):
    """A weekly session where residents raise matters with the party secretary."""

    name = "secretary_day"
    section = "secretary_day"
    params = SecretaryDayParams
    odd = "7.24"
    sources = ("001",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.secretary_day.held)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"secretary's day": len(m.offices) * m.params.costs.secretary_day_yuan}

    def tasks(self) -> Iterable[tuple[str, Task]]:
        p = self.p
        yield "offices plan", Task(
            "institutions act", "secretary's day",
            "residents raise matters with the party secretary", "7.24",
            Cadence(f"weekly (day mod 7 = {p.weekday})", lambda day: day % 7 == p.weekday),
            self.session)

    def session(self, day: int) -> None:
        """Every community's session of the day (after the offices planned their hours)."""
        m = self.model
        p = self.p
        hh = m.households
        st = m.streams
        u = st.daily("secretary_day.attend", day).random(hh.n)
        fresh = (hh.silent_kind >= 0) & (day - hh.silent_day <= p.memory_days)
        pull = p.attend_silent * (1.0 - (1.0 - p.tied_share) * hh.relationship)
        silent = hh.occupied & ~hh.open_issue & fresh & (u < pull)
        overdue = hh.open_issue & (day > hh.due_day) & (u < p.attend_overdue)
        # Only matters still waiting for a decision below the street (not those handled and
        # waiting for a revisit, nor those the street already holds).
        stuck: dict[int, Issue] = {}
        if overdue.any():
            stuck = {i.household: i for i in m.book.open.values()
                     if overdue[i.household] and i.handled_day < 0 and i.level < STREET}
        waited = hh.occupied & (day - hh.office_wait_day < 7) & (u < p.attend_office)
        come = np.flatnonzero(silent | waited)
        if stuck:
            come = np.union1d(come, np.fromiter(stuck, np.int64, len(stuck)))
        if not len(come):
            return
        come = come[np.argsort(u[come], kind="stable")]       # queue order: the day's draw
        by_community = hh.community[come]
        per_case = p.hours_per_case
        for office in m.offices:
            mine = come[by_community == office.community]
            if not len(mine):
                continue
            slots = p.hours_per_session / per_case
            n = int(slots) + int(st.keyed("secretary_day.extra", office.community, day)
                                 < slots - int(slots))
            heard = mine[:n]
            for h in heard.tolist():
                issue = stuck.get(h)
                if issue is None and silent[h]:
                    issue = m.book.surface(h)          # raised here for the first time
                if issue is not None:
                    self._decide(issue)
                if waited[h]:
                    self._push_through(h)
            hh.trust[heard] = np.minimum(1.0, hh.trust[heard] + p.trust_gain)
            office.case_hours = max(0.0, office.case_hours - len(heard) * per_case)

    def _push_through(self, household: int) -> None:
        """An office matter that waited behind the backlog: the secretary sees it done, which
        undoes what the wait cost the household (7.8)."""
        m = self.model
        o = m.params.office
        hh = m.households
        m.book.counters.secretary_heard += 1
        hh.office_wait_day[household] = NEVER
        hh.adjust_trust(household, o.wait_trust)
        hh.grievance[household] = max(0.0, hh.grievance[household] - o.wait_grievance)

    def _decide(self, issue: Issue) -> None:
        """The secretary settles it with the committee's authority, or sends it to the
        street at once (难事不出街道 [001])."""
        m = self.model
        book = m.book
        book.counters.secretary_heard += 1
        if issue.handled_day >= 0:           # settled in the building on the way in
            return
        office = m.offices[m.community_of(issue.household)]
        issue.ticket += 1                    # out of whatever queue it waited in
        issue.progress = 0.0
        issue.level = COMMUNITY
        chance = office.success_prob(issue, penalty=-self.p.success_bonus)
        if m.streams.keyed("secretary_day.decide", issue.id, m.day) < chance:
            book.handled(issue, COMMUNITY)
        else:
            book.escalate(issue)
