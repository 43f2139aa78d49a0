"""Coordinator sign-in state for the Streamlit session (password or OIDC) and sign-out.

The coordinator page calls :func:`signed_in_user` on every run: the role is checked
again each time, never remembered as a bare flag. A password sign-in is tied to the
hash it was checked against, so changing the configured password signs everyone out.
Browsing pages never call this module. Password guesses go through the per-client
throttle (:func:`try_password`, :func:`client_throttle_key`); :func:`show_refusal` says
why a password was not accepted and how many attempts are left.

The Streamlit session id is not a credential (anyone who learns it can reconnect to the
session from another browser). A password sign-in therefore creates a server-side grant
(``maaor.store.grants``) bound to the browser that signed in: a hash of the browser's
own secrets, read from the cookies of its connection (``st.context.cookies``, i.e. the
cookies of the WebSocket the session runs on now): Streamlit's XSRF cookie (a random
token per browser, never in a URL or a log), behind the shipped nginx its HttpOnly
route cookie, and under ``maaor serve`` its HttpOnly, SameSite=Strict browser cookie
(``maaor.headers.BROWSER_COOKIE``). Another browser reconnecting with the session id
brings its own cookies, so the grant is refused there (log line ``coordinator grant
refused ... other_browser``). Under plain ``streamlit run`` the binding rests on the XSRF
cookie alone, which scripts running in the page can read (see the README, "Security").
The grant is rotated at every sign-in, expires after ``MAAOR_COORDINATOR_IDLE_MIN``
minutes without use (default 30) and is revoked at sign-out. An OIDC sign-in is bound
by Streamlit itself to its HttpOnly identity cookie (a session is never resumed under
another identity).
"""

from __future__ import annotations

import binascii
import hashlib
import logging
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from maaor import auth
from maaor.headers import BROWSER_COOKIE
from maaor.i18n import t
from maaor.ui import serverguard
from maaor.usecases.signin import Grants, grant_store

THROTTLE_SESSION_KEY = "maaor_signin_client"  # random per-session part of the client key
SESSION_USER = "coord_user"  # {"name": ..., "method": "password"|"oidc", "hash": fingerprint}
SESSION_GRANT = "coord_grant"  # the grant's secret token (server-side session state only)
XSRF_COOKIE = "_streamlit_xsrf"
ROUTE_COOKIE = "maaor_route"  # set HttpOnly by the shipped nginx configuration
NO_BROWSER = "no-browser-connected"  # binding of a run with no browser behind it
PASSWORD_KEY = "coord_password"
PASSWORD_USER_NAME = "coordinator"

_log = logging.getLogger("maaor.ui.auth")


@dataclass(frozen=True)
class AuthConfig:
    """How coordinators may sign in, read from ``st.secrets`` and the environment.

    Attributes:
        password_hash: the configured password hash, or None.
        hash_problem: why the configured hash is unusable (None when usable or absent).
        oidc: an ``[auth]`` section is configured (``st.login`` is offered).
        allowed_emails: e-mail addresses accepted after an OIDC sign-in (lower case).
    """

    password_hash: str | None
    hash_problem: str | None
    oidc: bool
    allowed_emails: tuple[str, ...]

    @property
    def password_usable(self) -> bool:
        """A password sign-in can succeed."""
        return self.password_hash is not None and self.hash_problem is None

    @property
    def configured(self) -> bool:
        """Some way of signing in is configured."""
        return self.password_usable or (self.oidc and bool(self.allowed_emails))


def secrets_mapping() -> Mapping:
    """Return ``st.secrets`` as a plain dict ({} when no secrets file exists)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no or unreadable secrets file: nothing configured
        return {}


def _emails(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return ()
    return tuple(sorted({str(v).strip().lower() for v in value if str(v).strip()}))


def auth_config(secrets: Mapping | None = None) -> AuthConfig:
    """Return the sign-in configuration (from ``st.secrets`` unless ``secrets`` is given)."""
    secrets = secrets_mapping() if secrets is None else secrets
    encoded = auth.configured_hash(secrets)
    problem = auth.hash_problem(encoded) if encoded else None
    section = secrets.get("auth") if isinstance(secrets.get("auth"), Mapping) else None
    coordinator = secrets.get("coordinator") if isinstance(secrets.get("coordinator"), Mapping) else {}
    emails = _emails(coordinator.get("allowed_emails")) or _emails((section or {}).get("allowed_emails"))
    return AuthConfig(encoded, problem, section is not None, emails)


def _fingerprint(encoded: str | None) -> str:
    return hashlib.sha256((encoded or "").encode("utf-8")).hexdigest()


def _oidc_email() -> str | None:
    try:
        if not st.user.is_logged_in:
            return None
        email = st.user.get("email")
    except Exception:  # noqa: BLE001 - st.user without an [auth] section
        return None
    return str(email).strip().lower() if email else None


def idle_seconds() -> float:
    """Seconds without use after which a coordinator grant expires."""
    from maaor import config

    return config.settings().coordinator_idle_min * 60.0


def _xsrf_secret(value: str | None) -> bytes | None:
    """The random token inside Streamlit's XSRF cookie (version 2 is masked), or None."""
    if not value:
        return None
    value = value.strip("\"'")
    try:
        if value.startswith("2|"):
            _, mask_hex, masked_hex, _ = value.split("|")
            mask, masked = binascii.a2b_hex(mask_hex), binascii.a2b_hex(masked_hex)
            if not masked or len(mask) != 4:
                return None
            return bytes(b ^ mask[i % 4] for i, b in enumerate(masked))
    except (ValueError, binascii.Error):
        return None
    return value.encode("utf-8") if len(value) >= 16 else None


