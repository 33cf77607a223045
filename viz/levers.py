"""The controls on the page: every policy lever and the main exogenous settings.

Each control is one scenario parameter (a dotted key of ``scenarios/schema.py``), shown in
a planner's words (``viz/i18n.py``) and in display units (shares as %), with the paper the
schema gives as its source. Values set here become model overrides on top of the chosen
scenario file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from commgov.scenarios.loader import ParamInfo, flat_parameters, load_scenario


@dataclass(frozen=True)
class Lever:
    """One control: a parameter, its group, and how to show it."""

    key: str              # dotted parameter key
    group: str            # id in i18n.GROUPS
    unit: str             # id in i18n.UNITS
    lo: float = 0.0       # slider range in display units (inside the schema's range)
    hi: float = 1.0
    step: float = 1.0
    scale: float = 1.0    # display value = model value × scale (100 for shares as %)
    disabled_unless: str = ""   # key of a boolean lever that must be on
    live: bool = False    # the model reads it every step, so a change applies at the next step

    @property
    def info(self) -> ParamInfo:
        return flat_parameters()[self.key]

    @property
    def is_bool(self) -> bool:
        return self.info.type == "bool"

    @property
    def is_int(self) -> bool:
        return self.info.type == "int"

    @property
    def source(self) -> str:
        return self.info.source

    def to_display(self, value: Any) -> Any:
        if self.is_bool:
            return bool(value)
        shown = float(value) * self.scale
        return int(round(shown)) if self.step >= 1 else round(shown, 6)

    def to_model(self, shown: Any) -> Any:
        if self.is_bool:
            return bool(shown)
        value = float(shown) / self.scale
        return int(round(value)) if self.is_int else value


LEVERS: tuple[Lever, ...] = (
    # Grids and staff [000, 001, 003]
    Lever("grid.merged", "grid", "on/off"),
    Lever("grid.added_staff", "grid", "workers", 0, 10, 1, disabled_unless="grid.merged"),
    Lever("staff.per_10k_residents", "grid", "per10k", 10, 50, 0.5),
    Lever("workers.turnover_per_year", "grid", "%/yr", 0, 50, 1, 100, live=True),
    Lever("workers.training", "grid", "0-100", 0, 100, 5, 100, live=True),
    # Paperwork, platforms, complaint handling [000, 001, 003, 004]
    Lever("workers.task_access_cut", "load", "%", 0, 80, 5, 100, live=True),
    Lever("platform.integrated", "load", "on/off", live=True),
    Lever("loop.closed_loop", "load", "on/off", live=True),
    # Party building and property [000, 001, 002]
    Lever("property.red_property", "party", "on/off", live=True),
    Lever("party.activation", "party", "%", 0, 100, 5, 100),
    # Residents taking part [001, 004]
    Lever("participation.volunteer_points", "residents", "on/off", live=True),
    Lever("council.enabled", "residents", "on/off"),
    # The community: exogenous settings [001, 002, 000, 004]
    Lever("graph.households_per_community", "context", "households", 500, 10_000, 100),
    Lever("graph.communities", "context", "communities", 1, 10, 1),
    Lever("population.turnover_per_year", "context", "%/yr", 0, 40, 1, 100, live=True),
    Lever("population.newcomer_new_resident_share", "context", "%", 0, 100, 5, 100, live=True),
    Lever("population.winter_tide_share", "context", "%", 0, 30, 1, 100, live=True),
    Lever("workers.admin_hours", "context", "h/day", 0, 6, 0.5, live=True),
)
LEVER_BY_KEY: dict[str, Lever] = {lv.key: lv for lv in LEVERS}
# Live levers are read from ``model.params`` on every step (property firms and fee payment
# for red property, the office and grid workers for paperwork and platforms, residents for
# volunteer points, turnover and the winter tide), so changing them mid-run is the policy
# changing on that day. The others shape the model when it is built (graph, staff, grid
# structure, party membership) and restart it.
GROUP_ORDER: tuple[str, ...] = ("grid", "load", "party", "residents", "context")


@cache
def scenario_values(scenario: str) -> dict[str, Any]:
    """The value of every lever's parameter in a scenario file (model units)."""
    from commgov.viz.limits import scenario_source

    data = load_scenario(scenario_source(scenario)).scenario.model_dump()
    out: dict[str, Any] = {}
    for lv in LEVERS:
        node: Any = data
        for part in lv.key.split("."):
            node = node[part]
        out[lv.key] = node
    return out


def lever_values(model: Any) -> dict[str, Any]:
    """Every lever's value as the running model has it (``model.params``), model units.

    The page compares these with its own settings, so a control that the model has not
    caught up with yet is shown as pending, never silently out of step.
    """
    out: dict[str, Any] = {}
    for lv in LEVERS:
        node: Any = model.params
        for part in lv.key.split("."):
            node = getattr(node, part)
        out[lv.key] = node
    return out


def set_live(model: Any, changes: dict[str, Any]) -> None:
    """Change live levers of a running model in place (validated by the schema)."""
    for key, value in changes.items():
        if not LEVER_BY_KEY[key].live:
            raise ValueError(f"{key} is set when the model is built; it needs a restart")
        section, name = key.split(".", 1)
        setattr(getattr(model.params, section), name, value)


def effective(scenario: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Lever values in model units: the scenario's, then the page's overrides."""
    return {**scenario_values(scenario), **overrides}


def clean_overrides(scenario: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Drop overrides equal to the scenario's own value (so 'changed' marks are honest)."""
    base = scenario_values(scenario)
    return {k: v for k, v in overrides.items() if k in base and base[k] != v}


def model_kwargs(overrides: dict[str, Any]) -> dict[str, Any]:
    """Overrides as ``CommunityModel`` keyword arguments (``section__key``)."""
    return {k.replace(".", "__"): v for k, v in overrides.items()}
