"""Figures shared by the dashboard processes of one machine (``maaor.ui.shared_cache``):
computed once for all of them, never a changed result, and only in a private directory."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from maaor.ui.shared_cache import SharedCache, default_directory


def _figure(marks: str, key: str) -> pd.DataFrame:
    with open(marks, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(0.4)  # long enough for the other processes to ask meanwhile
    return pd.DataFrame({"country": ["IRQ", "AFG"], "reached": [120, 45], "key": [key, key]})


def _ask(directory: str, marks: str, start, out) -> None:
    cache = SharedCache(Path(directory))
    start.wait()
    frame = cache.get_or_compute(("v1", "presence.by_country", "IRQ"), lambda: _figure(marks, "IRQ"))
    out.put(frame.to_dict("list"))


def test_processes_asking_at_once_compute_a_figure_once(tmp_path):
    ctx = multiprocessing.get_context("fork")
    marks = tmp_path / "computed.txt"
    start = ctx.Barrier(3)
    out = ctx.Queue()
    procs = [ctx.Process(target=_ask, args=(str(tmp_path / "cache"), str(marks), start, out))
             for _ in range(3)]
    for p in procs:
        p.start()
    results = [out.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert len(marks.read_text().splitlines()) == 1
    want = {"country": ["IRQ", "AFG"], "reached": [120, 45], "key": ["IRQ", "IRQ"]}
    assert results == [want] * 3


def test_results_come_back_unchanged_and_keys_apart(tmp_path):
    cache = SharedCache(tmp_path / "cache")
    calls = []

    def compute(value):
        calls.append(value)
        return {"frame": pd.DataFrame({"x": [value, 2.5]}), "note": f"n={value}"}

    first = cache.get_or_compute(("v1", "a"), lambda: compute(1))
    again = SharedCache(tmp_path / "cache").get_or_compute(("v1", "a"), lambda: compute(99))
    other = cache.get_or_compute(("v1", "b"), lambda: compute(7))
    assert calls == [1, 7]
    assert again["frame"].equals(first["frame"]) and again["note"] == "n=1"
    assert other["frame"]["x"].tolist() == [7.0, 2.5]
    # A key differing only in a type (1 vs "1") is another key.
    assert cache.get_or_compute(("v1", 1), lambda: "int") == "int"
    assert cache.get_or_compute(("v1", "1"), lambda: "text") == "text"


def test_a_damaged_file_is_computed_again(tmp_path):
    cache = SharedCache(tmp_path / "cache")
    cache.get_or_compute(("k",), lambda: [1, 2, 3])
    cache.path(("k",)).write_bytes(b"\x80\x05not a pickle")
    assert cache.get_or_compute(("k",), lambda: [4, 5]) == [4, 5]
    assert SharedCache(tmp_path / "cache").get_or_compute(("k",), lambda: None) == [4, 5]


@pytest.mark.parametrize("how", ["open to others", "a link"])
def test_a_directory_others_could_write_is_not_used(tmp_path, how):
    target = tmp_path / "cache"
    if how == "open to others":
        target.mkdir(mode=0o700)
        target.chmod(0o777)
    else:
        real = tmp_path / "real"
        real.mkdir(mode=0o700)
        target.symlink_to(real, target_is_directory=True)
    cache = SharedCache(target)
    assert not cache.enabled
    calls = []
    for _ in range(2):
        cache.get_or_compute(("k",), lambda: calls.append(1))
    assert calls == [1, 1]  # computed each time, nothing written
    assert not [p for p in (tmp_path / ("real" if how == "a link" else "cache")).iterdir()]


def test_the_directory_stays_bounded(tmp_path, monkeypatch):
    import maaor.ui.shared_cache as shared

    monkeypatch.setattr(shared, "PRUNE_EVERY", 1)
    cache = SharedCache(tmp_path / "cache", max_files=3, max_item_bytes=2_000)
    for i in range(8):
        cache.get_or_compute(("k", i), lambda i=i: "x" * i)
        time.sleep(0.01)  # distinct modification times: the oldest go first
    kept = sorted(p for p in (tmp_path / "cache").iterdir() if p.suffix == ".fig")
    assert len(kept) == 3
    assert {cache.path(("k", i)) for i in (5, 6, 7)} == set(kept)
    # Too large to be worth sharing: returned, not written.
    assert cache.get_or_compute(("big",), lambda: "y" * 10_000) == "y" * 10_000
    assert not cache.path(("big",)).exists()


def test_the_default_directory_is_per_user_and_store_and_names_no_secret():
    a = default_directory("postgresql://maaor:secret@db/maaor")
    b = default_directory("sqlite:///data/maaor.sqlite")
    assert a != b and "secret" not in str(a)
    assert str(os.getuid()) in a.name


def test_a_second_process_draws_the_presence_page_from_the_figures_of_the_first(
        tmp_path_factory, monkeypatch):
    """What one dashboard process computed for a filter, another one reads: the page is
    drawn the same, and the second process computes none of its filtered figures."""
    from streamlit.testing.v1 import AppTest

    from maaor import maps, views
    from maaor.ui import data
    from tests.conftest import bundled_app_store
    from tests.paths import ROOT

    monkeypatch.setenv("MAAOR_FIGURE_CACHE_DIR", str(tmp_path_factory.mktemp("shared") / "c"))
    data.shared_figures.clear()

    def drawn() -> tuple[list, list, str]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page("pages/2_Presence.py")
        at.query_params["country"] = "IRQ"
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        decks = [e.proto.json for e in at.get("deck_gl_json_chart")]
        return [(m.label, m.value) for m in at.metric], [d.value.to_dict("list") for d in at.dataframe], decks[0]

    with bundled_app_store(tmp_path_factory.mktemp("store")):
        data.clear_views()
        data.presence_map.clear()
        first = drawn()
        # A fresh process: empty in-memory caches, and nothing computed may be counted.
        data.clear_views()
        data.presence_map.clear()
        computed = []
        real_compute, real_deck = views.compute, maps.presence_deck
        monkeypatch.setattr(views, "compute", lambda name, *a, **k: computed.append(name) or real_compute(name, *a, **k))
        monkeypatch.setattr(maps, "presence_deck", lambda *a, **k: computed.append("deck") or real_deck(*a, **k))
        second = drawn()
    data.shared_figures.clear()
    assert second == first
    assert first[0] and first[1]  # metrics and tables were drawn
    assert computed == []
