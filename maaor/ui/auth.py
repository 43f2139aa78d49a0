"""Coordinator sign-in state for the Streamlit session (password or OIDC) and sign-out.

The coordinator page calls :func:`signed_in_user` on every run: the role is checked
again each time, never remembered as a bare flag. A password sign-in is tied to the
hash it was checked against, so changing the configured password signs everyone out.
Browsing pages never call this module.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from maaor import auth
from maaor.i18n import t
from maaor.logs import log_event

THROTTLE_KEY = "coordinator"
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


def try_password(password: str, config: AuthConfig, throttle: auth.Throttle) -> tuple[str, float]:
    """Check a password and record the outcome.

    Returns:
        ("ok", 0) when signed in; ("wrong", 0) for a wrong password; ("locked", seconds)
        while sign-in is locked (the password is then not even checked);
        ("unconfigured", 0) when no usable hash is configured.
    """
    if not config.password_usable:
        return "unconfigured", 0.0
    allowed, wait = throttle.check(THROTTLE_KEY)
    if not allowed:
        log_event(_log, "signin_refused_locked", "sign-in refused: locked",
                  level=logging.WARNING, seconds_left=round(wait))
        return "locked", wait
    if auth.verify_password(password or "", config.password_hash):
        throttle.record_success(THROTTLE_KEY)
        st.session_state[SESSION_USER] = {
            "name": PASSWORD_USER_NAME,
            "method": "password",
            "hash": _fingerprint(config.password_hash),
        }
        return "ok", 0.0
    allowed, wait = throttle.record_failure(THROTTLE_KEY)
    # Never the password typed: only that it was wrong, and the lock when it starts.
    log_event(_log, "signin_failed" if allowed else "signin_locked",
              "wrong coordinator password" + ("" if allowed else f"; locked for {wait:.0f} s"),
              level=logging.WARNING, seconds_left=round(wait))
    return ("wrong", 0.0) if allowed else ("locked", wait)


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
