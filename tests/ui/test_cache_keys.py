"""The cache key of a Filters (``maaor.ui.data.FILTERS_HASH``) tells every choice apart."""

from __future__ import annotations

import dataclasses

from maaor.filters import Filters
from maaor.ui.data import FILTERS_HASH


def _key(f: Filters) -> str:
    return FILTERS_HASH[Filters](f)


def test_every_filter_field_changes_the_cache_key():
    base = Filters()
    for field in dataclasses.fields(Filters):
        default = getattr(base, field.name)
        if isinstance(default, tuple):
            changed = dataclasses.replace(base, **{field.name: ("X",)})
        elif field.type in ("int | None", int) or field.name == "year":
            changed = dataclasses.replace(base, **{field.name: 2024})
        else:
            changed = dataclasses.replace(base, **{field.name: "X"})
        assert _key(changed) != _key(base), field.name


def test_same_choices_same_key_and_order_matters_as_before():
    assert _key(Filters(countries=("IRQ",))) == _key(Filters(countries=("IRQ",)))
    assert _key(Filters(countries=("IRQ",))) != _key(Filters(pillars=("IRQ",)))
    assert _key(Filters(countries=("AFG", "IRQ"))) != _key(Filters(countries=("IRQ", "AFG")))
