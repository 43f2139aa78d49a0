"""Sign-in lock-outs as an operator sees them: list the clients with wrong passwords on
record and lift a lock-out (``python -m maaor unlock``)."""

from __future__ import annotations

from maaor.auth import Throttle
from maaor.store import Store
from maaor.store.access import SigninClient
from maaor.store.grants import Grants
from maaor.usecases.refusal import guarded


def _store(store: Store | None) -> Store:
    if store is not None:
        return store
    from maaor import service

    return service.open_store()


_grant_stores: dict[int, Grants] = {}


def grant_store(idle_s: float) -> Grants:
    """Return the coordinator grants of the process's store (one per engine), expiring
    after ``idle_s`` seconds without use."""
    from maaor import service

    engine = service.open_store().engine
    grants = _grant_stores.get(id(engine))
    if grants is None or grants.engine is not engine:
        grants = _grant_stores[id(engine)] = Grants(engine, idle_s=idle_s)
    grants.idle_s = idle_s
    return grants


def signin_throttle(store: Store | None = None) -> Throttle:
    """Return the sign-in throttle of the app, its counts kept in the store (shared by
    every process; limits from the settings)."""
    return Throttle(_store(store))


def record_signin(who: str, store: Store | None = None) -> None:
    """Audit a coordinator sign-in.

    Raises:
        Refused: the store cannot be written.
    """
    st = _store(store)
    guarded(lambda: st.audit("signin", who=who))


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
