"""The mapping-profile use cases on a store bootstrapped with the bundled data (SQLite,
and PostgreSQL when configured): saved only by a signed-in coordinator, deleted only
when confirmed, exported as JSON, and applied by ``prepare_upload`` to the next upload
of the same shape with a note naming the profile."""

from __future__ import annotations

import json

import pytest

from maaor import usecases
from maaor.usecases.refusal import Refused
from tests.test_profiles import HEADERS, PARTNER_CSV, partner_profile


def test_only_a_signed_in_coordinator_saves_and_a_deletion_is_confirmed(app_store):
    with pytest.raises(Refused) as refused:
        usecases.save_profile(partner_profile(), by=" ")
    assert refused.value.key == "coord.profiles.signed_out"
    assert usecases.list_profiles() == []

    usecases.save_profile(partner_profile(), by="coord")
    [saved] = usecases.list_profiles()
    assert (saved.profile.name, saved.saved_by) == ("Partner 4W", "coord")
    sig = partner_profile().signature

    with pytest.raises(Refused) as refused:
        usecases.delete_profile(sig, "presence", by="coord", confirmed=False)
    assert refused.value.key == "coord.profiles.delete_unconfirmed"
    with pytest.raises(Refused) as refused:
        usecases.delete_profile(sig, "presence", by="", confirmed=True)
    assert refused.value.key == "coord.profiles.signed_out"
    assert len(usecases.list_profiles()) == 1

    usecases.delete_profile(sig, "presence", by="coord", confirmed=True)
    assert usecases.list_profiles() == []
    with pytest.raises(Refused) as refused:
        usecases.delete_profile(sig, "presence", by="coord", confirmed=True)
    assert refused.value.kind == "not_found"
    actions = [e.action for e in app_store.audit_log(limit=5)]
    assert actions[:2] == ["profile_deleted", "profile_saved"]


def test_export_gives_the_json_that_import_reads_back(app_store):
    usecases.save_profile(partner_profile(), by="coord")
    text = usecases.export_profile(partner_profile().signature, "presence")
    assert json.loads(text)["headers"] == HEADERS
    assert usecases.import_profiles(text) == [partner_profile()]
    with pytest.raises(Refused) as refused:
        usecases.export_profile(partner_profile().signature, "funding")
    assert refused.value.kind == "not_found"
    with pytest.raises(Refused) as refused:
        usecases.import_profiles('{"format": "maaor-mapping-profile", "format_version": 9}')
    assert "format 9" in refused.value.message("en")


def test_new_choices_are_added_to_the_saved_profile_of_the_same_shape():
    base = partner_profile()
    more = usecases.profile_with_choices(
        "Partner 4W", "presence", list(reversed(HEADERS)), {"Remarques internes": "activity"},
        {"status": {"Bloqué": "planned"}}, base=base)
    assert more.columns == {"Zone d'intervention": "admin1", "Remarques internes": "activity"}
    assert more.values == {"status": {"Gelé": "planned", "Bloqué": "planned"}}
    with pytest.raises(Refused) as refused:
        usecases.profile_with_choices("x", "presence", HEADERS, {"Pays": "budget"})
    assert refused.value.key == "coord.profiles.invalid"


def test_prepare_upload_applies_the_stored_profile_and_says_so(app_store):
    before = usecases.prepare_upload([("partner.csv", PARTNER_CSV)])
    assert not before.result.ok
    usecases.save_profile(partner_profile(), by="coord")
    after = usecases.prepare_upload([("partner.csv", PARTNER_CSV)])
    assert after.result.ok
    [report] = after.result.reports
    assert [p.code for p in report.problems if p.code == "profile.used"] == ["profile.used"]
    assert {c.header: c.how for c in report.columns}["Remarques internes"] == "ignored"
    # A profile given by the caller (publish --profile) comes before the stored one.
    given = partner_profile(name="From file", values={"status": {"Gelé": "completed"}})
    chosen = usecases.prepare_upload([("partner.csv", PARTNER_CSV)], profiles=[given])
    assert "'From file'" in [p for p in chosen.result.problems if p.code == "profile.used"][0].message
    assert "completed" in chosen.result.dataset.tables["presence"]["status"].tolist()
