"""Funding: requirements against money received, for the AoR, the work plan and FTS.

One rule everywhere (AoR funding, the work-plan budget and the FTS cross-check), so the
figures reconcile: ``gap = required - funded against requirement`` and ``coverage =
funded against requirement / required``, to the cent.

* ``required_usd`` sums the stated requirements. A blank requirement is unknown, never
  zero: it is left out of the requirement.
* ``funded_against_requirement_usd`` sums the funding reported on rows that state a
  requirement. A blank funding cell on such a row counts as nothing received yet (the
  requirement stands and nothing was reported against it).
* ``funded_no_requirement_usd`` sums the funding reported on rows with no stated
  requirement. It is shown beside the gap, never inside it: money against an unknown
  requirement neither inflates the coverage nor hides a gap.
* ``funded_usd`` is all funding reported (the two above added).
* ``gap_usd`` = required - funded against requirement (negative: more was received than
  required); ``pct_funded`` (coverage) = funded against requirement / required * 100.
* A sum with no known value is NaN (None in dicts): no stated requirement gives no gap
  and no coverage.
* ``funded_usd`` is money *received*. A pledge (``pledged_usd``: promised, not yet
  received) is never counted as funding; :func:`pledged_total` sums it apart.
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
    "gap is computed for those rows; their funding is shown as funding with no stated "
    "requirement. FTS figures are kept apart from the AoR's own funding figures and are "
    "not added to them."
)

#: The money columns of every funding table, in order.
MONEY_COLUMNS: tuple[str, ...] = (
    "required_usd",
    "funded_against_requirement_usd",
    "funded_no_requirement_usd",
    "funded_usd",
    "gap_usd",
    "pct_funded",
)
_MONEY = dict.fromkeys(MONEY_COLUMNS, "float64")
_FTS_COLUMNS = {
    "country_iso3": "str",
    "year": "Int64",
    "plan_name": "str",
    "required_usd": "float64",
    "funded_usd": "float64",
    "gap_usd": "float64",
    "percent_funded": "float64",
    "requirement_known": "bool",
}
_MINE_ACTION_KEY = "mineaction"


def _split(required: pd.Series, funded: pd.Series) -> pd.DataFrame:
    """Per-row parts of the funding rule (see the module docstring)."""
    stated = required.notna()
    return pd.DataFrame(
        {
            "required_usd": required,
            # on a row with a stated requirement, blank funding = nothing received yet
            "funded_against_requirement_usd": funded.fillna(0.0).where(stated),
            "funded_no_requirement_usd": funded.where(~stated),
            # all funding = the two above: unknown only where neither is known
            "funded_usd": funded.fillna(0.0).where(stated | funded.notna()),
        }
    )


def _finish(summed: pd.DataFrame) -> pd.DataFrame:
    """Add gap and coverage to summed parts (sums with min_count=1)."""
    out = summed[["required_usd", "funded_against_requirement_usd",
                  "funded_no_requirement_usd", "funded_usd"]].copy()
    against = out["funded_against_requirement_usd"]
    out["gap_usd"] = out["required_usd"] - against
    out["pct_funded"] = against / out["required_usd"].where(out["required_usd"] != 0) * 100.0
    return out


def funding_headline(funding: pd.DataFrame) -> dict:
    """Return the reconciled funding headline of AoR funding rows.

    Returns:
        dict with ``required_usd``, ``funded_against_requirement_usd``,
        ``funded_no_requirement_usd``, ``funded_usd``, ``gap_usd`` and ``pct_funded``
        (see the module docstring; None when unknown). ``gap_usd`` equals
        ``required_usd - funded_against_requirement_usd`` and ``pct_funded`` equals
        ``funded_against_requirement_usd / required_usd * 100``.
    """
    parts = _split(funding["required_usd"].astype("float64"),
                   funding["funded_usd"].astype("float64"))
    required = known_sum(parts["required_usd"])
    against = known_sum(parts["funded_against_requirement_usd"])
    return {
        "required_usd": required,
        "funded_against_requirement_usd": against,
        "funded_no_requirement_usd": known_sum(parts["funded_no_requirement_usd"]),
        "funded_usd": known_sum(parts["funded_usd"]),
        "gap_usd": None if required is None else required - (against or 0.0),
        "pct_funded": pct(against, required),
    }


def pledged_total(funding: pd.DataFrame) -> float | None:
    """Return the sum of the pledges of AoR funding rows (promised, not yet received).

    Pledges are shown only where labelled as pledged: they are never part of
    ``funded_usd`` nor of the gap or coverage. None when no row states a pledge.
    """
    if "pledged_usd" not in funding.columns:
        return None
    return known_sum(funding["pledged_usd"].astype("float64"))


def funding_by(funding: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Return the reconciled funding figures per group of ``by`` columns.

    Groups whose key is missing (e.g. country NaN = global AoR) are kept. With
    ``by=[]`` the result is one total row.

    Columns: by..., required_usd, funded_against_requirement_usd,
    funded_no_requirement_usd, funded_usd, gap_usd, pct_funded (NaN = unknown; the
    same rule as :func:`funding_headline`).
    """
    by = list(by)
    columns = {c: str(funding[c].dtype) for c in by} | _MONEY
    if funding.empty:
        return empty_frame(columns)
    money = _split(funding["required_usd"].astype("float64"),
                   funding["funded_usd"].astype("float64"))
    if not by:
        summed = money.sum(min_count=1).to_frame().T
        return _finish(summed).reset_index(drop=True).astype(_MONEY)
    money[by] = funding[by]
    summed = money.groupby(by, dropna=False).sum(min_count=1)
    out = _finish(summed).reset_index()
    return out[list(columns)].astype(columns)


