"""Double reporting 双报到 [001]: which registered party members actually show up.

Party members register with the community where they live as well as at their workplace,
but "most register but do not come" [001]. The only module that reads
``party.activation``: a party member is active with that probability, decided on the
per-flat draw ``Households.settle`` makes for every household it settles (the
``world.households`` stream at build, ``population.moves`` for newcomers), so which flats
hold active members does not depend on whether this is the build or a move. Active members
claim red-station reports (``PartyBranch.active_members``, ODD 7.12) and are more likely to
join activities and councils (``Households.participate``, 7.13). Always built. A share
changed mid-run (the app's lever, a timeline) applies to newcomers from then on, as a
register changes: members who settled earlier keep their state.
"""

from __future__ import annotations

import numpy as np

from commgov.model.mechanisms.base import Mechanism


class DoubleReporting(Mechanism):
    """Registered party members who show up: red-station claims, more participation."""

    name = "double_reporting"
    section = "party"
    odd = "7.12"
    sources = ("001",)

    def start(self) -> None:
        """The households settled at build (before any mechanism existed) are decided now,
        and the branches count their active members again."""
        m = self.model
        self.activate(np.arange(m.households.n))
        m.count_active_members()

    def attach(self) -> None:
        self.model.households.activate = self.activate

    def activate(self, idx: np.ndarray) -> None:
        """Which party members among the households settled in flats ``idx`` are active."""
        hh = self.model.households
        hh.member_active[idx] = hh.party_member[idx] & (hh.activation_draw[idx]
                                                        < self.p.activation)
