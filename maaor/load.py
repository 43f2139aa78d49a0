"""Load input files into a Dataset: precheck -> read -> map headers -> validate -> assemble.

This is the one way through for every caller (pages, CLI, store bootstrap, tests). It
never raises for any input: whatever goes wrong becomes a Problem naming the file.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from maaor.dataset import TABLES, Dataset, DatasetMeta, conform, empty_table
from maaor.emergencies import Emergency, active_emergencies, confirmed_names, emergencies_in_use
from maaor.logs import log_event
from maaor.problems import Problem, problem
from maaor.read.types import ColumnPlacement
from maaor.sources import Source

if TYPE_CHECKING:  # imported lazily where used: the precheck is not needed to import load
    from maaor.profiles import MappingProfile
    from maaor.read.precheck import PrecheckReport

_log = logging.getLogger(__name__)


@dataclass
class SheetReport:
    """What happened to one sheet (or one CSV/JSON file).

    Attributes:
        file: file name.
        sheet: sheet name, or None for CSV/JSON.
        kind: recognised kind, or None when the sheet was not loaded.
        rows_read: data rows found under the header.
        rows_loaded: rows placed in the dataset.
        problems: problems about this sheet.
        columns: where each column of the sheet went (empty when it was not loaded).
    """

    file: str
    sheet: str | None
    kind: str | None
    rows_read: int = 0
    rows_loaded: int = 0
    problems: list[Problem] = field(default_factory=list)
    columns: list[ColumnPlacement] = field(default_factory=list)


@dataclass
class FileResult:
    """What loading one file produced (picklable: it may come from a child process)."""

    file: str
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    reports: list[SheetReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # file-level problems


@dataclass
class LoadResult:
    """The outcome of loading a set of files.

    Attributes:
        dataset: the normalised tables (rows with errors are still loaded, with the bad
            cell blank, so the report is complete; errors block publishing).
        files: one FileResult per input, in input order.
        problems: every problem, file-level and sheet-level, plus cross-file checks.
        across_files: the problems of the checks across files and sheets (also in
            ``problems``), which belong to no single sheet report.
    """

    dataset: Dataset
    files: list[FileResult]
    problems: list[Problem]
    across_files: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block publishing."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when nothing blocks publishing."""
        return not self.errors

    @property
    def reports(self) -> list[SheetReport]:
        """Every sheet report, in input order."""
        return [r for f in self.files for r in f.reports]

    def unknown_organisations(self) -> list[str]:
        """Organisation names, as written, that match no known organisation."""
        seen: dict[str, None] = {}
        for p in self.problems:
            if p.code == "org.unknown" and p.value:
                seen.setdefault(p.value, None)
        return list(seen)

    def unknown_emergencies(self) -> list[tuple[str, tuple[str, ...]]]:
        """(emergency name as written, ids of the closest emergencies) that the list in
        use does not know and no confirmed name maps."""
        seen: dict[str, tuple[str, ...]] = {}
        for p in self.problems:
            if p.code == "emergency.unknown" and p.value and p.params:
                closest = str(p.params.get("closest") or "")
                seen.setdefault(p.value, tuple(c for c in closest.split(", ") if c and c != "-"))
        return list(seen.items())

    def unknown_admin1(self) -> list[tuple[str, str]]:
        """(ISO3, admin-1 name or code as written) that the gazetteer does not know."""
        seen: dict[tuple[str, str], None] = {}
        for p in self.problems:
            if p.code == "admin1.unknown" and p.value and p.params:
                iso3 = (p.params.get("country") or {}).get("country")
                if iso3:
                    seen.setdefault((str(iso3), p.value), None)
        return list(seen)


def sheets_as_read(source: Source) -> list:
    """Return the sheets of ``source`` as the reader sees them (``RawSheet`` grids), for
    showing a file back to the user (the annotated workbook of a CSV or JSON file).

    Only the loader reaches the readers; this is the one way for code outside it.
    """
    from maaor.read.sources import read_source

    return read_source(source).sheets


