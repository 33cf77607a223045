"""The scenario schema: every model parameter and its record — default, allowed range, unit,
source, meaning, and where it has them its names in English and Chinese, its lever in the
app (``Control``), its ODD table and the basis of its value. Everything else that lists
parameters (the app's levers and labels, report labels, docs/PARAMETERS.md, the ODD tables)
is generated from these records (``scenarios.loader.flat_parameters``).

A scenario file (TOML) sets any subset of these; everything else keeps the default below.
Sources are the five papers in ``shared/seeds/`` by file-name prefix:

- [000] 000_091c42e6dee6ce18.txt  Fukang, Xinjiang: practice and dilemmas of community governance
- [001] 001_3296d749a38c8d0d.txt  Yanzhou, Shandong: party-building-led governance, staffing
- [002] 002_d8e02595753562c2.txt  Hangzhou: communities of new residents, tripartite coordination
- [003] 003_f8999e6b4082e481.txt  Xingfu, Suqian: grid-based governance
- [004] 004_263ff3993d0edd22.txt  Nantong: micro-governance and neighbourhood councils

"assumption" marks a value the papers do not give; its reasoning is in the description.
Validation is strict: unknown keys, wrong types and out-of-range values are refused
(see ``scenarios.loader`` for the messages people see).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Literal

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


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------
class GraphSpec(Section):
    """The neighbourhood graph: street ⊃ community ⊃ grid ⊃ compound ⊃ building ⊃ household."""

    ODD_SECTION: ClassVar[str] = "graph"

    communities: int = P(
        1,
        1,
        200,
        unit="communities",
        source="[001]",
        doc="Communities in the street (a street of several communities).",
        label=("Communities in the street", "街道内社区数"),
        help=("More than one community makes a street.", "多个社区组成一个街道。"),
        control=Control("context", "communities", 2, lo=1, hi=10),
    )
    households_per_community: int = P(
        3000,
        50,
        50_000,
        unit="households",
        source="[001]",
        doc="Households per community; [001] gives communities of 5,000 to 15,000 residents.",
        label=("Households in the community", "社区户数"),
        help=(
            "[001]: communities of 5,000 to 15,000 residents (about 2,000–6,000 households).",
            "[001]：社区常住人口 5 千至 1.5 万（约 2 千至 6 千户）。",
        ),
        control=Control("context", "households", 1, lo=500, hi=10000, step=100),
    )
    grids_per_community: int = P(
        5,
        1,
        200,
        unit="grids",
        source="[003]",
        doc="Grids per community (4-6 for ~3,000 households).",
    )
    compounds_per_community: int = P(
        10, 1, 500, unit="compounds", source="[003]", doc="Compounds (小区) per community."
    )
    compound_mix: CompoundMix = CompoundMix()
    households_per_building: int = P(
        24,
        2,
        500,
        unit="households",
        source="assumption",
        doc="Mean households per building (楼栋): a 6-storey, "
        "2-unit walk-up with 2 flats a landing.",
    )
    building_tie_prob: float = P(
        0.25,
        0,
        1,
        unit="probability",
        source="[004]",
        doc="Chance two households of one building know each other (dense ties within a building).",
    )
    compound_ties: int = P(
        2,
        0,
        20,
        unit="ties per household",
        source="[004]",
        doc="Small-world ties to other buildings of the same compound "
        "(sparse: a stranger society).",
    )
    cross_compound_ties: float = P(
        0.05, 0, 5, unit="ties per household", source="[004]", doc="Ties across compounds (few)."
    )
    file: str = P(
        "",
        source="planner's data",
        doc="Load a planner's graph instead: a GraphML file, or an edge list "
        "(CSV 'source,target') with `node_table`. Relative to the scenario "
        "file. Empty = generate from the spec above.",
        basis="planner's data (empty: generated graph)",
    )
    node_table: str = P(
        "",
        source="planner's data",
        doc="CSV with columns node,building,compound,grid,community,"
        "compound_kind for an edge-list `file`.",
        basis="planner's data (empty: generated graph)",
    )

    @model_validator(mode="after")
    def _paths(self) -> GraphSpec:
        for key in ("file", "node_table"):
            try:
                _plain_path(getattr(self, key))
            except ValueError as e:
                raise ValueError(f"{key}: {e}") from None
        return self


class HouseholdParams(Section):
    """Who lives there [001, 002, 004]."""

    ODD_SECTION: ClassVar[str] = "households"

    kinds: KindSharesByCompound = P(
        KindSharesByCompound(),
        unit="share",
        source="[001, 002]",
        doc="Household kinds in each compound kind: old compounds "
        "hold renters and retirees, resettlement estates the "
        "resettled (回迁) [001], new residents everywhere [002].",
    )
    residents_per_household: float = P(
        2.62,
        1,
        8,
        unit="persons",
        source="assumption",
        doc="China's 2020 census mean urban household size; "
        "converts households to residents for staffing.",
        basis="external figure: 2020 census urban household size",
    )
    party_member_share: float = P(
        0.08,
        0,
        1,
        unit="share of households",
        source="assumption",
        doc="Households with a resident party member (~7% of Chinese adults are members).",
    )
    initial_occupancy: float = P(
        0.95,
        0.1,
        1,
        unit="share",
        source="[001]",
        doc="Share of flats occupied at day 0 (new estates fill up).",
    )
    initial_trust: PerHouseholdKind = P(
        PerHouseholdKind(local=0.55, resettled=0.45, new_resident=0.35, retiree=0.6),
        unit="trust 0-1",
        source="[000, 002, 004]",
        doc="Mean initial trust by household kind: strangers' "
        "society [004], weak belonging of newcomers [002], "
        "past conflicts of the resettled [001].",
    )
    trust_spread: float = P(0.12, 0, 0.5, unit="trust sd", doc="Spread of initial trust.")

    @model_validator(mode="after")
    def _trust_in_range(self) -> HouseholdParams:
        for k in HOUSEHOLD_KINDS:
            v = getattr(self.initial_trust, k)
            if not 0 <= v <= 1:
                raise ValueError(f"initial_trust.{k} = {v:g} must be between 0 and 1")
        return self


class IssueParams(Section):
    """Issues arise by kind at rates set by compound kind, household kind and season."""

    ODD_SECTION: ClassVar[str] = "issues"

    base_rate: PerIssueKind = P(
        PerIssueKind(neighbour=0.30, property=0.30, facility=0.20, service=0.30),
        unit="issues per household per year",
        source="[001]",
        doc="Issues by kind before multipliers; property ≈ 0.3 gives "
        "~0.045 property hotline tickets per household-year, "
        "Yanzhou's 4,225 tickets on ~244,000 residents [001].",
        basis={
            "property": "calibrated: property share of tickets 13.3% [001] (target 2)",
        },
    )
    compound_multiplier: PerCompoundKindIssue = P(
        PerCompoundKindIssue(),
        unit="x",
        source="[001]",
        doc="Issue rates by compound kind: old compounds have ageing pipes (facility), "
        "resettlement estates old conflicts (neighbour), estates more fee disputes.",
    )
    kind_multiplier: PerHouseholdKind = P(
        PerHouseholdKind(local=1.0, resettled=1.3, new_resident=0.8, retiree=1.2),
        unit="x",
        source="[001, 002]",
        doc="Issue rates by household kind: resettled "
        "residents bring past conflicts [001]; retirees "
        "need services.",
    )
    heating_facility_multiplier: float = P(
        2.0,
        1,
        10,
        unit="x",
        source="[001]",
        doc="Facility issues in the heating season (ageing heating pipes in old compounds).",
    )
    heating_start_day: int = P(
        319,
        1,
        365,
        unit="day of year",
        source="[001]",
        doc="Heating season start (15 Nov, northern China).",
        basis="external figure: northern heating season from 15 Nov",
    )
    heating_end_day: int = P(
        74, 1, 365, unit="day of year", source="[001]", doc="Heating season end (15 Mar).",
        basis="external figure: northern heating season to 15 Mar",
    )
    difficulty_shares: PerDifficulty = P(
        PerDifficulty(small=0.6, big=0.3, hard=0.1),
        unit="share",
        source="[001, 003]",
        doc="Small, big and hard matters (小事/大事/难事); must sum to 1.",
    )
    deadline_days: PerDifficulty = P(
        PerDifficulty(small=1, big=2, hard=7),
        unit="days",
        source="[003]",
        doc="The time promise 小事不过夜、大事不过天、难事不过周: "
        "handled within this many days counts as on time.",
        basis={
            "small": "paper: 小事不过夜 (overnight = 1 day) [003]",
            "big": "paper: 大事不过天 (read as 2 days) [003]",
            "hard": "paper: 难事不过周 (1 week) [003]",
        },
    )
    grievance_silent: float = P(
        0.3,
        0,
        5,
        unit="grievance",
        source="[001]",
        doc="Grievance added when a household stays silent.",
        odd="trust",
    )
    grievance_per_overdue_day: float = P(
        0.03,
        0,
        1,
        unit="grievance/day",
        doc="Grievance a household accrues each day its reported issue is past the time promise.",
        odd="trust",
    )
    grievance_decay_per_year: float = P(
        0.5, 0, 1, unit="share/year", doc="Share of grievance that fades over a year.",
        odd="trust",
    )

    @model_validator(mode="after")
    def _shares(self) -> IssueParams:
        d = self.difficulty_shares
        total = d.small + d.big + d.hard
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"difficulty_shares must sum to 1 (they sum to {total:g})")
        _each_between(d, "difficulty_shares", 0, 1)
        _each_between(self.kind_multiplier, "kind_multiplier", 0, 50)
        _each_between(self.deadline_days, "deadline_days", 0, 365, whole=True)
        if self.heating_start_day == self.heating_end_day:
            raise ValueError(f"heating_start_day and heating_end_day are both "
                             f"{self.heating_start_day}: a season needs a start and a "
                             f"different end day")
        return self


class ChannelParams(Section):
    """Reporting channel choice: multinomial logit on trust and grievance [000, 001, 003]."""

    ODD_SECTION: ClassVar[str] = "channels"

    grid_constant: float = P(
        0.0,
        -10,
        10,
        unit="utility",
        source="[003]",
        doc="Grid worker visit/phone (the reference channel).",
    )
    wechat_constant: float = P(
        -0.4, -10, 10, unit="utility", source="[003]", doc="WeChat group / red station (红色驿站)."
    )
    hotline_constant: float = P(-1.5, -10, 10, unit="utility", source="[001]", doc="12345 hotline.")
    silent_constant: float = P(
        -0.2,
        -10,
        10,
        unit="utility",
        source="[003]",
        doc="Stay silent ('governance is not my job').",
    )
    trust_weight: float = P(
        2.0,
        0,
        10,
        unit="utility per trust",
        doc="Trust pulls reports to the grid and WeChat channels.",
    )
    relationship_weight: float = P(
        1.5, 0, 10, unit="utility", doc="Knowing one's grid worker pulls reports to the grid."
    )
    grievance_weight: float = P(
        1.0,
        0,
        10,
        unit="utility per grievance",
        source="[001]",
        doc="Grievance pushes reports to the hotline (going over heads).",
    )
    property_hotline_bonus: float = P(
        1.5,
        0,
        10,
        unit="utility",
        source="[001]",
        doc="Property complaints go to the hotline more often.",
        basis="calibrated: property share of tickets [001] (target 2)",
    )
    silence_by_kind: PerHouseholdKind = P(
        PerHouseholdKind(local=0.0, resettled=0.2, new_resident=0.8, retiree=0.4),
        unit="utility",
        source="[001, 002, 003]",
        doc="Extra pull to silence: newcomers' weak "
        "belonging [002], elders who 'do not want to "
        "cause trouble' [001].",
    )
    wechat_groups: bool = P(
        True, source="[003]", doc="Compound WeChat groups exist (red stations need a branch)."
    )
    hotline_dispatch_days: int = P(
        2,
        0,
        30,
        unit="days",
        source="[001]",
        doc="Days for 12345 to dispatch a ticket to the community.",
        odd="hotline",
    )
    other_hotline_tickets: float = P(
        0.25,
        0,
        5,
        unit="tickets/household/year",
        source="[001]",
        doc="Hotline tickets on matters outside community "
        "governance (utilities, traffic…); [001]: 31,838 "
        "tickets in Yanzhou 2021 ≈ 0.34/household/year.",
        odd="hotline",
        basis=(
            "paper figure: 31,838 tickets a year in Yanzhou [001], calibrated with the property "
            "rate (target 2)"
        ),
    )


class StaffParams(Section):
    """Staffing: the allocation rule, staff per 10,000 residents and fixed committee posts
    [001, 003]. The formula is in ODD 7.3 (``model.mechanisms.staffing.staff_posts``)."""

    ODD_SECTION: ClassVar[str] = "staffing"

    allocation: Literal["fixed_posts", "per_capita", "needs_based"] = P(
        "fixed_posts",
        source="[001, 003]",
        doc="How a community's posts are set. fixed_posts: the same committee posts in every "
        "community [001] plus grid workers and service staff in proportion to its population, "
        "at the density the per-10,000 standard gives a typical community (reference_"
        "households) [003]; per_capita: the per-10,000 quota applied to each community, "
        "committee included; needs_based: posts sized to the expected case load and office work.",
    )
    reference_households: int = P(
        3000,
        50,
        50_000,
        unit="households",
        source="[001, 003]",
        doc="The typical community the per-10,000 standard is met in under fixed_posts "
        "(about 7,500 residents; [001] gives communities of under 5,000 to over 15,000).",
        basis=(
            "paper range: communities of 5,000-15,000 residents [001]; the default community "
            "(~7,500 residents)"
        ),
    )
    needs_field_load: float = P(
        0.6,
        0.05,
        1,
        unit="share of field hours",
        source="assumption",
        doc="needs_based only: share of a grid worker's field hours the expected case load "
        "should fill (the rest is visits and slack).",
    )

    per_10k_residents: float = P(
        18.0,
        1,
        200,
        unit="staff per 10,000 residents",
        source="[001]",
        doc="Full-time community staff; 18 is Shandong's standard, "
        "24.5 Yanzhou 2021, 43.9 with 2022's welfare posts.",
        label=("Community staff per 10,000 residents", "每万名居民配备社区工作者"),
        help=(
            "18 is Shandong's standard, 24.5 Yanzhou 2021, 43.9 with 2022's welfare posts.",
            "山东标准 18 人，兖州 2021 年 24.5 人，2022 年 43.9 人。",
        ),
        control=Control("grid", "per10k", 3, lo=10, hi=50, step=0.5),
        basis="paper figure: 18 per 10,000, Shandong standard [001]",
    )
    committee_posts: int = P(
        7,
        0,
        50,
        unit="posts per community",
        source="[001]",
        doc="'Two committees' posts, the same in every community.",
        basis="paper figure: 7 posts per community [001]",
    )
    grid_post_share: float = P(
        0.8,
        0,
        1,
        unit="share",
        source="[003]",
        doc="Share of non-committee staff posted as grid workers (the "
        "rest staff the service centre); 0.8 gives ~600 households "
        "per worker at 18 per 10,000 [003] (fixed_posts and per_capita).",
        basis="calibrated: ~600 households per worker [003] (target 4)",
    )
    households_per_worker: int = P(
        0,
        0,
        100_000,
        unit="households",
        source="[003]",
        doc="If > 0, set grid workers directly at one per this many "
        "households instead of from per_10k_residents.",
    )
    hours_per_day: float = P(
        8.0, 1, 16, unit="hours/day", source="[003]", doc="A staff member's working day.",
        basis="assumption: an 8-hour working day",
    )

    @model_validator(mode="after")
    def _some_grid_workers(self) -> StaffParams:
        if self.households_per_worker == 0 and self.grid_post_share <= 0:
            raise ValueError("grid_post_share = 0 posts no grid workers from "
                             "per_10k_residents (the model would quietly keep one); allowed "
                             "above 0, or set households_per_worker > 0 instead")
        return self


class WorkerParams(Section):
    """Grid workers: time budget, administrative load, skill, mediation, turnover."""

    ODD_SECTION: ClassVar[str] = "grid_worker"

    admin_hours: float = P(
        3.0,
        0,
        16,
        unit="hours/day",
        source="[000, 004]",
        doc="Administrative tasks pushed down to each grid worker "
        "(ledgers, inspections, platform reports).",
        label=("Paperwork pushed down to each grid worker", "每名网格员承担的下派事务"),
        help=(
            "Ledgers, inspections, platform reports: 'a thousand threads above, one needle "
            "below'.",
            "台账、检查、平台填报：“上面千条线，下面一根针”。",
        ),
        control=Control("context", "h/day", 6, hi=6, step=0.5, live=True),
    )
    office_admin_fixed_hours: float = P(
        40.0,
        0,
        500,
        unit="hours/day per community",
        source="[000, 004]",
        doc="Departmental tasks every community office must "
        "cover whatever its size (ledgers, inspections, "
        "meetings). Recalibrated from 24 to 40 (with the per-10k part 37 -> 17) so the "
        "default community's demand stays ~53 h/day while the fixed part dominates, as "
        "[000] reports: small communities cannot both sink cadres and keep the office.",
        odd="office",
        basis=(
            "assumption, recalibrated: default demand ~53 h/day kept; fixed part dominant as "
            "[000] reports"
        ),
    )
    office_admin_hours_per_10k: float = P(
        17.0,
        0,
        500,
        unit="hours/day per 10,000 residents",
        source="[000, 001, 004]",
        doc="Tasks that grow with population (censuses, "
        "social-security drives); with fixed committee "
        "posts, large communities fall short [001].",
        odd="office",
        basis="assumption, recalibrated with the fixed part",
    )
    spill_share: float = P(
        0.5,
        0,
        1,
        unit="share",
        source="[000, 004]",
        doc="Share of office work the office cannot cover that is pushed "
        "onto grid workers; the rest is left undone (assumption).",
        odd="office",
    )
    task_access_cut: float = P(
        0.0,
        0,
        1,
        unit="share",
        source="[001]",
        doc="Share of pushed-down tasks a task access list (准入清单) blocks.",
        label=("Tasks blocked by a task access list (准入清单)", "准入清单挡住的下派事务"),
        help=("Share of departments' pushed-down tasks refused.", "被拒绝的部门下派事务比例。"),
        control=Control("load", "%", 1, hi=80, step=5, scale=100, live=True),
    )
    certified_share: float = P(
        0.077,
        0,
        1,
        unit="share",
        source="[000]",
        doc="Staff with a social-worker certificate (7.7% in Fukang).",
        basis="paper figure: 7.7% certified [000]",
    )
    training: float = P(
        0.0,
        0,
        1,
        unit="0-1",
        source="[000]",
        doc="Professional training level; raises mediation skill.",
        label=("Professional training of grid workers", "网格员专业培训"),
        help=(
            "Raises mediation skill; 0 = none, 100 = sustained programme.",
            "提高调解能力；0 = 无培训，100 = 持续系统培训。",
        ),
        control=Control("grid", "0-100", 5, hi=100, step=5, scale=100, live=True),
    )
    hours_per_case: PerDifficulty = P(
        PerDifficulty(small=0.75, big=2.0, hard=4.0),
        unit="hours",
        source="assumption",
        doc="Grid-worker time to mediate a case; set so a "
        "baseline worker's field time is ~80% used.",
        basis="calibrated: baseline field time ~80% used (assumption)",
    )
    mediation_constant: float = P(
        1.8,
        -10,
        10,
        unit="log-odds",
        source="[000]",
        doc="Mediation success at the grid for a small issue.",
    )
    skill_weight: float = P(
        1.5,
        0,
        10,
        unit="log-odds per skill",
        source="[000]",
        doc="Mediation log-odds per unit of skill (training, certificate, experience) [000].",
    )
    trust_weight: float = P(
        1.5,
        0,
        10,
        unit="log-odds per trust",
        source="[000]",
        doc=(
            "Mediation log-odds per unit of the household's trust: trust lubricates governance "
            "[000]."
        ),
    )
    difficulty_penalty: PerDifficulty = P(
        PerDifficulty(small=0.0, big=1.2, hard=2.8),
        unit="log-odds",
        source="[001]",
        doc="Harder matters are harder to settle in the compound (the ladder exists for them).",
    )
    kind_penalty: PerIssueKind = P(
        PerIssueKind(neighbour=0.0, property=1.5, facility=1.0, service=0.0),
        unit="log-odds",
        source="[001]",
        doc="Grid workers have no power over firms (property) or pipes (facility) [001].",
    )
    visits_per_hour: float = P(
        3.0,
        0,
        20,
        unit="households/hour",
        source="[003]",
        doc="Door-to-door visits in spare field time.",
    )
    relationship_gain: float = P(
        0.3, 0, 1, unit="per visit", doc="How much a visit builds the household-worker tie."
    )
    turnover_per_year: float = P(
        0.2,
        0,
        5,
        unit="share/year",
        source="[000]",
        doc="Grid workers who leave each year (non-establishment "
        "posts, 74.3% in Fukang); a successor starts with no ties.",
        label=("Grid workers leaving each year", "网格员年流失率"),
        help=(
            "A successor starts with no ties: 'a new official ignores the old accounts'.",
            "接任者没有原有联系：“新官不理旧账”。",
        ),
        control=Control("grid", "%/yr", 4, hi=50, scale=100, live=True),
        odd="turnover",
    )
    turnover_trust_loss: float = P(
        0.05,
        0,
        1,
        unit="trust",
        source="[000]",
        doc="'A new official ignores the old accounts': trust lost "
        "by the worker's households at turnover; rebuilt only by the successor's visits "
        "and settled cases, over months [000].",
        odd="turnover",
    )
    vacancy_days: float = P(
        30.0,
        0,
        365,
        unit="days",
        source="assumption",
        doc="A post left by turnover stays vacant this long on average before the "
        "successor starts (non-establishment posts are re-advertised [000]).",
        odd="turnover",
    )
    vacancy_cover_share: float = P(
        0.3,
        0,
        1,
        unit="share of hours",
        source="assumption",
        doc="Share of a vacant post's hours that neighbouring workers cover.",
        odd="turnover",
    )
    handover_days: float = P(
        7.0,
        0,
        90,
        unit="days",
        source="[000]",
        doc="Open cases handed to a successor wait this long while the new worker learns "
        "the accounts ('a new official ignores the old accounts' [000]).",
        odd="turnover",
    )
    handover_reopen_prob: float = P(
        0.3,
        0,
        1,
        unit="probability",
        source="[000]",
        doc="Chance that a household whose issue the departed worker settled in the last "
        "handover_memory_days raises it again with the successor (old accounts reopen).",
        odd="turnover",
    )
    handover_memory_days: int = P(
        90,
        1,
        730,
        unit="days",
        source="assumption",
        doc="How far back settled cases can reopen at a handover.",
        odd="turnover",
    )
    learning_days: float = P(
        365.0,
        1,
        5000,
        unit="days",
        source="assumption",
        doc="Experience half-saturation time for skill.",
    )
    rework: float = P(
        0.5,
        0,
        1.5,
        unit="share of case hours per unit of skill",
        source="[000]",
        doc="Poorly trained staff redo work (经常返工 [000]): a case takes hours_per_case x "
        "(1 + rework x (0.5 - skill)), so the hours are those of a worker of middling skill.",
    )

    @model_validator(mode="after")
    def _time_per_case(self) -> WorkerParams:
        # Zero hours a case would be infinite capacity: every case settled at no cost.
        _each_between(self.hours_per_case, "hours_per_case", 0, 1000, above=True)
        return self


class GridParams(Section):
    """Grid merging: separate narrow grids vs one merged grid (多网合一) [000, 001]."""

    ODD_SECTION: ClassVar[str] = "grid_worker"

    merged: bool = P(
        False,
        source="[000, 001]",
        doc="One merged grid: no referrals between networks; committee cadres "
        "double as grid workers (less office time).",
        label=("Merge the separate grids into one (多网合一)", "多网合一"),
        help=(
            "Cadres of the residents' committee also work as grid workers; no referrals between "
            "networks, but less office time.",
            "居委会干部兼任网格员；网格间不再转办，但办公时间减少。",
        ),
        control=Control("grid", "on/off", 1),
    )
    separate_networks: int = P(
        4,
        1,
        10,
        unit="networks",
        source="[001]",
        doc="Separate grids when not merged (综治, 警务, 城管, 创城…).",
    )
    referral_prob: float = P(
        0.3,
        0,
        1,
        unit="probability",
        source="[001]",
        doc="Chance an issue is outside a narrow grid's scope.",
    )
    referral_hours: float = P(
        0.75, 0, 8, unit="hours", source="[001]", doc="Time a referral between networks costs."
    )
    referral_days: int = P(1, 0, 30, unit="days", source="[001]", doc="Delay a referral adds.")
    duplicate_report_hours: float = P(
        0.3,
        0,
        4,
        unit="hours/day per extra network",
        source="[000, 001]",
        doc="Duplicated ledgers for each extra separate network.",
    )
    cadre_field_share: float = P(
        0.5,
        0,
        1,
        unit="share",
        source="[000]",
        doc="When merged: share of a committee cadre's day spent as a "
        "grid worker in the compounds; in the field a cadre "
        "settles cases with the committee's authority.",
        odd="staffing",
    )
    specialist_penalty: float = P(
        1.0,
        0,
        4,
        unit="logit",
        doc="When merged: how much worse a generalist settles an issue that a specialised "
        "network (综治, 城管…) used to take, before the merged staff have learnt its work: "
        "'一些专网业务的落实遇到了困境' [000]. Scaled by the share not yet learnt "
        "(grid.adaptation_days). Size assumed.",
        basis="[000] names the faltering of specialised work, not its size.",
    )
    specialist_extra_hours: float = P(
        0.5,
        0,
        3,
        unit="share of the case's hours",
        doc="When merged: extra time such an issue takes a generalist who has not yet learnt "
        "the specialised network's procedure [000]. Scaled like grid.specialist_penalty.",
        basis="[000] (阵痛需要适应); size assumed.",
    )
    adaptation_days: float = P(
        365.0,
        1,
        3650,
        unit="days",
        doc="When merged: time for the unlearnt share of specialised work to fall to 1/e, "
        "with an office that covers its own work. Learning needs spare hours: each day it "
        "advances only by the share of office work covered, so a small office that cannot "
        "spare anyone adapts slowest ('小社区面临的困难最为明显' [000]).",
        basis="[000]: most communities were still at the stage of understanding and "
        "accepting 一网统管 (认识、接受的阶段); the time is assumed.",
    )
    added_staff: float = P(
        0.0,
        0,
        100,
        unit="staff per community (full-time)",
        source="[000]",
        doc="Staff hired with the merge to backfill the office the cadres leave for the "
        "compounds [000] (service-centre posts).",
        label=("Staff hired with the merge (office backfill)", "合并时新增人员（补办公室）"),
        help=(
            "Hires per community that cover the office the cadres leave [000].",
            "每个社区新增、顶替下沉干部办公室工作的人员 [000]。",
        ),
        control=Control("grid", "workers", 2, hi=10, disabled_unless="grid.merged"),
        odd="staffing",
    )
    formalism_share: float = P(
        0.8,
        0,
        1,
        unit="share",
        source="[000]",
        doc="When merged: share of the office work the office cannot cover that pulls the "
        "cadres back from their grids ('sign in at the grid, work in the office' [000]), "
        "scaled by the cadres' share of the office's hours (small offices are their cadres).",
        odd="office",
    )


class PlatformParams(Section):
    """One integrated platform (一网统管) vs many isolated ones [000, 001, 003, 004]."""

    ODD_SECTION: ClassVar[str] = "hotline"

    integrated: bool = P(
        False,
        source="[000, 003]",
        doc="One platform: no duplicated reporting, instant dispatch of "
        "hotline tickets and referrals.",
        label=("One integrated platform (一网统管)", "一网统管平台"),
        help=("Instant dispatch, no duplicate reporting.", "即时派单，不重复填报。"),
        control=Control("load", "on/off", 2, live=True),
    )


class LadderParams(Section):
    """The escalation ladder 小事不出小区、大事不出社区、难事不出街道 [001, 003]."""

    ODD_SECTION: ClassVar[str] = "street"

    community_constant: float = P(
        1.6,
        -10,
        10,
        unit="log-odds",
        source="[001]",
        doc="Committee handling success, small issue.",
        odd="office",
    )
    office_case_share_min: float = P(
        0.25,
        0,
        1,
        unit="share of office hours",
        source="assumption",
        doc="Office hours always kept for escalated cases, however heavy the pushed-down tasks.",
        odd="office",
    )
    community_hours_per_case: float = P(
        3.0,
        0,
        40,
        unit="hours",
        source="assumption",
        doc="Committee time to handle an escalated case.",
        odd="office",
    )
    street_success: float = P(
        0.75,
        0,
        1,
        unit="probability",
        source="[001]",
        doc="Street office / departments close a case.",
    )
    street_cases_per_day: float = P(
        2.0,
        0,
        1000,
        unit="cases/day per standard community",
        source="assumption",
        doc="Street office and departments' capacity for escalated cases, per standard "
        "community of staff.reference_households households (it scales with the population "
        "covered, so the street does not become a bottleneck for large communities only).",
    )
    street_retry_days: int = P(
        7, 1, 90, unit="days", source="[003]", doc="A failed street case is tried again after this."
    )
    petition_after_days: int = P(
        30,
        1,
        365,
        unit="days",
        source="[000]",
        doc="Time scale of the petition hazard's rise with an issue's age (信访).",
    )
    petition_grievance: float = P(
        1.0,
        0,
        20,
        unit="grievance",
        source="[000]",
        doc="Grievance at which an overdue household's petition hazard is half its maximum.",
    )
    petition_grievance_scale: float = P(
        0.4,
        0.01,
        20,
        unit="grievance",
        source="assumption",
        doc="Spread of the petition hazard around petition_grievance (a logistic, so "
        "petitions respond smoothly, without a threshold cliff).",
    )
    petition_daily_max: float = P(
        0.03,
        0,
        1,
        unit="per day",
        source="assumption",
        doc="Daily chance that a long-open issue of a very aggrieved household becomes a "
        "petition; the age factor 1 - exp(-age/petition_after_days) scales it.",
    )


class LoopParams(Section):
    """Receive-dispatch-handle-revisit-supervise-assess 接转办访督考 [001]."""

    ODD_SECTION: ClassVar[str] = "loop"

    closed_loop: bool = P(
        False, source="[001]", doc="Revisit every handled case; reopen the unsatisfied ones.",
        label=(
            "Closed loop: revisit every case (接转办访督考)",
            "闭环管理：每件回访（接转办访督考）",
        ),
        help=("Unsatisfied cases go back to their handler.", "不满意的诉求退回重办。"),
        control=Control("load", "on/off", 3, live=True),
    )
    revisit_hours: float = P(
        0.2, 0, 4, unit="hours", source="[001]", doc="A revisit is mostly a phone call."
    )
    revisit_days: int = P(
        2,
        0,
        30,
        unit="days",
        source="[001]",
        doc="Days after handling that the service centre calls back.",
    )
    revisit_bonus: float = P(
        0.5,
        0,
        10,
        unit="log-odds",
        source="[001]",
        doc="Being asked afterwards raises satisfaction.",
    )
    satisfaction_constant: float = P(
        0.8, -10, 10, unit="log-odds", source="assumption", doc="Satisfaction with a handled case."
    )
    satisfaction_trust_weight: float = P(
        2.0, 0, 10, unit="log-odds per trust", doc="Trusting households are more easily satisfied."
    )


class PropertyParams(Section):
    """Property firms 物业: quality, fees and the revenue → quality feedback [000, 001]."""

    ODD_SECTION: ClassVar[str] = "property"

    initial_quality: PerCompoundKind = P(
        PerCompoundKind(old=0.5, commercial=0.7, resettlement=0.6),
        unit="quality 0-1",
        source="[001]",
        doc="Firm service quality at day 0, lowest in old compounds [001].",
    )
    fee_constant: float = P(
        0.2,
        -10,
        10,
        unit="log-odds",
        source="[000]",
        doc="Monthly fee payment log-odds at quality 0.5, trust 0.5; "
        "gives ~60% collection at baseline (Fukang before).",
        basis="calibrated: 60% fee collection before red property [000] (target 1)",
    )
    fee_quality_weight: float = P(
        3.0,
        0,
        20,
        unit="log-odds per quality",
        source="[000]",
        doc="Residents pay for service they see [000].",
    )
    fee_trust_weight: float = P(
        2.0,
        0,
        20,
        unit="log-odds per trust",
        source="[000]",
        doc="Residents who trust community governance pay more readily [000].",
    )
    fee_grievance_weight: float = P(
        0.8,
        0,
        20,
        unit="log-odds per grievance",
        source="[000]",
        doc="Unresolved grievances turn into fee refusal [000].",
    )
    nail_share: float = P(
        0.01,
        0,
        1,
        unit="share",
        source="[000]",
        doc="'Nail households' that refuse fees whatever happens.",
    )
    quality_adjust_per_year: float = P(
        1.0, 0, 12, unit="1/year", source="[000]", doc="Speed at which quality follows revenue."
    )
    quality_floor: float = P(0.15, 0, 1, unit="quality", doc="Quality at zero revenue.")
    quality_ceiling: float = P(0.95, 0, 1, unit="quality", doc="Quality at full revenue.")
    cases_per_100_households: float = P(
        0.6, 0, 100, unit="cases/day", source="assumption", doc="Firm case capacity at quality 1."
    )
    case_constant: float = P(
        0.3,
        -10,
        10,
        unit="log-odds",
        source="[001]",
        doc="Firm resolves a property case (at quality 0.5).",
    )
    case_quality_weight: float = P(
        3.0,
        0,
        20,
        unit="log-odds per quality",
        doc="Better firms settle more property complaints [001].",
    )
    red_property: bool = P(
        False,
        source="[000]",
        doc="A party branch in the firm (红色物业): training, supervision, "
        "branch-firm coordination.",
        label=(
            "Red property: a party branch in the firm (红色物业)",
            "红色物业：物业企业建党支部",
        ),
        help=(
            "Training, supervision and branch–firm coordination.",
            "培训、监督和支部—物业协同。",
        ),
        control=Control("party", "on/off", 1, live=True),
    )
    red_quality_bonus: float = P(
        0.3,
        0,
        1,
        unit="quality",
        source="[000]",
        doc="Quality gain the red-property branch brings.",
    )
    red_fee_trust_bonus: float = P(
        3.0,
        0,
        10,
        unit="log-odds",
        source="[000]",
        doc="Residents trust a party-led firm more when paying; calibrated so red property "
        "lifts fee collection to ~97% after two years (Fukang: 60% to 98% [000]; "
        "experiments/calibrate.py).",
        basis="calibrated: 98% fee collection with red property [000] (target 1)",
    )


    @model_validator(mode="after")
    def _quality(self) -> PropertyParams:
        _each_between(self.initial_quality, "initial_quality", 0, 1)
        if self.quality_floor > self.quality_ceiling:
            raise ValueError(f"quality_floor = {self.quality_floor:g} is above quality_ceiling "
                             f"= {self.quality_ceiling:g}; allowed floor <= ceiling")
        return self


class PartyParams(Section):
    """Party branches 党支部: members, activities, red stations, tripartite body [001-003]."""

    ODD_SECTION: ClassVar[str] = "party"

    branch_coverage: float = P(
        1.0,
        0,
        1,
        unit="share of compounds",
        source="[002]",
        doc="Compounds with a party branch ('a branch in every compound').",
        basis="paper: a branch in every compound [002]",
    )
    activation: float = P(
        0.15,
        0,
        1,
        unit="share of members",
        source="[001]",
        doc="Registered (double-reporting 双报到) members who actually "
        "show up; [001]: most register but do not come.",
        label=("Registered party members who show up (双报到)", "双报到党员实际参与比例"),
        help=(
            "Active members claim red-station reports and join activities.",
            "活跃党员认领红色驿站诉求并参加活动。",
        ),
        control=Control("party", "%", 2, hi=100, step=5, scale=100),
    )
    red_station_success: float = P(
        0.5,
        0,
        1,
        unit="probability",
        source="[003]",
        doc="A branch member who claims a red-station report "
        "solves a small neighbour/service issue.",
    )
    member_cases_per_week: float = P(
        0.5,
        0,
        20,
        unit="cases/week per active member",
        source="[003]",
        doc="Red-station reports an active member can take on per week [003].",
    )
    activity_days: int = P(
        14,
        1,
        365,
        unit="days",
        source="[003]",
        doc="Days between branch activities in each compound.",
        odd="participation",
    )
    deliberation_days: int = P(
        30, 1, 365, unit="days", source="[001]", doc="Days between deliberations (两议两评两公开).",
        odd="participation",
    )
    tripartite: bool = P(
        True,
        source="[002]",
        doc="Branch + owners' committee + firm coordinate (三方协同) on "
        "property disputes where the owners' committee works.",
    )
    tripartite_success: float = P(
        0.75,
        0,
        1,
        unit="probability",
        source="[002]",
        doc="The tripartite body settles a property dispute the firm could not [002]; "
        "above a grid worker's chance because branch and owners' committee hold leverage "
        "over the firm that a grid worker lacks [001] (value assumed).",
    )
    owners_committee_share: PerCompoundKind = P(
        PerCompoundKind(old=0.1, commercial=0.5, resettlement=0.2),
        unit="share of compounds",
        source="[004]",
        doc="Compounds whose owners' committee works; weak or nominal in many [004].",
    )


    @model_validator(mode="after")
    def _committee_shares(self) -> PartyParams:
        _each_between(self.owners_committee_share, "owners_committee_share", 0, 1)
        return self


class ParticipationParams(Section):
    """Who joins activities and deliberations [003, 004]."""

    ODD_SECTION: ClassVar[str] = "participation"

    constant: PerHouseholdKind = P(
        PerHouseholdKind(local=-3.2, resettled=-3.3, new_resident=-4.2, retiree=-2.0),
        unit="log-odds",
        source="[002, 003, 004]",
        doc="Base propensity to join an activity: retirees high, "
        "new residents low [004, 002]; ~100 residents per grid "
        "activity [003].",
        basis={
            "local": "calibrated: ~100 residents per grid activity [003] (target 3)",
            "resettled": "calibrated: ~100 residents per grid activity [003] (target 3)",
            "new_resident": "calibrated: ~100 residents per grid activity [003] (target 3)",
            "retiree": "calibrated: attendees mostly retirees [004] (target 3)",
        },
    )
    trust_weight: float = P(
        2.0,
        0,
        20,
        unit="log-odds per trust",
        source="[004]",
        doc="Trusting residents take part more (social capital [004]).",
    )
    peer_weight: float = P(
        3.0,
        0,
        20,
        unit="log-odds",
        source="[004]",
        doc="Herd behaviour (从众 [004]): pull of neighbours who took part recently, as "
        "active neighbours / (neighbours + peer_saturation), so more ties (a less "
        "atomised, less stranger society [004]) carry more of it. 3 keeps the default "
        "graph's pull (about 10 ties: 10/20 x 3 = 1.5 per unit share, as the share model had).",
    )
    peer_saturation: float = P(
        10.0,
        0,
        100,
        unit="ties",
        source="assumption",
        doc="Ties at which the herd pull reaches half of what the same share of active "
        "neighbours gives with very many ties (the default graph has about 10 per household).",
    )
    member_bonus: float = P(
        2.0, 0, 20, unit="log-odds", source="[001]", doc="Active party members take part."
    )
    volunteer_points: bool = P(
        False, source="[001]", doc="Volunteer points (志愿服务积分制) reward taking part.",
        label=("Volunteer points (志愿服务积分制)", "志愿服务积分制"),
        help=(
            "Points reward taking part; strongest for those who otherwise stay away.",
            "以积分奖励参与，对平时不参与者作用最大。",
        ),
        control=Control("residents", "on/off", 1, live=True),
    )
    points_bonus: PerHouseholdKind = P(
        PerHouseholdKind(local=0.8, resettled=0.8, new_resident=0.9, retiree=0.5),
        unit="log-odds",
        source="[001]",
        doc="Pull of volunteer points when enabled; strongest for those who otherwise stay away.",
    )
    window_days: int = P(
        30, 1, 365, unit="days", doc="participation_rate counts households active in this window."
    )
    facility_reduction: float = P(
        0.5,
        0,
        1,
        unit="share",
        source="[000]",
        doc="Volunteers (greening, snow clearing, repairs) cut a "
        "compound's facility issues by this × its share of "
        "active households.",
    )


class CouncilParams(Section):
    """Neighbourhood councils for micro-governance [004]."""

    ODD_SECTION: ClassVar[str] = "council"

    enabled: bool = P(
        False,
        source="[004]",
        doc=(
            "Monthly deliberations become neighbourhood council meetings that settle pending "
            "neighbour and facility issues [004]."
        ),
        label=("Neighbourhood councils (邻里议事会)", "邻里议事会"),
        help=(
            "Monthly meetings settle pending neighbour and facility issues.",
            "每月议事，化解邻里和设施类积案。",
        ),
        control=Control("residents", "on/off", 2),
    )
    cases_per_meeting: int = P(
        2,
        0,
        100,
        unit="cases",
        source="[004]",
        doc="Pending issues of the compound a council takes up per meeting: few, since "
        "councils are more form than substance (形式大于实绩 [004]).",
    )
    success: float = P(
        0.3,
        0,
        1,
        unit="probability",
        source="[004]",
        doc="Chance the council settles an issue it takes up: low, since councils are more "
        "form than substance (形式大于实绩 [004]).",
    )
    trust_gain: float = P(
        0.03,
        0,
        1,
        unit="trust",
        source="[004]",
        doc="Trust gained by each household that attends a council meeting.",
    )
    participation_bonus: float = P(
        0.3,
        0,
        10,
        unit="log-odds",
        source="[004]",
        doc="A council gives retirees and active party members a reason to come [004].",
    )
    others_share: float = P(
        0.1,
        0,
        1,
        unit="share of the bonus",
        source="[004]",
        doc="Share of participation_bonus the other residents feel: councils are run by cadres "
        "and retirees, the young and middle-aged stay away (参与的主要是居委会干部和退休人员 "
        "[004]).",
    )


class CourierParams(Section):
    """Couriers and delivery riders as special grid workers with points (特聘网格员) [001]."""

    ODD_SECTION: ClassVar[str] = "couriers"

    special_grid_workers: bool = P(
        False,
        source="[001]",
        doc="The community appoints couriers and delivery riders as special grid workers "
        "(特聘网格员) and rates their part with points (积分制), so they act as its 'probes' "
        "(探头) for hazards in the compounds they enter every day [001].",
        label=("Couriers as grid workers (特聘网格员)", "快递小哥特聘网格员"),
        help=(
            "Couriers and riders report hazards they see in the compounds, for points.",
            "快递小哥、外卖骑手发现小区隐患即上报，按积分评定。",
        ),
        control=Control("grid", "on/off", 7, live=True),
    )
    entry_hard_share: float = P(
        0.788,
        0,
        1,
        unit="share of couriers",
        source="[001]",
        doc="Couriers and riders who find it hard to get into a compound (进小区难): 78.8% in "
        "Yanzhou [001]. They see only the compounds they get into.",
        basis="paper figure: 78.8% of couriers and riders in Yanzhou [001]",
    )
    pass_share: float = P(
        0.5,
        0,
        1,
        unit="share",
        doc="Share of those entry problems that being a special grid worker (a pass, a known "
        "face at the gate) removes; assumed.",
    )
    spot_prob: float = P(
        0.5,
        0,
        1,
        unit="probability",
        doc="Chance that a facility or safety hazard in a compound couriers get into is seen "
        "and reported by one of them the day it arises (couriers pass daily); assumed.",
    )
    early_share: float = P(
        0.3,
        0,
        1,
        unit="probability",
        doc="Chance that a big hazard found early is still a small matter (早发现、早处置 "
        "[001]): one difficulty level down; assumed.",
    )


class SocialOrgParams(Section):
    """Incubated community social organisations (组织孵化器培育下的多样社会组织) [004]."""

    ODD_SECTION: ClassVar[str] = "social_orgs"

    incubated: bool = P(
        False,
        source="[004]",
        doc="A hub organisation bought in by the government (政府购买服务) incubates sports, "
        "mutual-aid, public-interest and governance organisations that draw residents "
        "into activities by shared interests [004].",
        label=("Incubated social organisations (社会组织孵化)", "培育社区社会组织"),
        help=(
            "Interest groups and mutual aid draw in the young and middle-aged.",
            "文体、互助、公益类社会组织吸引中青年居民参与。",
        ),
        control=Control("residents", "on/off", 3, live=True),
    )
    bonus: PerHouseholdKind = P(
        PerHouseholdKind(local=0.6, resettled=0.5, new_resident=0.6, retiree=0.15),
        unit="log-odds",
        source="[004]",
        doc="Pull of the organisations' activities on joining, by household kind, once "
        "incubated: interest groups reach the working-age residents whom councils miss "
        "(中青年居民参与邻里治理的热情不高 [004]); retirees already come. Values assumed.",
        basis={
            "local": "mechanism [004]; value assumed",
            "resettled": "mechanism [004]; value assumed",
            "new_resident": "mechanism [004]; value assumed",
            "retiree": "mechanism [004]; value assumed",
        },
    )
    incubation_days: int = P(
        180,
        0,
        1825,
        unit="days",
        doc="Days for the organisations to grow from the incubator: the pull rises linearly "
        "to full over this time (they are weak and short-lived without help [004]); assumed.",
    )


class EvaluationParams(Section):
    """Two deliberations, two evaluations, two disclosures (两议两评两公开) and residents'
    evaluation of grid workers [001, 003]."""

    ODD_SECTION: ClassVar[str] = "evaluation"

    resident_evaluation: bool = P(
        False,
        source="[001, 003]",
        doc="Residents deliberate, evaluate and see results disclosed (两议两评两公开 [001]); "
        "grid workers' performance is assessed by residents (以居民为核心的评估监督机制 "
        "[003]).",
        label=("Resident evaluation (两议两评两公开)", "两议两评两公开"),
        help=(
            "Residents rate their grid workers each quarter; results are made public.",
            "居民定期评议网格员，结果公开。",
        ),
        control=Control("load", "on/off", 6, live=True),
    )
    period_days: int = P(
        90,
        7,
        365,
        unit="days",
        source="[001]",
        doc="Days between evaluation rounds (定期评价 [001]; quarterly assumed).",
    )
    admin_shift_hours: float = P(
        0.5,
        0,
        8,
        unit="hours per day",
        doc="Hours a day of paperwork for superiors a grid worker turns into field time once "
        "residents rate the work (从“应付领导”转向“服务居民” [001]); value assumed.",
    )
    effort_logit: float = P(
        0.3,
        0,
        3,
        unit="log-odds",
        doc="Extra mediation effort of a worker rated at the middle (trust 0.5), scaled by "
        "2 x (1 - rating): workers rated low push harder, those rated well ease off; "
        "assumed.",
    )
    take_part_share: float = P(
        0.2,
        0,
        1,
        unit="share of households",
        doc="Households that take part in a round (representatives, forms, the disclosure "
        "board); assumed.",
    )
    disclosure_trust: float = P(
        0.02,
        0,
        0.2,
        unit="trust",
        source="[001]",
        doc="Trust a taking-part household gains from seeing decisions and their "
        "implementation disclosed (公开落实情况,接受居民监督 [001]); value assumed.",
    )


class PrivacyParams(Section):
    """Residents who refuse to enter their data into the grid system [003]."""

    ODD_SECTION: ClassVar[str] = "privacy"

    refusal_share: float = P(
        0.0,
        0,
        1,
        unit="share of flats",
        source="[003]",
        doc="Households that refuse to enter their data into the grid system as a matter of "
        "privacy (许多居民不肯配合工作人员将自己的信息录入网格系统中 [003]): their grid "
        "worker does not know them, so they get no visits and cannot report through the grid. "
        "0: everyone is in the system.",
        basis="mechanism [003] (许多居民, no share given); the problem scenario assumes 0.3",
        label=("Households refusing the grid system", "拒绝录入网格系统的住户"),
        help=("Share of flats that keep their data out of the grid system (privacy).",
              "出于隐私不愿录入网格系统的住户比例。"),
        control=Control("context", "%", 7, hi=60, step=5, scale=100, live=True),
    )
    unknown_case_factor: float = P(
        1.5,
        1,
        5,
        unit="x hours",
        source="[003]",
        doc="Hours a refusing household's case takes the grid worker, relative to a known "
        "household's: the worker must first find out who lives there and what they need "
        "(网格员不能及时了解每位住户的基本情况,无法及时开展日常工作 [003]); value assumed.",
    )
class MediationParams(Section):
    """A grid branch's mediation room 调解室 with the five-step method (五步工作法) [000]."""

    ODD_SECTION: ClassVar[str] = "mediation"

    mediation_rooms: bool = P(
        False,
        source="[000]",
        doc="Each community's grid party branch runs a mediation room for neighbour "
        "disputes with the five-step method (情绪发泄、教育引导、倾听诉求、查看现场、握手言和) "
        "and case files (规范建卷) [000].",
        label=("Mediation room (调解室)", "调解室"),
        help=("Neighbour disputes mediated in five steps, with case files.",
              "邻里纠纷按“五步工作法”调解，规范建卷。"),
        control=Control("load", "on/off", 4, live=True),
    )
    cases_per_week_per_1k: float = P(
        10.0, 0, 100, unit="cases per week per 1,000 households",
        doc="Sessions the room holds, as cases a week per 1,000 planned households of its "
        "community: [000] reports 3,000+ disputes mediated; assumed, about twice the "
        "big and hard neighbour disputes a community has.")
    direct_from: int = P(
        1, 0, 3, unit="difficulty (0 small, 1 big, 2 hard, 3 none)",
        doc="Neighbour disputes of this difficulty and harder go to the room straight away "
        "(unless a week of its sessions is booked already); the others go to the grid worker "
        "first and to the room when he fails; assumed.")
    success_constant: float = P(
        2.0, -10, 10, unit="log-odds",
        doc="Log-odds that the room settles a small dispute (握手言和); assumed, a little "
        "above a grid worker's mediation constant (1.8): the branch's standing and method.")
    difficulty_weight: float = P(
        0.5, 0, 2, unit="x workers.difficulty_penalty",
        doc="Share of the grid worker's difficulty penalty the room feels: inspecting the "
        "site and hearing the claim (查看现场、倾听诉求) crack the hard cases a worker cannot; "
        "assumed (the room took cases the city court passed to it [000]).")
    vent_release: float = P(
        0.5, 0, 1, unit="share of grievance",
        doc="Share of the household's grievance let out at the room's first step "
        "(情绪发泄) [000]; assumed.")
    listen_trust: float = P(
        0.02, 0, 0.2, unit="trust",
        doc="Trust a household gains from being heard at the room (倾听诉求); assumed.")
    recurrence_cut: float = P(
        0.6, 0, 1, unit="share of the neighbour-dispute rate",
        doc="A dispute settled with a handshake and a case file (握手言和, 规范建卷) recurs "
        "less: the household's neighbour-dispute rate falls by this share [000]; assumed.")
    hold_days: int = P(
        365, 0, 3650, unit="days",
        doc="How long a filed settlement holds the dispute down; assumed.")


