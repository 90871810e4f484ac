"""``makingdata report``: a report folder people open (HTML with charts, EES files, audit log).

Three reports, each one command: ``trust-weekly`` (a trust's pack, scoped to
the trust), ``la-ytd`` (an LA's year to date against England) and
``national-release`` (protected for the public, its EES pair checked). The
inputs are ``aggregate``'s (marks, enrolments, schools, memberships, a key
file), or ``--synthetic`` for a built-in seeded sample.
"""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import attrs
import polars as pl
import typer

from makingdata.cli._aggregate import _read_memberships
from makingdata.cli._console import Steps
from makingdata.cli._key import KeyFileOption, RefusedKeyOption, key_from_file
from makingdata.cli._options import exit_codes, parse_date
from makingdata.errors import ExitCode, InputError

_INPUT = "Input"
_SYNTH = "Built-in sample"

MarksOption = Annotated[
    Path | None,
    typer.Option("--marks", metavar="PATH", help="marks", show_default=False,
                 rich_help_panel=_INPUT),
]  # fmt: skip
EnrolmentsOption = Annotated[
    Path | None,
    typer.Option("--enrolments", metavar="PATH", help="enrolments",
                 show_default=False, rich_help_panel=_INPUT),
]  # fmt: skip
SchoolsOption = Annotated[
    Path | None,
    typer.Option("--schools", metavar="PATH", help="schools (contract columns or GIAS)",
                 show_default=False, rich_help_panel=_INPUT),
]  # fmt: skip
MembershipsOption = Annotated[
    Path | None,
    typer.Option("--memberships", metavar="PATH",
                 help="trust memberships (urn, trust_id, trust_name, joined, left)",
                 show_default=False, rich_help_panel=_INPUT),
]  # fmt: skip
SyntheticOption = Annotated[
    bool,
    typer.Option("--synthetic",
                 help="use a built-in seeded synthetic sample instead of files",
                 rich_help_panel=_SYNTH),
]  # fmt: skip
ScaleOption = Annotated[
    float,
    typer.Option("--scale", metavar="SHARE",
                 help="with --synthetic: share of England's schools",
                 rich_help_panel=_SYNTH),
]  # fmt: skip
SeedOption = Annotated[
    int, typer.Option("--seed", metavar="N", help="with --synthetic: random seed",
                      rich_help_panel=_SYNTH)
]  # fmt: skip
StartOption = Annotated[
    dt.date | None,
    typer.Option("--from", parser=parse_date, metavar="DATE",
                 help="first day (default: the first day with a mark; with "
                 "--synthetic 2025-09-08)", show_default=False),
]  # fmt: skip
EndOption = Annotated[
    dt.date | None,
    typer.Option("--to", parser=parse_date, metavar="DATE",
                 help="last day (default: the last day with a mark; with "
                 "--synthetic 2025-10-17)", show_default=False),
]  # fmt: skip
OutFolderOption = Annotated[
    Path,
    typer.Option("--out", metavar="FOLDER",
                 help="the report folder to write: new or empty (it appears whole "
                 "or not at all)"),
]  # fmt: skip

_SYNTH_START, _SYNTH_END = dt.date(2025, 9, 8), dt.date(2025, 10, 17)


@attrs.frozen
class _Inputs:
    marks: pl.DataFrame
    enrolments: pl.DataFrame
    schools: pl.DataFrame
    memberships: pl.DataFrame | None
    start: dt.date | None
    end: dt.date | None