def load_sources(
    sources: Sequence[Source],
    *,
    aliases: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    isolate: bool = False,
    illustrative: Sequence[str] = (),
    profiles: Sequence[MappingProfile] = (),
    emergencies: tuple[Emergency, ...] | None = None,
    prechecked: Mapping[str, PrecheckReport] | None = None,
) -> LoadResult:
    """Read, validate and normalise input files into one Dataset.

    Args:
        sources: the files (name + bytes, optionally a kind named by the caller).
        aliases: extra organisation aliases (alias -> canonical name) confirmed by
            coordinators, applied on top of the shipped alias table.
        today: the date used by date checks; defaults to today (UTC).
        isolate: parse each file in a child process with memory and time limits (use
            for uploads: a parser crash then ends only the child).
        illustrative: names of files whose content is illustrative; the tables they
            feed are marked illustrative in the dataset metadata.
        profiles: mapping profiles confirmed by coordinators (``maaor.profiles``); a
            sheet whose header row has a profile's signature is read with its column
            and value choices, and a note names the profile.
        emergencies: the list rows are linked to (the current version's; None: the
            list in use, ``maaor.emergencies.active_emergencies``).
        prechecked: pre-check reports the caller already made
            (:func:`maaor.read.precheck.precheck_report`), by the SHA-256 of the
            bytes (``Source.sha256``); a file found there is not scanned again.

    Returns:
        A LoadResult; never raises for bad input.
    """
    started = time.perf_counter()
    today = today or dt.datetime.now(dt.UTC).date()
    alias_map = dict(aliases or {})
    # Handed on explicitly: an isolated child does not share this process's context.
    emergencies = emergencies or active_emergencies()
    results: list[FileResult] = []
    seen: dict[str, str] = {}  # sha256 of the bytes -> name of the file loaded
    for source in sources:
        digest = source.sha256
        if digest in seen:
            results.append(_same_bytes(source, seen[digest]))
            continue
        seen[digest] = source.name
        report = (prechecked or {}).get(digest)
        if isolate:
            results.append(_load_isolated(source, alias_map, today, profiles, emergencies,
                                          report))
        else:
            results.append(load_file(source, alias_map, today, report, profiles=profiles,
                                     emergencies=emergencies))

    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for result in results:
        for kind, frame in result.tables:
            frames[kind].append(frame)
    tables = {
        name: (conform(name, pd.concat(parts, ignore_index=True)) if parts else empty_table(name))
        for name, parts in frames.items()
    }
    problems = [p for r in results for p in (*r.problems, *(q for s in r.reports for q in s.problems))]
    across = _cross_checks(tables)
    problems.extend(across)

    illustrative_files = set(illustrative)
    illustrative_tables = sorted(
        {kind for r in results if r.file in illustrative_files for kind, _ in r.tables}
    )
    meta = DatasetMeta(
        created_at=dt.datetime.now(dt.UTC),
        illustrative=bool(illustrative_tables),
        illustrative_tables=tuple(illustrative_tables),
        sources=tuple(s.name for s in sources),
    )
    result = LoadResult(Dataset(tables, meta), results, problems, across)
    _log_load(result, sources, isolate, time.perf_counter() - started)
    return result


def _log_load(result: LoadResult, sources: Sequence[Source], isolate: bool,
              seconds: float) -> None:
    """Log one load (an upload, ``validate`` or ``publish``) with its duration; a load
    with errors is logged as refused: nothing can be published from it."""
    errors = len(result.errors)
    warnings = sum(p.severity == "warning" for p in result.problems)
    log_event(
        _log, "load" if result.ok else "load_refused",
        f"{len(sources)} file(s) loaded in {seconds:.2f} s: {errors} error(s), "
        f"{warnings} warning(s)" + ("" if result.ok else "; nothing can be published"),
        level=logging.INFO if result.ok else logging.WARNING,
        files=[s.name for s in sources], bytes=sum(len(s.data) for s in sources),
        isolated=isolate, errors=errors, warnings=warnings, seconds=round(seconds, 3),
    )


