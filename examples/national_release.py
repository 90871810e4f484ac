"""Reference implementation: a DfE-style national release of pupil attendance.

What a statistics team runs for a release, here on synthetic national data so
it runs anywhere:

1. generate a slice of England (``makingdata.synth``: every LA, a share of its
   schools) and its marks for the first weeks of the autumn term;
2. count the year to date the DfE way: national, regional and LA rows, and
   national and regional rows by the standard pupil breakdowns (FSM, SEN
   provision, ethnicity), plus national and regional rows by week for the
   chart over time;
3. protect the tables for the public together (``protect_tables``: the
   margins they share, England's and each region's totals, are one cell) and
   prove it with the audit;
4. write each as an EES data file and ``.meta.csv`` and check the pair with
   ``check_ees``, as DfE's screener would;
5. save the charts (SVG) beside them and a short Markdown summary
   (``summary.md``) that links everything.

Exit codes: 0 when every audit and EES check passes, 1 when one does not
(``makingdata.errors.ExitCode``: OK, FINDINGS).

Run it::

    python examples/national_release.py --out release/
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from makingdata import attendance, charts, disclosure, publish, synth
from makingdata.errors import ExitCode

if TYPE_CHECKING:
    from makingdata.tables import Table

BREAKDOWNS = ("fsm_status", "sen_provision", "ethnicity_major")
SOURCE = "synthetic pupil attendance records (makingdata.synth), DfE methodology"


def suppressed(table: disclosure.ProtectedTable) -> int:
    """Cells of the table published as ``c`` (suppressed)."""
    ees = table.to_ees()
    return int(
        ees.select(
            pl.sum_horizontal(pl.col(pl.String).eq("c").cast(pl.Int64)).sum()
        ).item()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("release"))
    parser.add_argument(
        "--scale", type=float, default=0.01, help="share of England's schools"
    )
    parser.add_argument(
        "--start", type=dt.date.fromisoformat, default=dt.date(2025, 9, 8)
    )
    parser.add_argument(
        "--end", type=dt.date.fromisoformat, default=dt.date(2025, 9, 26)
    )
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    # 1. a slice of England
    data = synth.generate(
        scale=args.scale, start=args.start, end=args.end, seed=args.seed
    )
    marks = data.marks()
    print(
        f"{data.schools.height:,} schools in {data.schools['old_la_code'].n_unique()} LAs, "
        f"{data.enrolments.height:,} enrolments, {marks.height:,} marks "
        f"({args.start} to {args.end})"
    )

    # 2. the year to date, counted the DfE way
    def ytd(levels: tuple[str, ...], by: str | None) -> Table:
        return attendance.attendance_table(
            marks,
            data.enrolments,
            schools=data.schools,
            levels=levels,
            by=[by] if by else [],
            period="ytd",
            start=args.start,
            end=args.end,
        )

    names = ["la", *(f"by_{b}" for b in BREAKDOWNS)]
    tables = [
        ytd(("national", "region", "la"), None).collect(),
        *(ytd(("national", "region"), b).collect() for b in BREAKDOWNS),
    ]
    weekly = attendance.attendance_table(
        marks,
        data.enrolments,
        schools=data.schools,
        levels=("national", "region"),
        period="week",
        start=args.start,
        end=args.end,
    ).collect()

    # 3. protected for the public, together, and audited
    protected = dict(
        zip(names, disclosure.protect_tables(tables, "public"), strict=True)
    )
    protected["weekly"] = disclosure.protect(weekly, "public")
    ok = True
    lines: list[str] = []
    for name, table in protected.items():
        report = disclosure.audit(table)
        ok &= report.ok
        print(
            f"{name}: {table.table.height} rows, {suppressed(table)} cells suppressed, "
            f"audit ok: {report.ok}"
        )

    # 4. EES pairs, checked as DfE's screener would
    for name, table in protected.items():
        files = publish.write_ees(
            table, out / f"pupil_attendance_{name}.csv", audience="public"
        )
        check = publish.check_ees(files.data)
        ok &= check.ok
        print(
            f"wrote {files.data.name} + {files.meta.name}: {files.rows} rows, "
            f"EES check: {check.errors.height} errors, "
            f"{check.problems.height - check.errors.height} warnings"
        )
        lines.append(
            f"| [{files.data.name}]({files.data.name}) | [{files.meta.name}]({files.meta.name}) "
            f"| {files.rows} | {check.errors.height} | "
            f"{suppressed(table)} |"
        )

    # 5. charts beside the files, and a summary
    la = protected["la"]
    national = la.table.filter(pl.col("geographic_level") == "National").row(
        0, named=True
    )
    saved = {
        "attendance_over_time.svg": charts.attendance_over_time(
            protected["weekly"],
            level="national",
            against=(),
            title="Overall absence rate (%) by week, England",
            source=SOURCE,
        ),
        "absence_by_reason.svg": charts.absence_by_reason(
            la,
            level="region",
            title="Authorised and unauthorised absence (%) by region, year to date",
            source=SOURCE,
        ),
        "absence_by_fsm.svg": charts.absence_by_group(
            protected["by_fsm_status"], "fsm_status", source=SOURCE
        ),
    }
    for file, chart in saved.items():
        charts.save_chart(chart, out / file)
        print(f"saved {file}")

    summary = [
        "# Pupil attendance in schools: national release (synthetic data)",
        "",
        f"Year to date, {args.start:%d %B %Y} to {args.end:%d %B %Y}; "
        f"{data.schools.height:,} schools in {data.schools['old_la_code'].n_unique()} local authorities "
        f"({args.scale:.0%} of England's schools, generated by `makingdata.synth`).",
        "",
        "## Headlines (England, all schools)",
        "",
        f"- Overall absence rate: **{national['sess_overall_percent']}%** "
        f"(authorised {national['sess_authorised_percent']}%, "
        f"unauthorised {national['sess_unauthorised_percent']}%)",
        f"- Persistently absent pupils (10% or more of sessions missed): "
        f"**{national['enrolments_pa_10_exact_percent']}%**",
        "",
        "## Charts",
        "",
        *(f"![{f.removesuffix('.svg').replace('_', ' ')}]({f})" for f in saved),
        "",
        "## Files (EES open data standards)",
        "",
        "Protected for the **public**: counts of fewer than the threshold are "
        "suppressed (`c`), with complementary cells so that no suppressed value can "
        "be recovered from the totals; the audit bounds every suppressed cell. "
        "The tables were protected together, so a margin they share is one cell.",
        "",
        "| data | metadata | rows | EES errors | cells suppressed |",
        "|---|---|---:|---:|---:|",
        *lines,
        "",
        f"Every audit and EES check passed: **{ok}**.",
        "",
    ]
    (out / "summary.md").write_text("\n".join(summary))
    print(f"wrote {out / 'summary.md'}")
    return int(ExitCode.OK if ok else ExitCode.FINDINGS)


if __name__ == "__main__":
    raise SystemExit(main())
