"""P-codes: the country of a 4W sheet without a country column, from its OCHA P-codes."""

from __future__ import annotations

from maaor import normalise as nz
from maaor.validate.frames import obj_values


class PcodeRules:
    """Mixed into the sheet validator."""

    def _country_from_pcodes(self) -> None:
        """Fill the country of a sheet with no country column from its P-codes.

        OCHA P-codes start with the country's ISO3 (VUT0104002) or ISO2 (AF0101) code.
        Rows whose code is blank or invalid take the country of the other rows when the
        whole sheet names one country, with a warning; otherwise they are errors.
        """
        codes = None
        for fld in ("admin2_code", "admin1_code"):
            if fld in self.out:
                col = self.out[fld]
                codes = col if codes is None else codes.fillna(col)
        if codes is None:
            return
        prefix3 = codes.str.slice(0, 3).str.upper()
        prefix2 = codes.str.slice(0, 2).str.upper()
        iso3 = nz.country_iso3(prefix3.where(prefix3.str.fullmatch(r"[A-Z]{3}").fillna(False)))
        values = iso3.values.where(~iso3.failed & ~iso3.guessed)
        from_iso2 = nz.country_iso3(prefix2.where(prefix2.str.fullmatch(r"[A-Z]{2}").fillna(False)))
        values = values.fillna(from_iso2.values.where(~from_iso2.failed & ~from_iso2.guessed))
        found = values.dropna().unique()
        missing = values.isna().to_numpy()
        code_fld = "admin2_code" if "admin2_code" in self.out else "admin1_code"
        raw_codes = obj_values(self.frame[code_fld]) if code_fld in self.frame.columns else None
        if len(found) == 1:
            self.col.sheet_problem(
                "note", "country.from_pcode", {"country": {"country": found[0]}},
                fld=code_fld,
            )
            self.col.rows_problem(
                "warning", "country.from_file", code_fld, missing, raw_codes,
                {"country": {"country": found[0]}},
            )
            values = values.fillna(found[0])
        else:
            self.col.rows_problem(
                "error", "country.missing", code_fld, missing, raw_codes,
            )
        self.out["country_iso3"] = values.astype("str")
