"""The command line: ``demo``, ``simulate``, ``sweep``, ``report``, ``list``, ``bench`` and more.

This is the one place where user mistakes become messages: every bad option value, scenario
file or graph file stops the command before any model runs, with one readable paragraph on
stderr and exit code 2, never a traceback. Heavy modules (Mesa, matplotlib) are imported only
by the command that needs them, so ``--help`` and argument errors answer at once.

Conventions (the same for every command): ``--version``; ``-q`` (only errors and the final
line) and ``-v`` (more detail) before or after the command; outputs are never overwritten
without ``--force`` (one rule, :func:`claim_out`); progress bars only on a terminal, plain
periodic lines otherwise; messages name the program as it was invoked (``commgov`` or
``python run.py``). A bare ``commgov`` prints the help and a quick start and writes nothing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

DEMO_OUT = "results/demo"
# What each command writes into its --out directory (claim_out checks these).
SIMULATE_FILES: tuple[str, ...] = ("metrics.csv", "metrics.parquet", "run.json")
DEMO_FILES: tuple[str, ...] = ("summary.csv", "daily.parquet", "timeseries.png",
                               "end_of_run.png", "run.json", "README.txt")
SWEEP_ENTRIES: tuple[str, ...] = ("manifest.json", "design.csv", "summary.parquet",
                                  "summary.csv", "summary_long.parquet", "summary_long.csv",
                                  "daily", "runs", "errors", "report")
VERBOSITY = 1          # 0 with -q, 2 with -v; set by main()
MAX_DAYS = 36_500           # 100 simulated years (experiments.runner.MAX_DAYS)
DEFAULT_SCENARIOS: tuple[str, ...] = (
    "baseline", "grid_merge", "grid_merge_plus_staff", "staffing_24_5", "red_property",
    "closed_loop", "volunteer_points",
)


class UsageError(ValueError):
    """A bad CLI value found after parsing (e.g. an unknown name in ``--scenarios``)."""


class Formatter(argparse.HelpFormatter):
    """Wrap prose paragraphs, keep multi-line paragraphs (examples) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paras = text.split("\n\n")
        return "\n\n".join(
            p if "\n" in p else textwrap.fill(p, width, initial_indent=indent,
                                              subsequent_indent=indent)
            for p in paras)


