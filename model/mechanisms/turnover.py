"""Grid-worker turnover 人员流动 [000].

The only module that decides who leaves: each day each full-time grid worker leaves with
probability ``workers.turnover_per_year`` / 365 (non-establishment posts, 74.3% in Fukang
[000]). What leaving does to the post — vacancy, a successor with no ties, handed-over
cases, old accounts reopening ("新官不理旧账") — is the worker's own state change,
``GridWorker.turnover`` (ODD 7.16). One keyed coin per worker and day
(``turnover.leave``), so a policy that changes the number of workers does not move who
leaves among the others. With a rate of 0 the mechanism is not built and draws nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import DAILY, Task

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class Turnover(Mechanism):
    """Grid workers leave and are replaced; the successor starts with no ties."""

    name = "turnover"
    section = "workers"
    odd = "7.16"
    sources = ("000",)
    after = ("fees",)         # its task follows the fees task

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return params.workers.turnover_per_year > 0

    def tasks(self) -> Iterable[tuple[str, Task]]:
        yield "fees", Task("periodic processes", "turnover",
                           "grid workers leave and are replaced", "7.16", DAILY,
                           lambda day: self.leave())

    def leave(self) -> None:
        """Today's leavers among the full-time workers (cadres doubling as grid workers
        after a merge keep their posts)."""
        m = self.model
        rate = self.p.turnover_per_year / 365.0
        workers = m.workers
        # One coin per worker and day, all at once (the same numbers as keyed() one by one).
        coins = m.streams.keyed_many("turnover.leave", [w.index for w in workers],
                                     m.day).tolist()
        for w, coin in zip(workers, coins, strict=True):
            if not w.cadre and coin < rate:
                w.turnover()
