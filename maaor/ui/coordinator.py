"""The coordinator's workflow on one page: upload, report, what changed, names, publish,
edit in place, history and rollback.

Each section is a function taking the page language (and the signed-in user where it
writes); ``pages/6_Coordinator.py`` only checks the role and lays the sections out.
Sections draw and call the use cases of :mod:`maaor.usecases` (the same functions the
CLI calls); they never touch the store. A use case that is not done raises
:class:`maaor.usecases.refusal.Refused`, shown here as a plain message. Data are shown
with ``st.dataframe`` / ``st.text`` (plain text), and text from data that reaches a
label is escaped with :func:`maaor.ui.safe.md_escape`.

The upload being prepared lives in ``st.session_state`` under :data:`UPLOAD_KEY` as a
:class:`maaor.usecases.upload.Upload`. Once it is consumed (published or discarded),
:func:`release_upload` drops every copy of its bytes the server holds.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from maaor import usecases, vocab
from maaor.column_labels import field_label
from maaor.emergencies import TYPES
from maaor.gazetteer import split_aliases
from maaor.i18n import fmt_date, fmt_money, fmt_percent, t, t_count
from maaor.problems import Problem, group_problems, group_summary
from maaor.ui import serverguard
from maaor.ui.history import withdrawn_label
from maaor.ui.safe import md_escape
from maaor.usecases.candidate import SCOPES
from maaor.usecases.refusal import Refused, guarded
from maaor.usecases.upload import Upload, max_upload_mb, upload_key

UPLOAD_KEY = "coord_upload"
FLASH_KEY = "coord_flash"
FILES_KEY = "coord_files"
FILES_GENERATION_KEY = "coord_files_generation"  # bumped when an upload is consumed
RELEASED_KEY = "coord_upload_released"  # an upload was released: trim memory next run
DISCARD_KEY = "coord_discard"
NOTE_KEY = "coord_note"
PUBLISH_KEY = "coord_publish"
REVALIDATE_KEY = "coord_revalidate"
EDITOR_KEY = "coord_editor"
EDIT_NOTE_KEY = "coord_edit_note"
EDIT_PUBLISH_KEY = "coord_edit_publish"
ROLLBACK_TO_KEY = "coord_rollback_to"
ROLLBACK_NOTE_KEY = "coord_rollback_note"
ROLLBACK_KEY = "coord_rollback"
ROLLBACK_CONFIRM_KEY = "coord_rollback_confirm"
ROLLBACK_CANCEL_KEY = "coord_rollback_cancel"
ROLLBACK_PENDING = "coord_rollback_pending"
HISTORY_PICK_KEY = "coord_history_pick"
ALIAS_SAVE_KEY = "coord_alias_save"
ALIAS_PREFIX = "coord_alias_"
PLACE_SAVE_KEY = "coord_place_save"
PLACE_PREFIX = "coord_place_"
EMERGENCY_NAME_SAVE_KEY = "coord_emergency_name_save"
EMERGENCY_NAME_PREFIX = "coord_emergency_name_"
EMERGENCIES_EDITOR_KEY = "coord_emergencies_editor"
EMERGENCIES_NOTE_KEY = "coord_emergencies_note"
EMERGENCIES_PUBLISH_KEY = "coord_emergencies_publish"
EMERGENCIES_FILE_KEY = "coord_emergencies_file"
EMERGENCIES_FILE_GENERATION_KEY = "coord_emergencies_file_generation"
EMERGENCIES_FILE_NOTE_KEY = "coord_emergencies_file_note"
EMERGENCIES_FILE_PUBLISH_KEY = "coord_emergencies_file_publish"
SCOPE_KEY = "coord_scope"
CONFIRM_REMOVAL_KEY = "coord_confirm_removal"
# What each upload scope is called on the page.
SCOPE_LABELS = {"countries": "coord.scope.countries", "all": "coord.scope.all"}

NEW_ORGANISATION = "__new__"
PROBLEM_COLUMNS = ("severity", "sheet", "row", "column", "value", "message", "fix")
EDIT_COLUMNS = ("activity_id", "activity", "status", "progress", "comment")

_log = logging.getLogger("maaor.ui.coordinator")
T = TypeVar("T")


# ----------------------------------------------------------------------------- helpers


def refused_text(exc: Refused, lang: str) -> str:
    """The message of a refused use case in the page language, its fields escaped."""
    return exc.message(lang, escape=md_escape)


def store_call(lang: str, action: Callable[[], T]) -> tuple[bool, T | None]:
    """Run a use case (or a store action), retrying while the store is busy; when it is
    refused or fails, show a plain message.

    Returns:
        (True, result) on success; (False, None) after showing the error.
    """
    try:
        return True, guarded(action)
    except Refused as exc:
        st.error(refused_text(exc, lang))
    except Exception:  # noqa: BLE001 - never a traceback for the user
        _log.exception("coordinator action failed")
        st.error(t("coord.store.unexpected", lang))
    return False, None


def flash(kind: str, text: str) -> None:
    """Keep a message to show after the next rerun."""
    st.session_state[FLASH_KEY] = (kind, text)


def show_flash() -> None:
    """Show (once) the message kept by :func:`flash`."""
    kept = st.session_state.pop(FLASH_KEY, None)
    if kept:
        kind, text = kept
        (st.success if kind == "success" else st.info)(text)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every cell as text ("" for missing) so nothing is interpreted."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            text = s.dt.strftime("%Y-%m-%d")
        else:
            text = s.astype("object").map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
        out[str(col)] = text.fillna("").astype(str)
    return out.reset_index(drop=True)


# Column headers of the coordinator's tables, as i18n keys (unlisted columns keep their name).
COLUMN_KEYS: dict[str, str] = {
    "activity_id": "col.activity_id", "objective_id": "col.objective_id",
    "output_id": "col.output_id", "activity": "col.activity", "field": "col.field",
    "before": "coord.col.before", "after": "coord.col.after", "rule": "col.rule",
    "scope": "coord.col.scope", "ref": "coord.col.ref", "label": "coord.col.label",
    "pillar": "col.pillar", "detail": "col.detail", "country_iso3": "col.country",
    "added": "coord.col.added", "removed": "coord.col.removed", "measure": "coord.col.measure",
    "name": "col.mechanism", "org": "col.org", "admin1": "col.admin1", "leads": "col.leads",
    "coordinator": "coord.col.coordinator", "email": "coord.col.email",
    "focal_point": "coord.col.focal_point", "focal_points": "coord.col.focal_point",
    "contact": "coord.col.contact",
}


def headed(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return ``frame`` as text with headers, rules and pillars in the page language."""
    frame = frame.copy()
    if "rule" in frame.columns:
        frame["rule"] = frame["rule"].map(lambda r: t(f"rule.{r}", lang) if isinstance(r, str) else r)
    if "pillar" in frame.columns:
        frame["pillar"] = frame["pillar"].map(
            lambda c: vocab.label("pillar", c, lang) if isinstance(c, str) else c)
    if "measure" in frame.columns:
        frame["measure"] = frame["measure"].map(lambda m: t(f"coord.measure.{m}", lang))
    out = as_text(frame)
    return out.rename(columns={c: t(COLUMN_KEYS[c], lang) for c in out.columns if c in COLUMN_KEYS})


