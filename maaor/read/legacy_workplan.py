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
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pandas as pd

from maaor.dataset import conform, join_list
from maaor.normalise import parse_money_text
from maaor.normalise import text as clean_text
from maaor.orgs import OrgDirectory, parse_org_cell
from maaor.problems import Problem
from maaor.read.types import RawSheet, Source
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
_HEADER_SCAN_ROWS = 40

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
    objective_id: str | None
    objective: str | None
    objective_text: str | None
    output_id: str
    output: str


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
    covered: set[tuple[int, int]] = field(default_factory=set)
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
    try:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(source.data), rich_text=True)
        ws = wb[sheet_name]
    except Exception:  # noqa: BLE001 - without formatting the values still load
        return fmt, [
            Problem(
                "note",
                "legacy.no_formatting",
                "The formatting of this sheet (merged cells, bold leads) could not be read; "
                "each activity takes the lead and budget written in its own row, and the "
                "first organisation of a Lead cell is taken as the lead.",
                "Save the workbook again from Excel as .xlsx.",
                file=source.name,
                sheet=sheet_name,
            )
        ]
    fmt.sheet = ws
    for rng in ws.merged_cells.ranges:
        fmt.merges[(rng.min_row, rng.min_col)] = (rng.min_row, rng.max_row, rng.min_col, rng.max_col)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    fmt.covered.add((r, c))
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
        for j, value in enumerate(cells.iloc[i].tolist()):
            key = match_key(_cell_text(value))
            for role, keys in _HEADER_KEYS.items():
                if key in keys and role not in roles:
                    roles[role] = j
        if {"output", "activity", "lead"} <= roles.keys():
            return i, roles
    return None


def is_legacy_workplan(raw: RawSheet) -> bool:
    """True when ``raw`` is a narrative work plan: an Output/Activity/Lead and Partners
    header (EN or FR) and numbered outputs ("1.3 ...") or activities ("1.3.1 ...") in
    the text under it, not in ID columns of their own."""
    cells = raw.cells
    if cells is None or cells.empty:
        return False
    found = _find_header(cells)
    if found is None:
        return False
    header, roles = found
    if any(match_key(_cell_text(v)) in _TIDY_ID_KEYS for v in cells.iloc[header].tolist()):
        return False
    below = cells.iloc[header + 1 : header + 1 + 200]
    outputs = below.iloc[:, roles["output"]].map(_cell_text)
    activities = below.iloc[:, roles["activity"]].map(_cell_text)
    numbered_outputs = outputs.str.match(_OUTPUT_NUMBER.pattern + r"\s*\S").sum()
    numbered_activities = activities.str.contains(r"^\s*\d+\.\d+\.\d+", regex=True).sum()
    # A tidy sheet has the numbers alone in ID columns; here they open the text.
    return bool(numbered_outputs + numbered_activities)


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


def _budget_parts(value, text: str) -> tuple[float | None, str | None]:
    """(amount, note) of a budget cell: an amount, or any other text as a note."""
    if not text.strip():
        return None, None
    amount = parse_money_text(value if not isinstance(value, str) else text)
    if amount is not None:
        return amount, None
    return None, " ".join(text.split())


