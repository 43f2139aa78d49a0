"""Coordinator page: columns and values to confirm, saved as mapping profiles, and the list
of saved profiles (download as JSON, delete after a confirmation).

A column the dashboard did not load (``how="unmapped"``) or placed by a weak close match,
and a status, pillar or country it did not recognise, get a drop-down here; the choices
of one sheet are saved as the mapping profile of its header signature
(:mod:`maaor.profiles`) and the upload is validated again with it. Everything goes
through :mod:`maaor.usecases`; text from files is escaped before it reaches Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from maaor import columns as column_specs
from maaor import usecases, vocab
from maaor.column_labels import field_label
from maaor.i18n import country_name, t
from maaor.profiles import allowed_values, unknown_values, value_type
from maaor.ui.coordinator import REVALIDATE_KEY, as_text, flash, store_call
from maaor.ui.safe import md_escape
from maaor.usecases.upload import Upload

MAP_PREFIX = "coord_map_"
IGNORE = "__ignore__"
#: A close match below this confidence is offered for confirmation.
LOW_CONFIDENCE = 0.9
PICK_KEY = "coord_profiles_pick"
EXPORT_KEY = "coord_profiles_export"
CONFIRM_KEY = "coord_profiles_confirm"
DELETE_KEY = "coord_profiles_delete"


@dataclass(frozen=True)
class SheetChoices:
    """What one loaded sheet asks the coordinator to confirm."""

    file: str
    sheet: str | None
    kind: str
    headers: tuple[str, ...]
    columns: tuple  # ColumnPlacement of the columns to confirm
    values: dict[str, list[str]]  # field -> values as written not recognised
    # Read by a layout with fixed headers (narrative work plan, FTS/HAPI export): a
    # profile may only ignore its other columns, not give them a field.
    fixed_layout: bool = False


def to_confirm(upload: Upload | None) -> list[SheetChoices]:
    """The loaded sheets of an upload with columns or values to confirm."""
    if upload is None or upload.result is None:
        return []
    out = []
    for fres in upload.result.files:
        for report in fres.reports:
            if report.kind is None or not report.columns:
                continue
            cols = tuple(
                c for c in report.columns
                if c.header and (
                    (c.how == "unmapped" and c.values_not_loaded)
                    or (c.how == "fuzzy" and c.confidence < LOW_CONFIDENCE)
                )
            )
            values = unknown_values(report.kind, report.columns, report.problems)
            if cols or values:
                out.append(SheetChoices(fres.file, report.sheet, report.kind,
                                        tuple(c.header for c in report.columns if c.header),
                                        cols, values,
                                        any(c.how == "layout" for c in report.columns)))
    return out


def _value_label(vtype: str, code: str, lang: str) -> str:
    return country_name(code, lang) if vtype == "country" else vocab.label(vtype, code, lang)


def section_mappings(lang: str, user: str, upload: Upload | None) -> None:
    """Columns and values of the upload to confirm; saving stores a mapping profile."""
    sheets = to_confirm(upload)
    if not sheets:
        return
    st.subheader(t("coord.mappings.title", lang))
    st.caption(t("coord.mappings.help", lang))
    for i, sheet in enumerate(sheets):
        with st.container(border=True):
            _sheet_choices(lang, user, i, sheet)


def _sheet_choices(lang: str, user: str, i: int, sheet: SheetChoices) -> None:
    st.markdown("**" + md_escape(sheet.file if sheet.sheet is None
                                 else f"{sheet.file} · {sheet.sheet}") + "** · "
                + t(f"coord.kind.{sheet.kind}", lang))
    fields = [] if sheet.fixed_layout else [s.field for s in column_specs.FIELDS[sheet.kind]]
    for j, col in enumerate(sheet.columns):
        options = ["", IGNORE, *fields]
        st.selectbox(
            t("coord.mappings.column", lang, letter=md_escape(col.column_letter),
              header=md_escape(col.header)),
            options=options,
            index=options.index(col.field) if col.field in options else 0,
            format_func=lambda v, k=sheet.kind: (
                t("coord.mappings.choose", lang) if v == ""
                else t("coord.mappings.ignore", lang) if v == IGNORE
                else field_label(k, v, lang)),
            key=f"{MAP_PREFIX}{i}_c{j}",
        )
        if col.first_values:
            st.caption(t("coord.mappings.first_values", lang,
                         values=md_escape(", ".join(col.first_values))))
    for fld, written in sheet.values.items():
        vtype = value_type(sheet.kind, fld)
        codes = allowed_values(vtype) if vtype else []
        for k, value in enumerate(written):
            st.selectbox(
                t("coord.mappings.value", lang, field=md_escape(field_label(sheet.kind, fld, lang)),
                  value=md_escape(value)),
                options=["", *codes],
                format_func=lambda c, vt=vtype: (t("coord.mappings.choose", lang) if c == ""
                                                 else _value_label(vt, c, lang)),
                key=f"{MAP_PREFIX}{i}_v_{fld}_{k}",
            )
    default_name = sheet.file if sheet.sheet is None else f"{sheet.file} / {sheet.sheet}"
    name = st.text_input(t("coord.mappings.name", lang), value=default_name,
                         key=f"{MAP_PREFIX}{i}_name")
    if st.button(t("coord.mappings.save", lang), key=f"{MAP_PREFIX}{i}_save", type="primary"):
        _save(lang, user, i, sheet, name)


def _save(lang: str, user: str, i: int, sheet: SheetChoices, name: str) -> None:
    chosen_columns: dict[str, str | None] = {}
    for j, col in enumerate(sheet.columns):
        value = st.session_state.get(f"{MAP_PREFIX}{i}_c{j}") or ""
        if value:
            chosen_columns[col.header] = None if value == IGNORE else value
    chosen_values: dict[str, dict[str, str]] = {}
    for fld, written in sheet.values.items():
        for k, value in enumerate(written):
            code = st.session_state.get(f"{MAP_PREFIX}{i}_v_{fld}_{k}") or ""
            if code:
                chosen_values.setdefault(fld, {})[value] = code
    if not chosen_columns and not chosen_values:
        st.warning(t("coord.mappings.nothing", lang))
        return
    ok, stored = store_call(lang, usecases.stored_profiles)
    if not ok:
        return
    ok, profile = store_call(lang, lambda: usecases.profile_with_choices(
        name or sheet.file, sheet.kind, sheet.headers, chosen_columns, chosen_values,
        base=_same_shape(stored or [], sheet)))
    if not ok:
        return
    ok, _ = store_call(lang, lambda: usecases.save_profile(profile, by=user))
    if ok:
        st.session_state[REVALIDATE_KEY] = True
        flash("success", t("coord.mappings.saved", lang, name=md_escape(profile.name)))
        st.rerun()


def _same_shape(stored: Sequence, sheet: SheetChoices):
    from maaor.profiles import header_signature

    signature = header_signature(sheet.headers)
    return next((p for p in stored if p.signature == signature and p.kind == sheet.kind), None)


def section_profiles(lang: str, user: str) -> None:
    """The saved mapping profiles: a table, a JSON download, a confirmed deletion."""
    st.subheader(t("coord.profiles.title", lang))
    ok, saved = store_call(lang, usecases.list_profiles)
    if not ok:
        return
    if not saved:
        st.info(t("coord.profiles.none", lang))
        return
    st.dataframe(as_text(pd.DataFrame({
        t("coord.profiles.col.name", lang): [s.profile.name for s in saved],
        t("coord.profiles.col.kind", lang): [t(f"coord.kind.{s.profile.kind}", lang) for s in saved],
        t("coord.profiles.col.columns", lang): [len(s.profile.columns) for s in saved],
        t("coord.profiles.col.values", lang): [sum(len(v) for v in s.profile.values.values())
                                               for s in saved],
        t("coord.profiles.col.saved", lang): [f"{s.saved_by}, {s.saved_at:%Y-%m-%d %H:%M} UTC"
                                              for s in saved],
    })), hide_index=True)
    index = st.selectbox(t("coord.profiles.pick", lang), options=list(range(len(saved))),
                         format_func=lambda n: f"{saved[n].profile.name} "
                                               f"({t(f'coord.kind.{saved[n].profile.kind}', lang)})",
                         key=PICK_KEY)
    chosen = saved[index if index is not None and index < len(saved) else 0].profile
    st.download_button(t("coord.profiles.export", lang), data=chosen.to_json(),
                       file_name=_file_name(chosen.name), mime="application/json",
                       key=EXPORT_KEY, on_click="ignore")
    confirmed = st.checkbox(t("coord.profiles.confirm", lang), key=CONFIRM_KEY)
    if st.button(t("coord.profiles.delete", lang), key=DELETE_KEY):
        ok, _ = store_call(lang, lambda: usecases.delete_profile(
            chosen.signature, chosen.kind, by=user, confirmed=confirmed))
        if ok:
            st.session_state.pop(CONFIRM_KEY, None)
            st.session_state.pop(PICK_KEY, None)
            st.session_state[REVALIDATE_KEY] = True
            flash("success", t("coord.profiles.deleted", lang, name=md_escape(chosen.name)))
            st.rerun()


def _file_name(name: str) -> str:
    import re

    stem = re.sub(r"[^\w.-]+", "_", name, flags=re.UNICODE).strip("._")[:80] or "profile"
    return f"{stem}.mapping-profile.json"