#: How "What changed" writes a work-plan field's values (field -> kind of value).
_VALUE_KINDS = {
    "budget_usd": "money", "funded_usd": "money", "start": "date", "due": "date",
    "last_update": "date", "progress": "percent", "status": "status",
    "lead_tentative": "yes_no",
}


def value_in_words(field: str, value: object, lang: str) -> str:
    """Return a work-plan value as the page writes it: money, dates and percentages in the
    language's format, statuses by their labels, yes/no in words ("" when missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    kind = _VALUE_KINDS.get(field)
    if kind == "money":
        return fmt_money(value, lang)
    if kind == "date":
        return fmt_date(value, lang)
    if kind == "percent":
        return fmt_percent(value, lang)
    if kind == "status":
        return vocab.label("wp_status", str(value), lang)
    if kind == "yes_no":
        return t("about.yes" if bool(value) else "about.no", lang)
    return str(value)


def changes_in_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The changed work-plan fields with their labels (the column catalogue) and values in
    the user's words."""
    out = frame.copy()
    if not len(out):
        return out
    out["before"] = [value_in_words(f, v, lang) for f, v in zip(out["field"], out["before"], strict=True)]
    out["after"] = [value_in_words(f, v, lang) for f, v in zip(out["field"], out["after"], strict=True)]
    out["field"] = [field_label("workplan", f, lang) for f in out["field"]]
    return out


def funding_in_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The AoR funding totals before and after, as money in the user's format."""
    out = frame.copy()
    for col in ("before", "after"):
        if col in out:
            out[col] = [fmt_money(v, lang) for v in out[col]]
    return out


def problems_frame(problems: Sequence[Problem], lang: str = "en", *,
                   with_file: bool = False) -> pd.DataFrame:
    """Return problems as a text table: severity, sheet, row, column, value, message, fix,
    with headers, severities, messages and fixes in the page language; a problem standing
    for several rows shows them all as compact ranges, not only its first."""
    rows = [
        {"severity": t(f"coord.problem.severity.{p.severity}", lang), "sheet": p.sheet,
         "row": p.row_label, "column": p.column, "value": p.value,
         "message": p.message_in(lang),
         "fix": p.fix_in(lang)}
        for p in problems
    ]
    frame = as_text(pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS)))
    frame = frame.rename(columns={c: t(f"coord.problem.{c}", lang) for c in PROBLEM_COLUMNS})
    if with_file:
        frame.insert(1, t("coord.problem.file", lang), [p.file for p in problems])
    return frame


#: Orders of the problem groups.
SORT_LABELS = {"severity": "coord.problem.sort.severity", "file": "coord.problem.sort.file"}
#: Groups drawn per file before "and N more" (the annotated workbook marks every one).
GROUPS_SHOWN = 200


