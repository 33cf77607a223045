"""The controls on the page: every policy lever and the main exogenous settings.

Each control is one scenario parameter whose record in ``scenarios/schema.py`` carries a
``Control`` (group, slider range in display units, scale, live) and its planner's name in
English and Chinese; ``LEVERS`` here is a view of those records, so giving a parameter a
lever is one edit at the parameter. Values set here become model overrides on top of the
chosen scenario file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from commgov.scenarios.loader import ParamInfo, flat_parameters, load_scenario

Pair = tuple[str, str]
# The page's groups, top to bottom (labels in ``i18n.GROUPS``); a lever's record names its
# group and its rank inside it.
GROUP_ORDER: tuple[str, ...] = ("grid", "load", "party", "residents", "context")


@dataclass(frozen=True)
class Lever:
    """One control: a parameter, its group, and how to show it (from its ``Control``)."""

    key: str              # dotted parameter key
    group: str            # id in i18n.GROUPS
    unit: str             # id in i18n.UNITS
    lo: float = 0.0       # slider range in display units (inside the schema's range)
    hi: float = 1.0
    step: float = 1.0
    scale: float = 1.0    # display value = model value × scale (100 for shares as %)
    disabled_unless: str = ""   # key of a boolean lever that must be on
    live: bool = False    # the model reads it every step, so a change applies at the next step
    rank: int = 0         # place in its group
    label: Pair = ("", "")      # (English, Chinese), from the parameter's record
    help: Pair = ("", "")

    @property
    def info(self) -> ParamInfo:
        return _records()[self.key]

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


@cache
def _records() -> dict[str, ParamInfo]:
    """The parameters' records, read once: the schema does not change while the app runs
    (``Lever.info`` is read for every control on every render)."""
    return flat_parameters()


def levers_from(params: Mapping[str, ParamInfo]) -> tuple[Lever, ...]:
    """The page's levers: every parameter whose record has a ``Control``, by group
    (``GROUP_ORDER``) and rank. An unknown group or a duplicate place is refused."""
    found = []
    for key, p in params.items():
        if p.control is None:
            continue
        if p.control.group not in GROUP_ORDER:
            raise ValueError(f"{key}: lever group {p.control.group!r} is not one of "
                             f"{', '.join(GROUP_ORDER)}")
        found.append(Lever(key, label=p.label, help=p.help, **asdict(p.control)))
    found.sort(key=lambda lv: (GROUP_ORDER.index(lv.group), lv.rank))
    places = [(lv.group, lv.rank) for lv in found]
    if len(set(places)) != len(places):
        raise ValueError(f"two levers share a place (group, rank): {places}")
    return tuple(found)


LEVERS: tuple[Lever, ...] = levers_from(_records())
LEVER_BY_KEY: dict[str, Lever] = {lv.key: lv for lv in LEVERS}
# Live levers are read from ``model.params`` on every step (property firms and fee payment
# for red property, the office and grid workers for paperwork and platforms, residents for
# volunteer points, turnover and the winter tide), so changing them mid-run is the policy
# changing on that day. The others shape the model when it is built (graph, staff, grid
# structure, party membership) and restart it.


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


@cache
def timeline_keys(scenario: str) -> frozenset[str]:
    """Levers the scenario's ``[[timeline]]`` changes during the run."""
    from commgov.viz.limits import scenario_source

    steps = load_scenario(scenario_source(scenario)).scenario.timeline
    return frozenset(k for step in steps for k in step.set)


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
    """Change live levers of a running model in place, by hand (``CommunityModel.set_params``:
    the mechanisms re-set their terms, and a timeline leaves these levers alone)."""
    for key in changes:
        if not LEVER_BY_KEY[key].live:
            raise ValueError(f"{key} is set when the model is built; it needs a restart")
    if changes:
        model.set_params(changes, by_hand=True)


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
