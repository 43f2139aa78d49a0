"""Validate a mapped sheet: typed canonical table + every problem, cell by cell.

The package, by concern: ``cells`` (one check per field type), ``kinds`` (the rules of
each kind of sheet), ``pcodes`` (country from P-codes), ``tables`` (checks across
sheets and files), ``sheet`` (the validator that runs them in order), ``collect``
(problems and row counts) and ``frames`` (column helpers).

:func:`validate_sheet` turns a :class:`~maaor.read.types.MappedSheet` into the table of
its kind (``maaor.dataset.TABLE_COLUMNS``) and a list of :class:`~maaor.problems.Problem`.
Every problem names the file, the sheet, the Excel row, the column as the user wrote it
and the value. Work is done per column and per distinct value (``maaor.normalise``), never
per row, so a 100,000-row sheet validates in seconds.

Severity policy
---------------
A row with an error is still loaded, with the bad cell blank, so the report is complete
and the figures can be previewed; but errors block publishing.

Errors (the dataset would be wrong or misleading):
    * ``excel.error_cell`` — a cell holds an Excel error (#REF!, #VALUE!, ...);
    * ``excel.formula_no_cache`` — a formula whose value was never stored;
    * ``value.missing`` — a required field is blank (work plan objective/output/activity
      IDs and activity; presence organisation and country; funding and FTS year and FTS
      country; indicator ID and name; mechanism country and name);
    * ``presence.duplicate_across_files`` — the same 4W row in two files or sheets;
    * ``workplan.duplicate_activity``, ``workplan.activity_not_under_output``,
      ``workplan.output_not_under_objective`` — the work plan hierarchy is broken;
    * ``money.text`` — text in a money column (a work-plan budget text is *moved* to the
      budget note instead — a note — unless the budget note is already filled);
    * ``money.negative``, ``number.text``, ``number.negative`` (people counts),
      ``percent.text``, ``percent.out_of_range`` (progress below 0 or above 100; percent
      funded only below 0), ``year.invalid``, ``bool.invalid``;
    * ``date.invalid`` — not a full date (a year or a month alone is not a date);
      ``date.end_before_start`` (the end/due date is blanked);
    * ``currency.unknown`` — a Currency cell or an amount naming a currency the
      dashboard cannot convert (the amount is left out);
    * ``country.unknown``, ``country.not_a_country`` ("Global" where a country is
      required);
    * ``pillar.unknown``, ``status.unknown``, ``channel.unknown``,
      ``disaggregation.unknown``, ``direction.unknown`` — a vocabulary value that names
      no code: the dashboard filters by code, so the row would silently vanish from
      every pillar or status view.

Warnings (the data are usable; the user should look):
    * ``org.unknown`` — organisation not in the directory (kept as written, with
      suggestions);
    * ``org_type.unknown`` — organisation type not recognised (the directory's type is
      used when it knows the organisation);
    * ``country.guessed`` — a country recognised by a pattern or close spelling;
    * ``date.month_first`` — "03/31/2019" read month-first; ``date.future`` — a report
      or update date after today;
    * ``currency.converted`` — amounts in another currency converted to US dollars at the
      annual average rate of their year (one warning per column, currency and year);
    * ``currency.no_rate`` — a funding amount whose year has no rate: left out of the
      dollar figures (blank), the amount as written kept beside;
    * ``money.not_usd`` — a work-plan or FTS amount in another currency without a year
      or a known currency: left out (blank), never counted as dollars;
    * ``pillar.unspecified`` — a humanitarian 3W's "Mine Action" sector or subsector with
      no pillar: loaded with the pillar "Mine action (unspecified)";
    * ``percent.fraction`` — the column held fractions (0.4) and was read as 40%;
    * ``coordinates.invalid``, ``coordinates.out_of_range``, ``coordinates.zero`` —
      coordinates blanked (they are optional, so never an error);
    * ``admin_code.invalid`` — an admin code such as "0" (blanked);
    * ``admin1.unknown`` — an admin-1 name or code the gazetteer does not know (kept as
      written, at country level on the map, with the closest areas);
    * ``presence.duplicate``, ``indicator.duplicate`` — the same row twice.

Notes: ``admin1.placed`` (rows without coordinates placed on their admin-1 area's
representative point), ``budget.moved_to_note``, ``org.remark`` (a bracketed remark in a Lead/Partners
cell, not loaded as an organisation), ``rows.no_values``.

Blank values are never problems unless the field is required: a blank FTS requirement
stays NaN (unknown), as FTS publishes it.

Problems of one rule in one column are listed for the first ``MAX_LISTED`` rows; one
more problem then says how many further rows have it, so a broken 100,000-row file does
not produce 100,000 objects. Row counts stay exact (see :func:`rows_loaded`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from maaor.orgs import OrgDirectory
from maaor.problems import Problem
from maaor.validate.collect import MAX_LISTED, RowCounts, rows_loaded
from maaor.validate.sheet import SheetValidator
from maaor.validate.tables import validate_tables

if TYPE_CHECKING:  # validation reads mapped sheets; it never calls the readers
    from maaor.read.types import MappedSheet


def validate_sheet(
    mapped: MappedSheet, orgs: OrgDirectory, *, today: dt.date | None = None,
    admin1_aliases: Mapping[tuple[str, str], str] | None = None,
    emergency_names: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate and normalise one mapped sheet.

    Args:
        mapped: the sheet with its columns mapped to fields (``read.headers.map_sheet``).
        orgs: the organisation directory (bundled plus coordinator aliases).
        today: reference date for "after today" checks; defaults to today.
        admin1_aliases: admin-1 names confirmed by a coordinator, (ISO3, folded name) ->
            the area's P-code or name (``maaor.gazetteer.split_aliases``).
        emergency_names: emergency names confirmed by a coordinator, ``match_key`` of
            the name -> emergency id (``maaor.emergencies.confirmed_names``); rows are
            linked to the list in use (``maaor.emergencies.active_emergencies``).

    Returns:
        ``(table, problems)``: the table conformed to ``TABLE_COLUMNS[mapped.kind]``
        (``_file``, ``_sheet``, ``_row`` filled; bad cells blank) and the problems, in
        rule order. ``rows_loaded(table)`` gives the row counts.
    """
    validator = SheetValidator(mapped, orgs, today or dt.date.today(), admin1_aliases,
                               emergency_names)
    return validator.run()


__all__ = ["MAX_LISTED", "RowCounts", "rows_loaded", "validate_sheet", "validate_tables"]
