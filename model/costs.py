"""What a run costs, in yuan a year (issue 11, item 2).

One function sums the items: the staff the roster built (grid workers, service centre,
committee cadres), the red stations of the compounds' branches, plus what each active mechanism
adds (``Mechanism.costs``: training, the integrated platform, red property, councils, the
merge's allowance, volunteer-point rewards). Every
price is a parameter of ``[costs]`` (assumptions: the papers give budgets, not prices
[001]). The metrics ``cost_yuan_per_year``, ``cost_per_household_yuan`` and
``cost_per_resolved_yuan_90d`` read it, so every run, sweep and report carries its cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel


def cost_items(m: CommunityModel) -> dict[str, float]:
    """Yuan a year by item, for the whole street as it stands today."""
    p = m.params
    c = p.costs
    grid_fte = m.staffing.grid_fte(m.workers)
    items = {
        "grid workers": grid_fte * c.grid_worker_yuan,
        "service centre": sum(o.service_staff for o in m.offices) * c.service_staff_yuan,
        "committee cadres": sum(o.committee_posts for o in m.offices) * c.cadre_yuan,
        "red stations": float(m.red_station.sum()) * c.red_station_yuan,
    }
    for mech in m.mechanisms:
        for name, value in mech.costs().items():
            items[name] = items.get(name, 0.0) + value
    return items


def cost_per_year(m: CommunityModel) -> float:
    return float(sum(cost_items(m).values()))
