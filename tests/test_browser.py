"""The browser app in a real browser: Debian's chromium driven by Playwright.

A fixture starts the server (``python -m commgov.viz.serve``) on a free loopback port; each
page is a session with its own worker process. Covered: the walk-through (scenario, slider,
run, charts, map colouring, language, lesson with its live change, screenshots; with
COMMGOV_UPDATE_SCREENSHOT=1 it refreshes ``docs/screenshot.png``), two Chinese sessions
(glyphs of the CJK font in each session's exported SVG), fast clicking while running, the
paired comparison with intervals and stale marking, a phone viewport, axe-core in both
languages, exports and share links, and the speed of 6 concurrent sessions. The classroom
measurement (1, 6 and 30 sessions, for the README) is ``pytest -m classroom``.
``make test`` installs chromium when missing (``tests/browser/setup.sh``); without it these
tests fail with a clear message in CI (CI=true) and are skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1280, "height": 720}         # a classroom projector
AXE_VERSION = "4.10.2"
READY = 180_000          # ms: a session's worker imports and builds its model (slow when busy)

# Real Chromium against a live server is timing-sensitive: `make test` runs this module alone
# after the parallel part (marker `serial`), so the machine's other tests do not starve it.
pytestmark = [pytest.mark.timeout(600), pytest.mark.serial]


def _missing(what: str) -> None:
    msg = (f"{what}; the browser tests need it (`make test` installs it with apt-get via "
           "tests/browser/setup.sh)")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app on a free loopback port, for this module's tests."""
    from commgov.viz import assets

    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        _missing(f"chromium is not installed (looked for {CHROMIUM})")
    if assets.missing():
        _missing("Solara's page files are not cached and no CDN is reachable "
                 "(python -m commgov.viz.assets fetches them with npm)")
    port = _free_port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"commgov-viz-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "commgov.viz.serve", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            cwd=ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"the viz server did not start: see {log.name}", pytrace=False)
        time.sleep(0.3)
    yield url
    proc.terminate()                      # the server passes SIGTERM on to solara
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)   # and nothing of its process group outlives us
    log.close()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                              else shutil.which("chromium"), args=ARGS)
        yield b
        b.close()


def _open(browser: object, url: str, viewport: dict | None = None) -> object:
    page = browser.new_page(viewport=viewport or VIEWPORT, accept_downloads=True)
    page.goto(url)
    page.wait_for_selector(".cg-summary", timeout=READY)
    page.wait_for_selector("img.cg-chart-img", timeout=60_000)
    return page


@pytest.fixture(scope="module")
def page(browser: object, server: str) -> Iterator[object]:
    """One session shared by the tests below that do not need a fresh one."""
    p = _open(browser, server)
    yield p
    p.close()


def _day(page: object) -> int:
    text = page.inner_text(".cg-day")
    return int("".join(ch for ch in text if ch.isdigit()))


def _wait_day(page: object, at_least: int, timeout: float = 60) -> int:
    deadline = time.time() + timeout
    while (d := _day(page)) < at_least:
        assert time.time() < deadline, f"day stuck at {d}"
        page.wait_for_timeout(100)
    return d


def _pick(page: object, select: str, option: str) -> None:
    page.click(select)
    page.locator(".v-overlay--active .v-list-item", has_text=option).first.click()
    page.wait_for_timeout(300)


def _download(page: object, selector: str) -> bytes:
    with page.expect_download(timeout=60_000) as dl:
        page.click(f"{selector} button, {selector} .v-btn")
    return Path(dl.value.path()).read_bytes()


def _settled(page: object, timeout: float = 60) -> None:
    """Wait until no control is marked pending: the model runs what the page shows."""
    page.wait_for_function("() => !document.querySelector('.cg-pending')", timeout=timeout * 1000)


def _max_speed(page: object) -> None:
    page.locator(".cg-speed [role=slider]").focus()
    page.keyboard.press("End")
    page.wait_for_selector("text=/as fast as possible|最快/")


