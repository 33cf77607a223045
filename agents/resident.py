"""Households: numpy state owned by the model, vectorised behaviour, and the thin ``Resident``.

Per-household state lives in the arrays of ``Households`` (one row per flat, occupied or
not); every daily household behaviour is one numpy expression over all rows. ``Resident`` is
a Mesa agent pinned to its graph node that only reads and writes those arrays, so AgentSet,
DataCollector and SolaraViz still see ordinary agents.

Household kinds [001, 002, 004]: long-time locals; resettled residents (回迁, past conflicts,
village habits) [001]; new residents (migrants, renters: weak belonging, low participation)
[002]; retirees (the backbone of councils and activities) [004].
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from mesa.discrete_space import FixedAgent

from commgov.model.lifecycle import PROPERTY, logistic
from commgov.scenarios.records import COMPOUND_KINDS, HOUSEHOLD_KINDS, ISSUE_KINDS

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.model.graph import Neighbourhood

LOCAL, RESETTLED, NEW_RESIDENT, RETIREE = range(4)
assert HOUSEHOLD_KINDS == ("local", "resettled", "new_resident", "retiree")
NEVER = -10_000  # "day of last participation" for households that never took part


def _per_kind(table, names=HOUSEHOLD_KINDS) -> np.ndarray:
    return np.array([getattr(table, k) for k in names], dtype=np.float64)


class Term(NamedTuple):
    """Log-odds a mechanism adds to every household's decision: per household kind (one
    value per kind, read through each household's kind on the day, so a flat that changes
    hands gets its new kind's) or per flat (one value per row)."""

    values: np.ndarray
    per_kind: bool

    @classmethod
    def by_kind(cls, values: np.ndarray) -> Term:
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (len(HOUSEHOLD_KINDS),):
            raise ValueError(f"a per-kind term needs one value per household kind "
                             f"{HOUSEHOLD_KINDS}, got shape {values.shape}")
        return cls(values, True)

    @classmethod
    def by_flat(cls, values: np.ndarray) -> Term:
        return cls(np.asarray(values, dtype=np.float64), False)

    def at(self, kind: np.ndarray) -> np.ndarray:
        """The term for every flat, given each flat's household kind."""
        return self.values[kind] if self.per_kind else self.values


