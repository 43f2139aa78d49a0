"""Command line: validate, publish, history, rollback, withdraw, backup, restore, unlock,
hash-password, brief, export, health, serve.

Every command that reads or changes published data calls the use cases of
:mod:`maaor.usecases` (the functions the Coordinator page calls, with the same checks
and messages); the CLI never touches the store.

Exit codes: 0 success (warnings allowed); 1 an error stands or the use case was
refused (nothing published); 2 usage error (argparse's own convention).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

from maaor.i18n import plural_form, t
from maaor.load import LoadResult, SheetReport
from maaor.problems import group_problems
from maaor.usecases.refusal import Refused


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
    from maaor.figures.funding import fts_headline, fts_mine_action, funding_headline
    from maaor.figures.presence import presence_headline
    from maaor.figures.progress import workplan_headline
    from maaor.figures.reached import reached_headline
    from maaor.glossary import FUNDING_IDS

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
            # people reached by the one definition (maaor.figures.reached); null when
            # no row gives it
            "reached_total": _num(reached_headline(table)["reached_total"]),
        }
    if report.kind == "funding":
        # the glossary's funding figures, by id (see maaor.glossary)
        h = funding_headline(table)
        return {k: _num(h.get(k)) for k in FUNDING_IDS + ("funded_usd",)}
    if report.kind == "fts":
        ma = fts_mine_action(table)
        h = fts_headline(ma)
        return {
            "rows": len(table),
            "mine_action_rows": len(ma),
            **{f"mine_action_{k}": _num(h.get(k)) for k in FUNDING_IDS + ("funded_usd",)},
        }
    return {"rows": len(table)}


def validation_report(result: LoadResult, today: dt.date, lang: str = "en") -> dict:
    """The JSON object printed by ``validate --json`` (documented in the README); each
    problem's ``message`` and ``fix`` in ``lang``, its ``code`` unchanged."""
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
                "problems": [p.localised(lang) for p in rep.problems],
                "columns": [c.to_dict() for c in rep.columns],
            }
            if rep.kind is not None:
                _, table = next(tables)
                entry["headline"] = sheet_headline(rep, table, today)
            sheets.append(entry)
        files.append({"file": fr.file, "problems": [p.localised(lang) for p in fr.problems],
                      "sheets": sheets})
    cross = [p.localised(lang) for p in result.across_files]
    return {
        "ok": result.ok,
        "errors": len(result.errors),
        "warnings": sum(p.severity == "warning" for p in result.problems),
        "files": files,
        "cross_file_problems": cross,
    }


def _print_group(group, indent: str, out, lang: str = "en") -> None:
    """One line per group of identical problems: where, what (with the rows when there
    are several), the value and the fix, in ``lang``."""
    first = group.problems[0]
    if len(group.problems) == 1:
        where, message = first.where(lang), group.message
    else:
        where = " › ".join(x for x in (group.file or "?", group.sheet, group.column) if x)
        message = _every_row(group, lang)
    values = {p.value for p in group.problems}
    value = first.value if len(values) == 1 else None
    print(indent + t("cli.problem.line", lang, severity=t(f"cli.severity.{group.severity}", lang),
                     where=where, message=message)
          + (t("cli.problem.value", lang, value=value) if value else "")
          + (t("cli.problem.fix", lang, fix=group.fix) if group.fix else ""), file=out)


def _every_row(group, lang: str = "en") -> str:
    """A group's line naming every row it covers: "12 rows (5, 9, 14, ...): message".

    The page shortens the list to its first rows (``maaor.problems.group_summary``); the
    command line names them all, so that no error or warning is reduced to a count.
    """
    if not group.rows:
        return group.message
    form = "coord.problem.rows.one" if plural_form(len(group.rows), lang) == "one" \
        else "coord.problem.rows.other"
    return t(form, lang, n=len(group.rows), rows=", ".join(str(r) for r in group.rows),
             message=group.message)


def _print_problems(problems, indent: str, out, lang: str = "en") -> None:
    for group in group_problems(problems, lang, by_severity=False):
        _print_group(group, indent, out, lang)


