"""The bulk-built Mesa space equals Mesa's own ``Network`` on the same graph."""

from __future__ import annotations

import random

import networkx as nx
from mesa.discrete_space import Network

from commgov.model.community import CommunityModel
from commgov.model.space import NeighbourhoodNetwork

SMALL = {"graph__households_per_community": 400, "graph__compounds_per_community": 3,
         "graph__grids_per_community": 1, "graph__communities": 2}


def test_cells_and_connections_match_mesas_network():
    m = CommunityModel(scenario="baseline", rng=3, collect=False, **SMALL)
    assert isinstance(m.space, Network) and isinstance(m.space, NeighbourhoodNetwork)
    ref = Network(m.neighbourhood.graph, capacity=1, random=random.Random(0), layout=None)
    assert list(m.space._cells) == list(ref._cells) == list(range(m.households.n))
    for i, cell in m.space._cells.items():
        mine = cell.connections
        theirs = ref._cells[i].connections
        assert list(mine) == list(theirs)          # same neighbours, same order
        assert all(mine[k] is m.space._cells[k] for k in mine)
        assert {c.coordinate for c in cell.neighborhood} == set(m.neighbourhood.graph[i])
    # a household with ties: its Resident sits in its cell, its neighbours are the graph's
    busy = max(m.space._cells.values(), key=lambda c: len(c.connections))
    assert len(busy.connections) > 1
    assert busy.agents[0].idx == busy.coordinate


def test_graph_is_built_only_when_asked_and_is_the_spaces_graph():
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **SMALL)
    nb = m.neighbourhood
    assert nb._graph is None                     # the model itself never needs nx
    g = m.space.G
    assert g is nb.graph and isinstance(g, nx.Graph)
    assert g.number_of_nodes() == nb.n_households
    assert g.number_of_edges() == len(nb.edges)
    assert g.nodes[5]["grid"] == nb.grid[5]


def test_connections_can_still_change_at_runtime():
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **SMALL)
    a, b = m.space._cells[0], m.space._cells[m.households.n - 1]
    assert b.coordinate not in a.connections
    m.space.add_connection(a, b)
    assert a.connections[b.coordinate] is b and b.connections[a.coordinate] is a
    assert m.space.G.has_edge(0, m.households.n - 1)
    assert b in a.neighborhood


def test_connections_are_built_only_when_read():
    """The model never reads a cell's connections, so a run builds none of the dicts (they
    were a third of a 400,000-household street's memory, issue 10)."""
    from commgov.model import space
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **SMALL)
    m.run_for(20)
    cells = m.space.cells_by_node
    assert all(space._SLOT.__get__(c) is space._UNSET for c in cells)
    first = cells[0].connections                    # read once: built, then kept
    assert cells[0].connections is first
    assert space._SLOT.__get__(cells[0]) is first
