"""Mechanisms as modules (issue 10, item 1): one home per policy, terms on institutions,
tasks in the declared day. Tiny communities: each test runs in well under a second."""

from __future__ import annotations

import ast
import functools
import math
import re
from pathlib import Path

import numpy as np
import pytest

from commgov.agents.resident import Term
from commgov.model.community import CommunityModel
from commgov.model.mechanisms import MECHANISMS, Mechanism, ordered
from commgov.model.mechanisms.grid import DUPLICATE_LEDGERS

ROOT = Path(__file__).resolve().parents[1]
TINY = {"graph__households_per_community": 300, "graph__grids_per_community": 1,
        "graph__compounds_per_community": 2}

#: Each policy switch (schema section, key) and the one module allowed to read it.
SWITCHES = {("grid", "merged"): "model/mechanisms/grid.py",
            ("platform", "integrated"): "model/mechanisms/platform.py",
            ("loop", "closed_loop"): "model/mechanisms/closed_loop.py",
            ("property", "red_property"): "model/mechanisms/red_property.py",
            ("party", "tripartite"): "model/mechanisms/tripartite.py",
            ("council", "enabled"): "model/mechanisms/council.py",
            ("participation", "volunteer_points"): "model/mechanisms/volunteer_points.py",
            ("channels", "wechat_groups"): "model/mechanisms/wechat_groups.py",
            ("workers", "task_access_cut"): "model/mechanisms/task_access_list.py",
            ("population", "winter_tide_share"): "model/mechanisms/winter_tide.py",
            ("workers", "training"): "model/mechanisms/training.py",
            ("population", "vacancy_fill_per_year"): "model/mechanisms/population.py",
            ("couriers", "special_grid_workers"): "model/mechanisms/couriers.py",
            ("social_orgs", "incubated"): "model/mechanisms/social_orgs.py",
            ("evaluation", "resident_evaluation"): "model/mechanisms/evaluation.py",
            ("privacy", "refusal_share"): "model/mechanisms/privacy.py",
            ("mediation", "mediation_rooms"): "model/mechanisms/mediation_room.py",
            ("root_cause", "root_cause_fixes"): "model/mechanisms/root_cause.py",
            ("property_rating", "star_rating"): "model/mechanisms/property_rating.py",
            ("secretary_day", "held"): "model/mechanisms/secretary_day.py",
            ("compound_liaison", "appointed"): "model/mechanisms/compound_liaison.py",
            ("building_stewards", "organised"): "model/mechanisms/building_stewards.py",
            ("channels", "hotline_dispatch_days"): "model/mechanisms/hotline.py",
            ("channels", "other_hotline_tickets"): "model/mechanisms/hotline.py",
            ("party", "activation"): "model/mechanisms/double_reporting.py",
            ("property", "fee_constant"): "model/mechanisms/fees.py",
            ("property", "fee_quality_weight"): "model/mechanisms/fees.py",
            ("property", "fee_trust_weight"): "model/mechanisms/fees.py",
            ("property", "fee_grievance_weight"): "model/mechanisms/fees.py"}


