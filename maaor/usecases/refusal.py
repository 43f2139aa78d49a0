"""How a use case says "not done": one exception carrying a catalogue message.

A use case refuses (a stale base version, a missing note, an unconfirmed removal, the
store down) by raising :class:`Refused` with an i18n key and its fields, so the
Coordinator page shows it in the page language and the CLI prints the same sentence in
English. Store errors are translated here, once, so neither pages nor the CLI need
to know the store's exceptions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from maaor.i18n import t

T = TypeVar("T")
_log = logging.getLogger("maaor.usecases")


class Refused(Exception):  # noqa: N818 - a refusal is an outcome, not a programming error
    """A use case was not done, and nothing was changed.

    Attributes:
        key: the i18n catalogue key of the message.
        fields: the message's fields (values from data are plain text).
        kind: "conflict" (another version was published meanwhile), "store" (the data
            store failed), "not_found" (no such version) or "invalid" (the request
            itself cannot be done: errors stand, no note, removal not confirmed ...).
    """

    def __init__(self, key: str, *, kind: str = "invalid", **fields: object) -> None:
        self.key = key
        self.kind = kind
        self.fields = fields
        super().__init__(self.message("en"))

    def message(self, lang: str = "en", escape: Callable[[str], str] | None = None) -> str:
        """Return the message in ``lang``; ``escape`` is applied to every field first
        (the page passes its Markdown escaping)."""
        fields = {k: escape(str(v)) if escape else v for k, v in self.fields.items()}
        return t(self.key, lang, **fields)

    def plain_reason(self) -> str:
        """Return the store's own sentence when the refusal carries one (it is complete:
        backup and restore say what happened to the files), else the English message."""
        reason = self.fields.get("reason")
        return str(reason) if self.kind == "store" and reason else self.message("en")


def guarded(action: Callable[[], T], *, retry: bool = True) -> T:
    """Run a store action and turn store failures into :class:`Refused`.

    Args:
        action: the store call.
        retry: retry a few times while the store is busy (another writer holds the lock).

    Raises:
        Refused: kind "conflict", "not_found" or "store", the store's reason as field.
    """
    from maaor.store import StoreConflict, StoreError, VersionNotFound, retry_busy

    try:
        return retry_busy(action, attempts=3, wait_s=0.5) if retry else action()
    except StoreConflict as exc:
        raise Refused("coord.store.conflict", kind="conflict", reason=str(exc)) from exc
    except VersionNotFound as exc:
        raise Refused("coord.store.error", kind="not_found", reason=str(exc)) from exc
    except StoreError as exc:
        raise Refused("coord.store.error", kind="store", reason=str(exc)) from exc
