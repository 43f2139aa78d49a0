"""Coordinator sign-in state for the Streamlit session (password or OIDC) and sign-out.

The coordinator page calls :func:`signed_in_user` on every run: the role is checked
again each time, never remembered as a bare flag. A password sign-in is tied to the
hash it was checked against, so changing the configured password signs everyone out.
Browsing pages never call this module. Password guesses go through the per-client
throttle (:func:`try_password`, :func:`client_throttle_key`); :func:`show_refusal` says
why a password was not accepted and how many attempts are left.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from maaor import auth
from maaor.i18n import t

THROTTLE_SESSION_KEY = "maaor_signin_client"  # random per-session part of the client key
SESSION_USER = "coord_user"  # {"name": ..., "method": "password"|"oidc", "hash": fingerprint}
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


def signed_in_user(config: AuthConfig) -> str | None:
    """Return who is signed in as coordinator in this session, or None.

    A password session counts only while the same hash is configured; an OIDC session
    only while the e-mail is on the allow-list.
    """
    state = st.session_state.get(SESSION_USER)
    if isinstance(state, dict) and state.get("method") == "password":
        if config.password_usable and state.get("hash") == _fingerprint(config.password_hash):
            return str(state.get("name") or PASSWORD_USER_NAME)
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
    key = key or client_throttle_key()
    outcome = throttle.attempt(
        key, lambda: auth.verify_password(password or "", config.password_hash))
    if outcome.status == "ok":
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


def sign_out(config: AuthConfig) -> None:
    """End the coordinator session (and the OIDC session when there is one)."""
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
        language="bash",
    )
