"""The withdraw use case and the service the pages read through (issue 12, item 10)."""

from __future__ import annotations

import pytest

from maaor import service
from maaor.store import VersionWithdrawn
from maaor.usecases.withdraw import withdraw_version
from tests.conftest import bundled_app_store


def test_withdrawn_version_is_not_served_by_the_service(tmp_path):
    with bundled_app_store(tmp_path):
        store = service.open_store()
        v1 = store.current_version()
        v2 = store.publish(store.load(v1), [], by="lead", note="copy")
        with pytest.raises(ValueError, match="--reason is required"):
            withdraw_version(v1, reason=" ", by="lead")
        assert service.withdrawn_at(v1) is None

        done = withdraw_version(v1, reason="sensitive", by="lead")  # the process's store
        assert (done.version, done.current, done.was_current) == (v1, v2, False)
        assert service.withdrawn_at(v1) == done.at
        with pytest.raises(VersionWithdrawn):
            service.load_dataset(v1)
        assert service.load_dataset().meta.version == v2
        assert service.current_version() == v2
