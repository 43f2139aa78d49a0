"""One emergency in one sentence: organisations, countries, admin-1 areas, people reached.

"Central Sahel crisis: 8 active organisations in 3 countries (12 admin-1 areas); 4,500
people reached." The Overview, the Presence page, the presence slide and the PPTX pack
write this sentence from :func:`emergency_summary` of the 4W rows the emergency filter
keeps (``maaor.filters.filter_presence``), so each place says the same numbers.
"""

from __future__ import annotations

import pandas as pd

from maaor.emergencies import emergency_by_id
from maaor.figures.common import active_mask
from maaor.figures.reached import reached_headline
from maaor.i18n import fmt_number, plural_form, t
from maaor.textkey import match_key


def admin1_areas(presence: pd.DataFrame) -> int:
    """Return how many distinct admin-1 areas the rows name.

    An area is its P-code when the row gives one, else its name folded
    (``maaor.textkey.match_key``), within its country: "Ninewa" in Iraq and a
    "Ninewa" elsewhere are two areas. Rows without an admin-1 are not counted.
    """
    if presence.empty:
        return 0
    code = presence["admin1_code"].astype("object")
    name = presence["admin1"].map(lambda v: match_key(v) or None if pd.notna(v) else None)
    area = code.where(code.notna(), name)
    keys = pd.DataFrame({"country": presence["country_iso3"], "area": area}).dropna()
    return int(len(keys.drop_duplicates()))


def emergency_summary(presence: pd.DataFrame, emergency_id: str | None) -> dict | None:
    """Return the headline of one emergency from its 4W rows.

    Args:
        presence: the presence rows of the emergency (filtered by the caller, e.g.
            ``filter_presence(ds.presence, Filters(emergency=...))``).
        emergency_id: the emergency's id; None (no emergency chosen) gives None.

    Returns:
        None without an emergency; else a dict: ``emergency`` (id), ``organisations``
        (distinct active organisations: status active or not given, as the
        "Active organisations" tile), ``countries`` (distinct countries with a 4W row),
        ``admin1_areas`` (:func:`admin1_areas`), ``reached_total`` (people reached,
        ``maaor.figures.reached.reached_headline``; None when no row gives it) and
        ``countries_of_emergency`` (how many countries the emergency spans).
    """
    if not emergency_id:
        return None
    found = emergency_by_id(emergency_id)
    return {
        "emergency": emergency_id,
        "organisations": int(presence.loc[active_mask(presence), "org"].nunique()),
        "countries": int(presence["country_iso3"].nunique()),
        "admin1_areas": admin1_areas(presence),
        "reached_total": reached_headline(presence)["reached_total"],
        "countries_of_emergency": len(found.countries) if found else 0,
    }


def _counted(n: int, key: str, lang: str) -> str:
    form = ".one" if plural_form(n, lang) == "one" else ""
    return t(f"{key}{form}", lang, n=fmt_number(n, lang))


def emergency_sentence(summary: dict | None, lang: str) -> str:
    """Return :func:`emergency_summary` in words ("" without an emergency)."""
    if not summary:
        return ""
    found = emergency_by_id(summary["emergency"])
    name = found.name(lang) if found else summary["emergency"]
    text = t("emergency.summary", lang, emergency=name,
             organisations=_counted(summary["organisations"], "emergency.organisations", lang),
             countries=_counted(summary["countries"], "emergency.countries", lang),
             areas=_counted(summary["admin1_areas"], "emergency.admin1", lang))
    if summary["reached_total"] is not None:
        text += " " + t("emergency.reached", lang, n=fmt_number(summary["reached_total"], lang))
    return text