def _print_text_report(result: LoadResult, out, lang: str = "en") -> None:
    """Every problem of every file, sheet and cross-file check (identical problems of
    several rows on one line), then the counts, in ``lang``."""
    for fr in result.files:
        print(f"{fr.file}", file=out)
        _print_problems(fr.problems, "  ", out, lang)
        for rep in fr.reports:
            print("  " + t("cli.sheet", lang, sheet=rep.sheet or "-",
                           kind=t(f"coord.kind.{rep.kind or 'none'}", lang),
                           read=_counted("read", rep.rows_read, lang),
                           loaded=_counted("loaded", rep.rows_loaded, lang)), file=out)
            _print_problems(rep.problems, "    ", out, lang)
    if result.across_files:
        print(t("cli.across_files", lang), file=out)
        _print_problems(result.across_files, "  ", out, lang)
    n_err = len(result.errors)
    n_warn = sum(p.severity == "warning" for p in result.problems)
    print(t("cli.counts", lang, errors=_counted("errors", n_err, lang),
            warnings=_counted("warnings", n_warn, lang)), file=out)


def _counted(what: str, n: int, lang: str) -> str:
    """``n`` things (``cli.<what>.one`` or ``.other``: the language's plural rule)."""
    form = "one" if plural_form(n, lang) == "one" else "other"
    return t(f"cli.{what}.{form}", lang, n=n)


def _read_files(paths: list[str]) -> list[tuple[str, bytes]] | str:
    """(name, bytes) of each file, or the first usage problem as text."""
    files = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            return f"no such file: {p}"
        files.append((path.name, path.read_bytes()))
    return files


def _read_profiles(paths: list[str] | None) -> list | str:
    """The mapping profiles of each ``--profile`` file, or the first problem as text."""
    from maaor import usecases

    profiles = []
    for p in paths or []:
        path = Path(p)
        if not path.is_file():
            return f"no such profile file: {p}"
        try:
            profiles.extend(usecases.import_profiles(path.read_bytes()))
        except Refused as exc:
            return f"{path.name}: {exc.message('en')}"
    return profiles


def profiles_of_result(result: LoadResult, given=()) -> list:
    """The mapping profiles ``validate --save-profile`` writes, each with the values still
    to choose (field -> values as written): one per loaded sheet that has something to
    confirm (see :func:`maaor.profiles.profile_from_report`); a sheet read with a given
    profile keeps that profile's name and value choices."""
    from maaor import usecases
    from maaor.profiles import profile_from_report, unknown_values

    out = []
    for fr in result.files:
        for rep in fr.reports:
            if rep.kind is None or not rep.columns:
                continue
            name = fr.file if rep.sheet is None else f"{fr.file} / {rep.sheet}"
            found = profile_from_report(name, rep.kind, rep.columns)
            base = next((g for g in given if g.signature == found.signature
                         and g.kind == found.kind), None)
            if base is not None:
                found = usecases.profile_with_choices(base.name, found.kind, found.headers,
                                                      found.columns, base=base)
            pending = {f: [v for v in vs if v not in found.values.get(f, {})]
                       for f, vs in unknown_values(rep.kind, rep.columns, rep.problems).items()}
            pending = {f: vs for f, vs in pending.items() if vs}
            if found.columns or found.values or pending:
                out.append((found, pending))
    return out


def _profiles_file(found: list) -> str:
    """The ``--save-profile`` file: each profile, with the values still to choose listed
    under ``values`` as ``null`` (the user replaces null by a code; null is skipped)."""
    dicts = []
    for profile, pending in found:
        data = profile.to_dict()
        for fld, values in pending.items():
            data["values"].setdefault(fld, {}).update(dict.fromkeys(values))
        dicts.append(data)
    return json.dumps(dicts[0] if len(dicts) == 1 else dicts, indent=2, ensure_ascii=False)


def cmd_validate(args) -> int:
    from maaor import usecases

    files = _read_files(args.files)
    if isinstance(files, str):
        print(f"maaor validate: {files}", file=sys.stderr)
        return 2
    profiles = _read_profiles(args.profile)
    if isinstance(profiles, str):
        print(f"maaor validate: {profiles}", file=sys.stderr)
        return 2
    today = dt.date.today()
    # Parsed in the isolated child (memory and time limits) unless --in-process.
    result = usecases.validate_files(files, today=today, isolate=not args.in_process,
                                     profiles=profiles)
    if args.json:
        json.dump(validation_report(result, today, args.lang), sys.stdout, indent=2, default=str,
                  ensure_ascii=False)
        print()
    else:
        _print_text_report(result, sys.stdout, args.lang)
    if args.save_profile:
        found = profiles_of_result(result, profiles)
        if not found:
            print("maaor validate: nothing to confirm (every loaded column matched its "
                  "template header or HXL tag exactly); no profile written", file=sys.stderr)
        else:
            target = Path(args.save_profile)
            target.write_text(_profiles_file(found) + "\n", encoding="utf-8")
            print(f"maaor validate: mapping profile of {len(found)} sheet(s) written to "
                  f"{target}", file=sys.stderr)
    return 0 if result.ok else 1