class RootCauseParams(Section):
    """治未病: analyse repeated complaints and fix their causes [001]."""

    ODD_SECTION: ClassVar[str] = "root_cause"

    root_cause_fixes: bool = P(
        False,
        source="[001]",
        doc="Repeated complaints of one kind in a compound are analysed for their cause "
        "(治未病, 对同类、共性诉求进行提级处理 … 从制度、政策、流程等方面进行分析，制定改进措施 "
        "[001]) and the cause is fixed, so that kind arises less there.",
        label=("Root-cause fixes (治未病)", "治未病"),
        help=("Analyse repeated complaints and fix their cause.",
              "分析同类、共性诉求，从源头解决。"),
        control=Control("load", "on/off", 5, live=True),
    )
    review_days: int = P(
        30, 1, 365, unit="days",
        doc="Days between reviews of the repeats; monthly, as the 12345 work orders are "
        "analysed (分析研判 [001]); assumed.")
    effectiveness: float = P(
        0.35, 0, 1, unit="share of the rate",
        doc="Most a review's fixes cut the rate of a kind in a compound whose households "
        "all repeated it; assumed.")
    share_scale: float = P(
        0.02, 0.0001, 1, unit="repeating households per household",
        doc="Repeats per household in a review at which a fix reaches 63% of its most "
        "(1 - exp(-share/scale): smooth, no threshold); assumed.")
    floor: float = P(
        0.5, 0, 1, unit="share of the rate",
        doc="What fixes can do at most: the rate of a kind never falls below this share "
        "(some causes are people, not pipes); assumed.")
    relapse_per_year: float = P(
        0.2, 0, 12, unit="1/year",
        doc="Speed at which fixed causes come back (wear, new residents); assumed.")


