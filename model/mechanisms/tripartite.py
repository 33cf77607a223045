"""The tripartite body 三方协同: party branch, owners' committee and property firm [002, 000].

The only module that reads ``party.tripartite``. A property dispute the firm could not
settle goes to the compound's tripartite body when the compound has a branch and the body
can meet: the owners' committee works, or the firm has a branch of its own (red property,
``PropertyFirm.own_branch``) [000, 002]. Otherwise the grid worker takes the complaint. The
body meets weekly, compounds staggered over the week (day + compound ≡ 0 mod 7), and settles
a case with chance ``party.tripartite_success``; the rest go up to the community
(``PartyBranch.tripartite_meeting``). Its coin is ``tripartite`` (case, day).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import Cadence, Task

if TYPE_CHECKING:
    from commgov.agents.party_branch import TripartiteBody
    from commgov.scenarios.schema import Scenario


class Tripartite(Mechanism):
    """Branch, owners' committee and firm settle property disputes in the compound."""

    name = "tripartite"
    section = "party"
    odd = "7.12"
    sources = ("000", "002")
    after = ("red_property",)        # reads the firm's own branch, set by red property

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.party.tripartite)

    def attach(self) -> None:
        m = self.model
        for c, branch in enumerate(m.branches):
            if branch is not None:
                m.firms[c].mediator = self._mediator(c)

    def _mediator(self, compound: int) -> Callable[[], TripartiteBody | None]:
        m = self.model
        branch = m.branches[compound]
        firm = m.firms[compound]
        committee = m.owners_committees[compound]

        def body() -> TripartiteBody | None:
            return branch.tripartite_body if committee.functional or firm.own_branch else None
        return body

    def tasks(self) -> Iterable[tuple[str, Task]]:
        yield "party branches", Task(
            "institutions act", "tripartite meetings",
            "branch, owners' committee and firm settle property disputes", "7.12",
            Cadence("weekly, compounds staggered ((day + compound) mod 7 = 0)",
                    lambda day: True), self._meetings)

    def _meetings(self, day: int) -> None:
        for b in self.model.branches:
            if b is not None and (day + b.compound) % 7 == 0:
                b.tripartite_meeting()