def print_upload_summary(upload, out) -> None:
    """Print what publishing ``upload`` would change, in the words of the page's
    "What changed" tab (the same catalogue sentences, in English)."""

    if upload.result is None or upload.base_version is None:
        return
    print(t("coord.changes.against", "en", version=upload.base_version), file=out)
    for line in upload.removal_headlines("en"):
        print(f"  {line}", file=out)
    if upload.kept:
        names = ", ".join(t(f"coord.kind.{n}", "en") for n in upload.kept)
        print("  " + t("coord.changes.kept", "en", version=upload.base_version, tables=names),
              file=out)
    for table, countries in upload.kept_countries.items():
        print("  " + t("coord.changes.kept_countries", "en", table=t(f"coord.kind.{table}", "en"),
                       n=len(countries), version=upload.base_version), file=out)


def cmd_publish(args) -> int:
    from maaor import usecases

    files = _read_files(args.files)
    if isinstance(files, str):
        print(f"maaor publish: {files}", file=sys.stderr)
        return 2
    profiles = _read_profiles(args.profile)
    if isinstance(profiles, str):
        print(f"maaor publish: {profiles}", file=sys.stderr)
        return 2
    try:
        upload = usecases.prepare_upload(files, scope=args.replace, profiles=profiles)
    except Refused as exc:
        print(f"maaor publish: nothing published: {exc.message('en')}", file=sys.stderr)
        return 1
    for name, size in upload.refused:
        print("maaor publish: " + t("coord.upload.too_big", "en", name=name,
                                    mb=f"{size / 1024 / 1024:.1f}", limit=usecases.max_upload_mb()),
              file=sys.stderr)
    if upload.result is not None and not upload.result.ok:
        _print_text_report(upload.result, sys.stderr)
    print_upload_summary(upload, sys.stdout)
    try:
        published = usecases.publish(upload, by=args.by, note=args.note,
                                     removal_confirmed=args.confirm_removal)
    except Refused as exc:
        hint = " (add --confirm-removal)" if exc.key == "coord.publish.removal_unconfirmed" else ""
        print(f"maaor publish: nothing published: {exc.message('en')}{hint}", file=sys.stderr)
        return 1
    if not published.aggregates:  # the viewers compute them on first use
        print("maaor publish: aggregates not stored (see the log)", file=sys.stderr)
    print(f"published version {published.version}"
          + (f" (kept from the previous version: {', '.join(published.kept)})"
             if published.kept else ""))
    return 0


def cmd_history(args) -> int:
    from maaor import usecases

    try:
        versions = usecases.history()
    except Refused as exc:
        print(f"maaor history: {exc.message('en')}", file=sys.stderr)
        return 1
    rows = []
    for v in versions:
        rows.append({
            "version": v.id,
            "current": bool(v.is_current),
            "created_at": v.created_at.isoformat() if v.created_at else None,
            "created_by": v.created_by,
            "kind": v.kind,
            "parent": v.parent,
            "note": v.note,
            "illustrative": v.illustrative,
            "files": [{"name": n, "size": s, "sha256": h} for n, s, h in v.files],
            "withdrawn_at": v.withdrawn_at.isoformat() if v.withdrawn_at else None,
            "withdrawn_by": v.withdrawn_by,
            "withdrawn_reason": v.withdrawn_reason,
        })
    if args.json:
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        for r in rows:
            mark = "*" if r["current"] else " "
            files = ", ".join(f["name"] for f in r["files"])
            withdrawn = (f"  WITHDRAWN {r['withdrawn_at'][:10]} by {r['withdrawn_by']}: "
                         f"{r['withdrawn_reason']}" if r["withdrawn_at"] else "")
            print(f"{mark} v{r['version']}  {r['created_at']}  {r['created_by'] or '-'}  "
                  f"[{r['kind']}] {r['note']}  ({files}){withdrawn}")
    return 0


