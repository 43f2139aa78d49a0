"""Versions over time: cached work-plan progress across published versions (Work plan
page), and the coordinator's Withdraw control (History tab).

Versions are immutable, so each version's numbers are computed once per process
(:func:`version_row`); :func:`progress_history` only lists the versions and joins
their rows, keyed by the current version so a new publish shows up at once. Withdrawn
versions are left out of everything the public sees.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maaor import service
from maaor.figures.history import history_frame, version_progress
from maaor.i18n import fmt_date, t
from maaor.ui.data import by_name

WITHDRAW_PICK_KEY = "coord_withdraw_pick"
WITHDRAW_REASON_KEY = "coord_withdraw_reason"
WITHDRAW_KEY = "coord_withdraw"
WITHDRAW_CONFIRM_KEY = "coord_withdraw_confirm"
WITHDRAW_CANCEL_KEY = "coord_withdraw_cancel"
WITHDRAW_PENDING = "coord_withdraw_pending"


@st.cache_data(max_entries=1024, show_spinner=False)
def version_row(version: int) -> dict:
    """Return the work-plan progress numbers of one (immutable) version."""
    return version_progress(service.load_dataset(version))


# Re-listed every few seconds (like the current version): a version withdrawn by another
# process leaves the table even when the current version has not changed.
@by_name
@st.cache_data(max_entries=8, ttl=5, show_spinner=False)
def progress_history(current_version: int) -> pd.DataFrame:
    """Return progress over all versions up to ``current_version`` that are still
    served (see :func:`maaor.figures.history.progress_over_versions`)."""
    versions = [v for v in service.history()
                if v.id <= current_version and not v.withdrawn]
    rows = [{"version": v.id, "created_at": v.created_at, **version_row(v.id)} for v in versions]
    return history_frame(rows)


def withdrawn_label(version, lang: str) -> str:
    """Return "withdrawn <date>" for a withdrawn version of the history, else ""."""
    if not getattr(version, "withdrawn_at", None):
        return ""
    return t("coord.history.withdrawn", lang, date=fmt_date(version.withdrawn_at, lang))


def section_withdraw(lang: str, user: str) -> None:
    """Withdraw a version (History tab): pick it, say why, confirm; audited.

    Calls :func:`maaor.usecases.withdraw.withdraw_version`, the same function as
    ``python -m maaor withdraw``.
    """
    from maaor.ui import coordinator as coord
    from maaor.usecases.withdraw import withdraw_version

    st.subheader(t("coord.withdraw.title", lang))
    st.caption(t("coord.withdraw.help", lang))
    ok, history = coord.store_call(lang, service.history)
    if not ok:
        return
    served = [v.id for v in history if not v.withdrawn]
    if len(served) < 2:
        st.info(t("coord.withdraw.none", lang))
        return
    target = st.selectbox(t("coord.withdraw.pick", lang), options=served, key=WITHDRAW_PICK_KEY,
                          format_func=lambda v: t("coord.history.version", lang, version=v))
    reason = st.text_input(t("coord.withdraw.reason", lang), key=WITHDRAW_REASON_KEY,
                           max_chars=500)
    if st.button(t("coord.withdraw.button", lang), key=WITHDRAW_KEY):
        if not (reason or "").strip():
            st.error(t("coord.withdraw.reason_required", lang))
        else:
            st.session_state[WITHDRAW_PENDING] = (int(target), reason.strip())
    pending = st.session_state.get(WITHDRAW_PENDING)
    if not pending:
        return
    version, pending_reason = pending
    st.warning(t("coord.withdraw.confirm_text", lang, version=version))
    yes, no = st.columns(2)
    if yes.button(t("coord.withdraw.confirm", lang), key=WITHDRAW_CONFIRM_KEY, type="primary"):
        st.session_state.pop(WITHDRAW_PENDING, None)
        ok, done = coord.store_call(lang, lambda: withdraw_version(
            version, reason=pending_reason, by=user))
        if ok:
            forget_withdrawn()
            st.session_state.pop(WITHDRAW_REASON_KEY, None)
            coord.flash("success", t("coord.withdraw.done", lang, version=done.version,
                                     current=done.current))
            st.rerun()
    if no.button(t("coord.withdraw.cancel", lang), key=WITHDRAW_CANCEL_KEY):
        st.session_state.pop(WITHDRAW_PENDING, None)
        st.rerun()


def forget_withdrawn() -> None:
    """Drop this process's cached answers about versions after a withdrawal, so its
    pages stop showing the version at once (other processes within seconds)."""
    from maaor.ui import data

    data.current_version.clear()
    data.withdrawn_at.clear()
    data.dataset.clear()
    progress_history.clear()
