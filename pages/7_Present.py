"""Plenary mode: full-screen slides from the live data, with the briefing pack to take away.

The machinery (slides, URL state, drawing, downloads) is ``maaor.ui.present``.
"""

import streamlit as st

from maaor.ui import present
from maaor.ui.page import setup

page = setup("present")
show = present.current(page)
present.keyboard(page, show)
present.navigation(page, show)
present.slide(page, show)
present.auto_advance(show)
with st.container(key="present_extras"):
    present.speaker_notes(page, show)
    present.settings_and_downloads(page, show)
