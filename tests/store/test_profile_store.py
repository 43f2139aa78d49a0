"""The mapping-profile part of the store (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from maaor.profiles import IGNORE, Profile
from maaor.store import migrations


def test_profiles_are_saved_replaced_listed_and_deleted(store):
    first = Profile("abc123", "presence", name="DRC 4W", columns={"NOM ORGANISATION": "org"})
    other = Profile("def456", "funding", name="Donor tracker", columns={"Colour": IGNORE})
    store.save_mapping_profile(first, "lead")
    store.save_mapping_profile(other, "lead")
    assert [p.name for p in store.mapping_profiles()] == ["DRC 4W", "Donor tracker"]
    # Saving for the same headers replaces the profile.
    store.save_mapping_profile(
        Profile("abc123", "presence", name="DRC 4W v2", columns={"NOM ORGANISATION": "org", "X": IGNORE}),
        "lead",
    )
    profiles = {p.signature: p for p in store.mapping_profiles()}
    assert profiles["abc123"].name == "DRC 4W v2"
    assert profiles["abc123"].columns == {"NOM ORGANISATION": "org", "X": IGNORE}
    assert store.delete_mapping_profile("abc123", "lead") is True
    assert store.delete_mapping_profile("abc123", "lead") is False
    assert [p.signature for p in store.mapping_profiles()] == ["def456"]
    actions = [e.action for e in store.audit_log()]
    assert actions.count("mapping_profile") == 3 and actions.count("mapping_profile_removed") == 1


def test_the_profiles_table_comes_from_an_appended_migration_step():
    assert migrations.STEPS[-1].version == 5
    assert "mapping profiles" in migrations.STEPS[-1].description
