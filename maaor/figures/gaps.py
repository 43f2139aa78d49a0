"""Gaps: work-plan activities and country pillars that need attention.

Every flag is one row naming the rule that raised it, so a page can count, filter and
explain them. Rule descriptions here are English; translations live in ``maaor.i18n``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from maaor.dataset import split_list
from maaor.figures.common import (
    DONE_STATUSES,
    active_mask,
    as_timestamp,
    budget_groups,
    empty_frame,
    join_sorted,
    labels,
    ordered_codes,
    vocab_codes,
)
from maaor.figures.progress import overdue_mask

RULES: dict[str, str] = {
    "no_lead": "Activity without a lead organisation",
    "tentative_lead": "Lead organisation not confirmed (TBC)",
    "no_budget": "Activity without a budget",
    "budget_not_quantified": "Budget described but not quantified",
    "unfunded": "Budgeted activity with no funding received",
    "partly_funded": "Budgeted activity only partly funded",
    "overdue": "Activity past its due date and not completed",
    "stale": "Activity not updated recently",
    "pillar_no_active_org": "Expected pillar with no active organisation in a country",
    "pillar_single_org": "Expected pillar covered by a single organisation in a country",
}

ACTIVITY_RULES: tuple[str, ...] = (
    "no_lead",
    "tentative_lead",
    "no_budget",
    "budget_not_quantified",
    "unfunded",
    "partly_funded",
    "overdue",
    "stale",
)
COUNTRY_RULES: tuple[str, ...] = ("pillar_no_active_org", "pillar_single_org")
#: Pillars a country with a coordination mechanism is expected to cover when its
#: mechanism row does not say (column ``expected_pillars`` of the mechanisms sheet).
CORE_PILLARS: tuple[str, ...] = ("land_release", "eore", "victim_assistance")

_ACTIVITY_COLUMNS = {
    "rule": "str",
    "activity_id": "str",
    "objective_id": "str",
    "output_id": "str",
    "activity": "str",
    "leads": "str",
    "detail": "str",
}
_PILLAR_COLUMNS = {
    "rule": "str",
    "country_iso3": "str",
    "pillar": "str",
    "organisations": "str",
    "detail": "str",
}
_ALL_COLUMNS = {
    "rule": "str",
    "scope": "str",
    "ref": "str",
    "label": "str",
    "pillar": "str",
    "detail": "str",
}


def _usd(values: pd.Series) -> pd.Series:
    """Format amounts as "USD 30,000" (vectorised over distinct values)."""
    uniques = values.dropna().unique()
    text = {v: f"USD {v:,.0f}" for v in uniques}
    return values.map(text).astype("str")


def _day(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%Y-%m-%d").astype("str")


def _shared(groups: pd.DataFrame) -> pd.Series:
    size = groups["group_size"]
    suffix = pd.Series("", index=groups.index, dtype="str")
    shared = size > 1
    suffix[shared] = " (shared by " + size[shared].astype("str") + " activities)"
    return suffix


def activity_flags(wp: pd.DataFrame, today: dt.date, stale_days: int = 90) -> pd.DataFrame:
    """Return one row per (rule, activity) for every work-plan rule an activity breaks.

    Rules (budget and funding are read per budget group, see ``budget_groups``):
        no_lead: no lead organisation.
        tentative_lead: lead marked "(TBC)".
        no_budget: no amount and no budget note anywhere in the activity's group.
        budget_not_quantified: no amount, but a budget note.
        unfunded: budget > 0 and funded == 0 (funding not reported is not flagged).
        partly_funded: 0 < funded < budget.
        overdue: due before ``today`` and status not completed/cancelled.
        stale: ``last_update`` more than ``stale_days`` days before ``today``; completed
            or cancelled activities need no update and activities never dated are not
            flagged.

    Returns:
        Columns rule, activity_id, objective_id, output_id, activity, leads, detail;
        ordered by rule (``RULES`` order) then work-plan order.
    """
    if wp.empty:
        return empty_frame(_ACTIVITY_COLUMNS)
    wp = wp.reset_index(drop=True)
    groups = budget_groups(wp)
    budget = groups["group_budget"]
    funded = groups["group_funded"]
    no_amount = budget.isna()
    shared = _shared(groups)
    today_ts = as_timestamp(today)
    done = wp["status"].isin(DONE_STATUSES).fillna(False).astype(bool)
    overdue = overdue_mask(wp, today)
    stale = (
        (wp["last_update"] < today_ts - pd.Timedelta(days=stale_days)).fillna(False)
        & ~done
    )
    days_since = (today_ts - wp["last_update"]).dt.days
    # a merged budget cell may carry its note on one activity only
    group_note = wp["budget_note"].groupby(groups["group"]).transform("first")

    masks: dict[str, tuple[pd.Series, pd.Series]] = {
        "no_lead": (wp["leads"].isna(), pd.Series("No lead organisation", index=wp.index)),
        "tentative_lead": (
            wp["lead_tentative"].fillna(False).astype(bool),
            "Lead to be confirmed: " + wp["leads"].fillna("(none named)"),
        ),
        "no_budget": (
            no_amount & ~groups["group_note"],
            pd.Series("No budget amount or budget note", index=wp.index) + shared,
        ),
        "budget_not_quantified": (
            no_amount & groups["group_note"],
            "Budget note without amount: " + group_note.fillna(""),
        ),
        "unfunded": (
            (budget > 0).fillna(False) & (funded == 0).fillna(False),
            "Budget " + _usd(budget) + shared + ", funded USD 0",
        ),
        "partly_funded": (
            (funded > 0).fillna(False) & (funded < budget).fillna(False),
            "Funded " + _usd(funded) + " of " + _usd(budget) + shared,
        ),
        "overdue": (
            overdue,
            "Due " + _day(wp["due"]) + ", status: "
            + labels("wp_status", wp["status"]).fillna("not reported"),
        ),
        "stale": (
            stale.astype(bool),
            "Last update " + _day(wp["last_update"]) + " ("
            + days_since.astype("Int64").astype("str") + " days ago)",
        ),
    }
    parts = []
    for rule in ACTIVITY_RULES:
        mask, detail = masks[rule]
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            continue
        part = wp.loc[mask, ["activity_id", "objective_id", "output_id", "activity", "leads"]]
        part.insert(0, "rule", rule)
        part["detail"] = detail[mask].astype("str")
        parts.append(part)
    if not parts:
        return empty_frame(_ACTIVITY_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out[list(_ACTIVITY_COLUMNS)].astype(_ACTIVITY_COLUMNS)


def _mechanism_countries(mechanisms: pd.DataFrame) -> list[str]:
    """ISO3 codes with a coordination mechanism not marked inactive, sorted."""
    active = mechanisms["active"].fillna(True).astype(bool)
    return sorted(mechanisms.loc[active, "country_iso3"].dropna().unique())


def expected_pillars(mechanisms: pd.DataFrame) -> pd.DataFrame:
    """Return which pillars each country with an active mechanism is expected to cover.

    A country's expected pillars come from the ``expected_pillars`` column of its
    mechanism row(s) (a list of pillar codes; several rows of a country are pooled);
    a country whose rows leave it blank is expected to cover :data:`CORE_PILLARS`.

    Returns:
        Columns country_iso3, pillar, source ("mechanisms" or "default"); countries
        sorted, pillars in vocabulary order.
    """
    columns = {"country_iso3": "str", "pillar": "str", "source": "str"}
    countries = _mechanism_countries(mechanisms)
    if not countries:
        return empty_frame(columns)
    active = mechanisms["active"].fillna(True).astype(bool)
    listed = mechanisms.loc[active & mechanisms["country_iso3"].notna()]
    if "expected_pillars" in listed.columns:
        listed = listed.loc[listed["expected_pillars"].notna(), ["country_iso3", "expected_pillars"]]
    else:
        listed = listed.iloc[0:0].assign(expected_pillars=pd.Series(dtype="str"))
    known = set(vocab_codes("pillar"))  # validation reports others; never trust them here
    from_data: dict[str, list[str]] = {}
    for iso3, cell in listed.itertuples(index=False):
        from_data.setdefault(iso3, []).extend(c for c in split_list(cell) if c in known)
    rows = []
    for iso3 in countries:
        chosen = from_data.get(iso3)
        source = "mechanisms" if chosen else "default"
        for pillar in ordered_codes(chosen or CORE_PILLARS, "pillar"):
            rows.append((iso3, pillar, source))
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def pillar_gaps(
    presence: pd.DataFrame,
    mechanisms: pd.DataFrame,
    pillars: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Return expected pillars with no, or a single, active organisation in a country.

    Args:
        presence: canonical 4W presence table; rows with status active or no status
            count.
        mechanisms: coordination mechanisms; countries are those whose mechanism is
            not marked inactive (``active`` not False).
        pillars: pillar codes to check in every such country. None = the pillars each
            country is expected to cover (:func:`expected_pillars`: its mechanism's
            ``expected_pillars``, else :data:`CORE_PILLARS`), so a pillar nobody
            expects of a country (IED threat mitigation where there is no IED
            contamination) is not a gap there.

    Returns:
        Columns rule (pillar_no_active_org / pillar_single_org), country_iso3, pillar,
        organisations (LIST_SEP-joined; NaN when none), detail. Ordered by country then
        pillar (vocabulary order).
    """
    if pillars is None:
        expected = expected_pillars(mechanisms)
        grid = pd.MultiIndex.from_frame(expected[["country_iso3", "pillar"]])
    else:
        countries = _mechanism_countries(mechanisms)
        chosen = tuple(dict.fromkeys(pillars))
        if not countries or not chosen:
            return empty_frame(_PILLAR_COLUMNS)
        grid = pd.MultiIndex.from_product([countries, chosen], names=["country_iso3", "pillar"])
    if grid.empty:
        return empty_frame(_PILLAR_COLUMNS)
    countries = list(grid.get_level_values("country_iso3").unique())
    wanted = list(grid.get_level_values("pillar").unique())
    active = presence.loc[
        active_mask(presence)
        & presence["country_iso3"].isin(countries).fillna(False).astype(bool)
        & presence["pillar"].isin(wanted).fillna(False).astype(bool),
        ["country_iso3", "pillar", "org"],
    ].dropna()
    counts = active.drop_duplicates().groupby(["country_iso3", "pillar"]).size()
    counts = counts.reindex(grid, fill_value=0)
    names = join_sorted(active, ["country_iso3", "pillar"], "org").reindex(grid)
    out = pd.DataFrame({"n": counts.to_numpy(), "organisations": names.to_numpy()},
                       index=grid).reset_index()
    out = out.loc[out["n"] <= 1].copy()
    if out.empty:
        return empty_frame(_PILLAR_COLUMNS)
    none = out["n"] == 0
    out["rule"] = none.map({True: "pillar_no_active_org", False: "pillar_single_org"})
    pillar = labels("pillar", out["pillar"])
    out["detail"] = (
        "No active organisation for " + pillar + " in " + out["country_iso3"]
    ).where(none, "Only " + out["organisations"].fillna("") + " active for " + pillar
             + " in " + out["country_iso3"])
    rank = {p: i for i, p in enumerate(ordered_codes(out["pillar"], "pillar"))}
    out["_rank"] = out["pillar"].map(rank)
    out = out.sort_values(["country_iso3", "_rank"], kind="stable")
    return out[list(_PILLAR_COLUMNS)].reset_index(drop=True).astype(_PILLAR_COLUMNS)


