"""What changed between two Datasets (shown to the coordinator before publishing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from maaor.dataset import TABLES, Dataset

# Work-plan fields compared activity by activity, in the order they are shown.
ACTIVITY_FIELDS: tuple[str, ...] = (
    "activity", "status", "progress", "leads", "lead_tentative", "partners",
    "budget_usd", "budget_note", "funded_usd", "start", "due", "last_update", "comment",
)
# A presence row is identified by these columns (a row may appear several times).
PRESENCE_KEY: tuple[str, ...] = (
    "org", "country_iso3", "admin1", "admin2", "pillar", "activity", "status", "start", "end",
)
FLAG_KEY: tuple[str, ...] = ("rule", "scope", "ref", "pillar")


@dataclass(frozen=True)
class TableRemoval:
    """What publishing would remove from one table.

    Attributes:
        table: the canonical table ("presence", "funding", ...).
        rows_removed: rows of the current table not in the new one (rows compared as a
            multiset, provenance ignored: a changed row is one removed and one added).
        rows_added: rows of the new table not in the current one.
        countries_removed: ISO3 codes of the countries that have rows now and none after.
    """

    table: str
    rows_removed: int
    rows_added: int
    countries_removed: tuple[str, ...] = ()


class RemovalCounts:
    """The row counts of a holder of ``removals`` (per table, the rows publishing
    removes and adds): the diff, and the upload that has not built its diff yet."""

    removals: tuple[TableRemoval, ...]

    @property
    def rows_removed(self) -> int:
        """Rows of every table that publishing would remove."""
        return sum(r.rows_removed for r in self.removals)

    @property
    def rows_added(self) -> int:
        """Rows of every table that publishing would add."""
        return sum(r.rows_added for r in self.removals)

    @property
    def removes_more_than_adds(self) -> bool:
        """True when publishing removes more rows than it adds (asks a second confirmation)."""
        return self.rows_removed > self.rows_added


@dataclass(frozen=True)
class DatasetDiff(RemovalCounts):
    """Differences between a ``before`` and an ``after`` dataset.

    Attributes:
        activities_added: activity_id, objective_id, output_id, activity.
        activities_removed: same columns.
        activities_changed: activity_id, field, before, after (one row per changed field;
            before/after are the stored values, None when missing).
        flags_raised: flags in ``after`` only (columns of ``figures.gaps.all_flags``).
        flags_cleared: flags in ``before`` only.
        presence_changes: country_iso3, pillar, added, removed (row counts).
        funding: measure, before, after (required/funded/gap USD of AoR funding).
        removals: per table, the rows removed and added and the countries whose rows
            all go (see :func:`table_removals`).
    """

    activities_added: pd.DataFrame
    activities_removed: pd.DataFrame
    activities_changed: pd.DataFrame
    flags_raised: pd.DataFrame
    flags_cleared: pd.DataFrame
    presence_changes: pd.DataFrame
    funding: pd.DataFrame
    removals: tuple[TableRemoval, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing shown here changed."""
        funding_same = bool(
            self.funding.apply(lambda r: _same(r["before"], r["after"]), axis=1).all()
        ) if len(self.funding) else True
        return (
            self.activities_added.empty
            and self.activities_removed.empty
            and self.activities_changed.empty
            and self.flags_raised.empty
            and self.flags_cleared.empty
            and self.presence_changes.empty
            and funding_same
        )


def _same(a, b) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    return a == b


