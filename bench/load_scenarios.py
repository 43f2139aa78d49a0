"""Load scenarios against one Streamlit process and against three behind nginx.

Starts the dashboard with ``deploy/cluster.py`` on a fresh PostgreSQL schema (the
bundled data bootstraps version 1), drives it with ``bench/loadclient.py`` (Streamlit's
own WebSocket protocol, no browser) and prints one table:

    arrivals   100 viewers arriving over 60 s (pages in turn), first render
    burst      50 viewers opening the Presence page at the same moment, first render
    filter     those 50 changing the country filter at the same moment, rerun
    soak       30 sessions for --soak-seconds (default 600) changing filters and
               coming back; server memory growth
    upload     the arrivals scenario again while the coordinator publishes a 50,000-row
               4W workbook (``python -m maaor publish``: parsed in an isolated child
               process, then stored) against the same store; viewer p95 compared
    naive      the burst and filter scenarios against ``bench/naive_app.py`` (the
               baseline) on one process, on the same 4W as a workbook (``--no-naive``
               to skip)

Targets (issues 6 and 16): arrivals p95 < 1 s; burst (open, and change the filter) p95
< 5 s on one process, < 2.5 s on three behind nginx; 0 errors and 0 disconnects; soak
memory growth < 100 MB.

Traffic goes to loopback only (the client refuses anything else); every loop is
bounded in count and time.

Usage::

    MAAOR_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/load_scenarios.py [--soak-seconds 600] [--only 1,3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from loadclient import Session, Timing, rss_mb, summarise  # noqa: E402

from deploy.cluster import Cluster  # noqa: E402
from maaor.config import settings  # noqa: E402

ARRIVAL_PAGES = ("", "Presence", "Work_plan", "Gaps", "Funding", "Results")
BURST_PAGE = "Presence"
FILTER_KEY = "flt_country"
UPLOAD_ROWS = 50_000
MAX_SCENARIO_S = 1800  # no scenario may run longer than this, whatever its settings


@dataclass
class Row:
    """One line of the table."""

    scenario: str
    setup: str
    n: int
    first: object | None  # Summary of first renders
    rerun: object | None  # Summary of reruns
    rss_before: float
    rss_after: float
    target: str
    met: bool
    note: str = ""


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


async def _open_later(session: Session, delay: float) -> Timing:
    await asyncio.sleep(delay)
    return await session.open()


async def arrivals(url: str, n: int, over_s: float) -> tuple[list[Timing], list[Session]]:
    """``n`` viewers arriving evenly over ``over_s`` seconds, each on the next page."""
    sessions = [Session(url, page=ARRIVAL_PAGES[i % len(ARRIVAL_PAGES)]) for i in range(n)]
    timings = await asyncio.gather(
        *(_open_later(s, i * over_s / n) for i, s in enumerate(sessions))
    )
    return list(timings), sessions


async def close_all(sessions: list[Session]) -> None:
    """Close every session."""
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


async def soak(url: str, n: int, seconds: float, seed: int = 6) -> tuple[list[Timing], list[Timing]]:
    """``n`` sessions for ``seconds``: each changes the country filter every 5-15 s and,
    every third change, closes and comes back as a new session."""
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    firsts: list[Timing] = []
    reruns: list[Timing] = []

    async def one(i: int) -> None:
        session = Session(url, page=BURST_PAGE)
        firsts.append(await session.open())
        step = 0
        while time.monotonic() < deadline and step < 1000:
            step += 1
            await session.idle(min(rng.uniform(5, 15), max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                break
            reruns.append(await session.change_multiselect(FILTER_KEY, i + step))
            if step % 3 == 0:
                await session.close()
                session = Session(url, page=BURST_PAGE)
                firsts.append(await session.open())
        await session.close()

    await asyncio.gather(*(one(i) for i in range(n)))
    return firsts, reruns


def write_upload(path: Path, rows: int, table=None) -> None:
    """Write the coordinator's large 4W workbook: ``rows`` rows drawn from the bundled 4W
    (bench/ui_bench.py's generator) under the template's column labels, valid throughout
    so that it publishes; or ``table`` (a canonical presence table) when given."""
    import csv

    import pandas as pd
    import xlsxwriter
    from ui_bench import generated_presence

    from maaor.dataset import join_list

    labels = {r["field"]: r["label"] for r in csv.DictReader(
        (ROOT / "maaor" / "data" / "columns.csv").open(encoding="utf-8")) if r["kind"] == "presence"}
    table = generated_presence(rows) if table is None else table
    fields = [f for f in labels if f in table.columns]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("4W")
    ws.write_row(0, 0, [labels[f] for f in fields])
    for r, record in enumerate(table[fields].itertuples(index=False), start=1):
        for c, value in enumerate(record):
            if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
                continue
            if isinstance(value, (list, tuple)):
                value = join_list(value)
            elif isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            elif hasattr(value, "item"):
                value = value.item()
            ws.write(r, c, value)
    wb.close()


def start_publish(workbook: Path, database_url: str, log: Path) -> subprocess.Popen:
    """Start ``python -m maaor publish`` of ``workbook`` into the shared store."""
    env = dict(os.environ, MAAOR_DATABASE_URL=database_url)
    return subprocess.Popen(
        [sys.executable, "-m", "maaor", "publish", str(workbook), "--by", "bench",
         "--note", "load test upload"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )


async def upload_during_arrivals(url: str, n: int, over_s: float, workbook: Path,
                                 database_url: str, log: Path) -> tuple[list[Timing], str]:
    """The arrivals scenario with the publish of ``workbook`` starting 10 s in."""
    task = asyncio.ensure_future(arrivals(url, n, over_s))
    await asyncio.sleep(min(10.0, over_s / 4))
    start = time.monotonic()
    proc = start_publish(workbook, database_url, log)
    while proc.poll() is None and time.monotonic() - start < MAX_SCENARIO_S:
        await asyncio.sleep(0.5)
    if proc.poll() is None:
        proc.kill()
    took = time.monotonic() - start
    timings, sessions = await task
    await close_all(sessions)
    tail = log.read_text(errors="replace").strip().splitlines()[-1:] or [""]
    return timings, f"publish exit {proc.returncode} in {took:.0f} s: {tail[0][:80]}"


def run_setup(label: str, cluster: Cluster, args, workbook: Path | None,
              database_url: str, workdir: Path) -> list[Row]:
    """Run the chosen scenarios against one started cluster."""
    rows: list[Row] = []
    burst_target = 5.0 if cluster.processes == 1 else 2.5
    pids = cluster.pids
    naive = isinstance(cluster, NaiveServer)
    burst_page = "" if naive else BURST_PAGE  # the naive app has one page

    def rss() -> float:
        return rss_mb(pids)

    def clean(*summaries) -> bool:
        return all(s is None or (s.errors == 0 and s.disconnects == 0) for s in summaries)

    async def warm() -> None:
        # One visit of each page per process fills the per-process caches, as
        # "warm the app" in the runbook does before a plenary.
        for _ in range(2 * cluster.processes):
            if naive:
                ss = [Session(cluster.url, page="") for _ in ARRIVAL_PAGES]
                await asyncio.gather(*(x.open() for x in ss))
            else:
                ts, ss = await arrivals(cluster.url, len(ARRIVAL_PAGES), 0)
            await close_all(ss)

    asyncio.run(warm())
    chosen = set(args.only) & ({2} if naive else {1, 2, 3, 4})
    if 1 in chosen:
        before = rss()
        timings, sessions = asyncio.run(arrivals(cluster.url, args.viewers, args.over))
        asyncio.run(close_all(sessions))
        s = summarise(timings)
        rows.append(Row(f"arrivals {args.viewers}/{args.over:.0f} s", label, s.n, s, None, before, rss(),
                        "p95 < 1 s", clean(s) and (s.p95 or 99) < 1.0))
    if 2 in chosen:
        async def burst():
            sessions = [Session(cluster.url, page=burst_page) for _ in range(args.burst)]
            first = await asyncio.gather(*(x.open() for x in sessions))
            rerun = await asyncio.gather(
                *(x.change_multiselect(FILTER_KEY, i) for i, x in enumerate(sessions))
            )
            await close_all(sessions)
            return list(first), list(rerun)

        before = rss()
        first, rerun = asyncio.run(burst())
        f, r = summarise(first), summarise(rerun)
        rows.append(Row(f"burst: {args.burst} open at once", label, f.n, f, None, before, rss(),
                        f"p95 < {burst_target} s", clean(f) and (f.p95 or 99) < burst_target))
        rerun_target = f"p95 < {burst_target} s"
        rows.append(Row(f"burst: {args.burst} change filter", label, r.n, None, r, before, rss(),
                        "0 errors" if naive else rerun_target,
                        clean(r) and (naive or (r.p95 or 99) < burst_target)))
    if 3 in chosen:
        before = rss()
        firsts, reruns = asyncio.run(soak(cluster.url, args.soak_sessions, args.soak_seconds))
        after = rss()
        f, r = summarise(firsts), summarise(reruns)
        rows.append(Row(f"soak {args.soak_sessions} x {args.soak_seconds:.0f} s", label, f.n + r.n, f, r,
                        before, after, "growth < 100 MB",
                        clean(f, r) and after - before < 100))
    if 4 in chosen and workbook is not None:
        before = rss()
        timings, note = asyncio.run(upload_during_arrivals(
            cluster.url, args.viewers, args.over, workbook, database_url,
            workdir / f"publish-{cluster.processes}.log"))
        s = summarise(timings)
        rows.append(Row(f"arrivals + {args.upload_rows:,}-row upload", label, s.n, s, None, before, rss(),
                        "p95 < 1 s", clean(s) and (s.p95 or 99) < 1.0, note))
    return rows


class NaiveServer:
    """``bench/naive_app.py`` (the baseline) served by one ``streamlit run`` process on
    a 4W workbook; ``url`` and ``pids`` like a started ``Cluster``."""

    processes = 1

    def __init__(self, workdir: Path, workbook: Path) -> None:
        self.workdir, self.workbook = workdir, workbook
        self.proc: subprocess.Popen | None = None
        self.url = ""

    @property
    def pids(self) -> list[int]:
        return [self.proc.pid] if self.proc else []

    def __enter__(self) -> NaiveServer:
        import socket
        import urllib.request

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = (self.workdir / "naive.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "bench" / "naive_app.py"),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=dict(os.environ, NAIVE_4W_XLSX=str(self.workbook)),
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"naive app exited; see {self.workdir / 'naive.log'}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


def write_naive_workbook(path: Path) -> None:
    """Write the 4W the cluster serves (the bundled one) for the naive app."""
    from maaor.bundled import load_default

    presence = load_default().dataset.presence
    write_upload(path, len(presence), table=presence)


def table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table."""
    head = ("| scenario | setup | runs | first p50 / p95 (s) | rerun p50 / p95 (s) | errors | "
            "disconnects | server RSS MB before → after | target | met |")
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        errors = sum(x.errors for x in (r.first, r.rerun) if x is not None)
        drops = sum(x.disconnects for x in (r.first, r.rerun) if x is not None)
        first = f"{_fmt(r.first.p50)} / {_fmt(r.first.p95)}" if r.first else "-"
        rerun = f"{_fmt(r.rerun.p50)} / {_fmt(r.rerun.p95)}" if r.rerun else "-"
        lines.append(
            f"| {r.scenario} | {r.setup} | {r.n} | {first} | {rerun} | {errors} | {drops} | "
            f"{r.rss_before:.0f} → {r.rss_after:.0f} | {r.target} | "
            f"{'yes' if r.met else 'NO'} |"
        )
    notes = [f"- {r.scenario}, {r.setup}: {r.note}" for r in rows if r.note]
    errs = [f"- {r.scenario}, {r.setup}: {e}" for r in rows
            for x in (r.first, r.rerun) if x is not None for e in x.first_errors]
    return "\n".join(lines + ([""] + notes if notes else []) + ([""] + errs if errs else []))


def _pg_schema(base_url: str) -> tuple[str, callable]:
    import sqlalchemy as sa

    from maaor.config import normalise_database_url

    url = sa.make_url(normalise_database_url(base_url))
    admin = sa.create_engine(url, connect_args={"connect_timeout": 5})
    name = f"maaor_bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()

    scoped = url.update_query_dict({"options": f"-csearch_path={name}"})
    return scoped.render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios on 1 process and on 3 behind nginx; print the table."""
    ap = argparse.ArgumentParser(description="maaor load scenarios (loopback only)")
    ap.add_argument("--database-url", default=settings().test_database_url,
                    help="PostgreSQL server; a fresh schema is made and dropped")
    ap.add_argument("--viewers", type=int, default=100)
    ap.add_argument("--over", type=float, default=60.0)
    ap.add_argument("--burst", type=int, default=50)
    ap.add_argument("--soak-sessions", type=int, default=30)
    ap.add_argument("--soak-seconds", type=float, default=600.0)
    ap.add_argument("--upload-rows", type=int, default=UPLOAD_ROWS)
    ap.add_argument("--setups", default="1,3", help="process counts to run (default 1,3)")
    ap.add_argument("--naive", action=argparse.BooleanOptionalAction, default=True,
                    help="also run the burst against bench/naive_app.py on the same 4W")
    ap.add_argument("--only", default="1,2,3,4",
                    help="scenarios: 1 arrivals, 2 burst+filter, 3 soak, 4 upload")
    args = ap.parse_args(argv)
    args.only = [int(x) for x in args.only.split(",") if x]
    args.viewers = min(args.viewers, 500)
    args.burst = min(args.burst, 200)
    args.soak_sessions = min(args.soak_sessions, 100)
    args.soak_seconds = min(args.soak_seconds, MAX_SCENARIO_S)
    if not args.database_url:
        print("set MAAOR_TEST_DATABASE_URL (or --database-url) to a PostgreSQL server",
              file=sys.stderr)
        return 2
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="maaor-load-") as tmp:
        workdir = Path(tmp)
        workbook = None
        if 4 in args.only:
            workbook = workdir / "upload-50k.xlsx"
            write_upload(workbook, min(args.upload_rows, 200_000))
        for processes in [int(x) for x in args.setups.split(",") if x]:
            url, drop = _pg_schema(args.database_url)
            label = "1 process" if processes == 1 else f"{processes} behind nginx"
            cluster = Cluster(workdir / f"cluster-{processes}", processes=processes,
                              mode="viewer", database_url=url, nginx=processes > 1)
            try:
                with cluster:
                    rows += run_setup(label, cluster, args, workbook, url, workdir)
            finally:
                drop()
            print(table(rows), flush=True)
            print(flush=True)
        if args.naive and 2 in args.only:
            workbook_4w = workdir / "naive-4w.xlsx"
            write_naive_workbook(workbook_4w)
            with NaiveServer(workdir / "naive", workbook_4w) as server:
                rows += run_setup("naive app, 1 process", server, args, None, "", workdir)
            print(table(rows), flush=True)
            print(flush=True)
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    print(f"Measured {dt.date.today().isoformat()} on {os.cpu_count()} cores ({cpu}), "
          f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
          f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
