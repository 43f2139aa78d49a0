"""Command line: validate, publish, history, rollback, backup, restore, hash-password.

Exit codes: 0 success (warnings allowed); 1 an error stands (nothing published);
2 usage error (argparse's own convention).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

from maaor.load import LoadResult, SheetReport, load_sources
from maaor.read.types import Source


def _num(value):
    """JSON-safe number: NaN/None -> None, numpy scalars -> Python."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    if math.isnan(f):
        return None
    return int(f) if f.is_integer() else f


def sheet_headline(report: SheetReport, table, today: dt.date) -> dict:
    """Headline figures of one loaded sheet for the validate report.

    Args:
        report: the sheet's report (its kind decides the figures).
        table: the sheet's normalised table.
        today: reference date.

    Returns:
        A dict of figures (see README, "validate --json").
    """
    from maaor.dataset import empty_table
    from maaor.figures.funding import fts_mine_action, funding_headline
    from maaor.figures.presence import presence_headline
    from maaor.figures.progress import workplan_headline

    if report.kind == "workplan":
        h = workplan_headline(table, today)
        keys = (
            "objectives", "outputs", "activities", "without_lead", "tentative_lead",
            "without_budget", "budget_not_quantified", "total_budget_usd",
        )
        return {k: _num(h.get(k)) for k in keys}
    if report.kind == "presence":
        h = presence_headline(table, empty_table("mechanisms"))
        return {
            "countries": _num(h.get("countries_present")),
            "organisations": _num(h.get("organisations")),
            "rows": _num(h.get("rows")),
        }
    if report.kind == "funding":
        h = funding_headline(table)
        return {"required_usd": _num(h.get("required_usd")), "funded_usd": _num(h.get("funded_usd"))}
    if report.kind == "fts":
        ma = fts_mine_action(table)
        return {
            "rows": len(table),
            "mine_action_rows": len(ma),
            "mine_action_required_usd": _num(ma["required_usd"].sum(min_count=1)),
            "mine_action_funded_usd": _num(ma["funded_usd"].sum(min_count=1)),
        }
    return {"rows": len(table)}


def validation_report(result: LoadResult, today: dt.date) -> dict:
    """The JSON object printed by ``validate --json`` (documented in the README)."""
    files = []
    for fr in result.files:
        tables = iter(fr.tables)
        sheets = []
        for rep in fr.reports:
            entry = {
                "sheet": rep.sheet,
                "kind": rep.kind,
                "rows_read": rep.rows_read,
                "rows_loaded": rep.rows_loaded,
                "problems": [p.to_dict() for p in rep.problems],
            }
            if rep.kind is not None:
                _, table = next(tables)
                entry["headline"] = sheet_headline(rep, table, today)
            sheets.append(entry)
        files.append({"file": fr.file, "problems": [p.to_dict() for p in fr.problems], "sheets": sheets})
    cross = [p.to_dict() for p in result.problems if not p.file]
    return {
        "ok": result.ok,
        "errors": len(result.errors),
        "warnings": sum(p.severity == "warning" for p in result.problems),
        "files": files,
        "cross_file_problems": cross,
    }


def _print_text_report(result: LoadResult, out) -> None:
    for fr in result.files:
        print(f"{fr.file}", file=out)
        for p in fr.problems:
            print(f"  {p.severity.upper()}: {p.message} {p.fix}", file=out)
        for rep in fr.reports:
            kind = rep.kind or "not loaded"
            print(
                f"  sheet {rep.sheet or '-'}: {kind}, {rep.rows_read} rows read, "
                f"{rep.rows_loaded} loaded",
                file=out,
            )
            for p in rep.problems:
                print(f"    {p.severity.upper()} {p.where()}: {p.message}"
                      + (f" (value: {p.value})" if p.value else "")
                      + (f" Fix: {p.fix}" if p.fix else ""), file=out)
    n_err = len(result.errors)
    n_warn = sum(p.severity == "warning" for p in result.problems)
    print(f"{n_err} error(s), {n_warn} warning(s)", file=out)


