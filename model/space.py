"""The neighbourhood graph as a Mesa ``Network``, built in bulk from the CSR adjacency.

Mesa's ``Network.__init__`` walks an ``nx.Graph`` and calls ``cell.connect`` once per tie
end, and each call clears two method caches; on a 40,000-household street that is about
400,000 calls and a second of build time, and the ``nx.Graph`` itself costs another second
and about 1 KB per household. Here the cells are ``NeighbourhoodCell``s whose public
``connections`` dict is built from the adjacency the first time it is read (same neighbours,
same order: ascending node id, as the sorted edge list gives ``nx``): the model itself never
reads it, and a dict of ten ties per household was a third of a large street's memory
(issue 10: ≤ 1.5 KB per household). The ``nx.Graph`` is still there as ``G``, built from the
neighbourhood the first time something asks for it.
"""

from __future__ import annotations

from random import Random

import networkx as nx
from mesa.discrete_space import Cell, Network
from mesa.discrete_space.discrete_space import DiscreteSpace

from commgov.model.graph import Neighbourhood

__all__ = ["NeighbourhoodCell", "NeighbourhoodNetwork"]

_UNSET = object()
_SLOT = Cell.connections        # the base class's slot, under the property below


class NeighbourhoodCell(Cell):
    """A Mesa ``Cell`` whose ``connections`` come from its network's adjacency on first read
    (then they are an ordinary dict: ``connect``/``disconnect`` edit it as in Mesa)."""

    __slots__ = ("_net",)

    def __init__(self, coordinate, *, net: NeighbourhoodNetwork | None = None,
                 **kwargs) -> None:
        self._net = net
        super().__init__(coordinate, **kwargs)
        if net is not None:
            _SLOT.__set__(self, _UNSET)

    @property
    def connections(self) -> dict:
        value = _SLOT.__get__(self)
        if value is _UNSET:
            value = self._net._connections_of(self.coordinate)
            _SLOT.__set__(self, value)
        return value

    @connections.setter
    def connections(self, value: dict) -> None:
        _SLOT.__set__(self, value)


class NeighbourhoodNetwork(Network):
    """A Mesa ``Network`` whose cells are the households 0..N-1 of a ``Neighbourhood``.

    Purely topological (no layout, as ``Network(..., layout=None)``); cell ``i`` is node
    ``i`` and knows its graph neighbours through ``connections``. Adding or removing cells
    and connections works as in Mesa (it then builds and edits ``G``).
    """

    def __init__(self, neighbourhood: Neighbourhood, capacity: int | None = None,
                 random: Random | None = None,
                 cell_klass: type[Cell] = NeighbourhoodCell) -> None:
        # Network.__init__ would walk the nx graph; set up what it sets up, in bulk.
        DiscreteSpace.__init__(self, capacity=capacity, random=random, cell_klass=cell_klass)
        self.neighbourhood = neighbourhood
        self._kdtree_cells: list[Cell] = []
        self._kdtree = None
        n = neighbourhood.n_households
        rnd = self.random
        if issubclass(cell_klass, NeighbourhoodCell):
            cells = [cell_klass(i, net=self, capacity=capacity, random=rnd) for i in range(n)]
        else:
            cells = [cell_klass(coordinate=i, capacity=capacity, random=rnd) for i in range(n)]
        self._cells = dict(enumerate(cells))
        self.cells_by_node = cells           # cell i is node i (no CellCollection needed)
        adj = neighbourhood.adjacency()
        if not adj.has_sorted_indices:
            adj = adj.sorted_indices()      # a copy: the model's products keep their order
        self._indptr, self._indices = adj.indptr, adj.indices
        if not issubclass(cell_klass, NeighbourhoodCell):
            for cell in cells:
                cell.connections.update(self._connections_of(cell.coordinate))
        if cells:
            cells[0]._clear_cache()       # Mesa's neighbourhood caches are per class

    def _connections_of(self, i: int) -> dict:
        """Cell ``i``'s neighbours by coordinate, as the adjacency lists them."""
        a, b = int(self._indptr[i]), int(self._indptr[i + 1])
        cells = self.cells_by_node
        return {j: cells[j] for j in self._indices[a:b].tolist()}

    @property
    def G(self) -> nx.Graph:  # noqa: N802 - Mesa's name
        """The ``nx.Graph`` of the neighbourhood (built on first use)."""
        g = self.__dict__.get("_graph")
        if g is None:
            g = self._graph = self.neighbourhood.graph
        return g

    @G.setter
    def G(self, value: nx.Graph) -> None:  # noqa: N802
        self._graph = value
