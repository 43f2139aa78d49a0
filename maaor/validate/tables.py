"""Checks across sheets and files, after every sheet was validated."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from maaor import columns
from maaor.problems import Problem, problem
from maaor.validate.collect import MAX_LISTED


def validate_tables(tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Checks across sheets and files, after every sheet was validated.

    * ``workplan.duplicate_activity`` (error): one activity ID in two files or sheets;
    * ``presence.duplicate_across_files`` (error): the same 4W row (every value equal,
      the organisation as written aside) in two files or sheets — the same report loaded
      twice would count every organisation and person twice;
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
        label = columns.spec("workplan", "activity_id").label
        for activity_id, file, sheet, row in elsewhere.head(MAX_LISTED).itertuples(index=False):
            f = first.loc[activity_id]
            where = str(f["_file"]) + (f" › {f['_sheet']}" if pd.notna(f["_sheet"]) else "")
            problems.append(
                problem(
                    "error", "workplan.duplicate_activity",
                    {"value": str(activity_id), "where": where, "first_row": f["_row"]},
                    key="workplan.duplicate_activity.across_files",
                    file=str(file), sheet=None if pd.isna(sheet) else str(sheet),
                    row=None if pd.isna(row) else int(row), column=label, value=str(activity_id),
                )
            )
    presence = tables.get("presence")
    problems.extend(_presence_across_files(presence))
    mechanisms = tables.get("mechanisms")
    if presence is not None and mechanisms is not None and len(presence) and len(mechanisms):
        covered = set(mechanisms["country_iso3"].dropna())
        countries = presence["country_iso3"].dropna()
        for iso3 in sorted(set(countries) - covered):
            first = presence[presence["country_iso3"] == iso3].iloc[0]
            problems.append(
                problem(
                    "note", "presence.no_mechanism", {"country": {"country": iso3}},
                    file=str(first["_file"]),
                    sheet=None if pd.isna(first["_sheet"]) else str(first["_sheet"]), value=iso3,
                )
            )
    return problems


def _where(file, sheet) -> str:
    return str(file) + (f" › {sheet}" if pd.notna(sheet) else "")


def _presence_across_files(presence: pd.DataFrame | None) -> list[Problem]:
    """The same 4W row in two files or sheets: one error per repeat, naming the first."""
    if presence is None or not len(presence):
        return []
    values = [c for c in presence.columns if not c.startswith("_") and c != "org_as_written"]
    source = presence["_file"].fillna("").astype(str) + "\x1f" + presence["_sheet"].fillna("").astype(str)
    if source.nunique() < 2:
        return []  # one sheet: its repeats are warnings of its own (presence.duplicate)
    group = presence[values].astype(object).groupby(values, dropna=False, sort=False).ngroup()
    first_source = source.groupby(group).transform("first")
    repeats = presence[(source != first_source).to_numpy()]
    if not len(repeats):
        return []
    first = presence.assign(_group=group).groupby("_group")[["_file", "_sheet", "_row"]].first()
    label = columns.spec("presence", "org").label
    problems = []
    for pos in repeats.index[:MAX_LISTED]:
        row = presence.loc[pos]
        f = first.loc[group.loc[pos]]
        org = None if pd.isna(row["org"]) else str(row["org"])
        problems.append(
            problem(
                "error", "presence.duplicate_across_files",
                {"org": org if org else {"text": "problem.word.no_organisation"},
                 "country": {"country": row["country_iso3"]},
                 "where": _where(f["_file"], f["_sheet"]), "first_row": f["_row"]},
                file=str(row["_file"]),
                sheet=None if pd.isna(row["_sheet"]) else str(row["_sheet"]),
                row=None if pd.isna(row["_row"]) else int(row["_row"]), column=label, value=org,
            )
        )
    return problems