def browser_binding() -> str | None:
    """Return what binds a grant to this browser, or None when the browser sent nothing
    to bind to (no XSRF cookie: cookies blocked, or XSRF protection turned off).

    A run with no browser connected (AppTest, a bare run, a session whose connection
    just closed) gets a fixed value: a grant made there (which needs the password) never
    matches a browser's, and a browser's grant never matches it.
    """
    from streamlit.runtime import Runtime

    session_id = _session_id()
    if (session_id is None or not Runtime.exists()
            or Runtime.instance().get_client(session_id) is None):
        return NO_BROWSER
    try:
        headers = dict(st.context.headers)
        cookies = dict(st.context.cookies)
    except Exception:  # noqa: BLE001 - no client context (disconnected mid-run)
        return NO_BROWSER
    if not headers:
        # No HTTP handshake behind this session (AppTest's client): every browser's
        # WebSocket handshake carries headers (Host at least).
        return NO_BROWSER
    secret = _xsrf_secret(cookies.get(XSRF_COOKIE))
    if secret is None:
        return None
    route = cookies.get(ROUTE_COOKIE, "")
    browser = cookies.get(BROWSER_COOKIE, "")
    return hashlib.sha256(b"maaor-grant\0" + secret + b"\0" + route.encode("utf-8")
                          + b"\0" + browser.encode("utf-8")).hexdigest()


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _grants() -> Grants:
    return grant_store(idle_seconds())


def _grant_user() -> str | None:
    """The user of this session's grant when it holds for this browser, else None."""
    token = st.session_state.get(SESSION_GRANT)
    if not token:
        return None
    binding = browser_binding()
    check = _grants().check(str(token), binding or "")
    if check.user is None:
        if check.reason == "other_browser" or binding is None:
            # Someone reconnected to the session from a browser that did not sign in.
            _log.warning("coordinator grant refused: %s (grant %s)",
                         "other_browser" if binding else "no_binding", check.grant_id)
        else:
            _log.info("coordinator grant ended: %s (grant %s)", check.reason, check.grant_id)
            st.session_state.pop(SESSION_GRANT, None)
            st.session_state.pop(SESSION_USER, None)
    return check.user


def signed_in_user(config: AuthConfig) -> str | None:
    """Return who is signed in as coordinator in this session, or None.

    A password session counts only while the same hash is configured and its grant
    holds for this browser (see the module docstring); an OIDC session only while the
    e-mail is on the allow-list. The session may upload files only while this says
    someone is signed in (``maaor.ui.serverguard``).
    """
    user = _signed_in_user(config)
    session_id = _session_id()
    if session_id:
        if user is None:
            serverguard.forget(session_id)
        else:
            serverguard.allow(session_id)
    return user


def _signed_in_user(config: AuthConfig) -> str | None:
    state = st.session_state.get(SESSION_USER)
    if isinstance(state, dict) and state.get("method") == "password":
        if config.password_usable and state.get("hash") == _fingerprint(config.password_hash):
            granted = _grant_user()
            if granted is not None:
                return str(state.get("name") or granted)
        else:
            st.session_state.pop(SESSION_USER, None)
    if config.oidc:
        email = _oidc_email()
        if email and email in config.allowed_emails:
            return email
    return None


def oidc_refused_email(config: AuthConfig) -> str | None:
    """Return the e-mail of an OIDC user signed in but not on the allow-list, if any."""
    if not config.oidc:
        return None
    email = _oidc_email()
    return email if email and email not in config.allowed_emails else None


