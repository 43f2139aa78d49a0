"""Cell-type checks: one method per field type of ``columns.csv`` (text, money, date,
country, vocabulary ...), applied column by column to a sheet being validated."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from maaor import normalise as nz
from maaor import vocab
from maaor.dataset import join_list
from maaor.orgs import OrgDirectory
from maaor.validate.frames import obj_values, object_array, row_values

#: Organisation suggestions must score above rapidfuzz WRatio's 85.5 for a mere shared
#: word ("Save the Children" ~ "UNICEF" scores 85.5).
SUGGEST_MIN_SCORE = 86.0

#: Field type (columns.csv) -> vocabulary of maaor.vocab.
_VOCAB_TYPES = {
    "pillar": "pillar",
    "wp_status": "wp_status",
    "presence_status": "presence_status",
    "org_type": "org_type",
    "channel": "channel",
    "disaggregation": "disaggregation",
    "direction": "direction",
}
_VOCAB_CODES = {
    "pillar": "pillar.unknown",
    "wp_status": "status.unknown",
    "presence_status": "status.unknown",
    "org_type": "org_type.unknown",
    "channel": "channel.unknown",
    "disaggregation": "disaggregation.unknown",
    "direction": "direction.unknown",
}
#: Defaults filled where a vocabulary cell is blank.
_VOCAB_DEFAULTS = {("indicators", "disaggregation"): "total", ("indicators", "direction"): "increase"}
#: Percent fields that may exceed 100 (over-funding).
_UNBOUNDED_PERCENT = {("fts", "percent_funded")}
#: Dates after ``today`` are suspicious only for these (reporting) fields.
_REPORT_DATES = {("workplan", "last_update"), ("indicators", "as_of")}
_PERSON_SPLIT = re.compile(r"\s*[;,\n/]\s*")


def unknown_org_params(name: str | None, orgs: OrgDirectory, rows: int = 1) -> dict:
    """Parameters of an ``org.unknown`` problem: the closest known names and how many rows
    hold the name (rendered by the catalogue's ``org.unknown`` entries)."""
    suggestions = [] if name is None else [
        s for s, _ in orgs.suggest(name, limit=3, score_cutoff=SUGGEST_MIN_SCORE)]
    return {"suggestions": ", ".join(suggestions), "n": {"number": rows},
            "did_you_mean": {"text": "problem.org.did_you_mean"} if suggestions else "",
            "repeats": {"text": "problem.org.repeats"} if rows > 1 else ""}


class CellTypeRules:
    """Parses each mapped column by its field type and reports the cells that do not fit.

    Mixed into the sheet validator: uses its ``frame``, ``out``, ``col``, ``specs``,
    ``raw_blank``, ``kind``, ``orgs`` and ``today``.
    """

    def _field(self, fld: str, ftype: str) -> None:
        raw = self.frame[fld]
        handler = getattr(self, f"_type_{ftype}", None)
        if ftype in _VOCAB_TYPES:
            self._vocab(fld, ftype, raw)
        elif handler is not None:
            handler(fld, raw)
        else:
            self.out[fld] = self._text(fld)

    # text-like

    def _type_text(self, fld, raw):
        self.out[fld] = self._text(fld)

    _type_id = _type_text
    _type_person = _type_text

    def _type_personlist(self, fld, raw):
        cleaned = self._text(fld)
        codes, uniques = pd.factorize(cleaned)
        joined = [join_list(_PERSON_SPLIT.split(u)) for u in uniques]
        self.out[fld] = nz.str_series(codes, joined, np.nan, self.index)

    def _type_pillarlist(self, fld, raw):
        # A list of pillars ("Land release; EORE"): each item read like a pillar cell.
        cleaned = self._text(fld)
        codes, uniques = pd.factorize(cleaned)
        joined, unknown_items = [], []
        for cell in uniques:
            items = [i for i in _PERSON_SPLIT.split(str(cell)) if i.strip()]
            found = [vocab.lookup("pillar", i) for i in items]
            joined.append(join_list([c for c in found if c]))
            unknown_items.append(", ".join(i for i, c in zip(items, found, strict=True) if not c))
        self.out[fld] = nz.str_series(codes, joined, np.nan, self.index)
        bad = np.array([*(bool(u) for u in unknown_items), False])[codes] if len(codes) \
            else np.zeros(0, dtype=bool)
        unknown_of = dict(zip(uniques, unknown_items, strict=True))
        self.col.rows_problem(
            "error", "pillar.unknown", fld, bad, obj_values(raw),
            lambda value, _ctx: {"item": unknown_of.get(str(value).strip(), value),
                                 "allowed": {"labels": "pillar"}},
            key="pillar.unknown_in_list",
        )

    def _type_orglist(self, fld, raw):
        # Handled per kind (work plan Lead/Partners); elsewhere a plain joined list.
        self.out[fld] = self._text(fld)

    def _type_org(self, fld, raw):
        written = self._text(fld)
        names, known = self.orgs.normalise(written)
        self.out[fld] = names
        if self.kind == "presence" and fld == "org":
            self.out["org_as_written"] = written
        unknown = (known == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        # One warning per distinct unknown name, at its first row: the coordinator
        # confirms a name once, so listing every repeat would only bury the others.
        first = unknown & ~written.duplicated().to_numpy()
        counts = written[unknown].value_counts().to_dict() if unknown.any() else {}

        def params(value, _ctx, _counts=counts):
            return unknown_org_params(value, self.orgs, _counts.get(value, 1))

        self.col.rows_problem(
            "warning", "org.unknown", fld, first, row_values(written), params,
        )

    # numbers

    def _type_money(self, fld, raw):
        parsed = nz.parse_money(raw, self.raw_factors.get(fld))
        values = parsed.values.where(~parsed.negative)
        failed = parsed.failed.to_numpy()
        if self.kind == "workplan" and fld == "budget_usd":
            self._budget_failed = failed  # settled in _kind_workplan, once the note is read
        else:
            self.col.rows_problem("error", "money.text", fld, failed, obj_values(raw))
        self.col.rows_problem(
            "error", "money.negative", fld, parsed.negative.to_numpy(), obj_values(raw),
        )
        # Converted to US dollars once the year (and the Currency column) are read.
        self._money_written[fld] = (raw, values, parsed.non_usd.to_numpy())
        self.out[fld] = values

    def _numbers(self, fld, raw, *, negative_is_error: bool):
        parsed = nz.parse_numbers(raw, self.raw_factors.get(fld))
        self.col.rows_problem(
            "error", "number.text", fld, parsed.failed.to_numpy(), obj_values(raw),
        )
        values = parsed.values
        if negative_is_error:
            negative = (values < 0).to_numpy()
            self.col.rows_problem(
                "error", "number.negative", fld, negative, obj_values(raw),
            )
            values = values.where(~negative)
        self.out[fld] = values

    def _type_count(self, fld, raw):
        self._numbers(fld, raw, negative_is_error=True)

    def _type_number(self, fld, raw):
        self._numbers(fld, raw, negative_is_error=False)

    def _type_percent(self, fld, raw):
        upper = None if (self.kind, fld) in _UNBOUNDED_PERCENT else 100.0
        parsed = nz.parse_percent(raw, upper=upper)
        self.col.rows_problem(
            "error", "percent.text", fld, parsed.failed.to_numpy(), obj_values(raw),
        )
        self.col.rows_problem(
            "error", "percent.out_of_range", fld, parsed.out_of_range.to_numpy(), obj_values(raw),
            key="percent.out_of_range" if upper is not None else "percent.out_of_range.unbounded",
        )
        if parsed.fraction:
            self.col.sheet_problem("warning", "percent.fraction", fld=fld)
        self.out[fld] = parsed.values.where(~parsed.out_of_range)

    def _type_year(self, fld, raw):
        parsed = nz.parse_years(raw)
        self.col.rows_problem(
            "error", "year.invalid", fld, parsed.failed.to_numpy(), obj_values(raw),
        )
        self.out[fld] = parsed.values

    def _type_bool(self, fld, raw):
        values, failed = nz.parse_bools(raw)
        self.col.rows_problem(
            "error", "bool.invalid", fld, failed.to_numpy(), obj_values(raw),
        )
        self.out[fld] = values

    def _type_date(self, fld, raw):
        parsed = nz.parse_dates(raw, self.raw_factors.get(fld))
        failed = parsed.failed.to_numpy()
        # A date written in full whose day does not exist ("31/02/2022") is said so;
        # only the failed cells are looked at (a loop over every row cost 10 ms per
        # date column of a 100,000-row sheet).
        impossible = np.full(len(failed), None, dtype=object)
        at = np.flatnonzero(failed)
        if len(at):
            impossible[at] = object_array([nz.impossible_date(v) for v in obj_values(raw)[at]])
        not_exist = np.not_equal(impossible, None)
        self.col.rows_problem(
            "error", "date.invalid", fld, failed & ~not_exist, obj_values(raw),
        )
        self.col.rows_problem(
            "error", "date.not_exist", fld, not_exist, obj_values(raw),
            lambda _value, ctx: {"month": {"month": list(ctx[:2])}, "days": ctx[2]},
            context=impossible,
        )
        self.col.rows_problem(
            "warning", "date.month_first", fld, parsed.ambiguous.to_numpy(), obj_values(raw),
        )
        values = parsed.values
        if (self.kind, fld) in _REPORT_DATES:
            future = (values > pd.Timestamp(self.today)).to_numpy()
            self.col.rows_problem(
                "warning", "date.future", fld, future, obj_values(raw),
                {"today": self.today.isoformat()},
            )
        self.out[fld] = values

    def _type_country(self, fld, raw):
        parsed = nz.country_iso3(raw, self.raw_factors.get(fld))
        self.col.rows_problem(
            "error", "country.unknown", fld, parsed.failed.to_numpy(), obj_values(raw),
        )
        self.col.rows_problem(
            "warning", "country.guessed", fld, parsed.guessed.to_numpy(), obj_values(raw),
            lambda _value, ctx: {"country": {"country": ctx}},
            context=row_values(parsed.values),
        )
        if self.specs[fld].required:
            self.col.rows_problem(
                "error", "country.not_a_country", fld, parsed.global_.to_numpy(), obj_values(raw),
            )
        self.out[fld] = parsed.values

    def _coordinate(self, fld, raw, limit: float):
        parsed = nz.parse_coordinates(raw, self.raw_factors.get(fld))
        self.col.rows_problem(
            "warning", "coordinates.invalid", fld, parsed.failed.to_numpy(), obj_values(raw),
        )
        values = parsed.values
        out = (values.abs() > limit).to_numpy()
        self.col.rows_problem(
            "warning", "coordinates.out_of_range", fld, out, obj_values(raw), {"limit": f"{limit:g}"},
        )
        self.out[fld] = values.where(~out)

    def _type_latitude(self, fld, raw):
        self._coordinate(fld, raw, 90.0)

    def _type_longitude(self, fld, raw):
        self._coordinate(fld, raw, 180.0)

    def _vocab(self, fld, ftype, raw):
        name = _VOCAB_TYPES[ftype]
        codes = vocab.lookup_series(name, raw, self.raw_factors.get(fld))
        unknown = codes.isna().to_numpy() & ~self.raw_blank[fld]
        default = _VOCAB_DEFAULTS.get((self.kind, fld))
        if default is not None:
            codes = codes.where(~pd.Series(self.raw_blank[fld], index=self.index), default)
        allowed = {"allowed": {"labels": name}}
        if ftype == "org_type":
            self.col.rows_problem(
                "warning", "org_type.unknown", fld, unknown, obj_values(raw), allowed,
            )
        elif ftype == "pillar" and self.kind == "presence":
            self._unknown_pillar = unknown
        else:
            self.col.rows_problem(
                "error", _VOCAB_CODES[ftype], fld, unknown, obj_values(raw), allowed,
                key=_VOCAB_CODES[ftype] if ftype != "wp_status" else "status.unknown.workplan",
            )
        self.out[fld] = codes
