"""``CommunityModel``: one street of communities on a neighbourhood graph, one step a day.

The daily schedule (the order matters and is fixed):

1. calendar: heating season and winter tide start/end [001]; monthly moves [001, 002];
2. deferred work falls due (hotline dispatch, referrals, revisits, street retries);
3. issues arise (vectorised) and households choose a channel or stay silent;
4. the institutions act: community offices plan the day (admin spill-over), party branches
   (red stations, tripartite meetings), property firms, grid workers, community offices
   (community rung), the street office (street rung, petitions), the hotline;
5. weekly: activities and participation, trust diffusion; monthly: deliberations/councils,
   fees and firm quality; daily: grid-worker turnover and overdue grievance;
6. the DataCollector records one row.

Policies are scenario files (``scenarios/*.toml``); nothing here branches on a scenario name.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from commgov.agents.community_office import CommunityOffice
from commgov.agents.grid_worker import GridWorker, visit_households
from commgov.agents.hotline import Hotline
from commgov.agents.neighbourhood_council import NeighbourhoodCouncil
from commgov.agents.owners_committee import OwnersCommittee
from commgov.agents.party_branch import PartyBranch
from commgov.agents.property_firm import PropertyFirm
from commgov.agents.resident import Households, Resident
from commgov.agents.street_office import StreetOffice
from commgov.model import graph as graph_mod
from commgov.model.lifecycle import HOTLINE, SERVICE, SILENT, SMALL, Issue, IssueBook, logistic
from commgov.model.mechanisms import MECHANISMS, Mechanism, Roster
from commgov.model.mechanisms.staffing import Staffing
from commgov.model.mechanisms.staffing import staff_posts as staff_posts  # re-exported
from commgov.model.metrics import MetricsCollector, agent_reporters, model_reporters
from commgov.model.schedule import DAILY, DayPlan, Task, every, in_season
from commgov.model.space import NeighbourhoodNetwork
from commgov.model.streams import Streams
from commgov.scenarios.loader import LoadedScenario, load_scenario
from commgov.scenarios.schema import COMPOUND_KINDS, Scenario


class CommunityScenario(MesaScenario):
    """The run's scenario as Mesa intends (``model.scenario``): the name, the validated
    parameters (``params``) and each parameter section as an attribute, plus the seed.

    The sections are the same objects as ``model.params``'s, so the app's live levers show
    here too; Mesa refuses to rebind an attribute while the model runs."""

    def __init__(self, loaded: LoadedScenario, rng: Any) -> None:
        sections = {name: getattr(loaded.scenario, name)
                    for name in type(loaded.scenario).model_fields}
        sections["name"] = loaded.name
        super().__init__(rng=rng, params=loaded.scenario, **sections)


class CommunityModel(mesa.Model):
    """Urban community governance on a neighbourhood graph (Mesa 3.5).

    Build it the Mesa way, keyword-only::

        CommunityModel(scenario="grid_merge", rng=42, staff__per_10k_residents=24.5)

    ``scenario`` is a name from ``scenarios/``, a path to a TOML file, or an already loaded
    scenario; ``**overrides`` set parameters as ``section__key=value`` (the Python spelling of
    the CLI's ``--set section.key=value``) and are validated like a scenario file.

    ``max_days`` (default ``None``: run forever, as a Mesa model does) sets ``running`` to
    False after that many days, so ``mesa.batch_run`` and ``run_model()`` end by themselves.
    ``agent_data=True`` adds agent-level DataCollector tables for grid workers (load,
    paperwork, overtime) and property firms (quality), off by default because it costs a
    row per agent per day (``datacollector.get_agenttype_vars_dataframe(GridWorker)``).
    """

    def __init__(self, *, scenario: str | Path | LoadedScenario | Scenario = "baseline",
                 rng: int | np.random.Generator | np.random.SeedSequence | None = None,
                 collect: bool = True, max_days: int | None = None, agent_data: bool = False,
                 **overrides: Any) -> None:
        super().__init__(rng=rng)
        self.streams = Streams.from_seed(rng)
        if max_days is not None and (isinstance(max_days, bool) or int(max_days) != max_days
                                     or max_days < 0):
            raise ValueError(f"max_days = {max_days!r}: allowed None or a whole number >= 0")
        self.max_days = None if max_days is None else int(max_days)
        loaded = _resolve(scenario, overrides)
        self.loaded = loaded
        self.params: Scenario = loaded.scenario
        self.scenario_name = loaded.name
        # Mesa's place for a run's parameters: model.scenario.grid.merged and so on are the
        # very sections of model.params (issue 10, item 4).
        self.scenario = CommunityScenario(loaded, rng)
        self.day = 0
        p = self.params

        # --- space: the neighbourhood graph as a Mesa Network
        self.neighbourhood = graph_mod.build(p.graph, self.streams.rng("world.graph"),
                                             base_dir=loaded.base_dir)
        nb = self.neighbourhood
        with _gc_paused():
            self.space = NeighbourhoodNetwork(nb, capacity=1, random=self.random)

            # --- households (arrays) and their thin Resident views
            self.households = Households(self, nb)
            cells = self.space.cells_by_node              # node order 0..N-1
            for cell in cells:    # as create_agents, without its AgentSet; idx = node id
                Resident(self, cell, cell.coordinate)

        # --- mechanisms: one module per policy or process (model/mechanisms)
        self.mechanisms: list[Mechanism] = [cls(self) for cls in MECHANISMS if cls.active(p)]
        self.roster = Roster()
        for mech in self.mechanisms:
            mech.contribute(self.roster)

        # --- institutions
        self.book = IssueBook(self)
        self._deferred: dict[int, list[tuple[int, Issue, Callable[[Issue], None]]]] = \
            defaultdict(list)
        self.workers: list[GridWorker] = []
        self.offices: list[CommunityOffice] = []
        self.staffing: Staffing = self.mechanism("staffing")   # always built (ODD 7.3)
        self.staffing.build()
        self._build_compounds()
        self.street = StreetOffice(self, nb.n_communities, self.staffing.standard_communities())
        self.hotline = Hotline(self)
        for mech in self.mechanisms:
            mech.start()
        for mech in self.mechanisms:
            mech.attach()
        self._facility_factor = np.ones(nb.n_compounds)
        for mech in self.mechanisms:
            mech.begin()              # e.g. the first fee payment, with every term set

        self.history: list[tuple[int, ...]] = []   # counters at the end of each day
        self.participations = 0       # households taking part, summed over activities
        self.day_plan = self._plan()
        self.datacollector = MetricsCollector(
            model_reporters=model_reporters(),
            agenttype_reporters=agent_reporters() if agent_data else None)
        self._collect = collect
        if collect:
            self._collect_row()
        if self.max_days == 0:
            self.running = False

    # ------------------------------------------------------------------ construction
    def _build_compounds(self) -> None:
        p = self.params
        nb = self.neighbourhood
        st = self.streams
        counts = np.bincount(nb.compound, minlength=nb.n_compounds)
        q0 = np.array([getattr(p.property.initial_quality, k) for k in COMPOUND_KINDS])
        oc = np.array([getattr(p.party.owners_committee_share, k) for k in COMPOUND_KINDS])
        self.firms = [PropertyFirm(self, c, int(counts[c]), float(q0[nb.compound_kind[c]]))
                      for c in range(nb.n_compounds)]
        has_branch = st.rng("party.branches").random(nb.n_compounds) < p.party.branch_coverage
        self.branches: list[PartyBranch | None] = [
            PartyBranch(self, c) if has_branch[c] else None for c in range(nb.n_compounds)]
        self.red_station = has_branch.copy()
        functional = st.rng("owners_committees").random(nb.n_compounds) < oc[nb.compound_kind]
        self.owners_committees = [OwnersCommittee(self, c, bool(functional[c]))
                                  for c in range(nb.n_compounds)]
        self.councils: list[NeighbourhoodCouncil] = []    # model/mechanisms/council.py
        self.count_active_members()

    def count_active_members(self) -> None:
        hh = self.households
        active = np.bincount(hh.compound[hh.member_active & hh.occupied],
                             minlength=self.neighbourhood.n_compounds)
        for b in self.branches:
            if b is not None:
                b.active_members = int(active[b.compound])

    # ------------------------------------------------------------------ lookups
    # (one case at a time: .item() reads a Python int, the same index, without numpy's cost)
    def compound_branch(self, household: int) -> PartyBranch | None:
        return self.branches[self.households.compound.item(household)]

    def compound_firm(self, household: int) -> PropertyFirm:
        return self.firms[self.households.compound.item(household)]

    def community_of(self, household: int) -> int:
        return self.households.community.item(household)


    def satisfaction_prob(self, household: int, bonus: float = 0.0) -> float:
        """Chance a household is satisfied with a handled case (trust colours it)."""
        lp = self.params.loop
        # .item(): a Python float, the same double, without numpy's per-scalar cost.
        x = lp.satisfaction_constant + bonus + lp.satisfaction_trust_weight * (
            self.households.trust.item(household) - 0.5)
        return logistic(x)

    def defer(self, issue: Issue, day: int, fn: Callable[[Issue], None]) -> None:
        """Hold an issue until ``day``, then hand it to ``fn`` (unless it moved or closed)."""
        issue.ticket += 1
        if day <= self.day:
            fn(issue)
        else:
            self._deferred[day].append((issue.ticket, issue, fn))

    def visit_draws(self) -> np.ndarray:
        """Today's per-flat draw that orders grid workers' door-to-door visits [003]."""
        cached = self.__dict__.get("_visit_draws")
        if cached is None or cached[0] != self.day:
            cached = self._visit_draws = (
                self.day, self.streams.daily("visits", self.day).random(self.households.n))
        return cached[1]

    # ------------------------------------------------------------------ mechanisms
    def mechanism(self, name: str) -> Mechanism | None:
        """The active mechanism called ``name``, or None when it is off."""
        return next((x for x in self.mechanisms if x.name == name), None)

    def _plan(self) -> DayPlan:
        """The model's own day with each active mechanism's tasks placed after the task it
        names (``Mechanism.tasks``; "" puts it first)."""
        tasks = list(self._declare_day().tasks)
        for mech in self.mechanisms:
            for after, task in mech.tasks():
                names = [t.name for t in tasks]
                if after == "":                   # first thing in the morning
                    tasks.insert(0, task)
                    continue
                if after not in names:
                    raise ValueError(f"mechanism {mech.name!r}: no task {after!r} in the day "
                                     f"to follow; tasks are {names}")
                tasks.insert(names.index(after) + 1, task)
        return DayPlan(tasks)

    def set_params(self, changes: Mapping[str, Any], by_hand: bool = False) -> None:
        """Set dotted parameters of the running model (validated by the caller: the loader
        for a timeline, the app for its live levers), then ``retune``; ``by_hand``: the app
        changed them, so a timeline leaves them alone from now on."""
        for key, value in changes.items():
            *path, name = key.split(".")
            target: Any = self.params
            for part in path:
                target = getattr(target, part)
            setattr(target, name, value)
        self.retune(by_hand=changes if by_hand else ())

    def retune(self, by_hand: Iterable[str] = ()) -> None:
        """Live levers changed ``params`` in place: reset every institution's terms and
        attach the mechanisms now active afresh (their state stays), then re-plan the day.
        A mechanism switched on mid-run starts from its ``start`` state. ``by_hand``: the
        keys the app changed (a timeline then leaves them alone)."""
        running = {mech.name: mech for mech in self.mechanisms}
        self.mechanisms = [running.get(c.name) or c(self) for c in MECHANISMS
                           if c.active(self.params)]
        roster = Roster()
        for mech in self.mechanisms:
            mech.contribute(roster)
        if roster != self.roster:          # the staffing changed: re-staff (7.3)
            self.roster = roster
            self.staffing.restaff()
        keys = list(by_hand)
        for mech in self.mechanisms:
            if keys:
                mech.set_by_hand(keys)
            if mech.name not in running:
                mech.start()
        for institution in (*self.workers, *self.offices, *self.firms, self.hotline,
                            self.book, self.households):
            institution.reset_terms()
        for mech in self.mechanisms:
            mech.attach()
        self.day_plan = self._plan()

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """One day: the declared plan (``model/schedule.py``; ``run.py schedule`` prints it)."""
        self.day_plan.run(self.day)

    def _declare_day(self) -> DayPlan:
        """The day's processes in order, with their cadence and ODD section (ODD 3)."""
        p = self.params
        pa = p.party

        def each(agents: Callable[[], Any], method: str) -> Callable[[int], None]:
            def run(day: int) -> None:
                for a in agents():
                    if a is not None:
                        getattr(a, method)()
            return run

        return DayPlan([
            Task("deferred work", "deliveries due",
                 "hotline dispatches, referrals, revisits and street retries scheduled today",
                 "3", DAILY, self._deliver_deferred),
            Task("issues arise", "new issues", "issues arise; channel or silence; routing",
                 "7.4-7.6", DAILY, self._new_issues),
            Task("institutions act", "offices plan", "admin load, backlog, formalism, spill-over",
                 "7.8", DAILY, each(lambda: self.offices, "plan_day")),
            Task("institutions act", "office requests", "residents' office matters wait or not",
                 "7.8", DAILY, lambda day: self._office_requests()),
            Task("institutions act", "party branches", "red station cases", "7.12", DAILY,
                 each(lambda: self.branches, "step")),
            Task("institutions act", "property firms", "property cases", "7.11", DAILY,
                 each(lambda: self.firms, "step")),
            Task("institutions act", "grid workers", "admin, cases, visits", "7.7", DAILY,
                 self._grid_work),
            Task("institutions act", "offices act", "revisits, community-rung cases",
                 "7.8, 7.10", DAILY, each(lambda: self.offices, "step")),
            Task("institutions act", "street office", "street-rung cases, petition hazard",
                 "7.9", DAILY, lambda day: self.street.step()),
            Task("institutions act", "hotline", "tickets on other matters", "7.6", DAILY,
                 lambda day: self.hotline.step()),
            Task("periodic processes", "overdue grievance", "open issues past their deadline",
                 "7.15", DAILY, self._overdue),
            Task("periodic processes", "branch activities", "participation, volunteers",
                 "7.13, 7.14", every(pa.activity_days, 0),
                 lambda day: self._activities(deliberation=False)),
            Task("periodic processes", "deliberations",
                 "deliberations or council meetings", "7.13, 7.14",
                 every(pa.deliberation_days, pa.deliberation_days // 2),
                 lambda day: self._activities(deliberation=True)),
            Task("periodic processes", "trust diffusion", "trust diffusion, grievance decay",
                 "7.15", every(7, 6), lambda day: self.households.diffuse_trust()),
            Task("observation", "record", "counters to history; day advances; DataCollector",
                 "4.11", DAILY, self._observe),
        ])

    def _deliver_deferred(self, day: int) -> None:
        for ticket, issue, fn in self._deferred.pop(day, ()):
            if not issue.closed and ticket == issue.ticket:
                fn(issue)

    def _grid_work(self, day: int) -> None:
        for w in self.workers:
            w.step()
        visit_households(self, self.workers)

    def _new_issues(self, day: int) -> None:
        i = self.params.issues
        heating = in_season(day % 365 + 1, i.heating_start_day, i.heating_end_day)
        hit, kinds = self.households.draw_new_issues(heating, self._facility_factor)
        if len(hit):
            self._report(hit, kinds)

    def _overdue(self, day: int) -> None:
        hh = self.households
        open_ = np.flatnonzero(hh.open_issue)      # a few hundred of the flats
        overdue = open_[day > hh.due_day[open_]]
        hh.grievance[overdue] += self.params.issues.grievance_per_overdue_day
        self.book.counters.overdue_days += len(overdue)

    def _observe(self, day: int) -> None:
        self.history.append(self.book.counters.snapshot())
        self.day += 1
        if self._collect:
            self._collect_row()
        if self.max_days is not None and self.day >= self.max_days:
            self.running = False

    def _collect_row(self) -> None:
        """One DataCollector row; the metrics share what they have in common (the occupied
        flats, ...) for this row only (``metrics._row``)."""
        self._collecting: dict[str, Any] | None = {}
        try:
            self.datacollector.collect(self)
        finally:
            self._collecting = None

    def _report(self, hit: np.ndarray, kinds: np.ndarray) -> None:
        p = self.params
        hh = self.households
        c = self.book.counters
        c.arisen += len(hit)
        d = p.issues.difficulty_shares
        u = self.streams.keyed_array("issues.difficulty", hit, self.day)
        difficulty = np.searchsorted(np.cumsum([d.small, d.big, d.hard]), u,
                                     side="right").clip(0, 2)
        channels = hh.choose_channels(hit, kinds, self.red_station)
        for hook in self.book.on_arrival:      # mechanisms' hooks (IssueBook.reset_terms)
            hook(hit, kinds, difficulty, channels)
        quiet = channels == SILENT
        silent = hit[quiet]
        c.silent += len(silent)
        for k, n in enumerate(np.bincount(kinds, minlength=4).tolist()):
            c.arisen_by_kind[k] += n
        for k, n in enumerate(np.bincount(kinds[quiet], minlength=4).tolist()):
            c.silent_by_kind[k] += n
        hh.silent_kind[silent] = kinds[quiet]       # kept to itself, until someone asks
        hh.silent_difficulty[silent] = difficulty[quiet]
        hh.silent_day[silent] = self.day
        hh.grievance[silent] += p.issues.grievance_silent
        hh.trust[silent] = np.maximum(0.0, hh.trust[silent] - p.trust.silent)
        for h, k, dif, ch in zip(hit.tolist(), kinds.tolist(), difficulty.tolist(),
                                 channels.tolist(), strict=True):
            if ch != SILENT:
                self.book.report(h, k, dif, ch)

    def _activities(self, deliberation: bool) -> None:
        """Branch activities (every ``party.activity_days``) and deliberations/councils
        (every ``party.deliberation_days``) in compounds with a branch [001, 003, 004]."""
        hh = self.households
        council = deliberation and bool(self.councils)
        joined = hh.participate(self.day, self.red_station, council)
        self.participations += int(joined.sum())
        n = self.neighbourhood.n_compounds
        per_compound = np.bincount(hh.compound[joined], minlength=n)
        for b in self.branches:
            if b is not None:
                b.attendance = int(per_compound[b.compound])
        if council:
            order = np.argsort(hh.compound[joined], kind="stable")
            members = np.split(np.flatnonzero(joined)[order], np.cumsum(per_compound)[:-1])
            for council_agent in self.councils:
                council_agent.meet(members[council_agent.compound])
        # Volunteers (greening, snow clearing, repairs) cut facility issues [000].
        occ = np.bincount(hh.compound[hh.occupied], minlength=n)
        recent = (self.day - hh.last_participation) < self.params.participation.window_days
        active = np.bincount(hh.compound[recent & hh.occupied], minlength=n)
        share = np.divide(active, occ, out=np.zeros(n), where=occ > 0)
        self._facility_factor = 1 - self.params.participation.facility_reduction * share

    def _office_requests(self) -> None:
        """Residents' matters that need the office (benefits, certificates, approvals,
        referrals, feedback [000, 001, 004]) wait behind its backlog; waiting costs trust
        and grievance and some waits become 12345 complaints [001]. One draw per flat and
        purpose, so the same households ask on the same days under every policy."""
        o = self.params.office
        if o.requests_per_household_year <= 0:
            return
        hh = self.households
        st = self.streams
        u = st.daily("office.requests", self.day).random(hh.n)    # x 365: a year's scale
        # The exact test (u x 365 < rate) on the flats below a bound only (a few in a hundred
        # ask a day); the bound is on the draws' scale, so only candidates are scaled.
        rate = o.requests_per_household_year
        cand = np.flatnonzero(u < rate / 365.0 * (1.0 + 1e-9))
        asking = cand[hh.occupied[cand] & (u[cand] * 365.0 < rate)]
        wait = np.array([office.wait_share() for office in self.offices])[hh.community[asking]]
        idx = asking[st.keyed_array("office.wait", asking, self.day) < wait]
        c = self.book.counters
        c.office_requests += len(asking)
        c.office_waits += len(idx)
        if not len(idx):
            return
        hh.trust[idx] = np.maximum(0.0, hh.trust[idx] - o.wait_trust)
        hh.grievance[idx] += o.wait_grievance
        hh.office_wait_day[idx] = self.day
        u_complain = st.keyed_array("office.complaint", idx, self.day)
        complain = idx[(u_complain < o.wait_complaint_prob) & ~hh.open_issue[idx]]
        c.arisen += len(complain)
        for h in complain.tolist():
            self.book.report(h, SERVICE, SMALL, HOTLINE)


def _resolve(scenario: str | Path | LoadedScenario | Scenario,
             overrides: Mapping[str, Any]) -> LoadedScenario:
    if isinstance(scenario, LoadedScenario):
        if overrides:
            base = scenario.path if scenario.path is not None else scenario.name
            return load_scenario(base, overrides)
        return scenario
    if isinstance(scenario, Scenario):
        data = scenario.model_dump()
        for key, value in overrides.items():
            _set_dotted(data, key.replace("__", "."), value)
        s = Scenario.model_validate(data)
        return LoadedScenario(scenario=s, name=s.name, path=None, chain=(),
                              base_dir=Path.cwd())
    return load_scenario(scenario, overrides)


def _set_dotted(data: dict, key: str, value: Any) -> None:
    parts = key.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while cells and agents are made in bulk: it
    would walk the growing heap again and again (a third of the build time of a
    40,000-household street). Nothing is kept alive longer; it runs as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
