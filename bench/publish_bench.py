"""Benchmark: publishing a large 4W, and what publishing the same file again costs.

For each store (SQLite always; PostgreSQL when ``MAAOR_TEST_DATABASE_URL`` is set, in a
fresh schema dropped afterwards) and each code tree (this checkout, and optionally an
older one given with ``--base``, e.g. a worktree of ``main``), interleaved per round:

1. a fresh store gets the bundled data (``python -m maaor history`` bootstraps it);
2. ``python -m maaor publish 4w.xlsx`` (validation in the isolated child, then one
   transaction) is timed as a whole process: the first publish of the file;
3. the same command again: the same file published twice;
4. the store's size is measured after 2 and after 3 (SQLite: the database file and its
   WAL after a checkpoint; PostgreSQL: ``pg_total_relation_size`` of every table of the
   schema, TOAST included).

Prints the median seconds of each publish per tree and store, the ratio this/base
(target <= 0.6) and what the second publish added to the store (target < 100 KB).

Usage::

    MAAOR_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/publish_bench.py [--rows 100000] [--rounds 1] [--base DIR] \\
        [--only sqlite|postgresql] [--workbook PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RATIO_TARGET = 0.6
GROWTH_TARGET_BYTES = 100 * 1024


def _maaor(tree: Path, url: str, *args: str) -> float:
    """Run ``python -m maaor ARGS`` from ``tree`` against ``url``; return its wall time."""
    env = {**os.environ, "MAAOR_DATABASE_URL": url, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "maaor", *args], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"maaor {args[0]} failed in {tree} ({done.returncode}):\n"
                         f"{done.stdout}\n{done.stderr}")
    return seconds


class _Sqlite:
    name = "SQLite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def new(self) -> str:
        path = self.folder / f"store-{uuid.uuid4().hex[:8]}.sqlite"
        return f"sqlite:///{path}"

    def size(self, url: str) -> int:
        import sqlite3

        path = Path(url.removeprefix("sqlite:///"))
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
            page = conn.execute("PRAGMA page_size").fetchone()[0]
        return (pages - free) * page

    def drop(self) -> None:
        pass


class _Postgres:
    name = "PostgreSQL"

    def __init__(self, base_url: str) -> None:
        import sqlalchemy as sa

        from maaor.config import normalise_database_url

        self.url = sa.make_url(normalise_database_url(base_url))
        self.admin = sa.create_engine(self.url)
        self.schemas: list[str] = []

    def new(self) -> str:
        import sqlalchemy as sa

        name = f"maaor_bench_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        self.schemas.append(name)
        scoped = self.url.update_query_dict({"options": f"-csearch_path={name}"})
        return scoped.render_as_string(hide_password=False)

    def size(self, url: str) -> int:
        import sqlalchemy as sa

        schema = url.rsplit("search_path%3D", 1)[-1] if "%3D" in url else \
            url.rsplit("search_path=", 1)[-1]
        with self.admin.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :s AND c.relkind = 'r'"), {"s": schema}).scalar_one())

    def drop(self) -> None:
        import sqlalchemy as sa

        with self.admin.begin() as conn:
            for name in self.schemas:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.admin.dispose()


def _cleaned(row: list) -> list:
    """A row of read_bench's 4W without its deliberate mistakes (errors block a publish)."""
    import datetime as dt

    if row[15] == "many":
        row[15] = 100
    if row[2] == "Atlantis":
        row[2] = "Iraq"
    if row[13] == "2019":
        row[13] = dt.datetime(2019, 1, 1)
    return row


def write_clean_workbook(path: Path, n: int) -> None:
    """Write read_bench's 4W without its deliberate mistakes."""
    from bench.read_bench import _rows, write_workbook

    write_workbook(path, n, rows=(_cleaned(r) for r in _rows(n)))


def _one(tree: Path, backend, workbook: Path) -> dict:
    url = backend.new()
    _maaor(tree, url, "history")  # the bundled data, as at first start
    first = _maaor(tree, url, "publish", str(workbook), "--note", "bench first", "--by", "bench")
    after_first = backend.size(url)
    second = _maaor(tree, url, "publish", str(workbook), "--note", "bench again", "--by", "bench")
    after_second = backend.size(url)
    return {"first": first, "second": second, "growth": after_second - after_first,
            "size": after_first}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--base", type=Path, default=None,
                        help="another checkout of maaor to compare (e.g. a worktree of main)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    parser.add_argument("--workbook", type=Path, default=None,
                        help="the 4W to publish: written there with --rows rows when missing, "
                             "used as it is when present (writing it takes about 15 s)")
    args = parser.parse_args(argv)

    trees = {"this": ROOT}
    if args.base is not None:
        trees = {"base": args.base.resolve(), **trees}
    with tempfile.TemporaryDirectory(prefix="maaor-publish-bench-") as tmp:
        folder = Path(tmp)
        workbook = args.workbook or folder / f"4w_{args.rows}.xlsx"
        if not workbook.exists():
            write_clean_workbook(workbook, args.rows)
        print(f"workbook: {workbook.name}, {workbook.stat().st_size / 1e6:.1f} MB; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        backends = []
        if args.only in (None, "sqlite"):
            backends.append(_Sqlite(folder))
        from maaor import config

        pg = (config.settings().test_database_url or "").strip()
        if args.only in (None, "postgresql"):
            if pg:
                backends.append(_Postgres(pg))
            else:
                print("PostgreSQL: skipped (MAAOR_TEST_DATABASE_URL not set)")
        try:
            for backend in backends:
                runs: dict[str, list[dict]] = {name: [] for name in trees}
                for _ in range(args.rounds):
                    for name, tree in trees.items():
                        runs[name].append(_one(tree, backend, workbook))
                        r = runs[name][-1]
                        print(f"  {backend.name} {name}: first {r['first']:.2f} s, "
                              f"again {r['second']:.2f} s, store {r['size'] / 1e6:.2f} MB, "
                              f"grew {r['growth'] / 1024:.1f} KB; "
                              f"load {os.getloadavg()[0]:.2f}", flush=True)
                _report(backend.name, runs)
        finally:
            for backend in backends:
                backend.drop()
    return 0


def _report(store: str, runs: dict[str, list[dict]]) -> None:
    med = {name: {k: statistics.median(r[k] for r in rs) for k in ("first", "second", "growth")}
           for name, rs in runs.items()}
    print(f"{store}:")
    for name, m in med.items():
        ok = "met" if m["growth"] < GROWTH_TARGET_BYTES else "MISSED"
        print(f"  {name:5s} publish {m['first']:.2f} s, same file again {m['second']:.2f} s, "
              f"store grew {m['growth'] / 1024:.1f} KB (target < 100 KB: {ok})")
    if "base" in med:
        for key, what in (("first", "publish"), ("second", "same file again")):
            ratio = med["this"][key] / med["base"][key]
            ok = "met" if ratio <= RATIO_TARGET else "MISSED"
            print(f"  ratio this/base, {what}: {ratio:.2f} (target <= {RATIO_TARGET}: {ok})")


if __name__ == "__main__":
    raise SystemExit(main())