class PropertyRatingParams(Section):
    """Star rating of property firms, joint meetings and replacement of a failing firm
    [003, 000]."""

    ODD_SECTION: ClassVar[str] = "property_rating"

    star_rating: bool = P(
        False,
        source="[003]",
        doc="Monthly joint meetings with every firm and a quarterly star rating by residents "
        "(每个月街道办都将组织所有小区物业企业举行会议 … 每个季度均将进行星级物业评价工作 "
        "[003]); owners choose firms by their record (注重调查物业公司背景和社会评价 [000]), "
        "so a firm rated low for long is replaced.",
        label=("Star rating of property firms (星级物业)", "星级物业评价"),
        help=("Residents rate firms; meetings; a failing firm is replaced.",
              "居民评星、联席会议，长期低星物业被更换。"),
        control=Control("party", "on/off", 3, live=True),
    )
    rating_days: int = P(
        90, 1, 365, unit="days", source="[003]",
        doc="Days between ratings: quarterly (每个季度 [003]).")
    meeting_days: int = P(
        30, 1, 365, unit="days", source="[003]",
        doc="Days between joint meetings: monthly (每个月 [003]).")
    satisfaction_constant: float = P(
        0.0, -10, 10, unit="log-odds",
        doc="Log-odds that a household rates the firm well at quality 0.5 and trust 0.5; "
        "assumed.")
    quality_weight: float = P(
        4.0, 0, 20, unit="log-odds per quality",
        doc="Residents rate the service they see; assumed.")
    feedback_gain: float = P(
        0.2, 0, 1, unit="quality",
        doc="Quality a one-star firm adds to what it aims at after the meetings' feedback "
        "(none at five stars, linear between); assumed.")
    low_stars: float = P(
        3.0, 1, 5, unit="stars",
        doc="Stars below which a rating counts against the firm (strain grows with the "
        "shortfall: no cliff); assumed.")
    strain_memory: float = P(
        0.75, 0, 1, unit="share kept per rating",
        doc="Share of past strain a firm carries into the next rating; assumed.")
    replace_max: float = P(
        0.5, 0, 1, unit="probability per rating",
        doc="Most likely a firm under heavy strain is replaced at a rating; assumed.")
    strain_scale: float = P(
        1.0, 0.01, 20, unit="stars",
        doc="Strain at which the replacement chance reaches 63% of replace_max; assumed.")
    new_quality: float = P(
        0.7, 0, 1, unit="quality",
        doc="Quality of the firm chosen in its place (picked by its record [000]); assumed.")
    transition_penalty: float = P(
        1.0, 0, 10, unit="log-odds",
        doc="Log-odds a new firm loses on cases at first, knowing neither the compound nor "
        "its disputes (lost knowledge); fades linearly; assumed.")
    transition_days: int = P(
        120, 0, 3650, unit="days",
        doc="Days until the new firm knows the compound; assumed.")
    replace_trust: float = P(
        0.02, 0, 0.2, unit="trust",
        doc="Trust the compound's households gain when a failing firm is replaced (the "
        "complaints were heard); assumed.")


