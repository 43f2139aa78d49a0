"""The list of emergencies: read a version's list, check an edited or uploaded one, and
publish it as a new version (the Coordinator page's editor and ``maaor emergencies``).

A version carries its list (the ``emergencies`` table of its Dataset; none = the bundled
list), so a rollback brings the previous list back with the rest of the version. An
emergency name a coordinator confirmed once is stored as an alias
(``maaor.emergencies.alias_key``) and applied to the next uploads.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import pandas as pd

from maaor.dataset import Dataset
from maaor.emergencies import (
    EDIT_FILE,
    FIELDS,
    Emergency,
    alias_key,
    check_rows,
    emergencies_of,
    emergency_by_id,
    table_rows,
    to_table,
)
from maaor.problems import Problem, problem
from maaor.textkey import match_key
from maaor.usecases.refusal import Refused, guarded

#: Headers a list file may use for each field (besides the field's own name), matched
#: by ``match_key``: what a coordinator types in a spreadsheet, in English and French.
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "identifier", "identifiant", "code"),
    "name_en": ("name en", "name (en)", "english name", "name", "nom en anglais"),
    "name_fr": ("name fr", "name (fr)", "french name", "nom", "nom en francais", "nom fr"),
    "countries": ("countries", "countries (iso3)", "iso3", "pays", "countries iso3"),
    "type": ("type",),
    "start_year": ("start year", "from", "first year", "active from", "debut", "annee de debut"),
    "end_year": ("end year", "to", "last year", "active to", "fin", "annee de fin"),
    "aliases": ("aliases", "other names", "alias", "autres noms"),
}


@dataclass(frozen=True)
class ListOutcome:
    """What :func:`publish_emergencies` did.

    Attributes:
        version: the published version, None when nothing was published.
        problems: the list's problems (nothing published while there are any).
        emergencies: the list as checked (the rows without errors).
    """

    version: int | None
    problems: tuple[Problem, ...] = ()
    emergencies: tuple[Emergency, ...] = field(default=())


def _store():
    from maaor.service import open_store

    return guarded(open_store)


def _version_list(version: int | None) -> tuple[int | None, tuple[Emergency, ...]]:
    store = _store()
    if version is None:
        version = guarded(store.current_version)
    if version is None:  # nothing published yet
        return None, emergencies_of(Dataset())
    return version, emergencies_of(guarded(lambda: store.load(version, only=("emergencies",))))


def emergency_list(version: int | None = None) -> tuple[Emergency, ...]:
    """Return the list of emergencies ``version`` carries (default: the current one;
    the bundled list when it carries none or nothing is published)."""
    return _version_list(version)[1]


def emergency_table(version: int | None = None) -> tuple[int | None, pd.DataFrame]:
    """Return the version read (None before any publish) and its list as the editor's
    table (countries and aliases "|"-joined)."""
    version, found = _version_list(version)
    table = to_table(found).astype("object")
    for column in ("countries", "aliases"):
        table[column] = table[column].map(lambda v: None if pd.isna(v) else v.replace("; ", "|"))
    return version, table.where(table.notna(), None)


def read_list_file(name: str, data: bytes) -> tuple[list[dict], dict[str, str], list[Problem]]:
    """Read a list of emergencies from a CSV or XLSX file (first sheet, header row first).

    Returns:
        ``(rows, labels, problems)``: one dict per row (keys of ``FIELDS``), the headers
        as written by field, and the problems of the file itself (unreadable, a needed
        column missing).
    """
    from maaor.read.precheck import precheck
    from maaor.sources import Source

    # The same bounds as any upload before a reader opens it (size, zip bombs, XML
    # entities): a list file is an upload too.
    refused = precheck(Source(name, data))
    if refused:
        return [], {}, refused
    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
        else:
            frame = pd.read_csv(io.BytesIO(data), dtype=object, encoding="utf-8-sig",
                                keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - the coordinator gets a plain problem
        return [], {}, [problem("error", "file.unreadable", {"reason": type(exc).__name__},
                                key="file.unreadable.reader", file=name)]
    wanted = {match_key(h): fld for fld, heads in HEADERS.items() for h in (fld, *heads)}
    labels: dict[str, str] = {}
    for header in frame.columns:
        fld = wanted.get(match_key(header))
        if fld and fld not in labels:
            labels[fld] = str(header)
    problems = [problem("error", "emergencies.column_missing", {"column": fld}, file=name,
                        column=fld)
                for fld in ("id", "name_en", "countries", "type") if fld not in labels]
    if problems:
        return [], labels, problems
    rows = [{fld: row[labels[fld]] if fld in labels else None for fld in FIELDS}
            for _, row in frame.iterrows()]
    return rows, labels, []


@dataclass(frozen=True)
class ListFile:
    """A list of emergencies read from a file and checked, not yet published
    (:func:`check_list_file`).

    Attributes:
        name: the file's name.
        version: the current version when it was checked (publishing it is refused if
            another became current since); None before any publish.
        rows: one dict per row (keys of ``FIELDS``).
        labels: the column headers as written, by field.
        problems: the file's and the list's problems (nothing can be published while
            one is an error).
        emergencies: the list as checked (the rows without errors).
    """

    name: str
    version: int | None
    rows: tuple[dict, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    emergencies: tuple[Emergency, ...] = ()

    @property
    def publishable(self) -> bool:
        """True when no problem blocks publishing."""
        return not any(p.blocks_publishing for p in self.problems)


def check_list_file(name: str, data: bytes) -> ListFile:
    """Read a list of emergencies from a CSV or XLSX file and check it, publishing
    nothing (the Coordinator page shows its problems first; ``maaor emergencies FILE``
    prints them).

    Raises:
        Refused: the store failed.
    """
    rows, labels, problems = read_list_file(name, data)
    found: tuple[Emergency, ...] = ()
    if not problems:
        found, problems = check_rows(rows, file=name, labels=labels)
    version = guarded(_store().current_version)
    return ListFile(name, version, tuple(rows), labels, tuple(problems), found)


def publish_list_file(checked: ListFile, *, by: str, note: str | None) -> ListOutcome:
    """Publish a list read by :func:`check_list_file` as a new version equal to the
    version it was checked on but for its list (:func:`publish_emergencies`).

    Raises:
        Refused: nothing published yet, no note, a conflict, or the store failed.
    """
    if not checked.publishable:
        return ListOutcome(None, checked.problems, checked.emergencies)
    return publish_emergencies(list(checked.rows), base_version=checked.version, by=by,
                               note=note, file=checked.name, labels=checked.labels)


def check_list(rows: list[dict], *, file: str = EDIT_FILE,
               labels: dict[str, str] | None = None) -> tuple[tuple[Emergency, ...], list[Problem]]:
    """Check a list of emergencies without publishing it (``maaor.emergencies.check_rows``)."""
    return check_rows(rows, file=file, labels=labels)


def publish_emergencies(rows: list[dict] | pd.DataFrame, *, base_version: int | None, by: str,
                        note: str | None, file: str = EDIT_FILE,
                        labels: dict[str, str] | None = None) -> ListOutcome:
    """Check an edited or uploaded list of emergencies and publish it as a new version
    (kind "edit") equal to ``base_version`` but for its list.

    Args:
        rows: one dict per emergency (keys of ``FIELDS``), or the editor's table.
        base_version: the version the list was edited on (the page's); publishing is
            refused if another version became current since (same transaction as the
            write). None: the current version (the CLI's file replaces its list).
        by: who publishes.
        note: the history note (required when the list changes).
        file: where the rows come from, for the problems (a file name or the editor).
        labels: the column headers as written, by field.

    Returns:
        The outcome: problems (nothing published), an unchanged list (no version), or
        the new version.

    Raises:
        Refused: nothing published yet, no note, a conflict, or the store failed.
    """
    from maaor.export.tables import csv_bytes
    from maaor.sources import Source
    from maaor.usecases.publishing import require_note, store_aggregates

    if isinstance(rows, pd.DataFrame):
        rows = table_rows(rows)
    found, problems = check_rows(rows, file=file, labels=labels)
    if problems:
        return ListOutcome(None, tuple(problems), found)
    store = _store()
    if base_version is None:
        base_version = guarded(store.current_version)
    if base_version is None:
        raise Refused("coord.emergencies.nothing_published")
    base = guarded(lambda: store.load(base_version))
    if found == emergencies_of(base):
        return ListOutcome(None, (), found)
    note = require_note(note)
    table = to_table(found)
    new = Dataset({**base.tables, "emergencies": table}, base.meta).with_meta(version=None)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    sources = [Source(n, d) for n, d in guarded(lambda: store.files(base_version))]
    sources.append(Source(f"emergencies-{stamp}.csv", csv_bytes(table)))
    version = guarded(lambda: store.publish(
        new, sources, by=by, note=note, kind="edit", parent=base_version,
        if_current=base_version,
    ))
    store_aggregates(version, new)
    return ListOutcome(version, (), found)


def save_emergency_name(name: str, emergency_id: str, *, by: str) -> None:
    """Store that the emergency name ``name`` (as written in a file) means the emergency
    ``emergency_id`` of the current list; the next uploads link such rows to it, with a
    note.

    Raises:
        Refused: the id is not in the current list, or the store failed.
    """
    if emergency_by_id(emergency_id, emergency_list()) is None:
        raise Refused("coord.emergency_names.unknown_id", id=emergency_id)
    store = _store()
    guarded(lambda: store.add_alias(alias_key(name), emergency_id, by))
