"""Checks across sheets and files, after every sheet was validated."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from maaor import columns
from maaor.problems import Problem
from maaor.validate.collect import MAX_LISTED


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
        label = columns.spec("workplan", "activity_id").label
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