# ------------------------------------------------------------------------------ walk-through
def test_walkthrough(browser: object, server: str, tmp_path: Path) -> None:
    t0 = time.time()
    page = _open(browser, server)
    assert _day(page) == 0

    # a scenario from scenarios/
    _pick(page, ".cg-scenario", "Red property")
    page.wait_for_selector("text=Put a party branch into every property firm")

    # a slider: staff per 10,000 residents, 18 → 24.5 with the keyboard
    lever = ".cg-lever-staff-per_10k_residents"
    page.locator(f"{lever} [role=slider]").focus()
    for _ in range(13):
        page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"{lever} .cg-value >> text=24.5 per 10,000 residents")
    page.wait_for_selector(f"{lever}.cg-changed")
    _settled(page)
    assert _day(page) == 0

    # run to day 90: the chart and the summary change, and it stops there
    chart_before = page.get_attribute("img.cg-chart-img", "src")
    summary_before = page.inner_text(".cg-summary")
    page.fill(".cg-target input", "90")
    page.press(".cg-target input", "Enter")
    page.wait_for_selector(".cg-run-to >> text=/90$/")   # the server has the target
    page.click(".cg-run-to")
    _wait_day(page, 90)
    page.wait_for_selector(".cg-play >> text=Run", timeout=30_000)
    assert _day(page) == 90
    assert page.get_attribute("img.cg-chart-img", "src") != chart_before
    summary_after = page.inner_text(".cg-summary")
    assert "no cases yet" in summary_before and "no cases yet" not in summary_after

    # colour the map by another state: the moving layer changes
    nodes_before = page.get_attribute("img.cg-nodes", "src")
    _pick(page, ".cg-colour-by", "trust in community governance")
    page.wait_for_function(
        "src => document.querySelector('img.cg-nodes').src !== src", arg=nodes_before)
    page.set_viewport_size({"width": 1500, "height": 1300})     # map and charts, for the README
    page.wait_for_timeout(800)
    overview = tmp_path / "overview.png"
    page.screenshot(path=str(overview))
    assert overview.stat().st_size > 50_000, "the page rendered"
    if os.environ.get("COMMGOV_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(overview, ROOT / "docs" / "screenshot.png")
    page.set_viewport_size(VIEWPORT)

    # switch language: every label and the chart's titles (re-drawn in the worker)
    chart_en = page.get_attribute("img.cg-chart-img", "src")
    page.click(".cg-lang-zh")
    page.wait_for_selector("text=探索社区")
    page.wait_for_function(
        "src => document.querySelector('img.cg-chart-img').src !== src", arg=chart_en,
        timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"

    # a lesson: it starts before the change (fees at the status quo's ~60%), the change
    # is made mid-run and applies at the next step, and the watched measure moves
    page.click(".cg-tab-lessons")
    page.click(".cg-lesson-red_property .cg-lesson-load")
    page.wait_for_selector(".cg-lesson-title >> text=红色物业")
    page.wait_for_selector(".cg-changes >> text=→")
    page.wait_for_selector(".cg-day >> text=第 0 天", timeout=60_000)   # a fresh start
    info = page.locator(".cg-centre .cg-info").bounding_box()
    assert info["height"] <= VIEWPORT["height"], "the lesson fits on one screen"
    page.fill(".cg-target input", "30")
    page.press(".cg-target input", "Enter")
    page.wait_for_selector(".cg-run-to >> text=/30$/")   # the server has the target
    page.click(".cg-run-to")
    _wait_day(page, 30)
    page.wait_for_timeout(1500)
    assert _day(page) == 30                               # run to day N stops there
    page.click(".cg-lesson-apply")
    page.wait_for_selector(".cg-lesson-apply >> text=已改变")
    _settled(page)
    assert _day(page) == 30                               # the same run, not a restart
    _max_speed(page)
    page.fill(".cg-target input", "330")
    page.press(".cg-target input", "Enter")
    page.wait_for_selector(".cg-run-to >> text=/330$/")   # the server has the target
    page.click(".cg-run-to")
    _wait_day(page, 330, timeout=120)
    chip = page.inner_text(".cg-watch-fee_collection_rate")
    before, after = (float(x) for x in re.findall(r"([0-9.]+)%", chip)[-2:])
    assert before < 70 and after > before + 10, chip
    page.close()
    print(f"\nwalk-through in {time.time() - t0:.1f} s")


# ------------------------------------------------------------------------------ fonts
def test_two_chinese_sessions_draw_chinese(browser: object, server: str, page: object) -> None:
    """Fonts are set per picture, so the second session's charts are not tofu boxes."""
    other = _open(browser, server)
    try:
        fonts = []
        for p in (page, other):
            p.click(".cg-lang-zh")
            p.wait_for_selector("text=探索社区")
        for p in (page, other):
            p.wait_for_timeout(1000)
            svg = _download(p, ".cg-export-charts-svg")
            fonts.append({f.decode() for f in re.findall(rb'<path id="([A-Za-z]+)-', svg)})
        for found in fonts:
            assert any(f != "DejaVuSans" for f in found), f"no CJK glyphs: {found}"
        assert fonts[0] == fonts[1]
        for p in (page, other):
            p.click(".cg-lang-en")
            p.wait_for_selector("text=Explore a community")
    finally:
        other.close()


# ------------------------------------------------------------------------------ races
def test_fast_clicks_never_leave_the_model_out_of_step(page: object) -> None:
    _max_speed(page)
    page.click(".cg-play")
    page.wait_for_selector(".cg-play >> text=Pause")
    switch = page.locator(".cg-lever-grid-merged input[type=checkbox]")
    lever = ".cg-lever-staff-per_10k_residents"
    was = switch.is_checked()
    for i in range(7):                                   # as fast as a bored student clicks
        switch.click()
        page.locator(f"{lever} [role=slider]").focus()
        page.keyboard.press("ArrowRight" if i % 2 else "ArrowLeft")
        page.keyboard.press("ArrowRight")
    _settled(page)
    # The model runs what the page's settings say (no control pending), and the switch
    # shows those settings: checked exactly when the lever is marked as changed from the
    # baseline (separate grids). A click that lands while the server redraws the switch
    # after an earlier click may be absorbed; the page and the model still agree.
    def agree() -> bool:
        """Wait until the switch and the settings' mark agree (a redraw may be in flight);
        fail if they stay apart."""
        page.wait_for_function(
            """() => { const lever = document.querySelector('.cg-lever-grid-merged');
                       const box = lever && lever.querySelector('input');
                       return box && box.checked === lever.classList.contains('cg-changed'); }""",
            timeout=15_000)
        return switch.is_checked()
    merged = agree()
    # One more click, once settled, always counts: the switch and the settings' mark end
    # up agreeing on the flipped value (a redraw may show the old one for a moment). Wait
    # for nothing pending first: a click during the last restart's redraw can be absorbed.
    _settled(page)
    page.wait_for_timeout(1000)
    switch.click()
    page.wait_for_function(
        """(was) => { const lever = document.querySelector('.cg-lever-grid-merged');
                      const box = lever && lever.querySelector('input');
                      return box && box.checked !== was
                          && box.checked === lever.classList.contains('cg-changed'); }""",
        arg=merged, timeout=30_000)
    _settled(page)
    assert agree() != merged
    del was
    shown = page.inner_text(f"{lever} .cg-value")
    page.wait_for_timeout(1500)
    _settled(page)
    assert page.inner_text(f"{lever} .cg-value") == shown
    d0 = _day(page)
    page.wait_for_timeout(1500)
    assert _day(page) > d0, "still running after the restart"
    page.click(".cg-play")
    page.wait_for_selector(".cg-play >> text=Run")
    page.click(".cg-settings-reset")
    _settled(page)


# ------------------------------------------------------------------------------ compare
def _short_comparison(page: object) -> None:
    """On the comparison tab: 90 days, 3 paired replications, run, wait for the result."""
    page.wait_for_selector(".cg-compare-run", state="visible")
    page.locator(".cg-days [role=slider]").focus()
    page.keyboard.press("Home")                          # 90 days
    page.locator(".cg-seeds [role=slider]").focus()
    page.keyboard.press("Home")
    for _ in range(2):
        page.keyboard.press("ArrowRight")                # 3 replications
    page.wait_for_selector("text=Replications (paired seeds): 3")
    page.click(".cg-compare-run")
    page.wait_for_selector(".cg-compare-progress", timeout=30_000)
    page.wait_for_selector(".cg-compare-result", timeout=240_000)


def test_comparison_is_paired_with_intervals_and_marks_stale(page: object) -> None:
    page.click(".cg-tab-compare")
    _short_comparison(page)
    head = page.inner_text(".cg-compare-result h3")
    assert "90 days" in head and "3 paired replications" in head
    table = page.inner_text(".cg-table")
    assert "95% CI" in table
    for row in page.locator(".cg-table tbody tr").all():
        verdict = row.locator("td").last.inner_text()
        assert verdict in ("B better", "B worse", "no clear difference")
        ci = row.locator("td.cg-ci").inner_text()
        if verdict != "no clear difference":             # a verdict: the CI excludes zero
            lo, hi = (float(re.sub(r"[^0-9.+-]", "", x)) for x in ci.split("…"))
            assert lo > 0 or hi < 0, (row.inner_text(), ci)
    # the cost table prices B's differences, or says n/a (experiments/costeff.py)
    costs = page.inner_text(".cg-cost-table")
    assert "Cost per unit (95% CI)" in costs and "Trust" in costs
    for row in page.locator(".cg-cost-table tbody tr").all():
        cell = row.locator("td").last.inner_text()
        assert "…" in cell or "n/a" in cell or "costs" in cell, cell
    assert not page.query_selector(".cg-stale")
    page.locator(".cg-seeds [role=slider]").focus()
    page.keyboard.press("ArrowRight")                    # settings change: marked stale
    page.wait_for_selector(".cg-stale-note", timeout=10_000)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => !document.querySelector('.cg-stale')", timeout=10_000)
    page.locator(".cg-compare-result").screenshot(path=str(ROOT / ".pytest_cache" /
                                                             "compare_1280.png"))
    page.click(".cg-tab-explore")


# ------------------------------------------------------------------------------ screens
def test_phone_viewport_fits_the_screen(page: object) -> None:
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        shows = {"explore": ".cg-summary", "compare": ".cg-compare-run",
                 "lessons": ".cg-lessons"}
        for tab in ("explore", "compare", "lessons"):
            page.click(f".cg-tab-{tab}")
            page.wait_for_selector(shows[tab])
            page.wait_for_timeout(800)
            width = page.evaluate("document.documentElement.scrollWidth")
            wide = page.evaluate("""() => [...document.querySelectorAll('.cg-page *')]
                .filter(e => e.getBoundingClientRect().right > 391).slice(0, 5)
                .map(e => e.className + ' ' + Math.round(e.getBoundingClientRect().width))""")
            assert width <= 390, f"{tab}: page is {width} px wide on a 390 px phone: {wide}"
    finally:
        page.set_viewport_size(VIEWPORT)
        page.click(".cg-tab-explore")


def _axe_js() -> str:
    """axe-core's browser script, fetched once from the npm registry and cached."""
    from commgov.viz import assets
    cached = Path(sys.prefix) / "share" / f"axe-core@{AXE_VERSION}" / "axe.min.js"
    if not cached.is_file():
        problems = []
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm (to fetch axe-core)")
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--silent"],
                                  cwd=tmp, capture_output=True, text=True, timeout=300)
            name = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            if proc.returncode or not (Path(tmp) / name).is_file():
                problems.append(proc.stderr[-300:])
            else:
                assets._unpack(Path(tmp) / name, cached.parent)
        if problems or not cached.is_file():
            _missing(f"axe-core {AXE_VERSION} could not be fetched with npm: {problems}")
    return cached.read_text()


AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(' '))
    .join(', '));
}"""


def test_axe_finds_no_serious_violations_in_either_language(page: object) -> None:
    """Every tab in both languages; on the comparison tab also its alerts (the trade-off
    note and, after a settings change, the stale note), whose default Vuetify colours fail
    contrast. Needs a comparison result: it makes a short one if none is shown."""
    page.add_script_tag(content=_axe_js())
    found = {}
    alerts = 0
    page.click(".cg-lang-en")
    page.click(".cg-tab-compare")
    page.wait_for_selector(".cg-compare-run", state="visible")
    if not page.query_selector(".cg-compare-result"):
        _short_comparison(page)
    try:
        for lang, word in (("en", "Explore a community"), ("zh", "探索社区")):
            page.click(f".cg-lang-{lang}")
            page.wait_for_selector(f"text={word}")
            for tab in ("explore", "compare", "lessons"):
                page.click(f".cg-tab-{tab}")
                page.wait_for_selector(".cg-lessons, .cg-cmp, .cg-grid")
                if tab == "compare":
                    page.locator(".cg-seeds [role=slider]").focus()
                    page.keyboard.press("ArrowRight")            # stale: the warning shows
                    page.wait_for_selector(".cg-stale-note", timeout=30_000)
                    alerts += page.locator(".v-alert").count()
                page.wait_for_timeout(1200)
                found[lang, tab] = page.evaluate(AXE_RUN)
                if tab == "compare":
                    page.locator(".cg-seeds [role=slider]").focus()
                    page.keyboard.press("ArrowLeft")
    finally:
        page.click(".cg-lang-en")
        page.click(".cg-tab-explore")
    bad = {k: v for k, v in found.items() if v}
    assert not bad, bad
    assert alerts >= 4, "the stale and trade-off alerts were not on the page to be checked"


# ------------------------------------------------------------------------------ files
def test_exports_and_share_links(browser: object, server: str, page: object,
                                 tmp_path: Path) -> None:
    from commgov.scenarios.loader import load_scenario
    csv = _download(page, ".cg-export-metrics-csv").decode()
    assert csv.splitlines()[0].startswith("day,") and "fee_collection_rate" in csv
    toml = tmp_path / "scenario.toml"
    toml.write_bytes(_download(page, ".cg-export-scenario-toml"))
    load_scenario(str(toml))                               # what run.py simulate reads
    assert _download(page, ".cg-export-map-png").startswith(b"\x89PNG")
    link = server + "?scenario=red_property&seed=3&staff.per_10k_residents=24.5&lang=zh"
    shared = _open(browser, link)
    try:
        shared.wait_for_selector(".cg-scenario >> text=红色物业")
        shared.wait_for_selector(".cg-lever-staff-per_10k_residents .cg-value >> text=24.5")
        assert shared.input_value(".cg-seed input") == "3"
        assert "staff.per_10k_residents=24.5" in shared.inner_text(".cg-export")
        shared.goto(server + "?scenario=nope&staff.per_10k_residents=500")
        shared.wait_for_selector(".cg-link-problem >> text=allowed: 10 to 50", timeout=READY)
    finally:
        shared.close()


# ------------------------------------------------------------------------------ upload, inspect
def _street_graphml(path: Path, households: int = 240) -> bytes:
    import io

    import networkx as nx
    import numpy as np

    from commgov.model.graph import generate
    from commgov.scenarios.schema import GraphSpec
    nb = generate(GraphSpec(communities=1, households_per_community=households,
                            grids_per_community=2, compounds_per_community=3),
                  np.random.default_rng(7))
    buf = io.BytesIO()
    nx.write_graphml(nb.graph, buf)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def test_upload_a_community_and_inspect_its_agents(page: object, tmp_path: Path) -> None:
    """A planner's own files are checked like the CLI checks them; a click inspects."""
    from commgov.viz import upload
    from commgov.viz.session import Explorer, Settings

    page.click(".cg-tab-explore")
    bad = tmp_path / "bad.toml"
    bad.write_text("[staff]\nper_10k_residents = -3\n")
    page.set_input_files(".cg-upload-file", str(bad))
    page.wait_for_selector(".cg-upload-error >> text=/bad.toml: staff.per_10k_residents = -3 "
                           "is out of range: allowed/")
    sneaky = tmp_path / "sneaky.toml"
    sneaky.write_text('[graph]\nfile = "/etc/passwd"\n')
    page.set_input_files(".cg-upload-file", str(sneaky))
    page.wait_for_selector(".cg-upload-error >> text=/cannot name files on the server/")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 2_100_000)
    page.set_input_files(".cg-upload-file", str(big))
    page.wait_for_selector(".cg-upload-error >> text=/2,100,000 bytes; the app accepts/")

    graph = tmp_path / "street.graphml"
    data = _street_graphml(graph)
    page.set_input_files(".cg-upload-file", str(graph))
    page.wait_for_selector(".cg-scenario >> text=Uploaded: street.graphml", timeout=60_000)
    assert not page.query_selector(".cg-upload-error")
    page.wait_for_selector("text=/240 households/", timeout=READY)
    page.wait_for_selector(".cg-day >> text=Day 0")
    page.click(".cg-month")
    _wait_day(page, 30)

    # Where the agents are drawn: the same picture, built here from the same file.
    ex = Explorer(Settings(upload.accept([("street.graphml", data)]).key,
                           upload=upload.accept([("street.graphml", data)])))
    pic = ex.picture
    img = page.locator("img.cg-base").bounding_box()
    layer = page.locator(".cg-map-click").bounding_box()
    scale = img["width"] / pic.width

    def click(x: float, y: float) -> None:      # picture pixels → the click layer
        page.locator(".cg-map-click").click(position={
            "x": img["x"] - layer["x"] + x * scale, "y": img["y"] - layer["y"] + y * scale})
    px, py = pic.node_px
    i = int(len(px) // 2)
    click(px[i], py[i])
    page.wait_for_selector(f".cg-inspect-title >> text=Household {i + 1}")
    table = page.inner_text(".cg-inspect-table")
    assert "Trust in the community" in table and "Its grid worker" in table
    wx, wy = pic.worker_px
    click(wx[0], wy[0])
    page.wait_for_selector(".cg-inspect-title >> text=/Grid worker \\d+/")
    assert "Cases handled so far" in page.inner_text(".cg-inspect-table")
    page.click(".cg-inspect-close")
    page.wait_for_selector("text=/Click a household, a grid worker/")
    ex.close()
    _pick(page, ".cg-scenario", "Baseline (status quo)")


# ------------------------------------------------------------------------------ classroom
def _measure(browser: object, url: str, n: int, seconds: float = 15.0) -> list[float]:
    """Days per second of each of ``n`` sessions running at full speed at once."""
    pages = []
    try:
        for _ in range(n):
            p = browser.new_page(viewport={"width": 1280, "height": 720})
            p.goto(url, timeout=READY)
            pages.append(p)
        for p in pages:
            p.wait_for_selector("img.cg-chart-img", timeout=READY * 2)
            _max_speed(p)
        for p in pages:
            p.click(".cg-play")
        time.sleep(3)                                     # past the first frames
        start = [(time.time(), _day(p)) for p in pages]
        time.sleep(seconds)
        rates = [(_day(p) - d0) / (time.time() - t0)
                 for p, (t0, d0) in zip(pages, start, strict=True)]
        if n > 3:       # a busy server says so (a loaded machine may draw the frame late)
            pages[-1].wait_for_selector(".cg-busy", timeout=30_000)
        if n > 1:           # degrading gracefully: a session well below a lesson's pace says why
            for p, r in zip(pages, rates, strict=True):
                if r < 10:
                    p.wait_for_selector(".cg-slow", timeout=10_000)
        return rates
    finally:
        for p in pages:
            p.close()


def test_six_sessions_keep_their_speed(browser: object, server: str) -> None:
    rates = _measure(browser, server, 6)
    print(f"\n6 sessions: {', '.join(f'{r:.0f}' for r in rates)} days/s "
          f"(min {min(rates):.0f}, mean {sum(rates) / len(rates):.0f})")
    # Every session keeps running and gets a fair share. The machine is shared (the
    # README's figures say how fast); the floor is generous, set COMMGOV_MIN_DAYS_PER_S=20
    # on a quiet 2-core machine to check the classroom target.
    floor = float(os.environ.get("COMMGOV_MIN_DAYS_PER_S", "0.5"))
    assert min(rates) >= floor, rates
    assert min(rates) >= 0.3 * sorted(rates)[len(rates) // 2], f"unfair share: {rates}"


@pytest.mark.classroom
@pytest.mark.timeout(1800)
def test_classroom_1_6_30_sessions(browser: object, server: str) -> None:
    """The README's figures: ``pytest -m classroom tests/test_browser.py -s``."""
    for n in (1, 6, 30):
        rates = _measure(browser, server, n, seconds=20.0)
        print(f"\n{n} sessions: min {min(rates):.0f}, median "
              f"{sorted(rates)[len(rates) // 2]:.0f}, mean {sum(rates) / len(rates):.0f} "
              f"days/s per session")
