"""The built wheel works alone: installed outside the checkout, the README's examples run.

Researchers ``pip install`` the package and never see our checkout, so everything the CLI
names (scenarios, example sweeps, docs) must be inside the wheel. This test builds the wheel
from the checkout, installs it (without dependencies) into a fresh venv in a temporary folder,
and makes the venv see the test venv's already-installed dependencies through a plain path
entry (a ``.pth`` line, which does *not* run the test venv's editable-install hook, so the
checkout stays invisible). Then it runs the README's examples there, on tiny communities,
from a working directory outside the checkout. About a minute here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--set", "graph.households_per_community=300", "--set",
         "graph.compounds_per_community=3", "--set", "graph.grids_per_community=1"]

pytestmark = pytest.mark.packaging


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str], timeout: int = 300,
         ok: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=timeout)
    if ok:
        assert res.returncode == 0, f"{cmd}\n{res.stdout}\n{res.stderr}"
        assert "Traceback" not in res.stderr, res.stderr
    return res


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Built from a copy of the checkout (with .git, for the version, and any uncommitted
    # edits): a build writes experiments/_version.py and build/, and a test must never
    # change the tree other tests read (a sweep's digest covers the code and the version).
    src = tmp_path_factory.mktemp("src") / "checkout"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv*", "results", "build", "dist", ".pytest_cache", ".hypothesis", ".ruff_cache",
        "*.egg-info", "__pycache__"))
    # No build isolation: the pinned backend (setuptools, setuptools-scm) is in the test
    # extras, so the build needs no download and takes seconds.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--disable-pip-version-check", "-q", "-w", out, src], cwd=src,
         env=dict(os.environ))
    wheels = list(out.glob("community_governance-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("fresh")
    env_dir = base / "venv"
    _run([sys.executable, "-m", "venv", env_dir], cwd=base, env=dict(os.environ))
    py = env_dir / "bin" / "python"
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=base, env=dict(os.environ)).stdout.strip())
    # The test venv's dependencies, as a plain path (its .pth hooks, including the editable
    # install of this checkout, are not executed).
    (site / "zz_test_venv_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    _run([py, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
          "--disable-pip-version-check", wheel], cwd=base, env=env)
    work = base / "work"
    work.mkdir()
    return work, env


def test_wheel_contents_and_metadata(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("commgov/scenarios/baseline.toml",
                   "commgov/experiments/sweeps/policy_comparison.toml",
                   "commgov/docs/ODD.md", "commgov/docs/PARAMETERS.md", "commgov/docs/API.md",
                   "commgov/experiments/_version.py"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "model/", "agents/")) for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: MIT" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_readme_examples_run_from_the_installed_wheel(venv: tuple[Path, dict[str, str]]
                                                      ) -> None:
    work, env = venv
    cg = "commgov"
    where = _run(["python", "-c", "import commgov.experiments.cli as c; print(c.__file__)"],
                 work, env).stdout
    assert str(ROOT) not in where and "site-packages" in where, where

    version = _run([cg, "--version"], work, env).stdout
    assert version.startswith("commgov ") and "unknown" not in version

    bare = _run([cg], work, env)
    assert "quick start" in bare.stdout and "commgov demo" in bare.stdout
    assert not (work / "results").exists(), "a bare commgov must write nothing"

    assert "grid_merge" in _run([cg, "list"], work, env).stdout

    _run([cg, "simulate", "grid_merge", "--days", "10", *SMALL, "--out", "sim"], work, env)
    run = json.loads((work / "sim" / "run.json").read_text())
    assert run["version"] == version.split()[1]
    assert run["versions"]["commgov"] == run["version"]
    assert run["git_commit"], "the wheel records the commit it was built from"
    # The same run may be written again; a different one into the same --out is refused.
    again = _run([cg, "simulate", "grid_merge", "--days", "11", *SMALL, "--out", "sim"],
                 work, env, ok=False)
    assert again.returncode == 2 and "--force" in again.stderr

    _run([cg, "-q", "sweep", "policy_comparison", "--reps", "1", "--days", "10", *SMALL,
          "--workers", "1", "--out", "sweep"], work, env)
    manifest = json.loads((work / "sweep" / "manifest.json").read_text())
    assert manifest["spec"]["replications"] == 1 and manifest["spec"]["days"] == 10
    _run([cg, "report", "sweep"], work, env)
    assert (work / "sweep" / "report" / "index.html").is_file()

    docs = _run([cg, "docs"], work, env).stdout
    paths = [Path(line.split()[0]) for line in docs.splitlines() if line.startswith("  /")]
    assert {p.name for p in paths} >= {"ODD.md", "PARAMETERS.md", "API.md"}
    assert all(p.is_file() for p in paths)
    _run([cg, "docs", "--out", "mydocs"], work, env)
    assert (work / "mydocs" / "PARAMETERS.md").read_text().startswith("#")

    _run([cg, "demo", "--days", "5", "--reps", "1", "--scenarios", "baseline,red_property",
          "--workers", "1", *SMALL, "--out", "demo"], work, env)
    assert (work / "demo" / "summary.csv").is_file()

    snippet = (
        "from commgov.model.community import CommunityModel\n"
        "model = CommunityModel(scenario='grid_merge', rng=42, staff__per_10k_residents=24.5,"
        " graph__households_per_community=300, graph__compounds_per_community=3,"
        " graph__grids_per_community=1)\n"
        "model.run_for(5)\n"
        "df = model.datacollector.get_model_vars_dataframe()\n"
        "assert len(df) == 6, len(df)\n"
        "print('ok')\n")
    assert _run(["python", "-c", snippet], work, env).stdout.strip() == "ok"
    assert not list(work.glob("results")), "no command wrote to ./results unasked"
