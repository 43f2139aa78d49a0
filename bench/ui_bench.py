"""Benchmark: the dashboard on a large 4W dataset, with the UI caches on and off.

Generates an N-row 4W presence table (default 100,000) from the bundled one (rows drawn
at random, organisation names spread over a few hundred operators, coordinates jittered,
admin-2 varied), publishes the bundled dataset with that presence table as version 1 of a
temporary SQLite store, and measures, for the cached UI and for the UI with
``st.cache_data`` / ``st.cache_resource`` replaced by pass-through decorators:

    a  server time of a filter change on the Presence page: ``AppTest`` of
       ``pages/2_Presence.py``, one warm-up run, then the country filter changed and
       ``at.run()`` timed, several repetitions, median (in a fresh subprocess per mode);
    b  server time of the first render of the overview in a fresh process: the first
       ``AppTest`` run of ``app.py`` in a new interpreter (empty caches: the dataset is
       read from the store and every figure computed);
    b' the same seen from a browser: from starting ``streamlit run`` to the overview
       fully drawn in Debian chromium (title drawn, script run over, map canvas present),
       which adds interpreter and Streamlit start-up and the browser's JavaScript work;
    c  bytes the first page sends to the browser: WebSocket frames received (the data
       and the page's elements) and HTTP response bodies (Streamlit's static JavaScript
       and CSS, fonts), for one load of the overview;
    d  server memory: VmRSS of the streamlit process after the overview and the Presence
       page were loaded and a filter was changed there.

Prints one table: figure, target, cached, uncached, uncached / cached.

Usage::

    .venv/bin/python bench/ui_bench.py [--rows 100000] [--reps 5] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from maaor.config import settings  # noqa: E402

APP = ROOT / "app.py"
PRESENCE_PAGE = ROOT / "pages" / "2_Presence.py"
FILTER_COUNTRIES = ("IRQ", "AFG", "SYR", "UKR", "SSD", "COL")
TARGETS = {
    "filter_rerun_s": 0.25,
    "first_render_server_s": 3.0,
    "first_page_ws_bytes": 1_000_000,
    "server_rss_mb": 500.0,
}


# ----------------------------------------------------------------------- dataset


def generated_presence(rows: int, seed: int = 20240501):
    """Return an ``rows``-row canonical presence table drawn from the bundled 4W."""
    import numpy as np
    import pandas as pd

    from maaor.bundled import load_default
    from maaor.dataset import conform

    base = load_default().dataset.presence
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), rows)
    out = base.iloc[pick].reset_index(drop=True)
    # A few hundred operators: the bundled names plus numbered national partners.
    names = pd.Series(sorted(base["org"].dropna().unique()))
    extra = pd.Series([f"National partner {i:03d}" for i in range(300)])
    orgs = pd.concat([names, extra], ignore_index=True)
    out["org"] = orgs.iloc[rng.integers(0, len(orgs), rows)].to_numpy()
    out["org_as_written"] = out["org"]
    out["lat"] = out["lat"] + rng.normal(0, 0.05, rows)
    out["lon"] = out["lon"] + rng.normal(0, 0.05, rows)
    out["admin2"] = pd.Series([f"District {i:02d}" for i in rng.integers(0, 40, rows)])
    out["reached_total"] = rng.integers(0, 5000, rows).astype(float)
    out["_row"] = np.arange(3, rows + 3)
    out["_file"] = "presence_generated.csv"
    return conform("presence", out)


def build_store(path: Path, rows: int) -> None:
    """Publish the bundled dataset with an ``rows``-row 4W as version 1 at ``path``."""
    from maaor.bundled import load_default
    from maaor.config import sqlite_url
    from maaor.dataset import Dataset
    from maaor.export.tables import csv_bytes
    from maaor.sources import Source
    from maaor.store import Store

    ds = load_default().dataset
    presence = generated_presence(rows)
    dataset = Dataset({**ds.tables, "presence": presence}, ds.meta)
    source = Source("presence_generated.csv", csv_bytes(presence.drop(columns=["_file", "_sheet", "_row"])))
    store = Store.open(sqlite_url(path))
    try:
        store.publish(dataset, [source], by="ui_bench", note=f"generated 4W, {rows} rows",
                      kind="upload")
    finally:
        store.close()


# ------------------------------------------------------------- caching switched off


def disable_streamlit_caches() -> None:
    """Replace ``st.cache_data`` and ``st.cache_resource`` with pass-through decorators
    (keeping ``.clear()``), before any page module is imported."""
    import streamlit as st

    def passthrough(func=None, **_kwargs):
        def wrap(f):
            f.clear = lambda *a, **k: None
            return f

        return wrap(func) if callable(func) else wrap

    passthrough.clear = lambda: None
    st.cache_data = passthrough
    st.cache_resource = passthrough


def serve_uncached(args: list[str]) -> None:
    """Run ``streamlit`` (args as on its command line) with the caches switched off."""
    disable_streamlit_caches()
    from streamlit.web import cli

    sys.argv = ["streamlit", *args]
    cli.main()


# ---------------------------------------------------------------- a: AppTest rerun


def apptest_filter_rerun(reps: int) -> dict:
    """Median seconds of a Presence rerun after a country filter change (this process)."""
    from streamlit.testing.v1 import AppTest

    # b: the overview's first run in this fresh process (nothing cached yet).
    first = AppTest.from_file(str(APP), default_timeout=600)
    start = time.perf_counter()
    first.run()
    first_render = time.perf_counter() - start
    if first.exception:
        raise RuntimeError(f"overview failed: {first.exception}")
    # Pages link to app.py, so the app is opened from its entry point, then switched.
    at = AppTest.from_file(str(APP), default_timeout=600)
    at.switch_page(str(PRESENCE_PAGE.relative_to(ROOT)))
    at.run()
    if at.exception:
        raise RuntimeError(f"Presence page failed: {at.exception}")
    times = []
    for i in range(reps):
        country = FILTER_COUNTRIES[i % len(FILTER_COUNTRIES)]
        at.multiselect(key="flt_country").set_value([country])
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"Presence page failed after the filter: {at.exception}")
    return {"median_s": statistics.median(times), "times": times, "first_render_s": first_render}


def run_apptest_child(store: Path, reps: int, uncached: bool) -> dict:
    """Run the AppTest measurement in a fresh subprocess; return its JSON result."""
    env = {**os.environ, "MAAOR_SQLITE_PATH": str(store)}
    env.pop("MAAOR_DATABASE_URL", None)
    cmd = [sys.executable, __file__, "--_apptest", "--reps", str(reps)]
    if uncached:
        cmd.append("--_uncached")
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------- b, c, d: a real server


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _wait_drawn(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout_ms)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 || !document.querySelector('[data-testid="stStatusWidget"]').innerText.includes('Running')""",
        timeout=timeout_ms,
    )
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('[data-testid="stDeckGlJsonChart"]'))
                 .every(el => el.querySelector('canvas'))
              && Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
                 .every(el => el.querySelector('svg.main-svg'))""",
        timeout=timeout_ms,
    )


def server_run(playwright, store: Path, uncached: bool, workdir: Path) -> dict:
    """Start a server on ``store``; measure first render, bytes and memory.

    Each mode gets its own, already started browser (no compiled-script cache shared
    between the modes); the clock starts when ``streamlit run`` is started.
    """
    browser = playwright.chromium.launch(
        executable_path=settings().chromium, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking"])
    port = _free_port()
    env = {**os.environ, "MAAOR_SQLITE_PATH": str(store)}
    for name in ("MAAOR_DATABASE_URL", "MAAOR_BASEMAP_STYLE", "MAAOR_PUBLIC_PRESENCE_LEVEL"):
        env.pop(name, None)
    st_args = ["run", "app.py", "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    if uncached:
        cmd = [sys.executable, __file__, "--_serve-uncached", *st_args]
    else:
        cmd = [sys.executable, "-m", "streamlit", *st_args]
    log = open(workdir / f"streamlit-{'uncached' if uncached else 'cached'}.log", "wb")
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        import urllib.request

        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited; see " + log.name)
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        ws_bytes = [0]
        http = {}

        def on_ws(ws):
            ws.on("framereceived", lambda payload: ws_bytes.__setitem__(
                0, ws_bytes[0] + len(payload if isinstance(payload, bytes) else payload.encode())))

        def on_finished(request):
            try:
                sizes = request.sizes()
                http[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            except Exception:  # noqa: BLE001 - a cancelled request has no sizes
                pass

        page.on("websocket", on_ws)
        page.on("requestfinished", on_finished)
        page.goto(url + "/")
        _wait_drawn(page)
        first_render = time.perf_counter() - start
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # late frames (the map's layers) still count
        result = {
            "first_render_s": first_render,
            "first_page_ws_bytes": ws_bytes[0],
            "first_page_http_bytes": sum(http.values()),
            "first_page_http_requests": len(http),
        }
        if settings().bench_debug:
            for u, n in sorted(http.items(), key=lambda kv: -kv[1])[:8]:
                print(f"    {n:>10,} {u}", flush=True)
        # Memory after real use: the Presence page, then a filter change there.
        page.goto(url + "/Presence")
        _wait_drawn(page)
        page.goto(url + "/Presence?country=IRQ")
        _wait_drawn(page)
        page.wait_for_timeout(500)
        result["server_rss_mb"] = _rss_mb(proc.pid)
        context.close()
        return result
    finally:
        browser.close()
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# ---------------------------------------------------------------------- report


def _fmt(name: str, value: float) -> str:
    if name.endswith("_bytes"):
        return f"{value / 1e6:.3f} MB"
    if name.endswith("_mb"):
        return f"{value:.0f} MB"
    return f"{value:.3f} s"


def report(rows: int, cached: dict, uncached: dict) -> str:
    """Return the result table as text."""
    labels = {
        "filter_rerun_s": "a  Presence rerun after a filter change (AppTest, median)",
        "first_render_server_s": "b  overview first render, server time (fresh process, AppTest)",
        "first_render_s": "b' overview first drawn (streamlit run start -> chromium)",
        "first_page_ws_bytes": "c  first page sent: WebSocket frames (data, elements)",
        "first_page_http_bytes": "c' first page sent: HTTP bodies (static JS/CSS/fonts)",
        "server_rss_mb": "d  server memory (VmRSS after overview + Presence + filter)",
    }
    lines = [f"maaor UI bench: {rows:,} 4W rows", ""]
    header = f"{'figure':<72} {'target':>10} {'cached':>11} {'ok':>3} {'uncached':>11} {'ratio':>7}"
    lines += [header, "-" * len(header)]
    for key, label in labels.items():
        target = TARGETS.get(key)
        c, u = cached[key], uncached[key]
        ok = "" if target is None else ("yes" if c <= target else "NO")
        ratio = f"{u / c:.2f}" if c else "-"
        tgt = "-" if target is None else _fmt(key, target)
        lines.append(f"{label:<72} {tgt:>10} {_fmt(key, c):>11} {ok:>3} {_fmt(key, u):>11} {ratio:>7}")
    lines.append("")
    lines.append("ratio = uncached / cached. Uncached = st.cache_data and st.cache_resource "
                 "replaced by pass-through decorators.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5, help="filter changes timed per mode")
    parser.add_argument("--keep", action="store_true", help="keep the temporary store")
    parser.add_argument("--_apptest", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_uncached", action="store_true", help=argparse.SUPPRESS)
    if len(sys.argv) > 1 and sys.argv[1] == "--_serve-uncached":
        serve_uncached(sys.argv[2:])
        return
    args = parser.parse_args()
    if args._apptest:
        if args._uncached:
            disable_streamlit_caches()
        print(json.dumps(apptest_filter_rerun(args.reps)))
        return

    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="maaor_ui_bench_"))
    store = workdir / "bench.sqlite"
    t0 = time.perf_counter()
    build_store(store, args.rows)
    print(f"store with {args.rows:,} 4W rows built in {time.perf_counter() - t0:.1f} s ({workdir})",
          flush=True)
    results = {}
    for mode in ("cached", "uncached"):
        a = run_apptest_child(store, args.reps, uncached=mode == "uncached")
        print(f"[{mode}] a: filter reruns {', '.join(f'{x:.3f}' for x in a['times'])} s",
              flush=True)
        results[mode] = {"filter_rerun_s": a["median_s"],
                         "first_render_server_s": a["first_render_s"]}
    with sync_playwright() as p:
        for mode in ("cached", "uncached"):
            r = server_run(p, store, mode == "uncached", workdir)
            print(f"[{mode}] b/c/d: {r}", flush=True)
            results[mode].update(r)
    print()
    print(report(args.rows, results["cached"], results["uncached"]))
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
