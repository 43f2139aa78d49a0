"""Benchmark: the dashboard on a large 4W dataset, next to the naive app, in one run.

Generates an N-row 4W presence table (default 100,000) from the bundled one (rows drawn
at random, organisation names spread over a few hundred operators, coordinates jittered,
admin-2 varied), publishes the bundled dataset with that presence table as version 1 of a
temporary SQLite store, writes the same 4W as an Excel workbook (template labels) for
``bench/naive_app.py`` (the baseline: ``pd.read_excel`` cached, a filter, a chart, a map,
computed per run), and measures maaor and the naive app side by side:

    a  server time of a filter change: ``AppTest``, one warm-up run, then a filter
       changed and ``at.run()`` timed, several repetitions, median: maaor's Presence
       page (country), maaor's Work plan page (objective), the naive app (country),
       all in one fresh subprocess with their reruns interleaved in time, so that the
       load of a shared machine weighs on both apps alike;
    b  server time of the first render in that fresh process: the first ``AppTest``
       run of ``app.py`` (maaor's overview: the dataset read from the store, every
       figure computed), then of the naive app (the workbook read);
    b' the same seen from a browser: from starting ``streamlit run`` to the page drawn in
       Debian chromium: the server's ``script_finished`` message received on the
       WebSocket, no placeholder skeleton left, every map canvas and chart drawn;
    c  bytes the first page sends to the browser: WebSocket frames received (the data
       and the page's elements) and HTTP response bodies (Streamlit's static JavaScript
       and CSS, fonts), counted once the page is drawn as in b';
    d  server memory: VmRSS of the streamlit process after the first page, the Presence
       page (maaor) and a filter change.

``--uncached`` adds maaor with ``st.cache_data`` / ``st.cache_resource`` replaced by
pass-through decorators. Prints one table: figure, target, maaor, naive, maaor / naive.

Usage::

    .venv/bin/python bench/ui_bench.py [--rows 100000] [--reps 5] [--uncached] [--keep]
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
NAIVE_APP = ROOT / "bench" / "naive_app.py"
PRESENCE_PAGE = ROOT / "pages" / "2_Presence.py"
WORKPLAN_PAGE = ROOT / "pages" / "1_Work_plan.py"
FILTER_COUNTRIES = ("IRQ", "AFG", "SYR", "UKR", "SSD", "COL")
TARGETS = {
    "filter_rerun_s": 0.1,
    "workplan_rerun_s": 0.1,
    "first_render_server_s": 2.5,
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


def write_naive_workbook(path: Path, rows: int) -> None:
    """Write the same ``rows``-row 4W as an Excel workbook under the template's labels
    (what the naive app reads)."""
    from load_scenarios import write_upload

    write_upload(path, rows)


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


def _timed_changes(at, key: str, reps: int, choose) -> list[float]:
    """Seconds of ``reps`` reruns of ``at``, each after setting multiselect ``key``."""
    times = []
    widget = at.multiselect(key=key)
    for i in range(reps):
        at.multiselect(key=key).set_value([choose(widget.options, i)])
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"failed after a filter change: {at.exception}")
    return times


def apptest_filter_rerun(reps: int) -> dict:
    """maaor (this process): the overview's first run, then Presence and Work plan
    reruns after a filter change (seconds)."""
    from streamlit.testing.v1 import AppTest

    # b: the overview's first run in this fresh process (nothing cached yet).
    first = AppTest.from_file(str(APP), default_timeout=600)
    start = time.perf_counter()
    first.run()
    first_render = time.perf_counter() - start
    if first.exception:
        raise RuntimeError(f"overview failed: {first.exception}")
    result = {"first_render_s": first_render}
    # Pages link to app.py, so the app is opened from its entry point, then switched.
    for name, page, key, choose in (
        ("times", PRESENCE_PAGE, "flt_country",
         lambda options, i: FILTER_COUNTRIES[i % len(FILTER_COUNTRIES)]),
        ("workplan_times", WORKPLAN_PAGE, "flt_objective",
         lambda options, i: options[i % len(options)]),
    ):
        at = AppTest.from_file(str(APP), default_timeout=600)
        at.switch_page(str(page.relative_to(ROOT)))
        at.run()
        if at.exception:
            raise RuntimeError(f"{page.name} failed: {at.exception}")
        result[name] = _timed_changes(at, key, reps, choose)
    result["median_s"] = statistics.median(result["times"])
    result["workplan_median_s"] = statistics.median(result["workplan_times"])
    return result


def apptest_naive(reps: int) -> dict:
    """The naive app (this process): first run, then reruns after a country change."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(NAIVE_APP), default_timeout=600)
    start = time.perf_counter()
    at.run()
    first_render = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"naive app failed: {at.exception}")
    times = _timed_changes(at, "flt_country", reps,
                           lambda options, i: FILTER_COUNTRIES[i % len(FILTER_COUNTRIES)])
    return {"first_render_s": first_render, "times": times,
            "median_s": statistics.median(times)}


