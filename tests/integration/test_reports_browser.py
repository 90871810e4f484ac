"""Each report, as a person sees it: opened in headless Chromium, offline.

The page must load without a console error or a failed request, and every
chart must have drawn: an inline SVG with marks in it, a title and alt text.
Chromium is Debian's ``chromium`` package (``/usr/bin/chromium``), driven with
Playwright for Python (no browser download); the test is skipped only when
Chromium is absent.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from makingdata import synth
from makingdata.cli._demo import _write_report  # the demo's report too
from makingdata.reports import la_ytd, national_release, trust_weekly, write_report

if TYPE_CHECKING:
    from collections.abc import Iterator

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).is_file(),
        reason="Chromium is not installed: apt-get install -y --no-install-recommends "
        "chromium (Debian's package; .ci/run installs it)",
    ),
]

START, END = dt.date(2025, 9, 8), dt.date(2025, 9, 19)

#: In each chart, the marks the data draws (not axes, legends or text).
_COUNT_MARKS = """
() => Array.from(document.querySelectorAll('figure.chart > svg')).map(svg => ({
  label: svg.getAttribute('aria-label') || '',
  title: (svg.querySelector(':scope > title') || {}).textContent || '',
  width: svg.getBoundingClientRect().width,
  height: svg.getBoundingClientRect().height,
  marks: Array.from(svg.querySelectorAll(
    'g.role-mark.mark-line path, g.role-mark.mark-rect path, ' +
    'g.role-mark.mark-symbol path, g.role-mark.mark-area path'
  )).filter(p => (p.getAttribute('d') || '').length > 0 &&
                 !(p.closest('g.role-legend') || p.closest('g.role-axis'))).length,
}))
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("browser")
    data = synth.generate(scale=0.01, start=START, end=END, seed=7, la=330)
    marks = data.marks()
    trust = (
        data.memberships.group_by("trust_id")
        .len()
        .sort(["len", "trust_id"], descending=[True, False])["trust_id"][0]
    )
    reports = {
        "trust-weekly": trust_weekly(
            marks,
            data.enrolments,
            schools=data.schools,
            memberships=data.memberships,
            trust_id=trust,
        ),
        "la-ytd": la_ytd(marks, data.enrolments, schools=data.schools, la=330),
        "national-release": national_release(
            marks, data.enrolments, schools=data.schools
        ),
    }
    return {kind: write_report(r, base / kind).html for kind, r in reports.items()}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (the dev extra)"
    )
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            offline=True,
        )
        try:
            yield context
        finally:
            context.close()


def _open(browser: Any, page_file: Path) -> tuple[list[dict[str, Any]], list[str], str]:
    page = browser.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in {"error", "warning"}
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri(), wait_until="load")
    charts = page.evaluate(_COUNT_MARKS)
    title = page.title()
    page.close()
    problems += [f"request: {u}" for u in requests if not u.startswith("file:")]
    return charts, problems, title


@pytest.mark.parametrize(
    ("kind", "n_charts"), [("trust-weekly", 3), ("la-ytd", 5), ("national-release", 3)]
)
def test_report_loads_and_every_chart_draws(
    browser: Any, pages: dict[str, Path], kind: str, n_charts: int
) -> None:
    charts, problems, title = _open(browser, pages[kind])
    assert problems == []
    assert title
    assert len(charts) == n_charts
    for chart in charts:
        assert chart["marks"] > 0, chart
        assert chart["width"] > 100, chart
        assert chart["height"] > 50, chart
        assert chart["title"], chart
        assert len(chart["label"]) > 20, chart


def test_a_page_with_a_broken_chart_is_caught(browser: Any, tmp_path: Path) -> None:
    # the check itself can fail: an empty chart and a console error are both seen
    page_file = tmp_path / "broken.html"
    page_file.write_text(
        "<!DOCTYPE html><html><head><title>t</title></head><body>"
        '<figure class="chart"><svg role="img" aria-label="x"></svg></figure>'
        "<script>console.error('boom')</script></body></html>"
    )
    charts, problems, _ = _open(browser, page_file)
    assert charts[0]["marks"] == 0
    assert any("boom" in p for p in problems)


def test_demo_report_draws(browser: Any, tmp_path: Path) -> None:
    from makingdata import attendance, disclosure

    data = synth.generate(scale=0.01, start=START, end=END, seed=7, la=330)
    marks = data.marks()
    protected = disclosure.protect(
        attendance.attendance_table(
            marks, data.enrolments, schools=data.schools, levels=("la", "national"),
            by=["fsm_status"], period="ytd", start=START, end=END,
        ).collect(),
        "public",
    )  # fmt: skip
    weekly = attendance.attendance_table(
        marks, data.enrolments, schools=data.schools, levels=("national",),
        period="week", start=START, end=END,
    ).collect()  # fmt: skip
    log = tmp_path / "audit.jsonl"
    log.write_text("")
    folder = _write_report(
        tmp_path / "demo",
        weekly=weekly,
        protected=protected,
        tables={},
        audit_log=log,
        period="two weeks",
    )
    charts, problems, _ = _open(browser, folder.html)
    assert problems == []
    assert len(charts) == 2
    assert all(c["marks"] > 0 for c in charts)
