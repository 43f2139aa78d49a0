"""An isolated load pre-checks a file once, in the parent, and hands the facts to the
child (issue 16: the 77 MB sheet XML of a 100k-row 4W was inflated and scanned twice)."""

from __future__ import annotations

import datetime as dt

import maaor.load as load
import maaor.read.precheck as precheck_module
from maaor.bundled import default_sources
from maaor.problems import Problem
from maaor.read import isolate
from maaor.read.precheck import PrecheckReport

TODAY = dt.date(2026, 12, 1)


def workbook():
    sources, _ = default_sources()
    return next(s for s in sources if s.name.endswith(".xlsx"))


def test_isolated_load_prechecks_in_the_parent_and_hands_the_report_to_the_child(monkeypatch):
    source = workbook()
    calls: list[str] = []
    original = precheck_module.precheck_report

    def counting(src, *args, **kwargs):
        calls.append(src.name)
        return original(src, *args, **kwargs)

    monkeypatch.setattr(precheck_module, "precheck_report", counting)
    sent = {}

    def run_in_process(func, *args, **kwargs):  # the child's work, here, to see its inputs
        sent["args"] = args
        return isolate.IsolatedResult(True, value=func(*args, **kwargs))

    monkeypatch.setattr(isolate, "run_isolated", run_in_process)
    result = load._load_isolated(source, {}, TODAY)
    assert calls == [source.name]  # once, in the parent; the child used its report
    report = sent["args"][3]
    assert isinstance(report, PrecheckReport) and not report.problems
    assert report.parts  # the scan's facts (formula/error marks per part) travel along
    direct = load.load_file(source, {}, TODAY)
    assert [len(t) for _, t in result.tables] == [len(t) for _, t in direct.tables] != []


def test_load_file_uses_the_report_it_is_given(monkeypatch):
    source = workbook()

    def refuse(*args, **kwargs):
        raise AssertionError("scanned again")

    monkeypatch.setattr(precheck_module, "precheck_report", refuse)
    note = Problem("warning", "file.test_note", "A note the parent's pre-check made.", "",
                   file=source.name)
    given = PrecheckReport([note], {})
    result = load.load_file(source, {}, TODAY, given)
    assert note in result.problems
    assert result.tables


def test_a_refused_file_never_reaches_the_child(monkeypatch):
    source = workbook()
    refusal = Problem("error", "file.too_large", "too large", "", file=source.name)
    monkeypatch.setattr(precheck_module, "precheck_report",
                        lambda *a, **k: PrecheckReport([refusal]))

    def no_child(*args, **kwargs):
        raise AssertionError("child started")

    monkeypatch.setattr(isolate, "run_isolated", no_child)
    assert load._load_isolated(source, {}, TODAY).problems == [refusal]


def test_load_sources_uses_the_reports_the_caller_made(monkeypatch):
    source = workbook()
    report = precheck_module.precheck_report(source)

    def refuse(*args, **kwargs):
        raise AssertionError("scanned again")

    monkeypatch.setattr(precheck_module, "precheck_report", refuse)
    sent = {}

    def run_in_process(func, *args, **kwargs):
        sent["report"] = args[3]
        return isolate.IsolatedResult(True, value=func(*args, **kwargs))

    monkeypatch.setattr(isolate, "run_isolated", run_in_process)
    result = load.load_sources([source], today=TODAY, isolate=True,
                               prechecked={source.sha256: report})
    assert sent["report"] is report
    assert result.ok and result.dataset.workplan is not None
    assert len(result.dataset.tables["workplan"]) > 0
    # Not isolated: the report is used in this process.
    assert load.load_sources([source], today=TODAY, prechecked={source.sha256: report}).ok
