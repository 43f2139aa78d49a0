"""Funding: requirements against money received, for the AoR, the work plan and FTS.

An unknown amount (NaN) is never read as zero. The rule used throughout:

* ``required_usd`` sums the known requirements; ``funded_usd`` sums the known funding
  (including money received where the requirement is unknown).
* ``gap_usd`` and ``pct_funded`` compare only rows where *both* the requirement and the
  funding are known, so money against an unknown requirement neither inflates the
  percent funded nor hides a gap. A negative gap means more was received than required.
* A sum with no known value is NaN (None in dicts).
"""

from __future__ import annotations

import pandas as pd

from maaor.figures.common import budget_groups, empty_frame, known_sum, natural_rank, pct
from maaor.textkey import match_key

FTS_SOURCE = "OCHA Financial Tracking Service (FTS), global cluster Mine Action"
FTS_CAVEAT = (
    "In FTS, mine action is a global cluster under Protection. A blank FTS requirement "
    "means the requirement is unknown (often included in the Protection requirement), "
    "not zero: funding can be reported without a requirement, so no percent funded or "
    "gap is computed for those rows. FTS figures are kept apart from the AoR's own "
    "funding figures and are not added to them."
)

_MONEY = {"required_usd": "float64", "funded_usd": "float64", "gap_usd": "float64",
          "pct_funded": "float64"}
_FTS_COLUMNS = {
    "country_iso3": "str",
    "year": "Int64",
    "plan_name": "str",
    "required_usd": "float64",
    "funded_usd": "float64",
    "percent_funded": "float64",
    "requirement_known": "bool",
}
_MINE_ACTION_KEY = "mineaction"


def _money_columns(required: pd.Series, funded: pd.Series) -> pd.DataFrame:
    """Frame of the four money columns for one row per group, from per-row amounts."""
    both = required.notna() & funded.notna()
    return pd.DataFrame(
        {
            "required_usd": required,
            "funded_usd": funded,
            "_req_both": required.where(both),
            "_fund_both": funded.where(both),
        }
    )


def _finish(summed: pd.DataFrame) -> pd.DataFrame:
    """Add gap and percent to summed money columns (sums with min_count=1)."""
    out = summed[["required_usd", "funded_usd"]].copy()
    out["gap_usd"] = summed["_req_both"] - summed["_fund_both"]
    den = summed["_req_both"].where(summed["_req_both"] != 0)
    out["pct_funded"] = summed["_fund_both"] / den * 100.0
    return out


def funding_headline(funding: pd.DataFrame) -> dict:
    """Return required, funded, gap and percent funded of AoR funding rows.

    Returns:
        dict with ``required_usd`` (sum of known requirements; None when all unknown),
        ``funded_usd`` (sum of known funding; None when all unknown), ``gap_usd`` and
        ``pct_funded`` (over rows where both are known; None when there are none or
        every requirement is unknown).
    """
    required = funding["required_usd"].astype("float64")
    funded = funding["funded_usd"].astype("float64")
    both = required.notna() & funded.notna()
    req_both = known_sum(required[both])
    fund_both = known_sum(funded[both])
    gap = None if req_both is None else req_both - fund_both
    return {
        "required_usd": known_sum(required),
        "funded_usd": known_sum(funded),
        "gap_usd": gap,
        "pct_funded": pct(fund_both, req_both),
    }


def funding_by(funding: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Return required, funded, gap and percent funded per group of ``by`` columns.

    Groups whose key is missing (e.g. country NaN = global AoR) are kept. With
    ``by=[]`` the result is one total row.

    Columns: by..., required_usd, funded_usd, gap_usd, pct_funded (NaN = unknown).
    """
    by = list(by)
    columns = {c: str(funding[c].dtype) for c in by} | _MONEY
    if funding.empty:
        return empty_frame(columns)
    money = _money_columns(funding["required_usd"].astype("float64"),
                           funding["funded_usd"].astype("float64"))
    if not by:
        summed = money.sum(min_count=1).to_frame().T
        return _finish(summed).reset_index(drop=True).astype(_MONEY)
    money[by] = funding[by]
    summed = money.groupby(by, dropna=False).sum(min_count=1)
    out = _finish(summed).reset_index()
    return out[list(columns)].astype(_MONEY)


def workplan_budget_vs_funded(wp: pd.DataFrame) -> pd.DataFrame:
    """Return budget against funding per work-plan objective.

    A shared budget group is counted once, under the objective of its first activity;
    its funding likewise (see ``maaor.figures.common.budget_groups``).

    Columns: objective_id, objective, budget_usd, funded_usd, gap_usd, pct_funded (gap
    and percent over budget groups where both amounts are known). Natural id order.
    """
    columns = {"objective_id": "str", "objective": "str", "budget_usd": "float64",
               "funded_usd": "float64", "gap_usd": "float64", "pct_funded": "float64"}
    if wp.empty:
        return empty_frame(columns)
    groups = budget_groups(wp)
    firsts = groups["first"]
    money = _money_columns(groups.loc[firsts, "group_budget"],
                           groups.loc[firsts, "group_funded"])
    money["objective_id"] = wp.loc[firsts, "objective_id"]
    summed = money.groupby("objective_id", dropna=False).sum(min_count=1)
    out = _finish(summed).rename(columns={"required_usd": "budget_usd"}).reset_index()
    titles = wp[["objective_id", "objective"]].dropna(subset=["objective"])
    out = out.merge(titles.drop_duplicates("objective_id"), on="objective_id", how="left")
    out["_rank"] = natural_rank(out["objective_id"])
    out = out.sort_values("_rank", kind="stable", na_position="last")
    return out[list(columns)].reset_index(drop=True).astype(columns)


def fts_mine_action(fts: pd.DataFrame) -> pd.DataFrame:
    """Return the OCHA FTS rows of the global cluster Mine Action.

    Rows are matched by cluster name ("Mine Action", any case/spacing), because cluster
    codes differ between global-cluster and plan-cluster files. A blank requirement
    stays NaN with ``requirement_known`` False; ``percent_funded`` is the FTS value, or
    funded / required * 100 when FTS left it blank and the requirement is known and
    positive.

    Columns: country_iso3, year, plan_name, required_usd, funded_usd, percent_funded,
    requirement_known. Sorted by country, year, plan.
    """
    if fts.empty:
        return empty_frame(_FTS_COLUMNS)
    names = fts["cluster"].dropna().unique()
    mine_action = [n for n in names if match_key(n) == _MINE_ACTION_KEY]
    rows = fts.loc[fts["cluster"].isin(mine_action).fillna(False).astype(bool)]
    if rows.empty:
        return empty_frame(_FTS_COLUMNS)
    required = rows["required_usd"].astype("float64")
    funded = rows["funded_usd"].astype("float64")
    computed = funded / required.where(required > 0) * 100.0
    out = pd.DataFrame(
        {
            "country_iso3": rows["country_iso3"],
            "year": rows["year"],
            "plan_name": rows["plan_name"],
            "required_usd": required,
            "funded_usd": funded,
            "percent_funded": rows["percent_funded"].astype("float64").fillna(computed),
            "requirement_known": required.notna(),
        }
    )
    out = out.sort_values(["country_iso3", "year", "plan_name"], kind="stable",
                          na_position="last")
    return out.reset_index(drop=True).astype(_FTS_COLUMNS)
