"""Money in other currencies: the funding amounts converted to US dollars.

A funding amount's currency is, first found: a currency inside the cell ("EUR 1,200,000",
"1 200 000 €", "CHF 300'000"), a currency named by the column's header ("Received
(CHF)", "Montant en CHF", "Requirements (USD)"), the row's Currency column, else US
dollars. An amount not in US dollars is multiplied by the annual average rate of its
year (``maaor.rates``); the amount as written goes to ``<field>_original`` and its
currency to ``currency``. Each converted group (column x currency x year) gives one
warning naming the rate, its year and its source.

An amount whose currency is unknown (an error, ``currency.unknown``) or whose year has
no rate (a warning, ``currency.no_rate``) is *left out*: its US-dollar field is blank
(unknown), never the number as written; the amount as written is kept in
``<field>_original``.

Work-plan budgets and FTS amounts in another currency are converted the same way (the
work plan's year is that of the activity's start, else its due date); one without a
year or a known currency is left out with a ``money.not_usd`` warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maaor import rates
from maaor.validate.frames import obj_values

#: Funding money fields and where their amount as written is kept.
ORIGINALS = {"required_usd": "required_original", "pledged_usd": "pledged_original",
             "funded_usd": "funded_original"}
_UNKNOWN = "?"


def _distinct(raw: pd.Series, fn) -> np.ndarray:
    """``fn`` of each distinct text cell, spread over the rows (None elsewhere)."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    found = np.array([*(fn(u) if isinstance(u, str) else None for u in uniques), None], dtype=object)
    return found[codes] if len(codes) else np.empty(0, dtype=object)