def load_file(source: Source, aliases: Mapping[str, str], today: dt.date,
              report: PrecheckReport | None = None,
              profiles: Sequence[MappingProfile] = (),
              emergencies: tuple[Emergency, ...] | None = None) -> FileResult:
    """Load one file in this process; never raises.

    Args:
        source: the file.
        aliases: extra organisation aliases.
        today: reference date for date checks.
        report: the pre-check of these very bytes, when the caller already made it
            (the parent of an isolated child): it is used instead of scanning again.
        profiles: mapping profiles to apply (see :func:`load_sources`).
        emergencies: the list rows are linked to (see :func:`load_sources`).

    Returns:
        The file's tables, per-sheet reports and file-level problems.
    """
    from maaor.memory import system_arrow_pool

    try:
        # The C allocator's pool: the text columns reuse the memory calamine's cells
        # free instead of fresh pages (``maaor.memory``).
        with emergencies_in_use(emergencies), system_arrow_pool():
            return _load_file(source, aliases, today, report, profiles)
    except Exception as exc:  # noqa: BLE001 - the user gets a plain message, never a traceback
        import logging

        logging.getLogger(__name__).exception("unexpected failure loading %s", source.name)
        return FileResult(
            source.name,
            problems=[
                problem("error", "file.unreadable", {"reason": type(exc).__name__},
                        key="file.unreadable.unexpected", file=source.name)
            ],
        )


