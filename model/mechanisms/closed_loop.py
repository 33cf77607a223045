"""The closed loop 接转办访督考 (receive, dispatch, handle, revisit, supervise, assess) [001].

The only module that reads ``loop.closed_loop``. Without it a handled case closes at once
(``IssueBook.settle``). With it, the book hands every handled case to this mechanism: the
community's service centre calls the household back ``loop.revisit_days`` later, in its
spare hours (``loop.revisit_hours`` a call, queued by ``CommunityOffice``). Being asked
counts (trust + ``trust.visit``); the household is satisfied with the satisfaction chance
plus ``loop.revisit_bonus`` log-odds; a satisfied case closes, an unsatisfied one is reopened
at the front of its last handler's queue (the household loses ``trust.unsatisfied`` / 2),
and after two reopenings supervision and discipline take over and the case closes anyway.
Its coin is ``closed_loop.revisit`` (case, times reopened).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from commgov.model.mechanisms.base import Mechanism
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.model.lifecycle import Issue
    from commgov.scenarios.schema import Scenario


class LoopParams(Section):
    """Receive-dispatch-handle-revisit-supervise-assess 接转办访督考 [001]."""

    ODD_SECTION: ClassVar[str] = "loop"

    closed_loop: bool = P(
        False, source="[001]", doc="Revisit every handled case; reopen the unsatisfied ones.",
        label=(
            "Closed loop: revisit every case (接转办访督考)",
            "闭环管理：每件回访（接转办访督考）",
        ),
        help=("Unsatisfied cases go back to their handler.", "不满意的诉求退回重办。"),
        control=Control("load", "on/off", 3, live=True),
    )
    revisit_hours: float = P(
        0.2, 0, 4, unit="hours", source="[001]", doc="A revisit is mostly a phone call."
    )
    revisit_days: int = P(
        2,
        0,
        30,
        unit="days",
        source="[001]",
        doc="Days after handling that the service centre calls back.",
    )
    revisit_bonus: float = P(
        0.5,
        0,
        10,
        unit="log-odds",
        source="[001]",
        doc="Being asked afterwards raises satisfaction.",
    )
    satisfaction_constant: float = P(
        0.8, -10, 10, unit="log-odds", source="assumption", doc="Satisfaction with a handled case."
    )
    satisfaction_trust_weight: float = P(
        2.0, 0, 10, unit="log-odds per trust", doc="Trusting households are more easily satisfied."
    )



class ClosedLoop(Mechanism):
    """Revisit every handled case; reopen the unsatisfied ones (接转办访督考)."""

    name = "closed_loop"
    section = "loop"
    params = LoopParams
    odd = "7.10"
    sources = ("001",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.loop.closed_loop)

    def attach(self) -> None:
        m = self.model
        m.book.after_handled = self._schedule
        for office in m.offices:
            office.on_revisit = self.revisit

    def _schedule(self, issue: Issue) -> None:
        """A handled case waits for its revisit by the community's service centre."""
        m = self.model
        office = m.offices[m.community_of(issue.household)]
        m.defer(issue, m.day + self.p.revisit_days, office.revisit)

    def revisit(self, issue: Issue) -> None:
        """The call: satisfied cases close; unsatisfied ones reopen (supervision)."""
        m = self.model
        t = m.params.trust
        m.households.adjust_trust(issue.household, t.visit)   # being asked counts
        satisfied = (m.streams.keyed_id("closed_loop.revisit", issue.id, issue.reopened)
                     < m.satisfaction_prob(issue.household, bonus=self.p.revisit_bonus))
        if satisfied or issue.reopened >= 2:
            # Repeated dissatisfaction goes to supervision and discipline: closed.
            m.book.close_resolved(issue, satisfied)
            return
        m.households.adjust_trust(issue.household, -t.unsatisfied / 2)
        m.book.reopen(issue)
