"""Organisation names: the stored aliases, and saving a confirmed one."""

from __future__ import annotations

from maaor.usecases.refusal import guarded


def aliases() -> dict[str, str]:
    """Return the stored organisation aliases (as written -> canonical name)."""
    from maaor.service import open_store

    store = guarded(open_store)
    return guarded(store.aliases)


def save_alias(alias: str, canonical: str, *, by: str) -> None:
    """Store that ``alias`` names the organisation ``canonical`` (audited).

    Raises:
        Refused: the store failed or refused the alias.
    """
    from maaor.service import open_store

    store = guarded(open_store)
    guarded(lambda: store.add_alias(alias, canonical, by))