class Parser(argparse.ArgumentParser):
    """argparse with errors as one paragraph (no usage dump) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        message = message.rstrip(".")
        self.exit(2, f"{self.prog}: error: {message}. Run '{self.prog} --help' for the "
                     f"options.\n")


# --------------------------------------------------------------------------------------------
# Option types: each message names the value and what is allowed (argparse adds the option)
# --------------------------------------------------------------------------------------------
def int_option(lo: int, hi: int | None, what: str, example: str) -> Callable[[str], int]:
    """An argparse type: a whole number in [lo, hi], with a message naming what is allowed."""
    allowed = f"{lo} to {hi:,}" if hi is not None else f"{lo} or more"

    def parse(raw: str) -> int:
        try:
            value = int(raw.strip().replace("_", ""))
        except ValueError:
            value = None
        if value is None or value < lo or (hi is not None and value > hi):
            kind = "is out of range" if value is not None else "is not a whole number"
            raise argparse.ArgumentTypeError(
                f"{raw!r} {kind}; allowed: {what}, a whole number {allowed} (e.g. {example})")
        return value

    parse.__name__ = what
    return parse


def _set_item(raw: str) -> str:
    key, sep, _ = raw.partition("=")
    if not sep or not key.strip() or any(not p for p in key.strip().split(".")):
        raise argparse.ArgumentTypeError(
            f"{raw!r} is malformed; allowed: section.key=value, e.g. "
            f"--set staff.per_10k_residents=24.5")
    return raw


def _available() -> list[str]:
    from commgov.scenarios.loader import SCENARIO_DIR

    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _is_name(s: str) -> bool:
    return not Path(s).suffix and "/" not in s and os.sep not in s


def _default_workers() -> int:
    return min(2, os.cpu_count() or 1)


def prog_name(argv0: str | None = None) -> str:
    """The program as the user invoked it: ``commgov`` or ``python run.py``."""
    name = Path(argv0 if argv0 is not None else sys.argv[0]).name
    return "python run.py" if name == "run.py" else (name or "commgov")


def info(*parts: object) -> None:
    """Print unless ``-q``."""
    if VERBOSITY >= 1:
        print(*parts, flush=True)


def detail(*parts: object) -> None:
    """Print only with ``-v``."""
    if VERBOSITY >= 2:
        print(*parts, flush=True)


def claim_out(out: str | Path, *, force: bool, owned: Sequence[str], what: str) -> Path:
    """The one place that decides whether a command may write into ``out``.

    ``owned`` are the names the command writes there. If any already exists, the command
    refuses (a previous run would be silently replaced) unless ``--force`` was given; with
    ``--force`` those names (and only those) are removed first, so nothing stale from the old
    run mixes with the new one. Other files in the directory are never touched. The directory
    is created and probed for writing before anything runs.
    """
    from commgov.experiments import runner

    out = Path(out)
    existing = [n for n in owned if (out / n).exists()]
    if existing and not force:
        shown = ", ".join(existing[:4]) + (" …" if len(existing) > 4 else "")
        resume = "--resume to finish it, " if what == "sweep" else ""
        raise UsageError(f"--out {out}: already holds the output of an earlier {what} "
                         f"({shown}). Nothing was run. Add {resume}--force to replace it, "
                         f"or give another --out.")
    for n in existing:
        p = out / n
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()
    return runner.ensure_dir(out)


# Optional parts: (extra, module to look for, what it is) per command that needs one.
EXTRAS: dict[str, tuple[str, str, str]] = {
    "viz": ("viz", "solara", "the browser app needs Solara"),
    "dask": ("dist", "distributed", "Dask sweeps need dask.distributed"),
    "optimise": ("ema", "platypus", "the optimiser needs Platypus (it comes with the EMA "
                 "Workbench)"),
}


def require_extra(key: str) -> None:
    """Stop with the pip command to run when an optional dependency is missing."""
    import importlib.util

    extra, module, what = EXTRAS[key]
    if importlib.util.find_spec(module) is None:
        raise UsageError(f"{what}, which is not installed. Install it with: pip install "
                         f"'community-governance[{extra}]' (in a checkout: pip install -e "
                         f"'.[{extra}]'). Nothing was run.")


class VersionAction(argparse.Action):
    """``--version``: computed only when asked, so ``--help`` stays instant."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from commgov.experiments import runner

        commit = runner.git_commit()
        at = f" (commit {commit[:12]})" if commit else ""
        print(f"commgov {runner.package_version()}{at}")
        parser.exit(0)


def _add_verbosity(p: argparse.ArgumentParser) -> None:
    """-q / -v, accepted before or after the command (SUPPRESS keeps the outer value)."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=0,
                   default=argparse.SUPPRESS, help="print only errors and the final line")
    g.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=2,
                   default=argparse.SUPPRESS, help="print more detail (each finished run)")


def _add_force(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true",
                   help="replace the output of an earlier run in --out (refused otherwise)")


def quick_start(prog: str) -> str:
    """The help's closing lines: what to type first (commands padded to one column)."""
    rows = [("demo", "6 policies vs baseline -> results/demo/"),
            ("simulate grid_merge", "one run -> results/grid_merge-seed0/"),
            ("list", "the scenarios"),
            ("sweep policy_comparison --reps 3", "an example sweep"),
            ("report results/sweeps/policy_comparison", "tables, figures, HTML"),
            ("viz", "the browser app ([viz] extra)"),
            ("docs", "the ODD and parameter reference")]
    w = max(len(c) for c, _ in rows)
    lines = [f"  {prog} {c.ljust(w)}  # {what}" for c, what in rows]
    return ("quick start:\n" + "\n".join(lines)
            + f"\n\nRun '{prog} COMMAND --help' for a command's options.")


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------
def _add_common(p: argparse.ArgumentParser, days_help: str) -> None:
    p.add_argument("--days", type=int_option(1, MAX_DAYS, "days to simulate", "--days 365"),
                   default=365, metavar="N", help=days_help)
    p.add_argument("--set", action="append", type=_set_item, default=[], metavar="KEY=VALUE",
                   help="override a parameter for every run, e.g. --set "
                        "staff.per_10k_residents=24.5 (repeatable; values are TOML)")