def read_legacy_workplan(
    source: Source, sheet_name: str | None, raw: RawSheet, directory: OrgDirectory
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a narrative work plan into the workplan table.

    Args:
        source: the workbook (its bytes give merged cells and bold runs).
        sheet_name: the sheet to read.
        raw: the sheet's values as read by ``maaor.read.excel``.
        directory: organisations, for the "Lead and Partners" cells.

    Returns:
        (table conformed to ``TABLE_COLUMNS["workplan"]`` with ``_file/_sheet/_row``
        = the Excel row of each activity, problems).
    """
    problems: list[Problem] = []
    cells = raw.cells

    def problem(severity, code, message, fix, row=None, column=None, value=None) -> None:
        problems.append(
            Problem(severity, code, message, fix, file=source.name, sheet=sheet_name, row=row,
                    column=column, value=None if value is None else str(value))
        )

    found = _find_header(cells) if cells is not None and not cells.empty else None
    if found is None:
        problem(
            "error",
            "legacy.no_header",
            "No header row with Output, Activity and Lead and Partners was found.",
            "Keep the table's header row (Output | Activity | Lead and Partners | Budget), "
            "or use the work-plan template.",
        )
        return conform("workplan", pd.DataFrame()), problems
    header, roles = found
    header_row = raw.first_row + header
    labels = {role: _cell_text(cells.iat[header, col]).strip() for role, col in roles.items()}
    fmt, fmt_problems = _load_format(source, sheet_name)
    problems.extend(fmt_problems)
    ncols = cells.shape[1]
    table_cols = sorted(roles.values())

    objectives: list[dict] = []
    outputs: list[_Output] = []
    activities: list[_Activity] = []
    leads: list[_Span] = []
    budgets: list[_Span] = []
    blank_since_data = False
    ignored: list[int] = []

    def value(i: int, role: str):
        col = roles.get(role)
        return None if col is None else cells.iat[i, col]

    for i in range(header + 1, len(cells)):
        excel_row = raw.first_row + i
        texts = {role: _cell_text(value(i, role)) for role in _ROLES}
        row_values = [_cell_text(cells.iat[i, j]) for j in range(ncols)]
        if not any(t.strip() for t in row_values):
            if outputs or objectives:
                blank_since_data = True
            continue
        first_text = next((t for t in (row_values[j] for j in table_cols) if t.strip()), "")
        only_first = sum(bool(row_values[j].strip()) for j in table_cols) == 1
        merged_full = False
        first_col = next(j for j in table_cols if row_values[j].strip()) if first_text else None
        if first_col is not None:
            span = fmt.span(excel_row, first_col + 1)
            merged_full = bool(span and span[3] - span[2] >= 1 and span[0] == span[1])

        objective = _split_objective(first_text) if (only_first or merged_full) else None
        if objective is not None and not texts["activity"].strip():
            oid, title, desc = objective
            objectives.append(
                {"objective_id": oid, "objective": title or None, "objective_text": desc, "row": excel_row}
            )
            blank_since_data = False
            continue

        out_text = texts["output"]
        act_text = texts["activity"]
        new_output = False
        if out_text.strip():
            m = _OUTPUT_NUMBER.match(out_text)
            if m is not None:
                current_obj = objectives[-1] if objectives else None
                output_id = m.group(1)
                if current_obj is not None and output_id.split(".")[0] != current_obj["objective_id"]:
                    problem(
                        "warning",
                        "legacy.output_number_mismatch",
                        f"Output {output_id} is listed under Strategic Objective "
                        f"{current_obj['objective_id']}.",
                        "Check the output number or move the output under its objective.",
                        excel_row, labels["output"], output_id,
                    )
                outputs.append(_Output(output_id, out_text[m.end() :], excel_row, current_obj))
                new_output = True
                blank_since_data = False
            elif only_first and (merged_full or blank_since_data or not outputs):
                if objectives and not any(o.objective is objectives[-1] for o in outputs) and not blank_since_data:
                    objectives[-1]["objective_text"] = " ".join(
                        f"{objectives[-1]['objective_text']} {out_text}".split()
                    )
                else:
                    ignored.append(excel_row)
                continue
            elif outputs:
                outputs[-1].text += "\n" + out_text
            else:
                problem(
                    "error",
                    "legacy.output_unnumbered",
                    "This output has no number (such as 1.3), so its activities cannot be "
                    "placed in the work plan.",
                    "Write the output number at the start of the Output cell, e.g. "
                    "'1.3 Mine Action is ...'.",
                    excel_row, labels["output"], out_text.strip(),
                )
                continue
        elif blank_since_data and not act_text.strip():
            ignored.append(excel_row)
            continue

        row_activities: list[_Activity] = []
        if act_text.strip():
            if not outputs:
                problem(
                    "error",
                    "legacy.activity_without_output",
                    "This activity comes before any numbered output.",
                    "Put the activity under its output (an Output cell starting with its "
                    "number, e.g. '1.3').",
                    excel_row, labels["activity"], act_text.strip(),
                )
                continue
            output = outputs[-1]
            for act_id, item_text in _split_activities(act_text):
                if act_id is None:
                    if output.activities and not new_output:
                        output.activities[-1].text += "\n" + item_text
                        continue
                    act_id = f"{output.output_id}.{len(output.activities) + 1}"
                    problem(
                        "warning",
                        "legacy.activity_unnumbered",
                        f"This activity has no number; it was numbered {act_id}.",
                        "Write the activity number at the start of the text, e.g. "
                        f"'{act_id} ...'.",
                        excel_row, labels["activity"], item_text.strip(),
                    )
                elif ".".join(act_id.split(".")[:2]) != output.output_id:
                    problem(
                        "warning",
                        "legacy.activity_number_mismatch",
                        f"Activity {act_id} is listed under output {output.output_id}.",
                        "Check the activity number or move the activity under its output.",
                        excel_row, labels["activity"], act_id,
                    )
                obj = output.objective
                act = _Activity(
                    act_id, item_text, excel_row,
                    obj["objective_id"] if obj else output.output_id.split(".")[0],
                    obj["objective"] if obj else None,
                    obj["objective_text"] if obj else None,
                    output.output_id, output.text,
                )
                output.activities.append(act)
                activities.append(act)
                row_activities.append(act)
            blank_since_data = False

        for role, spans in (("lead", leads), ("budget", budgets)):
            if role not in roles:
                continue
            cell_text = texts[role]
            if not cell_text.strip():
                continue
            col = roles[role] + 1
            span = fmt.span(excel_row, col)
            last = span[1] if span else excel_row
            bold = fmt.bold(excel_row, col, cell_text) if role == "lead" else None
            if row_activities or new_output:
                spans.append(_Span(excel_row, last, cell_text, bold, value(i, role)))
            elif activities:
                # Text continued from the row above (a page break in the original table).
                prev = spans[-1] if spans and spans[-1].first <= activities[-1].row <= spans[-1].last else None
                if prev is None:
                    spans.append(_Span(activities[-1].row, activities[-1].row, cell_text, bold, value(i, role)))
                else:
                    joined_bold = None
                    if prev.bold is not None or bold is not None:
                        joined_bold = (prev.bold or [False] * len(prev.text)) + [False] + (
                            bold or [False] * len(cell_text)
                        )
                    prev.text = prev.text + "\n" + cell_text
                    prev.bold = joined_bold
                    prev.value = prev.text

    if ignored:
        problem(
            "note",
            "legacy.text_ignored",
            f"{len(ignored)} row(s) of text outside the table (rows {ignored[0]}-{ignored[-1]}) "
            "were not read as work-plan items.",
            "Nothing to do if this is a signature or a remark; otherwise number the item.",
            ignored[0], None, None,
        )
    for output in outputs:
        if not output.activities:
            problem(
                "warning",
                "legacy.output_without_activity",
                f"Output {output.output_id} has no numbered activity, so it does not appear in "
                "the work plan.",
                "Add at least one activity under it, numbered like "
                f"'{output.output_id}.1'.",
                output.row, labels["output"], output.output_id,
            )
    if not activities:
        problem(
            "error",
            "legacy.empty",
            "No numbered activities were found under the header row.",
            "Number the outputs ('1.1 ...') and activities ('1.1.1 ...') at the start of "
            "their cells, or use the work-plan template.",
            header_row,
        )
        return conform("workplan", pd.DataFrame()), problems

    seen: dict[str, int] = {}
    for act in activities:
        if act.activity_id in seen:
            problem(
                "error",
                "legacy.activity_duplicate",
                f"Activity number {act.activity_id} is used twice (first in row "
                f"{seen[act.activity_id]}).",
                "Give each activity its own number.",
                act.row, labels["activity"], act.activity_id,
            )
        else:
            seen[act.activity_id] = act.row

    records = [
        {
            "objective_id": a.objective_id,
            "objective": a.objective,
            "objective_text": a.objective_text or None,
            "output_id": a.output_id,
            "output": a.output,
            "activity_id": a.activity_id,
            "activity": a.text,
            "_row": a.row,
        }
        for a in activities
    ]
    frame = pd.DataFrame.from_records(records)
    for col in ("objective", "objective_text", "output", "activity"):
        frame[col] = clean_text(frame[col].astype(object))

    lead_cols = _lead_columns(activities, leads, directory, labels.get("lead"), problem)
    budget_cols = _budget_columns(activities, budgets)
    for col, values in {**lead_cols, **budget_cols}.items():
        frame[col] = values
    frame["_file"] = source.name
    frame["_sheet"] = sheet_name
    return conform("workplan", frame), problems


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
            hint = (" Did you mean " + " or ".join(c for c, _ in hints) + "?") if hints else ""
            problem(
                "warning",
                "org.unknown",
                f"'{name}' is not a known organisation.{hint}",
                "Check the spelling; if it is right, a coordinator can add it to the "
                "organisation aliases.",
                span.first, label, name,
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
            same_output = {a.output_id for a in ids}
            group = ids[0].output_id if len(same_output) == 1 else f"{ids[0].activity_id}-{ids[-1].activity_id}"
        for k in covered:
            out["budget_usd"][k] = float("nan") if amount is None else amount
            out["budget_note"][k] = note
            out["budget_group"][k] = group
    return out
