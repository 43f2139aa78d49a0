"""maaor.logs: one configuration for the app and the CLI; JSON lines carry the events
(publish, rollback, refusal, sign-in failure and lock-out, loads with durations) and
never a password."""

from __future__ import annotations

import io
import json
import logging

import pytest

from maaor import config, logs
from maaor.bundled import load_default
from maaor.config import ConfigError
from maaor.load import load_sources
from maaor.sources import Source
from maaor.store import Store


@pytest.fixture
def json_lines():
    """Configure JSON logging into a buffer; return a function giving the parsed lines."""
    buffer = io.StringIO()
    logs.setup_logging({"MAAOR_LOG_FORMAT": "json"}, stream=buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logs.setup_logging({}, stream=io.StringIO())  # leave text logging to nowhere


def _events(lines, name):
    return [e for e in lines if e.get("event") == name]


def test_log_settings():
    assert config.log_format({}) == "text"
    assert config.log_format({"MAAOR_LOG_FORMAT": "JSON"}) == "json"
    with pytest.raises(ConfigError, match="MAAOR_LOG_FORMAT"):
        config.log_format({"MAAOR_LOG_FORMAT": "xml"})
    assert config.log_level({}) == "INFO"
    assert config.log_level({"MAAOR_LOG_LEVEL": "warning"}) == "WARNING"
    with pytest.raises(ConfigError, match="MAAOR_LOG_LEVEL"):
        config.log_level({"MAAOR_LOG_LEVEL": "loud"})
    assert config.slow_page_seconds({}) == 2.0
    assert config.slow_page_seconds({"MAAOR_SLOW_PAGE_S": "0.5"}) == 0.5
    with pytest.raises(ConfigError, match="MAAOR_SLOW_PAGE_S"):
        config.slow_page_seconds({"MAAOR_SLOW_PAGE_S": "soon"})


def test_text_lines_carry_the_fields():
    buffer = io.StringIO()
    logger = logs.setup_logging({}, stream=buffer)
    logs.log_event(logging.getLogger("maaor.test"), "publish", "published", version=3)
    line = buffer.getvalue().strip()
    assert " INFO maaor.test: published [" in line
    assert 'event="publish"' in line and "version=3" in line
    assert logger.propagate is False


def test_publish_rollback_and_refusal_are_json_lines(json_lines, tmp_path):
    loaded = load_default()
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        assert store.publish(loaded.dataset, [], by="coordinator", note="first") == 1
        assert store.publish(loaded.dataset, [], by="coordinator", note="second") == 2
        assert store.rollback(1, by="coordinator", note="undo") == 3
    bad = load_sources([Source("broken.csv", b"not,a,known\n1,2,3\n")])
    assert not bad.ok
    lines = json_lines()
    for line in lines:  # every line is a complete object with the common keys
        assert {"time", "level", "logger", "message"} <= set(line)
        assert line["time"].endswith("Z")
    publishes = _events(lines, "publish")
    assert [(e["detail"], e["who"], e["action"]) for e in publishes] == [
        ("version 1: first", "coordinator", "upload"),
        ("version 2: second", "coordinator", "upload"),
    ]
    (rollback,) = _events(lines, "rollback")
    assert rollback["detail"] == "version 3 = version 1: undo"
    (refused,) = _events(lines, "load_refused")
    assert refused["level"] == "WARNING" and refused["files"] == ["broken.csv"]
    assert refused["errors"] == len(bad.errors) >= 1 and refused["seconds"] >= 0
    loads = _events(lines, "load")
    assert loads and all(e["seconds"] >= 0 and e["errors"] == 0 for e in loads)


def test_a_rolled_back_publish_is_not_logged(json_lines, tmp_path):
    from maaor.store import StoreConflict

    loaded = load_default()
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        store.publish(loaded.dataset, [], by="coordinator", note="first")
        with pytest.raises(StoreConflict):
            store.publish(loaded.dataset, [], by="coordinator", note="stale", if_current=None)
    assert [e["detail"] for e in _events(json_lines(), "publish")] == ["version 1: first"]


def test_signin_failures_and_lockout_without_the_password(json_lines, tmp_path):
    from maaor.auth import Throttle, hash_password
    from maaor.ui.auth import AuthConfig, try_password

    secret = "correct horse battery staple"
    config = AuthConfig(password_hash=hash_password(secret), hash_problem=None, oidc=False,
                        allowed_emails=())
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        throttle = Throttle(store, max_failures=2, lock_s=60, delay_s=0)
        key = "198.51.100.7/abc"
        assert try_password("wrong-guess-1", config, throttle, key=key).status == "wrong"
        assert try_password("wrong-guess-2", config, throttle, key=key).status == "locked"
        assert try_password(secret, config, throttle, key=key).status == "locked"
    lines = json_lines()
    (failed,) = _events(lines, "signin_failed")
    assert failed["logger"] == "maaor.auth" and failed["client"] == key
    page, audit = sorted(_events(lines, "signin_locked"), key=lambda e: e["logger"])
    assert page["logger"] == "maaor.auth" and page["level"] == "WARNING"
    assert 0 < page["seconds_left"] <= 60
    assert audit["logger"] == "maaor.store"
    assert len(_events(lines, "signin_refused_locked")) == 1
    text = json.dumps(lines)
    assert "wrong-guess" not in text and secret not in text


def test_timed_logs_slow_blocks_only(json_lines):
    log = logging.getLogger("maaor.test")
    with logs.timed(log, "slow_page", "setting up x", slower_than=3600, page="x"):
        pass
    with logs.timed(log, "slow_page", "setting up y", slower_than=0.0, page="y") as extra:
        extra["version"] = 4
    (event,) = _events(json_lines(), "slow_page")
    assert event["page"] == "y" and event["version"] == 4 and event["seconds"] >= 0