def build_parser(prog: str | None = None) -> Parser:
    fmt = Formatter
    parser = Parser(
        prog=prog, allow_abbrev=False, formatter_class=fmt,
        description="Agent-based simulation of urban community governance in China "
                    "(Mesa).",
        epilog=quick_start("%(prog)s"))
    parser.add_argument("--version", action=VersionAction,
                        help="print the version (and git commit) and exit")
    _add_verbosity(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    demo = sub.add_parser(
        "demo", help="compare baseline with several policies",
        formatter_class=fmt, allow_abbrev=False,
        description="Run the baseline and several policy scenarios with the same seeds "
                    "0..reps-1 (common random numbers), print end-of-run means with 95% "
                    "confidence intervals, and write summary.csv, daily.parquet, charts and "
                    "a README to --out.",
        epilog="example:\n  %(prog)s --days 180 --reps 5 --scenarios baseline,red_property "
               "--workers 2")
    _add_common(demo, "simulated days per run (default: 365, one year)")
    demo.add_argument("--reps", type=int_option(1, None, "replications per scenario",
                                                "--reps 3"),
                      default=3, metavar="N",
                      help="replications (seeds 0..N-1) per scenario (default: 3)")
    demo.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS), metavar="A,B,...",
                      help="comma-separated scenario names or .toml paths "
                           f"(default: {','.join(DEFAULT_SCENARIOS)})")
    demo.add_argument("--out", default=DEMO_OUT, metavar="DIR",
                      help=f"output directory (default: {DEMO_OUT})")
    demo.add_argument("--workers", type=int_option(1, 256, "worker processes", "--workers 2"),
                      default=_default_workers(), metavar="N",
                      help="parallel processes; 1 runs in this process (default: "
                           f"{_default_workers()}); results do not depend on it")
    _add_force(demo)
    demo.set_defaults(func=cmd_demo)

    sim = sub.add_parser(
        "simulate", help="one run of one scenario", formatter_class=fmt, allow_abbrev=False,
        description="Run one scenario once and write metrics.csv, metrics.parquet (every "
                    "DataCollector column, one row per day including day 0) and run.json "
                    "(resolved parameters, seed, versions, git commit).",
        epilog="examples:\n  %(prog)s baseline\n  %(prog)s my_street.toml --seed 7 --set "
               "grid.merged=true --out results/mine")
    sim.add_argument("scenario", metavar="SCENARIO",
                     help="a scenario name (see 'list') or a path to a .toml file")
    _add_common(sim, "simulated days (default: 365)")
    sim.add_argument("--seed", type=int_option(0, None, "random seed", "--seed 0"), default=0,
                     metavar="N", help="random seed; same scenario and seed, same numbers "
                                       "(default: 0)")
    sim.add_argument("--out", default=None, metavar="DIR",
                     help="output directory (default: results/<scenario>-seed<seed>)")
    _add_force(sim)
    sim.set_defaults(func=cmd_simulate)

    lst = sub.add_parser("list", help="the scenarios and what they change", formatter_class=fmt,
                         description="List the scenario files with their one-line "
                                     "descriptions.")
    lst.set_defaults(func=cmd_list)

    sch = sub.add_parser(
        "schedule", help="the declared day: phases, processes, cadence", formatter_class=fmt,
        allow_abbrev=False,
        description="Print one day of the model as it runs: the phases, the processes in each "
                    "(in order), when each runs and its ODD section. Cadences follow the "
                    "scenario (e.g. party.activity_days).",
        epilog="examples:\n  %(prog)s\n  %(prog)s winter_tide --set party.activity_days=7")
    sch.add_argument("scenario", metavar="SCENARIO", nargs="?", default="baseline",
                     help="a scenario name (see 'list') or a .toml file (default: baseline)")
    sch.add_argument("--set", action="append", type=_set_item, default=[], metavar="KEY=VALUE",
                     help="override a parameter, e.g. --set party.activity_days=7")
    sch.add_argument("--markdown", action="store_true", help="a Markdown table (as in the ODD)")
    sch.set_defaults(func=cmd_schedule)

    from commgov.experiments.bench import MAX_HOUSEHOLDS, MIN_HOUSEHOLDS

    bench = sub.add_parser(
        "bench", help="household-days per second on a street", formatter_class=fmt,
        allow_abbrev=False,
        description="Build a street of about --households households from the baseline "
                    "scenario (communities of <= 4,000, ~570 households per grid, ~300 per "
                    "compound), run it with the DataCollector on, and report household-days "
                    "per second and peak memory against the target (5 million/s, < 2 GiB). "
                    "It reports; it does not fail on a miss.")
    bench.add_argument("--households", default=40_000, metavar="N",
                       type=int_option(MIN_HOUSEHOLDS, MAX_HOUSEHOLDS, "households",
                                      "--households 40000"),
                       help="households in the street (default: 40000)")
    bench.add_argument("--days", type=int_option(1, MAX_DAYS, "days to simulate", "--days 365"),
                       default=365, metavar="N", help="simulated days (default: 365)")
    bench.add_argument("--seed", type=int_option(0, None, "random seed", "--seed 0"),
                       default=0, metavar="N", help="random seed (default: 0)")
    bench.add_argument("--json", action="store_true",
                       help="print exactly one JSON object: households, days, seconds, "
                            "household_days_per_s, peak_rss_mb, peak_kb_per_household")
    bench.add_argument("--sweep", action="store_true",
                       help="instead: runs/s of a fixed sweep of 200 one-community runs on 1 "
                            "and 2 local workers and a 2-worker Dask LocalCluster (targets: "
                            ">= 1.8x with 2 workers; Dask within 15%%)")
    bench.set_defaults(func=cmd_bench)

    sweep = sub.add_parser(
        "sweep", help="run a sweep file: scenarios x parameters x replications",
        formatter_class=fmt, allow_abbrev=False,
        description="Run every (scenario, design point, replication) of a sweep file on local "
                    "processes (default) or a Dask cluster, writing each finished run at once "
                    "(atomically). Kill it at any point and --resume finishes only the "
                    "missing runs. Replication k of every scenario uses seed + k (common "
                    "random numbers). See README, 'Running a sweep'.",
        epilog="examples:\n  %(prog)s experiments/sweeps/policy_comparison.toml\n"
               "  %(prog)s my_sweep.toml --workers 8 --out results/my_sweep\n"
               "  %(prog)s my_sweep.toml --resume --out results/my_sweep\n"
               "  %(prog)s my_sweep.toml --scheduler tcp://10.0.0.5:8786")
    sweep.add_argument("file", metavar="SWEEP.toml",
                       help="the sweep file (or the name of one in experiments/sweeps/)")
    sweep.add_argument("--workers", type=int_option(1, 1024, "worker processes", "--workers 2"),
                       default=None, metavar="N",
                       help="local worker processes (default: all cores)")
    sweep.add_argument("--out", default=None, metavar="DIR",
                       help="output directory (default: results/sweeps/<name>)")
    sweep.add_argument("--resume", action="store_true",
                       help="finish an interrupted sweep in --out: only missing runs are run")
    sweep.add_argument("--set", action="append", type=_set_item, default=[],
                       metavar="KEY=VALUE",
                       help="add to the file's [set] for every run, e.g. --set "
                            "graph.households_per_community=1000 (repeatable)")
    sweep.add_argument("--reps", type=int_option(1, 10_000, "replications", "--reps 3"),
                       default=None, metavar="N",
                       help="replications per scenario and point (default: the file's)")
    sweep.add_argument("--days", type=int_option(1, 36_500, "days to simulate", "--days 365"),
                       default=None, metavar="N", help="days per run (default: the file's)")
    _add_force(sweep)
    engine = sweep.add_mutually_exclusive_group()
    engine.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on an existing Dask distributed cluster")
    engine.add_argument("--dask-local", action="store_true",
                        help="start a Dask LocalCluster on this machine (--workers workers)")
    sweep.add_argument("--no-progress", action="store_true",
                       help="no progress output (a bar on a terminal, otherwise a line every "
                            "10 s)")
    sweep.set_defaults(func=cmd_sweep)

    report = sub.add_parser(
        "report", help="tables, figures and an HTML page from a sweep's results",
        formatter_class=fmt, allow_abbrev=False,
        description="Per metric: scenario means with 95% confidence intervals, and the "
                    "difference from baseline paired by seed with its interval; time series "
                    "with CI bands, a policy-effect chart, and Morris or Sobol sensitivity "
                    "charts (SALib) for sensitivity designs. Writes CSV tables, PNG figures "
                    "and a self-contained index.html to DIR/report (or --out).")
    report.add_argument("dir", metavar="DIR", help="a sweep's output directory")
    report.add_argument("--lang", choices=("en", "zh"), default="en",
                        help="language of figure labels and the HTML page (default: en)")
    report.add_argument("--out", default=None, metavar="DIR",
                        help="where to write the report (default: DIR/report)")
    report.set_defaults(func=cmd_report)

    from commgov.experiments import calibrate, optimise, validate
    from commgov.viz.serve import add_parser as add_viz_parser

    add_viz_parser(sub)
    validate.add_parser(sub, fmt)
    calibrate.add_parser(sub)
    optimise.add_parser(sub, fmt)

    docs = sub.add_parser("docs", help="where the docs are; in a checkout, regenerate them",
                          formatter_class=fmt, allow_abbrev=False,
                          description="Installed: list the shipped docs (ODD, parameter "
                                      "reference, API) with their paths, or copy them to "
                                      "--out. In a source checkout: rewrite "
                                      "docs/PARAMETERS.md (from scenarios/schema.py), the "
                                      "parameter tables in docs/ODD.md, and the README's "
                                      "metrics glossary and scenario table (the test suite "
                                      "fails when they are stale).")
    docs.add_argument("--out", default=None, metavar="DIR",
                      help="copy the docs into DIR (PARAMETERS.md freshly generated)")
    _add_force(docs)
    docs.set_defaults(func=cmd_docs)
    for p in sub.choices.values():
        _add_verbosity(p)
    return parser


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------
def _overrides(items: Sequence[str]) -> dict[str, Any]:
    from commgov.scenarios.loader import parse_set

    return parse_set(items)