class TrustParams(Section):
    """Trust moves with a household's own issues and diffuses over the graph [000, 004]."""

    ODD_SECTION: ClassVar[str] = "trust"

    resolved_on_time: float = P(
        0.04,
        0,
        1,
        unit="trust",
        source="[000, 003]",
        doc="Trust gained when one's issue is handled within the time promise [003].",
    )
    resolved_late: float = P(
        0.0, 0, 1, unit="trust", source="[000]", doc="Trust gained when it is handled late."
    )
    unsatisfied: float = P(
        0.08,
        0,
        1,
        unit="trust (loss)",
        source="[001]",
        doc="Trust lost when the household is not satisfied with the handling.",
    )
    escalated: float = P(
        0.04,
        0,
        1,
        unit="trust (loss)",
        source="[001]",
        doc="Trust lost each time one's issue fails at a rung and goes up.",
    )
    petition: float = P(
        0.10,
        0,
        1,
        unit="trust (loss)",
        source="[000]",
        doc="Trust lost when a household petitions [000].",
    )
    silent: float = P(
        0.01,
        0,
        1,
        unit="trust (loss)",
        source="[003]",
        doc="Trust lost when a household does not even report.",
    )
    visit: float = P(
        0.005,
        0,
        1,
        unit="trust",
        source="[003]",
        doc="Trust gained from a grid worker's visit or a revisit call.",
    )
    participation: float = P(
        0.003, 0, 1, unit="trust", source="[004]", doc="Trust gained by taking part in an activity."
    )
    diffusion: float = P(
        0.05,
        0,
        1,
        unit="share per week",
        source="[004]",
        doc="Weekly pull of a household's trust toward its neighbours'.",
    )
    revert_per_year: float = P(
        1.0,
        0,
        12,
        unit="1/year",
        doc="Drift back toward the household kind's initial level: memories of "
        "good and bad handling fade over about a year; with the gains and losses above, "
        "baseline trust stays near its initial level (calibrated, assumption).",
        basis="calibrated: steady baseline trust (assumption)",
    )


