"""Coordinator: sign in, upload and validate, see what changes, publish, fix organisation
names, edit in place, history and rollback. Everything below the sign-in is shown only
to a signed-in coordinator; the role is checked on every run."""

from __future__ import annotations

import logging

import streamlit as st

from maaor import service
from maaor.auth import Throttle
from maaor.config import app_mode
from maaor.i18n import t
from maaor.ui import auth as ui_auth
from maaor.ui import coordinator as coord
from maaor.ui.page import setup
from maaor.ui.safe import md_escape

page = setup("coord.title", ())
lang = page.lang

if app_mode() == "viewer":  # a public process of a scaled-out deployment (deploy/)
    st.info(t("coord.viewer_mode", lang))
    st.stop()

try:
    store = service.open_store()
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
                lang, lambda: ui_auth.try_password(password, config, Throttle(store)))
            if ok:
                status, wait = outcome
                if status == "ok":
                    coord.store_call(lang, lambda: store.audit("signin", who=ui_auth.PASSWORD_USER_NAME))
                    st.rerun()
                elif status == "locked":
                    st.error(t("coord.signin.locked", lang, minutes=max(1, round(wait / 60))))
                elif status == "no_cookie":
                    st.error(t("coord.signin.no_cookie", lang))
                else:
                    st.error(t("coord.signin.wrong", lang))
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
    upload = coord.section_upload(lang, store)
with tabs[1]:
    coord.section_changes(lang, upload)
with tabs[2]:
    coord.section_names(lang, store, user, upload)
with tabs[3]:
    coord.section_publish(lang, store, user, upload)
with tabs[4]:
    coord.section_edit(lang, store, user)
with tabs[5]:
    coord.section_history(lang, store, user)
with tabs[6]:
    coord.section_contacts(lang, store)