def _load_file(source: Source, aliases: Mapping[str, str], today: dt.date,
               report: PrecheckReport | None = None,
               profiles: Sequence[MappingProfile] = ()) -> FileResult:
    from maaor.orgs import OrgDirectory
    from maaor.profiles import apply_value_choices, find_profile
    from maaor.read.headers import is_instruction_sheet, map_sheet
    from maaor.read.legacy_workplan import (
        is_legacy_workplan,
        is_numbered_workplan_table,
        map_legacy_workplan,
    )
    from maaor.read.long_format import find_long_format, split_long_format
    from maaor.read.merged import expand_merged
    from maaor.read.ocha import map_export
    from maaor.read.ocha import recognise as recognise_export
    from maaor.read.precheck import precheck_report
    from maaor.read.sources import read_source
    from maaor.validate import validate_sheet

    result = FileResult(source.name)
    if report is None:
        report = precheck_report(source)
    pre = report.problems
    if any(p.severity == "error" for p in pre):
        result.problems.extend(pre)
        return result
    result.problems.extend(pre)

    read = read_source(source, report.parts)
    result.problems.extend(read.problems)
    from maaor.gazetteer import split_aliases

    org_aliases, admin1_aliases = split_aliases(aliases or {})
    emergency_names = confirmed_names(aliases)
    directory = OrgDirectory.bundled()
    if org_aliases:
        directory = directory.with_aliases(org_aliases)

    visible_with_data = 0
    hidden_with_data: list[str] = []
    for raw in read.sheets:
        has_data = _has_data(raw.cells)
        if raw.hidden:
            if has_data and is_instruction_sheet(raw.sheet or ""):
                # The template's hidden drop-down lists: expected, not user data.
                result.reports.append(SheetReport(source.name, raw.sheet, None, problems=[
                    problem("note", "sheet.lists_ignored", {"sheet": raw.sheet},
                            file=source.name, sheet=raw.sheet)]))
            elif has_data:
                hidden_with_data.append(raw.sheet or "")
                result.reports.append(
                    SheetReport(
                        source.name,
                        raw.sheet,
                        None,
                        problems=[
                            problem(
                                "warning", "sheet.hidden", {"sheet": raw.sheet},
                                file=source.name,
                                sheet=raw.sheet,
                            )
                        ],
                    )
                )
            continue
        if not has_data:
            continue
        if source.kind in (None, "workplan") and is_legacy_workplan(raw):
            mapped, problems = map_legacy_workplan(source, raw, directory)
            if mapped is not None:
                mapped, problems = _fixed_layout_profile(mapped, problems, raw, profiles,
                                                         "problem.what.narrative_workplan")
            if mapped is None:
                # The layout was recognised but held no activity: an empty work plan
                # (its problem says why), as before.
                result.tables.append(("workplan", empty_table("workplan")))
                result.reports.append(SheetReport(source.name, raw.sheet, "workplan", 0, 0, problems))
                visible_with_data += 1
                continue
        else:
            named = source.kind or raw.kind
            if named is None and is_numbered_workplan_table(raw):
                named = "workplan"  # a tidy work plan whose numbers open the texts
            export = recognise_export(raw) if source.kind is None else None
            long_layout = find_long_format(raw) if named in (None, "presence") and export is None else None
            if long_layout is not None:
                # A profile saved for this shape places (or ignores) the presence columns;
                # the Indicator / Value / Month columns are the layout's own.
                profile = find_profile(raw.cells, profiles) if profiles else None
                if profile is not None and profile.kind != "presence":
                    profile = None
                presence, values, problems = split_long_format(
                    raw, long_layout, map_sheet,
                    header_overrides=profile.header_overrides() if profile is not None else None)
                if profile is not None and presence is not None:
                    choices = profile.value_choices()
                    if choices:
                        presence = replace(presence, frame=apply_value_choices(presence.frame, choices))
                    problems = [_profile_note(profile, source.name, raw.sheet, presence.header_row),
                                *problems]
                for part in (presence, values):
                    if part is None:
                        continue
                    table, vproblems = validate_sheet(part, directory, today=today,
                                                    admin1_aliases=admin1_aliases,
                                                    emergency_names=emergency_names)
                    result.tables.append((part.kind, table))
                    result.reports.append(SheetReport(
                        source.name, raw.sheet, part.kind, len(part.frame), len(table),
                        [*problems, *vproblems] if part is presence else list(vproblems), part.columns))
                    visible_with_data += 1
                if presence is None:
                    result.reports.append(SheetReport(source.name, raw.sheet, None, problems=problems))
                continue
            # A profile a coordinator saved for this shape of sheet: its choices first.
            profile = find_profile(raw.cells, profiles) if profiles and export is None else None
            if profile is not None and named not in (None, profile.kind):
                profile = None
            overrides = profile.header_overrides() if profile is not None else None
            if profile is not None:
                named = profile.kind
            if export is not None:
                mapped, problems = map_export(raw, export)
                if mapped is not None:
                    mapped, problems = _fixed_layout_profile(mapped, problems, raw, profiles,
                                                             f"problem.what.{export}")
            else:
                mapped, problems = map_sheet(raw, kind=named, header_overrides=overrides)
            if export is None and mapped is not None and raw.merged:
                # Merged cells below the header found: their value in every cell covered.
                start = max(r for r in (mapped.header_row, mapped.hxl_row) if r is not None)
                expanded, merge_problems = expand_merged(raw, start - raw.first_row + 1)
                if expanded is not raw:
                    mapped, problems = map_sheet(expanded, kind=named, header_overrides=overrides)
                problems = [*merge_problems, *problems]
            if mapped is None:
                result.reports.append(SheetReport(source.name, raw.sheet, None, problems=problems))
                continue
            if profile is not None:
                choices = profile.value_choices()
                if choices:
                    mapped = replace(mapped, frame=apply_value_choices(mapped.frame, choices))
                problems = [_profile_note(profile, source.name, raw.sheet, mapped.header_row),
                            *problems]
        table, vproblems = validate_sheet(mapped, directory, today=today,
                                          admin1_aliases=admin1_aliases,
                                          emergency_names=emergency_names)
        problems = [*problems, *vproblems]
        kind = mapped.kind
        rows_read = len(mapped.frame)
        visible_with_data += 1
        result.tables.append((kind, table))
        result.reports.append(
            SheetReport(source.name, raw.sheet, kind, rows_read, len(table), list(problems), mapped.columns)
        )

    if not visible_with_data and hidden_with_data:
        result.problems.append(
            problem(
                "error", "file.only_hidden_data", {"sheets": ", ".join(hidden_with_data)},
                file=source.name,
            )
        )
    elif result.tables and not any(len(t) for _, t in result.tables):
        result.problems.append(
            problem(
                "error", "file.headers_only",
                file=source.name,
            )
        )
    elif not result.tables and not any(p.severity == "error" for p in result.problems):
        if not any(p.severity == "error" for r in result.reports for p in r.problems):
            result.problems.append(
                problem(
                    "error", "file.no_data",
                    file=source.name,
                )
            )
    return result