def _raw(value):
    """The value as stored (None when missing): the page writes it in the user's words."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def activity_changes(before: pd.DataFrame, after: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (added, removed, changed) work-plan activities between two workplan tables."""
    cols = ["activity_id", "objective_id", "output_id", "activity"]
    b = before.drop_duplicates("activity_id").set_index("activity_id")
    a = after.drop_duplicates("activity_id").set_index("activity_id")
    added = after[~after["activity_id"].isin(b.index)][cols].reset_index(drop=True)
    removed = before[~before["activity_id"].isin(a.index)][cols].reset_index(drop=True)
    common = a.index.intersection(b.index)
    parts = []
    for field in ACTIVITY_FIELDS:
        old = b.loc[common, field]
        new = a.loc[common, field]
        old_na, new_na = old.isna().to_numpy(), new.isna().to_numpy()
        # NA-free object arrays: comparing pd.NA raises, None compares cleanly.
        old_v = old.astype(object).where(~old.isna(), None).to_numpy()
        new_v = new.astype(object).where(~new.isna(), None).to_numpy()
        eq = np.array([x == y for x, y in zip(old_v, new_v, strict=True)], dtype=bool)
        differs = ~((old_na & new_na) | (~old_na & ~new_na & eq))
        if differs.any():
            ids = common[differs]
            parts.append(pd.DataFrame({
                "activity_id": ids,
                "field": field,
                "before": [_raw(v) for v in old[differs]],
                "after": [_raw(v) for v in new[differs]],
            }))
    changed = (
        pd.concat(parts, ignore_index=True).sort_values(["activity_id", "field"], kind="stable")
        if parts else pd.DataFrame(columns=["activity_id", "field", "before", "after"])
    ).reset_index(drop=True)
    return added, removed, changed


