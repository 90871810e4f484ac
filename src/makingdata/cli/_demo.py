"""``makingdata demo``: run the whole data path on built-in synthetic data.

Each stage prints what it did, in the order of the data path:

1. ``synth``: a seeded synthetic slice of England (schools, trusts, LAs,
   enrolments, daily session marks);
2. ``io``: the marks written as an MIS-style export with a few planted errors,
   read back and validated: every planted error is rejected with its line and
   rule, rows in = rows valid + rows rejected;
3. ``schemas``: the cross-frame check that every mark's pupil is enrolled;
4. ``access``: a trust's view for support (its schools, by date), and a
   refusal for a forbidden purpose;
5. ``attendance``: national, regional and one trust's tables;
6. ``disclosure``: the LA table protected for the public, with its audit,
   written as an EES data file and ``.meta.csv`` (in a temporary folder) and
   checked against the EES standards;
7. ``policy``: a data request checked against the principles.

Then it writes a report folder (``makingdata.reports``): an HTML summary
with charts, the EES files of the public table, and the audit log; it prints
where the folder is (``--report-dir`` chooses it; by default a new temporary
folder).
"""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import datetime as dt
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer

from makingdata import (
    access,
    attendance,
    disclosure,
    io,
    policy,
    publish,
    schemas,
    synth,
)
from makingdata.cli._console import Steps
from makingdata.cli._options import exit_codes, parse_date
from makingdata.domain import Directory
from makingdata.errors import AccessDenied, ExitCode
from makingdata.policy import DataRequest
from makingdata.tables import Table

if TYPE_CHECKING:
    from makingdata.reports import ReportFolder

#: A request every reader of the guidance will recognise: an LA asking for
#: half-termly flight paths in its own spreadsheet (Making Data Work, 2018, and the Secretary of State's letter of 2019 say not to).
_DEMO_REQUEST: dict[str, object] = {
    "title": "Half-termly KS2 flight paths",
    "request_date": dt.date(2025, 9, 15),
    "purpose": "Track every pupil against expected progress",
    "purpose_category": "monitoring",
    "uses": ["monitoring"],
    "format": "requester_template",
    "collection_dates": [
        dt.date(2025, 10, 17),
        dt.date(2025, 12, 12),
        dt.date(2026, 2, 13),
        dt.date(2026, 3, 27),
        dt.date(2026, 5, 22),
        dt.date(2026, 7, 10),
    ],
    "uses_school_collection_points": False,
    "granularity": "school",
    "staff_hours": 3.5,
    "requester": {"kind": "la", "name": "Anyshire County Council", "identifier": "999"},
    "items": [
        {
            "kind": "flight_path",
            "description": "Year 6 reading, writing and maths against flight path",
            "need": "identify schools needing support",
        }
    ],
}

_DEMO_KEY = "makingdata-demo-key-not-a-secret"


def _has_charts() -> bool:
    """Whether the charts extra (altair, vl-convert) is installed."""
    return all(
        importlib.util.find_spec(m) is not None for m in ("altair", "vl_convert")
    )


