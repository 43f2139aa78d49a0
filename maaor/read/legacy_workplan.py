"""The coordinator's narrative work plan: a Word table pasted into Excel.

Layout (the 2018-2019 work plan): a header row ``Output | Activity | Lead and Partners |
Budget``; objective rows ("Strategic Objective 1 - Coordinated Field Support: ...")
merged across the table; numbered outputs ("1.3 Mine Action is ...") whose cell is
merged down over their activities; numbered activities ("1.3.1 Update ...", several may
share one cell); a "Lead and Partners" cell with the lead in bold, partners after it and
people in brackets, merged down when it covers several activities; a "Budget" cell that
is an amount, a remark or empty, merged down when several activities share it.

Values come from the RawSheet grid (calamine); merged ranges and bold runs, which
calamine does not give, come from openpyxl for this layout only.

The reader only reads: it turns the narrative into a :class:`~maaor.read.types.MappedSheet`
(one row per activity, the fields of the tidy work plan) that goes through the same
validation as every other sheet (``maaor.validate``), which checks the numbering, the
duplicates, the amounts and the texts.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from maaor import columns as column_specs
from maaor.dataset import join_list
from maaor.normalise import parse_money_text
from maaor.normalise import text as clean_text
from maaor.orgs import OrgDirectory, parse_org_cell
from maaor.problems import Problem, problem
from maaor.read.excel import column_letter
from maaor.read.headers import column_placements, placement_problems
from maaor.read.types import MappedSheet, RawSheet
from maaor.sources import Source
from maaor.textkey import match_key

# Header words (match_key) of each column of the narrative table, EN/FR.
_HEADER_KEYS: dict[str, frozenset[str]] = {
    "output": frozenset(
        {"output", "outputs", "produit", "produits", "extrant", "extrants", "resultat",
         "resultats", "resultatattendu", "resultatsattendus"}
    ),
    "activity": frozenset({"activity", "activities", "activite", "activites"}),
    "lead": frozenset(
        {"leadandpartners", "leadpartners", "leadandpartner", "leadsandpartners", "lead",
         "leads", "leadandpartnerorganisations", "responsableetpartenaires",
         "responsablesetpartenaires", "chefdefileetpartenaires", "leadetpartenaires",
         "responsable", "chefdefile"}
    ),
    "budget": frozenset({"budget", "budgetusd", "budgetus", "budgetdollars", "cout", "couts"}),
}  # fmt: skip
_ROLES = ("output", "activity", "lead", "budget")
# Header words of a tidy work plan: numbers in ID columns of their own.
_TIDY_ID_KEYS = frozenset(
    {"objectiveid", "outputid", "activityid", "outputno", "activityno", "outputnumber",
     "activitynumber", "idactivite", "idproduit", "numeroactivite", "numeroproduit"}
)  # fmt: skip
#: Fields of the tidy layout that a narrative table does not have.
_TIDY_FIELDS = frozenset(
    {"status", "progress", "start", "due", "last_update", "funded_usd", "partners",
     "comment", "focal_points", "budget_note"}
)  # fmt: skip
_HEADER_SCAN_ROWS = 40
_HEADER_SCAN_COLS = 30
# A narrative work plan is a few pages long; beyond these it is not one (or is hostile).
MAX_ROWS = 5_000
MAX_FORMAT_BYTES = 20 * 1024 * 1024

_OBJECTIVE = re.compile(
    r"^\s*(?:strategic\s+objective|objectif\s+strat[ée]gique|objective|objectif|so|os)"
    r"\s*(?:n[°o.]?\s*)?(\d+)\s*[-–—:.]?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_OUTPUT_NUMBER = re.compile(r"^\s*(\d+\.\d+)[.:)]?(?=\s|$)")
_ACTIVITY_NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+\.\d+)[.:)]?(?=\s|$)")
_SENTENCE_END = ".;:!?)\n"


@dataclass
class _Activity:
    activity_id: str
    text: str
    row: int
    output: _Output


@dataclass
class _Span:
    """A lead or budget cell: its text, the rows it covers, its formatting."""

    first: int
    last: int
    text: str
    bold: list[bool] | None = None
    value: object = None  # raw value (budget cells may hold numbers)


@dataclass
class _Output:
    output_id: str
    text: str
    row: int
    objective: dict | None
    activities: list[_Activity] = field(default_factory=list)


@dataclass
class _Format:
    """Merged ranges and rich text of one sheet (from openpyxl)."""

    merges: dict[tuple[int, int], tuple[int, int, int, int]] = field(default_factory=dict)
    sheet: object = None

    def span(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """(min_row, max_row, min_col, max_col) of the merge whose top-left is (row, col)."""
        return self.merges.get((row, col))

    def bold(self, row: int, col: int, text: str) -> list[bool] | None:
        """Per-character bold flags of a cell aligned with ``text``; None if unknown."""
        if self.sheet is None:
            return None
        try:
            cell = self.sheet.cell(row=row, column=col)
            value = cell.value
            cell_bold = bool(cell.font is not None and cell.font.b)
        except Exception:  # noqa: BLE001 - formatting is optional; values are already read
            return None
        chars: list[str] = []
        flags: list[bool] = []
        if isinstance(value, str):
            chars.append(value)
            flags.extend([cell_bold] * len(value))
        elif value is not None and hasattr(value, "__iter__"):
            for run in value:
                if isinstance(run, str):
                    chars.append(run)
                    flags.extend([cell_bold] * len(run))
                else:
                    run_text = getattr(run, "text", "") or ""
                    font = getattr(run, "font", None)
                    b = getattr(font, "b", None)
                    chars.append(run_text)
                    flags.extend([cell_bold if b is None else bool(b)] * len(run_text))
        else:
            return None
        full = "".join(chars).replace("\r\n", "\n")
        if full != text or not any(flags):
            return None
        return flags


def _load_format(source: Source, sheet_name: str | None) -> tuple[_Format, list[Problem]]:
    fmt = _Format()
    if source.suffix not in (".xlsx", ".xlsm") or sheet_name is None:
        return fmt, []
    if len(source.data) > MAX_FORMAT_BYTES:
        return fmt, [
            problem("note", "legacy.no_formatting", key="legacy.no_formatting.too_large",
                    file=source.name, sheet=sheet_name)
        ]
    try:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(source.data), rich_text=True)
        ws = wb[sheet_name]
    except Exception:  # noqa: BLE001 - without formatting the values still load
        return fmt, [
            problem("note", "legacy.no_formatting", file=source.name, sheet=sheet_name)
        ]
    fmt.sheet = ws
    for rng in ws.merged_cells.ranges:
        fmt.merges[(rng.min_row, rng.min_col)] = (rng.min_row, rng.max_row, rng.min_col, rng.max_col)
    return fmt, []


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _find_header(cells: pd.DataFrame) -> tuple[int, dict[str, int]] | None:
    """(grid row, role -> grid column) of the narrative header row, or None."""
    for i in range(min(len(cells), _HEADER_SCAN_ROWS)):
        roles: dict[str, int] = {}
        for j, value in enumerate(cells.iloc[i, :_HEADER_SCAN_COLS].tolist()):
            key = match_key(_cell_text(value))
            for role, keys in _HEADER_KEYS.items():
                if key in keys and role not in roles:
                    roles[role] = j
        if {"output", "activity", "lead"} <= roles.keys():
            return i, roles
    return None


def _numbered_under_header(raw: RawSheet) -> list | None:
    """The header row's values when ``raw`` has an Output/Activity/Lead header with
    numbered outputs or activities opening the texts under it (not in ID columns of
    their own); None otherwise."""
    cells = raw.cells
    if cells is None or cells.empty:
        return None
    found = _find_header(cells)
    if found is None:
        return None
    header, roles = found
    header_values = cells.iloc[header, :_HEADER_SCAN_COLS].tolist()
    if any(match_key(_cell_text(v)) in _TIDY_ID_KEYS for v in header_values):
        return None
    below = cells.iloc[header + 1 : header + 1 + 200]
    outputs = below.iloc[:, roles["output"]].map(_cell_text)
    activities = below.iloc[:, roles["activity"]].map(_cell_text)
    numbered_outputs = outputs.str.match(_OUTPUT_NUMBER.pattern + r"\s*\S").sum()
    numbered_activities = activities.str.contains(r"^\s*\d+\.\d+\.\d+", regex=True).sum()
    # A tidy sheet has the numbers alone in ID columns; here they open the text.
    return header_values if numbered_outputs + numbered_activities else None


def _has_tidy_columns(header_values: list) -> bool:
    """Two or more columns only a tidy work plan has (status, progress, dates, partners,
    comments ...): the sheet is a table with one row per activity, not a narrative."""
    fields = {column_specs.header_field("workplan", _cell_text(v)) for v in header_values}
    return len(fields & _TIDY_FIELDS) >= 2


def is_legacy_workplan(raw: RawSheet) -> bool:
    """True when ``raw`` is a narrative work plan: an Output/Activity/Lead and Partners
    header (EN or FR), numbered outputs ("1.3 ...") or activities ("1.3.1 ...") in the
    text under it, not in ID columns of their own, and none of the columns of the tidy
    layout (status, progress, dates, partners, comments)."""
    header_values = _numbered_under_header(raw)
    return header_values is not None and not _has_tidy_columns(header_values)


def is_numbered_workplan_table(raw: RawSheet) -> bool:
    """True when ``raw`` is a tidy work plan (one row per activity, with the columns of
    the tidy layout) whose numbers open the texts instead of standing in ID columns; it
    is read as a table (``maaor.read.headers.map_sheet`` with kind ``workplan``), so its
    status, progress, dates, partners and comments are kept."""
    header_values = _numbered_under_header(raw)
    return header_values is not None and _has_tidy_columns(header_values)


def _split_objective(text: str) -> tuple[str, str, str] | None:
    """(id, title, description) of an objective header text, or None."""
    m = _OBJECTIVE.match(text)
    if m is None:
        return None
    rest = m.group(2).strip()
    first_line, _, other_lines = rest.partition("\n")
    if ":" in first_line:
        title, _, desc = rest.partition(":")
    else:
        title, desc = first_line, other_lines
    return m.group(1), " ".join(title.split()).strip(" -–—"), " ".join(desc.split())


def _split_activities(text: str) -> list[tuple[str | None, str]]:
    """Numbered items of an activity cell: [(id or None for leading text, text)]."""
    starts: list[re.Match] = []
    for m in _ACTIVITY_NUMBER.finditer(text):
        before = text[: m.start()].rstrip(" \t")
        if not before or before[-1] in _SENTENCE_END:
            starts.append(m)
    items: list[tuple[str | None, str]] = []
    lead = text[: starts[0].start()] if starts else text
    if lead.strip():
        items.append((None, lead))
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        items.append((m.group(1), text[m.end() : end]))
    return items


def _continue(text: str, more: str) -> str:
    """Join text continued on the next row: "up-to-" + "date" gives "up-to-date"."""
    head = text.rstrip()
    if head.endswith("-") and not head.endswith(" -"):
        return head + more.lstrip()
    return text + "\n" + more


def _budget_parts(value, text: str) -> tuple[float | None, str | None]:
    """(amount, note) of a budget cell: an amount, or any other text as a note."""
    if not text.strip():
        return None, None
    amount = parse_money_text(value if not isinstance(value, str) else text)
    if amount is not None:
        return amount, None
    return None, " ".join(text.split())


def map_legacy_workplan(
    source: Source, raw: RawSheet, directory: OrgDirectory
) -> tuple[MappedSheet | None, list[Problem]]:
    """Read a narrative work plan into a mapped work-plan sheet.

    Args:
        source: the workbook (its bytes give merged cells and bold runs).
        raw: the sheet's values as read by ``maaor.read.excel``.
        directory: organisations, to tell the lead, the partners and the people of the
            "Lead and Partners" cells (the lead is in bold).

    Returns:
        ``(mapped, problems)``: ``mapped`` has one row per activity (``rows`` = the Excel
        row of each activity) with the work-plan fields, lead and partner cells already
        split (``orgs_resolved``); None when no activity could be read (with an error
        saying why). Validate it with ``maaor.validate.validate_sheet``.
    """
    return _Reader(source, raw.sheet, raw, directory).read()


class _Reader:
    """One pass over the rows under the header, then one table."""

    def __init__(self, source: Source, sheet_name: str | None, raw: RawSheet, directory: OrgDirectory):
        self.source = source
        self.sheet = sheet_name
        self.raw = raw
        self.directory = directory
        self.problems: list[Problem] = []
        self.objectives: list[dict] = []
        self.outputs: list[_Output] = []
        self.activities: list[_Activity] = []
        self.spans: dict[str, list[_Span]] = {"lead": [], "budget": []}
        self.ignored: list[int] = []
        self.blank_since_data = False
        self.roles: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self.fmt = _Format()

    def problem(self, severity, code, params=None, row=None, column=None, value=None,
                key=None) -> None:
        """Add the problem ``code`` (message ``key``, default ``code``) of this sheet."""
        self.problems.append(
            problem(severity, code, params, key=key, file=self.source.name, sheet=self.sheet,
                    row=row, column=column, value=None if value is None else str(value))
        )

    def empty(self) -> tuple[None, list[Problem]]:
        return None, self.problems

    def read(self) -> tuple[MappedSheet | None, list[Problem]]:
        cells = self.raw.cells
        found = _find_header(cells) if cells is not None and not cells.empty else None
        if found is None:
            self.problem(
                "error",
                "legacy.no_header",
            )
            return self.empty()
        header, self.roles = found
        header_row = self.raw.first_row + header
        if len(cells) - header - 1 > MAX_ROWS:
            self.problem(
                "error",
                "legacy.too_large",
                {"limit": {"number": MAX_ROWS}},
                header_row,
            )
            return self.empty()
        self.header_row = header_row
        self.labels = {role: _cell_text(cells.iat[header, col]).strip() for role, col in self.roles.items()}
        self.fmt, fmt_problems = _load_format(self.source, self.sheet)
        self.problems.extend(fmt_problems)
        for i in range(header + 1, len(cells)):
            self.row(i)
        self.report_structure()
        if not self.activities:
            self.problem(
                "error",
                "legacy.empty",
                None,
                header_row,
            )
            return self.empty()
        return self.mapped(), self.problems

    # ----------------------------------------------------------------- one row

    def value(self, i: int, role: str):
        col = self.roles.get(role)
        return None if col is None else self.raw.cells.iat[i, col]

    def row(self, i: int) -> None:
        cells = self.raw.cells
        excel_row = self.raw.first_row + i
        texts = {role: _cell_text(self.value(i, role)) for role in _ROLES}
        row_values = [_cell_text(v) for v in cells.iloc[i].tolist()]
        if not any(t.strip() for t in row_values):
            if self.outputs or self.objectives:
                self.blank_since_data = True
            return
        table_cols = sorted(self.roles.values())
        filled = [j for j in table_cols if row_values[j].strip()]
        only_first = len(filled) == 1
        merged_full = False
        if filled:
            span = self.fmt.span(excel_row, filled[0] + 1)
            merged_full = bool(span and span[3] > span[2] and span[0] == span[1])
        first_text = row_values[filled[0]] if filled else ""
        if (only_first or merged_full) and not texts["activity"].strip():
            objective = _split_objective(first_text)
            if objective is not None:
                oid, title, desc = objective
                self.objectives.append({"objective_id": oid, "objective": title or None, "objective_text": desc})
                self.blank_since_data = False
                return

        new_output = False
        if texts["output"].strip():
            handled = self.output_cell(texts["output"], excel_row, only_first, merged_full)
            if handled is None:
                return
            new_output = handled
        elif self.blank_since_data and not texts["activity"].strip():
            self.ignored.append(excel_row)
            return
        row_activities = self.activity_cell(texts["activity"], excel_row, new_output)
        for role in ("lead", "budget"):
            if role in self.roles and texts[role].strip():
                self.span_cell(role, i, texts[role], excel_row, bool(row_activities) or new_output)

    def output_cell(self, text: str, excel_row: int, only_first: bool, merged_full: bool) -> bool | None:
        """Handle an Output cell: True = a new output, False = continued, None = row done."""
        m = _OUTPUT_NUMBER.match(text)
        if m is not None:
            current = self.objectives[-1] if self.objectives else None
            output_id = m.group(1)
            # Numbers that do not fit their objective are checked by validation, as in a
            # tidy work plan.
            self.outputs.append(_Output(output_id, text[m.end() :], excel_row, current))
            self.blank_since_data = False
            return True
        if only_first and (merged_full or self.blank_since_data or not self.outputs):
            current = self.objectives[-1] if self.objectives else None
            if current is not None and not self.blank_since_data and not any(
                o.objective is current for o in self.outputs
            ):
                # The objective's description on a row of its own, under its title.
                current["objective_text"] = " ".join(f"{current['objective_text']} {text}".split())
            else:
                self.ignored.append(excel_row)
            return None
        if self.outputs:
            self.outputs[-1].text = _continue(self.outputs[-1].text, text)
            return False
        self.problem(
            "error",
            "legacy.output_unnumbered",
            None,
            excel_row, self.labels["output"], text.strip(),
        )
        return None

    def activity_cell(self, text: str, excel_row: int, new_output: bool) -> list[_Activity]:
        """Handle an Activity cell; return the activities it starts."""
        if not text.strip():
            return []
        if not self.outputs:
            self.problem(
                "error",
                "legacy.activity_without_output",
                None,
                excel_row, self.labels["activity"], text.strip(),
            )
            return []
        output = self.outputs[-1]
        started: list[_Activity] = []
        for act_id, item_text in _split_activities(text):
            if act_id is None:
                if output.activities and not new_output:
                    output.activities[-1].text = _continue(output.activities[-1].text, item_text)
                    continue
                act_id = f"{output.output_id}.{len(output.activities) + 1}"
                self.problem(
                    "warning",
                    "legacy.activity_unnumbered",
                    {"id": act_id},
                    excel_row, self.labels["activity"], item_text.strip(),
                )
            act = _Activity(act_id, item_text, excel_row, output)
            output.activities.append(act)
            self.activities.append(act)
            started.append(act)
        self.blank_since_data = False
        return started

    def span_cell(self, role: str, i: int, text: str, excel_row: int, starts_items: bool) -> None:
        """Handle a Lead or Budget cell: a new cell, or text continued from the row above."""
        spans = self.spans[role]
        col = self.roles[role] + 1
        span = self.fmt.span(excel_row, col)
        bold = self.fmt.bold(excel_row, col, text) if role == "lead" else None
        if starts_items:
            spans.append(_Span(excel_row, span[1] if span else excel_row, text, bold, self.value(i, role)))
            return
        if not self.activities:
            return
        last_row = self.activities[-1].row
        prev = spans[-1] if spans and spans[-1].first <= last_row <= spans[-1].last else None
        if prev is None:
            spans.append(_Span(last_row, last_row, text, bold, self.value(i, role)))
            return
        # Text continued from the row above (a page break in the original table).
        if prev.bold is not None or bold is not None:
            prev.bold = (prev.bold or [False] * len(prev.text)) + [False] + (bold or [False] * len(text))
        prev.text = prev.text + "\n" + text
        prev.value = prev.text

    # ----------------------------------------------------------------- the table

    def report_structure(self) -> None:
        if self.ignored:
            self.problem(
                "note",
                "legacy.text_ignored",
                {"n": {"number": len(self.ignored)}, "first": self.ignored[0],
                 "last": self.ignored[-1]},
                self.ignored[0],
            )
        for output in self.outputs:
            if not output.activities:
                self.problem(
                    "warning",
                    "legacy.output_without_activity",
                    {"id": output.output_id},
                    output.row, self.labels["output"], output.output_id,
                )
        # Repeated activity numbers are checked by validation, as in a tidy work plan.

    def mapped(self) -> MappedSheet:
        """The activities as a mapped work-plan sheet: one row per activity, raw values."""
        records = []
        for a in self.activities:
            obj = a.output.objective or {}
            records.append(
                {
                    "objective_id": obj.get("objective_id") or a.output.output_id.split(".")[0],
                    "objective": obj.get("objective"),
                    "objective_text": obj.get("objective_text") or None,
                    "output_id": a.output.output_id,
                    "output": a.output.text,
                    "activity_id": a.activity_id,
                    "activity": a.text,
                }
            )
        frame = pd.DataFrame.from_records(records).astype(object)
        for col in ("objective", "objective_text", "output", "activity"):
            frame[col] = clean_text(frame[col]).astype(object)
        leads = _lead_columns(self.activities, self.spans["lead"], self.directory, self.labels.get("lead"), self.problem)
        budgets = _budget_columns(self.activities, self.spans["budget"])
        for col, values in {**leads, **budgets}.items():
            frame[col] = pd.Series(values, dtype=object)
        # Which column of the narrative table each field comes from (objective titles are
        # rows spanning the table, read from its first column).
        role_of = {
            "objective_id": "output", "objective": "output", "objective_text": "output",
            "output_id": "output", "output": "output",
            "activity_id": "activity", "activity": "activity",
            "leads": "lead", "partners": "lead", "focal_points": "lead", "comment": "lead",
            "budget_usd": "budget", "budget_note": "budget", "budget_group": "budget",
        }  # fmt: skip
        if "budget" not in self.roles:
            frame = frame.drop(columns=["budget_usd", "budget_note", "budget_group"])
        present = {f: r for f, r in role_of.items() if f in frame.columns and r in self.roles}
        # Every other column of the table is reported, never dropped in silence.
        cells = self.raw.cells
        header = self.header_row - self.raw.first_row
        feeds = {"output": "output", "activity": "activity", "lead": "leads", "budget": "budget_usd"}
        placements = column_placements(
            cells,
            np.arange(header + 1, len(cells)),
            [_cell_text(v).strip() for v in cells.iloc[header].tolist()],
            # The narrative's fixed columns: "layout", which a mapping profile does not change.
            {col: (feeds[role], "layout") for role, col in self.roles.items()},
        )
        self.problems.extend(placement_problems(placements, self.raw, self.header_row))
        return MappedSheet(
            file=self.source.name,
            sheet=self.sheet,
            kind="workplan",
            frame=frame,
            rows=[a.row for a in self.activities],
            labels={f: self.labels[r] for f, r in present.items()},
            letters={f: column_letter(self.roles[r]) for f, r in present.items()},
            header_row=self.header_row,
            mapped_by={f: "layout" for f in present},
            orgs_resolved=True,
            columns=placements,
        )


def _covering(activities: list[_Activity], span: _Span) -> list[int]:
    return [k for k, a in enumerate(activities) if span.first <= a.row <= span.last]


def _lead_columns(activities, spans, directory, label, problem) -> dict[str, list]:
    n = len(activities)
    out: dict[str, list] = {
        "leads": [None] * n,
        "lead_tentative": [pd.NA] * n,
        "partners": [None] * n,
        "focal_points": [None] * n,
        "comment": [None] * n,
    }
    for span in spans:
        cell = parse_org_cell(span.text, directory, span.bold)
        for name in cell.unknown:
            hints = directory.suggest(name)
            problem(
                "warning",
                "org.unknown",
                {"value": name, "suggestions": ", ".join(c for c, _ in hints),
                 "did_you_mean": {"text": "problem.org.did_you_mean"} if hints else ""},
                span.first, label, name, key="org.unknown.legacy",
            )
        comment = join_list([*cell.notes, *(f"{p} (TBC)" for p in cell.tentative_partners)])
        for k in _covering(activities, span):
            out["leads"][k] = join_list(cell.leads)
            out["lead_tentative"][k] = bool(cell.tentative) if cell.leads else pd.NA
            out["partners"][k] = join_list(cell.partners)
            out["focal_points"][k] = join_list(cell.focal_points)
            out["comment"][k] = comment
    return out


def _budget_columns(activities, spans) -> dict[str, list]:
    n = len(activities)
    out: dict[str, list] = {"budget_usd": [float("nan")] * n, "budget_note": [None] * n, "budget_group": [None] * n}
    for span in spans:
        amount, note = _budget_parts(span.value, span.text)
        covered = _covering(activities, span)
        group = None
        if len(covered) > 1 and (amount is not None or note is not None):
            ids = [activities[k] for k in covered]
            same_output = {a.output.output_id for a in ids}
            group = (
                ids[0].output.output_id
                if len(same_output) == 1
                else f"{ids[0].activity_id}-{ids[-1].activity_id}"
            )
        for k in covered:
            out["budget_usd"][k] = float("nan") if amount is None else amount
            out["budget_note"][k] = note
            out["budget_group"][k] = group
    return out
