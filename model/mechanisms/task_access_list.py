"""A task access list 准入清单 [001]: departments may push down only the tasks on the list.

[001] describes communities buried in tasks that district departments push down
(台账, 报表, 检查) and the access list as the remedy. The only module that reads
``workers.task_access_cut``: it blocks that share of the pushed-down administrative hours,
for every grid worker (``GridWorker.admin_cut``) and every community office
(``CommunityOffice.admin_cut``), and tells needs-based staffing (``Roster.admin_cut``) that
less office work is left to staff for. The hours freed go to cases and visits (7.7, 7.8).
Built only when the cut is above 0; it draws nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commgov.model.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from commgov.model.mechanisms.base import Roster
    from commgov.scenarios.schema import Scenario


class TaskAccessList(Mechanism):
    """Block a share of the administrative tasks pushed down to communities."""

    name = "task_access_list"
    section = "workers"
    odd = "7.8"
    sources = ("001",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return params.workers.task_access_cut > 0

    def contribute(self, roster: Roster) -> None:
        roster.admin_cut = self.p.task_access_cut

    def attach(self) -> None:
        m = self.model
        for institution in (*m.workers, *m.offices):
            institution.admin_cut = self.p.task_access_cut
