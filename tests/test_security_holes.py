"""Security holes of issue 12 closed in the data layer and the configuration files.

Each test here failed on the code before the fix (see the issue's "Why" list).
"""

from __future__ import annotations

import tomllib

import pytest

from maaor import auth
from maaor.ui import auth as ui_auth
from tests.paths import ROOT

EXAMPLE_SECRETS = ROOT / ".streamlit" / "secrets.toml.example"
# The hash the example file shipped with before issue 12 (password "example-password-replace-me").
OLD_EXAMPLE_HASH = ("scrypt$32768$8$1$S9iqagcmQ6WAw4ynmT4zkA==$"
                    "FRAjIr4f9xJ2thZxfgGdFv/BFANmvNlv6zzCQNCje0I=")


# ---------------------------------------------------------------- item 8: example hash

def test_example_secrets_hold_no_working_hash(monkeypatch):
    monkeypatch.delenv(auth.HASH_ENV, raising=False)
    secrets = tomllib.loads(EXAMPLE_SECRETS.read_text(encoding="utf-8"))
    config = ui_auth.auth_config(secrets)
    assert not config.password_usable
    assert not auth.verify_password("example-password-replace-me",
                                    auth.configured_hash(secrets) or "")


@pytest.mark.parametrize("encoded", [
    OLD_EXAMPLE_HASH,
    # The example password hashed anew (another salt) is refused as well.
    auth.hash_password("example-password-replace-me", n=2**10),
])
def test_known_example_hash_is_refused_with_how_to_set_one(encoded, monkeypatch):
    monkeypatch.setenv(auth.HASH_ENV, encoded)
    problem = auth.hash_problem(encoded)
    assert problem is not None and "example" in problem
    assert "python -m maaor hash-password" in problem
    config = ui_auth.auth_config({})
    assert config.password_hash == encoded
    assert not config.password_usable


@pytest.mark.parametrize("encoded", ["", "   "])
def test_empty_hash_is_refused_with_how_to_set_one(encoded):
    problem = auth.hash_problem(encoded)
    assert problem is not None and "python -m maaor hash-password" in problem
    assert not auth.verify_password("", encoded)


def test_an_own_hash_is_still_accepted():
    encoded = auth.hash_password("a password of our own", n=2**10)
    assert auth.hash_problem(encoded) is None
    assert auth.verify_password("a password of our own", encoded)
