"""The parameter record kit: ``P`` (one parameter and its record), ``Control`` (its lever in
the app), ``Section`` (a strict table of parameters) and the per-kind tables sections share.

Kept apart from ``schema`` so a mechanism module can declare its own section
(``model/mechanisms/<name>.py``, class attribute ``params``) without importing the scenario,
which is assembled from the core sections and every mechanism's own (``scenarios.schema``).
Sources are the five papers in ``shared/seeds/`` ([000]–[004]); "assumption" marks a value the
papers do not give.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

COMPOUND_KINDS = ("old", "commercial", "resettlement")
HOUSEHOLD_KINDS = ("local", "resettled", "new_resident", "retiree")
ISSUE_KINDS = ("neighbour", "property", "facility", "service")
DIFFICULTIES = ("small", "big", "hard")


Pair = tuple[str, str]          # (English, Chinese)


@dataclass(frozen=True)
class Control:
    """How the app shows a parameter as a lever (``viz/levers.py`` builds its controls from
    these). ``group`` is an id of ``viz.i18n.GROUPS`` and ``rank`` the lever's place in it;
    ``unit`` an id of ``viz.i18n.UNITS``; ``lo``/``hi``/``step`` the slider in display units,
    where display = model value × ``scale`` (100 for shares shown as %); the slider must stay
    inside the parameter's range. ``disabled_unless`` names a boolean lever that must be on;
    ``live`` means the model reads the value every step, so a change applies the next day
    instead of restarting the run."""

    group: str
    unit: str
    rank: int
    lo: float = 0.0
    hi: float = 1.0
    step: float = 1.0
    scale: float = 1.0
    disabled_unless: str = ""
    live: bool = False


def P(
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    unit: str = "",
    source: str = "assumption",
    doc: str = "",
    label: Pair | None = None,
    help: Pair | None = None,
    control: Control | None = None,
    odd: str = "",
    basis: str | dict[str, str] = "",
) -> Any:
    """A parameter field and its record: default, inclusive range, unit, source (paper or
    'assumption'), meaning; the name people see (``label``, ``help``: English, Chinese), its
    lever in the app (``control``), the ODD submodel that lists it when not its section's
    (``odd``) and what the papers give for the value (``basis``; per kind for a table).
    ``scenarios.loader.flat_parameters`` reads them back; app, ODD and PARAMETERS.md derive
    from them."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    for name, pair in (("label", label), ("help", help)):
        if pair is not None:
            if len(pair) != 2 or not all(isinstance(x, str) and x.strip() for x in pair):
                raise ValueError(f"{name} must be (English, Chinese), both given: {pair!r}")
            extra[name] = tuple(pair)
    if control is not None:
        if label is None:
            raise ValueError(f"a lever needs a label (English, Chinese): {control!r}")
        if not isinstance(default, bool):
            shown = default * control.scale
            if (lo is not None and control.lo / control.scale < lo) or \
                    (hi is not None and control.hi / control.scale > hi) or \
                    not control.lo <= shown <= control.hi:
                raise ValueError(f"slider {control.lo:g}–{control.hi:g} (×{control.scale:g}) "
                                 f"must lie inside the range {lo}–{hi} and hold the default "
                                 f"{default!r}")
        extra["control"] = asdict(control)
    if odd:
        extra["odd"] = odd
    if basis:
        extra["basis"] = basis
    return Field(default, ge=lo, le=hi, description=doc, json_schema_extra=extra)


class Section(BaseModel):
    # NaN and infinities have no meaning for any parameter (and NaN slips past every bound).
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        validate_assignment=True,
        frozen=False,
        allow_inf_nan=False,
    )


MAX_PATH_CHARS = 4096


def _plain_path(value: str) -> str:
    """A file name people can use: no NUL byte, not longer than the system allows."""
    if "\x00" in value:
        raise ValueError("a file path cannot contain a NUL byte")
    if len(value) > MAX_PATH_CHARS:
        raise ValueError(f"the path has {len(value):,} characters; allowed at most "
                         f"{MAX_PATH_CHARS:,}")
    return value


