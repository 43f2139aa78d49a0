"""Work-plan numbers written inside the texts of a tidy table.

Many tidy work plans have no ID columns: the numbers open the texts ("1.1 Members receive
...", "1.1.1 Convene ..."). The IDs are read from there, the texts keep the rest, and the
objective and output numbers follow from the activity number where their cells are blank
(merged cells, or written once per output).
"""

from __future__ import annotations

import re

import pandas as pd

_ACTIVITY = re.compile(r"^\s*(\d+\.\d+\.\d+)[.:)]?(?:\s+|$)(.*)$", re.DOTALL)
_OUTPUT = re.compile(r"^\s*(\d+\.\d+)[.:)]?(?:\s+|$)(.*)$", re.DOTALL)
_OBJECTIVE = re.compile(
    r"^\s*(?:strategic\s+objective|objectif\s+strat[ée]gique|objective|objectif|so|os)"
    r"\s*(?:n[°o.]?\s*)?(\d+)\b",
    re.IGNORECASE,
)


def _texts(frame: pd.DataFrame, fld: str) -> list[str | None]:
    if fld not in frame.columns:
        return [None] * len(frame)
    return [v if isinstance(v, str) and v.strip() else None for v in frame[fld].tolist()]


def _split(texts: list[str | None], pattern: re.Pattern) -> tuple[list[str | None], list[str | None]]:
    ids: list[str | None] = []
    rest: list[str | None] = []
    for t in texts:
        m = pattern.match(t) if t else None
        ids.append(m.group(1) if m else None)
        rest.append(m.group(2).strip() or None if m else t)
    return ids, rest


def numbers_from_texts(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Add the work-plan ID columns a tidy sheet lacks, read from its numbered texts.

    Args:
        frame: a mapped work-plan frame (fields as columns, raw values).

    Returns:
        ``(frame, derived)``: the frame with ``activity_id``, ``output_id`` and
        ``objective_id`` added where they were missing and can be read, and
        ``derived`` = added field -> the field whose text it was read from. Unchanged
        (and ``{}``) when the sheet has an Activity ID column or no activity text opens
        with a number.
    """
    if "activity_id" in frame.columns or "activity" not in frame.columns:
        return frame, {}
    activity_ids, activities = _split(_texts(frame, "activity"), _ACTIVITY)
    if not any(activity_ids):
        return frame, {}
    frame = frame.copy()
    derived = {"activity_id": "activity"}
    frame["activity_id"] = pd.Series(activity_ids, index=frame.index, dtype=object)
    frame["activity"] = pd.Series(activities, index=frame.index, dtype=object)

    prefix = [".".join(a.split(".")[:2]) if a else None for a in activity_ids]
    if "output_id" not in frame.columns:
        output_ids, outputs = _split(_texts(frame, "output"), _OUTPUT)
        # A blank Output cell (merged, or written once per output) belongs to the output
        # its activity number names.
        text_of = {o: t for o, t in zip(output_ids, outputs, strict=True) if o and t}
        output_ids = [o or p for o, p in zip(output_ids, prefix, strict=True)]
        frame["output_id"] = pd.Series(output_ids, index=frame.index, dtype=object)
        derived["output_id"] = "output" if "output" in frame.columns else "activity"
        if "output" in frame.columns:
            filled = [t if t else text_of.get(o) for t, o in zip(outputs, output_ids, strict=True)]
            frame["output"] = pd.Series(filled, index=frame.index, dtype=object)
    if "objective_id" not in frame.columns:
        from_text = [
            (m.group(1) if (m := _OBJECTIVE.match(t)) else None) if t else None
            for t in _texts(frame, "objective")
        ]
        objective_ids = [
            t or (str(o).split(".")[0] if o else None)
            for t, o in zip(from_text, frame["output_id"].tolist(), strict=True)
        ]
        frame["objective_id"] = pd.Series(objective_ids, index=frame.index, dtype=object)
        # The output number comes from its own column when the sheet has one.
        derived["objective_id"] = "objective" if any(from_text) else derived.get("output_id", "output_id")
    return frame, derived