def _read(  # noqa: PLR0917 - the options, passed on
    steps: Steps,
    synthetic: bool,
    scale: float,
    seed: int,
    marks: Path | None,
    enrolments: Path | None,
    schools: Path | None,
    memberships: Path | None,
    key_file: Path | None,
    start: dt.date | None,
    end: dt.date | None,
) -> _Inputs:
    if synthetic:
        if any(p is not None for p in (marks, enrolments, schools, memberships)):
            raise typer.BadParameter(
                "give --synthetic or the input files, not both",
                param_hint="'--synthetic'",
            )
        from makingdata import synth  # noqa: PLC0415 - only for the sample

        steps.step("generating the synthetic sample")
        first, last = start or _SYNTH_START, end or _SYNTH_END
        data = synth.generate(scale=scale, start=first, end=last, seed=seed)
        return _Inputs(data.marks(), data.enrolments, data.schools, data.memberships,
                       first, last)  # fmt: skip
    missing = [
        name
        for name, p in (
            ("--marks", marks),
            ("--enrolments", enrolments),
            ("--schools", schools),
        )
        if p is None
    ]
    if missing:
        raise typer.BadParameter(
            f"missing {', '.join(missing)}: give the input files (as for "
            "`makingdata aggregate`) or --synthetic for the built-in sample",
            param_hint=f"'{missing[0]}'",
        )
    assert marks is not None
    assert enrolments is not None
    assert schools is not None
    from makingdata.io import read_enrolments, read_marks, read_schools  # noqa: PLC0415

    key = key_from_file(key_file)
    out: dict[str, pl.DataFrame] = {}
    for what, path, reader in (
        ("marks", marks, lambda p: read_marks(p, key=key)),
        ("enrolments", enrolments, lambda p: read_enrolments(p, key=key)),
        ("schools", schools, read_schools),
    ):
        steps.step(f"reading {path.name}")
        result = reader(path)
        print(
            f"{what}: {result.n_read} read, {result.valid.height} valid, "
            f"{result.rejects.height} rejected",
            file=sys.stderr,
        )
        out[what] = result.valid
    members = _read_memberships(memberships) if memberships is not None else None
    return _Inputs(out["marks"], out["enrolments"], out["schools"], members, start, end)


def _check_out(out: Path) -> None:
    """Refuse a folder with anything in it before any work is done."""
    if out.is_file() or (out.is_dir() and any(out.iterdir())):
        raise InputError(
            "the folder is not empty" if out.is_dir() else "the path is a file",
            path=out,
            hint="give a new or empty folder; makingdata never mixes its output with "
            "files already there",
        )


def _write(steps: Steps, report: Any, out: Path) -> ExitCode:
    from makingdata.reports import write_report  # noqa: PLC0415 - needs the charts extra

    steps.step(f"drawing {report.charts} charts and writing {out}")
    folder = write_report(report, out)
    print(f"wrote the {report.kind} report to {folder.path}/")
    for path in folder.files():
        print(f"  {path.name}")
    for check in folder.checks:
        print(
            f"EES check of {check.data.name}: {check.errors.height} errors, "
            f"{check.warnings.height} warnings",
            file=sys.stderr,
        )
    print(f"open {folder.html} in a browser (it needs no network)")
    return ExitCode.OK


def _reports() -> Any:
    from makingdata import reports  # noqa: PLC0415 - needs the charts extra

    return reports


def trust_weekly(
    *,
    out: OutFolderOption,
    trust: Annotated[
        str | None,
        typer.Option(
            "--trust",
            metavar="TRnnnnn",
            show_default=False,
            help="the trust (its id); with --synthetic, default the "
            "sample's largest trust",
        ),
    ] = None,
    purpose: Annotated[
        str, typer.Option("--purpose", metavar="PURPOSE", help="why the trust looks")
    ] = "support",
    marks: MarksOption = None,
    enrolments: EnrolmentsOption = None,
    schools: SchoolsOption = None,
    memberships: MembershipsOption = None,
    key_file: KeyFileOption = None,
    _key: RefusedKeyOption = None,
    start: StartOption = None,
    end: EndOption = None,
    synthetic: SyntheticOption = False,
    scale: ScaleOption = 0.01,
    seed: SeedOption = 2025,
) -> ExitCode:
    """Write a trust's weekly pack, scoped to the trust.

    Only the trust's own schools, on the days they were in it, for the
    purpose given (makingdata.access; every decision in the folder's
    audit.jsonl): its absence week by week against its LA and England, its
    schools by week, absence by reason; the EES files are for the trust.
    """
    _check_out(out)
    reports = _reports()
    with Steps("report trust-weekly") as steps:
        data = _read(steps, synthetic, scale, seed, marks, enrolments, schools,
                     memberships, key_file, start, end)  # fmt: skip
        if data.memberships is None:
            raise InputError(
                "a trust's pack needs the trust memberships",
                hint="add --memberships PATH (urn, trust_id, trust_name, joined, left)",
            )
        if trust is None:
            if not synthetic:
                raise typer.BadParameter(
                    "give the trust: --trust TRnnnnn", param_hint="'--trust'"
                )
            trust = _largest_trust(data.memberships)
        _known_trust(trust, data.memberships)
        steps.step(f"scoping for {trust} and counting")
        report = reports.trust_weekly(
            data.marks, data.enrolments, schools=data.schools,
            memberships=data.memberships, trust_id=trust, purpose=purpose,
            start=data.start, end=data.end,
        )  # fmt: skip
        return _write(steps, report, out)