def all_flags(dataset, today: dt.date, stale_days: int = 90) -> pd.DataFrame:
    """Return every activity and country flag of ``dataset`` in one table.

    Args:
        dataset: a ``maaor.dataset.Dataset``.
        today: reference date for overdue/stale.
        stale_days: see :func:`activity_flags`.

    Returns:
        Columns rule, scope ("activity" | "country"), ref (activity_id or ISO3), label
        (activity text, or the mechanism name of the country, else its ISO3), pillar
        (country flags only), detail. Activity flags first.
    """
    acts = activity_flags(dataset.workplan, today, stale_days)
    acts_out = pd.DataFrame(
        {
            "rule": acts["rule"],
            "scope": "activity",
            "ref": acts["activity_id"],
            "label": acts["activity"],
            "pillar": pd.Series(pd.NA, index=acts.index, dtype="str"),
            "detail": acts["detail"],
        }
    )
    mechs = dataset.mechanisms
    gaps = pillar_gaps(dataset.presence, mechs)
    names = (
        mechs.dropna(subset=["country_iso3", "name"])
        .drop_duplicates("country_iso3")
        .set_index("country_iso3")["name"]
    )
    country_out = pd.DataFrame(
        {
            "rule": gaps["rule"],
            "scope": "country",
            "ref": gaps["country_iso3"],
            "label": gaps["country_iso3"].map(names).fillna(gaps["country_iso3"]),
            "pillar": gaps["pillar"],
            "detail": gaps["detail"],
        }
    )
    parts = [p for p in (acts_out, country_out) if not p.empty]
    if not parts:
        return empty_frame(_ALL_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out[list(_ALL_COLUMNS)].astype(_ALL_COLUMNS)


def flag_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Return how many flags each rule raised (rules with none are left out).

    Columns rule, count; in ``RULES`` order, unknown rules last alphabetically.
    """
    if flags.empty:
        return empty_frame({"rule": "str", "count": "int64"})
    counts = flags["rule"].value_counts()
    order = [r for r in RULES if r in counts.index]
    order += sorted(r for r in counts.index if r not in RULES)
    out = pd.DataFrame({"rule": order, "count": counts.reindex(order).to_numpy()})
    return out.astype({"rule": "str", "count": "int64"})

