"""Reports people open: one self-contained HTML page and the files it publishes, in one folder.

Three reports, each from the same inputs as ``makingdata aggregate``:

- :func:`trust_weekly` — a trust's weekly pack, scoped to the trust
  (:mod:`makingdata.access`): its absence against its LA and England, its
  schools × weeks, absence by reason;
- :func:`la_ytd` — an LA's year to date against England, by FSM status, SEN
  provision and ethnicity, with persistent and severe absence;
- :func:`national_release` — a national release protected for the public,
  with its EES pair.

Each returns a :class:`Report`; :func:`write_report` writes its folder
(``report.html``, the EES data and ``.meta.csv`` files, checked; the audit
log of the access decisions; ``CONTENTS.txt``), whole or not at all. The page
needs no network: its charts are inline SVG rendered headless
(:mod:`makingdata.charts`) with alt text, its tables are escaped, and a
content security policy forbids any request.

Needs the ``charts`` extra (``pip install "makingdata[charts]"``).

Examples
--------
>>> import polars as pl
>>> from makingdata.reports import Report, Section
>>> page = Report(
...     "note",
...     "A <note>",
...     "public",
...     "today",
...     sections=(Section("Numbers", tables=(("t", pl.DataFrame({"a": [1]}), None),)),),
... ).html()
>>> "<title>A &lt;note&gt;</title>" in page, "<script" in page
(True, False)
"""

from __future__ import annotations

from makingdata.reports._builders import (
    REPORTS,
    la_ytd,
    national_release,
    trust_weekly,
)
from makingdata.reports._html import CSP
from makingdata.reports._report import (
    AUDIT_LOG,
    CONTENTS,
    REPORT_HTML,
    Report,
    ReportFolder,
    Section,
    render_html,
    write_report,
)

__all__ = [
    "AUDIT_LOG",
    "CONTENTS",
    "CSP",
    "REPORTS",
    "REPORT_HTML",
    "Report",
    "ReportFolder",
    "Section",
    "la_ytd",
    "national_release",
    "render_html",
    "trust_weekly",
    "write_report",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
