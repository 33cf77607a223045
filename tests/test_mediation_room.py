"""The mediation room 调解室 and its five-step method [000] (model/mechanisms/mediation_room.py).

Paired seeds (common random numbers): the same seed with and without rooms, means of the
paired differences with a t interval, at two community sizes. "信访矛盾突出,一度成为阜康市
'上访大户'" … "调解化解纠纷3000余件" [000]: fewer disputes recur, fewer go up the ladder, and
the gain is largest where disputes are many (a petition hotspot).
"""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import REPORTERS, paired, sized

from commgov.agents.resident import NEVER
from commgov.model.community import CommunityModel
from commgov.model.lifecycle import NEIGHBOUR

ON = {"mediation__mediation_rooms": True}
HOTSPOT = {"issues__base_rate__neighbour": 0.9}     # three times the neighbour disputes


def test_off_attaches_nothing_and_on_takes_only_neighbour_disputes():
    tiny = {"graph__households_per_community": 300, "graph__grids_per_community": 1,
            "graph__compounds_per_community": 2}
    off = CommunityModel(scenario="baseline", rng=0, **tiny)
    assert off.book.compound_intake is None and off.households.rate_terms == {}
    m = CommunityModel(scenario="mediation_room", rng=0, **tiny)
    room = next(x for x in m.mechanisms if x.name == "mediation_room")
    assert m.book.compound_intake == room.intake
    assert m.households.rate_terms["mediation_room"] is room.factor
    m.run_for(120)
    assert room.taken > 0 and 0 < room.settled <= room.taken
    assert REPORTERS["mediation_settled_total"](m) == room.settled
    # Only the neighbour column is ever held down, and only for settled households.
    assert np.all(room.factor[:, 1:] == 1.0)
    held = room.factor[:, NEIGHBOUR] < 1.0
    assert 0 < held.sum() <= room.settled
    assert np.allclose(room.factor[held, NEIGHBOUR], 1 - m.params.mediation.recurrence_cut)
    # A household that moved out took its settlement with it: the newcomer has no history.
    assert np.all(m.households.last_report_day[held] != NEVER)


@pytest.mark.parametrize("households", [800, 1500])
def test_rooms_cut_repeat_disputes_and_escalations_at_two_sizes(households):
    """[000]: disputes settled by the five steps and filed recur less; fewer cases go up."""
    mean, half = paired(("neighbour_repeat_share", "escalated_share", "trust_mean"), ON,
                        **sized(households))
    assert mean[0] + half[0] < 0, (mean, half)          # repeat neighbour disputes fall
    assert mean[0] > -0.08                              # rough size: a few points, not all
    assert mean[1] + half[1] < 0, (mean, half)          # fewer escalations
    assert mean[2] - half[2] > 0, (mean, half)          # being heard builds trust


def test_the_filed_settlement_is_what_cuts_repeats():
    """Without the hold of a filed settlement (recurrence_cut = 0) the room still settles
    disputes, but repeats fall less: the handshake and the case file carry the effect."""
    metrics = ("neighbour_repeat_share",)
    full, _ = paired(metrics, ON, **sized(1000))
    bare, _ = paired(metrics, {**ON, "mediation__recurrence_cut": 0.0}, **sized(1000))
    assert full[0] < bare[0] - 0.005, (full, bare)


def test_strongest_in_a_petition_hotspot():
    """Many neighbour disputes and much grievance (上访大户): the room keeps more cases off
    the ladder there than in an ordinary community, and petitions fall."""
    metrics = ("escalated_share", "neighbour_petitions_per_1k", "neighbour_repeat_share")
    plain, _ = paired(metrics, ON, **sized(1000))
    hot, hot_half = paired(metrics, ON, **sized(1000), **HOTSPOT)
    assert hot[0] < plain[0] - 0.01, (hot, plain)      # escalations: the bigger cut
    assert hot[1] < plain[1] <= 0.5, (hot, plain)      # petitions fall (noisy: see slow)
    assert hot[2] + hot_half[2] < 0, (hot, hot_half)


@pytest.mark.slow
def test_hotspot_petitions_fall_with_a_confidence_interval():
    """The petitions of a 2,000-household hotspot, six paired seeds: the 95% interval of
    the change in petitions of the last 90 days lies below zero."""
    mean, half = paired(("petitions_per_1k_90d",), ON, seeds=range(6), **sized(2000),
                        **HOTSPOT)
    assert mean[0] + half[0] < 0, (mean, half)