class PopulationParams(Section):
    """Influx of new residents and the winter tide [001]."""

    ODD_SECTION: ClassVar[str] = "population"

    turnover_per_year: float = P(
        0.05,
        0,
        1,
        unit="share of households/year",
        source="[001]",
        doc="Households replaced by newcomers each year.",
        label=("Households moving out each year", "每年搬离的住户"),
        help=("Replaced by newcomers, mostly new residents.", "由新住户替代，多为新居民。"),
        control=Control("context", "%/yr", 3, hi=40, scale=100, live=True),
    )
    vacancy_fill_per_year: float = P(
        0.1,
        0,
        1,
        unit="share of vacant flats/year",
        source="[001]",
        doc=(
            "Share of vacant flats that fill each year (new estates fill up; Longqiao street "
            "+53.8% in 2015-2021 [001])."
        ),
    )
    newcomer_new_resident_share: float = P(
        0.6,
        0,
        1,
        unit="share",
        source="[001, 002]",
        doc="Newcomers who are new residents (migrants, renters) rather than locals.",
        label=("Newcomers who are migrants or renters", "新住户中外来人口与租户比例"),
        help=("The rest are locals moving within town.", "其余为本地迁居者。"),
        control=Control("context", "%", 4, hi=100, step=5, scale=100, live=True),
    )
    winter_tide_share: float = P(
        0.0,
        0,
        1,
        unit="share of households",
        source="[001]",
        doc="Households joined by elderly parents in the heating "
        "season; [001]: 15,000 on 123,000 residents ≈ 0.12.",
        label=("Households joined by elderly parents in winter", "冬季有老人随住的家庭"),
        help=(
            "The winter tide: 15,000 on 123,000 residents ≈ 12%.",
            "冬季“候鸟”：12.3 万人口增加 1.5 万，约 12%。",
        ),
        control=Control("context", "%", 5, hi=30, scale=100, live=True),
        basis=(
            "paper figure (winter_tide scenario): 15,000 on 123,000 residents ≈ 0.12 [001]; 0 at "
            "baseline"
        ),
    )
    tide_service_multiplier: float = P(
        4.0,
        1,
        20,
        unit="x",
        source="[001]",
        doc="Service requests of a household with a tide member (elderly care).",
    )


