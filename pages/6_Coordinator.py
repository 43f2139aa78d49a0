"""Coordinator: sign in, upload and validate, see what changes, publish, fix organisation
names, edit in place, history and rollback. Everything below the sign-in is shown only
to a signed-in coordinator; the role is checked on every run."""

from __future__ import annotations

import logging

import streamlit as st

from maaor import service, usecases
from maaor.config import app_mode, settings
from maaor.i18n import t
from maaor.ui import auth as ui_auth
from maaor.ui import coordinator as coord
from maaor.ui import history as ui_history
from maaor.ui import profiles as ui_profiles
from maaor.ui.page import setup
from maaor.ui.safe import md_escape

page = setup("coordinator")
lang = page.lang

if app_mode() == "viewer":  # a public process of a scaled-out deployment (deploy/)
    st.info(t("coord.viewer_mode", lang))
    st.stop()

try:
    service.open_store()  # the page needs the store: say so plainly when it is down
except Exception:  # noqa: BLE001 - the store is down: a plain message, never a traceback
    logging.getLogger("maaor.ui").exception("data store unavailable")
    st.error(t("coord.store.unavailable", lang))
    st.stop()

config = ui_auth.auth_config()
user = ui_auth.signed_in_user(config)

if user is None:
    st.header(t("coord.signin.title", lang))
    if config.hash_problem:
        st.error(t("coord.signin.bad_hash", lang, reason=config.hash_problem))
    if not config.configured:
        ui_auth.unconfigured_help(lang)
        st.stop()
    if config.oidc:
        refused = ui_auth.oidc_refused_email(config)
        if refused:
            st.error(t("coord.signin.not_allowed", lang, email=md_escape(refused)))
            if st.button(t("coord.signout", lang), key="coord_oidc_signout"):
                ui_auth.sign_out(config)
                st.rerun()
        elif config.allowed_emails and st.button(t("coord.signin.oidc", lang), key="coord_oidc_login"):
            st.login()
    if config.password_usable:
        with st.form("coord_signin", clear_on_submit=True):
            password = st.text_input(t("coord.signin.password", lang), type="password",
                                     key=ui_auth.PASSWORD_KEY)
            submitted = st.form_submit_button(t("coord.signin.submit", lang), type="primary")
        if submitted:
            ok, outcome = coord.store_call(
                lang, lambda: ui_auth.try_password(password, config, usecases.signin_throttle()))
            if ok:
                if outcome.status == "ok":
                    coord.store_call(lang, lambda: usecases.record_signin(ui_auth.PASSWORD_USER_NAME))
                    st.rerun()
                ui_auth.show_refusal(outcome, lang, lock_minutes=settings().signin_lock_s // 60)
    st.caption(t("coord.signin.public", lang))
    st.stop()

# ----------------------------------------------------------------- signed in from here

top_left, top_right = st.columns([4, 1])
top_left.caption(t("coord.signed_in_as", lang, user=md_escape(user)))
if top_right.button(t("coord.signout", lang), key="coord_signout"):
    ui_auth.sign_out(config)
    st.rerun()
coord.show_flash()

tabs = st.tabs([
    t("coord.tab.upload", lang),
    t("coord.tab.changes", lang),
    t("coord.tab.names", lang),
    t("coord.tab.publish", lang),
    t("coord.tab.edit", lang),
    t("coord.tab.history", lang),
    t("coord.tab.contacts", lang),
])
with tabs[0]:
    upload = coord.section_upload(lang)
    ui_profiles.section_mappings(lang, user, upload)
    coord.section_emergencies_file(lang, user)
with tabs[1]:
    coord.section_changes(lang, upload)
with tabs[2]:
    coord.section_names(lang, user, upload)
    ui_profiles.section_profiles(lang, user)
with tabs[3]:
    coord.section_publish(lang, user, upload)
with tabs[4]:
    coord.section_edit(lang, user)
    coord.section_emergencies(lang, user)
with tabs[5]:
    coord.section_history(lang, user)
    ui_history.section_withdraw(lang, user)
with tabs[6]:
    coord.section_contacts(lang)
