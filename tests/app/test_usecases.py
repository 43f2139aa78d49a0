"""The use cases of maaor.usecases, called directly (not through AppTest) on a store
bootstrapped with the bundled data (SQLite, and PostgreSQL when configured):
publish and its conflict check, the upload scope, rollback, edits, aliases, backup and
restore, and aggregates computed from the dataset in hand."""

from __future__ import annotations

import pandas as pd
import pytest

from maaor import aggregates, usecases, views
from maaor.i18n import country_name, t
from maaor.usecases.refusal import Refused
from maaor.usecases.upload import READER_MODULES
from tests.upload_files import (
    FOUR_ISO3,
    IRAQ_4W,
    MALI_4W,
    WOMEN_REACHED,
    four_country_4w,
    presence_xlsx,
)


def _conflict_text(first: int, base: int) -> str:
    return t("coord.store.conflict", "en", reason=(
        f"version {first} was published meanwhile (you started from version {base}); "
        "review the changes again before publishing"))


# ------------------------------------------------------------------ publish conflict


def test_the_later_of_two_publishes_from_one_base_is_refused_naming_the_first(app_store):
    iraq = usecases.prepare_upload([("iraq.xlsx", IRAQ_4W)])
    mali = usecases.prepare_upload([("mali.xlsx", MALI_4W)])
    assert iraq.base_version == mali.base_version == 1
    first = usecases.publish(iraq, by="a", note="Iraq", removal_confirmed=True)
    assert first.version == 2
    with pytest.raises(Refused) as refused:
        usecases.publish(mali, by="b", note="Mali", removal_confirmed=True)
    assert refused.value.kind == "conflict"
    assert refused.value.message("en") == _conflict_text(2, 1)
    # Nothing reverted: version 2 (Iraq's) stays current, no third version.
    assert [v.id for v in app_store.history()] == [2, 1]
    current = app_store.load()
    assert sorted(current.presence.loc[current.presence["country_iso3"] == "IRQ", "org"]) == [
        "The HALO Trust", "UNMAS"]
    # Prepared again on version 2, Mali's upload keeps Iraq's new rows.
    again = usecases.prepare_upload([("mali.xlsx", MALI_4W)])
    third = usecases.publish(again, by="b", note="Mali", removal_confirmed=True)
    presence = app_store.load(third.version).presence
    assert sorted(presence.loc[presence["country_iso3"] == "IRQ", "org"]) == ["The HALO Trust", "UNMAS"]
    assert sorted(presence.loc[presence["country_iso3"] == "MLI", "org"]) == [
        "Humanity & Inclusion", "UNMAS"]


def test_publish_checks_errors_note_and_removal(app_store):
    errors = usecases.prepare_upload([("bad.xlsx", presence_xlsx([
        ["UNMAS", "Narnia", "Ninewa", "Land release", "active", 10]]))])
    assert not errors.publishable and errors.result.errors
    with pytest.raises(Refused) as refused:
        usecases.publish(errors, by="a", note="Narnia")
    assert refused.value.message("en") == t("coord.publish.blocked", "en")
    bad = usecases.prepare_upload([("iraq.xlsx", IRAQ_4W)])
    assert bad.publishable
    with pytest.raises(Refused) as refused:
        usecases.publish(bad, by="a", note="  ")
    assert refused.value.key == "coord.publish.note_required"
    # Iraq's 96 bundled rows become 2: more removed than added needs a confirmation.
    assert bad.needs_removal_confirmation
    with pytest.raises(Refused) as refused:
        usecases.publish(bad, by="a", note="Iraq")
    assert refused.value.message("en") == (
        f"Not published: this removes {bad.diff.rows_removed} row(s) and adds 2. "
        "Confirm the removal first.")
    assert app_store.current_version() == 1
    nothing = usecases.prepare_upload([("big.xlsx", b"x" * (usecases.max_upload_mb() * 2**20 + 1))])
    assert nothing.refused and not nothing.publishable
    with pytest.raises(Refused) as refused:
        usecases.publish(nothing, by="a", note="too big")
    assert refused.value.key == "coord.publish.blocked"


# ------------------------------------------------------------------ upload scope


