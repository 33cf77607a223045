"""The model: ``CommunityModel`` (community.py), the graph builder (graph.py), the issue
lifecycle (lifecycle.py) and the metrics (metrics.py)."""

from typing import Any

__all__ = ["CommunityModel"]


def __getattr__(name: str) -> Any:
    # Lazy, so that agents can import model.lifecycle without a circular import.
    if name == "CommunityModel":
        from commgov.model.community import CommunityModel
        return CommunityModel
    raise AttributeError(name)