def client_throttle_key() -> str:
    """Return the sign-in throttle key of this browser session's client.

    The address is the one Streamlit sees (``st.context.ip_address``; None means
    loopback), or the client named by ``X-Forwarded-For`` when that peer is a trusted
    proxy (``MAAOR_TRUSTED_PROXIES``). The session part is a random token kept in the
    session, never the Streamlit session id (which is a credential).
    """
    from maaor import config

    token = st.session_state.get(THROTTLE_SESSION_KEY)
    if not token:
        token = secrets.token_hex(8)
        st.session_state[THROTTLE_SESSION_KEY] = token
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:  # noqa: BLE001 - no request context (bare script run): loopback
        peer, forwarded = None, None
    address = auth.client_address(peer, forwarded, config.settings().trusted_proxies)
    return auth.client_key(address, token)


def try_password(password: str, config: AuthConfig, throttle: auth.Throttle,
                 key: str | None = None) -> auth.SigninAttempt:
    """Check a password for this client through the throttle and record the outcome.

    Args:
        password: what was typed.
        config: the sign-in configuration.
        throttle: counts the guesses (store-backed in the app).
        key: the client's throttle key (default: :func:`client_throttle_key`).

    Returns:
        The attempt: status "ok" when signed in, "wrong", or a refusal without checking
        ("locked", "wait", "slowed"); "unconfigured" when no usable hash is configured.
    """
    if not config.password_usable:
        return auth.SigninAttempt("unconfigured")
    binding = browser_binding()
    if binding is None:
        _log.warning("coordinator sign-in refused: the browser sent no XSRF cookie")
        return auth.SigninAttempt("no_cookie")
    key = key or client_throttle_key()
    outcome = throttle.attempt(
        key, lambda: auth.verify_password(password or "", config.password_hash))
    if outcome.status == "ok":
        _start_grant(PASSWORD_USER_NAME, "password", binding)
        st.session_state[SESSION_USER] = {
            "name": PASSWORD_USER_NAME,
            "method": "password",
            "hash": _fingerprint(config.password_hash),
        }
    return outcome


def show_refusal(outcome: auth.SigninAttempt, lang: str, lock_minutes: int) -> None:
    """Say why a password was not accepted: wrong (with the attempts left), or not
    checked now (locked, wait, slowed), in the page language."""
    if outcome.status == "wrong":
        st.error(t("coord.signin.wrong", lang))
        st.warning(t("coord.signin.attempts_left", lang, left=int(outcome.attempts_left),
                     minutes=int(lock_minutes)))
        if outcome.wait_s > 0:
            st.info(t("coord.signin.wait", lang, seconds=int(math.ceil(outcome.wait_s))))
    elif outcome.status == "locked":
        st.error(t("coord.signin.locked", lang, minutes=max(1, round(outcome.wait_s / 60))))
    elif outcome.status == "wait":
        st.error(t("coord.signin.wait", lang, seconds=int(math.ceil(outcome.wait_s))))
        st.warning(t("coord.signin.attempts_left", lang, left=int(outcome.attempts_left),
                     minutes=int(lock_minutes)))
    elif outcome.status == "slowed":
        st.error(t("coord.signin.slowed", lang, seconds=int(math.ceil(outcome.wait_s))))
    elif outcome.status == "no_cookie":
        st.error(t("coord.signin.no_cookie", lang))


def _start_grant(user: str, method: str, binding: str) -> None:
    """Rotate: revoke this session's previous grant, create a new one for this browser."""
    grants = _grants()
    old = st.session_state.pop(SESSION_GRANT, None)
    if old:
        grants.revoke(str(old))
    st.session_state[SESSION_GRANT] = grants.create(user, method, binding)
    _log.info("coordinator signed in (%s); grant created", method)


def sign_out(config: AuthConfig) -> None:
    """End the coordinator session (and the OIDC session when there is one): revoke its
    grant, stop its uploads and drop the files it uploaded."""
    token = st.session_state.get(SESSION_GRANT)
    if token:
        try:
            _grants().revoke(str(token))
        except Exception:  # noqa: BLE001 - the session state is cleared below anyway
            _log.exception("could not revoke the coordinator grant")
    session_id = _session_id()
    if session_id:
        serverguard.forget(session_id)
        serverguard.release(session_id)
    _log.info("coordinator signed out")
    for key in list(st.session_state.keys()):
        if str(key).startswith("coord_"):
            del st.session_state[key]
    if config.oidc and _oidc_email():
        st.logout()


def unconfigured_help(lang: str) -> None:
    """Explain how to configure coordinator sign-in (shown when nothing is configured)."""
    st.warning(t("coord.signin.unconfigured", lang))
    st.code(
        "python -m maaor hash-password\n"
        "# then either\n"
        "export MAAOR_COORDINATOR_PASSWORD_HASH='scrypt$...'\n"
        "# or copy .streamlit/secrets.toml.example to .streamlit/secrets.toml and set\n"
        "# [coordinator] password_hash = \"scrypt$...\"",
        # plain text: the syntax colours of a shell block are below 4.5:1 contrast
        language="text",
    )
