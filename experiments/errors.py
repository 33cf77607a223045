"""User-facing errors of the experiment tools (cheap to import: the CLI catches them)."""

from __future__ import annotations

from typing import NoReturn


class SweepError(ValueError):
    """A mistake in a sweep file: one paragraph naming the file, key, value and what is allowed."""


class SweepStateError(ValueError):
    """The output directory does not fit the request (e.g. a different sweep is there)."""


class SizeError(ValueError):
    """A run that would not fit in this machine's memory (refused with the estimate)."""


class ReportError(ValueError):
    """A report cannot be made from what is in the directory (says what is missing)."""


def refuse(error: type[ValueError], label: str, problems: list[str]) -> NoReturn:
    """Raise ``error`` naming every problem found in the file ``label`` before anything ran
    (the sweep and claims files check everything first and list all they found)."""
    if len(problems) == 1:
        raise error(f"{label}: {problems[0]} Nothing was run.")
    body = "\n".join(f"  - {p}" for p in problems)
    raise error(f"{label}: {len(problems)} problems; nothing was run.\n{body}")