class CurrencyRules:
    """The Currency column and the conversion of funding amounts to US dollars.

    Mixed into the sheet validator: uses its ``frame``, ``out``, ``col``, ``mapped``,
    ``raw_blank`` and ``index``; ``_type_money`` leaves the funding amounts as written
    in ``_money_written``.
    """

    def _type_currency(self, fld, raw):
        codes = _distinct(raw, rates.currency_code)
        unknown = np.array([c is None for c in codes], dtype=bool) & ~self.raw_blank[fld]
        self.col.rows_problem("error", "currency.unknown", fld, unknown, obj_values(raw))
        self._currency_written = np.where(unknown, obj_values(self._text(fld)), None)
        self.out[fld] = pd.Series(np.where(unknown, _UNKNOWN, codes), index=self.index, dtype=object)

    def _value_currencies(self, raw: pd.Series, non_usd: np.ndarray) -> np.ndarray:
        """The currency written inside each cell (None when the cell names none); an
        amount marked as not in dollars whose currency the table lacks is ``_UNKNOWN``."""
        found = _distinct(raw, rates.currency_in_text)
        missing = non_usd & np.array([f is None for f in found], dtype=bool)
        return np.where(missing, _UNKNOWN, found)

    def _convert_funding(self) -> None:
        """Turn the funding amounts into US dollars (see the module docstring)."""
        column = self.out.pop("currency", None)
        column_cur = (np.full(self.n, None, dtype=object) if column is None
                      else column.to_numpy(dtype=object))
        years = self.out.get("year")
        year_of = (np.full(self.n, None, dtype=object) if years is None
                   else np.array([None if pd.isna(y) else int(y) for y in years], dtype=object))
        row_currencies: list[set[str]] = [set() for _ in range(self.n)]
        for fld, original in ORIGINALS.items():
            written = self._money_written.get(fld)
            if written is None:
                continue
            raw, amounts, non_usd = written
            header_cur = rates.currency_in_text(self.mapped.labels.get(fld))
            value_cur = self._value_currencies(raw, non_usd)
            cur = np.array([v or header_cur or c or "USD" for v, c in zip(value_cur, column_cur, strict=True)],
                           dtype=object)
            has_amount = amounts.notna().to_numpy()
            foreign = has_amount & (cur != "USD")
            usd = amounts.to_numpy(dtype="float64").copy()
            usd[foreign] = np.nan
            value_unknown = foreign & (cur == _UNKNOWN) & non_usd
            self.col.rows_problem("error", "currency.unknown", fld, value_unknown, obj_values(raw),
                                  key="currency.unknown.value")
            self._convert_groups(fld, raw, amounts, cur, year_of, foreign & (cur != _UNKNOWN), usd)
            self.out[fld] = pd.Series(usd, index=self.index, dtype="float64")
            self.out[original] = amounts.where(pd.Series(foreign, index=self.index))
            for i in np.flatnonzero(foreign & (cur != _UNKNOWN)):
                row_currencies[i].add(cur[i])
        # An unknown currency is kept as written, beside the amounts it left out.
        written = getattr(self, "_currency_written", np.full(self.n, None, dtype=object))
        for i in np.flatnonzero(np.array([w is not None for w in written], dtype=bool)):
            row_currencies[i].add(str(written[i]))
        self.out["currency"] = pd.Series(
            ["; ".join(sorted(c)) if c else np.nan for c in row_currencies], index=self.index, dtype="str")

    def _convert_other(self, years) -> None:
        """Work-plan and FTS amounts in another currency: converted at the rate of the
        row's year (the work plan: its start, else its due date); without a year or a
        known currency, left out with a ``money.not_usd`` warning, never kept as dollars.

        Args:
            years: returns the year of each row (called only when an amount is foreign).
        """
        for fld, (raw, amounts, non_usd) in self._money_written.items():
            header_cur = rates.currency_in_text(self.mapped.labels.get(fld))
            value_cur = self._value_currencies(raw, non_usd)
            cur = np.array([v or header_cur or "USD" for v in value_cur], dtype=object)
            foreign = amounts.notna().to_numpy() & (cur != "USD")
            if not foreign.any():
                continue
            year_of = years()  # only when some amount is foreign: a per-row pass
            usd = amounts.to_numpy(dtype="float64").copy()
            usd[foreign] = np.nan
            lost = foreign & ((cur == _UNKNOWN) | np.array([y is None for y in year_of], dtype=bool))
            self.col.rows_problem("warning", "money.not_usd", fld, lost, obj_values(raw))
            self._convert_groups(fld, raw, amounts, cur, year_of, foreign & ~lost, usd)
            self.out[fld] = pd.Series(usd, index=self.index, dtype="float64")

    def _convert_groups(self, fld, raw, amounts, cur, year_of, mask, usd) -> None:
        """Convert each (currency, year) group of ``fld`` once; one problem per group."""
        if not mask.any():
            return
        keys = pd.Series([(c, y) for c, y in zip(cur, year_of, strict=True)], dtype=object)
        values = obj_values(raw)
        for (currency, year), positions in keys[mask].groupby(keys[mask]).groups.items():
            rows = np.asarray(list(positions), dtype=np.int64)
            first = np.zeros(self.n, dtype=bool)
            first[rows[0]] = True
            rate = rates.usd_rate(currency, year) if year is not None else None
            params = {"n": {"number": len(rows)}, "currency": currency,
                      "year": "" if year is None else str(year)}
            if rate is None:
                if year is not None:  # a missing year is an error of its own (value.missing)
                    self.col.rows_problem("warning", "currency.no_rate", fld, first, values, params)
                continue
            usd[rows] = amounts.to_numpy(dtype="float64")[rows] * rate.usd_per_unit
            self.col.rows_problem(
                "warning", "currency.converted", fld, first, values,
                {**params, "rate": rate_param(rate.usd_per_unit), "source": rate.source},
            )


def rate_param(usd_per_unit: float) -> dict:
    """An exchange rate as a message parameter: six significant digits, written with the
    reader's decimal separator ("1.08238" in English, "1,08238" in French)."""
    shown = f"{usd_per_unit:.6g}"
    decimals = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0
    return {"number": float(shown), "decimals": decimals}
