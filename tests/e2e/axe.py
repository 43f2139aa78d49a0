"""axe-core in a Playwright page: WCAG 2.1 A and AA rules, findings by impact.

axe-core (MPL-2.0) comes from the npm registry through ``.ci/fetch-axe`` into
``tests/e2e/.axe/`` (git-ignored, never committed); :func:`axe_source` finds it.
"""

from __future__ import annotations

from pathlib import Path

AXE_DIR = Path(__file__).resolve().parent / ".axe"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def axe_source() -> str | None:
    """Return axe.min.js of the newest fetched axe-core, or None when not fetched."""
    found = sorted(AXE_DIR.glob("axe-core-*/axe.min.js"))
    return found[-1].read_text(encoding="utf-8") if found else None


def axe_run(page, source: str) -> list[dict]:
    """Inject axe-core into ``page`` and return its violations of the WCAG 2.1 A/AA rules
    (each: id, impact, help, nodes with their target selectors and summaries)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    result = page.evaluate(
        """async (tags) => {
            const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                      resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary,
                                        html: n.html.slice(0, 300)}))}));
        }""",
        WCAG_TAGS,
    )
    return result


def counts(violations: list[dict]) -> dict[str, int]:
    """Return the number of failing nodes per impact."""
    out: dict[str, int] = {}
    for v in violations:
        out[v["impact"] or "unknown"] = out.get(v["impact"] or "unknown", 0) + len(v["nodes"])
    return out
