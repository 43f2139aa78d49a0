"""Small edits in place: status, progress and comment of work-plan activities.

The coordinator edits these three fields in a table; :func:`apply_activity_edits`
checks the edits (status through the vocabulary, progress 0-100, known activity ids)
and returns the dataset with them applied. Every other column stays as it was (pure).
:func:`apply_edits` is the use case: apply them to a version and publish the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field

import numpy as np
import pandas as pd

from maaor import vocab
from maaor.dataset import Dataset, conform
from maaor.problems import Problem, problem

EDIT_FILE = "edit in place"
EDIT_SHEET = "workplan"
EDITABLE = ("status", "progress", "comment")
# How each editable field is named in problems (the editor's column headers).
EDIT_LABELS = {"activity_id": "Activity ID", "status": "Status", "progress": "Progress (%)",
               "comment": "Comment"}


def _blank(s: pd.Series) -> pd.Series:
    """True where a cell is missing or only spaces."""
    text = s.astype("object").where(s.notna(), None)
    return text.map(lambda v: v is None or (isinstance(v, str) and not v.strip())).astype(bool)


#: The rule of a refused edit, by the field edited.
_EDIT_CODES = {"activity_id": "edit.activity_id", "status": "edit.status", "progress": "edit.progress"}


def _problem(row: int, field: str, value: object, key: str,
             params: dict | None = None) -> Problem:
    """A refused edit of ``field`` told by the catalogue entry ``problem.<key>``."""
    shown = None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return problem("error", _EDIT_CODES[field], params, key=key, file=EDIT_FILE,
                   sheet=EDIT_SHEET, row=row, column=EDIT_LABELS[field], value=shown)


def apply_activity_edits(
    dataset: Dataset,
    edits: pd.DataFrame,
    *,
    today: dt.date | None = None,
) -> tuple[Dataset, list[Problem]]:
    """Return ``dataset`` with the edited status, progress and comment applied.

    Args:
        dataset: the dataset being edited (normally the current version, with its
            sensitive columns: the result is published as a whole).
        edits: one row per activity with columns ``activity_id``, ``status`` (a
            ``wp_status`` code, or its English/French label), ``progress`` (0-100 or
            blank) and ``comment``. Activities not listed keep their values.
        today: when given, activities whose values changed get ``last_update = today``.

    Returns:
        ``(dataset, problems)``. When any problem is found (all are errors) the
        dataset is returned unchanged, so a bad edit can never be published.
        Problem rows are the editor's row numbers (1 = first activity).
    """
    missing = [c for c in ("activity_id", *EDITABLE) if c not in edits.columns]
    if missing:
        raise ValueError(f"edits lack the column(s) {', '.join(missing)}")
    edits = edits.reset_index(drop=True)
    rows = pd.Series(np.arange(1, len(edits) + 1), index=edits.index)
    problems: list[Problem] = []
    wp = dataset.workplan

    ids = edits["activity_id"].astype("object").where(edits["activity_id"].notna(), None)
    ids = ids.map(lambda v: None if v is None else str(v).strip())
    unknown = ~ids.isin(set(wp["activity_id"].dropna()))
    for i in edits.index[unknown]:
        problems.append(_problem(
            int(rows[i]), "activity_id", ids[i], "edit.activity_id.unknown",
        ))
    duplicated = ids.duplicated(keep="first") & ~unknown
    for i in edits.index[duplicated]:
        problems.append(_problem(
            int(rows[i]), "activity_id", ids[i], "edit.activity_id.twice",
        ))

    status_blank = _blank(edits["status"])
    status = vocab.lookup_series("wp_status", edits["status"].astype("object").where(~status_blank, None))
    bad_status = ~status_blank & status.isna()
    for i in edits.index[bad_status]:
        problems.append(_problem(
            int(rows[i]), "status", edits.at[i, "status"], "edit.status",
            {"allowed": {"labels": "wp_status"}},
        ))

    progress_blank = _blank(edits["progress"])
    progress = pd.to_numeric(edits["progress"].astype("object").where(~progress_blank, None),
                             errors="coerce").astype("float64")
    not_number = ~progress_blank & progress.isna()
    out_of_range = progress.notna() & ((progress < 0) | (progress > 100))
    for i in edits.index[not_number]:
        problems.append(_problem(
            int(rows[i]), "progress", edits.at[i, "progress"], "edit.progress.not_number",
        ))
    for i in edits.index[out_of_range]:
        problems.append(_problem(
            int(rows[i]), "progress", edits.at[i, "progress"], "edit.progress.out_of_range",
        ))

    if problems:
        return dataset, sorted(problems, key=lambda p: (p.row or 0))

    comment_blank = _blank(edits["comment"])
    comment = edits["comment"].astype("object").where(~comment_blank, None)
    comment = comment.map(lambda v: None if v is None else str(v).strip())
    new = pd.DataFrame({
        "status": status.astype("str").to_numpy(),
        "progress": progress.to_numpy(),
        "comment": pd.Series(comment.to_numpy(), dtype="str").to_numpy(),
    }, index=pd.Index(ids, name="activity_id"))

    out = wp.copy()
    target = out["activity_id"].isin(new.index)
    aligned = new.reindex(out.loc[target, "activity_id"])
    changed = pd.Series(False, index=out.index)
    for field in EDITABLE:
        old = out.loc[target, field]
        fresh = pd.Series(aligned[field].to_numpy(), index=old.index).astype(out[field].dtype)
        both_na = old.isna() & fresh.isna()
        same = both_na | (old.notna() & fresh.notna() & (old.astype("object") == fresh.astype("object")))
        changed.loc[target] |= ~same.to_numpy()
        out.loc[target, field] = fresh
    if today is not None and changed.any():
        out.loc[changed, "last_update"] = pd.Timestamp(today)
    tables = {**dataset.tables, "workplan": conform("workplan", out)}
    return Dataset(tables, dataset.meta), []


def edit_record(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Return the edits as a table: activity_id, field, before, after (changed cells only).

    Args:
        before: the work plan before the edits.
        after: the work plan after :func:`apply_activity_edits`.
    """
    from maaor.diff import activity_changes

    _, _, changed = activity_changes(before, after)
    return changed[changed["field"].isin([*EDITABLE, "last_update"])].reset_index(drop=True)


