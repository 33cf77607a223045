"""Timed policies: a scenario's ``[[timeline]]`` changes levers on given days (issue 11).

The only module that reads ``timeline``. A reform rolled out in July or a pilot that ends is
data, not code::

    [[timeline]]
    day = 180
    set = { "platform.integrated" = true }

At the start of each listed day, before anything else happens, the changes are made to
``model.params`` and ``CommunityModel.retune`` re-attaches every mechanism, exactly as when
the app's live levers change; if the staff roster changed (a merge of the grids, hires with
it) the model re-staffs first (``Staffing.restaff``, model/mechanisms/staffing.py). Until
that day the run is the run without the change, draw for draw (it draws nothing itself), so
a timed scenario and its base compare on the same seed. The loader allows the parameters the
model reads every day and the roster's (``scenarios.loader.timed_keys``); what else is built
at day 0 (the graph, branches, owners' committees) cannot change mid-run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import Cadence, Task

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.scenarios.schema import Scenario


class Timeline(Mechanism):
    """Timed changes of levers on given days (a reform mid-year, a pilot that ends)."""

    name = "timeline"
    section = "timeline"
    odd = "7.19"
    sources = ()

    def __init__(self, model: CommunityModel) -> None:
        super().__init__(model)
        self.steps: dict[int, dict[str, Any]] = {s.day: dict(s.set) for s in self.p}

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.timeline)

    def set_by_hand(self, keys: Iterable[str]) -> None:
        """A lever changed by hand (the app) keeps the hand's value: later steps no longer
        change it."""
        day = self.model.day
        for d, changes in self.steps.items():
            if d >= day:
                for key in keys:
                    changes.pop(key, None)

    def tasks(self) -> Iterable[tuple[str, Task]]:
        steps = {d: c for d, c in self.steps.items() if c}
        days = ", ".join(str(d) for d in steps) or "none left"
        yield "", Task("calendar", "timed changes", "the scenario's [[timeline]] sets levers",
                       "7.19", Cadence(f"on days {days}", lambda day: day in steps),
                       lambda day: self.model.set_params(steps[day]))
