"""Rules of each kind of sheet: the work plan's organisations, budget texts and
numbering; the 4W's pillars, coordinates, admin codes and duplicates; indicator
duplicates; start/end date pairs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from maaor import borders, vocab
from maaor import normalise as nz
from maaor.dataset import join_list
from maaor.orgs import parse_org_cell
from maaor.validate.cells import unknown_org_params
from maaor.validate.frames import (
    join_columns,
    masked_tuples,
    obj_values,
    row_groups,
    row_values,
)

#: (start field, end field) pairs per kind.
_DATE_PAIRS = {"workplan": ("start", "due"), "presence": ("start", "end")}
_ADMIN_CODES = ("admin1_code", "admin2_code")
_ID_NUMBER = re.compile(r"(\d+(?:\.\d+)*)")
_BAD_ADMIN_CODE = re.compile(r"^[\s0\-.–_/]*$|^(?:n/?a|none|null|nil)$", re.I)


def _id_number(s: pd.Series) -> pd.Series:
    """The dotted number of an ID ("SO1" -> "1", "Output 1.3" -> "1.3"); NaN if none."""
    return s.str.extract(_ID_NUMBER, expand=False)


def _not_under(child: pd.Series, parent: pd.Series) -> np.ndarray:
    """True where dotted number ``child`` is not below ``parent`` ("1.3.2" is below "1.3",
    "1.10.2" is not below "1.1"). Rows where either is missing, or where the child is
    numbered on its own ("2", not "1.2"), cannot be checked and are False."""
    pairs = pd.DataFrame({"c": child, "p": parent})
    checkable = (
        (child.notna() & parent.notna() & child.str.contains(".", regex=False)).fillna(False).to_numpy(dtype=bool)
    )
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs[checkable]))
    flags = np.array(
        [not (c.split(".")[: len(p.split("."))] == p.split(".") and c.count(".") > p.count("."))
         for c, p in uniques],
        dtype=bool,
    )
    out = np.zeros(len(child), dtype=bool)
    if len(codes):
        out[checkable] = flags[codes]
    return out



def _bad_admin_codes(codes: pd.Series) -> np.ndarray:
    """True where an admin code is a placeholder (``_BAD_ADMIN_CODE``: "0", "-", "N/A").

    Only a code without a digit 1-9 or an ASCII letter, or of at most four characters,
    can match the pattern: the others are ruled out by one vectorised test, and the
    pattern runs once per distinct code left (a real P-code column has tens of
    thousands of distinct codes, none of them a candidate).
    """
    bad = np.zeros(len(codes), dtype=bool)
    filled = codes.notna()
    if not filled.any():
        return bad
    text = codes[filled].astype("str")
    candidate = ((text.str.len() <= 4) | ~text.str.contains(r"[1-9A-Za-z]", regex=True)).to_numpy(
        dtype=bool)
    if not candidate.any():
        return bad
    idx, uniques = pd.factorize(text[candidate])
    flags = np.array([_BAD_ADMIN_CODE.fullmatch(u) is not None for u in uniques], dtype=bool)
    bad[np.flatnonzero(filled.to_numpy(dtype=bool))[candidate]] = flags[idx]
    return bad


class KindRules:
    """Per-kind rules, run after every column was parsed (``_kind_<kind>``).

    Mixed into the sheet validator.
    """

    def _kind_workplan(self) -> None:
        self._workplan_orgs()
        self._convert_other(lambda: self._years_of("start", "due"))
        if "budget_usd" in self.frame.columns:
            self._budget_text(self.frame["budget_usd"], self._budget_failed)
        self._workplan_hierarchy()

    def _budget_text(self, raw: pd.Series, failed: np.ndarray) -> None:
        """A text budget becomes the budget note (a note), unless the note is filled (an error)."""
        note = self.out.get("budget_note")
        if note is None:
            note = pd.Series(np.nan, index=self.index, dtype="str")
        note_blank = note.isna().to_numpy()
        move = failed & note_blank
        clash = failed & ~note_blank
        texts = nz.text(raw)
        self.out["budget_note"] = note.where(~pd.Series(move, index=self.index), texts)
        self.col.rows_problem(
            "note", "budget.moved_to_note", "budget_usd", move, obj_values(raw),
        )
        self.col.rows_problem(
            "error", "money.text", "budget_usd", clash, obj_values(raw),
            key="money.text.note_filled",
        )

    def _workplan_orgs(self) -> None:
        if self.mapped.orgs_resolved:
            # Split by the reader (from the cells' formatting): kept as given.
            if "lead_tentative" in self.frame.columns:
                self.out["lead_tentative"] = self.frame["lead_tentative"].astype("boolean")
            for fld in ("leads", "partners", "focal_points"):
                if fld in self.frame.columns:
                    self.out[fld] = self._text(fld)
            return
        has_partners_column = "partners" in self.frame.columns
        empty = pd.Series(np.nan, index=self.index, dtype="str")
        lead_parts = {"leads": empty, "partners": empty, "focal": empty}
        partner_parts = {"partners": empty, "focal": empty}
        tentative = pd.Series(pd.NA, index=self.index, dtype="boolean")
        for fld, role in (("leads", "lead" if has_partners_column else "auto"), ("partners", "partner")):
            if fld not in self.frame.columns:
                continue
            cells = self._text(fld)
            codes, uniques = pd.factorize(cells)
            parsed = [parse_org_cell(u, self.orgs, role=role) for u in uniques]

            def spread(values, fill=np.nan, dtype="str", codes=codes):
                arr = np.array([*values, fill], dtype=object)
                return pd.Series(arr[codes] if len(codes) else arr[:0], index=self.index, dtype=dtype)

            leads = spread([join_list(p.leads) for p in parsed])
            partners = spread([join_list(p.partners) for p in parsed])
            focal = spread([join_list(p.focal_points) for p in parsed])
            if fld == "leads":
                lead_parts = {"leads": leads, "partners": partners, "focal": focal}
                tentative = spread([bool(p.tentative) if p.leads else pd.NA for p in parsed],
                                   fill=pd.NA, dtype="boolean")
            else:
                # Everything in a Partners cell is a partner.
                partner_parts = {"partners": join_columns(leads, partners), "focal": focal}
            self._org_cell_problems(fld, codes, parsed, cells)
        self.out["leads"] = lead_parts["leads"]
        self.out["partners"] = join_columns(
            lead_parts["partners"], partner_parts["partners"], exclude=lead_parts["leads"]
        )
        self.out["lead_tentative"] = tentative
        existing = self.out.get("focal_points", empty)
        self.out["focal_points"] = join_columns(existing, lead_parts["focal"], partner_parts["focal"])

    def _org_cell_problems(self, fld, codes, parsed, cells) -> None:
        by_name: dict[str, list[int]] = {}
        by_note: dict[str, list[int]] = {}
        for i, p in enumerate(parsed):
            for name in p.unknown:
                by_name.setdefault(name, []).append(i)
            for note in p.notes:
                by_note.setdefault(note, []).append(i)
        for name, cell_ids in by_name.items():
            mask = np.isin(codes, cell_ids)
            self.col.rows_problem(
                "warning", "org.unknown", fld, mask, np.full(self.n, name, dtype=object),
                lambda v, _ctx: unknown_org_params(v, self.orgs),
            )
        for note, cell_ids in by_note.items():
            mask = np.isin(codes, cell_ids)
            self.col.rows_problem(
                "note", "org.remark", fld, mask, np.full(self.n, note, dtype=object),
            )

    def _workplan_hierarchy(self) -> None:
        act = self.out.get("activity_id")
        outp = self.out.get("output_id")
        obj = self.out.get("objective_id")
        if act is not None:
            dup = (act.duplicated(keep="first") & act.notna()).to_numpy()
            if dup.any():
                first_row = pd.Series(self.rows, index=self.index).groupby(act).transform("first")
                self.col.rows_problem(
                    "error", "workplan.duplicate_activity", "activity_id", dup, obj_values(act),
                    context=first_row.to_numpy(dtype=object),
                )
        for child, parent, code, child_field in (
            (act, outp, "workplan.activity_not_under_output", "activity_id"),
            (outp, obj, "workplan.output_not_under_objective", "output_id"),
        ):
            if child is None or parent is None:
                continue
            bad = _not_under(_id_number(child), _id_number(parent))
            self.col.rows_problem(
                "error", code, child_field, bad, obj_values(child),
                context=obj_values(parent),
            )

    def _kind_presence(self) -> None:
        self._presence_pillar()
        if "org" in self.out:
            org_type = self.out.get("org_type", pd.Series(np.nan, index=self.index, dtype="str"))
            missing = org_type.isna()
            if missing.any():
                names = self.out["org"]
                codes, uniques = pd.factorize(names[missing])
                types = np.array([*[self.orgs.org_type(u) for u in uniques], None], dtype=object)
                org_type = org_type.copy()
                org_type[missing] = types[codes]
            self.out["org_type"] = org_type.astype("str")
        self._coordinate_pairs()
        self._admin_codes()
        if "country_iso3" not in self.frame.columns:
            self._country_from_pcodes()
        self._coordinates_in_country()
        self._admin1_places()
        self._duplicates(
            "presence.duplicate",
            ["org", "country_iso3", "admin1", "admin1_code", "admin2", "admin2_code", "pillar", "activity"],
            "org",
        )
        self._reached_split()
        empty = pd.Series(np.nan, index=self.index)
        start, end = self.out.get("start", empty), self.out.get("end", empty)
        self._emergency_links(pd.to_datetime(start).dt.year.fillna(pd.to_datetime(end).dt.year)
                              if len(self.index) else empty)

    def _reached_split(self) -> None:
        """A people-reached total that its women/men/girls/boys split contradicts beyond
        rounding is a warning (``maaor.figures.reached``); the total is counted as given."""
        from maaor.figures.reached import REACHED, row_reached

        if "reached_total" not in self.out:
            return
        numbers = pd.DataFrame({c: self.out.get(c, pd.Series(np.nan, index=self.index))
                                for c in REACHED})
        rows = row_reached(numbers)
        bad = rows["disagrees"].to_numpy(dtype=bool)
        context = masked_tuples(bad, rows["split_sum"].to_numpy())
        self.col.rows_problem(
            "warning", "reached.split_disagrees", "reached_total", bad,
            obj_values(numbers["reached_total"]),
            lambda value, ctx: {"split": {"number": ctx[0]}},
            context=context,
        )

    def _emergency_links(self, years: pd.Series | None = None) -> None:
        """Link each row (4W, funding, mechanisms) to an emergency
        (``maaor.emergencies.link_table``, the rule the emergency filter follows) and
        report what cannot be linked or looks wrong: one problem per cause (reason and
        value or country) naming its rows, not one per row.

        Args:
            years: each row's year (None: the table has none, any active emergency).
        """
        from maaor.emergencies import (
            active_emergencies,
            emergency_by_name,
            emergency_param,
            link_table,
            with_confirmed,
        )

        if "country_iso3" not in self.out:
            return
        empty = pd.Series(np.nan, index=self.index)
        written = self.out.get("emergency", empty)
        frame = pd.DataFrame({"emergency": written, "country_iso3": self.out["country_iso3"],
                              "_year": empty if years is None else years})
        listed = active_emergencies()
        confirmed = with_confirmed(listed, self.emergency_names)
        # Linked once per distinct (emergency, country, year), then spread to the rows.
        groups, first = row_groups(frame["emergency"], frame["country_iso3"], frame["_year"])
        # Each group's link, read per row through ``groups`` (a numpy gather per column:
        # spreading the link table itself to 100,000 rows cost 15 ms).
        links = link_table(frame.iloc[first], year_column="_year", emergencies=confirmed)
        emergency_id = links["emergency_id"].to_numpy(dtype=object)[groups]
        cause = links["cause"].to_numpy(dtype=object)[groups]
        candidates = links["candidates"].to_numpy()[groups]
        linked = links["emergency_id"].notna().to_numpy(dtype=bool)[groups]
        not_its_country = links["warning"].str.contains(
            "is not one of the countries", regex=False).to_numpy(dtype=bool)[groups]
        own = frame["emergency"].notna().to_numpy(dtype=bool)
        values = row_values(frame["emergency"])
        countries = row_values(frame["country_iso3"])

        def names(ids: str) -> str:
            return ", ".join(ids.split("; ")) if ids else "-"

        self.col.grouped_problem(
            "warning", "emergency.unknown", "emergency", cause == "unknown", values,
            lambda value, ctx: {"closest": names(ctx)}, context=candidates,
        )
        if self.emergency_names and own.any():
            # Names a coordinator confirmed once: linked, and said so.
            codes, uniques = pd.factorize(frame["emergency"][own])
            by_alias = np.array([emergency_by_name(u, listed) is None for u in uniques], dtype=bool)
            via = np.zeros(self.n, dtype=bool)
            via[own] = by_alias[codes] if len(codes) else False
            self.col.grouped_problem(
                "note", "emergency.alias_applied", "emergency", via & linked, values,
                lambda value, ctx: {"emergency": emergency_param(ctx, confirmed)},
                context=emergency_id,
            )
        outside = own & linked & not_its_country
        self.col.grouped_problem(
            "warning", "emergency.country_outside", "emergency", outside, values,
            lambda value, ctx: {"country": {"country": ctx}}, context=countries,
        )
        several = cause == "ambiguous"
        self.col.grouped_problem(
            "note", "emergency.ambiguous", "country_iso3", several, countries,
            lambda value, ctx: {"country": {"country": value}, "candidates": names(ctx)},
            context=candidates,
        )
        none = cause == "none"
        # Without a year, "none" means the list has no emergency of the country at all:
        # the message says so rather than speak of a year the row does not give.
        dated = frame["_year"].notna().to_numpy(dtype=bool)
        self.col.grouped_problem(
            "note", "emergency.none", "country_iso3", none & dated, countries,
            lambda value, ctx: {"country": {"country": value}},
        )
        self.col.grouped_problem(
            "note", "emergency.none", "country_iso3", none & ~dated, countries,
            lambda value, ctx: {"country": {"country": value}}, key="emergency.none.no_year",
        )

    def _presence_pillar(self) -> None:
        """The pillar from the Pillar/Sector column, else the subsector, else the activity.

        A generic humanitarian 3W says "Mine Action" as its sector, or "Protection" with
        the subsector "Mine Action": such rows get the pillar "unspecified" (one warning
        per value, not an error per row) unless the subsector or activity names a pillar.
        A pillar found in the subsector settles an unknown sector ("Protection"); the
        activity only fills a blank or unspecified pillar.
        """
        pillar = self.out.get("pillar")
        unknown = self._unknown_pillar.copy()
        own = pillar.copy() if pillar is not None else None
        for fld in ("subsector", "activity"):
            if fld not in self.frame.columns:
                continue
            found = vocab.lookup_series("pillar", self.frame[fld], self.raw_factors.get(fld))
            if pillar is None:
                pillar = found
                continue
            open_ = np.array((pillar.isna() | (pillar == "unspecified")).fillna(True), dtype=bool)
            if fld == "activity" and "pillar" in self.raw_blank:
                # An activity fills a blank or vague pillar; it never overrules a pillar
                # cell that names something else (that stays an error).
                open_ = open_ & (self.raw_blank["pillar"]
                                 | np.array((pillar == "unspecified").fillna(False), dtype=bool))
            vague = open_ & found.notna().to_numpy()
            vague &= ~((found == "unspecified").fillna(False).to_numpy(dtype=bool) & pillar.notna().to_numpy())
            pillar = pillar.where(~pd.Series(vague, index=self.index), found)
            unknown &= ~vague
        if pillar is not None:
            self.out["pillar"] = pillar
        if "pillar" in self.frame.columns:
            self.col.rows_problem(
                "error", "pillar.unknown", "pillar", unknown, obj_values(self.frame["pillar"]),
                {"allowed": {"labels": "pillar"}},
            )
        if pillar is None:
            return
        unspecified = (pillar == "unspecified").fillna(False).to_numpy(dtype=bool)
        if not unspecified.any():
            return
        left = unspecified.copy()
        for fld in ("pillar", "subsector", "activity"):
            if fld not in self.frame.columns or not left.any():
                continue
            said = (own if fld == "pillar"
                    else vocab.lookup_series("pillar", self.frame[fld], self.raw_factors.get(fld)))
            mask = left & (said == "unspecified").fillna(False).to_numpy(dtype=bool)
            left &= ~mask
            if not mask.any():
                continue
            written = self._text(fld)
            counts = written[mask].value_counts().to_dict()
            first = mask & ~written.where(pd.Series(mask, index=self.index)).duplicated().to_numpy()
            self.col.rows_problem(
                "warning", "pillar.unspecified", fld, first, obj_values(written),
                lambda value, _ctx, _counts=counts: {"n": {"number": _counts.get(value, 1)}},
            )

    def _coordinate_pairs(self) -> None:
        if "lat" not in self.out or "lon" not in self.out:
            return
        lat, lon = self.out["lat"], self.out["lon"]
        zero = ((lat == 0) & (lon == 0)).to_numpy()
        self.col.rows_problem(
            "warning", "coordinates.zero", "lat", zero, obj_values(self.frame["lat"]),
        )
        one_missing = (lat.isna() ^ lon.isna()).to_numpy()
        blank = pd.Series(zero | one_missing, index=self.index)
        self.out["lat"] = lat.where(~blank)
        self.out["lon"] = lon.where(~blank)

    def _coordinates_in_country(self) -> None:
        """A point outside its row's country (beyond the outlines' tolerance) is a warning:
        the coordinates or the country are wrong; both are kept."""
        if not {"lat", "lon", "country_iso3"} <= set(self.out):
            return
        lat, lon, iso3 = self.out["lat"], self.out["lon"], self.out["country_iso3"]
        outside = borders.outside_country(iso3, lat, lon)
        self.col.rows_problem(
            "warning", "coordinates.outside_country", "lat", outside, obj_values(self.frame["lat"]),
            lambda _value, ctx: {"lat": f"{ctx[0]:g}", "lon": f"{ctx[1]:g}",
                                 "country": {"country": ctx[2]}},
            context=masked_tuples(outside, lat.to_numpy(), lon.to_numpy(), row_values(iso3)),
        )

    def _admin_codes(self) -> None:
        for fld in _ADMIN_CODES:
            if fld not in self.out:
                continue
            codes = self.out[fld]
            bad = _bad_admin_codes(codes)
            self.col.rows_problem(
                "warning", "admin_code.invalid", fld, bad, row_values(codes),
            )
            self.out[fld] = codes.where(~pd.Series(bad, index=self.index))

    def _duplicates(self, code: str, keys: list[str], fld: str) -> None:
        present = [k for k in keys if k in self.out]
        if not present or fld not in self.out:
            return
        # One factorisation per key column (missing values equal, as ``duplicated`` has
        # them): a row repeats the group's first row when it is not that row.
        groups, first = row_groups(*(self.out[k] for k in present))
        first_of_row = first[groups]
        dup = first_of_row != np.arange(self.n)
        if not dup.any():
            return
        self.col.rows_problem(
            "warning", code, fld, dup, row_values(self.out[fld]),
            # Python ints, made at the repeated rows only.
            context=row_values(pd.Series(self.rows[first_of_row])),
        )

    def _kind_funding(self) -> None:
        self._convert_funding()
        self._emergency_links(self.out.get("year"))

    def _kind_mechanisms(self) -> None:
        self._emergency_links()

    def _kind_fts(self) -> None:
        self._convert_other(lambda: self._years_of("year"))

    def _years_of(self, *fields: str) -> np.ndarray:
        """The year of each row from the first of ``fields`` that has one (a year
        column or a date), None where none has."""
        years = np.full(self.n, None, dtype=object)
        for fld in fields:
            values = self.out.get(fld)
            if values is None:
                continue
            found = values.dt.year if pd.api.types.is_datetime64_any_dtype(values) else values
            fill = np.array([y is None for y in years], dtype=bool) & found.notna().to_numpy()
            years[fill] = [int(y) for y in found[fill]]
        return years

    def _kind_indicators(self) -> None:
        self._duplicates(
            "indicator.duplicate",
            # Long-format values (organisation and place given) differ by organisation,
            # place and month; a results framework's rows by country, year, disaggregation.
            ["indicator_id", "country_iso3", "year", "disaggregation",
             *(("org", "place", "as_of") if {"org", "place"} & set(self.out) else ())],
            "indicator_id",
        )

    def _date_pairs(self) -> None:
        pair = _DATE_PAIRS.get(self.kind)
        if pair is None:
            return
        start_f, end_f = pair
        if start_f not in self.out or end_f not in self.out:
            return
        start, end = self.out[start_f], self.out[end_f]
        before = (end < start).to_numpy()
        self.col.rows_problem(
            "error", "date.end_before_start", end_f, before, obj_values(self.frame[end_f]),
            {"start": self.col.label(start_f)},
        )
        self.out[end_f] = end.where(~pd.Series(before, index=self.index))