def apptest_interleaved(reps: int) -> dict:
    """maaor and the naive app in this one process, their reruns interleaved in time
    (maaor Presence, maaor Work plan, naive, in turn), so that a shared machine's load
    weighs on both alike. First renders: maaor's overview, then the naive app (each the
    first run of its script in this process)."""
    from streamlit.testing.v1 import AppTest

    result = {}
    apps = {}
    for name, script, page in (("maaor", APP, None), ("presence", APP, PRESENCE_PAGE),
                               ("workplan", APP, WORKPLAN_PAGE), ("naive", NAIVE_APP, None)):
        at = AppTest.from_file(str(script), default_timeout=600)
        if page is not None:
            at.switch_page(str(page.relative_to(ROOT)))
        start = time.perf_counter()
        at.run()
        if name in ("maaor", "naive"):
            result[f"{name}_first_render_s"] = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{name} failed: {at.exception}")
        apps[name] = at
    keys = {"presence": "flt_country", "workplan": "flt_objective", "naive": "flt_country"}
    times: dict[str, list[float]] = {name: [] for name in keys}
    for i in range(reps):
        for name, key in keys.items():
            at = apps[name]
            options = at.multiselect(key=key).options
            value = (FILTER_COUNTRIES[i % len(FILTER_COUNTRIES)] if key == "flt_country"
                     else options[i % len(options)])
            at.multiselect(key=key).set_value([value])
            start = time.perf_counter()
            at.run()
            times[name].append(time.perf_counter() - start)
            if at.exception:
                raise RuntimeError(f"{name} failed after a filter change: {at.exception}")
    result.update({f"{name}_times": t for name, t in times.items()})
    return result


def run_apptest_child(store: Path, reps: int, mode: str, workbook: Path) -> dict:
    """Run the AppTest measurement of ``mode`` (maaor, uncached, naive) in a fresh
    subprocess; return its JSON result."""
    env = {**os.environ, "MAAOR_SQLITE_PATH": str(store), "NAIVE_4W_XLSX": str(workbook)}
    env.pop("MAAOR_DATABASE_URL", None)
    cmd = [sys.executable, __file__, "--_apptest", mode, "--reps", str(reps)]
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


