"""User-facing errors of the experiment tools (cheap to import: the CLI catches them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn


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


def read_toml(path: Path, label: str, error: type[ValueError], what: str
              ) -> tuple[str, dict[str, Any]]:
    """The text of the TOML file ``path`` (a sweep or claims file, ``what``) and its
    parsed contents; ``error`` with one sentence when it cannot be read, is not TOML, or
    nests deeper than a scenario may (a crafted file must not exhaust the stack)."""
    import tomllib

    from commgov.scenarios.loader import MAX_DEPTH, too_deep

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as e:        # ValueError: NUL byte, or not UTF-8
        why = getattr(e, "strerror", None) or str(e)
        raise error(f"{label[:300]}: cannot read the {what} ({why}). Nothing was "
                    f"run.") from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise error(f"{label}: tables or arrays are nested too deeply. Nothing was "
                    f"run.") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{label}: invalid TOML: {e}. Nothing was run.") from None
    if too_deep(data):
        raise error(f"{label}: tables or arrays are nested more than {MAX_DEPTH} levels "
                    f"deep. Nothing was run.")
    return text, data