def test_a_four_country_4w_keeps_the_other_countries_unless_replace_all_is_chosen(app_store):
    v1 = app_store.load(1).presence
    bundled_countries = set(v1["country_iso3"].dropna())
    assert len(bundled_countries) == 19
    others = sorted(bundled_countries - set(FOUR_ISO3))
    assert len(others) == 15

    upload = usecases.prepare_upload([("4w.xlsx", four_country_4w())])
    assert upload.scope == "countries"
    assert upload.kept_countries == {"presence": tuple(others)}
    assert upload.removal_headlines("en") == [
        f"Removes {upload.diff.rows_removed} row(s) of the 4W presence and adds "
        f"{upload.diff.rows_added}."]
    assert not upload.needs_removal_confirmation  # rows replaced one for one
    published = usecases.publish(upload, by="a", note="four countries")
    presence = app_store.load(published.version).presence
    assert set(presence["country_iso3"].dropna()) == bundled_countries
    mine = presence["country_iso3"].isin(FOUR_ISO3)
    assert (presence.loc[mine, "reached_women"] == WOMEN_REACHED).all()
    assert mine.sum() == v1["country_iso3"].isin(FOUR_ISO3).sum()
    pd.testing.assert_frame_equal(presence[~mine].reset_index(drop=True),
                                  v1[~v1["country_iso3"].isin(FOUR_ISO3)].reset_index(drop=True))

    everything = usecases.rescope_upload(
        usecases.prepare_upload([("4w.xlsx", four_country_4w())]), "all")
    names = ", ".join(sorted(country_name(c, "en") for c in others))
    headlines = everything.removal_headlines("en")
    assert headlines[0] == f"Removes the 4W presence of 15 countries: {names}."
    assert "Afghanistan" in headlines[0] and "Iraq" in headlines[0]
    assert everything.needs_removal_confirmation
    with pytest.raises(Refused):
        usecases.publish(everything, by="a", note="only four")
    replaced = usecases.publish(everything, by="a", note="only four", removal_confirmed=True)
    assert set(app_store.load(replaced.version).presence["country_iso3"].dropna()) == set(FOUR_ISO3)


def test_scope_merges_funding_by_country_and_year():
    from maaor.dataset import conform
    from maaor.usecases.candidate import merge_scoped

    current = conform("funding", pd.DataFrame({
        "country_iso3": ["MLI", "MLI", "NER", None], "year": [2020, 2021, 2021, 2021],
        "funded_usd": [1.0, 2.0, 3.0, 4.0]}))
    uploaded = conform("funding", pd.DataFrame({
        "country_iso3": ["MLI"], "year": [2021], "funded_usd": [20.0]}))
    merged, kept = merge_scoped("funding", current, uploaded)
    # Mali 2021 replaced; Mali 2020, Niger 2021 and the global 2021 row kept.
    assert merged["funded_usd"].tolist() == [1.0, 3.0, 4.0, 20.0]
    assert merged["country_iso3"].tolist()[:2] == ["MLI", "NER"]
    assert merged["year"].tolist() == [2020, 2021, 2021, 2021]
    assert len(kept) == 3
    replaced, none_kept = merge_scoped("funding", current, uploaded, "all")
    assert replaced["funded_usd"].tolist() == [20.0] and none_kept.empty
    with pytest.raises(ValueError):
        merge_scoped("funding", current, uploaded, "some")


def test_scope_treats_a_missing_country_or_year_as_a_value_of_its_own():
    from maaor.dataset import conform
    from maaor.usecases.candidate import merge_scoped

    current = conform("funding", pd.DataFrame({
        "country_iso3": ["MLI", None, None, "MLI", "NER", None, "MLI"],
        "year": [None, 2021, None, 2021, None, 2021, None],
        "funded_usd": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]}))
    uploaded = conform("funding", pd.DataFrame({
        "country_iso3": ["MLI", None, "MLI"], "year": [None, 2021, None],
        "funded_usd": [10.0, 20.0, 30.0]}))
    merged, kept = merge_scoped("funding", current, uploaded)
    # (Mali, no year) and (no country, 2021) replaced, wherever their rows are; the
    # others kept in their order.
    assert kept["funded_usd"].tolist() == [3.0, 4.0, 5.0]
    assert merged["funded_usd"].tolist() == [3.0, 4.0, 5.0, 10.0, 20.0, 30.0]