def _sources(paths: list[str]) -> list[Source] | str:
    sources = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            return f"no such file: {p}"
        sources.append(Source.from_path(path))
    return sources


def cmd_validate(args) -> int:
    sources = _sources(args.files)
    if isinstance(sources, str):
        print(f"maaor validate: {sources}", file=sys.stderr)
        return 2
    today = dt.date.today()
    # Parsed in the isolated child (memory and time limits) unless --in-process.
    result = load_sources(sources, today=today, isolate=not args.in_process)
    if args.json:
        json.dump(validation_report(result, today), sys.stdout, indent=2, default=str, ensure_ascii=False)
        print()
    else:
        _print_text_report(result, sys.stdout)
    return 0 if result.ok else 1


def cmd_publish(args) -> int:
    from maaor import service
    from maaor.publishing import candidate_dataset
    from maaor.store import StoreError

    sources = _sources(args.files)
    if isinstance(sources, str):
        print(f"maaor publish: {sources}", file=sys.stderr)
        return 2
    try:
        store = service.open_store()
        result = load_sources(sources, aliases=store.aliases(), isolate=True)
        if not result.ok:
            _print_text_report(result, sys.stderr)
            print("nothing published: fix the errors above and try again", file=sys.stderr)
            return 1
        current = store.load() if store.current_version() is not None else None
        # Same rule as the upload page: tables the files do not carry are kept.
        dataset, kept = candidate_dataset(current, result)
        version = store.publish(dataset, sources, by=args.by, note=args.note)
    except StoreError as exc:
        print(f"maaor publish: {exc}", file=sys.stderr)
        return 1
    try:  # the viewers compute them on first use if this fails
        service.store_aggregates(version)
    except StoreError as exc:
        print(f"maaor publish: aggregates not stored ({exc})", file=sys.stderr)
    print(f"published version {version}"
          + (f" (kept from the previous version: {', '.join(kept)})" if kept else ""))
    return 0


def cmd_history(args) -> int:
    from maaor import service
    from maaor.store import StoreError

    try:
        versions = service.open_store().history()
        current = service.open_store().current_version()
    except StoreError as exc:
        print(f"maaor history: {exc}", file=sys.stderr)
        return 1
    rows = []
    for v in versions:
        rows.append({
            "version": v.id,
            "current": v.id == current,
            "created_at": v.created_at.isoformat() if v.created_at else None,
            "created_by": v.created_by,
            "kind": v.kind,
            "parent": v.parent,
            "note": v.note,
            "illustrative": v.illustrative,
            "files": [{"name": n, "size": s, "sha256": h} for n, s, h in v.files],
        })
    if args.json:
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        for r in rows:
            mark = "*" if r["current"] else " "
            files = ", ".join(f["name"] for f in r["files"])
            print(f"{mark} v{r['version']}  {r['created_at']}  {r['created_by'] or '-'}  "
                  f"[{r['kind']}] {r['note']}  ({files})")
    return 0


def cmd_rollback(args) -> int:
    from maaor import service
    from maaor.store import StoreError

    try:
        version = service.open_store().rollback(args.version, by=args.by, note=args.note)
    except (StoreError, KeyError, ValueError) as exc:
        print(f"maaor rollback: {exc}", file=sys.stderr)
        return 1
    print(f"version {version} published, equal to version {args.version}")
    return 0


def cmd_backup(args) -> int:
    from maaor.store import Store, StoreError

    try:
        with Store.open(args.url) as store:
            path = store.backup(args.file)
            count = len(store.history())
    except StoreError as exc:
        print(f"maaor backup: {exc}", file=sys.stderr)
        return 1
    print(f"backup of {count} version(s) written to {path}")
    return 0