@functools.cache
def _attribute_reads() -> dict[str, list[tuple[str, int]]]:
    """Every attribute read (name, line) in the package's code, parsed once per session."""
    out: dict[str, list[tuple[str, int]]] = {}
    for folder in ("model", "agents", "viz", "experiments", "scenarios"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            out[path.relative_to(ROOT).as_posix()] = [
                (node.attr, node.lineno) for node in ast.walk(tree)
                if isinstance(node, ast.Attribute)]
    return out


#: Sections read as a whole by one module only: no other code reads ``params.<section>``.
SECTIONS = {"staff": "model/mechanisms/staffing.py"}


@pytest.mark.parametrize("switch,home", sorted(SWITCHES.items()))
def test_a_switch_is_read_only_in_its_mechanism(switch, home):
    """No code outside its mechanism reads the switch as an attribute (``….merged``): the
    schema declares it, scenario files, docs, examples and tests set it."""
    key = switch[1]
    assert (ROOT / home).is_file(), home
    readers = [f"{rel}:{line}" for rel, reads in _attribute_reads().items()
               if rel not in (home, "scenarios/schema.py")
               for attr, line in reads if attr == key]
    assert not readers, f"{'.'.join(switch)} read outside {home}: {readers}"


@pytest.mark.parametrize("section,home", sorted(SECTIONS.items()))
def test_a_section_is_read_only_in_its_mechanism(section, home):
    """No code outside its mechanism reads the section (``p.staff``): institutions get what
    they need from it (a post's working day) when the mechanism builds them."""
    assert (ROOT / home).is_file(), home
    readers = [f"{rel}:{line}" for rel, reads in _attribute_reads().items()
               if rel not in (home, "scenarios/schema.py")
               for attr, line in reads if attr == section]
    assert not readers, f"params.{section} read outside {home}: {readers}"


def _mech(name: str, after: tuple[str, ...] = ()) -> type[Mechanism]:
    return type(name, (Mechanism,), {"name": name, "section": "grid", "odd": "", "after": after})


def test_mechanisms_are_ordered_by_their_dependencies():
    a, b, c = _mech("a"), _mech("b", ("c",)), _mech("c", ("a",))
    assert [m.name for m in ordered([b, c, a])] == ["a", "c", "b"]
    with pytest.raises(ValueError, match="cycle"):
        ordered([_mech("x", ("y",)), _mech("y", ("x",))])
    with pytest.raises(ValueError, match="does not exist"):
        ordered([_mech("x", ("nobody",))])
    with pytest.raises(ValueError, match="two mechanisms"):
        ordered([_mech("x"), _mech("x")])
    names = [m.name for m in MECHANISMS]
    assert names.index("grid") < names.index("platform")


def test_separate_grids_set_ledgers_and_referrals():
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    g = m.params.grid
    assert "grid" in [x.name for x in m.mechanisms]
    assert "platform" not in [x.name for x in m.mechanisms]
    for w in m.workers:
        assert w.admin_terms == {DUPLICATE_LEDGERS: (g.separate_networks - 1)
                                 * g.duplicate_report_hours}
        assert w.referral is not None and w.referral.days == g.referral_days
        assert w.case_terms is None
    assert all(o.unlearnt == 0 and o.cadre_field_share == 0 for o in m.offices)
    assert "merge adaptation" not in [t.name for t in m.day_plan.tasks]


def test_a_merge_sends_cadres_out_and_starts_with_everything_to_learn():
    m = CommunityModel(scenario="grid_merge", rng=0, collect=False, **TINY)
    share = m.params.grid.cadre_field_share
    cadres = [w for w in m.workers if w.cadre]
    assert len(cadres) == m.params.staff.committee_posts
    assert all(w.admin_terms == {} and w.referral is None and w.case_terms for w in m.workers)
    assert all(o.unlearnt == 1.0 and o.cadre_field_share == share for o in m.offices)
    names = [t.name for t in m.day_plan.tasks]
    assert names.index("merge adaptation") == names.index("offices plan") + 1
    m.run_for(30)
    u = m.offices[0].unlearnt
    assert 0 < u < 1
    # the day's step: exp(-covered share / adaptation days), never faster than all covered
    assert u >= math.exp(-30 / m.params.grid.adaptation_days) - 1e-12


def test_the_platform_refines_the_grid_terms_and_a_live_switch_retunes():
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    dispatch = m.hotline.dispatch_days
    m.run_for(5)
    m.params.platform.integrated = True          # what the app's live lever does
    m.retune()
    assert {"grid", "platform"} <= {x.name for x in m.mechanisms}
    assert m.hotline.dispatch_days == 0
    assert all(w.admin_terms == {} and w.referral.days == 0 for w in m.workers)
    m.run_for(5)
    m.params.platform.integrated = False
    m.retune()
    assert m.hotline.dispatch_days == dispatch
    assert all(DUPLICATE_LEDGERS in w.admin_terms and w.referral.days > 0 for w in m.workers)
    assert m.day == 10


def test_the_schedule_command_lists_the_mechanisms(capsys):
    from commgov.experiments.cli import main

    assert main(["schedule", "integrated_platform"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"grid\s+on\s+model\.mechanisms\.grid", out)
    assert re.search(r"platform\s+on\s+model\.mechanisms\.platform", out)
    assert main(["schedule"]) == 0
    assert re.search(r"platform\s+off", capsys.readouterr().out)


def test_the_closed_loop_takes_over_handled_cases_and_lets_go_when_switched_off():
    m = CommunityModel(scenario="closed_loop", rng=0, collect=False, **TINY)
    assert m.book.after_handled is not None
    assert all(o.on_revisit is not None for o in m.offices)
    m.run_for(20)
    assert m.book.counters.resolved > 0
    m.params.loop.closed_loop = False            # the app's live lever
    m.retune()
    assert m.book.after_handled is None and all(o.on_revisit is None for o in m.offices)
    m.run_for(5)        # revisits already queued close as cases do without the loop
    assert not any(o._revisits for o in m.offices)
    base = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    assert base.book.after_handled is None


def test_red_property_sets_firm_and_fee_terms_and_can_be_switched_live():
    m = CommunityModel(scenario="red_property", rng=0, collect=False, **TINY)
    pr = m.params.property
    assert m.households.fee_bonus == pr.red_fee_trust_bonus
    assert all(f.quality_bonus == pr.red_quality_bonus and f.own_branch for f in m.firms)
    m.run_for(3)
    m.params.property.red_property = False
    m.retune()
    assert m.households.fee_bonus == 0.0
    assert not any(f.quality_bonus or f.own_branch for f in m.firms)
    base = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    assert base.households.fee_bonus == 0.0 and not base.firms[0].own_branch


def test_tripartite_councils_points_and_wechat_set_their_terms():
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    on = {x.name for x in m.mechanisms}
    assert {"tripartite", "wechat_groups"} <= on and "council" not in on
    assert m.households.wechat_everywhere and m.households.participation_terms == {}
    assert m.councils == []
    for c, firm in enumerate(m.firms):
        has = m.branches[c] is not None
        assert (firm.mediator is not None) == has
        if has:
            body = firm.mediator()
            assert (body is not None) == m.owners_committees[c].functional
    names = [t.name for t in m.day_plan.tasks]
    assert names.index("tripartite meetings") == names.index("party branches") + 1
    off = CommunityModel(scenario="baseline", rng=0, collect=False, party__tripartite=False,
                         channels__wechat_groups=False, **TINY)
    assert all(f.mediator is None for f in off.firms) and not off.households.wechat_everywhere
    assert "tripartite meetings" not in [t.name for t in off.day_plan.tasks]
    pts = CommunityModel(scenario="volunteer_points", rng=0, collect=False, **TINY)
    term = pts.households.participation_terms["volunteer points"]
    assert term.per_kind and term.values.shape == (4,)
    council = CommunityModel(scenario="neighbourhood_council", rng=0, collect=False, **TINY)
    assert len(council.councils) == council.neighbourhood.n_compounds


def test_participation_terms_are_one_named_dict_summed_in_attach_order():
    """Volunteer points and social organisations add log-odds per household kind, stewards
    per flat; all three live in ``participation_terms``, in the mechanisms' attach order,
    and a live switch-off removes only its own."""
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY,
                       participation__volunteer_points=True, social_orgs__incubated=True,
                       social_orgs__incubation_days=0, building_stewards__organised=True)
    hh = m.households
    assert list(hh.participation_terms) == ["building stewards", "social organisations",
                                            "volunteer points"]
    kinds = hh.kind.copy()
    expect = sum(t.values[kinds] if t.per_kind else t.values
                 for t in hh.participation_terms.values())
    assert np.array_equal(sum(t.at(kinds) for t in hh.participation_terms.values()), expect)
    moved = (kinds + 1) % 4                      # a flat that changes hands: its new kind's
    points = hh.participation_terms["volunteer points"]
    assert np.array_equal(points.at(moved), points.values[moved])
    m.set_params({"participation.volunteer_points": False})
    assert list(hh.participation_terms) == ["building stewards", "social organisations"]
    with pytest.raises(ValueError, match="one value per household kind"):
        Term.by_kind(np.zeros(5))


def test_model_scenario_is_mesas_and_holds_the_parameters():
    """issue 10, item 4: ``model.scenario`` is a Mesa Scenario with the run's parameters."""
    from mesa.experimental.scenarios import Scenario as MesaScenario

    m = CommunityModel(scenario="grid_merge", rng=3, collect=False, **TINY)
    assert isinstance(m.scenario, MesaScenario) and m.scenario.model is m
    assert m.scenario.name == "grid_merge" and m.scenario.params is m.params
    assert m.scenario.grid is m.params.grid and m.scenario.grid.merged
    assert m.scenario.rng == 3
    with pytest.raises(ValueError, match="during model run"):
        m.scenario.grid = None


def test_turnover_is_a_mechanism_with_its_task_and_a_live_rate():
    """Who leaves is decided in model/mechanisms/turnover.py: at rate 0 it is not built
    (no task, no draws) and nobody leaves; a live rate change builds it, puts its task after
    the fees, and workers leave."""
    size = {**TINY, "graph__households_per_community": 1500}
    m = CommunityModel(scenario="baseline", rng=0, collect=False,
                       workers__turnover_per_year=0.0, **size)
    assert "turnover" not in {x.name for x in m.mechanisms}
    assert "turnover" not in [t.name for t in m.day_plan.tasks]

    def leavers(days: int) -> int:
        before = [w.tenure for w in m.workers]
        m.run_for(days)
        return sum(w.tenure < b + days for w, b in zip(m.workers, before, strict=True)
                   if not w.cadre)

    assert leavers(30) == 0
    m.set_params({"workers.turnover_per_year": 5.0})
    names = [t.name for t in m.day_plan.tasks]
    assert names.index("turnover") == names.index("fees") + 1
    assert leavers(200) >= 1     # 5 a year: each post turns over with chance 0.94


def test_the_winter_tide_comes_with_the_heating_season_and_leaves_on_time():
    """model/mechanisms/winter_tide.py: day 0 (1 January) is in the heating season, so the
    tide is there from the start; it leaves on the season's last day and a share lowered
    mid-season to 0 brings nobody next winter."""
    m = CommunityModel(scenario="winter_tide", rng=0, collect=False, **TINY)
    i = m.params.issues
    share = m.households.tide[m.households.occupied].mean()
    assert abs(share - m.params.population.winter_tide_share) < 0.06
    names = [t.name for t in m.day_plan.tasks]
    assert names[:2] == ["winter tide arrives", "winter tide leaves"]
    m.run_for(i.heating_end_day)            # the tide leaves on the season's last day
    assert not m.households.tide.any()
    m.set_params({"population.winter_tide_share": 0.0})
    m.run_for(i.heating_start_day - i.heating_end_day + 1)
    assert not m.households.tide.any()


def test_a_task_access_list_cuts_worker_and_office_paperwork_live():
    m = CommunityModel(scenario="task_access_list", rng=0, collect=False, **TINY)
    cut = m.params.workers.task_access_cut
    assert cut > 0 and "task_access_list" in {x.name for x in m.mechanisms}
    assert all(x.admin_cut == cut for x in (*m.workers, *m.offices))
    w = next(x for x in m.workers if not x.cadre)
    with_list = w.admin_hours()
    m.set_params({"workers.task_access_cut": 0.0})
    assert all(x.admin_cut == 0 for x in (*m.workers, *m.offices))
    freed = m.params.workers.admin_hours * cut * w.hours / m.params.staff.hours_per_day
    assert w.admin_hours() - with_list == pytest.approx(freed)


def test_households_move_monthly_at_the_population_rates():
    """model/mechanisms/population.py: at rates of 0 nobody moves; with an influx, empty
    flats fill on the monthly move days only."""
    still = CommunityModel(scenario="baseline", rng=0, collect=False,
                           population__turnover_per_year=0.0,
                           population__vacancy_fill_per_year=0.0, **TINY)
    occ = still.households.occupied.copy()
    still.run_for(61)
    assert (still.households.occupied == occ).all()
    m = CommunityModel(scenario="new_resident_influx", rng=0, collect=False, **TINY)
    n0 = m.households.occupied.sum()
    m.run_for(30)                          # day 30 is the first move day: not yet run
    assert m.households.occupied.sum() == n0
    m.run_for(1)
    assert m.households.occupied.sum() > n0


def test_the_hotline_dispatches_after_its_delay_to_the_compound_handler():
    """model/mechanisms/hotline.py sets the hotline's delay, handler and other-ticket rate;
    a ticket waits the delay, then goes to the compound's handler; live values retune."""
    from commgov.model.lifecycle import HOTLINE, PROPERTY, SMALL

    m = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    c = m.params.channels
    h = m.hotline
    mech = next(x for x in m.mechanisms if x.name == "hotline")
    assert h.dispatch_days == c.hotline_dispatch_days > 0
    assert h.other_tickets == c.other_hotline_tickets > 0
    assert h.dispatch == mech.dispatch
    household = int(np.flatnonzero(m.households.occupied & ~m.households.open_issue)[0])
    issue = m.book.report(household, PROPERTY, SMALL, HOTLINE)
    assert any(i is issue for _, i, _ in m._deferred[m.day + c.hotline_dispatch_days])
    m.run_for(c.hotline_dispatch_days)       # days 0 .. delay - 1: still at the hotline
    assert not issue.firm_tried
    m.run_for(1)
    assert issue.firm_tried                  # dispatched to the compound's property firm
    m.set_params({"channels.hotline_dispatch_days": 5, "channels.other_hotline_tickets": 0.0})
    assert h.dispatch_days == 5 and h.other_tickets == 0.0
    other = m.book.counters.hotline_other
    m.run_for(20)
    assert m.book.counters.hotline_other == other     # no tickets on other matters


def test_double_reporting_decides_which_members_are_active_at_build_and_for_newcomers():
    """model/mechanisms/double_reporting.py: a member is active where the flat's draw is
    below ``party.activation``, for the households of the build and for newcomers; the
    branches count them."""
    m = CommunityModel(scenario="new_resident_influx", rng=0, collect=False,
                       party__activation=0.5, **TINY)
    hh = m.households
    assert hh.activate is not None
    assert (hh.member_active == hh.party_member & (hh.activation_draw < 0.5)).all()
    assert 0 < hh.member_active.sum() < hh.party_member.sum()
    assert sum(b.active_members for b in m.branches if b is not None) == \
        (hh.member_active & hh.occupied & np.isin(hh.compound, [b.compound for b in m.branches
                                                               if b is not None])).sum()
    m.set_params({"party.activation": 1.0})   # from now on every newcomer member shows up
    before, draws = hh.member_active.copy(), hh.activation_draw.copy()
    m.run_for(31)                             # one monthly move
    new = hh.activation_draw != draws         # flats settled again (a fresh draw)
    assert new.any() and (hh.party_member[new]).any()
    assert (hh.member_active[new] == hh.party_member[new]).all()
    assert (hh.member_active[~new] == before[~new]).all()   # the others keep their state
    none = CommunityModel(scenario="baseline", rng=0, collect=False, party__activation=0.0,
                          **TINY)
    assert not none.households.member_active.any()
    assert all(b.active_members == 0 for b in none.branches if b is not None)


def test_fees_are_paid_at_build_after_the_terms_and_monthly_in_the_declared_place():
    """model/mechanisms/fees.py: the first payment at build already counts red property's
    fee bonus (set in attach); the monthly task keeps its place (after trust diffusion,
    before turnover) and firms follow the paid share; at the lowest constant hardly anyone
    pays and quality falls on the fee day only."""
    base = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    red = CommunityModel(scenario="red_property", rng=0, collect=False, **TINY)
    assert base.mechanism("fees") is not None
    assert red.households.fee_paid.mean() > base.households.fee_paid.mean()
    hh = base.households
    assert not (hh.fee_paid & (hh.nail | ~hh.occupied)).any()
    names = [t.name for t in base.day_plan.tasks]
    assert names.index("fees") == names.index("trust diffusion") + 1
    assert names.index("turnover") == names.index("fees") + 1
    poor = CommunityModel(scenario="baseline", rng=0, collect=False,
                          property__fee_constant=-10.0, **TINY)
    assert poor.households.fee_paid.mean() < 0.01
    q0 = [f.quality for f in poor.firms]
    poor.run_for(29)
    assert [f.quality for f in poor.firms] == q0       # no fee day yet
    poor.run_for(1)                                    # day 29: hardly anyone pays
    assert sum(f.quality for f in poor.firms) < sum(q0)


def test_staffing_builds_and_restaffs_by_its_rule():
    """model/mechanisms/staffing.py: posts per community by the rule (staff_posts, still
    importable from model.community), workers get the working day, every occupied flat has
    a worker of its own community, and a live merge re-staffs through the roster."""
    from commgov.model.community import staff_posts as reexported
    from commgov.model.mechanisms.staffing import Staffing, staff_posts

    assert reexported is staff_posts
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    s = m.params.staff
    assert isinstance(m.staffing, Staffing) and m.mechanism("staffing") is m.staffing
    office = m.offices[0]
    planned = 300 * m.params.households.initial_occupancy
    grid, service = staff_posts(m.params, planned,
                                planned * m.params.households.residents_per_household)
    assert office.base_service == service and office.committee_posts == s.committee_posts
    assert sum(w.hours for w in office.workers) == pytest.approx(grid * s.hours_per_day)
    assert m.worker_fte == pytest.approx(grid)
    assert all(w.full_day == s.hours_per_day for w in m.workers)
    assert office.full_day == s.hours_per_day
    assert m.staffing.grid_fte(m.workers) == pytest.approx(grid)
    hh = m.households
    assert all((hh.worker[w.households] == w.index).all() for w in m.workers)
    assert sum(len(w.households) for w in m.workers) == hh.n
    assert m.street.standard_communities == pytest.approx(300 / s.reference_households)
    n = len(m.workers)
    m.run_for(3)
    m.set_params({"grid.merged": True})          # a timed merge: cadres join the grid
    cadres = [w for w in m.workers if w.cadre]
    assert len(cadres) == s.committee_posts and len(m.workers) == n + s.committee_posts
    assert all(w.hours == pytest.approx(s.hours_per_day * m.params.grid.cadre_field_share)
               for w in cadres)
    assert all(len(w.households) > 0 for w in cadres)
    m.run_for(3)

