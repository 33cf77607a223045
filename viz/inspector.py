"""Inspect one agent on the map: which household, grid worker or property firm was clicked,
and its state in a planner's words.

A click arrives as a point in the map picture's pixels (the page scales the browser's click
to the picture). :func:`pick` finds what is under it: a grid worker's triangle first (it is
drawn on top), then the nearest household disc, else the compound the point lies in (its
property firm). With an aggregated map (big communities draw one disc per compound) a
click picks the compound. :func:`describe` reads the agent's current state and its recent
history (last report, last resolution) from the running model, as NetLogo's agent
monitors do. Plain Python (no Solara), tested headlessly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from commgov.scenarios.schema import COMPOUND_KINDS, HOUSEHOLD_KINDS, ISSUE_KINDS
from commgov.viz import i18n

KINDS: tuple[str, ...] = ("household", "worker", "firm")
NEVER_BEFORE = -1_000      # "last ... day" sentinels are far below 0


@dataclass(frozen=True)
class Pick:
    kind: str          # one of KINDS
    index: int         # household index, worker index or compound index (its firm)


@dataclass(frozen=True)
class Inspection:
    """What the page shows for a picked agent: a title and (label, value) rows."""

    pick: Pick
    title: str
    rows: tuple[tuple[str, str], ...]


def pick(picture: Any, model: Any, x: float, y: float) -> Pick | None:
    """The agent under picture pixel (x, y), or None outside the map."""
    if not (0 <= x < picture.width and 0 <= y < picture.height):
        return None
    wx, wy = picture.worker_px
    if len(wx):
        d = np.hypot(wx - x, wy - y)
        j = int(np.argmin(d))
        if d[j] <= picture.worker_radius:
            return Pick("worker", int(picture.worker_index[j]))
    px, py = picture.node_px
    if not picture.aggregated and len(px):
        d = np.hypot(px - x, py - y)
        i = int(np.argmin(d))
        if d[i] <= picture.radius + 2:
            return Pick("household", i)
    c = picture.compound_at(x, y)
    if c is not None:
        return Pick("firm", c)
    return None


def _pct(v: float) -> str:
    return f"{100 * float(v):.0f}%"


def _day(day: int, today: int, lang: str) -> str:
    if day <= NEVER_BEFORE:
        return i18n.t("inspect.never", lang)
    return i18n.t("inspect.days_ago", lang, day=int(day), ago=int(today - day))


def _yes(v: bool, lang: str) -> str:
    return i18n.t("inspect.yes" if v else "inspect.no", lang)


def describe(model: Any, p: Pick, lang: str = "en") -> Inspection:
    """The picked agent's state on the model's current day."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)   # noqa: E731
    nb = model.neighbourhood
    today = int(model.day)
    if p.kind == "household":
        h = model.households
        i = p.index
        kind = HOUSEHOLD_KINDS[int(h.kind[i])]
        ck = COMPOUND_KINDS[int(nb.compound_kind[int(nb.compound[i])])]
        last_kind = int(h.last_report_kind[i])
        rows = [
            (t("inspect.where"), t("inspect.where_value", community=int(nb.community[i]) + 1,
                                   grid=int(nb.grid[i]) + 1, compound=int(nb.compound[i]) + 1,
                                   kind=i18n.pick(i18n.LEGEND["compound." + ck], lang))),
            (t("inspect.kind"), i18n.pick(i18n.LEGEND["kind." + kind], lang)),
            (t("inspect.occupied"), _yes(bool(h.occupied[i]), lang)),
            (t("inspect.trust"), _pct(h.trust[i])),
            (t("inspect.grievance"), f"{float(h.grievance[i]):.2f}"),
            (t("inspect.relationship"), _pct(h.relationship[i])),
            (t("inspect.fee_paid"), _yes(bool(h.fee_paid[i]), lang)),
            (t("inspect.party_member"), _yes(bool(h.party_member[i]), lang)),
            (t("inspect.open_issue"),
             t("inspect.due", day=int(h.due_day[i])) if h.open_issue[i] else _yes(False, lang)),
            (t("inspect.last_report"),
             _day(int(h.last_report_day[i]), today, lang)
             + (" · " + t("inspect.issue." + ISSUE_KINDS[last_kind])
                if last_kind >= 0 and int(h.last_report_day[i]) > NEVER_BEFORE else "")),
            (t("inspect.last_resolved"), _day(int(h.last_resolved_day[i]), today, lang)),
            (t("inspect.worker"), f"#{int(h.worker[i]) + 1}"),
        ]
        return Inspection(p, t("inspect.household", n=i + 1), tuple(rows))
    if p.kind == "worker":
        w = model.workers[p.index]
        rows = [
            (t("inspect.community"), str(int(w.community) + 1)),
            (t("inspect.role"), t("inspect.cadre" if w.cadre else "inspect.full_time")),
            (t("inspect.households"), f"{len(w.households):,}"),
            (t("inspect.queue"), str(len(w.queue.issues()))),
            (t("inspect.cases_handled"), f"{int(w.cases_handled):,}"),
            (t("inspect.hours"), t("inspect.hours_value", field=float(w.field_today),
                                   admin=float(w.admin_today))),
            (t("inspect.tenure"), t("inspect.years", y=float(w.tenure) / 365)),
            (t("inspect.certified"), _yes(bool(w.certified), lang)),
            (t("inspect.vacant"), _yes(int(w.vacant_until) > today, lang)),
        ]
        return Inspection(p, t("inspect.worker_title", n=p.index + 1), tuple(rows))
    if p.kind == "firm":
        c = p.index
        f = model.firms[c]
        members = np.flatnonzero(nb.compound == c)
        h = model.households
        occ = members[h.occupied[members]]
        ck = COMPOUND_KINDS[int(nb.compound_kind[c])]
        rows = [
            (t("inspect.compound_kind"), i18n.pick(i18n.LEGEND["compound." + ck], lang)),
            (t("inspect.grid"), str(int(nb.compound_grid[c]) + 1)),
            (t("inspect.households"), f"{len(members):,}"),
            (t("inspect.quality"), _pct(f.quality)),
            (t("inspect.queue"), str(len(f.queue.issues()))),
            (t("inspect.fees"), _pct(h.fee_paid[occ].mean()) if len(occ) else "–"),
            (t("inspect.trust_mean"), _pct(h.trust[occ].mean()) if len(occ) else "–"),
            (t("inspect.open_issues"), f"{int(h.open_issue[members].sum()):,}"),
        ]
        return Inspection(p, t("inspect.firm_title", n=c + 1), tuple(rows))
    raise ValueError(f"unknown agent kind {p.kind!r}; allowed: {', '.join(KINDS)}")