def _write_report(
    folder: Path | None,
    *,
    weekly: Table,
    protected: disclosure.ProtectedTable,
    tables: dict[str, pl.DataFrame],
    audit_log: Path,
    period: str,
) -> "ReportFolder":
    """Write the demo's report folder: a summary with charts, the EES pair, the audit log."""
    from makingdata import charts  # noqa: PLC0415 - the charts extra, only here
    from makingdata.reports import Report, Section, write_report  # noqa: PLC0415

    source = "synthetic data (makingdata demo), counted with makingdata"
    protect_weekly = disclosure.protect(weekly, "public")
    report = Report(
        kind="demo",
        title="makingdata demo: attendance on synthetic data",
        audience="public",
        period=period,
        summary=(
            "What makingdata demo counted, on a seeded synthetic slice of England: "
            "every figure here is made up.",
        ),
        sections=(
            Section(
                "England week by week",
                charts=(
                    charts.attendance_over_time(
                        protect_weekly, level="national", against=(), source=source
                    ),
                ),
            ),
            Section(
                "Persistent and severe absence by free school meals status",
                charts=(
                    charts.absence_by_group(
                        protected, "fsm_status", level="national", source=source
                    ),
                ),
                tables=(
                    (
                        "Local authorities by FSM status, protected for the public",
                        protected,
                        None,
                    ),
                ),
            ),
            Section(
                "National, regional and trust tables",
                text=(
                    "The headline tables as built (the demo prints them too); the "
                    "trust's is scoped to the trust.",
                ),
                tables=tuple(
                    (name, frame, None)
                    for name, frame in tables.items()
                    if name in {"national", "regional"}
                ),
            ),
        ),
        methodology=(
            "Sessions counted the DfE way: the cohort of compulsory school age, "
            "enrolment windows, persistent (10%) and severe (50%) absence.",
        ),
        protection=(
            "The LA table and the weekly national table are protected for the "
            "public (makingdata.disclosure): small counts suppressed as c with "
            "their complements. The EES pair beside "
            "this page was checked against the EES open data standards; the audit "
            "log holds the demo's access decisions.",
        ),
        ees=(("la_fsm.csv", protected),),
        audit_log=audit_log,
    )
    target = folder or Path(tempfile.mkdtemp(prefix="makingdata-demo-")) / "report"
    return write_report(report, target)


def _stage(n: int, title: str, steps: Steps) -> None:
    print(f"\n[{n}/7] {title}")
    steps.step(f"[{n}/7] {title}")


def _table(frame: pl.DataFrame, columns: list[str], rows: int = 12) -> None:
    cols = [c for c in columns if c in frame.columns]
    with pl.Config(
        tbl_rows=rows,
        tbl_cols=len(cols),
        tbl_width_chars=160,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        fmt_str_lengths=40,
    ):
        print(frame.select(cols).head(rows))


def _plant_errors(marks: pl.DataFrame, path: Path) -> int:
    """Write marks as a long-format export CSV with planted errors; return how many."""
    export = marks.head(200_000).with_columns(
        pl.col("session").cast(pl.String),
        pl.col("code").cast(pl.String),
        pl.col("date").dt.to_string("%Y-%m-%d"),
    )
    # Three new pupils, so the planted rows clash with nothing else: an unknown
    # code, the legacy J after 19 Aug 2024, and an impossible date.
    top: int = export.select(pl.col("pupil_key").max()).item() or 0
    bad = export.head(3).with_columns(
        pupil_key=pl.Series(
            [top + 1, top + 2, top + 3], dtype=export["pupil_key"].dtype
        ),
        code=pl.Series(["Q7", "J", "/"]),
        date=pl.Series(["2025-09-08", "2025-09-08", "31/02/2025"]),
    )
    pl.concat([export, bad]).write_csv(path)
    return 2  # Q7 and 31/02 are rejected; the legacy J is counted, with a warning


