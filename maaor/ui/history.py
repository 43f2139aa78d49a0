"""Cached work-plan progress across published versions, for the Work plan page.

Versions are immutable, so each version's numbers are computed once per process
(:func:`version_row`); :func:`progress_history` only lists the versions and joins
their rows, keyed by the current version so a new publish shows up at once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maaor import service
from maaor.figures.history import history_frame, version_progress


@st.cache_data(max_entries=1024, show_spinner=False)
def version_row(version: int) -> dict:
    """Return the work-plan progress numbers of one (immutable) version."""
    return version_progress(service.load_dataset(version))


@st.cache_data(max_entries=8, show_spinner=False)
def progress_history(current_version: int) -> pd.DataFrame:
    """Return progress over all versions up to ``current_version`` (see
    :func:`maaor.figures.history.progress_over_versions`)."""
    versions = [v for v in service.history() if v.id <= current_version]
    rows = [{"version": v.id, "created_at": v.created_at, **version_row(v.id)} for v in versions]
    return history_frame(rows)
