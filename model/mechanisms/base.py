"""The ``Mechanism`` base: one home per policy or process (issue 10; ARCHITECTURE.md).

A mechanism is a module a newcomer can read top to bottom: which schema section holds its
parameters, the one place its policy switch is read (``active`` and the mechanism's own
methods), what it sets on the institutions when the model is built, the tasks it adds to
the declared day and the metrics it contributes. Institutions (``agents/``) keep state and
expose *terms* (plain attributes they sum or apply without asking which policy set them)
and *hooks* (an optional object they call at one point, ``None`` when nothing is attached),
so the hot paths stay plain Python. Its random draws use streams named after it
(``model.streams.keyed(f"{name}.{purpose}", ...)``), so switching it on or off moves no
other mechanism's numbers.

Order of building (``CommunityModel.__init__``):

1. ``contribute(roster)`` for every active mechanism, before any institution exists: what
   the staffing rule must know (posts hired, cadres sent to the field);
2. the institutions are built from the roster;
3. ``start()`` once: the mechanism's own state on the institutions (e.g. what is still to
   learn after a merge);
4. ``attach()``: terms and hooks on workers, offices, the hotline. It only *sets* terms, so
   it can run again: when the app changes a live lever mid-run, ``CommunityModel.retune``
   resets every institution's terms and attaches the active mechanisms afresh;
5. ``begin()`` once, when every mechanism has attached: first acts that need all terms
   (the first fee payment);
6. ``tasks()`` are placed in the day plan, each after a named task of the model's day.

Mechanisms are attached in ``MECHANISMS`` order, which respects each one's ``after``
(checked by ``ordered``), so a later mechanism may refine what an earlier one set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.model.metric import Metric
    from commgov.model.schedule import Task
    from commgov.scenarios.records import Section
    from commgov.scenarios.schema import Scenario


@dataclass
class Roster:
    """What mechanisms add to the staffing rule before the institutions are built."""

    office_backfill: float = 0.0      # service-centre posts hired per community (FTE)
    cadre_field_share: float = 0.0    # share of each committee cadre's day spent in the field
    # Share of pushed-down tasks blocked (needs-based staffing sizes posts to what is left);
    # not a re-staffing matter when it changes mid-run, so not compared.
    admin_cut: float = field(default=0.0, compare=False)


class Mechanism:
    """Base class: subclasses set the class attributes and override what they need."""

    name: ClassVar[str]                       # stable key: stream prefix, schedule label
    section: ClassVar[str]                    # schema section with its parameters
    # The section's class when this mechanism owns it (declared in its module; the scenario
    # schema adds it as ``section``); None for a section of the core schema.
    params: ClassVar[type[Section] | None] = None
    odd: ClassVar[str]                        # ODD submodel section
    sources: ClassVar[tuple[str, ...]] = ()   # papers, e.g. ("000", "001")
    after: ClassVar[tuple[str, ...]] = ()     # mechanisms whose terms this one refines
    # Its metrics (``model/metric.py`` records), collected every day, 0 when it is off.
    metrics: ClassVar[tuple[Metric, ...]] = ()

    def __init__(self, model: CommunityModel) -> None:
        self.model = model
        self.p: Any = getattr(model.params, self.section)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        """Whether the scenario switches it on (inactive: not built, draws nothing)."""
        return True

    def contribute(self, roster: Roster) -> None:
        """Before the institutions exist: terms of the staffing rule."""

    def start(self) -> None:
        """Once, after the institutions exist: the mechanism's own state on them."""

    def attach(self) -> None:
        """Set terms and hooks on the institutions (may run again after a live change)."""

    def begin(self) -> None:
        """Once at build, after every mechanism has attached: first acts that need every
        term in place (the first fee payment). Not called again by ``retune``."""

    def costs(self) -> dict[str, float]:
        """Yuan a year this mechanism adds, by item (``model/costs.py`` sums them)."""
        return {}

    def set_by_hand(self, keys: Iterable[str]) -> None:
        """Levers the app just changed by hand (``CommunityModel.retune``); most
        mechanisms need not care."""

    def tasks(self) -> Iterable[tuple[str, Task]]:
        """Tasks for the day plan, each as (name of the task it follows, task); a name of
        "" puts the task at the start of the day."""
        return ()

    def describe(self) -> str:
        """One line for ``run.py schedule``: name, ODD section, papers."""
        papers = ", ".join(self.sources)
        return f"{self.name:<20} ODD {self.odd:<6} [{papers}]  {type(self).__doc__.splitlines()[0]}"


def ordered(classes: Iterable[type[Mechanism]]) -> list[type[Mechanism]]:
    """The mechanisms in a valid order: each after the ones it names in ``after``.

    Raises ValueError naming the mechanism on a duplicate name, an unknown name in
    ``after`` or a cycle."""
    classes = list(classes)
    by_name: dict[str, type[Mechanism]] = {}
    for c in classes:
        if c.name in by_name:
            raise ValueError(f"two mechanisms are called {c.name!r}")
        by_name[c.name] = c
    done: list[type[Mechanism]] = []
    seen: set[str] = set()

    def visit(c: type[Mechanism], path: tuple[str, ...]) -> None:
        if c.name in seen:
            return
        if c.name in path:
            raise ValueError(f"mechanisms depend on each other in a cycle: "
                             f"{' -> '.join(path + (c.name,))}")
        for dep in c.after:
            if dep not in by_name:
                raise ValueError(f"mechanism {c.name!r} comes after {dep!r}, which does "
                                 f"not exist")
            visit(by_name[dep], path + (c.name,))
        seen.add(c.name)
        done.append(c)

    for c in classes:
        visit(c, ())
    return done
