"""Ready-made classroom lessons: settings to load with one click, what to watch.

A lesson loads the *before* state (``explore``, which is A) so there is something to see:
red property, for instance, starts a community at 96% fee collection, so a lesson about it
starts at the status quo's 60% and the class switches red property on mid-run (a live
lever, see ``viz/levers.py``) and watches fees climb. The change is ``B − A`` in lever
values (``Lesson.change``), shown as "before → after". The words (question, what to change,
mechanism, things to notice and try) live in ``viz/i18n.py`` under ``LESSONS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Setup:
    """A scenario file plus lever overrides (dotted keys, model units)."""

    scenario: str = "baseline"
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    id: str
    papers: tuple[str, ...]
    explore: Setup              # loaded into 'Explore' with one click
    a: Setup                    # the comparison it suggests
    b: Setup
    watch: tuple[str, ...]      # metric names
    colour_by: str = "issue"

    def change(self) -> dict[str, Any]:
        """The levers that turn A into B (model units): what the lesson asks to change."""
        from commgov.viz.levers import effective
        va = effective(self.a.scenario, self.a.overrides)
        vb = effective(self.b.scenario, self.b.overrides)
        return {k: vb[k] for k in va if va[k] != vb[k]}


LESSONS: tuple[Lesson, ...] = (
    Lesson("grid_merge", ("000", "001"),
           explore=Setup("baseline"),
           a=Setup("baseline"), b=Setup("grid_merge"),
           watch=("on_time_share", "office_wait_share_90d", "formalism_share",
                  "office_uncovered_share"),
           colour_by="issue"),
    Lesson("red_property", ("000", "001"),
           explore=Setup("baseline"),
           a=Setup("baseline"), b=Setup("red_property"),
           watch=("fee_collection_rate", "property_complaint_share", "trust_mean",
                  "firm_quality_mean"),
           colour_by="fee"),
    Lesson("new_residents", ("001", "002", "004"),
           explore=Setup("new_resident_influx"),
           a=Setup("new_resident_influx"),
           b=Setup("new_resident_influx", {"participation.volunteer_points": True}),
           watch=("participation_rate", "silent_share", "trust_mean"),
           colour_by="participation"),
    Lesson("winter_tide", ("001",),
           explore=Setup("baseline"),
           a=Setup("baseline"), b=Setup("winter_tide"),
           watch=("issues_open", "on_time_share", "residents"),
           colour_by="issue"),
    Lesson("paperwork", ("000", "001", "004"),
           explore=Setup("baseline"),
           a=Setup("baseline"), b=Setup("task_access_list"),
           watch=("worker_field_share", "on_time_share", "office_uncovered_share"),
           colour_by="issue"),
    # What a budget buys (issue 11): two mixes costing about the same in the app's default
    # community (3,000 households, 10 compounds), some 150,000 yuan a year over the status
    # quo at the [costs] prices (assumptions). [001] gives the scale:
    # "兖州区每个社区党组织服务群众专项经费每年只有约20万元" (Xiayang: about 580,000). More
    # staff (21.5 instead of 18 per 10,000 residents [001]), or red property [000] plus the
    # integrated platform [000, 003].
    Lesson("secretary_day", ("001",),
           explore=Setup("baseline"),
           a=Setup("baseline"), b=Setup("secretary_day"),
           watch=("silent_left_share", "secretary_heard_total", "grievance_mean",
                  "escalated_share", "trust_mean"),
           colour_by="issue"),
    Lesson("mediation_room", ("000",),
           explore=Setup("baseline"),
           a=Setup("baseline"), b=Setup("mediation_room"),
           watch=("neighbour_repeat_share", "escalated_share", "mediation_settled_total",
                  "neighbour_petitions_per_1k", "trust_mean"),
           colour_by="issue"),
    Lesson("social_organisations", ("004",),
           explore=Setup("neighbourhood_council"),
           a=Setup("neighbourhood_council"),
           b=Setup("neighbourhood_council", {"social_orgs.incubated": True}),
           watch=("participation_rate_non_retired", "participation_rate_retired",
                  "participation_rate", "trust_mean"),
           colour_by="participation"),
    Lesson("budget", ("000", "001", "003"),
           explore=Setup("baseline", {"staff.per_10k_residents": 21.5}),
           a=Setup("baseline", {"staff.per_10k_residents": 21.5}),
           b=Setup("red_property", {"platform.integrated": True}),
           watch=("cost_yuan_per_year", "fee_collection_rate", "office_wait_share_90d",
                  "worker_field_share", "trust_mean"),
           colour_by="fee"),
)
LESSON_BY_ID: dict[str, Lesson] = {ls.id: ls for ls in LESSONS}