def _largest_trust(memberships: pl.DataFrame) -> str:
    counts = memberships.group_by("trust_id").len()
    top: str = counts.sort(["len", "trust_id"], descending=[True, False])["trust_id"][0]
    return top


def _known_trust(trust: str, memberships: pl.DataFrame) -> None:
    known = memberships["trust_id"].unique().sort().to_list()
    if trust.strip().upper() not in known:
        shown = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
        raise InputError(
            f"trust {trust} is not in the memberships",
            column="trust_id",
            hint=f"choose one of the {len(known)} trusts: {shown}",
        )


def la_ytd(
    *,
    la: Annotated[
        str, typer.Option("--la", metavar="CODE", help="the LA: 3-digit or GSS code")
    ],
    out: OutFolderOption,
    purpose: Annotated[
        str, typer.Option("--purpose", metavar="PURPOSE", help="why the LA looks")
    ] = "monitoring",
    marks: MarksOption = None,
    enrolments: EnrolmentsOption = None,
    schools: SchoolsOption = None,
    key_file: KeyFileOption = None,
    _key: RefusedKeyOption = None,
    start: StartOption = None,
    end: EndOption = None,
    synthetic: SyntheticOption = False,
    scale: ScaleOption = 0.01,
    seed: SeedOption = 2025,
) -> ExitCode:
    """Write an LA's year to date against England.

    Scoped to the schools in the LA's area (makingdata.access; every decision
    in the folder's audit.jsonl): absence week by week, persistent and severe
    absence by FSM status, SEN provision and ethnicity, absence by reason;
    the EES files are for the LA.
    """
    _check_out(out)
    reports = _reports()
    with Steps("report la-ytd") as steps:
        data = _read(steps, synthetic, scale, seed, marks, enrolments, schools,
                     None, key_file, start, end)  # fmt: skip
        code: int | str = int(la) if la.strip().isdigit() else la.strip()
        steps.step(f"scoping for LA {la} and counting")
        report = reports.la_ytd(
            data.marks, data.enrolments, schools=data.schools, la=code,
            purpose=purpose, start=data.start, end=data.end,
        )  # fmt: skip
        return _write(steps, report, out)


def national_release(
    *,
    out: OutFolderOption,
    marks: MarksOption = None,
    enrolments: EnrolmentsOption = None,
    schools: SchoolsOption = None,
    key_file: KeyFileOption = None,
    _key: RefusedKeyOption = None,
    start: StartOption = None,
    end: EndOption = None,
    synthetic: SyntheticOption = False,
    scale: ScaleOption = 0.01,
    seed: SeedOption = 2025,
) -> ExitCode:
    """Write a national release, protected for the public, with its EES pair checked.

    England, its regions and LAs by FSM status, protected for the public
    (small counts suppressed with their complements); the EES data file and
    .meta.csv are written beside the page and checked against the EES open
    data standards.
    """
    _check_out(out)
    reports = _reports()
    with Steps("report national-release") as steps:
        data = _read(steps, synthetic, scale, seed, marks, enrolments, schools,
                     None, key_file, start, end)  # fmt: skip
        steps.step("counting and protecting for the public")
        report = reports.national_release(
            data.marks, data.enrolments, schools=data.schools,
            start=data.start, end=data.end,
        )  # fmt: skip
        return _write(steps, report, out)


_EXITS = exit_codes(
    OK="the report folder is written",
    INPUT="unusable input, an EES file that would break the standards (nothing "
    "written), or the folder is not new or empty",
    REFUSED="the viewer may not see the data for the purpose",
)


def register(app: typer.Typer) -> None:
    """Add the ``report`` sub-command (trust-weekly, la-ytd, national-release)."""
    group = typer.Typer(
        help="Write a report folder people open: one self-contained HTML page "
        "(charts, tables, a methodology and protection note), its EES files and "
        "the audit log of the access decisions.",
        short_help="write a report folder: HTML with charts, EES files, audit log",
        rich_markup_mode=None,
        no_args_is_help=True,
    )
    for name, fn, short in (
        ("trust-weekly", trust_weekly, "a trust's weekly pack, scoped to the trust"),
        ("la-ytd", la_ytd, "an LA's year to date against England"),
        ("national-release", national_release, "a national release for the public"),
    ):
        group.command(name, short_help=short, epilog=_EXITS)(fn)
    app.add_typer(group, name="report")