# ------------------------------------------------------------------ prepare once


def test_prepare_upload_starts_the_reader_first_and_decodes_the_base_once(app_store,
                                                                          monkeypatch):
    from maaor.read import isolate, precheck

    events = []
    real_prestart, real_precheck = isolate.prestart, precheck.precheck_report
    monkeypatch.setattr(isolate, "prestart",
                        lambda *m: events.append(("prestart", m)) or real_prestart(*m))
    monkeypatch.setattr(precheck, "precheck_report",
                        lambda source: events.append("precheck") or real_precheck(source))
    real_load = type(app_store).load
    monkeypatch.setattr(type(app_store), "load",
                        lambda self, *a, **kw: events.append(("load", kw.get("only")))
                        or real_load(self, *a, **kw))
    upload = usecases.prepare_upload([("4w.xlsx", four_country_4w())])
    assert events[0] == ("prestart", READER_MODULES)  # before the store and the pre-check
    assert sorted(map(str, events[1:])) == sorted(map(str, [
        ("load", ("emergencies",)), ("load", None), "precheck"]))
    # The version is decoded after the pre-check (while the reader reads), not against it.
    assert events.index("precheck") < events.index(("load", None))
    full = real_load(app_store, 1)
    for name, frame in full.tables.items():
        pd.testing.assert_frame_equal(upload.base.tables[name], frame, check_exact=True)
    assert upload.publishable


def test_publishing_makes_only_the_removals_and_the_page_gets_the_whole_diff(app_store,
                                                                            monkeypatch):
    from maaor import diff
    from maaor.usecases import upload as upload_module

    made = []
    real_diff, real_removals = diff.diff_datasets, diff.table_removals
    monkeypatch.setattr(upload_module, "diff_datasets",
                        lambda *a, **kw: made.append("diff") or real_diff(*a, **kw))
    monkeypatch.setattr(upload_module, "table_removals",
                        lambda *a: made.append("removals") or real_removals(*a))
    monkeypatch.setattr(diff, "table_removals",
                        lambda *a: made.append("removals") or real_removals(*a))
    upload = usecases.prepare_upload([("iraq.xlsx", IRAQ_4W)])
    assert upload.needs_removal_confirmation
    assert upload.removal_headlines("en")
    with pytest.raises(Refused):
        usecases.publish(upload, by="a", note="Iraq only")  # removal not confirmed
    assert made == ["removals"]
    # The page's "What changed": the whole diff, with the removals already made.
    whole = upload.diff
    assert made == ["removals", "diff"]
    assert upload.diff is whole
    expected = real_diff(upload.base, upload.candidate, upload.today)
    assert whole.removals == expected.removals == upload.removals
    pd.testing.assert_frame_equal(whole.presence_changes, expected.presence_changes)
    pd.testing.assert_frame_equal(whole.flags_raised, expected.flags_raised)
    assert (upload.rows_removed, upload.rows_added) == (whole.rows_removed, whole.rows_added)
    # Another scope: removals and diff made again for the new candidate.
    rescoped = usecases.rescope_upload(upload, "all")
    assert rescoped.diff.removals == real_removals(rescoped.base, rescoped.candidate)


def test_validate_files_starts_the_reader_first(monkeypatch):
    from maaor.read import isolate

    started = []
    real_prestart = isolate.prestart
    monkeypatch.setattr(isolate, "prestart",
                        lambda *m: started.append(m) or real_prestart(*m))
    assert usecases.validate_files([("4w.xlsx", IRAQ_4W)]).ok
    assert started == [READER_MODULES]
    assert usecases.validate_files([("4w.xlsx", IRAQ_4W)],
                                   isolate=False).ok
    assert started == [READER_MODULES]  # no child, none started