def workplan_budget_vs_funded(wp: pd.DataFrame) -> pd.DataFrame:
    """Return budget against funding per work-plan objective, by the funding rule.

    The budget plays the requirement: funding of a budget group with an amount is
    funding against the budget; funding of a group without one is funding with no
    stated budget. A shared budget group is counted once, under the objective of its
    first activity; its funding likewise (see ``maaor.figures.common.budget_groups``).

    Columns: objective_id, objective, budget_usd, funded_against_requirement_usd,
    funded_no_requirement_usd, funded_usd, gap_usd (budget - funded against it),
    pct_funded (funded against budget / budget). Natural id order.
    """
    columns = {"objective_id": "str", "objective": "str", "budget_usd": "float64",
               **{c: "float64" for c in MONEY_COLUMNS[1:]}}
    if wp.empty:
        return empty_frame(columns)
    groups = budget_groups(wp)
    firsts = groups["first"]
    money = _split(groups.loc[firsts, "group_budget"], groups.loc[firsts, "group_funded"])
    money["objective_id"] = wp.loc[firsts, "objective_id"]
    summed = money.groupby("objective_id", dropna=False).sum(min_count=1)
    out = _finish(summed).rename(columns={"required_usd": "budget_usd"}).reset_index()
    titles = wp[["objective_id", "objective"]].dropna(subset=["objective"])
    out = out.merge(titles.drop_duplicates("objective_id"), on="objective_id", how="left")
    out["_rank"] = natural_rank(out["objective_id"])
    out = out.sort_values("_rank", kind="stable", na_position="last")
    return out[list(columns)].reset_index(drop=True).astype(columns)


def workplan_budget_headline(wp: pd.DataFrame, groups: pd.DataFrame | None = None) -> dict:
    """Return the work plan's budget figures by the funding rule (budget = requirement).

    Args:
        wp: canonical work-plan table (possibly filtered).
        groups: ``figures.common.budget_groups(wp)`` when the caller has it already;
            None = computed here.

    Returns:
        dict with ``budget_usd`` (each budget group counted once; None when none is
        quantified), ``funded_against_requirement_usd``, ``funded_no_requirement_usd``,
        ``funded_usd``, ``gap_usd`` and ``pct_funded``, as in :func:`funding_headline`.
    """
    groups = budget_groups(wp) if groups is None else groups
    firsts = groups.loc[groups["first"]]
    head = funding_headline(pd.DataFrame({"required_usd": firsts["group_budget"],
                                          "funded_usd": firsts["group_funded"]}))
    head["budget_usd"] = head.pop("required_usd")
    return head


def fts_mine_action(fts: pd.DataFrame) -> pd.DataFrame:
    """Return the OCHA FTS rows of the global cluster Mine Action.

    Rows are matched by cluster name ("Mine Action", any case/spacing), because cluster
    codes differ between global-cluster and plan-cluster files. A blank requirement
    stays NaN with ``requirement_known`` False, and so do its gap and percent (whatever
    FTS wrote there). Otherwise ``gap_usd`` is required - funded and
    ``percent_funded`` the FTS value, or funded / required * 100 when FTS left it blank
    and the requirement is positive.

    Columns: country_iso3, year, plan_name, required_usd, funded_usd, gap_usd,
    percent_funded, requirement_known. Sorted by country, year, plan.
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
    known = required.notna()
    computed = funded.fillna(0.0) / required.where(required > 0) * 100.0
    out = pd.DataFrame(
        {
            "country_iso3": rows["country_iso3"],
            "year": rows["year"],
            "plan_name": rows["plan_name"],
            "required_usd": required,
            "funded_usd": funded,
            "gap_usd": required - funded.fillna(0.0),
            "percent_funded": rows["percent_funded"].astype("float64").fillna(computed)
            .where(known),
            "requirement_known": known,
        }
    )
    out = out.sort_values(["country_iso3", "year", "plan_name"], kind="stable",
                          na_position="last")
    return out.reset_index(drop=True).astype(_FTS_COLUMNS)


def fts_headline(fts_rows: pd.DataFrame) -> dict:
    """Return the FTS Mine Action cross-check by the funding rule.

    Args:
        fts_rows: the output of :func:`fts_mine_action`.

    Returns:
        dict as :func:`funding_headline`: a blank FTS requirement stays unknown, its
        funding counts as funding with no stated requirement.
    """
    return funding_headline(fts_rows[["required_usd", "funded_usd"]])