def cmd_simulate(args: argparse.Namespace) -> int:
    """One run: validate, build (graph errors surface here), then create --out and run."""
    from commgov.experiments import runner
    from commgov.model.community import CommunityModel
    from commgov.model.metrics import CORE_METRICS
    from commgov.scenarios.loader import load_scenario

    overrides = _overrides(args.set)
    loaded = load_scenario(args.scenario, overrides)
    runner.check_size(loaded, args.days)
    out = Path(args.out) if args.out else \
        Path("results") / f"{runner.safe_name(loaded.name)}-seed{args.seed}"
    # A different run already in --out is refused (unless --force); the same run may be
    # written again, so once this passes claim_out may clear the old files.
    runner.check_overwrite(out, runner.run_identity("simulate", [loaded], [args.seed],
                                                    args.days),
                           SIMULATE_FILES, force=args.force)
    with runner.Timer() as t:
        model = CommunityModel(scenario=loaded, rng=args.seed, collect=True)
        claim_out(out, force=True, owned=SIMULATE_FILES, what="simulate run")
        model.run_for(args.days)
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    files = [runner.write_csv(out / "metrics.csv", df),
             runner.write_parquet(out / "metrics.parquet", df),
             runner.write_json(out / "run.json", runner.run_manifest(
                 loaded, seed=args.seed, days=args.days, overrides=overrides,
                 seconds=t.seconds))]

    n = model.neighbourhood.n_households
    info(f"{loaded.name}: seed {args.seed}, {args.days} days, {n:,} households "
         f"({t.seconds:.2f} s). Final values (day {int(df['day'].iloc[-1])}):")
    last = df.iloc[-1]
    w = max(len(m) for m in CORE_METRICS)
    for m in CORE_METRICS:
        info(f"  {m.ljust(w)}  {runner.fmt_metric(m, float(last[m])):>10}")
    print(f"Wrote {', '.join(str(f) for f in files)}")
    return 0