class Households:
    """Column store of every household's state and the vectorised household processes."""

    def __init__(self, model: CommunityModel, nb: Neighbourhood) -> None:
        self.model = model
        p = model.params
        n = nb.n_households
        self.n = n
        self.reset_terms()
        self.compound = nb.compound
        self.grid = nb.grid
        self.community = nb.community
        self.compound_kind = nb.compound_kind[nb.compound]          # int8 [N]
        self.degree = np.asarray(nb.adjacency().sum(axis=1)).ravel()
        self.adjacency = nb.adjacency()

        world = model.streams.rng("world.households")
        self.occupied = world.random(n) < p.households.initial_occupancy
        self.kind = np.zeros(n, dtype=np.int8)
        self.trust = np.zeros(n)
        self.grievance = np.zeros(n)
        self.relationship = np.zeros(n)          # tie to one's grid worker, 0..1
        self.party_member = np.zeros(n, dtype=bool)
        # The flat's draw deciding whether its party member shows up (双报到), and the
        # decision (model/mechanisms/double_reporting.py, through ``activate``).
        self.activation_draw = np.zeros(n)
        self.member_active = np.zeros(n, dtype=bool)
        self.nail = np.zeros(n, dtype=bool)
        self.fee_paid = np.zeros(n, dtype=bool)
        self.open_issue = np.zeros(n, dtype=bool)
        self.due_day = np.zeros(n, dtype=np.int64)   # time-promise deadline of the open issue
        self.tide = np.zeros(n, dtype=bool)      # an elderly parent stays for the winter
        self.last_participation = np.full(n, NEVER, dtype=np.int64)
        self.worker = np.zeros(n, dtype=np.int64)  # index of the household's grid worker
        # Case history, for repeat complaints and old accounts reopened at a handover [000].
        self.last_report_day = np.full(n, NEVER, dtype=np.int32)
        self.last_report_kind = np.full(n, -1, dtype=np.int8)
        self.last_resolved_day = np.full(n, NEVER, dtype=np.int32)
        self.last_resolved_kind = np.zeros(n, dtype=np.int8)
        self.last_resolved_difficulty = np.zeros(n, dtype=np.int8)
        self.last_resolved_worker = np.full(n, -1, dtype=np.int32)
        # A matter the household kept to itself (channel "silent"): its kind (-1: none),
        # difficulty and day. Nothing in the model's own day reads it; mechanisms that go and
        # ask (liaison, stewards, secretary's day) bring it to light (IssueBook.surface).
        self.silent_kind = np.full(n, -1, dtype=np.int8)
        self.silent_difficulty = np.zeros(n, dtype=np.int8)
        self.silent_day = np.full(n, NEVER, dtype=np.int32)
        # Day the household's last request to the office waited behind its backlog (the
        # secretary's day can push it through: model/mechanisms/secretary_day.py).
        self.office_wait_day = np.full(n, NEVER, dtype=np.int32)

        # Kind shares per compound kind -> draw each household's kind.
        shares = np.array([_per_kind(getattr(p.households.kinds, ck))
                           for ck in COMPOUND_KINDS])                # [3, 4]
        self._kind_cdf = np.cumsum(shares, axis=1)
        self._trust0 = _per_kind(p.households.initial_trust)
        self.settle(np.arange(n), newcomer=False, rng=world)

        # Issue rates per household and kind (per year) before season/tide/volunteers.
        self._rate_base = np.array([getattr(p.issues.base_rate, k) for k in ISSUE_KINDS])
        self._rate_compound = np.array([[getattr(getattr(p.issues.compound_multiplier, ck), k)
                                         for k in ISSUE_KINDS] for ck in COMPOUND_KINDS])
        self._rate_kind = _per_kind(p.issues.kind_multiplier)
        self.refresh_rates()

    # ---------------------------------------------------------------- who lives here
    def settle(self, idx: np.ndarray, newcomer: bool, rng: np.random.Generator) -> None:
        """(Re)populate flats ``idx``: initial households, or newcomers after a move.

        Newcomers are new residents with probability ``newcomer_new_resident_share``, else
        locals [001, 002]; they arrive with no tie to the grid worker and no history.
        Every trait draws one value per flat (then indexed), so who settles where does not
        shift anyone else's draws. Whether a party member is active is the ``activate``
        hook's decision on the flat's ``activation_draw`` (none yet at build: the double
        reporting mechanism decides for every flat when it starts).
        """
        if len(idx) == 0:
            return
        p = self.model.params
        u = rng.random((5, self.n))[:, idx]
        z = rng.standard_normal(self.n)[idx]
        if newcomer:
            kind = np.where(u[0] < p.population.newcomer_new_resident_share,
                            NEW_RESIDENT, LOCAL).astype(np.int8)
        else:
            cdf = self._kind_cdf[self.compound_kind[idx]]
            kind = (u[0][:, None] > cdf).sum(axis=1).clip(0, 3).astype(np.int8)
        self.kind[idx] = kind
        self.trust[idx] = np.clip(self._trust0[kind] + p.households.trust_spread * z, 0, 1)
        self.grievance[idx] = 0.0
        self.relationship[idx] = 0.0
        self.party_member[idx] = u[1] < p.households.party_member_share
        self.activation_draw[idx] = u[2]
        self.member_active[idx] = False
        if self.activate is not None:
            self.activate(idx)
        self.nail[idx] = u[3] < p.property.nail_share
        self.fee_paid[idx] = False
        self.open_issue[idx] = False
        self.tide[idx] = False
        self.last_participation[idx] = NEVER
        self.last_report_day[idx] = NEVER        # a newcomer brings no case history
        self.last_report_kind[idx] = -1
        self.last_resolved_day[idx] = NEVER
        self.last_resolved_worker[idx] = -1
        self.silent_kind[idx] = -1               # ... and no matter kept to itself
        self.office_wait_day[idx] = NEVER

    def refresh_rates(self) -> None:
        """Per-household yearly issue rates by kind; recomputed only when kinds change."""
        self.rates = (self._rate_base[None, :] * self._rate_compound[self.compound_kind]
                      * self._rate_kind[self.kind][:, None])

    def adjust_trust(self, h: int, delta: float) -> None:
        t = self.trust
        v = t.item(h) + delta                # Python floats: the same double, cheaper
        v = v if v > 0.0 else 0.0            # min(1, max(0, v)), without two calls
        t[h] = v if v < 1.0 else 1.0

    def _rate_max(self, r: np.ndarray) -> tuple[float, float, float]:
        """Upper bounds over flats of (neighbour + property, service, facility) rates, for
        ``draw_new_issues``; cached while the rates are the same array and no mechanism
        multiplies them."""
        hit = self.__dict__.get("_rate_top")
        if r is self.rates and hit is not None and hit[0] is r:
            return hit[1]
        top = (float((r[:, 0] + r[:, 1]).max(initial=0.0)), float(r[:, 3].max(initial=0.0)),
               float(r[:, 2].max(initial=0.0)))
        if r is self.rates:
            self._rate_top = (r, top)
        return top

    # ---------------------------------------------------------------- daily: issues arise
    def draw_new_issues(self, heating: bool, facility_factor: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        """Which households get a new issue today, and of which kind.

        A household has at most one open issue (a second grievance joins the first).
        Facility issues double in the heating season [001] and fall where volunteers are
        active [000]; a winter-tide household has more service requests [001].
        """
        p = self.model.params
        st, day = self.model.streams, self.model.day
        draws = st.daily("issues.arrival", day).random(self.n)   # x 365: a year's scale
        fac_c = facility_factor
        if heating:
            fac_c = fac_c * p.issues.heating_facility_multiplier
        r = self.rates
        for factor in self.rate_terms.values():   # mechanisms' multipliers (none: as is)
            r = r * factor
        tide_extra = p.population.tide_service_multiplier - 1
        # Only flats whose draw is below an upper bound of every flat's rate can have an
        # issue today (about one in a hundred): the exact test runs on those alone, with
        # the same arithmetic per flat as over all of them.
        top = self._rate_max(r)
        bound = (top[0] + top[2] * float(fac_c.max(initial=0.0)) + top[1]
                 * (1.0 + max(tide_extra, 0.0))) * (1.0 + 1e-9)
        # The bound is brought to the draws' scale (with room for rounding), so only the
        # candidates' draws are scaled, each to the same number as before.
        cand = np.flatnonzero(draws < bound / 365.0 * (1.0 + 1e-9))
        u_arrive = draws[cand] * 365.0
        rc = r[cand]
        fac = fac_c[self.compound[cand]]
        # The winter tide's extra service requests, added where there is a tide only.
        total = rc[:, 0] + rc[:, 1] + rc[:, 2] * fac + rc[:, 3]
        tide = self.tide[cand]
        total[tide] += rc[tide, 3] * tide_extra
        keep = self.occupied[cand] & ~self.open_issue[cand] & (u_arrive < total)
        hit = cand[keep]
        if len(hit) == 0:
            return hit, np.zeros(0, dtype=np.int64)
        rows = rc[keep]
        rows[:, 2] *= fac[keep]
        in_tide = tide[keep]
        rows[in_tide, 3] += rows[in_tide, 3] * tide_extra
        cdf = np.cumsum(rows, axis=1)
        u = st.keyed_array("issues.kind", hit, day) * cdf[:, -1]
        kinds = (u[:, None] > cdf).sum(axis=1).clip(0, 3)
        return hit, kinds

    def choose_channels(self, hit: np.ndarray, kinds: np.ndarray, red_station: np.ndarray,
                        stream: str = "channels") -> np.ndarray:
        """Multinomial-logit choice of grid / WeChat-red station / 12345 / silence.

        Trust and a tie to the grid worker pull reports to the grid [003]; grievance and
        property complaints push them to the hotline [001]; new residents and the elderly
        who "do not want to cause trouble" stay silent more often [001, 002].
        """
        c = self.model.params.channels
        if len(hit) == 1:
            return np.array([self._choose_channel(int(hit[0]), int(kinds[0]), red_station,
                                                  stream)])
        trust = self.trust[hit]
        u = np.empty((len(hit), 4))
        u[:, 0] = c.grid_constant + c.trust_weight * trust + c.relationship_weight \
            * self.relationship[hit]
        if self.grid_blocked is not None:   # not in the grid system: no grid channel
            u[self.grid_blocked[hit], 0] = -np.inf
        wechat_ok = self.wechat_everywhere | red_station[self.compound[hit]]
        u[:, 1] = np.where(wechat_ok, c.wechat_constant + c.trust_weight * trust, -np.inf)
        u[:, 2] = (c.hotline_constant + c.grievance_weight * self.grievance[hit]
                   + c.property_hotline_bonus * (kinds == PROPERTY))
        silence = np.array([getattr(c.silence_by_kind, k) for k in HOUSEHOLD_KINDS])
        u[:, 3] = c.silent_constant + silence[self.kind[hit]]
        # One Gumbel draw per flat and channel (common random numbers across policies).
        st, day = self.model.streams, self.model.day
        g = st.keyed_array(stream, hit[:, None] * 4 + np.arange(4), day)
        gumbel = -np.log(-np.log(np.maximum(g, 1e-300)))
        return np.argmax(u + gumbel, axis=1)

    def _choose_channel(self, h: int, kind: int, red_station: np.ndarray, stream: str) -> int:
        """``choose_channels`` for one household in plain floats: the same utilities, the
        same draws, the same choice, without numpy's per-call cost (a failed property case
        re-chooses this way, a few thousand times a year on a street)."""
        c = self.model.params.channels
        trust = float(self.trust[h])
        inf = float("inf")
        grid = (c.grid_constant + c.trust_weight * trust
                + c.relationship_weight * float(self.relationship[h]))
        if self.grid_blocked is not None and self.grid_blocked[h]:
            grid = -inf
        wechat_ok = self.wechat_everywhere or bool(red_station[self.compound[h]])
        utility = (grid,
                   c.wechat_constant + c.trust_weight * trust if wechat_ok else -inf,
                   (c.hotline_constant + c.grievance_weight * float(self.grievance[h])
                    + c.property_hotline_bonus * (kind == PROPERTY)),
                   c.silent_constant + getattr(c.silence_by_kind,
                                               HOUSEHOLD_KINDS[self.kind[h]]))
        day = self.model.day
        draws = self.model.streams.keyed_few(stream, [h * 4 + j for j in range(4)], day)
        best, choice = -inf, 0
        for j, (v, g) in enumerate(zip(utility, draws, strict=True)):
            v += -math.log(-math.log(max(g, 1e-300)))
            if v > best:                  # the first of equals, as np.argmax
                best, choice = v, j
        return choice

    # ---------------------------------------------------------------- periodic processes
    def participate(self, day: int, activity_here: np.ndarray, council: bool) -> np.ndarray:
        """Who joins this round of activities/deliberations [003, 004].

        Propensity by kind (retirees high, new residents low) [004], trust, active party
        membership (double reporting) [001], volunteer points [001], and herd behaviour:
        the share of one's graph neighbours who took part recently [004].
        """
        p = self.model.params
        pp = p.participation
        recent = (day - self.last_participation) < pp.window_days
        # Herd behaviour counts active acquaintances, saturating: at the same share, a
        # household with more ties feels more of the pull (stranger society [004]).
        peers = (self.adjacency @ recent.astype(np.float64)) / self._graph_term(
            "peer_divisor", pp.peer_saturation,
            lambda s: self.degree + s + 1e-9)
        const = _per_kind(pp.constant)
        u = const[self.kind] + pp.trust_weight * (self.trust - 0.5) + pp.peer_weight * peers \
            + pp.member_bonus * self.member_active
        for term in self.participation_terms.values():    # in the order they were attached
            u = u + term.at(self.kind)
        if council:
            # Councils draw cadres' circles and retirees; the young and middle-aged stay
            # away (参与的主要是居委会干部和退休人员 [004]).
            drawn = (self.kind == RETIREE) | self.member_active
            u = u + p.council.participation_bonus * np.where(drawn, 1.0,
                                                             p.council.others_share)
        u = u + np.where(self.tide, 0.5, 0.0)   # a visiting retiree joins in
        draw = self.model.streams.daily("participation", day).random(self.n)
        joined = self.occupied & activity_here[self.compound] & (draw < logistic(u))
        self.last_participation[joined] = day
        self.trust[joined] = np.minimum(1.0, self.trust[joined] + p.trust.participation)
        return joined

    def _graph_term(self, name: str, value: Any, make: Callable[[Any], Any]) -> Any:
        """``make(value)``, an array fixed by the graph (degrees) and one parameter, kept
        until the parameter (a live lever) or the graph changes: the same numbers, made
        once instead of every week."""
        cache = self.__dict__.setdefault("_graph_terms", {})
        hit = cache.get(name)
        if hit is None or hit[0] != value or hit[1] is not self.degree:
            hit = cache[name] = (value, self.degree, make(value))
        return hit[2]

    def diffuse_trust(self) -> None:
        """Weekly: trust drifts toward neighbours' (social capital [004]) and its kind's mean;
        grievance fades."""
        p = self.model.params
        nbr = (self.adjacency @ self.trust) / self._graph_term(
            "degree_divisor", None, lambda _: np.maximum(self.degree, 1))
        d = self._graph_term("diffusion", p.trust.diffusion,
                             lambda rate: np.where(self.degree > 0, rate, 0.0))
        keep = self._graph_term("diffusion_kept", p.trust.diffusion, lambda _: 1 - d)
        t = keep * self.trust + d * nbr
        t += p.trust.revert_per_year / 52.0 * (self._trust0[self.kind] - t)
        np.clip(t, 0, 1, out=t)
        self.trust = t
        self.grievance *= (1 - p.issues.grievance_decay_per_year) ** (1 / 52)

    def reset_terms(self) -> None:
        """Terms mechanisms set: ``fee_bonus``, log-odds added to every fee decision
        (model/mechanisms/fees.py decides; a party-led firm earns extra trust:
        model/mechanisms/red_property.py)."""
        self.fee_bonus = 0.0
        # Log-odds of taking part in activities, one ``Term`` per mechanism that adds some,
        # named after it: by household kind (volunteer points, incubated social
        # organisations: model/mechanisms/volunteer_points.py, social_orgs.py) or per flat
        # (a steward in the building mobilises: building_stewards.py). Summed in the order
        # they are set, which is the mechanisms' attach order (``MECHANISMS``); empty: none.
        self.participation_terms: dict[str, Term] = {}
        # Every compound has a WeChat group (model/mechanisms/wechat_groups.py); without,
        # only compounds with a red station offer that channel.
        self.wechat_everywhere = False
        # Flats whose households refused to enter their data into the grid system
        # (model/mechanisms/privacy.py): no grid channel, no door-to-door visits. None: all
        # are in the system.
        self.grid_blocked: np.ndarray | None = None
        # Multipliers of the issue rates, one [household, kind] array per mechanism that
        # sets one (the mediation room's settled disputes, root-cause fixes); empty: none.
        self.rate_terms: dict[str, np.ndarray] = {}
        # Decides which party members among newly settled flats are active (双报到:
        # model/mechanisms/double_reporting.py); None: none is.
        self.activate: Callable[[np.ndarray], None] | None = None

    def move(self, leave_prob: float, fill_prob: float) -> np.ndarray:
        """Occupants move out with ``leave_prob`` and empty flats fill with ``fill_prob``
        (one draw per flat; model/mechanisms/population.py sets the rates) [001, 002]."""
        g = self.model.streams.daily("population.moves", self.model.day)
        u = g.random(self.n)
        leave = self.occupied & (u < leave_prob)
        fill = ~self.occupied & (u < fill_prob)
        moved = np.flatnonzero(leave | fill)
        self.occupied[fill] = True
        self.settle(moved, newcomer=True, rng=g)
        if len(moved):
            self.refresh_rates()
        return np.flatnonzero(leave)

    def start_tide(self, joined: np.ndarray) -> None:
        """Elderly parents join the occupied flats marked in ``joined`` for the winter
        (``model/mechanisms/winter_tide.py`` draws who)."""
        self.tide = self.occupied & joined

    def end_tide(self) -> None:
        self.tide[:] = False

    # ---------------------------------------------------------------- aggregates
    def residents(self) -> float:
        rph = self.model.params.households.residents_per_household
        return float(np.count_nonzero(self.occupied) * rph + np.count_nonzero(self.tide))


class Resident(FixedAgent):
    """A household, as a Mesa agent: a view onto row ``idx`` of the model's arrays."""

    def __init__(self, model: CommunityModel, cell, idx: int) -> None:
        super().__init__(model)
        self.cell = cell
        self.idx = idx

    @property
    def _h(self) -> Households:
        return self.model.households

    @property
    def kind(self) -> str:
        return HOUSEHOLD_KINDS[self._h.kind[self.idx]]

    @property
    def occupied(self) -> bool:
        return bool(self._h.occupied[self.idx])

    @property
    def trust(self) -> float:
        return float(self._h.trust[self.idx])

    @trust.setter
    def trust(self, value: float) -> None:
        self._h.trust[self.idx] = min(1.0, max(0.0, value))

    @property
    def grievance(self) -> float:
        return float(self._h.grievance[self.idx])

    @property
    def has_open_issue(self) -> bool:
        return bool(self._h.open_issue[self.idx])

    @property
    def participating(self) -> bool:
        """Took part in an activity or deliberation within the participation window."""
        window = self.model.params.participation.window_days
        return bool(self.model.day - self._h.last_participation[self.idx] < window)

    @property
    def fee_paid(self) -> bool:
        return bool(self._h.fee_paid[self.idx])

    @property
    def party_member(self) -> bool:
        return bool(self._h.party_member[self.idx])

    @property
    def compound(self) -> int:
        return int(self._h.compound[self.idx])

    @property
    def grid(self) -> int:
        return int(self._h.grid[self.idx])

    def step(self) -> None:
        """Households act through the model's vectorised step, not one by one."""