class OfficeParams(Section):
    """Office services residents wait for when the office is uncovered [000, 001, 004]."""

    ODD_SECTION: ClassVar[str] = "office"

    requests_per_household_year: float = P(
        2.0,
        0,
        50,
        unit="requests per household per year",
        source="assumption",
        doc="Matters that need the office: benefits and certificates, approvals, department "
        "referrals, records and feedback [000, 001, 004].",
    )
    wait_trust: float = P(
        0.05,
        0,
        1,
        unit="trust per wait",
        source="assumption",
        doc="Trust a household loses when its office request waits.",
    )
    wait_grievance: float = P(
        0.15,
        0,
        10,
        unit="grievance per wait",
        source="assumption",
        doc="Grievance a waiting office request adds.",
    )
    wait_complaint_prob: float = P(
        0.1,
        0,
        1,
        unit="probability",
        source="[001]",
        doc="Chance a waiting request becomes a service complaint to the 12345 hotline "
        "(and so an issue on the ladder) [001].",
    )
    backlog_expiry_days: float = P(
        30.0,
        1,
        3650,
        unit="days",
        source="assumption",
        doc="Mean time undone office work stays in the backlog before it lapses or is "
        "caught up in overtime.",
    )
    backlog_days: float = P(
        5.0,
        0.1,
        365,
        unit="days of office work",
        source="assumption",
        doc="Backlog (in days of office demand) at which half of new requests wait: "
        "wait share = backlog / (backlog + backlog_days x demand).",
    )