def _parse_scenarios(raw: str) -> list[str]:
    names = list(dict.fromkeys(x.strip() for x in raw.split(",") if x.strip()))
    if not names:
        raise UsageError(f"--scenarios {raw!r}: no scenario given; allowed: comma-separated "
                         f"scenario names or .toml paths, e.g. --scenarios baseline,grid_merge.")
    available = _available()
    for n in names:
        if _is_name(n) and n not in available:
            close = difflib.get_close_matches(n, available, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(
                f"--scenarios {raw}: unknown scenario {n!r}{hint}; allowed: comma-separated "
                f"names from {', '.join(available)}, or paths to .toml files.")
    return names


def cmd_demo(args: argparse.Namespace) -> int:
    """Validate everything (scenarios, overrides, graphs, --out) first, then run and write."""
    from commgov.experiments import demo, runner
    from commgov.scenarios.loader import load_scenario

    names = _parse_scenarios(args.scenarios)
    overrides = _overrides(args.set)
    scenarios = [load_scenario(n, overrides) for n in names]
    seen: dict[str, str] = {}
    for given, s in zip(names, scenarios, strict=True):
        if s.name in seen:
            raise UsageError(f"--scenarios {args.scenarios}: {seen[s.name]!r} and {given!r} "
                             f"are both named {s.name!r}; allowed: scenarios with distinct "
                             f"names (they label the results).")
        seen[s.name] = given
    for s in scenarios:
        runner.check_size(s, args.days, runs_at_once=min(args.workers, len(scenarios) * args.reps))
        runner.check_graph(s)
    out = claim_out(args.out, force=args.force, owned=DEMO_FILES, what="demo")

    workers = min(args.workers, len(scenarios) * args.reps)
    info(f"Demo: {len(scenarios)} scenarios x {args.reps} replications (seeds "
         f"0..{args.reps - 1}) x {args.days} days, {workers} worker(s)")
    res = demo.run_demo(scenarios, reps=args.reps, days=args.days, workers=workers, out=out,
                        overrides=overrides, progress=VERBOSITY >= 1)
    ci = f"±95% CI half-width (t, n={args.reps})" if args.reps > 1 else "(n=1, no CI)"
    info(f"\nEnd of run (day {args.days}): mean over replications {ci}; "
         f"'%' rows in percent.\n")
    info(demo.format_table(res.summary, [s.name for s in scenarios]))
    print(f"\nRuns took {res.seconds:.1f} s. Wrote {out}/: "
          f"{', '.join(f.name for f in res.files)} (README.txt explains them).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Names and descriptions, aligned, descriptions wrapped to the terminal."""
    from commgov.scenarios.loader import list_scenarios

    rows = list_scenarios()
    w = max(len(n) for n, _ in rows)
    width = max(60, shutil.get_terminal_size((100, 24)).columns)
    wrap = textwrap.TextWrapper(width=width, subsequent_indent=" " * (w + 2))
    for name, desc in rows:
        print(wrap.fill(f"{name.ljust(w)}  {desc}"))
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    """The declared day of the scenario's model (built, not run)."""
    from commgov.experiments import runner
    from commgov.model.community import CommunityModel
    from commgov.scenarios.loader import load_scenario

    loaded = load_scenario(args.scenario, _overrides(args.set))
    runner.check_size(loaded, 1)
    from commgov.model.mechanisms import mechanism_rows

    model = CommunityModel(scenario=loaded, rng=0, collect=False, max_days=0)
    plan = model.day_plan
    rows = mechanism_rows(model.mechanisms)
    if args.markdown:
        print(plan.markdown())
        print("\n| mechanism | here | module | ODD | what it is |\n|---|---|---|---|---|")
        for name, on, module, odd, what in rows:
            print(f"| {name} | {on} | `{module}` | {odd} | {what} |")
    else:
        print(f"One day of '{loaded.name}' (python run.py schedule; model/schedule.py):")
        print(plan.text())
        print("\nMechanisms (model/mechanisms; 'off': not built, draws nothing):")
        for name, on, module, odd, what in rows:
            print(f"   {name:<12} {on:<4} {module:<28} ODD {odd:<6} {what}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from commgov.experiments import engine, runner
    from commgov.experiments.sweep import load_sweep

    sw = load_sweep(args.file, set_=_overrides(args.set) or None, replications=args.reps,
                    days=args.days)
    # The name comes from a file: sanitised, so `name = "../../x"` stays in results/sweeps.
    out = Path(args.out or f"results/sweeps/{runner.safe_name(sw.spec.name)}")
    if not args.resume:
        claim_out(out, force=args.force, owned=SWEEP_ENTRIES, what="sweep")
    elif args.force:
        raise UsageError("--resume and --force contradict each other: --resume finishes the "
                         "sweep in --out, --force replaces it. Give one of them.")
    workers = args.workers or engine.default_workers()
    label, results = engine.engine_for(workers=workers, scheduler=args.scheduler,
                                       dask_local=args.dask_local)
    if sw.biggest is not None and not args.scheduler:
        runner.check_size(sw.biggest, sw.spec.days,
                          runs_at_once=min(workers, len(sw.runs)), where=str(sw.path))
    info(f"Sweep '{sw.spec.name}': {len(sw.runs)} runs ({len(sw.scenarios)} scenario(s) x "
          f"{len(sw.design)} design point(s) x {sw.spec.replications} replication(s)), "
          f"{sw.spec.days} days each, on {label}. Writing to {out}/")
    res = engine.execute(sw, out, results, resume=args.resume, engine=label,
                         progress=not args.no_progress and VERBOSITY >= 1,
                         verbose=VERBOSITY >= 2)
    rate = res.done / res.seconds if res.seconds else 0.0
    print(f"Done: {res.done} run(s) now, {res.skipped} already finished, {len(res.failed)} "
          f"failed, in {res.seconds:.1f} s ({rate:.2f} runs/s). Results: {out}/ "
          f"(summary.parquet, daily/, manifest.json).")
    if res.failed:
        print(f"Failed runs are recorded in {out}/errors/ with their parameters; "
              f"--resume retries them.", file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from commgov.experiments import report

    out = report.build_report(Path(args.dir), out=Path(args.out) if args.out else None,
                              lang=args.lang)
    print(f"Report written to {out}/ (index.html, tables/, figures/).")
    return 0


DOC_FILES: tuple[str, ...] = ("ODD.md", "ODD.zh.md", "PARAMETERS.md", "API.md")


def cmd_docs(args: argparse.Namespace) -> int:
    """Installed: where the docs are (or a copy in --out). Checkout: regenerate them."""
    from commgov.experiments import runner
    from commgov.scenarios.reference import render_parameters, update_docs

    root = Path(__file__).resolve().parents[1]
    docs_dir = root / "docs"
    if args.out is not None:
        out = claim_out(args.out, force=args.force, owned=DOC_FILES, what="docs copy")
        written = []
        for name in DOC_FILES:
            src = docs_dir / name
            if name == "PARAMETERS.md":
                written.append(runner.write_text(out / name, render_parameters()))
            elif src.is_file():
                written.append(runner.write_text(out / name, src.read_text(encoding="utf-8")))
        print(f"Wrote {', '.join(str(p) for p in written)}")
        return 0
    if not (root / "README.md").exists():       # an installed copy: say where the docs are
        info(f"commgov {runner.package_version()}: the documentation shipped with this "
             f"installation:")
        for name, what in (("ODD.md", "model description (ODD protocol)"),
                           ("ODD.zh.md", "ODD summary in Chinese"),
                           ("PARAMETERS.md", "every parameter: default, range, unit, source"),
                           ("API.md", "CommunityModel, run_many and the sweep file format")):
            if (docs_dir / name).is_file():
                print(f"  {docs_dir / name}   {what}")
        info(f"Copy them elsewhere with '{prog_name()} docs --out DIR'.")
        return 0
    from commgov.experiments import claims

    changed = update_docs(root)
    if claims.update_odd(docs_dir / "ODD.md"):      # the claims table of ODD Appendix B
        changed = [*changed, docs_dir / "ODD.md"]
    for path in dict.fromkeys(changed):
        info(f"updated {path.relative_to(root)}")
    if not changed:
        info("docs are current")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from commgov.experiments import bench

    if args.sweep:
        result = bench.run_sweep_bench()
        print(json.dumps(result) if args.json else bench.format_sweep_human(result))
        return 0
    loaded = bench.bench_scenario(args.households)
    result = bench.run_bench(loaded, args.days, args.seed)
    print(json.dumps(result) if args.json else bench.format_human(result))
    return 0


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run the command, and turn user mistakes into exit code 2 (the only boundary)."""
    global VERBOSITY
    from commgov.experiments import runner

    args_list = list(sys.argv[1:] if argv is None else argv)
    prog = prog_name()
    runner.PROG = prog
    parser = build_parser(prog)
    if not [a for a in args_list if a not in ("-q", "--quiet", "-v", "--verbose")]:
        # A bare command writes nothing: it says what there is and how to start.
        parser.print_help()
        return 0
    args = parser.parse_args(args_list)
    VERBOSITY = getattr(args, "verbosity", 1)
    if args.command is None:
        parser.print_help()
        return 0

    from commgov.experiments.claims import ClaimsError
    from commgov.experiments.errors import ReportError, SizeError, SweepError, SweepStateError
    from commgov.experiments.optimise import OptimiseError
    from commgov.experiments.runner import OutputError
    from commgov.model.graph import GraphError
    from commgov.scenarios.loader import ScenarioError

    try:
        if args.command == "viz":
            require_extra("viz")
        if args.command == "optimise":
            require_extra("optimise")
        if (args.command in ("sweep", "optimise") and (args.scheduler or args.dask_local)) or (
                args.command == "bench" and args.sweep):
            require_extra("dask")
        return int(args.func(args))
    except (ScenarioError, GraphError, UsageError, OutputError, SweepError, SweepStateError,
            ReportError, ClaimsError, SizeError, OptimiseError) as e:
        print(f"{parser.prog} {args.command}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        hint = (" Finish the sweep with the same command plus --resume (and the same --out)."
                if args.command == "sweep" else "")
        print(f"{parser.prog} {args.command}: interrupted; files already written are "
              f"complete, none is half-written.{hint}", file=sys.stderr)
        return 130
