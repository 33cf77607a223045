"""Drive the model from the EMA Workbench (exploratory modelling and analysis).

EMA thinks in *uncertainties* (what we do not control), *levers* (policies) and *outcomes*.
Any model parameter can be either: name it by its dotted key from docs/PARAMETERS.md and
``parameter()`` builds the right EMA parameter (real, integer or boolean) with the schema's
range as default bounds. Outcomes are end-of-run values of any metric column, each with
its kind (``MAXIMIZE`` for trust, on-time handling …, ``MINIMIZE`` for escalation, petitions
…, ``INFO`` for plain counts; the same directions the app's comparison uses), so EMA's
optimisation and robustness analyses know which way is better. ``series=[…]`` adds daily
time series (``TimeSeriesOutcome`` named ``<metric>_daily``) for scenario discovery over
trajectories.

    from ema_workbench import SequentialEvaluator, perform_experiments
    from commgov.experiments.ema_adapter import commgov_model, parameter

    model = commgov_model(days=365, outcomes=["on_time_share", "trust_mean"],
                          series=["issues_open"])
    model.uncertainties = [parameter("workers.admin_hours", 1, 5),
                           parameter("population.winter_tide_share", 0, 0.2)]
    model.levers = [parameter("grid.merged"), parameter("staff.per_10k_residents", 18, 44)]
    with SequentialEvaluator(model) as ev:   # or MultiprocessingEvaluator(model)
        experiments, outcomes = perform_experiments(model, scenarios=20, policies=4,
                                                    evaluator=ev)

EMA passes parameter values as keyword arguments, so parameters are named
``section__key`` (the model's own keyword spelling). The seed is a ``Constant`` named ``seed``
(default 0); for replications wrap the model in EMA's ``ReplicatorModel`` or make ``seed`` an
``IntegerParameter`` uncertainty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from commgov.model.metrics import CORE_METRICS, metric_record
from commgov.scenarios.loader import flat_parameters

MISSING_EMA = ("the EMA Workbench is not installed: pip install "
               "'community-governance[ema]' (or '.[ema]' in a checkout)")
SERIES_SUFFIX = "_daily"


def outcome_kind(metric: str) -> str:
    """``"maximize"``, ``"minimize"`` or ``"info"``: which way a metric is better.

    The directions are the metric records' (``model/metrics.py``), as the app uses them:
    higher trust, on-time share, participation, fee collection … is better; escalation,
    petitions, open issues, office work left undone … is worse; counts of people and totals
    carry no judgement.
    """
    rec = metric_record(metric)
    if rec is None:
        raise KeyError(f"unknown metric '{metric}'; see the README's metrics glossary")
    return {1: "maximize", -1: "minimize"}.get(rec.direction, "info")


def run_commgov(*, scenario: str = "baseline", days: int = 365, seed: int = 0,
                outcomes: Sequence[str] = CORE_METRICS, series: Sequence[str] = (),
                **parameters: Any) -> dict[str, Any]:
    """EMA's model function: one run; the end-of-run value of each outcome and, for each
    metric in ``series``, its daily values (``<metric>_daily``, days 0..days)."""
    from commgov.model.community import CommunityModel

    kwargs = {k: (v.item() if hasattr(v, "item") else v) for k, v in parameters.items()}
    model = CommunityModel(scenario=scenario, rng=int(seed), max_days=int(days), **kwargs)
    model.run_model()
    df = model.datacollector.get_model_vars_dataframe()
    out: dict[str, Any] = {m: float(df[m].iloc[-1]) for m in outcomes}
    out.update({m + SERIES_SUFFIX: df[m].to_numpy(dtype=float) for m in series})
    return out


def parameter(key: str, low: float | None = None, high: float | None = None) -> Any:
    """An EMA parameter for a model parameter (dotted key); bounds default to the schema's."""
    try:
        from ema_workbench import BooleanParameter, IntegerParameter, RealParameter
    except ImportError:
        raise ImportError(MISSING_EMA) from None

    info = flat_parameters().get(key.replace("__", "."))
    if info is None:
        raise KeyError(f"unknown parameter '{key}': see docs/PARAMETERS.md")
    name = info.key.replace(".", "__")
    if info.type == "bool":
        return BooleanParameter(name)
    lo = info.ge if low is None else low
    hi = info.le if high is None else high
    if lo is None or hi is None:
        raise ValueError(f"{key}: give low and high bounds")
    if info.type == "int":
        return IntegerParameter(name, int(lo), int(hi))
    return RealParameter(name, float(lo), float(hi))


def commgov_model(name: str = "commgov", *, scenario: str = "baseline", days: int = 365,
                  seed: int = 0, outcomes: Sequence[str] = CORE_METRICS,
                  series: Sequence[str] = ()) -> Any:
    """An EMA ``Model``: scalar outcomes (end of run, with their kinds) and optional daily
    time series (``TimeSeriesOutcome`` ``<metric>_daily``)."""
    try:
        from ema_workbench import Constant, Model, ScalarOutcome, TimeSeriesOutcome
    except ImportError:
        raise ImportError(MISSING_EMA) from None

    kinds = {"maximize": ScalarOutcome.MAXIMIZE, "minimize": ScalarOutcome.MINIMIZE,
             "info": ScalarOutcome.INFO}
    model = Model(name, function=run_commgov)
    model.constants = [Constant("scenario", scenario), Constant("days", int(days)),
                       Constant("seed", int(seed)), Constant("outcomes", tuple(outcomes)),
                       Constant("series", tuple(series))]
    model.outcomes = [*(ScalarOutcome(m, kind=kinds[outcome_kind(m)]) for m in outcomes),
                      *(TimeSeriesOutcome(m + SERIES_SUFFIX) for m in series)]
    return model
