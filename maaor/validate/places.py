"""Admin-1 places of the 4W from the offline gazetteer (``maaor.gazetteer``).

A 4W row names its admin-1 area by OCHA P-code, ISO 3166-2 code or name (in any of its
variants: "Al-Hasakeh", "Hasakah", "Al Hassakeh", "Hassaké"). A row without coordinates
whose area is recognised is placed on the area's representative point, which is no more
precise than the admin-1 name the row gives; its blank admin-1 name or P-code is filled
from the gazetteer (a name or code given is kept as written). A name
the gazetteer does not know is a warning naming the closest areas; the coordinator confirms
the right one once (an admin-1 alias, ``maaor.gazetteer.admin1_alias``) and later files
are placed without asking again.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from maaor import gazetteer
from maaor.validate.frames import obj_values, row_groups, row_values


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA \
        or str(value).strip() == ""


def find_admin1(iso3: str, code: object, name: object,
                aliases: Mapping[tuple[str, str], str]) -> tuple[gazetteer.Admin1Match | None, str]:
    """Return (match, field looked up) for one row's admin-1 cells.

    The code is tried first (a P-code is unambiguous), then a confirmed alias of the name,
    then the name itself. The match is None when neither cell is filled.
    """
    if not _blank(code):
        found = gazetteer.lookup(iso3, code)
        if found.unit is not None or _blank(name):
            return found, "admin1_code"
    if _blank(name):
        return None, ""
    target = aliases.get((iso3, gazetteer.fold_name(name)))
    if target:
        confirmed = gazetteer.lookup(iso3, target)
        if confirmed.unit is not None:
            return gazetteer.Admin1Match(str(name).strip(), iso3, confirmed.unit, "alias", ""), "admin1"
    return gazetteer.lookup(iso3, name), "admin1"


class PlaceRules:
    """Mixed into the sheet validator: uses ``out``, ``frame``, ``col``, ``index``, ``n``
    and ``admin1_aliases``."""

    def _admin1_places(self) -> None:
        """Place the rows without coordinates that name their admin-1 area.

        Rows with coordinates are left as they are (their point is the more precise one,
        and their names are the organisation's). A row without coordinates whose area
        is found gets the area's representative point and, where blank, the area's OCHA
        name and P-code; one whose area is not found is a warning with the closest areas.
        """
        if "country_iso3" not in self.out or not ({"admin1", "admin1_code"} & set(self.out)):
            return
        known = set(gazetteer.countries())
        empty = pd.Series(np.nan, index=self.index, dtype="str")
        iso3 = self.out["country_iso3"]
        codes = self.out.get("admin1_code", empty)
        names = self.out.get("admin1", empty)
        lat = self.out.get("lat", pd.Series(np.nan, index=self.index, dtype="float64"))
        lon = self.out.get("lon", pd.Series(np.nan, index=self.index, dtype="float64"))
        unplaced = (lat.isna() | lon.isna()).to_numpy()
        if not unplaced.any():
            return
        # Looked up once per distinct (country, code, name) of the rows without a point.
        todo = np.flatnonzero(unplaced)
        groups, first = row_groups(*(s.iloc[todo] for s in (iso3, codes, names)))
        order = np.argsort(groups, kind="stable")
        bounds = np.searchsorted(groups[order], np.arange(len(first) + 1))
        cells = [s.iloc[todo].astype(object).to_numpy() for s in (iso3, codes, names)]
        aliases = getattr(self, "admin1_aliases", None) or {}
        # (rows, name, code) found for blank cells, written once after the loop.
        fills: list[tuple[np.ndarray, str, str | None]] = []
        point_lat = np.full(self.n, np.nan)
        point_lon = np.full(self.n, np.nan)
        unknown: dict[str, np.ndarray] = {}
        suggestions: dict[tuple[str, str], str] = {}
        for number, at in enumerate(first):
            country, code, name = (c[at] for c in cells)
            if not isinstance(country, str) or country not in known:
                continue
            found, fld = find_admin1(country, code, name, aliases)
            if found is None:
                continue
            rows = todo[order[bounds[number]:bounds[number + 1]]]
            if found.unit is None:
                unknown.setdefault(fld, np.zeros(self.n, dtype=bool))[rows] = True
                suggestions[(country, found.text)] = ", ".join(
                    unit.name for unit, _ in found.candidates)
                continue
            unit = found.unit
            # Blank cells are filled; a name or code given is kept as the file writes it.
            fills.append((rows, unit.name, unit.pcode or None))
            if unit.lat is not None and unit.lon is not None:
                point_lat[rows], point_lon[rows] = unit.lat, unit.lon
        placed = ~np.isnan(point_lat)
        new_names, new_codes = names, codes
        if fills:
            new_names = names.astype(object).to_numpy(copy=True)
            new_codes = codes.astype(object).to_numpy(copy=True)
            for rows, name, pcode in fills:
                new_names[rows[pd.isna(new_names[rows])]] = name
                if pcode:
                    new_codes[rows[pd.isna(new_codes[rows])]] = pcode
        for fld, values in (("admin1", new_names), ("admin1_code", new_codes)):
            if fld in self.out or placed.any():
                self.out[fld] = pd.Series(values, index=self.index, dtype="str")
        if placed.any():
            self.out["lat"] = lat.where(~placed, point_lat)
            self.out["lon"] = lon.where(~placed, point_lon)
            self.col.sheet_problem("note", "admin1.placed", {"n": {"number": int(placed.sum())}},
                                   fld="admin1" if "admin1" in self.frame.columns else "admin1_code")
        for fld, mask in unknown.items():
            raw = self.frame[fld] if fld in self.frame.columns else (names if fld == "admin1" else codes)
            self.col.rows_problem(
                "warning", "admin1.unknown", fld, mask, obj_values(raw),
                lambda value, ctx: _unknown_params(value, ctx, suggestions),
                context=row_values(iso3),
            )


def _unknown_params(value: str | None, iso3: object, suggestions: Mapping) -> dict:
    closest = suggestions.get((iso3, (value or "").strip()), "")
    return {"country": {"country": iso3}, "suggestions": closest,
            "did_you_mean": {"text": "problem.org.did_you_mean"} if closest else ""}
