"""Hypothesis profiles and the ``slow`` marker.

``ci`` (default) keeps the property-based tests to a few dozen examples each so the suite
stays fast; ``HYPOTHESIS_PROFILE=thorough pytest -m slow tests/test_fuzz.py
tests/test_faults.py`` runs the big sets (tests marked ``slow`` are skipped otherwise).
"""

from __future__ import annotations

import os

import pytest

try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.function_scoped_fixture])
    settings.register_profile("thorough", max_examples=400, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.function_scoped_fixture])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:        # hypothesis is a test extra; only the fuzz tests need it
    pass


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: big fuzz and fault sets (pytest -m slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The big sets run only when asked for (``-m slow``), so ``make test`` stays fast."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="big set: run with pytest -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
