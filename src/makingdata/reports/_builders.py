"""The three reports: a trust's weekly pack, an LA's year to date, a national release."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import polars as pl

from makingdata import charts
from makingdata.access import AuditLog, Viewer, scope, statutory_agreements
from makingdata.attendance import attendance_table
from makingdata.disclosure import protect
from makingdata.domain import Directory
from makingdata.errors import InputError
from makingdata.reports._report import Report, Section
from makingdata.tables import Table

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

    from makingdata.domain.sharing import SharingAgreement

#: The reports :mod:`makingdata.reports` builds, by kind.
REPORTS: tuple[str, ...] = ("trust-weekly", "la-ytd", "national-release")

_RATES = (
    "enrolments",
    "sess_possible",
    "sess_overall_percent",
    "sess_authorised_percent",
    "sess_unauthorised_percent",
    "enrolments_pa_10_exact_percent",
    "enrolments_pa_50_exact_percent",
)

_METHOD = (
    "Sessions are counted the way DfE counts them for its pupil attendance "
    "statistics: pupils of compulsory school age in the cohort, each counted from "
    "the day they enrolled to the day they left; the absence rate is sessions "
    "missed over possible sessions; a pupil is persistently absent who missed 10% "
    "or more of their possible sessions, severely absent 50% or more.",
    "The charts and tables show each value as it is published: where a cell is "
    "not a number (c suppressed, low rounds to zero, x not available, z not "
    "applicable) a chart leaves a gap and shows the symbol, never a 0.",
)


def _dates(
    marks: pl.DataFrame, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    if marks.height == 0:
        raise InputError(
            "there are no marks to report on",
            hint="check the marks file (and the viewer's scope): a report needs some",
        )
    first = start or marks["date"].min()
    last = end or marks["date"].max()
    if not isinstance(first, dt.date) or not isinstance(
        last, dt.date
    ):  # pragma: no cover
        raise InputError(
            "the marks have no dates", column="date", hint="check the file"
        )
    return first, last


def _period(first: dt.date, last: dt.date) -> str:
    return f"{first:%d %B %Y} to {last:%d %B %Y}"


def _collect(table: Any) -> Table:
    out: Table = table.collect()
    return out


def _frame(data: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return data.collect() if isinstance(data, pl.LazyFrame) else data


def trust_weekly(
    marks: pl.DataFrame | pl.LazyFrame,
    enrolments: pl.DataFrame | pl.LazyFrame,
    *,
    schools: pl.DataFrame,
    memberships: pl.DataFrame,
    trust_id: str,
    purpose: str = "support",
    agreements: Iterable[SharingAgreement] | None = None,
    audit_log: str | os.PathLike[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    source: str = charts.DEFAULT_SOURCE,
) -> Report:
    """Build a trust's weekly pack, scoped to what the trust may see for ``purpose``.

    The marks and enrolments are scoped with :func:`makingdata.access.scope`
    for the trust (its schools, while they are in it), each decision recorded
    in the audit log. The pack shows the trust's weekly absence against its LA
    and England (from all the data given, as DfE publishes them), a heatmap of
    its schools by week, and absence by reason for each school; its EES file
    is the trust's schools for the period, written for the trust.

    Parameters
    ----------
    marks, enrolments
        Every school's marks and enrolments (contract columns).
    schools, memberships
        The schools (for names and LAs) and trust memberships.
    trust_id
        The trust (``TR`` and five digits).
    purpose
        Why the trust looks (``support`` by default).
    agreements
        Sharing agreements; by default the statutory ones (daily attendance
        data from 19 August 2024).
    audit_log
        Where to append the scope decisions (a temporary file by default);
        the folder gets a copy.
    start, end
        The period (default: the marks' first and last day).
    source
        The charts' source line.

    Raises
    ------
    AccessDenied
        If the trust may not see the data for ``purpose``.
    InputError
        If the trust is unknown or has no marks in the period.
    """
    directory = Directory.from_frames(schools, memberships)
    viewer = Viewer.trust(trust_id, directory)
    log = AuditLog(audit_log) if audit_log is not None else _temporary_log()
    agreed = (
        list(agreements) if agreements is not None else statutory_agreements(directory)
    )
    marks, enrolments = _frame(marks), _frame(enrolments)
    seen_marks = _frame(
        scope(marks, viewer=viewer, purpose=purpose, directory=directory,
              agreements=agreed, audit=log)
    )  # fmt: skip
    seen_enrolments = _frame(
        scope(enrolments, viewer=viewer, purpose=purpose, directory=directory,
              agreements=agreed, audit=log)
    )  # fmt: skip
    first, last = _dates(seen_marks, start, end)
    own: dict[str, Any] = {
        "schools": schools,
        "memberships": memberships,
        "start": first,
        "end": last,
    }
    weekly = _collect(attendance_table(
        seen_marks, seen_enrolments, levels=["school", "trust"], period="week", **own
    ))  # fmt: skip
    span = _collect(attendance_table(
        seen_marks, seen_enrolments, levels=["trust", "school"], period="range", **own
    ))  # fmt: skip
    # the comparators: the trust's LA (if it is in one) and England, from all the data
    urns = seen_marks["urn"].unique()
    las = schools.filter(pl.col("urn").is_in(urns.implode()))["new_la_code"].unique()
    comparators = _collect(attendance_table(
        _frame(marks), _frame(enrolments), schools=schools, levels=["la", "national"],
        period="week", start=first, end=last,
    ))  # fmt: skip
    against: tuple[str, ...] = ("national",)
    comp = comparators.data()
    if las.len() == 1:
        comp = comp.filter(
            (pl.col("geographic_level") == "National")
            | (pl.col("new_la_code") == las[0])
        )
        against = ("la", "national")
    else:
        comp = comp.filter(pl.col("geographic_level") == "National")
    trust_rows = weekly.data().filter(pl.col("geographic_level") != "School")
    over_time = Table(
        pl.concat([trust_rows, comp], how="diagonal_relaxed"), weekly.spec
    )
    names = memberships.filter(pl.col("trust_id") == viewer.organisation)["trust_name"]
    name = (
        str(names.drop_nulls()[0]) if names.drop_nulls().len() else viewer.organisation
    )
    n_schools = urns.len()
    school = pl.col("geographic_level") == "School"
    return Report(
        kind="trust-weekly",
        title=f"Weekly attendance: {name}",
        audience="trust",
        period=_period(first, last),
        summary=(
            f"Attendance at the {n_schools} schools of {name} ({trust_id}), week by "
            f"week from {first:%d %B %Y} to {last:%d %B %Y}, against "
            + ("its local authority and " if len(against) == 2 else "")
            + "England.",
        ),
        sections=(
            Section(
                "Absence week by week",
                (
                    "The trust's overall absence rate each week; half terms and "
                    "holidays are shaded.",
                ),
                charts=(
                    charts.attendance_over_time(
                        over_time,
                        level="trust",
                        code=trust_id,
                        against=against,
                        source=source,
                    ),
                ),
                tables=(
                    (
                        "The trust, by week",
                        trust_rows,
                        ("time_period", "time_identifier", *_RATES),
                    ),
                ),
            ),
            Section(
                "Schools by week",
                (
                    "Each school's overall absence rate each week: darker is more absence.",
                ),
                charts=(charts.weekly_heatmap(weekly, source=source),),
            ),
            Section(
                "Absence by reason",
                (
                    "Authorised and unauthorised absence at each school over the period.",
                ),
                charts=(charts.absence_by_reason(span, level="school", source=source),),
                tables=(
                    (
                        "The schools and the trust over the period",
                        span,
                        ("school_name", "trust_name", *_RATES),
                    ),
                ),
            ),
        ),
        methodology=(
            *_METHOD,
            "The LA and England lines are counted from all the schools in them, "
            "as DfE publishes them; the trust sees no pupil-level data beyond its own "
            "schools.",
        ),
        protection=(
            f"Scoped for {name} (purpose: {purpose}) with makingdata.access: only "
            "the trust's own schools, on the days they were in the trust. Every "
            "decision is in the audit log beside this page.",
            "The tables are the trust's own, written as built (not suppressed): "
            "do not publish them; protect them for the public first.",
        ),
        ees=(
            (
                "trust_attendance.csv",
                span.with_frame(span.data().filter(school.not_())),
            ),
            (
                "trust_attendance_schools.csv",
                span.with_frame(span.data().filter(school)),
            ),
        ),
        audit_log=log.path,
    )


def _temporary_log() -> AuditLog:
    import tempfile  # noqa: PLC0415 - only when no log is given
    from pathlib import Path  # noqa: PLC0415

    return AuditLog(Path(tempfile.mkdtemp(prefix="makingdata-report-")) / "audit.jsonl")


def la_ytd(
    marks: pl.DataFrame | pl.LazyFrame,
    enrolments: pl.DataFrame | pl.LazyFrame,
    *,
    schools: pl.DataFrame,
    la: int | str,
    purpose: str = "monitoring",
    agreements: Iterable[SharingAgreement] | None = None,
    audit_log: str | os.PathLike[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    source: str = charts.DEFAULT_SOURCE,
) -> Report:
    """Build an LA's year to date: the LA against England, by group, persistent absence.

    The LA's marks and enrolments are scoped with
    :func:`makingdata.access.scope` (the schools in its area, for
    ``purpose``); England's values come from all the data given. The report
    shows absence week by week, persistent and severe absence by FSM status,
    SEN provision and ethnicity against England, and absence by reason; its
    EES file is the LA and England by FSM status, written for the LA. The
    other parameters are as :func:`trust_weekly`'s.

    Parameters
    ----------
    la
        The LA: a 3-digit code or a GSS code.
    purpose
        Why the LA looks (``monitoring`` by default).
    """
    frame_m, frame_e = _frame(marks), _frame(enrolments)
    directory = Directory.from_frames(schools, None)
    viewer = Viewer.la(la, directory)
    log = AuditLog(audit_log) if audit_log is not None else _temporary_log()
    agreed = (
        list(agreements) if agreements is not None else statutory_agreements(directory)
    )
    seen_m = _frame(scope(frame_m, viewer=viewer, purpose=purpose, directory=directory,
                          agreements=agreed, audit=log))  # fmt: skip
    seen_e = _frame(scope(frame_e, viewer=viewer, purpose=purpose, directory=directory,
                          agreements=agreed, audit=log))  # fmt: skip
    first, last = _dates(seen_m, start, end)
    code = viewer.organisation

    def both(period: str, by: list[str] | None = None) -> Table:
        kw: dict[str, Any] = {
            "period": period,
            "start": first,
            "end": last,
            "by": by or [],
        }
        own = _collect(
            attendance_table(seen_m, seen_e, schools=schools, levels=["la"], **kw)
        )
        england = _collect(
            attendance_table(
                frame_m, frame_e, schools=schools, levels=["national"], **kw
            )
        )
        return Table(
            pl.concat([own.data(), england.data()], how="diagonal_relaxed"), own.spec
        )

    weekly = both("week")
    ytd = both("range")
    groups = {
        by: both("range", [by])
        for by in ("fsm_status", "sen_provision", "ethnicity_major")
    }
    group_charts = tuple(
        charts.absence_by_group(t, by, level="la", code=code, source=source)
        for by, t in groups.items()
    )
    named = schools.filter(pl.col("new_la_code") == code)
    name = (
        str(named["la_name"].drop_nulls()[0])
        if "la_name" in named.columns and named["la_name"].drop_nulls().len()
        else code
    )
    return Report(
        kind="la-ytd",
        title=f"Attendance year to date: {name}",
        audience="la",
        period=_period(first, last),
        summary=(
            f"Attendance at the schools in {name} ({code}) from {first:%d %B %Y} "
            f"to {last:%d %B %Y}, against England.",
        ),
        sections=(
            Section(
                "Absence week by week",
                (
                    "The LA's overall absence rate each week against England; half "
                    "terms and holidays are shaded.",
                ),
                charts=(
                    charts.attendance_over_time(
                        weekly,
                        level="la",
                        code=code,
                        against=("national",),
                        source=source,
                    ),
                ),
            ),
            Section(
                "Persistent and severe absence by group",
                (
                    "Pupils who missed 10% or more (persistent) and 50% or more "
                    "(severe) of their sessions, by free school meals status, special "
                    "educational needs provision and ethnicity; England's value is "
                    "the black mark.",
                ),
                charts=group_charts,
                tables=(
                    (
                        "By free school meals status",
                        groups["fsm_status"],
                        ("geographic_level", "fsm_status", *_RATES),
                    ),
                ),
            ),
            Section(
                "Absence by reason",
                ("Authorised and unauthorised absence, the LA and England.",),
                charts=(
                    charts.absence_by_reason(ytd, level="la", code=code, source=source),
                ),
                tables=(
                    (
                        "The LA and England over the period",
                        ytd,
                        ("geographic_level", "la_name", *_RATES),
                    ),
                ),
            ),
        ),
        methodology=(
            *_METHOD,
            "England's values are counted from all the schools in the data given.",
        ),
        protection=(
            f"Scoped for {name} (purpose: {purpose}) with makingdata.access: the "
            "schools in its area. Every decision is in the audit log beside this page.",
            "The tables are the LA's own, written as built (not suppressed): do not "
            "publish them; protect them for the public first.",
        ),
        ees=(("la_attendance_fsm.csv", groups["fsm_status"]),),
        audit_log=log.path,
    )


def national_release(
    marks: pl.DataFrame | pl.LazyFrame,
    enrolments: pl.DataFrame | pl.LazyFrame,
    *,
    schools: pl.DataFrame,
    start: dt.date | None = None,
    end: dt.date | None = None,
    source: str = charts.DEFAULT_SOURCE,
) -> Report:
    """Build a DfE-style national release, protected for the public.

    National, regional and LA tables by FSM status for the period, protected
    for the public with :func:`makingdata.disclosure.protect` (small counts
    suppressed with their complements); the EES pair is written and checked
    when the folder is written. Charts: England week by week, absence by
    reason by LA, persistent absence by FSM status.

    Parameters are as :func:`trust_weekly`'s.
    """
    frame_m, frame_e = _frame(marks), _frame(enrolments)
    first, last = _dates(frame_m, start, end)
    kw: dict[str, Any] = {"schools": schools, "start": first, "end": last}
    weekly = protect(_collect(attendance_table(
        frame_m, frame_e, levels=["national"], period="week", **kw
    )), "public")  # fmt: skip
    release = protect(_collect(attendance_table(
        frame_m, frame_e, levels=["national", "region", "la"], by=["fsm_status"],
        period="range", **kw,
    )), "public")  # fmt: skip
    totals = protect(_collect(attendance_table(
        frame_m, frame_e, levels=["national", "la"], period="range", **kw
    )), "public")  # fmt: skip
    rep = release.report
    return Report(
        kind="national-release",
        title="Pupil attendance in schools",
        audience="public",
        period=_period(first, last),
        summary=(
            f"Pupil attendance in state-funded schools from {first:%d %B %Y} to "
            f"{last:%d %B %Y}: England, its regions and local authorities, by free "
            "school meals status.",
        ),
        sections=(
            Section(
                "England week by week",
                (
                    "The overall absence rate each week; half terms and holidays are shaded.",
                ),
                charts=(
                    charts.attendance_over_time(
                        weekly, level="national", against=(), source=source
                    ),
                ),
            ),
            Section(
                "Absence by reason, by local authority",
                charts=(charts.absence_by_reason(totals, level="la", source=source),),
            ),
            Section(
                "Persistent and severe absence by free school meals status",
                charts=(
                    charts.absence_by_group(
                        release, "fsm_status", level="national", source=source
                    ),
                ),
                tables=(
                    (
                        "England, regions and local authorities by FSM status",
                        release,
                        (
                            "geographic_level",
                            "region_name",
                            "la_name",
                            "fsm_status",
                            *_RATES,
                        ),
                    ),
                ),
            ),
        ),
        methodology=_METHOD,
        protection=(
            "Protected for the public with makingdata.disclosure: pupil counts from "
            "1 to 5 (and the rates and persistent absence figures made from them) are "
            "suppressed as c, with enough other cells (secondary suppression) that no "
            "suppressed value can be worked out from the totals.",
            f"In the release table {rep.cells_primary} cells were suppressed as primary "
            f"and {rep.cells_secondary} as secondary (status {rep.status}).",
            "The EES data file and its metadata beside this page were checked against "
            "the EES open data standards.",
        ),
        ees=(("pupil_attendance_fsm.csv", release),),
    )