def cmd_restore(args) -> int:
    from maaor.store import Store, StoreError

    if not Path(args.file).is_file():
        print(f"maaor restore: {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        with Store.restore(args.file, args.url) as store:
            count, current = len(store.history()), store.current_version()
    except StoreError as exc:
        print(f"maaor restore: {exc}", file=sys.stderr)
        return 1
    print(f"restored {count} version(s); current version {current}")
    return 0


def cmd_hash_password(args) -> int:
    import getpass

    from maaor.auth import hash_password

    if sys.stdin.isatty():
        pw = getpass.getpass("Coordinator password: ")
        again = getpass.getpass("Again: ")
        if pw != again:
            print("the two passwords differ", file=sys.stderr)
            return 1
    else:
        pw = sys.stdin.readline().rstrip("\n")
    if len(pw) < 12:
        print("use at least 12 characters", file=sys.stderr)
        return 1
    print(hash_password(pw))
    return 0


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from exc


def cmd_brief(args) -> int:
    """Build the briefing pack (PPTX, optionally the XLSX data pack) from the current data."""
    from maaor import service
    from maaor.export.datapack import datapack_xlsx
    from maaor.export.pptx import briefing_pptx
    from maaor.filters import Filters
    from maaor.i18n import normalise_language
    from maaor.slides import slide_deck, with_meeting
    from maaor.store import StoreError

    lang = normalise_language(args.lang)
    countries = tuple(c.strip().upper() for c in args.country or () if c.strip())
    f = Filters(countries=countries, year=args.year)
    try:
        dataset = service.load_dataset().without_sensitive()
    except StoreError as exc:
        print(f"maaor brief: {exc}", file=sys.stderr)
        return 1
    slides = slide_deck(dataset, f, dt.date.today(), lang)
    Path(args.out).write_bytes(briefing_pptx(slides, dataset.meta, args.meeting, args.date, lang))
    written = [args.out]
    if args.datapack:
        titled = with_meeting(slides, args.meeting, args.date, lang)
        Path(args.datapack).write_bytes(datapack_xlsx(titled))
        written.append(args.datapack)
    print(f"wrote {', '.join(written)} ({len(slides)} slides, data version "
          f"{dataset.meta.version})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m maaor``."""
    parser = argparse.ArgumentParser(prog="python -m maaor", description="maaor data tools")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check files without publishing")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--in-process", action="store_true",
                   help="parse in this process, without the child's memory and time limits "
                        "(for debugging a reader only; never for untrusted files)")
    # Kept so existing scripts keep working: isolation is the default now.
    p.add_argument("--isolate", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("publish", help="validate and publish as a new version")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--note", required=True)
    p.add_argument("--by", default="cli")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("history", help="list published versions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("rollback", help="publish a new version equal to an older one")
    p.add_argument("version", type=int)
    p.add_argument("--by", default="cli")
    p.add_argument("--note", default=None)
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("backup", help="write every version of the data store to a zip")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--url", default=None,
                   help="data store URL (default: MAAOR_DATABASE_URL / the SQLite file)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup zip into an empty data store")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--url", default=None,
                   help="empty data store URL (default: MAAOR_DATABASE_URL / the SQLite file)")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("brief", help="build the plenary briefing pack (PPTX) from the current data")
    p.add_argument("--out", required=True, metavar="FILE.pptx")
    p.add_argument("--country", action="append", metavar="ISO3",
                   help="restrict to a country (repeat for several)")
    p.add_argument("--year", type=int, metavar="YYYY")
    p.add_argument("--meeting", default=None, metavar="TEXT", help="meeting name (title slide)")
    p.add_argument("--date", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                   help="meeting date (title slide)")
    p.add_argument("--lang", choices=("en", "fr"), default="en")
    p.add_argument("--datapack", default=None, metavar="FILE.xlsx",
                   help="also write the tables behind each slide")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("hash-password", help="print a salted hash for the coordinator password")
    p.set_defaults(func=cmd_hash_password)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.func(args)