def _text_codes(before: pd.Series, after: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes of the text of each value of two columns (shared between them).

    Two values get the same code when their text is the same: missing is "", anything
    else ``str(value)`` (so 2019 and "2019" are one value, as when the key columns were
    compared as strings). The text is made once per distinct value, not per row.

    Returns:
        (codes of ``before``, codes of ``after``, the text of each code).
    """
    both = pd.concat([before, after], ignore_index=True)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)  # missing -> -1
    texts = [str(v) for v in pd.Index(uniques).astype(object)]
    texts.append("")  # code -1 (missing) picks the last entry
    merged, names = pd.factorize(np.array(texts, dtype=object))
    final = merged[codes]
    return final[: len(before)], final[len(before):], np.asarray(names, dtype=object)


def presence_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Rows added and removed per country and pillar (rows compared as a multiset).

    Rows are compared by the text of their key columns (missing as ""), through integer
    codes of each column's distinct texts: a 100,000-row 4W is compared without turning
    every cell into a string.
    """
    key = list(PRESENCE_KEY)
    b_codes, a_codes, names = {}, {}, {}
    for col in key:
        b_codes[col], a_codes[col], names[col] = _text_codes(before[col], after[col])

    def counted(codes: dict[str, np.ndarray], n: int) -> pd.DataFrame:
        k = pd.DataFrame(codes, index=pd.RangeIndex(n))
        k["_n"] = k.groupby(key, sort=False).cumcount()
        return k

    b, a = counted(b_codes, len(before)), counted(a_codes, len(after))
    merged = b.merge(a, on=[*key, "_n"], how="outer", indicator=True)
    merged["added"] = (merged["_merge"] == "right_only").astype(int)
    merged["removed"] = (merged["_merge"] == "left_only").astype(int)
    out = merged.groupby(["country_iso3", "pillar"], sort=False)[["added", "removed"]].sum()
    out = out.reset_index()
    out = out[(out["added"] > 0) | (out["removed"] > 0)]
    for col in ("country_iso3", "pillar"):
        out[col] = pd.Series(names[col][out[col].to_numpy()], index=out.index, dtype=str)
    out = out.sort_values(["country_iso3", "pillar"], kind="stable")
    out = out.replace({"country_iso3": {"": np.nan}, "pillar": {"": np.nan}})
    return out.reset_index(drop=True)


def flag_changes(before: pd.DataFrame, after: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (raised, cleared) flags between two ``all_flags`` tables."""
    key = list(FLAG_KEY)
    kb = before[key].astype(object).where(before[key].notna(), "").astype(str).agg("|".join, axis=1) if len(before) else pd.Series(dtype=str)
    ka = after[key].astype(object).where(after[key].notna(), "").astype(str).agg("|".join, axis=1) if len(after) else pd.Series(dtype=str)
    raised = after[~ka.isin(set(kb))].reset_index(drop=True)
    cleared = before[~kb.isin(set(ka))].reset_index(drop=True)
    return raised, cleared


def funding_changes(before: Dataset, after: Dataset) -> pd.DataFrame:
    """AoR funding totals before and after: measure, before, after."""
    from maaor.figures.funding import funding_headline

    hb, ha = funding_headline(before.funding), funding_headline(after.funding)
    measures = ["required_usd", "funded_usd", "gap_usd"]
    return pd.DataFrame({
        "measure": measures,
        "before": [hb.get(m) for m in measures],
        "after": [ha.get(m) for m in measures],
    })


def _row_counts(frame: pd.DataFrame) -> pd.Series:
    """How many times each row occurs (by a hash of its values, provenance ignored)."""
    data = frame[[c for c in frame.columns if not c.startswith("_")]]
    if data.empty:
        return pd.Series(dtype="int64")
    return pd.util.hash_pandas_object(data, index=False).value_counts()


def table_removals(before: Dataset, after: Dataset) -> tuple[TableRemoval, ...]:
    """Return, for each table that changes, the rows removed and added and the
    countries whose rows all go (in table order)."""
    out = []
    for name in TABLES:
        b, a = before.tables[name], after.tables[name]
        if b is a:  # a table kept whole (the same frame): nothing removed or added
            continue
        cb, ca = _row_counts(b), _row_counts(a)
        both = cb.index.union(ca.index)
        cb, ca = cb.reindex(both, fill_value=0), ca.reindex(both, fill_value=0)
        removed = int((cb - ca).clip(lower=0).sum())
        added = int((ca - cb).clip(lower=0).sum())
        countries: tuple[str, ...] = ()
        if "country_iso3" in b.columns:
            # Distinct codes first: a set of 100,000 strings costs more than the diff.
            gone = (set(b["country_iso3"].dropna().unique())
                    - set(a["country_iso3"].dropna().unique()))
            countries = tuple(sorted(gone))
        if removed or added or countries:
            out.append(TableRemoval(name, removed, added, countries))
    return tuple(out)


def removal_headlines(removals: tuple[TableRemoval, ...], lang: str = "en") -> list[str]:
    """Return, in words, what publishing would remove: the headline of "What changed".

    One sentence per table whose countries all go ("Removes the 4W presence of 15
    countries: Afghanistan, ..."), and one per table that loses rows ("Removes 589
    rows of the 4W presence and adds 60."). Shared by the Coordinator page and
    ``python -m maaor publish`` so both say the same.
    """
    from maaor.i18n import country_name, fmt_number, t

    lines = []
    for r in removals:
        table = t(f"coord.kind.{r.table}", lang)
        if r.countries_removed:
            names = ", ".join(sorted(country_name(c, lang) for c in r.countries_removed))
            lines.append(t("changes.removes_countries", lang, table=table,
                           n=len(r.countries_removed), names=names))
        if r.rows_removed:
            lines.append(t("changes.removes_rows", lang, table=table,
                           removed=fmt_number(r.rows_removed, lang),
                           added=fmt_number(r.rows_added, lang)))
    return lines


def diff_datasets(before: Dataset, after: Dataset, today: dt.date, stale_days: int = 90,
                  removals: tuple[TableRemoval, ...] | None = None) -> DatasetDiff:
    """What publishing ``after`` would change relative to ``before``.

    Args:
        before: the current published dataset.
        after: the candidate dataset.
        today: reference date for date-based flags.
        stale_days: the staleness threshold used by the gap flags.
        removals: ``table_removals(before, after)`` when the caller has made it
            already (an upload makes it first: publishing needs only that part).

    Returns:
        A DatasetDiff.
    """
    from maaor.figures.gaps import all_flags

    added, removed, changed = activity_changes(before.workplan, after.workplan)
    raised, cleared = flag_changes(
        all_flags(before, today, stale_days), all_flags(after, today, stale_days)
    )
    return DatasetDiff(
        activities_added=added,
        activities_removed=removed,
        activities_changed=changed,
        flags_raised=raised,
        flags_cleared=cleared,
        presence_changes=presence_changes(before.presence, after.presence),
        funding=funding_changes(before, after),
        removals=table_removals(before, after) if removals is None else removals,
    )
