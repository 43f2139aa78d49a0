"""Withdraw a published version: the one function the Coordinator page and the CLI call.

A withdrawn version is never served to the public again (not even through a link
pinned with ``?v=N``, which then says when it was withdrawn); coordinators still see
it in the history, marked, with who withdrew it and why. When it was the current
version, the newest version that is not withdrawn becomes current, in the same
transaction as the mark and the audit entry.
"""

from __future__ import annotations

from maaor.store import Store, Withdrawal
from maaor.usecases.refusal import guarded


def withdraw_version(version: int, *, reason: str, by: str,
                     store: Store | None = None) -> Withdrawal:
    """Withdraw ``version`` with a reason, audited.

    Args:
        version: the version to withdraw.
        reason: why (required; kept in the audit log and the history, never shown to
            the public).
        by: who withdraws it.
        store: the store (default: the process-wide one, ``maaor.service.open_store``).

    Returns:
        What was done: the version, when, and the current version afterwards.

    Raises:
        ValueError: the reason is blank.
        Refused: no such version, already withdrawn, the only version still served,
            or the store cannot be written (each with a plain message).
    """
    if not (reason or "").strip():
        raise ValueError("say why the version is withdrawn: --reason is required")
    if store is None:
        from maaor import service

        store = service.open_store()
    target = store
    return guarded(lambda: target.withdraw(version, by=(by or "").strip() or "unknown",
                                           reason=reason), retry=False)
