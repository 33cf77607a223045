"""The scenario schema: every model parameter and its record — default, allowed range, unit,
source, meaning, and where it has them its names in English and Chinese, its lever in the
app (``Control``), its ODD table and the basis of its value. Everything else that lists
parameters (the app's levers and labels, report labels, docs/PARAMETERS.md, the ODD tables)
is generated from these records (``scenarios.loader.flat_parameters``).

The core sections are here; a mechanism that owns a section declares it in its module
(``model/mechanisms/<name>.py``, ``params``) and ``Scenario`` below gathers it; the record
kit (``P``, ``Control``, ``Section``) is ``scenarios.records``.

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

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from commgov.scenarios.records import (  # noqa: F401  (re-exported: the schema's public names)
    COMPOUND_KINDS,
    DIFFICULTIES,
    HOUSEHOLD_KINDS,
    ISSUE_KINDS,
    MAX_PATH_CHARS,
    CompoundMix,
    Control,
    KindShares,
    KindSharesByCompound,
    P,
    Pair,
    PerCompoundKind,
    PerCompoundKindIssue,
    PerDifficulty,
    PerHouseholdKind,
    PerIssueKind,
    Section,
    _each_between,
    _plain_path,
)


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


class _ScenarioCore(BaseModel):
    """The sections every run reads (the world, its institutions, costs and metrics). A
    mechanism that owns a section declares it in its own module (``params``) and joins the
    assembled ``Scenario`` below."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = "baseline"
    # Its names and one-line description in English and Chinese (the app, reports and
    # `run.py list`), set in the file itself and not inherited through ``extends``.
    title: str = ""
    title_zh: str = ""
    description: str = ""
    description_zh: str = ""
    extends: str = ""
    graph: GraphSpec = GraphSpec()
    households: HouseholdParams = HouseholdParams()
    issues: IssueParams = IssueParams()
    channels: ChannelParams = ChannelParams()
    staff: StaffParams = StaffParams()
    workers: WorkerParams = WorkerParams()
    grid: GridParams = GridParams()
    ladder: LadderParams = LadderParams()
    property: PropertyParams = PropertyParams()
    party: PartyParams = PartyParams()
    participation: ParticipationParams = ParticipationParams()
    trust: TrustParams = TrustParams()
    population: PopulationParams = PopulationParams()
    office: OfficeParams = OfficeParams()
    costs: CostParams = CostParams()
    metrics: MetricParams = MetricParams()

    @model_validator(mode="after")
    def _fits_the_day(self) -> _ScenarioCore:
        day = self.staff.hours_per_day
        if self.workers.admin_hours > day:
            raise ValueError(f"workers.admin_hours = {self.workers.admin_hours:g} is more than "
                             f"the working day staff.hours_per_day = {day:g}; allowed "
                             f"admin_hours <= hours_per_day")
        return self


def _odd_key(odd: str) -> tuple[int, ...]:
    return tuple(int(x) if x.isdigit() else 0 for x in odd.split("."))


def _assemble() -> type[_ScenarioCore]:
    """The scenario model: the core sections, then every mechanism's own section (in ODD
    order), then the timeline. A mechanism's section is found through its ``params``, so
    adding one edits no list here (docs/ADDING_A_MECHANISM.md)."""
    from commgov.model.mechanisms import MECHANISMS

    fields: dict[str, Any] = {}
    for c in sorted(MECHANISMS, key=lambda c: (_odd_key(c.odd), c.name)):
        if c.params is None:
            continue
        if not (isinstance(c.params, type) and issubclass(c.params, Section)):
            raise TypeError(f"mechanism {c.name!r}: params must be a Section subclass, "
                            f"not {c.params!r}")
        if c.section in _ScenarioCore.model_fields or c.section in fields \
                or c.section == "timeline":
            raise TypeError(f"mechanism {c.name!r} declares section {c.section!r}, which "
                            f"another section already uses")
        fields[c.section] = (c.params, c.params())
    fields["timeline"] = (list[TimedChange], Field(default_factory=list))
    model = create_model("Scenario", __base__=_ScenarioCore, __module__=__name__, **fields)
    model.__doc__ = ("A whole scenario: metadata, every section (the core ones and each "
                     "mechanism's own) and an optional timeline of timed changes.")
    return model


# A class like any other for pydantic, pickle and isinstance; type checkers see the core.
Scenario = _assemble()

# Top-level keys that are not sections (the timeline is a list of steps).
META_KEYS: tuple[str, ...] = ("name", "title", "title_zh", "description", "description_zh",
                              "extends")
SECTIONS: tuple[str, ...] = tuple(
    k for k in Scenario.model_fields if k not in (*META_KEYS, "timeline")
)

Kind = Literal["local", "resettled", "new_resident", "retiree"]