def _script_finished(payload) -> bool:
    """True if a WebSocket frame is the server's ``script_finished`` message (not one
    cut short by a newer run of the same session)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if not isinstance(payload, bytes):
        return False
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not a ForwardMsg: not the end of a run
        return False
    return (msg.WhichOneof("type") == "script_finished"
            and msg.script_finished != ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN)


def _wait_drawn(page, finished: list, timeout_ms: int = 120_000) -> None:
    """Wait for the truth: the server said the script finished, no placeholder skeleton
    is left (Streamlit 1.67 draws three kinds: ``stAppSkeleton`` before the first
    element, ``stSkeletonElement`` for a pending element, ``stSkeleton`` while a lazily
    loaded widget's code arrives), no element is still marked stale from an earlier run,
    every map has its canvas and every chart its SVG."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not finished[0]:
        if time.monotonic() > deadline:
            raise TimeoutError("no script_finished message from the server")
        page.wait_for_timeout(10)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout_ms)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid*="Skeleton"]')
              && !document.querySelector('[data-stale="true"]')
              && Array.from(document.querySelectorAll('[data-testid="stDeckGlJsonChart"]'))
                 .every(el => el.querySelector('canvas'))
              && Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
                 .every(el => el.querySelector('svg.main-svg'))""",
        timeout=timeout_ms, polling=10,
    )


def server_run(playwright, store: Path, mode: str, workdir: Path, workbook: Path) -> dict:
    """Start a server of ``mode`` (maaor, uncached, naive); measure first drawn, bytes and
    memory.

    Each mode gets its own, already started browser (no compiled-script cache shared
    between the modes); the clock starts when ``streamlit run`` is started.
    """
    browser = playwright.chromium.launch(
        executable_path=settings().chromium, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking"])
    port = _free_port()
    env = {**os.environ, "MAAOR_SQLITE_PATH": str(store), "NAIVE_4W_XLSX": str(workbook)}
    for name in ("MAAOR_DATABASE_URL", "MAAOR_BASEMAP_STYLE", "MAAOR_PUBLIC_PRESENCE_LEVEL"):
        env.pop(name, None)
    script = "bench/naive_app.py" if mode == "naive" else "app.py"
    st_args = ["run", script, "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    if mode == "uncached":
        cmd = [sys.executable, __file__, "--_serve-uncached", *st_args]
    else:
        cmd = [sys.executable, "-m", "streamlit", *st_args]
    log = open(workdir / f"streamlit-{mode}.log", "wb")
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
        finished = [False]
        http = {}

        def on_frame(payload):
            ws_bytes[0] += len(payload if isinstance(payload, bytes) else payload.encode())
            if _script_finished(payload):
                finished[0] = True

        def on_ws(ws):
            ws.on("framereceived", on_frame)

        def on_finished(request):
            try:
                sizes = request.sizes()
                http[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            except Exception:  # noqa: BLE001 - a cancelled request has no sizes
                pass

        page.on("websocket", on_ws)
        page.on("requestfinished", on_finished)
        page.goto(url + "/")
        _wait_drawn(page, finished, timeout_ms=600_000)
        first_render = time.perf_counter() - start
        # bytes counted at the same moment, the page drawn (no fixed wait)
        result = {
            "first_render_s": first_render,
            "first_page_ws_bytes": ws_bytes[0],
            "first_page_http_bytes": sum(http.values()),
            "first_page_http_requests": len(http),
        }
        if settings().bench_debug:
            for u, n in sorted(http.items(), key=lambda kv: -kv[1])[:8]:
                print(f"    {n:>10,} {u}", flush=True)
        # Memory after real use: the Presence page (maaor), then a filter change.
        visits = (["/?flt_country=IRQ"] if mode == "naive"
                  else ["/Presence", "/Presence?country=IRQ"])
        for path in visits:
            finished[0] = False
            page.goto(url + path)
            _wait_drawn(page, finished, timeout_ms=600_000)
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


def _fmt(name: str, value: float | None) -> str:
    if value is None:
        return "-"
    if name.endswith("_bytes"):
        return f"{value / 1e6:.3f} MB"
    if name.endswith("_mb"):
        return f"{value:.0f} MB"
    return f"{value:.3f} s"


LABELS = {
    "filter_rerun_s": "a  Presence rerun after a country change (AppTest, median)",
    "workplan_rerun_s": "a  Work plan rerun after an objective change (AppTest, median)",
    "first_render_server_s": "b  first render, server time (fresh process, AppTest)",
    "first_render_s": "b' first drawn (streamlit run start -> chromium, script finished)",
    "first_page_ws_bytes": "c  first page sent: WebSocket frames (data, elements)",
    "first_page_http_bytes": "c' first page sent: HTTP bodies (static JS/CSS/fonts)",
    "server_rss_mb": "d  server memory (VmRSS after first page + filter change)",
}
# The naive app has one page and one filter: its country rerun is the baseline of both
# maaor reruns.
NAIVE_KEY = {"workplan_rerun_s": "filter_rerun_s"}


def report(rows: int, results: dict[str, dict], load: str) -> str:
    """Return the result table as text: maaor, naive, maaor / naive (and uncached)."""
    maaor, naive = results["maaor"], results["naive"]
    uncached = results.get("uncached")
    lines = [f"maaor UI bench: {rows:,} 4W rows; load average {load}", ""]
    header = (f"{'figure':<68} {'target':>10} {'maaor':>10} {'ok':>3} {'naive':>10} "
              f"{'maaor/naive':>11}" + (f" {'uncached':>10}" if uncached else ""))
    lines += [header, "-" * len(header)]
    for key, label in LABELS.items():
        target = TARGETS.get(key)
        m, n = maaor.get(key), naive.get(NAIVE_KEY.get(key, key))
        ok = "" if target is None or m is None else ("yes" if m <= target else "NO")
        if key in ("filter_rerun_s", "workplan_rerun_s") and m is not None and n is not None:
            ok = "yes" if (m <= target and m < n) else "NO"
        ratio = f"{m / n:.2f}" if m is not None and n else "-"
        tgt = "-" if target is None else "<= " + _fmt(key, target)
        line = f"{label:<68} {tgt:>10} {_fmt(key, m):>10} {ok:>3} {_fmt(key, n):>10} {ratio:>11}"
        if uncached:
            line += f" {_fmt(key, uncached.get(key)):>10}"
        lines.append(line)
    lines.append("")
    lines.append("naive = bench/naive_app.py on the same 4W (pd.read_excel cached, a country "
                 "filter, a chart, a map). Rerun targets: <= 0.1 s and below the naive app's.")
    if uncached:
        lines.append("uncached = maaor with st.cache_data and st.cache_resource replaced by "
                     "pass-through decorators.")
    return "\n".join(lines)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5, help="filter changes timed per page")
    parser.add_argument("--uncached", action="store_true",
                        help="also measure maaor with the Streamlit caches off")
    parser.add_argument("--no-browser", action="store_true", help="AppTest figures only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary store")
    parser.add_argument("--_apptest", choices=("maaor", "uncached", "naive", "interleaved"),
                        help=argparse.SUPPRESS)
    if len(sys.argv) > 1 and sys.argv[1] == "--_serve-uncached":
        serve_uncached(sys.argv[2:])
        return
    args = parser.parse_args()
    if args._apptest:
        if args._apptest == "uncached":
            disable_streamlit_caches()
        measure = {"naive": apptest_naive, "interleaved": apptest_interleaved}.get(
            args._apptest, apptest_filter_rerun)
        print(json.dumps(measure(args.reps)))
        return

    workdir = Path(tempfile.mkdtemp(prefix="maaor_ui_bench_"))
    store = workdir / "bench.sqlite"
    workbook = workdir / "naive-4w.xlsx"
    t0 = time.perf_counter()
    build_store(store, args.rows)
    write_naive_workbook(workbook, args.rows)
    print(f"store and workbook with {args.rows:,} 4W rows built in "
          f"{time.perf_counter() - t0:.1f} s ({workdir})", flush=True)
    modes = ["maaor", "naive", *(["uncached"] if args.uncached else [])]
    loads = []
    results: dict[str, dict] = {}
    # a and b: both apps in one process, reruns interleaved (load weighs on both alike)
    both = run_apptest_child(store, args.reps, "interleaved", workbook)
    loads.append(_load())
    print(f"[interleaved] maaor Presence {both['presence_times']}, Work plan "
          f"{both['workplan_times']}, naive {both['naive_times']} s; first renders maaor "
          f"{both['maaor_first_render_s']:.3f} s, naive {both['naive_first_render_s']:.3f} s "
          f"(load {loads[-1]})", flush=True)
    results["maaor"] = {"filter_rerun_s": statistics.median(both["presence_times"]),
                        "workplan_rerun_s": statistics.median(both["workplan_times"]),
                        "first_render_server_s": both["maaor_first_render_s"]}
    results["naive"] = {"filter_rerun_s": statistics.median(both["naive_times"]),
                        "first_render_server_s": both["naive_first_render_s"]}
    for mode in modes[2:]:
        a = run_apptest_child(store, args.reps, mode, workbook)
        loads.append(_load())
        print(f"[{mode}] a: reruns {', '.join(f'{x:.3f}' for x in a['times'])} s"
              + (f"; work plan {', '.join(f'{x:.3f}' for x in a['workplan_times'])} s"
                 if "workplan_times" in a else "")
              + f"; first render {a['first_render_s']:.3f} s (load {loads[-1]})", flush=True)
        results[mode] = {"filter_rerun_s": a["median_s"],
                         "workplan_rerun_s": a.get("workplan_median_s"),
                         "first_render_server_s": a["first_render_s"]}
    if not args.no_browser:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            for mode in modes:
                r = server_run(p, store, mode, workdir, workbook)
                loads.append(_load())
                print(f"[{mode}] b/c/d: {r} (load {loads[-1]})", flush=True)
                results[mode].update(r)
    print()
    print(report(args.rows, results, "; ".join(loads)))
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
