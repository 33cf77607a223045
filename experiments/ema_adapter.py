"""Drive the model from the EMA Workbench (exploratory modelling and analysis).

EMA thinks in *uncertainties* (what we do not control), *levers* (policies) and *outcomes*.
Any model parameter can be either: name it by its dotted key from docs/PARAMETERS.md and
``parameter()`` builds the right EMA parameter (real, integer or boolean) with the schema's
range as default bounds. Outcomes are end-of-run values of any metric column.

    from ema_workbench import SequentialEvaluator, perform_experiments
    from commgov.experiments.ema_adapter import commgov_model, parameter

    model = commgov_model(days=365, outcomes=["on_time_share", "trust_mean"])
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

from commgov.model.metrics import CORE_METRICS
from commgov.scenarios.loader import flat_parameters


def run_commgov(*, scenario: str = "baseline", days: int = 365, seed: int = 0,
                outcomes: Sequence[str] = CORE_METRICS, **parameters: Any) -> dict[str, float]:
    """EMA's model function: one run, end-of-run value of each outcome."""
    from commgov.model.community import CommunityModel

    kwargs = {k: (v.item() if hasattr(v, "item") else v) for k, v in parameters.items()}
    model = CommunityModel(scenario=scenario, rng=int(seed), **kwargs)
    model.run_for(int(days))
    df = model.datacollector.get_model_vars_dataframe()
    return {m: float(df[m].iloc[-1]) for m in outcomes}


def parameter(key: str, low: float | None = None, high: float | None = None) -> Any:
    """An EMA parameter for a model parameter (dotted key); bounds default to the schema's."""
    from ema_workbench import BooleanParameter, IntegerParameter, RealParameter

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
                  seed: int = 0, outcomes: Sequence[str] = CORE_METRICS) -> Any:
    """An EMA ``Model`` of the community model with the given outcomes (scalar, end of run)."""
    from ema_workbench import Constant, Model, ScalarOutcome

    model = Model(name, function=run_commgov)
    model.constants = [Constant("scenario", scenario), Constant("days", int(days)),
                       Constant("seed", int(seed)), Constant("outcomes", tuple(outcomes))]
    model.outcomes = [ScalarOutcome(m) for m in outcomes]
    return model
