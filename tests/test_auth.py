"""Tests of maaor.auth: password hashes, configured hash, throttle, hash command."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys

import pytest

from maaor.auth import (
    SigninAttempt,
    Throttle,
    client_address,
    configured_hash,
    hash_command,
    hash_password,
    hash_problem,
    main,
    verify_password,
)


def test_scrypt_hash_format_and_verify():
    encoded = hash_password("correct horse")
    parts = encoded.split("$")
    assert parts[:4] == ["scrypt", "32768", "8", "1"]
    assert len(base64.b64decode(parts[4])) == 16
    assert len(base64.b64decode(parts[5])) == 32
    assert verify_password("correct horse", encoded) is True
    assert verify_password("correct horse ", encoded) is False
    assert verify_password("", encoded) is False
    assert hash_password("correct horse") != encoded  # random salt


def test_small_scrypt_parameters_are_kept_in_the_hash():
    encoded = hash_password("pw", n=2**4, r=2, p=1)
    assert encoded.startswith("scrypt$16$2$1$")
    assert verify_password("pw", encoded)


def test_django_style_pbkdf2_hash_is_accepted():
    digest = hashlib.pbkdf2_hmac("sha256", b"s3cret", b"NaClSalt", 1000)
    encoded = f"pbkdf2_sha256$1000$NaClSalt${base64.b64encode(digest).decode()}"
    assert hash_problem(encoded) is None
    assert verify_password("s3cret", encoded) is True
    assert verify_password("s3cret!", encoded) is False


@pytest.mark.parametrize(
    ("encoded", "problem"),
    [
        (None, "no coordinator password hash is configured"),
        ("", "no coordinator password hash is configured"),
        ("md5$abc", "not in a known format"),
        ("scrypt$16$2$1$!!notb64$AAAA", "damaged"),
        ("scrypt$15$8$1$AAAA$AAAA", "out of range"),  # n not a power of two
        ("scrypt$1048576$64$16$AAAA$AAAA", "out of range"),  # too much memory
        ("pbkdf2_sha256$0$salt$AAAA", "out of range"),
        ("pbkdf2_sha256$x$salt$AAAA", "damaged"),
    ],
)
def test_bad_hashes_never_match_and_say_why(encoded, problem):
    assert problem in hash_problem(encoded)
    assert verify_password("anything", encoded) is False


def test_configured_hash_env_wins_over_secrets():
    secrets = {"coordinator": {"password_hash": "scrypt$from-secrets"}}
    env = {"MAAOR_COORDINATOR_PASSWORD_HASH": " scrypt$from-env "}
    assert configured_hash(secrets, env=env) == "scrypt$from-env"
    assert configured_hash(secrets, env={}) == "scrypt$from-secrets"
    assert configured_hash({"coordinator": {}}, env={}) is None
    assert configured_hash({"other": 1}, env={}) is None
    assert configured_hash({"coordinator": {"password_hash": "  "}}, env={}) is None
    assert configured_hash(None, env={}) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_memory_throttle_locks_after_five_and_unlocks_after_the_period():
    clock = FakeClock()
    throttle = Throttle(max_failures=5, lock_s=900, delay_s=0, clock=clock)
    for _ in range(4):
        assert throttle.record_failure("coordinator") == (True, 0.0)
    assert throttle.record_failure("coordinator") == (False, 900.0)
    assert throttle.check("coordinator") == (False, 900.0)
    assert throttle.check("coordinator:client-2") == (True, 0.0)
    clock.now += 899
    assert throttle.check("coordinator") == (False, 1.0)
    clock.now += 1
    assert throttle.check("coordinator") == (True, 0.0)
    # A failure after the lock expired starts counting from one again.
    assert throttle.record_failure("coordinator") == (True, 0.0)


def test_memory_throttle_success_resets():
    throttle = Throttle(max_failures=5, lock_s=60, delay_s=0, clock=FakeClock())
    for _ in range(4):
        throttle.record_failure("k")
    throttle.record_success("k")
    for _ in range(4):
        assert throttle.record_failure("k") == (True, 0.0)
    assert throttle.record_failure("k")[0] is False


def test_throttle_defaults_come_from_settings(monkeypatch):
    monkeypatch.setenv("MAAOR_SIGNIN_MAX_FAILURES", "2")
    monkeypatch.setenv("MAAOR_SIGNIN_LOCK_MINUTES", "1")
    throttle = Throttle(clock=FakeClock())
    assert (throttle.max_failures, throttle.lock_s) == (2, 60)
    throttle.record_failure("k")
    assert throttle.record_failure("k") == (False, 60.0)


def test_hash_command_reads_a_piped_password():
    out, err = io.StringIO(), io.StringIO()
    assert hash_command(io.StringIO("pa$$ word\n"), out, err) == 0
    assert verify_password("pa$$ word", out.getvalue().strip())
    assert hash_command(io.StringIO("\n"), io.StringIO(), err) == 1
    assert "empty" in err.getvalue()


def test_module_command_line_prints_a_hash():
    run = subprocess.run([sys.executable, "-m", "maaor.auth", "hash"], input="plenary\n",
                         capture_output=True, text=True, timeout=120, check=True)
    assert verify_password("plenary", run.stdout.strip())
    assert main(["nonsense"]) == 2


# ------------------------------------------------------------- per-client throttle

@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "address"),
    [
        # No trusted proxy: the header is the client's own claim and is ignored.
        ("198.51.100.7", "203.0.113.9", (), "198.51.100.7"),
        (None, "203.0.113.9", (), "127.0.0.1"),  # Streamlit says None for loopback
        # Behind the shipped nginx on loopback: the last hop nginx added is the client.
        (None, "203.0.113.9", ("127.0.0.1",), "203.0.113.9"),
        # A forged left part is skipped: only what the trusted proxy appended counts.
        (None, "10.9.9.9, 203.0.113.9", ("127.0.0.1",), "203.0.113.9"),
        # Two trusted proxies in a row (a network), then the client.
        ("10.0.0.2", "203.0.113.9, 10.0.0.3", ("10.0.0.0/8",), "203.0.113.9"),
        # A damaged hop: keep the last address a trusted proxy vouched for.
        ("10.0.0.2", "junk, 10.0.0.3", ("10.0.0.0/8",), "10.0.0.3"),
        ("198.51.100.7", None, ("127.0.0.1",), "198.51.100.7"),
        ("2001:db8::1", "203.0.113.9", ("127.0.0.1",), "2001:db8::1"),
        ("not an address", None, (), "unknown"),
    ],
)
def test_client_address_believes_forwarded_for_only_from_a_trusted_proxy(
        peer, forwarded, trusted, address):
    assert client_address(peer, forwarded, trusted) == address


def test_trusted_proxies_setting_is_checked(monkeypatch):
    from maaor import config

    env = {"MAAOR_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8 ,"}
    assert config.settings(env).trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8")
    with pytest.raises(config.ConfigError, match="MAAOR_TRUSTED_PROXIES.*'nginx'"):
        config.settings({"MAAOR_TRUSTED_PROXIES": "nginx"})


def test_memory_throttle_attempt_counts_before_checking_and_keeps_clients_apart():
    clock = FakeClock()
    throttle = Throttle(max_failures=3, lock_s=60, delay_s=5, clock=clock)
    checked = []

    def verify(result):
        def run():
            checked.append(result)
            return result
        return run

    assert throttle.attempt("a/1", verify(False)) == SigninAttempt("wrong", 5.0, 2)
    assert throttle.attempt("a/1", verify(True)) == SigninAttempt("wait", 5.0, 2)
    clock.now += 5
    assert throttle.attempt("a/1", verify(False)) == SigninAttempt("wrong", 10.0, 1)
    clock.now += 10
    assert throttle.attempt("a/1", verify(False)) == SigninAttempt("locked", 60.0, 0)
    assert throttle.attempt("b/2", verify(True)) == SigninAttempt("ok", 0.0, 3)
    assert checked == [False, False, False, True]  # the refused guess was never checked