@dataclass(frozen=True)
class EditOutcome:
    """What :func:`apply_edits` did.

    Attributes:
        version: the published version, or None when nothing was published.
        problems: the edits' problems (nothing published while there are any).
        record: the changed cells (activity_id, field, before, after); empty when the
            edits change nothing (nothing published).
    """

    version: int | None
    problems: list[Problem] = dc_field(default_factory=list)
    record: pd.DataFrame = dc_field(default_factory=pd.DataFrame)

    @property
    def activities(self) -> int:
        """How many activities the edits changed."""
        return int(self.record["activity_id"].nunique()) if len(self.record) else 0


def apply_edits(edits: pd.DataFrame, *, base_version: int, by: str, note: str | None,
                today: dt.date | None = None) -> EditOutcome:
    """Apply edits of status, progress and comment to ``base_version`` and publish the
    result as a new version (kind "edit"), with the edits as a CSV beside the files.

    Args:
        edits: see :func:`apply_activity_edits`.
        base_version: the version the edits were made on; publishing is refused if
            another version became current since (same transaction as the write).
        by: who edits.
        note: the history note (required when something changes).
        today: the edited activities' ``last_update`` (default: today).

    Returns:
        The outcome: problems (nothing published), nothing changed, or the version.

    Raises:
        Refused: no note, a conflict, or the store failed.
    """
    from maaor.export.tables import csv_bytes
    from maaor.service import open_store
    from maaor.sources import Source
    from maaor.usecases.publishing import require_note, store_aggregates
    from maaor.usecases.refusal import guarded

    store = guarded(open_store)
    dataset = guarded(lambda: store.load(base_version))
    new, problems = apply_activity_edits(dataset, edits, today=today or dt.date.today())
    if problems:
        return EditOutcome(None, problems)
    record = edit_record(dataset.workplan, new.workplan)
    if record.empty:
        return EditOutcome(None, [], record)
    note = require_note(note)
    files = guarded(lambda: store.files(base_version))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    sources = [Source(n, d) for n, d in files]
    sources.append(Source(f"edits-{stamp}.csv", csv_bytes(record)))
    published = new.with_meta(version=None)
    version = guarded(lambda: store.publish(
        published, sources, by=by, note=note, kind="edit", parent=base_version,
        if_current=base_version,
    ))
    store_aggregates(version, published)
    return EditOutcome(version, [], record)
