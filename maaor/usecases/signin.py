"""Sign-in lock-outs as an operator sees them: list the clients with wrong passwords on
record and lift a lock-out (``python -m maaor unlock``)."""

from __future__ import annotations

from maaor.store import Store
from maaor.store.access import SigninClient
from maaor.usecases.refusal import guarded


def _store(store: Store | None) -> Store:
    if store is not None:
        return store
    from maaor import service

    return service.open_store()


def signin_clients(store: Store | None = None) -> list[SigninClient]:
    """Return the clients with wrong passwords on record, most failures first.

    Raises:
        Refused: the store cannot be read.
    """
    st = _store(store)
    return guarded(st.signin_clients)


def unlock_signin(client: str | None = None, *, by: str,
                  store: Store | None = None) -> list[str]:
    """Lift sign-in lock-outs and delays; return the client keys cleared.

    Args:
        client: a client key as logged (``ADDRESS/SESSION``) or an address alone (every
            session from it); None: every client, and the global count.
        by: who unlocks (audited).
        store: the store (default: the process-wide one).
    """
    if client is not None and not client.strip():
        raise ValueError("--client needs a client key or an address")
    st = _store(store)
    return guarded(lambda: st.unlock_signin(client.strip() if client else None, by=by),
                   retry=False)