def demo(
    *,
    scale: Annotated[
        float,
        typer.Option(
            "--scale", metavar="SHARE", help="share of England's schools to generate"
        ),
    ] = 0.01,
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="random seed")
    ] = 2025,
    start: Annotated[
        dt.date,
        typer.Option("--start", parser=parse_date, metavar="DATE", help="first date"),
    ] = dt.date(2025, 9, 8),
    end: Annotated[
        dt.date,
        typer.Option("--end", parser=parse_date, metavar="DATE", help="last date"),
    ] = dt.date(2025, 10, 17),
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report-dir",
            metavar="FOLDER",
            help="write the report folder here (new or empty); default: a new "
            "temporary folder, printed at the end",
            show_default=False,
        ),
    ] = None,
) -> ExitCode:
    """Run the whole data path on built-in synthetic data.

    Generate synthetic data, validate it, scope it, count it the DfE way,
    protect it for the public and check a data request; print what each stage
    did; then write a report folder (HTML summary with charts, the EES files,
    the audit log) and print where it is.
    """
    # The audit log is written to a working folder removed at the end: the
    # report folder keeps its copy, so the demo leaves nothing else behind.
    with (
        Steps("demo") as steps,
        tempfile.TemporaryDirectory(prefix="makingdata-demo-") as work,
    ):
        _run(
            scale=scale,
            seed=seed,
            start=start,
            end=end,
            steps=steps,
            report_dir=report_dir,
            work=Path(work),
        )
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``demo`` sub-command."""
    app.command(
        "demo",
        short_help="run the whole data path on built-in synthetic data",
        epilog=exit_codes(OK=""),
    )(demo)


def _run(  # noqa: PLR0915 - one narrated pipeline
    *,
    scale: float,
    seed: int,
    start: dt.date,
    end: dt.date,
    steps: Steps,
    work: Path,
    report_dir: Path | None = None,
) -> None:
    """Run the demo, stage by stage; ``work`` is a scratch folder for the audit log."""
    t0 = time.perf_counter()
    print("makingdata demo: the whole data path on synthetic data")

    _stage(1, "synth: generate a seeded slice of England", steps)
    data = synth.generate(scale=scale, start=start, end=end, seed=seed)
    marks = data.marks()
    n_trusts = data.memberships["trust_id"].n_unique()
    print(
        f"  {data.schools.height:,} schools in "
        f"{data.schools['old_la_code'].n_unique()} LAs and {n_trusts} trusts; "
        f"{data.enrolments.height:,} enrolments; {marks.height:,} session marks "
        f"from {start} to {end} (seed {seed})"
    )

    _stage(2, "io: read an MIS export back, validating every row", steps)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "marks_export.csv"
        planted = _plant_errors(marks, path)
        result = io.read_marks(path, key=_DEMO_KEY)
    print(
        f"  read {result.n_read:,} rows: {result.n_valid:,} valid, "
        f"{result.n_rejected:,} rejected ({planted} errors were planted); "
        f"rows in = valid + rejected: {result.n_read == result.n_valid + result.n_rejected}"
    )
    if result.n_rejected:
        _table(result.rejects, ["row", "code", "date", "errors"], rows=5)
    legacy = result.report.checks.filter(pl.col("check") == "code_valid_on_date")
    for row in legacy.filter(pl.col("n_failing") > 0).iter_rows(named=True):
        print(
            f"  warning: {row['n_failing']:,} mark(s) with a code out of its dates, "
            "counted as DfE counts them (validate --strict-code-dates rejects them)"
        )

    _stage(3, "schemas: every mark's pupil is enrolled at that school that day", steps)
    report = schemas.check_marks_enrolled(marks, data.enrolments)
    print(f"  {report}")

    _stage(4, "access: who may see what, for which purpose", steps)
    directory = Directory.from_frames(data.schools, data.memberships)
    agreements = access.statutory_agreements(directory)
    trust_id = (
        data.memberships.group_by("trust_id")
        .len()
        .sort(["len", "trust_id"], descending=[True, False])["trust_id"][0]
    )
    viewer = access.Viewer.trust(trust_id, directory)
    log_path = work / "audit.jsonl"
    log = access.AuditLog(log_path)
    seen = access.scope(
        marks,
        viewer=viewer,
        purpose="support",
        directory=directory,
        agreements=agreements,
        audit=log,
    )
    print(
        f"  trust {trust_id} ({viewer.label}), purpose 'support': "
        f"{seen.height:,} of {marks.height:,} marks, "
        f"{seen['urn'].n_unique()} schools"
    )
    try:
        access.scope(
            marks,
            viewer=viewer,
            purpose="Academisation",
            directory=directory,
            agreements=agreements,
            audit=log,
        )
    except AccessDenied as err:
        print(f"  refused: {err}")
    print(
        f"  audit log: {access.read_audit_log(log_path).height} decisions "
        f"recorded in {log_path.name} (append-only JSON lines)"
    )

    _stage(5, "attendance: DfE methodology, national to trust", steps)
    tables = attendance.headline_tables(
        marks,
        data.enrolments,
        schools=data.schools,
        memberships=data.memberships,
        trust_id=trust_id,
    )
    rates = {
        "sess_overall_percent": "absence %",
        "sess_authorised_percent": "auth %",
        "sess_unauthorised_percent": "unauth %",
        "enrolments_pa_10_exact_percent": "PA %",
        "enrolments_sa_50_percent": "SA %",
    }
    for name, place in (
        ("national", "country_name"),
        ("regional", "region_name"),
        ("trust", "trust_name"),
    ):
        frame = tables[name]
        if frame.is_empty():
            print(f"  {name}: no rows")
            continue
        print(f"  {name}:")
        shown = (
            frame.filter(pl.col("fsm_status") == "Total")
            if name == "regional"
            else frame
        )
        _table(
            shown.rename({k: v for k, v in rates.items() if k in frame.columns}),
            [place, "fsm_status", "enrolments", "sess_possible", *rates.values()],
            rows=10,
        )

    _stage(6, "disclosure: the LA table protected for the public", steps)
    la_table = attendance.attendance_table(
        marks,
        data.enrolments,
        schools=data.schools,
        levels=("la", "region", "national"),
        by=["fsm_status"],
        period="ytd",
        start=start,
        end=end,
    ).collect()
    protected = disclosure.protect(la_table, "public")
    rep = protected.report
    print(
        f"  {la_table.height} LA x FSM rows: {rep.cells_primary} cells suppressed "
        f"(primary), {rep.cells_secondary} (secondary), status {rep.status}, "
        f"{rep.seconds:.2f}s"
    )
    audit_report = disclosure.audit(protected)
    print(
        f"  audit of the protected release: {audit_report.cells.height} protected cells, "
        f"{audit_report.flagged.height} recoverable (narrower than their "
        f"protection interval) -> {'OK' if audit_report.ok else 'NOT SAFE'}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        ees = publish.write_ees(protected, Path(tmp) / "la_fsm.csv", audience="public")
        ees_check = publish.check_ees(ees.data)
        print(
            f"  published as EES {ees.data.name} + {ees.meta.name} (temporary folder): "
            f"{ees.rows} rows, {ees_check.errors.height} errors against the EES standards"
        )

    _stage(7, "policy: check a data request against the principles", steps)
    request = DataRequest.from_dict(_DEMO_REQUEST)
    assessment = policy.assess(request)
    print(f"  '{request.title}': overall verdict {assessment.verdict}")
    worst_first = sorted(assessment.findings, key=lambda f: -f.verdict.severity)
    for finding in worst_first[:5]:
        print(f"    {finding.rule_id} ({finding.verdict}): {finding.source}")

    if not _has_charts():
        print(
            "\nreport: not written: the report's charts need the charts extra "
            '(pip install "makingdata[charts]")'
        )
        print(f"\ndone in {time.perf_counter() - t0:.1f}s")
        return
    steps.step("report: writing the report folder")
    folder = _write_report(
        report_dir,
        weekly=attendance.attendance_table(
            marks,
            data.enrolments,
            schools=data.schools,
            levels=("national",),
            period="week",
            start=start,
            end=end,
        ).collect(),
        protected=protected,
        tables=tables,
        audit_log=log_path,
        period=f"{start:%d %B %Y} to {end:%d %B %Y}",
    )
    print(f"\nreport: wrote {folder.path}/ ({folder.charts} charts)")
    for path in folder.files():
        print(f"  {path.name}")
    print(f"  open {folder.html} in a browser; choose the folder with --report-dir")
    print(f"\ndone in {time.perf_counter() - t0:.1f}s")
    sys.stdout.flush()