def cmd_rollback(args) -> int:
    from maaor import usecases

    try:
        version = usecases.rollback(args.version, by=args.by, note=args.note)
    except Refused as exc:
        print(f"maaor rollback: {exc.message('en')}", file=sys.stderr)
        return 1
    print(f"version {version} published, equal to version {args.version}")
    return 0


def cmd_withdraw(args) -> int:
    from maaor.usecases.withdraw import withdraw_version

    try:
        done = withdraw_version(args.version, reason=args.reason, by=args.by)
    except Refused as exc:
        print(f"maaor withdraw: {exc.message('en')}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"maaor withdraw: {exc}", file=sys.stderr)
        return 1
    moved = (f"; the current version is now {done.current}" if done.was_current
             else f"; the current version stays {done.current}")
    print(f"version {done.version} withdrawn on {done.at:%Y-%m-%d %H:%M} UTC{moved}")
    return 0


def cmd_unlock(args) -> int:
    from maaor.usecases.signin import signin_clients, unlock_signin

    try:
        if not args.client and not args.all:
            clients = signin_clients()
            if not clients:
                print("no client has wrong passwords on record")
            for c in clients:
                state = (f"locked until {c.locked_until:%Y-%m-%d %H:%M:%S} UTC"
                         if c.locked_until else "not locked")
                print(f"{c.key}  {c.failures} wrong password(s)  {state}")
            if clients:
                print("unlock with: python -m maaor unlock --client KEY|ADDRESS, or --all")
            return 0
        cleared = unlock_signin(None if args.all else args.client, by=args.by)
    except Refused as exc:
        print(f"maaor unlock: {exc.message('en')}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"maaor unlock: {exc}", file=sys.stderr)
        return 1
    if not cleared and not args.all:
        print(f"maaor unlock: no client {args.client!r} has wrong passwords on record",
              file=sys.stderr)
        return 1
    print(f"sign-in unlocked for {len(cleared)} client(s)"
          + (f": {', '.join(cleared)}" if cleared else ""))
    return 0


def cmd_backup(args) -> int:
    from maaor import usecases

    try:
        path, count = usecases.backup(args.file, args.url)
    except Refused as exc:
        print(f"maaor backup: {exc.plain_reason()}", file=sys.stderr)
        return 1
    print(f"backup of {count} version(s) written to {path}")
    return 0


def cmd_restore(args) -> int:
    from maaor import usecases

    if not Path(args.file).is_file():
        print(f"maaor restore: {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        count, current = usecases.restore(args.file, args.url)
    except Refused as exc:
        print(f"maaor restore: {exc.plain_reason()}", file=sys.stderr)
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
    from maaor import usecases
    from maaor.emergencies import (
        active_emergencies,
        emergencies_of,
        emergency_by_id,
        use_emergencies,
    )
    from maaor.export.datapack import datapack_xlsx
    from maaor.export.pptx import briefing_pptx
    from maaor.filters import Filters
    from maaor.i18n import normalise_language
    from maaor.slides import slide_deck, with_meeting
    from maaor.views import public_dataset

    lang = normalise_language(args.lang)
    countries = tuple(c.strip().upper() for c in args.country or () if c.strip())
    emergency = (args.emergency or "").strip().lower() or None
    try:
        # The public view, exactly as the pages show it (sensitive columns and the public
        # presence level): the pack is shown to the room and handed out.
        dataset = public_dataset(usecases.current_dataset())
    except Refused as exc:
        print(f"maaor brief: {exc.message('en')}", file=sys.stderr)
        return 1
    use_emergencies(emergencies_of(dataset))  # the version's own list of emergencies
    if emergency and emergency_by_id(emergency) is None:
        known = ", ".join(e.id for e in active_emergencies())
        print(f"maaor brief: unknown emergency {emergency!r}; known: {known}", file=sys.stderr)
        return 2
    f = Filters(countries=countries, year=args.year, emergency=emergency)
    slides = slide_deck(dataset, f, dt.date.today(), lang)
    Path(args.out).write_bytes(briefing_pptx(slides, dataset.meta, args.meeting, args.date, lang))
    written = [args.out]
    if args.datapack:
        titled = with_meeting(slides, args.meeting, args.date, lang)
        Path(args.datapack).write_bytes(datapack_xlsx(titled))
        written.append(args.datapack)
    if args.json:
        from maaor.glossary import headline_json, ignored_filters

        title = next(s for s in slides if s.key == "title")
        figures = headline_json(title.extra["headline"])
        for figure_id, entry in figures.items():
            entry["not_filtered_by"] = list(ignored_filters(figure_id, f))
        json.dump({"written": written, "slides": len(slides),
                   "data_version": dataset.meta.version,
                   "filters": {"emergency": emergency, "countries": list(countries),
                               "year": args.year},
                   "figures": figures},
                  sys.stdout, indent=2, ensure_ascii=False, default=str)
        print()
        return 0
    print(f"wrote {', '.join(written)} ({len(slides)} slides, data version "
          f"{dataset.meta.version})")
    return 0


def cmd_emergencies(args) -> int:
    """Show the current list of emergencies, write it to a CSV, or publish one from a
    CSV/XLSX file (the use case of the Coordinator page's editor)."""
    from maaor import usecases
    from maaor.export.tables import csv_bytes

    if args.file is None:
        try:
            _, table = usecases.emergency_table()
        except Refused as exc:
            print(f"maaor emergencies: {exc.message('en')}", file=sys.stderr)
            return 1
        data = csv_bytes(table)
        if args.out:
            Path(args.out).write_bytes(data)
            print(f"wrote {args.out} ({len(table)} emergencies)")
        else:
            sys.stdout.write(data.decode("utf-8-sig"))
        return 0
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"maaor emergencies: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        # The Coordinator page's Upload tab goes the same way: check, then publish.
        checked = usecases.check_list_file(path.name, data)
        outcome = usecases.publish_list_file(checked, by=args.by, note=args.note)
    except Refused as exc:
        print(f"maaor emergencies: nothing published: {exc.message('en')}", file=sys.stderr)
        return 1
    problems = list(outcome.problems)
    if problems:
        for p in problems:
            print(f"{p.severity.upper()} {p.where()}: {p.message} {p.fix}".rstrip(),
                  file=sys.stderr)
        print(f"maaor emergencies: nothing published ({len(problems)} problem(s))",
              file=sys.stderr)
        return 1
    if outcome.version is None:
        print(f"the list is unchanged ({len(outcome.emergencies)} emergencies); nothing published")
        return 0
    print(f"published version {outcome.version} with {len(outcome.emergencies)} emergencies")
    return 0


def cmd_export(args) -> int:
    """Write one whole table (or the data package) of a version (maaor.export.machine)."""
    from maaor.export.commands import run_export

    return run_export(args)


def cmd_health(args) -> int:
    """Print the store health as JSON (exit 0 ok, 1 failing), or answer it over HTTP."""
    from maaor.health import health_report, health_server

    if args.listen:
        host, _, port = args.listen.rpartition(":")
        server = health_server(host or "127.0.0.1", int(port))
        print(f"maaor health: answering on http://{args.listen}/healthz", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        return 0
    report = health_report()
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0 if report["ok"] else 1


def cmd_serve(args) -> int:
    """Run the dashboard (replaces this process with Streamlit; see maaor.serve)."""
    from maaor.serve import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m maaor``."""
    from maaor.usecases.candidate import DEFAULT_SCOPE, SCOPES

    parser = argparse.ArgumentParser(prog="maaor", description="maaor data tools")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check files without publishing")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--in-process", action="store_true",
                   help="parse in this process, without the child's memory and time limits "
                        "(for debugging a reader only; never for untrusted files)")
    # Kept so existing scripts keep working: isolation is the default now.
    p.add_argument("--isolate", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--profile", action="append", metavar="PROFILE.json",
                   help="apply a mapping profile (column and value choices) from this file; "
                        "may be repeated")
    p.add_argument("--save-profile", default=None, metavar="OUT.json",
                   help="write the mapping profile of the choices made (see README)")
    p.add_argument("--lang", choices=("en", "fr"), default="en",
                   help="language of the problem messages and fixes (codes stay the same)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("publish", help="validate and publish as a new version")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--note", required=True)
    p.add_argument("--by", default="cli")
    p.add_argument("--replace", choices=SCOPES, default=DEFAULT_SCOPE,
                   help="countries (default): replace only the rows of the countries (and "
                        "years) in the files and keep the others; all: each table in the "
                        "files replaces the whole table")
    p.add_argument("--profile", action="append", metavar="PROFILE.json",
                   help="apply a mapping profile from this file (before the saved ones); "
                        "may be repeated")
    p.add_argument("--confirm-removal", action="store_true",
                   help="publish even though it removes more rows than it adds")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("history", help="list published versions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("rollback", help="publish a new version equal to an older one")
    p.add_argument("version", type=int)
    p.add_argument("--by", default="cli")
    p.add_argument("--note", default=None)
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("withdraw", help="stop serving a version (audited); history keeps it")
    p.add_argument("version", type=int)
    p.add_argument("--reason", required=True, help="why (audited; never shown to the public)")
    p.add_argument("--by", default="cli")
    p.set_defaults(func=cmd_withdraw)

    p = sub.add_parser("unlock", help="list sign-in lock-outs, or lift them")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--client", metavar="KEY",
                     help="a client key from the lock-out log line, or an address")
    who.add_argument("--all", action="store_true", help="every client")
    p.add_argument("--by", default="cli")
    p.set_defaults(func=cmd_unlock)

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
    p.add_argument("--emergency", default=None, metavar="ID",
                   help="one emergency (an id of the current version's list, e.g. central-sahel): "
                        "in the pack title, figures of its countries and its 4W rows")
    p.add_argument("--year", type=int, metavar="YYYY")
    p.add_argument("--meeting", default=None, metavar="TEXT", help="meeting name (title slide)")
    p.add_argument("--date", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                   help="meeting date (title slide)")
    p.add_argument("--lang", choices=("en", "fr"), default="en")
    p.add_argument("--datapack", default=None, metavar="FILE.xlsx",
                   help="also write the tables behind each slide")
    p.add_argument("--json", action="store_true",
                   help="print the headline figures (glossary ids, values, definitions) as JSON")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("emergencies",
                       help="print or write the current list of emergencies; with FILE, "
                            "publish the list of a CSV/XLSX file as a new version")
    p.add_argument("file", nargs="?", default=None, metavar="FILE",
                   help="CSV/XLSX with id, name_en, name_fr, countries (ISO3, '|'-separated), "
                        "type, start_year, end_year, aliases")
    p.add_argument("--out", default=None, metavar="FILE.csv",
                   help="without FILE: write the list here (default: standard output)")
    p.add_argument("--note", default=None, help="history note (required to publish)")
    p.add_argument("--by", default="cli")
    p.set_defaults(func=cmd_emergencies)

    p = sub.add_parser("hash-password", help="print a salted hash for the coordinator password")
    p.set_defaults(func=cmd_hash_password)

    from maaor.export.machine import EXPORT_TABLES, FORMATS

    p = sub.add_parser("export", help="write a whole table of a version for other tools")
    p.add_argument("--format", choices=(*FORMATS, "datapackage"), required=True,
                   help="csv, hxl (HXL CSV), json, xlsx; datapackage: a JSON file per "
                        "table and datapackage.json into the folder --out")
    p.add_argument("--table", choices=EXPORT_TABLES,
                   help="the table (every format but datapackage)")
    p.add_argument("--version", type=int, default=None, help="default: the current version")
    p.add_argument("--public", action="store_true",
                   help="apply the public pages' transformation (no people's names or "
                        "contacts; presence at MAAOR_PUBLIC_PRESENCE_LEVEL)")
    p.add_argument("--neutralise", action="store_true",
                   help="hxl: prefix text starting with = + - @ with ' for spreadsheets "
                        "(HXL readers keep the ')")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="file to write (default: standard output; datapackage: a folder)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("health", help="check the data store (JSON; exit 0 ok, 1 failing)")
    p.add_argument("--listen", default=None, metavar="HOST:PORT",
                   help="answer GET /healthz over HTTP instead (200 ok, 503 failing)")
    p.set_defaults(func=cmd_health)

    from maaor.serve import add_arguments as add_serve_arguments

    p = sub.add_parser("serve", help="run the dashboard with the project's configuration")
    add_serve_arguments(p)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    from maaor.logs import setup_logging

    args = build_parser().parse_args(argv)
    setup_logging()
    return args.func(args)
