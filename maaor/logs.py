"""One logging configuration for the dashboard and the command line.

Plain text lines by default; one JSON object per line with ``MAAOR_LOG_FORMAT=json``
(for journald, Loki, Elasticsearch...). Level from ``MAAOR_LOG_LEVEL`` (default INFO).
Only the ``maaor`` loggers are configured: Streamlit keeps its own.

Events carry a name and fields (``extra={"event": ..., ...}``), e.g.::

    {"time": "2026-12-06T07:20:01.123Z", "level": "INFO", "logger": "maaor.store",
     "event": "publish", "message": "publish: version 3: March update", "who": "coordinator",
     "detail": "version 3: March update"}

What is logged (never a password, nor personal data beyond the configured
coordinator's name): publishes, rollbacks, alias changes, restores, sign-in lock-outs
(``maaor.store``, after the transaction commits); sign-in failures (``maaor.ui.auth``);
publishes refused because an error stands (``maaor.cli``, ``maaor.ui.coordinator``);
every file load with its duration (``maaor.load``: uploads, ``validate``, ``publish``);
page setups slower than ``MAAOR_SLOW_PAGE_S`` seconds (``maaor.ui.page``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from maaor import config

ROOT_LOGGER = "maaor"
_HANDLER_NAME = "maaor-logs"
# LogRecord attributes of the logging module itself; anything else came in ``extra``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """Return the fields a record carries beyond the standard ones (its ``extra``)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(event_fields(record))
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value ...`` (fields appended, event first)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = event_fields(record)
        if not fields:
            return line
        extra = " ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}"
                         for k, v in fields.items())
        head, sep, rest = line.partition("\n")  # a traceback stays below the line
        return f"{head} [{extra}]{sep}{rest}"


class _StandardErrorHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (tests and tools replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def setup_logging(env: Mapping[str, str] | None = None, stream=None) -> logging.Logger:
    """Configure the ``maaor`` loggers once per process (again when ``stream`` is given).

    Raises:
        ConfigError: MAAOR_LOG_FORMAT or MAAOR_LOG_LEVEL holds an unusable value.

    Args:
        env: environment to read MAAOR_LOG_FORMAT / MAAOR_LOG_LEVEL from (default: os.environ).
        stream: where lines go (default: standard error).

    Returns:
        The ``maaor`` logger.
    """
    env = os.environ if env is None else env
    logger = logging.getLogger(ROOT_LOGGER)
    mine = [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]
    if mine and stream is None:
        return logger  # every Streamlit page run calls this: configure once
    for handler in mine:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream) if stream is not None else _StandardErrorHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonLinesFormatter() if config.log_format(env) == "json"
                         else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(config.log_level(env))
    logger.propagate = False  # a root handler (a host, a test runner) would print twice
    return logger


def log_event(logger: logging.Logger, event: str, message: str, *,
              level: int = logging.INFO, **fields: Any) -> None:
    """Log ``message`` as event ``event`` with ``fields`` (JSON keys / text key=value)."""
    logger.log(level, message, extra={"event": event, **fields})


@contextmanager
def timed(logger: logging.Logger, event: str, message: str, *,
          slower_than: float = 0.0, **fields: Any) -> Iterator[dict[str, Any]]:
    """Log ``event`` with its duration (``seconds``) when the block took at least
    ``slower_than`` seconds. The yielded dict takes further fields from the block."""
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    try:
        yield extra
    finally:
        seconds = time.perf_counter() - started
        if seconds >= slower_than:
            log_event(logger, event, f"{message} took {seconds:.2f} s",
                      level=logging.WARNING if slower_than else logging.INFO,
                      seconds=round(seconds, 3), **fields, **extra)
