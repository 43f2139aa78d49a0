"""Figures: pure functions from canonical tables to the numbers and tables shown.

One module per page topic: ``progress`` (work plan), ``gaps`` (flags), ``presence``
(4W), ``funding``, ``results`` (indicators), ``overview`` (home page). They take
tables of ``maaor.dataset`` (already filtered with ``maaor.filters``) and an explicit
reference date where time matters; they never read files or the clock.
"""
