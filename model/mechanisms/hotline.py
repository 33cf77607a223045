"""The 12345 hotline's dispatch 派单 [001, 003]: tickets go back down to the community.

The only module that reads ``channels.hotline_dispatch_days`` and
``channels.other_hotline_tickets``. A ticket about a community matter is dispatched back
down after ``hotline_dispatch_days`` (the city platform's round trip; an integrated
platform, ``platform.py``, which comes after this module, makes it 0 [000, 003]) to the
compound's handler: the property firm for a property matter the firm has not tried, else
the household's grid worker (``IssueBook.route_to_compound_handler``) [001]. The hotline
also takes tickets on matters outside community governance (utilities, traffic…), about
``other_hotline_tickets`` per occupied household a year, which is why property is "only"
13.3% of all tickets while being the largest category [001]. The ``Hotline`` agent keeps its
state (tickets held, dispatched) and uses the terms set here. Always built.
"""

from __future__ import annotations

from commgov.model.lifecycle import Issue
from commgov.model.mechanisms.base import Mechanism


class HotlineDispatch(Mechanism):
    """12345 tickets come back down to the compound's handler after the dispatch delay."""

    name = "hotline"
    section = "channels"
    odd = "7.6"
    sources = ("001", "003")

    def attach(self) -> None:
        h = self.model.hotline
        h.dispatch_days = self.p.hotline_dispatch_days
        h.dispatch = self.dispatch
        h.other_tickets = self.p.other_hotline_tickets

    def dispatch(self, issue: Issue) -> None:
        """Where a ticket goes once it is back down: the compound's handler."""
        self.model.book.route_to_compound_handler(issue)
