"""The neighbourhood graph as a Mesa ``Network``, built in bulk from the CSR adjacency.

Mesa's ``Network.__init__`` walks an ``nx.Graph`` and calls ``cell.connect`` once per tie
end, and each call clears two method caches; on a 40,000-household street that is about
400,000 calls and a second of build time, and the ``nx.Graph`` itself costs another second
and about 1 KB per household. Here every cell's public ``connections`` dict is filled once
from the adjacency (same neighbours, same order: ascending node id, as the sorted edge list
gives ``nx``) and the caches are cleared once. The ``nx.Graph`` is still there as ``G``, built
from the neighbourhood the first time something asks for it.
"""

from __future__ import annotations

from random import Random

import networkx as nx
from mesa.discrete_space import Cell, Network
from mesa.discrete_space.discrete_space import DiscreteSpace

from commgov.model.graph import Neighbourhood

__all__ = ["NeighbourhoodNetwork"]

_BLOCK = 8192   # nodes connected per batch


class NeighbourhoodNetwork(Network):
    """A Mesa ``Network`` whose cells are the households 0..N-1 of a ``Neighbourhood``.

    Purely topological (no layout, as ``Network(..., layout=None)``); cell ``i`` is node
    ``i`` and knows its graph neighbours through ``connections``. Adding or removing cells
    and connections works as in Mesa (it then builds and edits ``G``).
    """

    def __init__(self, neighbourhood: Neighbourhood, capacity: int | None = None,
                 random: Random | None = None, cell_klass: type[Cell] = Cell) -> None:
        # Network.__init__ would walk the nx graph; set up what it sets up, in bulk.
        DiscreteSpace.__init__(self, capacity=capacity, random=random, cell_klass=cell_klass)
        self.neighbourhood = neighbourhood
        self._kdtree_cells: list[Cell] = []
        self._kdtree = None
        n = neighbourhood.n_households
        ids = list(range(n))
        rnd = self.random
        cells = [cell_klass(coordinate=i, capacity=capacity, random=rnd) for i in ids]
        self._cells = dict(zip(ids, cells, strict=True))
        self.cells_by_node = cells           # cell i is node i (no CellCollection needed)
        adj = neighbourhood.adjacency()
        if not adj.has_sorted_indices:
            adj = adj.sorted_indices()      # a copy: the model's products keep their order
        # Keys are the cells' own coordinate objects (one int per household, not per tie);
        # blocks of nodes keep the temporary Python lists small on a large street.
        indptr, indices = adj.indptr, adj.indices
        for lo in range(0, n, _BLOCK):
            hi = min(n, lo + _BLOCK)
            first = int(indptr[lo])
            bounds = (indptr[lo:hi + 1] - first).tolist()
            nbrs = indices[first:int(indptr[hi])].tolist()
            keys = list(map(ids.__getitem__, nbrs))
            values = list(map(cells.__getitem__, nbrs))
            for i, cell in enumerate(cells[lo:hi]):
                a, b = bounds[i], bounds[i + 1]
                cell.connections.update(zip(keys[a:b], values[a:b], strict=True))
        if cells:
            cells[0]._clear_cache()       # Mesa's neighbourhood caches are per class

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