class SecretaryDayParams(Section):
    """The weekly secretary's day 书记说事日 [001]: residents raise matters with the party
    secretary in person, heard and settled with the committee's authority."""

    ODD_SECTION: ClassVar[str] = "secretary_day"

    held: bool = P(
        False,
        source="[001]",
        doc="Each community's party secretary holds a weekly secretary's day (以街道为单位，每周"
        "固定一天为“书记说事日” [001]).",
        label=("Secretary's day (书记说事日)", "书记说事日"),
        help=("Residents raise matters with the party secretary once a week.",
              "居民每周一天当面向书记反映问题。"),
        control=Control("party", "on/off", 4, live=True),
    )
    weekday: int = P(
        2, 0, 6, unit="day mod 7", source="[001]",
        doc="The fixed day of the week, the same for the whole street (以街道为单位 [001]).")
    hours_per_session: float = P(
        4.0, 0, 8, unit="hours per community",
        doc="Secretary's hours a session takes, out of the office's case hours that day "
        "(the cost of the channel is the secretary's time); assumed: half a working day.")
    hours_per_case: float = P(
        0.5, 0.05, 8, unit="hours",
        doc="Hours the secretary spends on one matter (ask, deliberate, decide: 书记问事、居民"
        "议事、民主定事 [001]); assumed.")
    attend_silent: float = P(
        0.05, 0, 1, unit="probability per session",
        doc="Chance a household that kept a matter to itself brings it to the session "
        "(有话没人听…有事没人问 [001]: the secretary hears the unheard); assumed.")
    tied_share: float = P(
        0.5, 0, 1, unit="share of attend_silent",
        doc="Share of attend_silent felt by a household with a full tie to its grid worker: "
        "the channel draws most from those who do not turn to the grid; assumed.")
    attend_overdue: float = P(
        0.25, 0, 1, unit="probability per session",
        doc="Chance a household whose reported matter is past its time promise takes it to "
        "the secretary (hard matters, 难事 [001]); assumed.")
    attend_office: float = P(
        0.2, 0, 1, unit="probability per session",
        doc="Chance a household whose request to the office waited behind its backlog since "
        "the last session takes it to the secretary, who pushes it through (有理没处讲 "
        "[001]); assumed.")
    success_bonus: float = P(
        1.0, 0, 5, unit="log-odds",
        doc="Over the committee's chance of settling a matter: the secretary decides and "
        "commits on the spot (民主定事、承诺办事 [001]); assumed. What fails goes straight to "
        "the street (难事不出街道 [001]).")
    trust_gain: float = P(
        0.03, 0, 0.5, unit="trust",
        doc="Trust gained by a household heard at the session (解决有话没人听 [001]); assumed.")
    memory_days: int = P(
        90, 1, 3650, unit="days",
        doc="A matter kept silent longer than this is no longer raised; assumed.")


class CompoundLiaisonParams(Section):
    """One compound, one liaison 一小区一专员 [002]: regular visits find silent matters early."""

    ODD_SECTION: ClassVar[str] = "compound_liaison"

    appointed: bool = P(
        False,
        source="[002]",
        doc="Every compound has a liaison who visits residents regularly (推行“一小区一专员”"
        "制度，实现了对居民的常态走访与联系 [002]).",
        label=("One compound, one liaison (一小区一专员)", "一小区一专员"),
        help=("A liaison per compound visits residents and finds unreported matters.",
              "每个小区一名专员常态走访，发现未反映的问题。"),
        control=Control("grid", "on/off", 6, live=True),
    )
    visits_per_week: float = P(
        20.0, 0, 500, unit="households per compound per week",
        doc="Households a liaison visits in a week (about 4 a working day: the liaison also "
        "coordinates the three parties and runs grid affairs [002]); assumed.")
    find_prob: float = P(
        0.7, 0, 1, unit="probability",
        doc="Chance a visit brings a household's unreported matter to light; assumed.")
    settle_prob: float = P(
        0.5, 0, 1, unit="probability",
        doc="Chance the liaison settles a found matter that is not hard (nor a property one) "
        "on the spot rather than passing it to the grid worker (专员…管理网格事务及服务群众 "
        "[002]); assumed.")
    grow_days: int = P(
        14, 0, 365, unit="days",
        doc="A matter left silent longer than this has grown one step (small → big → hard) by "
        "the time it is found; assumed.")
    trust_visit: float = P(
        0.005, 0, 0.5, unit="trust",
        doc="Trust gained per visit (常态走访与联系 [002]); assumed equal to a grid worker's "
        "visit (trust.visit).")
    memory_days: int = P(
        90, 1, 3650, unit="days",
        doc="A matter kept silent longer than this is no longer brought up; assumed.")


