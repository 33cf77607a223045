"""The browser-side files Solara's page needs, for machines without access to a CDN.

Solara's page loads its JavaScript and CSS (the Vuetify app, RequireJS, Font Awesome)
through its own server, which fetches them from a CDN on first use and keeps them in its
proxy cache. Offline (a classroom network, CI) that fetch fails and the page stays blank.
These files are npm packages, so ``python -m commgov.viz.assets`` fetches them with npm
(``npm pack``) and unpacks them into that cache; the page then works without a CDN.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

CHECK_FILE = {"@widgetti/solara-vuetify3-app": "dist/fonts.css",
              "@widgetti/solara-vuetify-app": "dist/fonts.css",
              "requirejs": "require.js",
              "font-awesome": "css/font-awesome.min.css"}


def cache_dir() -> Path:
    """Where Solara's server looks for CDN files before asking the CDN."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def required() -> list[tuple[str, str]]:
    """``(package, version)`` of every npm package the page template loads."""
    import ipyvue
    import solara.server.settings as settings

    template = (Path(settings.__file__).parent / "templates" / "solara.html.j2").read_text()
    vue3 = ipyvue.__version__.startswith("3")
    app = "solara-vuetify3-app" if vue3 else "solara-vuetify-app"
    found = set(re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/", template))
    found |= set(re.findall(r"/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/",
                            settings.assets.fontawesome_path))
    return sorted((p, v) for p, v in found
                  if "vuetify" not in p or p.endswith("/" + app))


def missing() -> list[tuple[str, str]]:
    """Required packages not yet in the cache."""
    root = cache_dir()
    out = []
    for pkg, version in required():
        check = CHECK_FILE.get(pkg, "package.json")
        if not (root / f"{pkg}@{version}" / check).is_file():
            out.append((pkg, version))
    return out


def _unpack(tgz: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) < 2 or ".." in parts or not (member.isfile() or member.isdir()):
                continue
            member.name = str(Path(*parts[1:]))          # drop npm's "package/" prefix
            tar.extract(member, dest, filter="data")


def fetch(packages: list[tuple[str, str]]) -> list[str]:
    """Fetch ``packages`` with ``npm pack`` into the cache; returns problems (empty = ok)."""
    npm = shutil.which("npm")
    if npm is None:
        return ["npm is not installed (Debian: apt-get install npm), so the page's files "
                "cannot be fetched without a CDN"]
    problems = []
    root = cache_dir()
    with tempfile.TemporaryDirectory() as tmp:
        for pkg, version in packages:
            spec = f"{pkg}@{version}"
            proc = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp,
                                  capture_output=True, text=True, timeout=300, check=False)
            name = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            if proc.returncode != 0 or not (Path(tmp) / name).is_file():
                problems.append(f"npm pack {spec} failed: {proc.stderr.strip()[-300:]}")
                continue
            _unpack(Path(tmp) / name, root / spec)
    return problems


def ensure(verbose: bool = True) -> bool:
    """Make sure every file the page needs is cached; True when they all are."""
    need = missing()
    if not need:
        return True
    if verbose:
        print("fetching the page's browser files with npm: "
              + ", ".join(f"{p}@{v}" for p, v in need), file=sys.stderr)
    problems = fetch(need)
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    return not missing()


def main() -> int:
    ok = ensure()
    print(f"solara page assets in {cache_dir()}: {'ok' if ok else 'INCOMPLETE'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