def _has_data(cells: pd.DataFrame) -> bool:
    """True when a sheet's grid holds a value: its first rows first (where almost every
    sheet has one: the mask of a 100,000-row column costs 14 ms), then column by column,
    stopping at the first that has one (the whole grid's mask costs half a second at
    100,000 rows)."""
    if not cells.size:
        return False
    if pd.notna(cells.iloc[:_FIRST_ROWS].to_numpy()).any():
        return True
    return any(cells.iloc[:, i].notna().any() for i in range(cells.shape[1]))


_FIRST_ROWS = 64  # rows ``_has_data`` looks at before it scans whole columns


def _fixed_layout_profile(mapped, problems: list[Problem], raw, profiles: Sequence[MappingProfile],
                          what: str):
    """Apply a saved profile to a sheet read by a layout with fixed headers (the narrative
    work plan, an FTS or HDX HAPI export).

    Such a layout places its own columns by their fixed headers (``how="layout"``); a
    profile cannot move them, nor give a field to another column (the layout builds its
    rows itself). What it can mean is kept: the columns it ignores are ignored (no
    ``column.not_loaded`` warning), its value choices apply, and a note names the
    profile and says that the layout's columns are not changed by it.

    Returns:
        ``(mapped, problems)``, unchanged when no profile has this sheet's signature.
    """
    from maaor.matcher import header_key
    from maaor.profiles import apply_value_choices, find_profile
    from maaor.read.headers import placement_problems

    profile = find_profile(raw.cells, profiles) if profiles else None
    if profile is None or profile.kind != mapped.kind:
        return mapped, problems
    ignore = {k for k, f in profile.header_overrides().items() if f is None}
    columns = [
        replace(c, how="ignored", confidence=1.0)
        if c.how == "unmapped" and c.header and header_key(c.header) in ignore else c
        for c in mapped.columns
    ]
    if columns != list(mapped.columns):
        # The warnings about columns not loaded are told again, without the ignored ones.
        problems = [p for p in problems if p.code not in ("column.not_loaded", "header.unmapped")]
        problems.extend(placement_problems(columns, raw, mapped.header_row))
        mapped = replace(mapped, columns=columns)
    choices = profile.value_choices()
    if choices:
        mapped = replace(mapped, frame=apply_value_choices(mapped.frame, choices))
    note = problem("note", "profile.used", {"profile": profile.name, "what": {"text": what}},
                   key="profile.used.layout", file=raw.file, sheet=raw.sheet,
                   row=mapped.header_row, value=profile.name)
    return mapped, [note, *problems]


def _profile_note(profile: MappingProfile, file: str, sheet: str | None,
                  row: int | None) -> Problem:
    """The note saying which saved profile placed a sheet's columns."""
    return problem("note", "profile.used", {"profile": profile.name}, file=file, sheet=sheet,
                   row=row, value=profile.name)


def _same_bytes(source: Source, first: str) -> FileResult:
    """The result of a file whose bytes were already loaded under another (or the same)
    name: nothing loaded again, one warning."""
    same_name = source.name == first
    return FileResult(
        source.name,
        problems=[
            problem(
                "warning", "file.duplicate", {"first": first},
                key="file.duplicate.same_name" if same_name else "file.duplicate",
                file=source.name,
            )
        ],
    )


def _load_isolated(source: Source, aliases: Mapping[str, str], today: dt.date,
                   profiles: Sequence[MappingProfile] = (),
                   emergencies: tuple[Emergency, ...] | None = None,
                   report: PrecheckReport | None = None) -> FileResult:
    from maaor.read.isolate import isolated_problem, run_isolated
    from maaor.read.precheck import precheck_report

    # The byte-level precheck runs here (or was made by the caller: ``report``), once
    # per upload, so obviously hostile files never reach a child at all; its facts go
    # to the child, which does not scan the bytes again (the child guards against what
    # a precheck cannot foresee).
    if report is None:
        report = precheck_report(source)
    if any(p.severity == "error" for p in report.problems):
        return FileResult(source.name, problems=list(report.problems))
    outcome = run_isolated(load_file, source, dict(aliases), today, report, list(profiles),
                           emergencies)
    if outcome.ok:
        return outcome.value
    return FileResult(source.name, problems=[isolated_problem(source.name, outcome.failure, outcome.reason)])


def _cross_checks(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    from maaor.validate import validate_tables

    return list(validate_tables(tables))