def render_problems(lang: str, problems: Sequence[Problem], key: str) -> None:
    """Identical problems grouped, each an expander (problem, fix and its rows wrapped),
    sortable by severity and filterable by sheet."""
    sheets = sorted({p.sheet for p in problems if p.sheet is not None})
    left, right = st.columns(2)
    choice = ""
    if len(sheets) > 1:
        choice = left.selectbox(t("coord.problem.filter_sheet", lang), ["", *sheets],
                                format_func=lambda s: s or t("coord.problem.all_sheets", lang),
                                key=f"coord_problem_sheet_{key}")
    order = right.selectbox(t("coord.problem.sort", lang), list(SORT_LABELS),
                            format_func=lambda o: t(SORT_LABELS[o], lang),
                            key=f"coord_problem_sort_{key}")
    shown = [p for p in problems if not choice or p.sheet == choice]
    groups = group_problems(shown, lang, by_severity=order == "severity")
    for group in groups[:GROUPS_SHOWN]:
        where = " › ".join(x for x in (group.sheet, group.column) if x)
        # Markdown label: catalogue words, and the data escaped.
        with st.expander(
            "**" + t(f"coord.problem.severity.{group.severity}", lang) + "**"
            + (" · " + md_escape(where) if where else "")
            + " — " + md_escape(group_summary(group, lang))
        ):
            if group.fix:
                st.markdown(t("coord.problem.fix_line", lang, fix=md_escape(group.fix)))
            st.dataframe(problems_frame(group.problems, lang), hide_index=True)
    if len(groups) > GROUPS_SHOWN:
        st.caption(t("coord.problem.more_groups", lang, n=len(groups) - GROUPS_SHOWN))


