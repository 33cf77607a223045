"""The winter tide 冬季候鸟 [001]: elderly parents move in for the heating season.

[001] reports about 15,000 extra residents on 123,000 in the heating season, with more
service requests. On the first day of the heating season (``issues.heating_start_day``)
each occupied household is joined by an elderly parent with probability
``population.winter_tide_share`` (one draw per flat, stream ``population.tide``); they leave
on ``issues.heating_end_day``. A tide household has ``population.tide_service_multiplier``
times the service requests and a retiree who may join activities (``Households``, ODD 7.17).
Always built, so a share changed mid-season (the app's lever, a timeline) takes effect at
the next arrival and the tide still leaves on time; at share 0 nobody comes.
"""

from __future__ import annotations

from collections.abc import Iterable

from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import Task, in_season, on_day_of_year


class WinterTide(Mechanism):
    """Elderly parents join households for the heating season; more service requests."""

    name = "winter_tide"
    section = "population"
    odd = "7.17"
    sources = ("001",)

    def start(self) -> None:
        i = self.model.params.issues
        if in_season(1, i.heating_start_day, i.heating_end_day):
            self.arrive()            # day 0 is 1 January: already winter

    def tasks(self) -> Iterable[tuple[str, Task]]:
        i = self.model.params.issues
        yield "", Task("calendar", "winter tide arrives", "heating-season issue rates start",
                       "7.17", on_day_of_year(i.heating_start_day, "heating season starts"),
                       lambda day: self.arrive())
        yield "winter tide arrives", Task(
            "calendar", "winter tide leaves", "heating-season issue rates end", "7.17",
            on_day_of_year(i.heating_end_day, "heating season ends"),
            lambda day: self.model.households.end_tide())

    def arrive(self) -> None:
        m = self.model
        draw = m.streams.daily("population.tide", m.day).random(m.households.n)
        m.households.start_tide(draw < self.p.winter_tide_share)
