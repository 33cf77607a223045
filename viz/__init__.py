"""The Solara browser app for planners and classrooms (see the viz issue).

What it builds on: ``CommunityModel`` exposes per-household state as numpy arrays
(``model.households``), Mesa ``Resident`` views on the graph space, institutional agents
(``model.workers``, ``model.branches``, ``model.firms``), and a deterministic layout from the
hierarchy (``model.neighbourhood.positions()``, no spring layout).
"""