def _each_between(table: BaseModel, what: str, lo: float, hi: float | None = None,
                  *, whole: bool = False, above: bool = False) -> None:
    """Per-kind tables share a wide field range; narrow it to what this quantity can mean."""
    for k, v in table.model_dump().items():
        if (v <= lo if above else v < lo) or (hi is not None and v > hi):
            allowed = f"above {lo:g}" if above else f"{lo:g} or more"
            if hi is not None:
                allowed = f"{allowed} up to {hi:g}" if above else f"{lo:g} to {hi:g}"
            raise ValueError(f"{what}.{k} = {v:g} is out of range: allowed {allowed}")
        if whole and not float(v).is_integer():
            raise ValueError(f"{what}.{k} = {v:g} is not a whole number of days; allowed "
                             f"whole days (it would otherwise be cut to {int(v)})")


# --------------------------------------------------------------------------------------------
# Per-kind tables (explicit fields, so a misspelt kind is an unknown key)
# --------------------------------------------------------------------------------------------
class CompoundMix(Section):
    old: float = P(
        0.4,
        0,
        1,
        unit="share",
        source="[001]",
        doc="Share of compounds that are old compounds (ageing pipes, renters).",
    )
    commercial: float = P(
        0.4,
        0,
        1,
        unit="share",
        source="[001]",
        doc="Share of commercial estates (property firm, owners' committee).",
    )
    resettlement: float = P(
        0.2,
        0,
        1,
        unit="share",
        source="[001]",
        doc="Share of resettlement estates (回迁, past conflicts).",
    )

    @model_validator(mode="after")
    def _sums_to_one(self) -> CompoundMix:
        total = self.old + self.commercial + self.resettlement
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"compound shares must sum to 1 (they sum to {total:g})")
        return self


class KindShares(Section):
    """Household kinds in one compound kind; must sum to 1."""

    local: float = P(0.5, 0, 1, unit="share")
    resettled: float = P(0.0, 0, 1, unit="share")
    new_resident: float = P(0.25, 0, 1, unit="share")
    retiree: float = P(0.25, 0, 1, unit="share")

    @model_validator(mode="after")
    def _sums_to_one(self) -> KindShares:
        total = self.local + self.resettled + self.new_resident + self.retiree
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"household kind shares must sum to 1 (they sum to {total:g})")
        return self


class KindSharesByCompound(Section):
    old: KindShares = KindShares(local=0.40, resettled=0.0, new_resident=0.30, retiree=0.30)
    commercial: KindShares = KindShares(local=0.55, resettled=0.0, new_resident=0.25, retiree=0.20)
    resettlement: KindShares = KindShares(
        local=0.10, resettled=0.60, new_resident=0.10, retiree=0.20
    )


class PerIssueKind(Section):
    neighbour: float = P(1.0, 0, 50)
    property: float = P(1.0, 0, 50)
    facility: float = P(1.0, 0, 50)
    service: float = P(1.0, 0, 50)


class PerHouseholdKind(Section):
    local: float = P(1.0, -50, 50)
    resettled: float = P(1.0, -50, 50)
    new_resident: float = P(1.0, -50, 50)
    retiree: float = P(1.0, -50, 50)


class PerCompoundKindIssue(Section):
    old: PerIssueKind = PerIssueKind(neighbour=1.1, property=0.8, facility=1.8, service=1.2)
    commercial: PerIssueKind = PerIssueKind(neighbour=0.9, property=1.2, facility=0.7, service=0.9)
    resettlement: PerIssueKind = PerIssueKind(
        neighbour=1.4, property=1.0, facility=1.0, service=1.0
    )


class PerCompoundKind(Section):
    old: float = P(0.0, -1, 1)
    commercial: float = P(0.0, -1, 1)
    resettlement: float = P(0.0, -1, 1)


class PerDifficulty(Section):
    small: float = P(1.0, 0, 1000)
    big: float = P(1.0, 0, 1000)
    hard: float = P(1.0, 0, 1000)
