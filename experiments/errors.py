"""User-facing errors of the experiment tools (cheap to import: the CLI catches them)."""


class SweepError(ValueError):
    """A mistake in a sweep file: one paragraph naming the file, key, value and what is allowed."""


class SweepStateError(ValueError):
    """The output directory does not fit the request (e.g. a different sweep is there)."""


class SizeError(ValueError):
    """A run that would not fit in this machine's memory (refused with the estimate)."""


class ReportError(ValueError):
    """A report cannot be made from what is in the directory (says what is missing)."""