def test_an_uploaded_file_is_hashed_once_from_upload_to_store(app_store, monkeypatch):
    # The upload's identity, the loader's check for a file given twice and the store's
    # blob key are one digest, computed once.
    import hashlib

    from maaor.usecases.upload import upload_key

    data = four_country_4w()
    hashed = []
    real_sha256 = hashlib.sha256

    def sha256(value=b"", **kwargs):
        if bytes(value) == data:
            hashed.append(1)
        return real_sha256(value, **kwargs)

    monkeypatch.setattr(hashlib, "sha256", sha256)
    upload = usecases.prepare_upload([("4w.xlsx", data)])
    assert hashed == [1]
    published = usecases.publish(upload, by="a", note="four countries")
    assert hashed == [1]
    monkeypatch.setattr(hashlib, "sha256", real_sha256)
    assert upload.key == upload_key([("4w.xlsx", data)], app_store.aliases())
    assert app_store.files(published.version) == [("4w.xlsx", data)]
    assert upload.sources[0].sha256 == real_sha256(data).hexdigest()


# ------------------------------------------------------------------ aggregates


def test_publish_stores_aggregates_computed_from_the_dataset_in_hand(app_store, monkeypatch):
    upload = usecases.prepare_upload([("4w.xlsx", four_country_4w())])
    loads = []
    real_load = type(app_store).load
    monkeypatch.setattr(type(app_store), "load",
                        lambda self, *a, **kw: loads.append(a) or real_load(self, *a, **kw))
    published = usecases.publish(upload, by="a", note="four countries")
    assert loads == []  # nothing reloaded after the write
    level = views.public_presence_level()
    assert sorted(published.aggregates) == sorted(
        aggregates.stored_name(v, level) for v in aggregates.STORED_VIEWS)
    expected = aggregates.compute(upload.candidate, level)
    for name in published.aggregates:
        assert app_store.aggregate(published.version, name) == expected[name], name


def test_aggregates_are_computed_while_the_version_is_written(app_store, monkeypatch):
    # Each side waits for the other to have started: done one after the other, the
    # first would wait in vain (and its failure would leave the aggregates unstored).
    import threading

    from maaor.usecases import publishing

    upload = usecases.prepare_upload([("4w.xlsx", four_country_4w())])
    computing, writing = threading.Event(), threading.Event()
    real_compute, real_publish = publishing.compute_aggregates, type(app_store).publish

    def compute(dataset):
        computing.set()
        if not writing.wait(30):
            raise AssertionError("the aggregates were computed before the write began")
        return real_compute(dataset)

    def publish(self, *args, **kwargs):
        writing.set()
        if not computing.wait(30):
            raise AssertionError("the write began before the aggregates")
        return real_publish(self, *args, **kwargs)

    monkeypatch.setattr(publishing, "compute_aggregates", compute)
    monkeypatch.setattr(type(app_store), "publish", publish)
    published = usecases.publish(upload, by="a", note="four countries")
    level = views.public_presence_level()
    expected = aggregates.compute(upload.candidate, level)
    assert sorted(published.aggregates) == sorted(expected)
    for name in published.aggregates:
        assert app_store.aggregate(published.version, name) == expected[name], name


def test_aggregates_that_fail_leave_the_version_published(app_store, monkeypatch, caplog):
    upload = usecases.prepare_upload([("4w.xlsx", four_country_4w())])

    def broken(*_):
        raise RuntimeError("no figures today")

    monkeypatch.setattr(aggregates, "compute", broken)
    published = usecases.publish(upload, by="a", note="four countries")
    assert published.aggregates == ()
    assert app_store.current_version() == published.version == 2
    assert "storing aggregates of v2 failed" in caplog.text
    level = views.public_presence_level()
    assert all(app_store.aggregate(2, aggregates.stored_name(v, level)) is None
               for v in aggregates.STORED_VIEWS)


def test_a_refused_publish_leaves_no_aggregates_being_computed(app_store):
    import threading

    iraq = usecases.prepare_upload([("iraq.xlsx", IRAQ_4W)])
    mali = usecases.prepare_upload([("mali.xlsx", MALI_4W)])
    usecases.publish(iraq, by="a", note="Iraq", removal_confirmed=True)
    with pytest.raises(Refused):
        usecases.publish(mali, by="b", note="Mali", removal_confirmed=True)
    assert [v.id for v in app_store.history()] == [2, 1]
    assert not [t for t in threading.enumerate() if t.name.startswith("maaor-aggregates")]


# ------------------------------------------------------------------ rollback


