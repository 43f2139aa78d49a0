"""Mapping profiles in the store: saved per header signature and kind, replaced, deleted,
audited, and added to an older store by migration step 6 (SQLite always, PostgreSQL
when MAAOR_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import sqlalchemy as sa

from maaor.profiles import make_profile
from maaor.store import Store, migrations

HEADERS = ["Agence", "Pays", "Statut", "Remarques"]


def profile(name: str = "Partner 4W", **values):
    return make_profile(name, "presence", HEADERS, {"Agence": "org", "Remarques": None},
                        values or {"status": {"En pause": "planned"}})


def test_a_saved_profile_reads_back_whole(store):
    store.save_profile(profile(), by="coord")
    [saved] = store.profiles()
    assert saved.profile == profile()
    assert saved.saved_by == "coord"
    assert saved.profile.header_overrides() == {"agence": "org", "remarques": None}
    assert saved.profile.value_choices() == {"status": {"enpause": "planned"}}
    assert store.audit_log()[0].action == "profile_saved"
    assert store.audit_log()[0].detail.startswith("Partner 4W (presence, ")


def test_saving_the_same_signature_and_kind_replaces_it(store):
    store.save_profile(profile(), by="coord")
    # The same headers in another order and spelling: the same shape of sheet.
    again = make_profile("Renamed", "presence", ["remarques", "STATUT", "Pays", "agence"],
                         {"remarques": "activity"})
    assert again.signature == profile().signature
    store.save_profile(again, by="lead")
    [saved] = store.profiles()
    assert saved.profile.name == "Renamed"
    assert saved.profile.columns == {"remarques": "activity"}
    assert store.audit_log()[0].detail.endswith(" replaced")
    # Another kind with the same headers is another profile.
    store.save_profile(make_profile("Funding", "funding", HEADERS, {}), by="lead")
    assert sorted(p.profile.kind for p in store.profiles()) == ["funding", "presence"]


def test_delete_removes_one_profile_and_is_audited(store):
    store.save_profile(profile(), by="coord")
    sig = profile().signature
    assert store.delete_profile(sig, "funding", by="coord") is False
    assert store.delete_profile(sig, "presence", by="coord") is True
    assert store.profiles() == []
    entry = store.audit_log()[0]
    assert (entry.action, entry.who) == ("profile_deleted", "coord")
    assert "Partner 4W" in entry.detail


def test_upgrade_from_schema_5_adds_the_profiles_table(make_store_url):
    url = make_store_url()
    with Store.open(url, upgrade_to=5) as old:
        with old.engine.connect() as conn:
            assert not sa.inspect(conn).has_table("mapping_profiles")
    with Store.open(url) as new:
        assert new.schema_version() == migrations.latest_version() == 6
        assert new.profiles() == []
        new.save_profile(profile(), by="coord")
        assert len(new.profiles()) == 1
