"""Population dynamics 人口流动 [001, 002]: households move out and in, monthly.

[001] reports fast-growing areas (Longqiao +53.8% in six years) and [002] new estates full
of migrants and renters; the ``new_resident_influx`` scenario is this process turned up.
The only module that reads ``population.turnover_per_year`` and
``population.vacancy_fill_per_year``: every 30 days (from day 1) each occupied flat empties
with probability turnover / 12 and each empty flat fills with probability fill / 12 (one
draw per flat, stream ``population.moves``); newcomers are settled by ``Households.settle``
(mostly new residents, ``population.newcomer_new_resident_share``), and the open issues of
those who left are cancelled. Always built: at rates of 0 nobody moves.
"""

from __future__ import annotations

from collections.abc import Iterable

from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import DAYS_PER_MONTH, Task, every


class Population(Mechanism):
    """Households move out and in each month; leavers' issues are cancelled."""

    name = "population"
    section = "population"
    odd = "7.17"
    sources = ("001", "002")
    after = ("winter_tide",)

    def tasks(self) -> Iterable[tuple[str, Task]]:
        yield "winter tide leaves", Task(
            "calendar", "moves", "households move out and in; leavers' issues cancelled",
            "7.17", every(DAYS_PER_MONTH, 0, from_day=1), lambda day: self.moves())

    def moves(self) -> None:
        m = self.model
        left = m.households.move(self.p.turnover_per_year / 12,
                                 self.p.vacancy_fill_per_year / 12)
        if len(left):
            gone = set(left.tolist())
            for issue in [i for i in m.book.open.values() if i.household in gone]:
                m.book.cancel(issue)
        m.count_active_members()