def test_rollback_publishes_an_equal_version_and_refuses_stale_or_unknown(app_store):
    usecases.publish(usecases.prepare_upload([("iraq.xlsx", IRAQ_4W)]), by="a", note="Iraq",
                     removal_confirmed=True)
    with pytest.raises(Refused) as refused:
        usecases.rollback(1, by="a", note="back", based_on=1)
    assert refused.value.kind == "conflict" and "version 2 was published meanwhile" in str(refused.value)
    version = usecases.rollback(1, by="a", note="back", based_on=2)
    assert version == 3
    for name, table in app_store.load(1).tables.items():
        pd.testing.assert_frame_equal(app_store.load(3).tables[name], table)
    with pytest.raises(Refused) as refused:
        usecases.rollback(99, by="a")
    assert refused.value.kind == "not_found"
    assert refused.value.message("en") == "Not done, nothing was changed: version 99 does not exist."
    assert [v.id for v in usecases.history()] == [3, 2, 1]


# ------------------------------------------------------------------ edits


def _edits(ds, status):
    wp = ds.workplan
    return pd.DataFrame({"activity_id": wp["activity_id"].iloc[:1], "status": [status],
                         "progress": [None], "comment": ["by phone"]})


def test_apply_edits_publishes_checks_and_refuses_a_stale_base(app_store):
    ds = usecases.current_dataset()
    first = ds.workplan.iloc[0]
    bad = usecases.apply_edits(_edits(ds, "finished-ish"), base_version=1, by="a", note="x")
    assert bad.version is None and [p.column for p in bad.problems] == ["Status"]
    new_status = "cancelled" if first["status"] != "cancelled" else "completed"
    with pytest.raises(Refused) as refused:
        usecases.apply_edits(_edits(ds, new_status), base_version=1, by="a", note="")
    assert refused.value.key == "coord.publish.note_required"
    done = usecases.apply_edits(_edits(ds, new_status), base_version=1, by="a", note="status")
    assert done.version == 2 and done.activities == 1
    edited = app_store.load(2).workplan.set_index("activity_id")
    assert edited.loc[first["activity_id"], "status"] == new_status
    assert edited.loc[first["activity_id"], "comment"] == "by phone"
    same = usecases.apply_edits(_edits(app_store.load(2), new_status), base_version=2, by="a",
                                note="again")
    assert same.version is None and same.record.empty
    with pytest.raises(Refused) as refused:
        usecases.apply_edits(_edits(ds, "ongoing"), base_version=1, by="a", note="stale")
    assert refused.value.kind == "conflict"
    assert app_store.current_version() == 2


# ------------------------------------------------------------------ aliases, backup


def test_save_alias_then_the_upload_knows_the_name(app_store):
    unknown = presence_xlsx([["UNMAS", "Iraq", "Ninewa", "Land release", "active", 10],
                             ["Zzyzx Group", "Iraq", "Anbar", "Land release", "active", 5]])
    assert usecases.prepare_upload([("4w.xlsx", unknown)]).unknown_organisations() == ["Zzyzx Group"]
    usecases.save_alias("Zzyzx Group", "Zzyzx Group", by="a")
    assert usecases.aliases() == {"Zzyzx Group": "Zzyzx Group"}
    assert usecases.prepare_upload([("4w.xlsx", unknown)]).unknown_organisations() == []


def test_backup_and_restore_round_trip(app_store, store_url, make_store_url, tmp_path):
    path, count = usecases.backup(tmp_path / "b.zip", store_url)
    assert count == 1 and path.is_file()
    restored, current = usecases.restore(path, make_store_url())
    assert (restored, current) == (1, 1)
    with pytest.raises(Refused) as refused:
        usecases.restore(path, store_url)  # not empty
    assert refused.value.kind == "store"


def test_the_reader_modules_are_what_the_child_imports_to_read_a_file():
    # The child started ahead imports them while it waits; each must exist, and
    # loading a file in a fresh interpreter must import each of them.
    import subprocess
    import sys

    from tests.paths import ROOT

    code = ("import sys, datetime\n"
            "from maaor.load import load_file\n"
            "from maaor.sources import Source\n"
            "from tests.upload_files import IRAQ_4W\n"
            "load_file(Source('4w.xlsx', IRAQ_4W), {}, datetime.date(2026, 12, 1))\n"
            f"print(sorted(m for m in {READER_MODULES!r} if m not in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
