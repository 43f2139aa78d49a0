"""Exports of OCHA systems, read by their own documented field names.

These files are not typed by people: their columns are the field names of the system
that wrote them, so each is recognised by its full set of field names (never by the
file name) and mapped by a fixed table, like the narrative work plan it ends as a
``MappedSheet`` that goes through the same validation.

* **FTS incoming flows** (HDX "FTS incoming funding" CSV, or the ``data.flows`` of an
  FTS API v1 ``/fts/flow`` answer): one row per funding flow. Only flows whose
  destination global cluster is Mine Action alone are loaded, into the ``fts`` table
  (funding reported without a requirement: the requirement stays unknown, never 0);
  flows shared with other clusters are named in a warning (their amount cannot be split),
  flows to other clusters are counted in a note.
* **FTS API v1 requirements and funding by global cluster** (``data.requirements`` and
  ``data.report3``): read cluster by cluster, Mine Action included with its requirement
  left unknown when FTS states none. The answer does not name its plan, country or year
  (the request did), so it cannot be loaded on its own: an error says so and what was read.
* **HDX HAPI operational presence** (CSV, or the ``{"data": [...]}`` JSON of the API):
  the rows of the Mine Action sector go to the 4W presence table.
* **HDX HAPI funding** (CSV or JSON): appeal requirements and funding, to the ``fts``
  table (no cluster: they are appeal totals, never counted as mine action).
"""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np
import pandas as pd

from maaor.problems import Problem, problem
from maaor.read.excel import column_letter
from maaor.read.headers import column_placements, placement_problems
from maaor.read.types import MappedSheet, RawSheet
from maaor.textkey import match_key

_MINE_ACTION = "mineaction"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

#: field names of the FTS flow table -> fts field.
FTS_FLOW_FIELDS: dict[str, str] = {
    "destLocations": "country_iso3",
    "destUsageYearStart": "year",
    "destPlanId": "plan_id",
    "destPlan": "plan_name",
    "destPlanCode": "plan_code",
    "destGlobalClusters": "cluster",
    "amountUSD": "funded_usd",
}
_FTS_FLOW_SIGNATURE = frozenset({"amountUSD", "srcOrganization", "destOrganization", "destGlobalClusters"})

#: HDX HAPI operational presence field names -> presence field.
HAPI_PRESENCE_FIELDS: dict[str, str] = {
    "location_code": "country_iso3",
    "admin1_code": "admin1_code",
    "admin1_name": "admin1",
    "admin2_code": "admin2_code",
    "admin2_name": "admin2",
    "org_name": "org",
    "org_type_description": "org_type",
    "sector_name": "pillar",
    "reference_period_start": "start",
    "reference_period_end": "end",
}
_HAPI_PRESENCE_SIGNATURE = frozenset({"location_code", "org_name", "sector_code", "sector_name"})

#: HDX HAPI funding field names -> fts field.
HAPI_FUNDING_FIELDS: dict[str, str] = {
    "location_code": "country_iso3",
    "reference_period_start": "year",
    "appeal_code": "plan_code",
    "appeal_name": "plan_name",
    "requirements_usd": "required_usd",
    "funding_usd": "funded_usd",
    "funding_pct": "percent_funded",
}
_HAPI_FUNDING_SIGNATURE = frozenset({"location_code", "appeal_code", "requirements_usd", "funding_usd"})


# --- FTS API v1 documents --------------------------------------------------------------