def _safe_stem(name: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", Path(name).stem, flags=re.UNICODE).strip("._")
    return stem[:80] or "file"


# ------------------------------------------------------------------------------ upload


def files_key() -> str:
    """The uploader's widget key now: :data:`FILES_KEY`, then a new key after each
    consumed upload, so the browser's uploader starts empty and Streamlit drops the old
    widget's state (which holds the files) instead of keeping it."""
    generation = int(st.session_state.get(FILES_GENERATION_KEY, 0))
    return FILES_KEY if generation == 0 else f"{FILES_KEY}_{generation}"


def release_upload() -> None:
    """Release the upload being prepared (published or discarded): its files leave
    Streamlit's upload store, the uploader gets a new key, and the prepared upload
    (which holds the files' bytes) leaves the session. The freed memory goes back to
    the system at the start of the next run (:func:`return_released_memory`) and again
    in the background a few seconds later, once Streamlit has dropped the last
    references (the old widget's state, deferred downloads) at the end of that run."""
    key = files_key()
    files = st.session_state.get(key) or []
    serverguard.release_files([f.file_id for f in files if getattr(f, "file_id", None)])
    for name in (UPLOAD_KEY, key, CONFIRM_REMOVAL_KEY, REVALIDATE_KEY):
        st.session_state.pop(name, None)
    st.session_state[FILES_GENERATION_KEY] = int(st.session_state.get(FILES_GENERATION_KEY, 0)) + 1
    st.session_state[RELEASED_KEY] = True
    serverguard.return_freed_memory_soon()


def return_released_memory() -> None:
    """After an upload was released (the run that released it has ended, and its
    references with it), hand the freed memory back to the system."""
    if st.session_state.pop(RELEASED_KEY, False):
        serverguard.return_freed_memory()


def _uploaded_pairs(lang: str) -> tuple[list[tuple[str, bytes]], list[tuple[str, int]]]:
    limit_mb = max_upload_mb()
    files = st.file_uploader(
        t("coord.upload.label", lang),
        type=["xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt", "json"],
        accept_multiple_files=True,
        key=files_key(),
        help=t("coord.upload.help", lang, mb=limit_mb),
        max_upload_size=limit_mb,
    )
    pairs: list[tuple[str, bytes]] = []
    refused: list[tuple[str, int]] = []
    for f in files or []:
        # The size is known before the bytes are read: a file over the limit is never read.
        if f.size > limit_mb * 1024 * 1024:
            refused.append((f.name, int(f.size)))
        else:
            pairs.append((f.name, f.getvalue()))
    return pairs, refused


def section_upload(lang: str) -> Upload | None:
    """Upload & validate: the uploader, the scope, the report per file and sheet,
    annotated downloads, and a button that discards the files."""
    return_released_memory()
    pairs, refused = _uploaded_pairs(lang)
    scope = st.radio(t("coord.scope.label", lang), options=SCOPES, key=SCOPE_KEY,
                     format_func=lambda s: t(SCOPE_LABELS[s], lang),
                     help=t("coord.scope.help", lang))
    upload: Upload | None = st.session_state.get(UPLOAD_KEY)
    if not pairs and not refused:
        if st.session_state.pop(UPLOAD_KEY, None) is not None:
            # The browser removed the files (Streamlit dropped them from its store):
            # the prepared upload goes too, and its memory back to the system.
            serverguard.return_freed_memory_soon()
        st.info(t("coord.upload.none", lang))
        return None
    if st.button(t("coord.upload.discard", lang), key=DISCARD_KEY,
                 help=t("coord.upload.discard_help", lang)):
        release_upload()
        st.rerun()
    ok, aliases = store_call(lang, usecases.aliases)
    if not ok:
        return None
    key = upload_key(pairs, aliases)
    if upload is None or upload.key != key or st.session_state.pop(REVALIDATE_KEY, False):
        with st.spinner(t("coord.upload.validating", lang)):
            ok, upload = store_call(lang, lambda: usecases.prepare_upload(
                pairs, refused=refused, scope=scope))
        if not ok:
            return None
        st.session_state[UPLOAD_KEY] = upload
        # A confirmed removal was confirmed for what was shown then, not for this.
        st.session_state.pop(CONFIRM_REMOVAL_KEY, None)
    elif upload.scope != scope:
        upload = usecases.rescope_upload(upload, scope)
        st.session_state[UPLOAD_KEY] = upload
        st.session_state.pop(CONFIRM_REMOVAL_KEY, None)
    render_report(lang, upload)
    return upload


def render_report(lang: str, upload: Upload) -> None:
    """Show the validation report grouped by file and sheet, with annotated downloads."""
    from maaor.export.annotated import annotated_workbook

    for name, size in upload.refused:
        st.error(t("coord.upload.too_big", lang, name=md_escape(name),
                   mb=f"{size / 1024 / 1024:.1f}", limit=max_upload_mb()))
    result = upload.result
    if result is None:
        return
    errors, warnings = len(result.errors), sum(p.severity == "warning" for p in result.problems)
    if errors:
        st.error(t("coord.report.errors", lang, errors=errors, warnings=warnings))
    else:
        st.success(t("coord.report.ok", lang, warnings=warnings))
    by_file = {s.name: s for s in upload.sources}
    for index, fres in enumerate(result.files):
        with st.container(border=True):
            st.subheader(md_escape(fres.file))
            for report in fres.reports:
                kind = t(f"coord.kind.{report.kind}", lang) if report.kind else t("coord.kind.none", lang)
                st.caption("**" + md_escape(report.sheet or fres.file) + "** · "
                           + t("coord.report.sheet", lang, kind=kind, read=report.rows_read,
                               loaded=report.rows_loaded, problems=len(report.problems)))
            file_problems = [*fres.problems, *(p for r in fres.reports for p in r.problems)]
            if file_problems:
                render_problems(lang, file_problems, str(index))
            source = by_file.get(fres.file)
            if source is not None and file_problems:
                st.download_button(
                    t("coord.report.annotated", lang),
                    data=lambda s=source, p=file_problems: annotated_workbook(s, p, lang),
                    file_name=f"{_safe_stem(fres.file)}-problems.xlsx",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    key=f"coord_annotated_{index}",
                    on_click="ignore",
                )
    cross = list(result.across_files)
    if cross:
        st.caption(t("coord.report.cross", lang))
        render_problems(lang, cross, "cross")


# -------------------------------------------------------------------------- what changed


def section_changes(lang: str, upload: Upload | None) -> None:
    """What changed against the current version if the upload were published."""
    if upload is None or upload.result is None:
        st.info(t("coord.changes.none", lang))
        return
    if not upload.result.ok:
        st.warning(t("coord.changes.has_errors", lang))
    if upload.kept:
        names = ", ".join(t(f"coord.kind.{n}", lang) for n in upload.kept)
        st.info(t("coord.changes.kept", lang, version=upload.base_version, tables=names))
    for table, countries in upload.kept_countries.items():
        st.info(t("coord.changes.kept_countries", lang, table=t(f"coord.kind.{table}", lang),
                  n=len(countries), version=upload.base_version))
    headlines = upload.removal_headlines(lang)
    if headlines:
        st.warning("\n\n".join(upload.removal_headlines(lang)))
    diff = upload.diff
    if diff is None:
        st.info(t("coord.changes.first", lang))
        return
    if diff.is_empty:
        st.info(t("coord.changes.empty", lang, version=upload.base_version))
    st.caption(t("coord.changes.against", lang, version=upload.base_version))
    parts = (
        ("coord.changes.added", diff.activities_added),
        ("coord.changes.removed", diff.activities_removed),
        ("coord.changes.changed", diff.activities_changed),
        ("coord.changes.raised", diff.flags_raised),
        ("coord.changes.cleared", diff.flags_cleared),
        ("coord.changes.presence", diff.presence_changes),
    )
    for key, frame in parts:
        st.markdown("**" + t(key, lang, n=len(frame)) + "**")
        if len(frame):
            if key == "coord.changes.changed":
                frame = changes_in_words(frame, lang)
            st.dataframe(headed(frame, lang), hide_index=True)
    st.markdown("**" + t("coord.changes.funding", lang) + "**")
    st.dataframe(headed(funding_in_words(diff.funding, lang), lang), hide_index=True)


# -------------------------------------------------------------------- organisation names


def section_names(lang: str, user: str, upload: Upload | None) -> None:
    """Unknown organisation names: confirm a likely match or add as a new organisation."""
    from maaor.orgs import OrgDirectory

    unknown = upload.unknown_organisations() if upload else []
    if not unknown:
        st.info(t("coord.names.none", lang))
    else:
        ok, aliases = store_call(lang, usecases.aliases)
        if not ok:
            return
        directory = OrgDirectory.bundled().with_aliases(aliases or {})  # places left out
        st.caption(t("coord.names.help", lang))
        for i, name in enumerate(unknown):
            options = ["", *(c for c, _ in directory.suggest(name)), NEW_ORGANISATION]
            st.selectbox(
                md_escape(name),
                options=options,
                format_func=lambda v: (t("coord.names.choose", lang) if v == ""
                                       else t("coord.names.new", lang) if v == NEW_ORGANISATION
                                       else v),
                key=f"{ALIAS_PREFIX}{i}",
            )
        if st.button(t("coord.names.save", lang), key=ALIAS_SAVE_KEY, type="primary"):
            chosen = []
            for i, name in enumerate(unknown):
                value = st.session_state.get(f"{ALIAS_PREFIX}{i}") or ""
                if value:
                    chosen.append((name, name if value == NEW_ORGANISATION else value))
            if not chosen:
                st.warning(t("coord.names.nothing", lang))
            else:
                save_aliases(lang, user, chosen)
    ok, aliases = store_call(lang, usecases.aliases)
    org_aliases, _ = split_aliases(aliases or {})
    if ok and org_aliases:
        with st.expander(t("coord.names.stored", lang, n=len(org_aliases))):
            st.dataframe(as_text(pd.DataFrame({"alias": list(org_aliases),
                                               "organisation": list(org_aliases.values())})),
                         hide_index=True)
    section_places(lang, user, upload)
    section_emergency_names(lang, user, upload)


def section_emergency_names(lang: str, user: str, upload: Upload | None) -> None:
    """Unknown emergency names: pick the emergency each one means, once (stored as an
    alias; the next uploads link such rows to it, with a note)."""
    from maaor.emergencies import emergency_by_id

    st.subheader(t("coord.emergency_names.title", lang))
    unknown = upload.unknown_emergencies() if upload else []
    if not unknown:
        st.info(t("coord.emergency_names.none", lang))
        return
    ok, listed = store_call(lang, usecases.emergency_list)
    if not ok:
        return
    st.caption(t("coord.emergency_names.help", lang))
    for i, (name, closest) in enumerate(unknown):
        rest = [e.id for e in listed if e.id not in closest]
        names = {e.id: f"{e.name(lang)} ({e.id})" for e in listed}
        st.selectbox(
            md_escape(name),
            options=["", *(c for c in closest if emergency_by_id(c, listed)), *rest],
            format_func=lambda v, names=names: t("coord.names.choose", lang) if v == "" else names[v],
            key=f"{EMERGENCY_NAME_PREFIX}{i}",
        )
    if st.button(t("coord.emergency_names.save", lang), key=EMERGENCY_NAME_SAVE_KEY,
                 type="primary"):
        chosen = [(name, st.session_state.get(f"{EMERGENCY_NAME_PREFIX}{i}") or "")
                  for i, (name, _) in enumerate(unknown)]
        chosen = [c for c in chosen if c[1]]
        if not chosen:
            st.warning(t("coord.names.nothing", lang))
            return
        save_aliases(lang, user, chosen, save=usecases.save_emergency_name)


def section_places(lang: str, user: str, upload: Upload | None) -> None:
    """Unknown admin-1 names: pick the area each one means, once (stored as an alias)."""
    from maaor import gazetteer
    from maaor.i18n import country_name

    st.subheader(t("coord.places.title", lang))
    unknown = upload.unknown_admin1() if upload else []
    if not unknown:
        st.info(t("coord.places.none", lang))
        return
    st.caption(t("coord.places.help", lang))
    for i, (iso3, text) in enumerate(unknown):
        closest = [u for u, _ in gazetteer.closest(iso3, text)]
        rest = sorted((u for u in gazetteer.units(iso3) if u not in closest), key=lambda u: u.name)
        options = ["", *(u.pcode or u.name for u in [*closest, *rest])]
        names = {u.pcode or u.name: f"{u.name} ({u.pcode})" if u.pcode else u.name
                 for u in [*closest, *rest]}
        st.selectbox(
            md_escape(f"{text} · {country_name(iso3, lang)}"),
            options=options,
            format_func=lambda v, names=names: t("coord.names.choose", lang) if v == "" else names[v],
            key=f"{PLACE_PREFIX}{i}",
        )
    if st.button(t("coord.places.save", lang), key=PLACE_SAVE_KEY, type="primary"):
        chosen = [(iso3, text, st.session_state.get(f"{PLACE_PREFIX}{i}") or "")
                  for i, (iso3, text) in enumerate(unknown)]
        chosen = [c for c in chosen if c[2]]
        if not chosen:
            st.warning(t("coord.names.nothing", lang))
            return
        save_aliases(lang, user, [(gazetteer.admin1_alias(iso3, text), target)
                                  for iso3, text, target in chosen])


def save_aliases(lang: str, user: str, chosen: list[tuple[str, str]],
                 save: Callable[..., None] = usecases.save_alias) -> None:
    """Store each (alias, target) the coordinator chose (organisation, admin-1 and
    emergency names alike, each through its use case ``save``); on any saved, validate
    the upload again and rerun."""
    saved = 0
    for alias, target in chosen:
        ok, _ = store_call(lang, lambda a=alias, c=target: save(a, c, by=user))
        if not ok:
            break
        saved += 1
    if saved:
        st.session_state[REVALIDATE_KEY] = True
        flash("success", t("coord.names.saved", lang, n=saved))
        st.rerun()


# ----------------------------------------------------------------------------- publish


def section_publish(lang: str, user: str, upload: Upload | None) -> None:
    """Publish the upload with a note (disabled while there are errors); a publish that
    removes more rows than it adds asks for a second confirmation."""
    if upload is None or upload.result is None:
        st.info(t("coord.publish.nothing", lang))
    elif not upload.publishable:
        st.error(t("coord.publish.blocked", lang))
    note = st.text_input(t("coord.publish.note", lang), key=NOTE_KEY, max_chars=500)
    confirmed = False
    if upload is not None and upload.publishable and upload.needs_removal_confirmation:
        st.warning(t("coord.publish.removal_warning", lang, removed=int(upload.rows_removed),
                     added=int(upload.rows_added))
                   + "\n\n" + "\n\n".join(upload.removal_headlines(lang)))
        confirmed = st.checkbox(t("coord.publish.confirm_removal", lang), key=CONFIRM_REMOVAL_KEY)
    clicked = st.button(t("coord.publish.button", lang), key=PUBLISH_KEY, type="primary",
                        disabled=upload is None or not upload.publishable)
    if not clicked or upload is None or not upload.publishable:
        return
    ok, published = store_call(lang, lambda: usecases.publish(
        upload, by=user, note=note, removal_confirmed=confirmed))
    if not ok:
        return
    after_publish()
    release_upload()
    for key in (NOTE_KEY, CONFIRM_REMOVAL_KEY):
        st.session_state.pop(key, None)
    flash("success", t("coord.publish.done", lang, version=published.version))
    st.rerun()


def after_publish() -> None:
    """Make this server's pages read the new current version on their next run (the
    use case has stored the new version's aggregates). The coordinator who published
    moves to it at once (other visitors are offered it)."""
    from maaor.ui import data
    from maaor.ui.page import SESSION_SEEN

    data.current_version.clear()
    st.session_state.pop(SESSION_SEEN, None)


# -------------------------------------------------------------------------- edit in place


def section_edit(lang: str, user: str) -> None:
    """Edit status, progress and comment of work-plan activities; publish as a new version."""
    ok, ds = store_call(lang, usecases.current_dataset)
    if not ok:
        return
    current = ds.meta.version
    wp = ds.workplan
    if wp.empty:
        st.info(t("coord.edit.empty", lang))
        return
    st.caption(t("coord.edit.help", lang, version=current))
    frame = pd.DataFrame({
        "activity_id": wp["activity_id"].astype("object"),
        "activity": wp["activity"].astype("object"),
        "status": wp["status"].astype("object").where(wp["status"].notna(), None),
        "progress": wp["progress"].astype("float64"),
        "comment": wp["comment"].astype("object").where(wp["comment"].notna(), None),
    })
    edited = st.data_editor(
        frame,
        key=EDITOR_KEY,
        hide_index=True,
        num_rows="fixed",
        disabled=["activity_id", "activity"],
        column_config={
            "activity_id": st.column_config.TextColumn(t("coord.edit.col.activity_id", lang)),
            "activity": st.column_config.TextColumn(t("coord.edit.col.activity", lang)),
            "status": st.column_config.SelectboxColumn(
                t("coord.edit.col.status", lang), options=vocab.codes("wp_status"),
                # Statuses by their labels; the stored value stays the code.
                format_func=lambda code: vocab.label("wp_status", code, lang)),
            "progress": st.column_config.NumberColumn(
                t("coord.edit.col.progress", lang), min_value=0, max_value=100, step=1),
            "comment": st.column_config.TextColumn(t("coord.edit.col.comment", lang), max_chars=2000),
        },
    )
    note = st.text_input(t("coord.edit.note", lang), key=EDIT_NOTE_KEY, max_chars=500)
    if not st.button(t("coord.edit.button", lang), key=EDIT_PUBLISH_KEY, type="primary"):
        return
    ok, outcome = store_call(lang, lambda: usecases.apply_edits(
        edited[["activity_id", "status", "progress", "comment"]], base_version=current,
        by=user, note=note))
    if not ok or not published(outcome, lang, ("coord.edit.invalid", "coord.edit.unchanged"),
                               clear=(EDITOR_KEY, EDIT_NOTE_KEY)):
        return
    flash("success", t("coord.edit.done", lang, version=outcome.version, n=outcome.activities))
    st.rerun()


def published(outcome: Any, lang: str, keys: tuple[str, str], clear: Sequence[str] = ()) -> bool:
    """Tell an in-page publish's outcome (an edit, a list of emergencies): its problems
    (catalogue entry ``keys[0]``, nothing published) or an unchanged result (``keys[1]``);
    after a new version, clear the ``clear`` widget states and return True."""
    invalid, unchanged = keys
    if outcome.problems:
        st.error(t(invalid, lang))
        st.dataframe(problems_frame(outcome.problems, lang), hide_index=True)
        return False
    if outcome.version is None:
        st.info(t(unchanged, lang))
        return False
    after_publish()
    for key in clear:
        st.session_state.pop(key, None)
    return True


# ---------------------------------------------------------------------- emergencies


def section_emergencies(lang: str, user: str) -> None:
    """Edit the list of emergencies of the current version; publish it as a new version
    (``usecases.publish_emergencies``, the use case of ``maaor emergencies FILE``)."""
    ok, found = store_call(lang, usecases.emergency_table)
    if not ok:
        return
    version, table = found
    st.subheader(t("coord.emergencies.title", lang))
    st.caption(t("coord.emergencies.help", lang, version=version))
    column = st.column_config
    edited = st.data_editor(
        table,
        key=EMERGENCIES_EDITOR_KEY,
        hide_index=True,
        num_rows="dynamic",
        column_config={
            "id": column.TextColumn(t("coord.emergencies.col.id", lang), max_chars=60),
            "name_en": column.TextColumn(t("coord.emergencies.col.name_en", lang)),
            "name_fr": column.TextColumn(t("coord.emergencies.col.name_fr", lang)),
            "countries": column.TextColumn(t("coord.emergencies.col.countries", lang)),
            "type": column.SelectboxColumn(t("coord.emergencies.col.type", lang),
                                           options=list(TYPES)),
            "start_year": column.NumberColumn(t("coord.emergencies.col.start_year", lang),
                                              min_value=1900, max_value=2100, step=1),
            "end_year": column.NumberColumn(t("coord.emergencies.col.end_year", lang),
                                            min_value=1900, max_value=2100, step=1),
            "aliases": column.TextColumn(t("coord.emergencies.col.aliases", lang)),
        },
    )
    note = st.text_input(t("coord.edit.note", lang), key=EMERGENCIES_NOTE_KEY, max_chars=500)
    if not st.button(t("coord.emergencies.button", lang), key=EMERGENCIES_PUBLISH_KEY,
                     type="primary"):
        return
    labels = {f: t(f"coord.emergencies.col.{f}", lang) for f in table.columns}
    ok, outcome = store_call(lang, lambda: usecases.publish_emergencies(
        edited, base_version=version, by=user, note=note, labels=labels))
    if not ok or not published(outcome, lang,
                               ("coord.emergencies.invalid", "coord.emergencies.unchanged"),
                               clear=(EMERGENCIES_EDITOR_KEY, EMERGENCIES_NOTE_KEY)):
        return
    flash("success", t("coord.emergencies.done", lang, version=outcome.version,
                       n=len(outcome.emergencies)))
    st.rerun()


def emergencies_file_key() -> str:
    """The list uploader's key now: a new one after each publish, so it starts empty."""
    return f"{EMERGENCIES_FILE_KEY}_{int(st.session_state.get(EMERGENCIES_FILE_GENERATION_KEY, 0))}"


def section_emergencies_file(lang: str, user: str) -> None:
    """Upload a list of emergencies (CSV/XLSX): checked first, its problems shown (file,
    row, column, value, fix), published as a new version only when it has no error
    (``usecases.check_list_file`` and ``publish_list_file``, as ``maaor emergencies
    FILE``)."""
    st.subheader(t("coord.emergencies_file.title", lang))
    limit_mb = max_upload_mb()
    found = st.file_uploader(t("coord.emergencies_file.label", lang),
                             type=["csv", "xlsx", "xlsm"], key=emergencies_file_key(),
                             help=t("coord.emergencies_file.help", lang),
                             max_upload_size=limit_mb)
    if found is None:
        return
    if found.size > limit_mb * 1024 * 1024:
        st.error(t("coord.upload.too_big", lang, name=md_escape(found.name),
                   mb=f"{found.size / 1024 / 1024:.1f}",
                   limit=limit_mb))
        return
    ok, checked = store_call(lang, lambda: usecases.check_list_file(found.name, found.getvalue()))
    if not ok:
        return
    if checked.problems:
        st.error(t("coord.emergencies_file.blocked", lang, file=md_escape(checked.name)))
        st.dataframe(problems_frame(checked.problems, lang, with_file=True), hide_index=True)
    else:
        st.success(t_count("coord.emergencies_file.ok", len(checked.emergencies), lang,
                           file=md_escape(checked.name), n=len(checked.emergencies)))
    note = st.text_input(t("coord.edit.note", lang), key=EMERGENCIES_FILE_NOTE_KEY,
                         max_chars=500)
    # Refused while an error stands: the button is off, and the use case refuses too.
    if not st.button(t("coord.emergencies_file.button", lang), key=EMERGENCIES_FILE_PUBLISH_KEY,
                     type="primary", disabled=not checked.publishable):
        return
    ok, outcome = store_call(lang, lambda: usecases.publish_list_file(checked, by=user,
                                                                      note=note))
    # The editor's state is cleared so that it shows the new list.
    if not ok or not published(outcome, lang,
                               ("coord.emergencies.invalid", "coord.emergencies.unchanged"),
                               clear=(EMERGENCIES_FILE_NOTE_KEY, EMERGENCIES_EDITOR_KEY)):
        return
    st.session_state[EMERGENCIES_FILE_GENERATION_KEY] = int(
        st.session_state.get(EMERGENCIES_FILE_GENERATION_KEY, 0)) + 1
    flash("success", t("coord.emergencies.done", lang, version=outcome.version,
                       n=len(outcome.emergencies)))
    st.rerun()


# ---------------------------------------------------------------------- history & rollback


def history_frame(history: Sequence[Any], lang: str) -> pd.DataFrame:
    """The history as a text table: version, when, who, kind, note, files, current."""
    rows = [
        {
            "version": v.id,
            "when": v.created_at.strftime("%Y-%m-%d %H:%M UTC") if v.created_at else "",
            "who": v.created_by,
            "kind": t(f"coord.history.kind.{v.kind}", lang)
            + (f" ({v.parent})" if v.parent else ""),
            "note": v.note,
            "files": ", ".join(f.name for f in v.files),
            "current": "✓" if v.is_current else "",
            "withdrawn": withdrawn_label(v, lang),
        }
        for v in history
    ]
    return as_text(pd.DataFrame(rows, columns=["version", "when", "who", "kind", "note", "files",
                                               "current", "withdrawn"]))


def section_history(lang: str, user: str) -> None:
    """History of versions, downloads of any version, rollback with a confirmation step."""
    from maaor.export.versions import files_zip, tables_workbook

    ok, history = store_call(lang, usecases.history)
    if not ok or not history:
        return
    st.dataframe(history_frame(history, lang), hide_index=True)
    ids = [v.id for v in history]
    current = next((v.id for v in history if v.is_current), None)
    # Opens on the current version (the one a coordinator most often wants), and again on
    # the new one after a publish (one widget per current version).
    pick = st.selectbox(t("coord.history.pick", lang), options=ids,
                        key=f"{HISTORY_PICK_KEY}_{current}",
                        index=ids.index(current) if current in ids else 0,
                        format_func=lambda v: t("coord.history.version", lang, version=v))
    left, right = st.columns(2)
    with left:
        st.download_button(
            t("coord.history.files", lang),
            data=lambda v=pick: files_zip(usecases.version_files(v)),
            file_name=f"maaor-v{pick}-files.zip",
            mime="application/zip",
            key="coord_dl_files",
            on_click="ignore",
        )
    with right:
        st.download_button(
            t("coord.history.tables", lang),
            data=lambda v=pick: tables_workbook(
                usecases.version_dataset(v, withdrawn_ok=True), {"version": str(v), "exported": dt.date.today().isoformat()}),
            file_name=f"maaor-v{pick}-tables.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="coord_dl_tables",
            on_click="ignore",
        )

    st.subheader(t("coord.rollback.title", lang))
    # A withdrawn version's data may not come back through a rollback.
    older = [v.id for v in history if v.id != current and not v.withdrawn]
    if not older:
        st.info(t("coord.rollback.none", lang))
        return
    target = st.selectbox(t("coord.rollback.to", lang), options=older, key=ROLLBACK_TO_KEY,
                          format_func=lambda v: t("coord.history.version", lang, version=v))
    note = st.text_input(t("coord.rollback.note", lang), key=ROLLBACK_NOTE_KEY, max_chars=500)
    if st.button(t("coord.rollback.button", lang), key=ROLLBACK_KEY):
        if not (note or "").strip():
            st.error(t("coord.publish.note_required", lang))
        else:
            st.session_state[ROLLBACK_PENDING] = (int(target), note.strip(), current)
    pending = st.session_state.get(ROLLBACK_PENDING)
    if not pending:
        return
    to_version, pending_note, based_on = pending
    st.warning(t("coord.rollback.confirm_text", lang, version=to_version, current=based_on))
    yes, no = st.columns(2)
    if yes.button(t("coord.rollback.confirm", lang), key=ROLLBACK_CONFIRM_KEY, type="primary"):
        st.session_state.pop(ROLLBACK_PENDING, None)
        ok, version = store_call(lang, lambda: usecases.rollback(
            to_version, by=user, note=pending_note, based_on=based_on))
        if ok:
            after_publish()
            st.session_state.pop(ROLLBACK_NOTE_KEY, None)
            flash("success", t("coord.rollback.done", lang, version=version, to=to_version))
            st.rerun()
    if no.button(t("coord.rollback.cancel", lang), key=ROLLBACK_CANCEL_KEY):
        st.session_state.pop(ROLLBACK_PENDING, None)
        st.rerun()


# ------------------------------------------------------------------ sensitive data (view)


def section_contacts(lang: str) -> None:
    """Focal points and contacts of the current version (signed-in only)."""
    ok, ds = store_call(lang, usecases.current_dataset)
    if not ok:
        return
    st.caption(t("coord.contacts.help", lang))
    wp = ds.workplan[["activity_id", "activity", "focal_points"]].dropna(subset=["focal_points"])
    mech = ds.mechanisms[["country_iso3", "name", "coordinator", "email"]].dropna(
        subset=["coordinator", "email"], how="all")
    pres = ds.presence[["org", "country_iso3", "admin1", "focal_point", "contact"]].dropna(
        subset=["focal_point", "contact"], how="all").drop_duplicates()
    for key, frame in (("coord.contacts.workplan", wp), ("coord.contacts.mechanisms", mech),
                       ("coord.contacts.presence", pres)):
        st.markdown("**" + t(key, lang, n=len(frame)) + "**")
        if len(frame):
            st.dataframe(headed(frame, lang), hide_index=True)

