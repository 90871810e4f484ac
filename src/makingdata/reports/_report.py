"""A report: sections of charts and tables, the tables it publishes, and its folder."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from makingdata._atomic import atomic_dir
from makingdata._html import esc
from makingdata.disclosure import ProtectedTable
from makingdata.errors import ExportError
from makingdata.publish import EesCheck, EesFiles, check_ees, publish
from makingdata.reports._html import CSP, STYLE, chart_html, paragraphs, table_html
from makingdata.tables import Table

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence


#: The name of the report's page in its folder.
REPORT_HTML = "report.html"
#: The name of the copy of the audit log in a report's folder.
AUDIT_LOG = "audit.jsonl"
#: The list of a report folder's files.
CONTENTS = "CONTENTS.txt"

_AUDIENCE_TEXT = {
    "school": "the school (its own pupils' data, as built)",
    "trust": "the trust (its own schools' data, as built)",
    "la": "the local authority (the schools in its area, as built)",
    "dfe": "the Department for Education (as built)",
    "partner": "a partner under a data sharing agreement (protected)",
    "public": "the public (protected: small counts suppressed)",
}


def _version() -> str:
    from makingdata import __version__  # noqa: PLC0415 - the package imports this one

    return __version__


@attrs.frozen
class Section:
    """One part of a report: a heading, paragraphs, charts and tables.

    Attributes
    ----------
    heading
        The section's heading.
    text
        Paragraphs (plain text; escaped when rendered).
    charts
        Charts from :mod:`makingdata.charts`, drawn as inline SVG.
    tables
        ``(caption, table, columns)``: a table shown as it is published
        (symbols where a value is not a number), ``columns`` the ones to show
        (``None``: the first ones).
    """

    heading: str
    text: tuple[str, ...] = ()
    charts: tuple[Any, ...] = ()
    tables: tuple[
        tuple[str, Table | ProtectedTable | pl.DataFrame, tuple[str, ...] | None], ...
    ] = ()


@attrs.frozen
class Report:
    """A report ready to be written: its page's content and the files it publishes.

    Build one with :func:`~makingdata.reports.trust_weekly`,
    :func:`~makingdata.reports.la_ytd` or
    :func:`~makingdata.reports.national_release` (or by hand), then write
    its folder with :func:`~makingdata.reports.write_report`.

    Attributes
    ----------
    kind
        ``trust-weekly``, ``la-ytd``, ``national-release`` (or your own).
    title
        The page's title.
    audience
        Who the report (and every table in it) was protected or scoped for:
        ``school``, ``trust``, ``la``, ``dfe``, ``partner`` or ``public``.
    period
        The period the report covers, in words.
    summary
        Paragraphs under the title.
    sections
        The :class:`Section` s, in order.
    methodology
        Paragraphs on how the figures were counted.
    protection
        Paragraphs on how the figures were protected or scoped.
    ees
        ``(file name, table)``: each written as an EES data file and its
        ``.meta.csv`` for ``audience``, and checked.
    audit_log
        An audit log of the access decisions behind the report, copied into
        the folder as ``audit.jsonl``.
    generated
        When the report was made (UTC; now by default).
    version
        The makingdata version that made it.
    max_rows
        Rows of a table shown at most.
    """

    kind: str
    title: str
    audience: str
    period: str
    summary: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    methodology: tuple[str, ...] = ()
    protection: tuple[str, ...] = ()
    ees: tuple[tuple[str, Table | ProtectedTable], ...] = ()
    audit_log: Path | None = None
    generated: dt.datetime = attrs.field(
        factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0)
    )
    version: str = attrs.field(factory=_version)
    max_rows: int = 25

    @property
    def audience_text(self) -> str:
        """The audience in words."""
        return _AUDIENCE_TEXT.get(self.audience, self.audience)

    @property
    def charts(self) -> int:
        """How many charts the report draws."""
        return sum(len(s.charts) for s in self.sections)

    def files(self) -> list[str]:
        """Return the names of the files :func:`write_report` writes, in order."""
        names = [REPORT_HTML]
        for name, _ in self.ees:
            names += [name, name.removesuffix(".csv") + ".meta.csv"]
        if self.audit_log is not None:
            names.append(AUDIT_LOG)
        names.append(CONTENTS)
        return names

    def html(self) -> str:
        """Return the report as one self-contained HTML page."""
        return render_html(self, files=self.files())


@attrs.frozen
class ReportFolder:
    """The folder :func:`write_report` wrote.

    Attributes
    ----------
    path
        The folder.
    html
        Its ``report.html``.
    ees
        The EES pairs written (data file and ``.meta.csv``).
    checks
        Each pair checked against the EES open data standards.
    audit_log
        The copy of the audit log, if the report had one.
    charts
        How many charts the page draws.
    """

    path: Path
    html: Path
    ees: tuple[EesFiles, ...]
    checks: tuple[EesCheck, ...]
    audit_log: Path | None
    charts: int

    @property
    def ok(self) -> bool:
        """Whether every EES pair passed its check (no error)."""
        return all(c.ok for c in self.checks)

    def files(self) -> list[Path]:
        """Return every file in the folder, sorted by name."""
        return sorted(p for p in self.path.iterdir() if p.is_file())


def _moved(path: Path, tmp: Path, final: Path) -> Path:
    return final / path.relative_to(tmp)


def write_report(report: Report, folder: str | os.PathLike[str]) -> ReportFolder:
    """Write a report's folder: ``report.html``, its EES files, the audit log, a contents list.

    The folder appears whole or not at all (written beside it under a
    temporary name, then renamed). Each EES table is published for the
    report's audience (:func:`makingdata.publish.publish`: protected on the
    way for a partner or the public) and checked with
    :func:`~makingdata.publish.check_ees`.

    Parameters
    ----------
    report
        The report.
    folder
        A new or empty folder.

    Returns
    -------
    ReportFolder
        What was written.

    Raises
    ------
    InputError
        If ``folder`` is a file or a folder with anything in it.
    ExportError
        If a file cannot be written, or an EES pair fails its check.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from makingdata.reports import Report, write_report
    >>> out = Path(tempfile.mkdtemp()) / "report"
    >>> r = Report("note", "A note", "public", "today", summary=("Nothing yet.",))
    >>> [p.name for p in write_report(r, out).files()]
    ['CONTENTS.txt', 'report.html']
    """
    final = Path(folder)
    written: list[EesFiles] = []
    checks: list[EesCheck] = []
    with atomic_dir(final, what="the report folder") as tmp:
        for name, table in report.ees:
            files = publish(table, tmp / name, audience=report.audience)
            check = check_ees(files.data)
            if not check.ok:  # pragma: no cover - publish checks before it writes
                first = check.errors.row(0, named=True)
                raise ExportError(
                    f"the EES file breaks rule {first['rule']}: {first['message']}",
                    path=final / name,
                    hint="report this as a bug; nothing was left behind",
                )
            written.append(
                attrs.evolve(
                    files,
                    data=_moved(files.data, tmp, final),
                    meta=_moved(files.meta, tmp, final),
                )
            )
            checks.append(
                attrs.evolve(
                    check,
                    data=_moved(check.data, tmp, final),
                    meta=None if check.meta is None else _moved(check.meta, tmp, final),
                )
            )
        if report.audit_log is not None:
            shutil.copyfile(report.audit_log, tmp / AUDIT_LOG)
        (tmp / REPORT_HTML).write_text(report.html(), encoding="utf-8")
        lines = [f"{report.title}", f"protected for: {report.audience}", ""]
        lines += [_describe(name) for name in report.files()]
        (tmp / CONTENTS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ReportFolder(
        path=final,
        html=final / REPORT_HTML,
        ees=tuple(written),
        checks=tuple(checks),
        audit_log=final / AUDIT_LOG if report.audit_log is not None else None,
        charts=report.charts,
    )


def _describe(name: str) -> str:
    if name == REPORT_HTML:
        what = "the report: open it in a browser (works offline)"
    elif name == AUDIT_LOG:
        what = "the access decisions behind the report (JSON lines)"
    elif name == CONTENTS:
        what = "this list"
    elif name.endswith(".meta.csv"):
        what = "the EES metadata of the data file beside it"
    else:
        what = "an EES data file (checked against the EES open data standards)"
    return f"{name:<40} {what}"


def render_html(report: Report, *, files: Sequence[str] = ()) -> str:
    """Return ``report`` as one self-contained HTML page.

    Charts are inline SVG (rendered headless, with alt text), tables are
    escaped, and a content security policy forbids the page any network
    request. ``files`` are the names the report's folder holds, listed at
    the end.
    """
    number = 0
    body: list[str] = []
    for section in report.sections:
        body.append(f"<section><h2>{esc(section.heading, limit=None)}</h2>")
        body.append(paragraphs(section.text))
        for chart in section.charts:
            number += 1
            body.append(chart_html(chart, number))
        for caption, table, columns in section.tables:
            body.append(table_html(caption, table, columns, report.max_rows))
        body.append("</section>")
    facts = [
        ("Protected for", report.audience_text),
        ("Period", report.period),
        ("Generated", report.generated.strftime("%d %B %Y, %H:%M %Z").strip()),
        ("makingdata version", report.version),
    ]
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="makingdata {esc(report.version)}">'
        f"<title>{esc(report.title, limit=None)}</title><style>{STYLE}</style></head>"
    )
    listing = "".join(
        f"<li><code>{esc(name, limit=None)}</code></li>" for name in files
    )
    return (
        head
        + "<body><header>"
        + f"<h1>{esc(report.title, limit=None)}</h1>"
        + paragraphs(report.summary)
        + "</header><main>"
        + '<dl class="facts">'
        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v, limit=None)}</dd>" for k, v in facts)
        + "</dl>"
        + "".join(body)
        + '<section id="methodology"><h2>Methodology and protection</h2>'
        + paragraphs(report.methodology)
        + '<div class="note">'
        + paragraphs(report.protection)
        + "</div></section>"
        + (
            '<section id="files"><h2>Files in this folder</h2><ul>'
            + listing
            + "</ul></section>"
            if files
            else ""
        )
        + "</main><footer>"
        + esc(
            f"Generated by makingdata {report.version} on "
            f"{report.generated.isoformat(timespec='seconds')}. "
            "This page needs no network: its charts are drawn in it.",
            limit=None,
        )
        + "</footer></body></html>\n"
    )