def is_fts_api(document: object) -> bool:
    """True for an FTS API v1 answer: ``{"status": ..., "data": {...}, "meta": ...}``."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("data"), dict)
        and ("status" in document or "meta" in document)
    )


def fts_api_grid(document: dict) -> list[list[object]] | None:
    """The flows of an FTS API answer as a table: row 0 the FTS CSV's field names (the
    nested source and destination objects spread into ``src...``/``dest...`` columns as
    the FTS CSV export names them), one row per flow; None when it holds no flows."""
    flows = document["data"].get("flows")
    if not isinstance(flows, list) or not all(isinstance(f, dict) for f in flows):
        return None
    records = [_flow_record(f) for f in flows]
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    header = list(keys)
    return [header, *([record.get(k) for k in header] for record in records)]


_OBJECT_COLUMNS = {
    "Organization": "Organization",
    "Location": "Locations",
    "GlobalCluster": "GlobalClusters",
    "Cluster": "Clusters",
    "Plan": "Plan",
    "UsageYear": "UsageYearStart",
    "Project": "Project",
    "Emergency": "Emergencies",
}


def _flow_record(flow: dict) -> dict[str, object]:
    record: dict[str, object] = {}
    for key, value in flow.items():
        if key in ("sourceObjects", "destinationObjects"):
            continue
        record[key] = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
    for side, prefix in (("sourceObjects", "src"), ("destinationObjects", "dest")):
        grouped: dict[str, list[dict]] = {}
        for obj in flow.get(side) or ():
            if isinstance(obj, dict):
                grouped.setdefault(str(obj.get("type")), []).append(obj)
        for typ, objs in grouped.items():
            column = prefix + _OBJECT_COLUMNS.get(typ, typ)
            names = [str(o.get("name")) for o in objs if o.get("name") is not None]
            record[column] = ",".join(names) if names else None
            if typ == "Plan":
                record[prefix + "PlanId"] = ",".join(str(o.get("id")) for o in objs)
            if typ == "UsageYear" and len(objs) > 1:
                record[column] = min(names)
    return record


def fts_api_clusters(document: dict) -> list[dict] | None:
    """Requirements and funding per global cluster of an FTS API answer grouped by
    cluster, or None when the answer is not one.

    Returns:
        ``[{"cluster_code", "cluster", "required_usd", "funded_usd"}]``: a cluster absent
        from the requirements has ``required_usd`` None (unknown, never 0); funding is
        the cluster's single funding (shared funding is not split by FTS).
    """
    data = document["data"]
    requirements = data.get("requirements")
    report = data.get("report3")
    if not isinstance(requirements, dict) or not isinstance(report, dict):
        return None
    rows: dict[str, dict] = {}
    for obj in requirements.get("objects") or ():
        if isinstance(obj, dict) and obj.get("name"):
            rows[obj["name"]] = {
                "cluster_code": obj.get("id"),
                "cluster": obj["name"],
                "required_usd": obj.get("revisedRequirements"),
                "funded_usd": None,
            }
    totals = (report.get("fundingTotals") or {}).get("objects") or ()
    for group in totals:
        for obj in (group or {}).get("singleFundingObjects") or ():
            if isinstance(obj, dict) and obj.get("name"):
                row = rows.setdefault(
                    obj["name"],
                    {"cluster_code": obj.get("id"), "cluster": obj["name"], "required_usd": None, "funded_usd": None},
                )
                row["funded_usd"] = obj.get("totalFunding")
    return list(rows.values())


def fts_api_problem(file: str, clusters: list[dict]) -> Problem:
    """The error for an FTS API answer by global cluster: read, but without its plan."""
    mine = [c for c in clusters if match_key(c["cluster"]) == _MINE_ACTION]
    if mine:
        c = mine[0]
        required = (
            {"text": "problem.fts.requirement_unknown"} if c["required_usd"] is None
            else {"text": "problem.fts.requirement", "params": {"usd": {"number": c["required_usd"]}}}
        )
        funded = (
            {"text": "problem.fts.funding_none"} if c["funded_usd"] is None
            else {"text": "problem.fts.funding", "params": {"usd": {"number": c["funded_usd"]}}}
        )
        read = {"text": "problem.fts.mine_action_read", "params": {"funded": funded,
                                                                  "required": required}}
    else:
        read = {"text": "problem.fts.no_mine_action"}
    from maaor.i18n.problems import render_param

    return problem("error", "fts.plan_unknown", {"n": {"number": len(clusters)}, "read": read},
                   file=file, value=render_param(read, "en"))


# --- tables recognised by their field names ----------------------------------------------


def recognise(raw: RawSheet) -> str | None:
    """Which OCHA export a sheet is, by the field names of its first row: ``"fts_flows"``,
    ``"hapi_presence"``, ``"hapi_funding"`` or None."""
    if raw.cells.empty:
        return None
    header = {v.strip() for v in raw.cells.iloc[0].tolist() if isinstance(v, str)}
    if _FTS_FLOW_SIGNATURE <= header:
        return "fts_flows"
    if _HAPI_PRESENCE_SIGNATURE <= header:
        return "hapi_presence"
    if _HAPI_FUNDING_SIGNATURE <= header:
        return "hapi_funding"
    return None


def map_export(raw: RawSheet, which: str) -> tuple[MappedSheet | None, list[Problem]]:
    """Map an OCHA export recognised by :func:`recognise` to the fields of its kind.

    Rows outside mine action (FTS flows to other clusters, HAPI presence in other
    sectors) are left out and counted in a note; FTS flows shared between Mine Action
    and other clusters are named in a warning.

    Returns:
        ``(mapped, problems)``; ``mapped`` is None when no row is left to load.
    """
    fields, kind = {
        "fts_flows": (FTS_FLOW_FIELDS, "fts"),
        "hapi_presence": (HAPI_PRESENCE_FIELDS, "presence"),
        "hapi_funding": (HAPI_FUNDING_FIELDS, "fts"),
    }[which]
    cells = raw.cells
    values = cells.to_numpy(dtype=object)
    headers = [v.strip() if isinstance(v, str) else "" for v in values[0]]
    start = 1
    tags = values[1] if len(values) > 1 else []
    hxl_row = None
    if len(values) > 1 and sum(isinstance(t, str) and t.strip().startswith("#") for t in tags) * 2 > len(headers):
        start, hxl_row = 2, raw.first_row + 1
    body = values[start:]
    filled = np.array([any(v is not None and not (isinstance(v, str) and not v.strip())
                           and not (isinstance(v, float) and v != v) for v in row) for row in body], dtype=bool)
    positions = np.flatnonzero(filled) + start
    where = {"file": raw.file, "sheet": raw.sheet}
    problems: list[Problem] = []
    excluded: dict[int, str] = {}
    if which in ("fts_flows", "hapi_presence"):
        positions, excluded, scope_problems = _mine_action_rows(raw, values, headers, positions, which)
        problems.extend(scope_problems)
    # Fixed field names: "layout", which a mapping profile does not change.
    placed = {j: (fields[h], "layout") for j, h in enumerate(headers) if h in fields}
    ordered = sorted(placed.items())
    frame = pd.DataFrame(
        values[np.ix_(positions, [j for j, _ in ordered])] if len(positions) and ordered
        else np.empty((len(positions), len(ordered)), dtype=object),
        columns=[f for _, (f, _) in ordered],
        dtype=object,
    )
    if "year" in frame.columns and which == "hapi_funding":
        # HAPI gives the reference period's start date; the year is that date's year.
        frame["year"] = [
            v[:4] if isinstance(v, str) and _ISO_DATE.match(v.strip()) else v for v in frame["year"]
        ]
    placements = column_placements(cells, positions, headers, placed)
    problems.extend(placement_problems(placements, raw, raw.first_row, None))
    label = {
        "fts_flows": "problem.what.fts_flows",
        "hapi_presence": "problem.what.hapi_presence",
        "hapi_funding": "problem.what.hapi_funding",
    }[which]
    problems.insert(0, problem(
        "note", "sheet.ocha_export",
        {"what": {"text": label}, "used": {"number": len(placed)},
         "n": {"number": len(headers)}},
        row=raw.first_row, **where))
    if not len(positions):
        return None, problems
    rows = (positions + raw.first_row).tolist()
    mapped = MappedSheet(
        file=raw.file,
        sheet=raw.sheet,
        kind=kind,
        frame=frame,
        rows=rows,
        labels={f: headers[j] for j, (f, _) in placed.items()},
        letters={f: column_letter(j) for j, (f, _) in placed.items()},
        header_row=raw.first_row,
        hxl_row=hxl_row,
        unmapped=[h for j, h in enumerate(headers) if h and j not in placed],
        error_cells={},
        formula_no_cache={},
        mapped_by={f: "layout" for _, (f, _) in placed.items()},
        columns=placements,
        excluded_rows={raw.first_row + r: text for r, text in excluded.items()},
    )
    return mapped, problems


def _mine_action_rows(raw: RawSheet, values: np.ndarray, headers: list[str], positions: np.ndarray,
                      which: str) -> tuple[np.ndarray, dict[int, str], list[Problem]]:
    """Keep the rows of mine action; name what is left out."""
    where = {"file": raw.file, "sheet": raw.sheet}
    column = headers.index("destGlobalClusters" if which == "fts_flows" else "sector_name")
    keep: list[int] = []
    shared: list[int] = []
    others: Counter[str] = Counter()
    excluded: dict[int, str] = {}
    for r in positions.tolist():
        cell = values[r, column]
        text = cell.strip() if isinstance(cell, str) else ""
        parts = [p for p in (text.split(",") if which == "fts_flows" else [text]) if p.strip()]
        keys = [match_key(p) for p in parts]
        if keys and all(k == _MINE_ACTION for k in keys):
            keep.append(r)
        elif _MINE_ACTION in keys:
            shared.append(r)
            excluded[r] = text
        else:
            others[text or "(none)"] += 1
            excluded[r] = text or "(none)"
    problems: list[Problem] = []
    if shared:
        amount = headers.index("amountUSD")
        listed = [{"text": "problem.fts.shared_flow.item",
                   "params": {"row": raw.first_row + r, "usd": _amount(values[r, amount]),
                              "clusters": str(values[r, column])}} for r in shared[:10]]
        problems.append(problem(
            "warning", "fts.shared_flow",
            {"n": {"number": len(shared)}, "listed": {"join": listed},
             "more": ", ..." if len(shared) > 10 else ""},
            row=raw.first_row + shared[0], column="destGlobalClusters",
            value=str(values[shared[0], column]), **where))
    if others:
        top = ", ".join(f"{name} ({n})" for name, n in others.most_common(6))
        count = sum(others.values())
        problems.append(problem(
            "note", "rows.outside_mine_action",
            {"n": {"number": count}, "top": top, "more": ", ..." if len(others) > 6 else ""},
            key="rows.outside_mine_action.flows" if which == "fts_flows" else None,
            column=headers[column], value=top, **where))
    return np.array(keep, dtype=np.int64), excluded, problems


def _amount(value: object) -> object:
    """An amount as a message parameter: a number in the reader's format, else the text."""
    try:
        return {"number": float(value)}
    except (TypeError, ValueError):
        return str(value)
