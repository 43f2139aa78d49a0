"""Validate a mapped sheet: typed canonical table + every problem, cell by cell.

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
    * ``workplan.duplicate_activity``, ``workplan.activity_not_under_output``,
      ``workplan.output_not_under_objective`` — the work plan hierarchy is broken;
    * ``money.text`` — text in a money column (a work-plan budget text is *moved* to the
      budget note instead — a note — unless the budget note is already filled);
    * ``money.negative``, ``number.text``, ``number.negative`` (people counts),
      ``percent.text``, ``percent.out_of_range`` (progress below 0 or above 100; percent
      funded only below 0), ``year.invalid``, ``bool.invalid``;
    * ``date.invalid`` — not a full date (a year or a month alone is not a date);
      ``date.end_before_start`` (the end/due date is blanked);
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
    * ``money.not_usd`` — an amount in another currency (kept as written, not
      converted);
    * ``percent.fraction`` — the column held fractions (0.4) and was read as 40%;
    * ``coordinates.invalid``, ``coordinates.out_of_range``, ``coordinates.zero`` —
      coordinates blanked (they are optional, so never an error);
    * ``admin_code.invalid`` — an admin code such as "0" (blanked);
    * ``presence.duplicate``, ``indicator.duplicate`` — the same row twice.

Notes: ``budget.moved_to_note``, ``org.remark`` (a bracketed remark in a Lead/Partners
cell, not loaded as an organisation), ``rows.no_values``.

Blank values are never problems unless the field is required: a blank FTS requirement
stays NaN (unknown), as FTS publishes it.

Problems of one rule in one column are listed for the first ``MAX_LISTED`` rows; one
more problem then says how many further rows have it, so a broken 100,000-row file does
not produce 100,000 objects. Row counts stay exact (see :func:`rows_loaded`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from maaor import normalise as nz
from maaor import schema, vocab
from maaor.dataset import conform, join_list, split_list
from maaor.orgs import OrgDirectory, parse_org_cell
from maaor.problems import Problem, Severity
from maaor.read.types import MappedSheet

MAX_LISTED = 1000
#: Organisation suggestions must score above rapidfuzz WRatio's 85.5 for a mere shared
#: word ("Save the Children" ~ "UNICEF" scores 85.5).
SUGGEST_MIN_SCORE = 86.0

#: Field type (columns.csv) -> vocabulary of maaor.vocab.
_VOCAB_TYPES = {
    "pillar": "pillar",
    "wp_status": "wp_status",
    "presence_status": "presence_status",
    "org_type": "org_type",
    "channel": "channel",
    "disaggregation": "disaggregation",
    "direction": "direction",
}
_VOCAB_CODES = {
    "pillar": "pillar.unknown",
    "wp_status": "status.unknown",
    "presence_status": "status.unknown",
    "org_type": "org_type.unknown",
    "channel": "channel.unknown",
    "disaggregation": "disaggregation.unknown",
    "direction": "direction.unknown",
}
_VOCAB_NAMES = {
    "pillar": "mine action pillar",
    "wp_status": "work plan status",
    "presence_status": "status",
    "org_type": "organisation type",
    "channel": "funding channel",
    "disaggregation": "disaggregation",
    "direction": "direction",
}
#: Defaults filled where a vocabulary cell is blank.
_VOCAB_DEFAULTS = {("indicators", "disaggregation"): "total", ("indicators", "direction"): "increase"}
#: Percent fields that may exceed 100 (over-funding).
_UNBOUNDED_PERCENT = {("fts", "percent_funded")}
#: Dates after ``today`` are suspicious only for these (reporting) fields.
_REPORT_DATES = {("workplan", "last_update"), ("indicators", "as_of")}
#: (start field, end field) pairs per kind.
_DATE_PAIRS = {"workplan": ("start", "due"), "presence": ("start", "end")}
_ADMIN_CODES = ("admin1_code", "admin2_code")
_PERSON_SPLIT = re.compile(r"\s*[;,\n/]\s*")
_ID_NUMBER = re.compile(r"(\d+(?:\.\d+)*)")
_BAD_ADMIN_CODE = re.compile(r"^[\s0\-.–_/]*$|^(?:n/?a|none|null|nil)$", re.I)


class RowCounts(NamedTuple):
    """Rows of one sheet: read (data rows under the header), loaded (in the table),
    skipped (no value in any recognised column), with_errors (loaded rows having at
    least one error)."""

    read: int
    loaded: int
    skipped: int
    with_errors: int


def rows_loaded(table: pd.DataFrame) -> RowCounts:
    """Row counts of a table returned by :func:`validate_sheet`.

    :func:`validate_sheet` stores them in ``table.attrs["row_counts"]``; read them right
    away (pandas drops ``attrs`` through concat). Without them (a table from elsewhere),
    every row is counted as read and loaded. Equivalently, ``len(mapped.frame)`` is the
    number of rows read and ``len(table)`` the number loaded.
    """
    counts = table.attrs.get("row_counts")
    if isinstance(counts, RowCounts):
        return counts
    return RowCounts(len(table), len(table), 0, 0)


# ---------------------------------------------------------------------------------------
# Problem collection
# ---------------------------------------------------------------------------------------


@dataclass
class _Collector:
    file: str
    sheet: str | None
    rows: np.ndarray
    labels: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)
    listed: dict[tuple[str, str | None], int] = field(default_factory=dict)
    extra: dict[tuple[str, str | None], tuple[Severity, str, int]] = field(default_factory=dict)
    error_rows: np.ndarray | None = None

    def label(self, fld: str | None) -> str | None:
        if fld is None:
            return None
        return self.labels.get(fld, fld)

    def sheet_problem(self, severity: Severity, code: str, message: str, fix: str = "",
                      fld: str | None = None, value: str | None = None) -> None:
        self.problems.append(
            Problem(severity, code, message, fix, self.file, self.sheet, None, self.label(fld), value)
        )

    def rows_problem(
        self,
        severity: Severity,
        code: str,
        fld: str | None,
        mask,
        values,
        message: str | Callable[[str | None], str],
        fix: str = "",
        context=None,
    ) -> None:
        """One problem per True row of ``mask`` (the first ``MAX_LISTED`` per rule and
        column; the rest are counted in one summary problem).

        Args:
            values: per-row cell values (the problem's value), or None.
            message: text with ``{value}`` (and ``{context}``) placeholders, or a
                function of the value text.
            fix: text with the same placeholders.
            context: optional per-row values for ``{context}`` (e.g. the first row of a
                duplicate).
        """
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return
        if severity == "error":
            self.error_rows[positions] = True
        column = self.label(fld)
        key = (code, column)
        done = self.listed.get(key, 0)
        room = max(MAX_LISTED - done, 0)
        listed, rest = positions[:room], positions[room:]
        cache: dict[tuple, tuple[str, str]] = {}
        for pos in listed:
            value = None if values is None else values[pos]
            text_value = nz.cell_text(value)
            ctx = None if context is None else context[pos]
            if (text_value, ctx) not in cache:
                if callable(message):
                    msg = message(text_value)
                else:
                    msg = message.format(value=text_value, context=ctx)
                cache[(text_value, ctx)] = (msg, fix.format(value=text_value, context=ctx))
            msg, fx = cache[(text_value, ctx)]
            self.problems.append(
                Problem(severity, code, msg, fx, self.file, self.sheet, int(self.rows[pos]), column, text_value)
            )
        self.listed[key] = done + len(listed)
        if len(rest):
            self.count_more(severity, code, column, fix.format(value="the value", context="?"), len(rest))

    def count_more(self, severity: Severity, code: str, column: str | None, fix: str, count: int) -> None:
        """Count rows with a problem beyond the listed ones (reported by ``finish``)."""
        _, old_fix, old = self.extra.get((code, column), (severity, fix, 0))
        self.extra[(code, column)] = (severity, old_fix, old + count)

    def finish(self) -> list[Problem]:
        for (code, column), (severity, fix, count) in self.extra.items():
            self.problems.append(
                Problem(
                    severity,
                    code,
                    f"… and {count:,} more row{'s' if count != 1 else ''} with the same "
                    f"problem ({code}) in this column.",
                    fix,
                    self.file,
                    self.sheet,
                    None,
                    column,
                    None,
                )
            )
        return self.problems


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


_NO_TEXT = frozenset(
    {"empty", "floating", "integer", "mixed-integer-float", "decimal", "boolean",
     "datetime", "datetime64", "date", "time", "timedelta"}
)


def _blank_mask(s: pd.Series) -> np.ndarray:
    """True where a raw cell is None/NaN or whitespace-only text."""
    return _blank_and_factors(s)[0]


def _blank_and_factors(
    s: pd.Series,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """The blank mask of a raw column and, for a column holding text, its factorization
    ``(codes, uniques)`` (as ``normalise.text`` takes it), so that it is computed once."""
    if s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) in _NO_TEXT:
        # No text in the column: only missing values are blank.
        return s.isna().to_numpy(), None
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    flags = np.array(
        [isinstance(u, str) and not u.strip() for u in uniques] + [True], dtype=bool
    )
    return (flags[codes] if len(codes) else np.zeros(0, dtype=bool)), (codes, uniques)


def _obj(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=object)


def _id_number(s: pd.Series) -> pd.Series:
    """The dotted number of an ID ("SO1" -> "1", "Output 1.3" -> "1.3"); NaN if none."""
    return s.str.extract(_ID_NUMBER, expand=False)


def _not_under(child: pd.Series, parent: pd.Series) -> np.ndarray:
    """True where dotted number ``child`` is not below ``parent`` ("1.3.2" is below "1.3",
    "1.10.2" is not below "1.1"). Rows where either is missing, or where the child is
    numbered on its own ("2", not "1.2"), cannot be checked and are False."""
    pairs = pd.DataFrame({"c": child, "p": parent})
    checkable = (
        (child.notna() & parent.notna() & child.str.contains(".", regex=False)).fillna(False).to_numpy(dtype=bool)
    )
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs[checkable]))
    flags = np.array(
        [not (c.split(".")[: len(p.split("."))] == p.split(".") and c.count(".") > p.count("."))
         for c, p in uniques],
        dtype=bool,
    )
    out = np.zeros(len(child), dtype=bool)
    if len(codes):
        out[checkable] = flags[codes]
    return out


def _join_columns(*columns: pd.Series, exclude: pd.Series | None = None) -> pd.Series:
    """Row-wise join_list of several LIST_SEP-joined columns, minus ``exclude`` items.

    Vectorised over distinct combinations: the columns are glued with a separator that
    cannot occur in cell text, factorised, and each distinct combination is split once.
    """
    glue = "\x1f"
    parts = [c.fillna("").astype(str) for c in columns]
    if exclude is not None:
        parts.append(exclude.fillna("").astype(str))
    combined = parts[0]
    for p in parts[1:]:
        combined = combined + glue + p
    codes, uniques = pd.factorize(combined)
    out = []
    for u in uniques:
        pieces = u.split(glue)
        drop = set(split_list(pieces[-1])) if exclude is not None else set()
        items = [i for p in (pieces[:-1] if exclude is not None else pieces) for i in split_list(p)]
        out.append(join_list(i for i in items if i not in drop))
    arr = np.array([*out, np.nan], dtype=object)
    return pd.Series(arr[codes] if len(codes) else arr[:0], index=columns[0].index, dtype="str")


def _unknown_org_message(name: str | None, orgs: OrgDirectory) -> str:
    if name is None:
        return "Organisation not in the list of known organisations; kept as written."
    suggestions = [s for s, _ in orgs.suggest(name, limit=3, score_cutoff=SUGGEST_MIN_SCORE)]
    text = f"'{name}' is not in the list of known organisations; it was kept as written."
    if suggestions:
        text += " Did you mean: " + ", ".join(suggestions) + "?"
    return text


_UNKNOWN_ORG_FIX = (
    "Use the organisation's usual name or acronym, or ask the coordinator to add this "
    "spelling as an alias of the right organisation."
)


# ---------------------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------------------


class _SheetValidator:
    def __init__(self, mapped: MappedSheet, orgs: OrgDirectory, today: dt.date):
        self.mapped = mapped
        self.kind = mapped.kind
        self.orgs = orgs
        self.today = today
        self.specs = {s.field: s for s in schema.FIELDS[self.kind]}
        frame = mapped.frame.reset_index(drop=True)
        rows = np.asarray(mapped.rows, dtype=np.int64)
        self.rows_read = len(frame)
        frame, rows = self._blank_errors(frame, rows)
        blank: dict[str, np.ndarray] = {}
        factors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for c in frame.columns:
            blank[c], fac = _blank_and_factors(frame[c])
            if fac is not None:
                factors[c] = fac
        keep = ~self._all_blank(blank, len(frame))
        self.skipped = int((~keep).sum())
        self.frame = frame.loc[keep].reset_index(drop=True)
        self.rows = rows[keep]
        self.n = len(self.frame)
        self.index = self.frame.index
        new_position = np.cumsum(keep) - 1
        self._error_cells = [(int(new_position[p]), *rest) for p, *rest in self._error_cells]
        self.error_mask: dict[str, np.ndarray] = {}
        for p, fld, *_ in self._error_cells:
            self.error_mask.setdefault(fld, np.zeros(self.n, dtype=bool))[p] = True
        self.col = _Collector(mapped.file, mapped.sheet, self.rows, mapped.labels)
        self.col.error_rows = np.zeros(self.n, dtype=bool)
        self.out: dict[str, pd.Series] = {}
        self._unknown_pillar = np.zeros(self.n, dtype=bool)
        self._budget_failed = np.zeros(self.n, dtype=bool)
        # Blank raw cells per field (before parsing), for required-value checks.
        self.raw_blank: dict[str, np.ndarray] = {
            c: m[keep] for c, m in blank.items() if c in self.specs
        }
        # Factorizations of the kept rows of text columns, reused by ``_text``.
        self.raw_factors: dict[str, tuple[np.ndarray, np.ndarray]] = {
            c: (codes[keep], uniques)
            for c, (codes, uniques) in factors.items()
            if c in self.specs and isinstance(c, str)
        }

    def _text(self, fld: str) -> pd.Series:
        """``normalise.text`` of the raw column ``fld``, from its stored factorization."""
        return nz.text(self.frame[fld], factorized=self.raw_factors.get(fld))

    # -- preparation ----------------------------------------------------------------

    def _blank_errors(self, frame: pd.DataFrame, rows: np.ndarray):
        """Blank Excel error cells and uncached formulas (their problems come later)."""
        self._error_cells: list[tuple[int, str, str, str]] = []  # (pos, field, text, code)
        if not (self.mapped.error_cells or self.mapped.formula_no_cache) or not len(rows):
            return frame, rows
        position = pd.Index(rows)
        frame = frame.copy()
        for cells, code in ((self.mapped.error_cells, "excel.error_cell"),
                            (self.mapped.formula_no_cache, "excel.formula_no_cache")):
            by_field: dict[str, list[tuple[int, str]]] = {}
            for (excel_row, fld), txt in cells.items():
                by_field.setdefault(fld, []).append((excel_row, txt))
            for fld, items in by_field.items():
                if fld not in frame.columns:
                    continue
                pos = position.get_indexer([r for r, _ in items])
                found = pos >= 0
                pos = pos[found]
                texts = [t for (_, t), f in zip(items, found, strict=False) if f]
                frame.iloc[pos, frame.columns.get_loc(fld)] = None
                self._error_cells.extend((int(p), fld, t, code) for p, t in zip(pos, texts, strict=False))
        return frame, rows

    def _all_blank(self, masks: dict[str, np.ndarray], n: int) -> np.ndarray:
        blank = np.ones(n, dtype=bool)
        for mask in masks.values():
            blank &= mask
        if self._error_cells:
            blank[[p for p, *_ in self._error_cells]] = False
        return blank

    # -- entry ----------------------------------------------------------------------

    def run(self) -> tuple[pd.DataFrame, list[Problem]]:
        if self.skipped:
            self.col.sheet_problem(
                "note",
                "rows.no_values",
                f"{self.skipped:,} row{'s' if self.skipped != 1 else ''} with values only in "
                "columns maaor does not use were ignored.",
                "Move the values into the template columns if they should be loaded.",
            )
        self._excel_errors()
        for fld in self.frame.columns:
            spec = self.specs.get(fld)
            if spec is None:
                continue
            self._field(fld, spec.type)
        self._required()
        kind_checks = getattr(self, f"_kind_{self.kind}", None)
        if kind_checks is not None:
            kind_checks()
        self._date_pairs()
        table = pd.DataFrame(self.out, index=self.index)
        table["_file"] = self.mapped.file
        table["_sheet"] = self.mapped.sheet
        table["_row"] = pd.array(self.rows, dtype="Int64")
        table = conform(self.kind, table)
        problems = self.col.finish()
        table.attrs["row_counts"] = RowCounts(
            self.rows_read, len(table), self.skipped, int(self.col.error_rows.sum())
        )
        return table, problems

    # -- rules ----------------------------------------------------------------------

    def _excel_errors(self) -> None:
        for pos, fld, txt, code in self._error_cells:
            self.col.error_rows[pos] = True
            column = self.col.label(fld)
            key = (code, column)
            if self.col.listed.get(key, 0) >= MAX_LISTED:
                self.col.count_more("error", code, column, self._excel_fix(code), 1)
                continue
            self.col.listed[key] = self.col.listed.get(key, 0) + 1
            if code == "excel.error_cell":
                message = f"{txt} in {column}: the cell holds an Excel error."
            else:
                message = f"The formula {txt} in {column} has no stored value."
            self.col.problems.append(
                Problem("error", code, message, self._excel_fix(code), self.mapped.file,
                        self.mapped.sheet, int(self.rows[pos]), column, txt)
            )

    @staticmethod
    def _excel_fix(code: str) -> str:
        if code == "excel.error_cell":
            return "Fix the formula (or type the value) so the cell shows a value."
        return "Open the file in Excel and save it, so the values of formulas are stored."

    def _required(self) -> None:
        for fld, spec in self.specs.items():
            if not spec.required or fld not in self.raw_blank:
                continue
            # A cell holding an Excel error is reported as such, not as empty.
            mask = self.raw_blank[fld] & ~self.error_mask.get(fld, False)
            label = self.col.label(fld)
            self.col.rows_problem(
                "error",
                "value.missing",
                fld,
                mask,
                None,
                f"{label} is empty; every row needs one.",
                f"Fill in {label} for this row, or delete the row.",
            )

    def _field(self, fld: str, ftype: str) -> None:
        raw = self.frame[fld]
        handler = getattr(self, f"_type_{ftype}", None)
        if ftype in _VOCAB_TYPES:
            self._vocab(fld, ftype, raw)
        elif handler is not None:
            handler(fld, raw)
        else:
            self.out[fld] = self._text(fld)

    # text-like

    def _type_text(self, fld, raw):
        self.out[fld] = self._text(fld)

    _type_id = _type_text
    _type_person = _type_text

    def _type_personlist(self, fld, raw):
        cleaned = self._text(fld)
        codes, uniques = pd.factorize(cleaned)
        joined = [join_list(_PERSON_SPLIT.split(u)) for u in uniques]
        arr = np.array([*joined, np.nan], dtype=object)
        self.out[fld] = pd.Series(arr[codes] if len(codes) else arr[:0], index=self.index, dtype="str")

    def _type_pillarlist(self, fld, raw):
        # A list of pillars ("Land release; EORE"): each item read like a pillar cell.
        cleaned = self._text(fld)
        codes, uniques = pd.factorize(cleaned)
        joined, unknown_items = [], []
        for cell in uniques:
            items = [i for i in _PERSON_SPLIT.split(str(cell)) if i.strip()]
            found = [vocab.lookup("pillar", i) for i in items]
            joined.append(join_list([c for c in found if c]))
            unknown_items.append(", ".join(i for i, c in zip(items, found, strict=True) if not c))
        arr = np.array([*joined, np.nan], dtype=object)
        self.out[fld] = pd.Series(arr[codes] if len(codes) else arr[:0], index=self.index,
                                  dtype="str")
        bad = np.array([*(bool(u) for u in unknown_items), False])[codes] if len(codes) \
            else np.zeros(0, dtype=bool)
        allowed = ", ".join(vocab.label("pillar", c) for c in vocab.codes("pillar"))
        unknown_of = dict(zip(uniques, unknown_items, strict=True))
        self.col.rows_problem(
            "error", "pillar.unknown", fld, bad, _obj(raw),
            lambda value: (f"'{unknown_of.get(str(value).strip(), value)}' in '{value}' is not "
                           "a mine action pillar maaor knows."),
            "Separate pillars with ';' and use: " + allowed + ".",
        )

    def _type_orglist(self, fld, raw):
        # Handled per kind (work plan Lead/Partners); elsewhere a plain joined list.
        self.out[fld] = self._text(fld)

    def _type_org(self, fld, raw):
        written = self._text(fld)
        names, known = self.orgs.normalise(written)
        self.out[fld] = names
        if self.kind == "presence" and fld == "org":
            self.out["org_as_written"] = written
        unknown = (known == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        # One warning per distinct unknown name, at its first row: the coordinator
        # confirms a name once, so listing every repeat would only bury the others.
        first = unknown & ~written.duplicated().to_numpy()
        counts = written[unknown].value_counts().to_dict() if unknown.any() else {}

        def message(value, _counts=counts):
            n = _counts.get(value, 1)
            rows = f" It appears in {n} rows; this is the first." if n > 1 else ""
            return _unknown_org_message(value, self.orgs) + rows

        self.col.rows_problem(
            "warning", "org.unknown", fld, first, _obj(written), message, _UNKNOWN_ORG_FIX,
        )

    # numbers

    def _type_money(self, fld, raw):
        parsed = nz.parse_money(raw)
        values = parsed.values.where(~parsed.negative)
        failed = parsed.failed.to_numpy()
        if self.kind == "workplan" and fld == "budget_usd":
            self._budget_failed = failed  # settled in _kind_workplan, once the note is read
        else:
            self.col.rows_problem(
                "error", "money.text", fld, failed, _obj(raw),
                "'{value}' is not an amount in US dollars.",
                "Write only the amount, e.g. 40000 or USD 40,000; put explanations in a comment column.",
            )
        self.col.rows_problem(
            "error", "money.negative", fld, parsed.negative.to_numpy(), _obj(raw),
            "'{value}' is a negative amount.",
            "Amounts cannot be negative; write the amount without a minus sign.",
        )
        self.col.rows_problem(
            "warning", "money.not_usd", fld, parsed.non_usd.to_numpy(), _obj(raw),
            "'{value}' is not in US dollars; the number was kept as written, not converted.",
            "Convert the amount to US dollars.",
        )
        self.out[fld] = values

    def _budget_text(self, raw: pd.Series, failed: np.ndarray) -> None:
        """A text budget becomes the budget note (a note), unless the note is filled (an error)."""
        note = self.out.get("budget_note")
        if note is None:
            note = pd.Series(np.nan, index=self.index, dtype="str")
        note_blank = note.isna().to_numpy()
        move = failed & note_blank
        clash = failed & ~note_blank
        texts = nz.text(raw)
        self.out["budget_note"] = note.where(~pd.Series(move, index=self.index), texts)
        self.col.rows_problem(
            "note", "budget.moved_to_note", "budget_usd", move, _obj(raw),
            "The budget '{value}' is text, not an amount; it was kept as the budget note.",
            "Nothing to do if this budget has no amount; otherwise write the amount in "
            "the budget column and the explanation in the budget note.",
        )
        self.col.rows_problem(
            "error", "money.text", "budget_usd", clash, _obj(raw),
            "'{value}' is not an amount in US dollars, and the budget note is already filled.",
            "Write only the amount in the budget column and the explanation in the budget note.",
        )

    def _numbers(self, fld, raw, *, negative_is_error: bool):
        parsed = nz.parse_numbers(raw)
        self.col.rows_problem(
            "error", "number.text", fld, parsed.failed.to_numpy(), _obj(raw),
            "'{value}' is not a number.",
            "Write only a number (e.g. 1250); put explanations in a comment column.",
        )
        values = parsed.values
        if negative_is_error:
            negative = (values < 0).to_numpy()
            self.col.rows_problem(
                "error", "number.negative", fld, negative, _obj(raw),
                "'{value}' is negative; a count cannot be below zero.",
                "Write the count as a positive number.",
            )
            values = values.where(~negative)
        self.out[fld] = values

    def _type_count(self, fld, raw):
        self._numbers(fld, raw, negative_is_error=True)

    def _type_number(self, fld, raw):
        self._numbers(fld, raw, negative_is_error=False)

    def _type_percent(self, fld, raw):
        upper = None if (self.kind, fld) in _UNBOUNDED_PERCENT else 100.0
        parsed = nz.parse_percent(raw, upper=upper)
        self.col.rows_problem(
            "error", "percent.text", fld, parsed.failed.to_numpy(), _obj(raw),
            "'{value}' is not a percentage.",
            "Write a number between 0 and 100, e.g. 40 or 40%.",
        )
        bounds = "between 0 and 100" if upper is not None else "0 or more"
        self.col.rows_problem(
            "error", "percent.out_of_range", fld, parsed.out_of_range.to_numpy(), _obj(raw),
            "'{value}' is not a percentage " + bounds + ".",
            "Write a percentage " + bounds + ".",
        )
        if parsed.fraction:
            label = self.col.label(fld)
            self.col.sheet_problem(
                "warning", "percent.fraction",
                f"Every value in {label} is between 0 and 1; they were read as fractions "
                "(0.4 = 40%).",
                "If these are really below 1%, write them with a % sign (0.4%).",
                fld,
            )
        self.out[fld] = parsed.values.where(~parsed.out_of_range)

    def _type_year(self, fld, raw):
        parsed = nz.parse_years(raw)
        self.col.rows_problem(
            "error", "year.invalid", fld, parsed.failed.to_numpy(), _obj(raw),
            "'{value}' is not a year.",
            "Write the year with four digits, e.g. 2019.",
        )
        self.out[fld] = parsed.values

    def _type_bool(self, fld, raw):
        values, failed = nz.parse_bools(raw)
        self.col.rows_problem(
            "error", "bool.invalid", fld, failed.to_numpy(), _obj(raw),
            "'{value}' is not yes or no.",
            "Write yes or no.",
        )
        self.out[fld] = values

    def _type_date(self, fld, raw):
        parsed = nz.parse_dates(raw)
        self.col.rows_problem(
            "error", "date.invalid", fld, parsed.failed.to_numpy(), _obj(raw),
            "'{value}' is not a full date.",
            "Write a day, month and year, e.g. 31/03/2019 or 2019-03-31 (a year or a month "
            "alone is not enough), or use an Excel date cell.",
        )
        self.col.rows_problem(
            "warning", "date.month_first", fld, parsed.ambiguous.to_numpy(), _obj(raw),
            "'{value}' only makes sense as month/day/year and was read that way.",
            "Check the date; write dates day first (31/03/2019) or as 2019-03-31.",
        )
        values = parsed.values
        if (self.kind, fld) in _REPORT_DATES:
            future = (values > pd.Timestamp(self.today)).to_numpy()
            self.col.rows_problem(
                "warning", "date.future", fld, future, _obj(raw),
                "'{value}' is after today (" + self.today.isoformat() + ").",
                "Check the date.",
            )
        self.out[fld] = values

    def _type_country(self, fld, raw):
        parsed = nz.country_iso3(raw)
        self.col.rows_problem(
            "error", "country.unknown", fld, parsed.failed.to_numpy(), _obj(raw),
            "'{value}' is not a country maaor recognises.",
            "Write the country's English or French name (e.g. Iraq, Irak) or its ISO3 code (IRQ).",
        )
        self.col.rows_problem(
            "warning", "country.guessed", fld, parsed.guessed.to_numpy(), _obj(raw),
            "'{value}' was read as {context}.",
            "Check the country; write its name or ISO3 code to be sure.",
            context=_obj(parsed.values),
        )
        if self.specs[fld].required:
            self.col.rows_problem(
                "error", "country.not_a_country", fld, parsed.global_.to_numpy(), _obj(raw),
                "'{value}' is not a country; this row needs one.",
                "Write the country, or put global rows in a separate funding sheet.",
            )
        self.out[fld] = parsed.values

    def _coordinate(self, fld, raw, limit: float):
        parsed = nz.parse_coordinates(raw)
        self.col.rows_problem(
            "warning", "coordinates.invalid", fld, parsed.failed.to_numpy(), _obj(raw),
            "'{value}' is not a coordinate; it was left blank.",
            "Write decimal degrees, e.g. 8.25.",
        )
        values = parsed.values
        out = (values.abs() > limit).to_numpy()
        self.col.rows_problem(
            "warning", "coordinates.out_of_range", fld, out, _obj(raw),
            f"'{{value}}' is outside -{limit:g}..{limit:g}; the coordinates were left blank.",
            "Check the coordinates (latitude and longitude may be swapped).",
        )
        self.out[fld] = values.where(~out)

    def _type_latitude(self, fld, raw):
        self._coordinate(fld, raw, 90.0)

    def _type_longitude(self, fld, raw):
        self._coordinate(fld, raw, 180.0)

    def _vocab(self, fld, ftype, raw):
        name = _VOCAB_TYPES[ftype]
        codes = vocab.lookup_series(name, raw)
        unknown = codes.isna().to_numpy() & ~self.raw_blank[fld]
        default = _VOCAB_DEFAULTS.get((self.kind, fld))
        if default is not None:
            codes = codes.where(~pd.Series(self.raw_blank[fld], index=self.index), default)
        allowed = ", ".join(vocab.label(name, c) for c in vocab.codes(name))
        if ftype == "org_type":
            self.col.rows_problem(
                "warning", "org_type.unknown", fld, unknown, _obj(raw),
                "'{value}' is not an organisation type maaor knows; the type of the "
                "organisation in the directory is used where known.",
                "Use one of: " + allowed + ".",
            )
        elif ftype == "pillar" and self.kind == "presence":
            self._unknown_pillar = unknown
        else:
            self.col.rows_problem(
                "error", _VOCAB_CODES[ftype], fld, unknown, _obj(raw),
                "'{value}' is not a " + _VOCAB_NAMES[ftype] + " maaor knows.",
                "Use one of: " + allowed + ".",
            )
        self.out[fld] = codes

    # -- kinds ----------------------------------------------------------------------

    def _kind_workplan(self) -> None:
        self._workplan_orgs()
        if "budget_usd" in self.frame.columns:
            self._budget_text(self.frame["budget_usd"], self._budget_failed)
        self._workplan_hierarchy()

    def _workplan_orgs(self) -> None:
        has_partners_column = "partners" in self.frame.columns
        empty = pd.Series(np.nan, index=self.index, dtype="str")
        lead_parts = {"leads": empty, "partners": empty, "focal": empty}
        partner_parts = {"partners": empty, "focal": empty}
        tentative = pd.Series(pd.NA, index=self.index, dtype="boolean")
        for fld, role in (("leads", "lead" if has_partners_column else "auto"), ("partners", "partner")):
            if fld not in self.frame.columns:
                continue
            cells = self._text(fld)
            codes, uniques = pd.factorize(cells)
            parsed = [parse_org_cell(u, self.orgs, role=role) for u in uniques]

            def spread(values, fill=np.nan, dtype="str", codes=codes):
                arr = np.array([*values, fill], dtype=object)
                return pd.Series(arr[codes] if len(codes) else arr[:0], index=self.index, dtype=dtype)

            leads = spread([join_list(p.leads) for p in parsed])
            partners = spread([join_list(p.partners) for p in parsed])
            focal = spread([join_list(p.focal_points) for p in parsed])
            if fld == "leads":
                lead_parts = {"leads": leads, "partners": partners, "focal": focal}
                tentative = spread([bool(p.tentative) if p.leads else pd.NA for p in parsed],
                                   fill=pd.NA, dtype="boolean")
            else:
                # Everything in a Partners cell is a partner.
                partner_parts = {"partners": _join_columns(leads, partners), "focal": focal}
            self._org_cell_problems(fld, codes, parsed, cells)
        self.out["leads"] = lead_parts["leads"]
        self.out["partners"] = _join_columns(
            lead_parts["partners"], partner_parts["partners"], exclude=lead_parts["leads"]
        )
        self.out["lead_tentative"] = tentative
        existing = self.out.get("focal_points", empty)
        self.out["focal_points"] = _join_columns(existing, lead_parts["focal"], partner_parts["focal"])

    def _org_cell_problems(self, fld, codes, parsed, cells) -> None:
        by_name: dict[str, list[int]] = {}
        by_note: dict[str, list[int]] = {}
        for i, p in enumerate(parsed):
            for name in p.unknown:
                by_name.setdefault(name, []).append(i)
            for note in p.notes:
                by_note.setdefault(note, []).append(i)
        for name, cell_ids in by_name.items():
            mask = np.isin(codes, cell_ids)
            self.col.rows_problem(
                "warning", "org.unknown", fld, mask, np.full(self.n, name, dtype=object),
                lambda v: _unknown_org_message(v, self.orgs), _UNKNOWN_ORG_FIX,
            )
        for note, cell_ids in by_note.items():
            mask = np.isin(codes, cell_ids)
            self.col.rows_problem(
                "note", "org.remark", fld, mask, np.full(self.n, note, dtype=object),
                "The remark '{value}' was not loaded as an organisation.",
                "Move remarks to the comment column.",
            )

    def _workplan_hierarchy(self) -> None:
        act = self.out.get("activity_id")
        outp = self.out.get("output_id")
        obj = self.out.get("objective_id")
        if act is not None:
            dup = (act.duplicated(keep="first") & act.notna()).to_numpy()
            if dup.any():
                first_row = pd.Series(self.rows, index=self.index).groupby(act).transform("first")
                self.col.rows_problem(
                    "error", "workplan.duplicate_activity", "activity_id", dup, _obj(act),
                    "Activity {value} is listed twice (first in row {context}).",
                    "Give each activity its own number, or delete the repeated row.",
                    context=first_row.to_numpy(dtype=object),
                )
        for child, parent, code, child_field, names in (
            (act, outp, "workplan.activity_not_under_output", "activity_id", ("Activity", "output")),
            (outp, obj, "workplan.output_not_under_objective", "output_id", ("Output", "objective")),
        ):
            if child is None or parent is None:
                continue
            bad = _not_under(_id_number(child), _id_number(parent))
            self.col.rows_problem(
                "error", code, child_field, bad, _obj(child),
                names[0] + " {value} is not numbered under " + names[1] + " {context}: its "
                "number should start with {context}.",
                "Correct the number or the " + names[1] + " it is under. If Excel turned 1.10 "
                "into 1.1, format the ID columns as text.",
                context=_obj(parent),
            )

    def _kind_presence(self) -> None:
        pillar = self.out.get("pillar")
        if "activity" in self.frame.columns:
            from_activity = vocab.lookup_series("pillar", self.frame["activity"])
            if pillar is None:
                pillar = from_activity
            else:
                blank = pd.Series(self.raw_blank["pillar"], index=self.index)
                pillar = pillar.where(~blank, from_activity)
            self.out["pillar"] = pillar
        if "pillar" in self.frame.columns:
            unknown = self._unknown_pillar
            allowed = ", ".join(vocab.label("pillar", c) for c in vocab.codes("pillar"))
            self.col.rows_problem(
                "error", "pillar.unknown", "pillar", unknown, _obj(self.frame["pillar"]),
                "'{value}' is not a mine action pillar maaor knows.",
                "Use one of: " + allowed + ".",
            )
        if "org" in self.out:
            org_type = self.out.get("org_type", pd.Series(np.nan, index=self.index, dtype="str"))
            missing = org_type.isna()
            if missing.any():
                names = self.out["org"]
                codes, uniques = pd.factorize(names[missing])
                types = np.array([*[self.orgs.org_type(u) for u in uniques], None], dtype=object)
                org_type = org_type.copy()
                org_type[missing] = types[codes]
            self.out["org_type"] = org_type.astype("str")
        self._coordinate_pairs()
        self._admin_codes()
        if "country_iso3" not in self.frame.columns:
            self._country_from_pcodes()
        self._duplicates(
            "presence.duplicate",
            ["org", "country_iso3", "admin1", "admin1_code", "admin2", "admin2_code", "pillar", "activity"],
            "org",
            "The same organisation, place and activity already appear in row {context}.",
            "Delete the repeated row, or tell the rows apart (place, activity).",
        )

    def _coordinate_pairs(self) -> None:
        if "lat" not in self.out or "lon" not in self.out:
            return
        lat, lon = self.out["lat"], self.out["lon"]
        zero = ((lat == 0) & (lon == 0)).to_numpy()
        self.col.rows_problem(
            "warning", "coordinates.zero", "lat", zero, _obj(self.frame["lat"]),
            "Latitude and longitude are both 0 (a point in the ocean); they were left blank.",
            "Write the coordinates of the place, or leave both cells empty.",
        )
        one_missing = (lat.isna() ^ lon.isna()).to_numpy()
        blank = pd.Series(zero | one_missing, index=self.index)
        self.out["lat"] = lat.where(~blank)
        self.out["lon"] = lon.where(~blank)

    def _country_from_pcodes(self) -> None:
        """Fill the country of a sheet with no country column from its P-codes.

        OCHA P-codes start with the country's ISO3 (VUT0104002) or ISO2 (AF0101) code.
        Rows whose code is blank or invalid take the country of the other rows when the
        whole sheet names one country, with a warning; otherwise they are errors.
        """
        codes = None
        for fld in ("admin2_code", "admin1_code"):
            if fld in self.out:
                col = self.out[fld]
                codes = col if codes is None else codes.fillna(col)
        if codes is None:
            return
        prefix3 = codes.str.slice(0, 3).str.upper()
        prefix2 = codes.str.slice(0, 2).str.upper()
        iso3 = nz.country_iso3(prefix3.where(prefix3.str.fullmatch(r"[A-Z]{3}").fillna(False)))
        values = iso3.values.where(~iso3.failed & ~iso3.guessed)
        from_iso2 = nz.country_iso3(prefix2.where(prefix2.str.fullmatch(r"[A-Z]{2}").fillna(False)))
        values = values.fillna(from_iso2.values.where(~from_iso2.failed & ~from_iso2.guessed))
        found = values.dropna().unique()
        missing = values.isna().to_numpy()
        code_fld = "admin2_code" if "admin2_code" in self.out else "admin1_code"
        raw_codes = _obj(self.frame[code_fld]) if code_fld in self.frame.columns else None
        if len(found) == 1:
            self.col.sheet_problem(
                "note", "country.from_pcode",
                f"There is no country column; the country was taken from the P-codes: {found[0]}.",
                "Add a Country column to say it explicitly.",
                fld=code_fld,
            )
            self.col.rows_problem(
                "warning", "country.from_file", code_fld, missing, raw_codes,
                "This row has no valid P-code ('{value}'); it was given the sheet's country, "
                + str(found[0]) + ".",
                "Write the row's P-code or add a Country column.",
            )
            values = values.fillna(found[0])
        else:
            self.col.rows_problem(
                "error", "country.missing", code_fld, missing, raw_codes,
                "This row has no country and its P-code ('{value}') names none.",
                "Add a Country column, or write the row's P-code.",
            )
        self.out["country_iso3"] = values.astype("str")

    def _admin_codes(self) -> None:
        for fld in _ADMIN_CODES:
            if fld not in self.out:
                continue
            codes = self.out[fld]
            # The pattern runs once per distinct code, not once per row.
            idx, uniques = pd.factorize(codes, use_na_sentinel=True)
            flags = np.zeros(len(uniques) + 1, dtype=bool)
            flags[: len(uniques)] = [_BAD_ADMIN_CODE.fullmatch(u) is not None for u in uniques]
            bad = flags[idx] if len(idx) else np.zeros(0, dtype=bool)
            self.col.rows_problem(
                "warning", "admin_code.invalid", fld, bad, _obj(codes),
                "'{value}' is not a valid admin code; it was left blank.",
                "Write the P-code of the place (e.g. VUT0104002), or leave the cell empty.",
            )
            self.out[fld] = codes.where(~pd.Series(bad, index=self.index))

    def _duplicates(self, code: str, keys: list[str], fld: str, message: str, fix: str) -> None:
        present = [k for k in keys if k in self.out]
        if not present or fld not in self.out:
            return
        frame = pd.DataFrame({k: self.out[k] for k in present})
        dup = frame.duplicated(keep="first").to_numpy()
        if not dup.any():
            return
        group = frame.groupby(present, dropna=False, sort=False).ngroup()
        first = pd.Series(self.rows, index=self.index).groupby(group).transform("first")
        self.col.rows_problem(
            "warning", code, fld, dup, _obj(self.out[fld]), message, fix,
            context=first.to_numpy(dtype=object),
        )

    def _kind_indicators(self) -> None:
        self._duplicates(
            "indicator.duplicate",
            ["indicator_id", "country_iso3", "year", "disaggregation"],
            "indicator_id",
            "Indicator {value} has the same country, year and disaggregation as row {context}.",
            "Delete the repeated row or correct its country, year or disaggregation.",
        )

    def _date_pairs(self) -> None:
        pair = _DATE_PAIRS.get(self.kind)
        if pair is None:
            return
        start_f, end_f = pair
        if start_f not in self.out or end_f not in self.out:
            return
        start, end = self.out[start_f], self.out[end_f]
        before = (end < start).to_numpy()
        start_label = self.col.label(start_f)
        self.col.rows_problem(
            "error", "date.end_before_start", end_f, before, _obj(self.frame[end_f]),
            f"'{{value}}' is before {start_label}; it was left blank.",
            f"Correct {self.col.label(end_f)} or {start_label}.",
        )
        self.out[end_f] = end.where(~pd.Series(before, index=self.index))


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


def validate_sheet(
    mapped: MappedSheet, orgs: OrgDirectory, *, today: dt.date | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate and normalise one mapped sheet.

    Args:
        mapped: the sheet with its columns mapped to fields (``read.headers.map_sheet``).
        orgs: the organisation directory (bundled plus coordinator aliases).
        today: reference date for "after today" checks; defaults to today.

    Returns:
        ``(table, problems)``: the table conformed to ``TABLE_COLUMNS[mapped.kind]``
        (``_file``, ``_sheet``, ``_row`` filled; bad cells blank) and the problems, in
        rule order. ``rows_loaded(table)`` gives the row counts.
    """
    validator = _SheetValidator(mapped, orgs, today or dt.date.today())
    return validator.run()


def validate_tables(tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Checks across sheets and files, after every sheet was validated.

    * ``workplan.duplicate_activity`` (error): one activity ID in two files or sheets;
    * ``presence.no_mechanism`` (note): a country with presence rows but no coordination
      mechanism (only when a mechanisms table was loaded).

    Args:
        tables: the concatenated canonical tables (name -> frame with provenance).

    Returns:
        The problems found.
    """
    problems: list[Problem] = []
    wp = tables.get("workplan")
    if wp is not None and len(wp) and "activity_id" in wp:
        ids = wp.loc[wp["activity_id"].notna(), ["activity_id", "_file", "_sheet", "_row"]]
        source = ids["_file"].fillna("").astype(str) + "\x1f" + ids["_sheet"].fillna("").astype(str)
        first_source = source.groupby(ids["activity_id"]).transform("first")
        elsewhere = ids[source != first_source]
        first = ids.groupby("activity_id").first()
        label = schema.spec("workplan", "activity_id").label
        for activity_id, file, sheet, row in elsewhere.head(MAX_LISTED).itertuples(index=False):
            f = first.loc[activity_id]
            where = str(f["_file"]) + (f" › {f['_sheet']}" if pd.notna(f["_sheet"]) else "")
            problems.append(
                Problem(
                    "error",
                    "workplan.duplicate_activity",
                    f"Activity {activity_id} is also in {where} (row {f['_row']}).",
                    "Load each work plan once, or renumber one of the activities.",
                    str(file),
                    None if pd.isna(sheet) else str(sheet),
                    None if pd.isna(row) else int(row),
                    label,
                    str(activity_id),
                )
            )
    presence = tables.get("presence")
    mechanisms = tables.get("mechanisms")
    if presence is not None and mechanisms is not None and len(presence) and len(mechanisms):
        covered = set(mechanisms["country_iso3"].dropna())
        countries = presence["country_iso3"].dropna()
        for iso3 in sorted(set(countries) - covered):
            first = presence[presence["country_iso3"] == iso3].iloc[0]
            problems.append(
                Problem(
                    "note",
                    "presence.no_mechanism",
                    f"Operators are present in {iso3} but no coordination mechanism is listed there.",
                    "Add the country's mechanism to the mechanisms sheet if there is one.",
                    str(first["_file"]),
                    None if pd.isna(first["_sheet"]) else str(first["_sheet"]),
                    None,
                    None,
                    iso3,
                )
            )
    return problems


__all__ = ["MAX_LISTED", "RowCounts", "rows_loaded", "validate_sheet", "validate_tables"]
