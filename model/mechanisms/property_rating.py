"""Star rating of property firms 星级物业评价, joint meetings, replacement of a failing firm
[003, 000].

The only module that reads ``property_rating.star_rating``. In Xingfu community "每个月街道办都将
组织所有小区物业企业举行会议,对所有社区物业企业的月度运作状况进行认知;并且每个季度均将进行星级
物业评价工作,工作比较出色的物业企业将得到嘉奖" [003]; Fukang's owners' committees choose a firm
by "调查物业公司背景和社会评价" [000], and [001] names "更換物業公司難度大" as a cause of the
resident–firm conflicts. Here:

- **rating** (every ``rating_days``): each household rates its compound's firm well with
  chance logistic(``satisfaction_constant`` + ``quality_weight`` × (quality − 0.5) + the
  trust weight of fee decisions × (trust − 0.5)), one draw per flat
  (``property_rating.survey``); stars = 1 + 4 × the share rating it well;
- **joint meetings** (every ``meeting_days``): the rating is fed back; the firm aims at
  ``feedback_gain`` × (5 − stars) / 4 more quality (``PropertyFirm.rating_bonus``), so
  a low-rated firm improves as its revenue allows (7.11);
- **replacement**: a rating below ``low_stars`` adds the shortfall to the firm's strain
  (``strain_memory`` of the old strain kept); at each rating the firm is replaced with
  chance ``replace_max`` × (1 − exp(−strain / ``strain_scale``)) (coin
  ``property_rating.replace``, compound and rating). The new firm starts at
  ``new_quality`` but knows neither the compound nor its disputes: its cases lose
  ``transition_penalty`` log-odds, fading over ``transition_days``
  (``PropertyFirm.case_penalty``); the compound's households gain ``replace_trust``.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.model.lifecycle import logistic
from commgov.model.mechanisms.base import Mechanism
from commgov.model.metric import Metric, of_mechanism
from commgov.model.schedule import DAILY, Task, every
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.scenarios.schema import Scenario


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


def _firm_stars(rating: PropertyRating) -> float:
    """Mean stars of the rated firms at the last rating (0 before the first)."""
    stars = rating.stars[~np.isnan(rating.stars)] if rating.ratings else ()
    return float(np.mean(stars)) if len(stars) else 0.0


class PropertyRating(Mechanism):
    """Residents star-rate firms; monthly meetings; a firm rated low for long is replaced."""

    name = "property_rating"
    section = "property_rating"
    params = PropertyRatingParams
    metrics = (
        Metric("firm_stars_mean",
               "Mean star rating (1–5) of the rated property firms at the last rating "
               "(星级物业评价 [003]); 0 without ratings.",
               of_mechanism("property_rating", _firm_stars),
               label=("Property firm stars", "物业星级"),
               help=("residents' rating, 1–5 [003]", "居民评星，1–5 [003]"),
               unit=("stars", "星"),
               direction=+1, scale="value"),
        Metric("firm_replacements_total",
               "Property firms replaced after low ratings from day 0 [000, 003]; 0 without "
               "ratings.",
               of_mechanism("property_rating", attrgetter("replacements")),
               label=("Property firms replaced", "更换物业"),
               help=("failing firms replaced [000, 003]", "长期低星被更换的物业 [000, 003]"),
               unit=("firms", "家"),
               direction=0, scale="value"),
    )
    odd = "7.23"
    sources = ("003", "000")

    def __init__(self, model: CommunityModel) -> None:
        super().__init__(model)
        self.replacements = 0
        self.ratings = 0

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.property_rating.star_rating)

    def costs(self) -> dict[str, float]:
        """Ratings and meetings per compound, plus replacements at their rate so far."""
        m = self.model
        c = m.params.costs
        per_year = self.replacements * 365.0 / max(1, m.day)
        return {"property rating": len(m.firms) * c.property_rating_yuan
                + per_year * c.firm_replacement_yuan}

    def start(self) -> None:
        n = len(self.model.firms)
        self.stars = np.full(n, np.nan)          # last rating (nan: not rated yet)
        self.strain = np.zeros(n)
        self.replaced_day = np.full(n, -1, dtype=np.int64)
        self.bonus = np.zeros(n)                 # quality target pressure since the meeting

    def attach(self) -> None:
        for f, bonus in zip(self.model.firms, self.bonus.tolist(), strict=True):
            f.rating_bonus = bonus
        self._set_terms(self.model.day)

    def tasks(self) -> Iterable[tuple[str, Task]]:
        p = self.p
        yield "deliveries due", Task(
            "deferred work", "new firms learn", "a replaced firm's handicap fades",
            self.odd, DAILY, self._set_terms)
        yield "overdue grievance", Task(
            "periodic processes", "firm star rating",
            "residents rate their firm; a firm rated low for long may be replaced", self.odd,
            every(p.rating_days, p.rating_days - 1), self._rate)
        yield "firm star rating", Task(
            "periodic processes", "joint meetings", "the rating is fed back to each firm",
            self.odd, every(p.meeting_days, p.meeting_days - 2), self._meet)

    # ------------------------------------------------------------------ terms
    def _set_terms(self, day: int) -> None:
        """The new firms' handicap (lost knowledge), fading linearly."""
        m = self.model
        p = self.p
        for f, since in zip(m.firms, self.replaced_day.tolist(), strict=True):
            if since < 0 or p.transition_days <= 0:
                f.case_penalty = 0.0
                continue
            left = 1.0 - (day - since) / p.transition_days
            f.case_penalty = p.transition_penalty * left if left > 0 else 0.0

    def _meet(self, day: int) -> None:
        """The month's joint meeting: each firm hears its last rating and aims higher the
        fewer its stars (a firm not rated yet hears nothing)."""
        rated = ~np.isnan(self.stars)
        self.bonus = np.where(rated, self.p.feedback_gain * (5.0 - np.nan_to_num(self.stars,
                                                                             nan=5.0)) / 4, 0.0)
        for f, bonus in zip(self.model.firms, self.bonus.tolist(), strict=True):
            f.rating_bonus = bonus

    # ------------------------------------------------------------------ rating
    def _rate(self, day: int) -> None:
        m = self.model
        p = self.p
        hh = m.households
        n = len(m.firms)
        quality = np.array([f.quality for f in m.firms])
        x = (p.satisfaction_constant + p.quality_weight * (quality[hh.compound] - 0.5)
             + m.mechanism("fees").trust_term(hh.trust))   # as a fee decision weighs it
        good = hh.occupied & (m.streams.daily("property_rating.survey", day).random(hh.n)
                              < logistic(x))
        occ = np.bincount(hh.compound[hh.occupied], minlength=n)
        share = np.divide(np.bincount(hh.compound[good], minlength=n), occ,
                          out=np.full(n, 0.5), where=occ > 0)
        self.stars = 1.0 + 4.0 * share
        self.ratings += 1
        self.strain = p.strain_memory * self.strain + np.maximum(0.0, p.low_stars - self.stars)
        chance = p.replace_max * -np.expm1(-self.strain / p.strain_scale)
        coins = m.streams.keyed_many("property_rating.replace", list(range(n)), self.ratings)
        for c in np.flatnonzero(coins < chance).tolist():
            self._replace(c, day)

    def _replace(self, c: int, day: int) -> None:
        """A new firm, chosen by its record [000]: better, but new to the compound."""
        m = self.model
        firm = m.firms[c]
        firm.quality = self.p.new_quality
        self.strain[c] = 0.0
        self.stars[c] = np.nan                  # no rating of the new firm yet
        self.replaced_day[c] = day
        self.bonus[c] = 0.0
        firm.rating_bonus = 0.0
        self.replacements += 1
        hh = m.households
        idx = np.flatnonzero((hh.compound == c) & hh.occupied)
        hh.trust[idx] = np.minimum(1.0, hh.trust[idx] + self.p.replace_trust)
        self._set_terms(day)