class BuildingStewardsParams(Section):
    """Building stewards, building party groups and party-member central households
    (红色楼栋长、楼栋党小组、党员中心户 [001, 003]): the rung below the compound."""

    ODD_SECTION: ClassVar[str] = "building_stewards"

    organised: bool = P(
        False,
        source="[001, 003]",
        doc="Buildings get stewards (推选“红色楼栋长”…楼栋党小组—党员中心户 [001]; 楼栋管家 "
        "[003]).",
        label=("Building stewards (红色楼栋长)", "红色楼栋长"),
        help=("Stewards settle small matters in the building, pass on silent ones, mobilise.",
              "楼栋长就地化解小事、反映民意、动员参与。"),
        control=Control("party", "on/off", 5, live=True),
    )
    coverage: float = P(
        0.7, 0, 1, unit="share of buildings",
        doc="Buildings with a steward (a party member or activist living there); assumed.")
    settle_prob: float = P(
        0.35, 0, 1, unit="probability",
        doc="Chance a steward settles a small neighbour, facility or service matter reported "
        "in the building before it reaches the grid worker; assumed.")
    inform_prob: float = P(
        0.05, 0, 1, unit="probability per week",
        doc="Weekly chance a steward learns of a neighbour's unreported matter and passes it "
        "to the grid worker (反映和收集民意 [003]; the 'probe' 探头 role [001]); assumed.")
    mobilise_bonus: float = P(
        0.3, 0, 5, unit="log-odds",
        doc="Added to the chance of joining an activity in a steward's building; assumed.")
    memory_days: int = P(
        90, 1, 3650, unit="days",
        doc="A matter kept silent longer than this is no longer passed on; assumed.")


class CostParams(Section):
    """What policies cost, in yuan a year (issue 11). The papers give budgets, not prices:
    [001] compares communities with about 580,000 yuan a year for services (Xiayang, Qingpu)
    and about 200,000 (Yanzhou); the unit costs below are assumptions with wide ranges, in
    the claims suite's uncertain space when a claim uses them."""

    ODD_SECTION: ClassVar[str] = "costs"

    grid_worker_yuan: float = P(
        60_000.0, 0, 500_000, unit="yuan per full-time post per year",
        doc="Pay and on-costs of a full-time grid worker (专职网格员); assumed.")
    service_staff_yuan: float = P(
        55_000.0, 0, 500_000, unit="yuan per full-time post per year",
        doc="Pay and on-costs of a service-centre post, including hires with a merge; assumed.")
    cadre_yuan: float = P(
        70_000.0, 0, 500_000, unit="yuan per post per year",
        doc="Pay and on-costs of a committee cadre (two committees, 两委); assumed.")
    merge_allowance_yuan: float = P(
        6_000.0, 0, 100_000, unit="yuan per cadre per year",
        doc="Allowance for a cadre's extra duty as a grid worker after a merge [000]; assumed.")
    platform_yuan: float = P(
        50_000.0, 0, 5_000_000, unit="yuan per community per year",
        doc="Running an integrated platform (一网统管): licences, devices, upkeep; assumed.")
    red_station_yuan: float = P(
        5_000.0, 0, 500_000, unit="yuan per station per year",
        doc="Running a compound's red station (红色驿站) [003]; assumed.")
    red_property_yuan: float = P(
        10_000.0, 0, 500_000, unit="yuan per compound per year",
        doc="A party branch in the property firm: training, supervision, joint meetings "
        "[000]; assumed.")
    council_yuan: float = P(
        3_000.0, 0, 500_000, unit="yuan per council per year",
        doc="A neighbourhood council's meetings and space [004]; assumed.")
    training_yuan: float = P(
        4_000.0, 0, 100_000, unit="yuan per worker per year at full training",
        doc="Professional training and certification courses, scaled by workers.training "
        "[000, 003]; assumed.")
    volunteer_point_yuan: float = P(
        10.0, 0, 1_000, unit="yuan per participation",
        doc="Rewards redeemed for volunteer points, per household taking part once [001]; "
        "assumed.")
    courier_point_yuan: float = P(
        20.0, 0, 1_000, unit="yuan per hazard reported",
        doc="Points a courier or rider earns for a hazard reported, redeemed (积分制 [001]); "
        "assumed.")
    social_org_yuan: float = P(
        50_000.0, 0, 2_000_000, unit="yuan per community per year",
        doc="Buying in the hub that incubates social organisations, and their projects "
        "(政府购买服务 [004]); assumed.")
    evaluation_yuan: float = P(
        10_000.0, 0, 500_000, unit="yuan per community per year",
        doc="Evaluation rounds, disclosure boards and third-party assessment (第三方评估 "
        "[003]); assumed.")
    mediation_room_yuan: float = P(
        20_000.0, 0, 500_000, unit="yuan per room per year",
        doc="A community's mediation room: space, case files, mediators' allowances [000]; "
        "assumed.")
    root_cause_yuan: float = P(
        40_000.0, 0, 1_000_000, unit="yuan per community per year",
        doc="Analyst time on repeated complaints and money for the fixes (治未病 [001]); "
        "assumed.")
    property_rating_yuan: float = P(
        2_000.0, 0, 100_000, unit="yuan per compound per year",
        doc="Residents' star ratings and monthly joint meetings with the firm [003]; assumed.")
    firm_replacement_yuan: float = P(
        30_000.0, 0, 1_000_000, unit="yuan per replacement",
        doc="Tendering and handing over to a new property firm, counted at the rate of "
        "replacements so far; assumed.")
    secretary_day_yuan: float = P(
        2_000.0, 0, 100_000, unit="yuan per community per year",
        doc="A secretary's day's room, records and follow-up (书记说事日 [001]); the "
        "secretary's hours are paid as a cadre and counted in office time; assumed.")
    liaison_yuan: float = P(
        12_000.0, 0, 200_000, unit="yuan per compound per year",
        doc="A compound liaison's allowance and expenses (一小区一专员 [002]); assumed.")
    steward_yuan: float = P(
        600.0, 0, 20_000, unit="yuan per steward per year",
        doc="A building steward's small allowance, badge and meetings (红色楼栋长 [001]); "
        "assumed.")


class MetricParams(Section):
    """How outcomes are measured, not how the world works."""

    ODD_SECTION: ClassVar[str] = "observation"

    burn_in_days: int = P(
        60,
        0,
        3650,
        unit="days",
        source="assumption",
        doc="Warm-up: cumulative shares (resolved, on time, escalated, satisfied …) count "
        "events after this day, so start-up transients do not stain them (before it, from "
        "day 0).",
    )


class TimedChange(BaseModel):
    """One step of a scenario's timeline: on ``day`` (the model's day counter, so the change
    is in force from that day on) set the dotted keys in ``set``. Only parameters the model
    reads every day (the app's live levers) may change during a run; the loader checks the
    keys and validates the scenario as it stands after every step."""

    model_config = ConfigDict(extra="forbid", strict=True)

    day: int = Field(ge=1, le=36_500)
    set: dict[str, bool | int | float | str] = Field(min_length=1)


class Scenario(BaseModel):
    """A whole scenario: metadata, every section and an optional timeline of timed changes."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = "baseline"
    description: str = ""
    extends: str = ""
    graph: GraphSpec = GraphSpec()
    households: HouseholdParams = HouseholdParams()
    issues: IssueParams = IssueParams()
    channels: ChannelParams = ChannelParams()
    staff: StaffParams = StaffParams()
    workers: WorkerParams = WorkerParams()
    grid: GridParams = GridParams()
    platform: PlatformParams = PlatformParams()
    ladder: LadderParams = LadderParams()
    loop: LoopParams = LoopParams()
    property: PropertyParams = PropertyParams()
    party: PartyParams = PartyParams()
    participation: ParticipationParams = ParticipationParams()
    council: CouncilParams = CouncilParams()
    couriers: CourierParams = CourierParams()
    social_orgs: SocialOrgParams = SocialOrgParams()
    evaluation: EvaluationParams = EvaluationParams()
    privacy: PrivacyParams = PrivacyParams()
    mediation: MediationParams = MediationParams()
    root_cause: RootCauseParams = RootCauseParams()
    property_rating: PropertyRatingParams = PropertyRatingParams()
    secretary_day: SecretaryDayParams = SecretaryDayParams()
    compound_liaison: CompoundLiaisonParams = CompoundLiaisonParams()
    building_stewards: BuildingStewardsParams = BuildingStewardsParams()
    trust: TrustParams = TrustParams()
    population: PopulationParams = PopulationParams()
    office: OfficeParams = OfficeParams()
    costs: CostParams = CostParams()
    metrics: MetricParams = MetricParams()
    timeline: list[TimedChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits_the_day(self) -> Scenario:
        day = self.staff.hours_per_day
        if self.workers.admin_hours > day:
            raise ValueError(f"workers.admin_hours = {self.workers.admin_hours:g} is more than "
                             f"the working day staff.hours_per_day = {day:g}; allowed "
                             f"admin_hours <= hours_per_day")
        return self


SECTIONS: tuple[str, ...] = tuple(
    k for k in Scenario.model_fields if k not in ("name", "description", "extends", "timeline")
)

Kind = Literal["local", "resettled", "new_resident", "retiree"]
