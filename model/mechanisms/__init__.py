"""Mechanisms: one module per policy or process (see ``base`` and docs/ADDING_A_MECHANISM.md).

Every module in this package is imported and each ``Mechanism`` subclass defined in it with
a ``name`` is registered, so adding a mechanism means adding its module: nothing here lists
them. ``MECHANISMS`` holds them in attach order: by name, each moved after those it names
in ``after``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from commgov.model.mechanisms.base import Mechanism, Roster, ordered


def _discover() -> tuple[type[Mechanism], ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += [c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, Mechanism) and c is not Mechanism
                  and c.__module__ == module.__name__ and "name" in vars(c)]
    return tuple(ordered(sorted(found, key=lambda c: c.name)))


MECHANISMS: tuple[type[Mechanism], ...] = _discover()


def mechanism_rows(active: list[Mechanism]) -> list[tuple[str, str, str, str, str]]:
    """(name, on/off in this model, module, ODD section, what it is) for every mechanism."""
    on = {m.name for m in active}
    return [(c.name, "on" if c.name in on else "off", c.__module__.removeprefix("commgov."),
             c.odd, (c.__doc__ or "").strip().splitlines()[0]) for c in MECHANISMS]


__all__ = ["MECHANISMS", "Mechanism", "Roster", "mechanism_rows", "ordered"]
