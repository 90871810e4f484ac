"""Scope: who may see which schools on which days, for which purpose."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import polars as pl

from makingdata._pseudonym import (
    BIRTH_COHORT,
    birth_cohort_expr,
    forbid_direct_identifiers,
    is_birth_date,
)
from makingdata.access._auditlog import MAX_LOGGED_URNS, AuditLog
from makingdata.domain.purposes import (
    FORBIDDEN_FOR_SHARED_DAILY_DATA,
    Purpose,
    parse_purpose,
)
from makingdata.domain.sharing import (
    DFE,
    GRANTS,
    Audience,
    SharingAgreement,
    Viewer,
)
from makingdata.errors import AccessDenied, InputError, MakingDataError, ScopeError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

    from makingdata.disclosure import ProtectedTable
    from makingdata.domain._directory import Directory

__all__ = ["FrameKind", "allowed_windows", "release", "scope"]

_F = TypeVar("_F", pl.DataFrame, pl.LazyFrame)
FrameKind = Literal["auto", "marks", "enrolments", "table"]

_DAY = dt.timedelta(days=1)
#: Stands for "since before any record" while segments are built.
_EARLIEST = dt.date(1, 1, 1)
#: School-identifying columns recognised as the URN of a row.
_URN_COLUMNS = ("urn", "school_urn")
#: Columns that make a frame an enrolments frame (one row per school spell).
_SPELL_COLUMNS = ("enrol_start", "enrol_end")

_WINDOWS_SCHEMA: dict[str, pl.DataType] = {
    "urn": pl.UInt32(),
    "from": pl.Date(),
    "to": pl.Date(),
}


# ------------------------------------------------------------------ checks


def _audit_target(
    audit: AuditLog | str | os.PathLike[str] | None,
) -> AuditLog | None:
    if audit is None or isinstance(audit, AuditLog):
        return audit
    return AuditLog(audit)


def _check_viewer(viewer: object, directory: Directory) -> Viewer:
    """Rebuild the viewer from the directory; refuse anything else."""
    if type(viewer) is not Viewer:
        raise ScopeError(
            f"{type(viewer).__name__} is not a Viewer",
            column="viewer",
            hint="build viewers with Viewer.school/.trust/.la/.dfe/.partner/.public",
        )
    if not viewer.built_by_constructor:
        raise ScopeError(
            f"viewer {viewer.label} was not built by a Viewer constructor",
            column="viewer",
            hint="build viewers with Viewer.school/.trust/.la/.dfe/.partner/.public, "
            "which check the organisation against the Directory",
        )
    org = viewer.organisation
    try:
        if viewer.audience is Audience.SCHOOL and org is not None:
            rebuilt = Viewer.school(org, directory)
        elif viewer.audience is Audience.TRUST and org is not None:
            rebuilt = Viewer.trust(org, directory)
        elif viewer.audience is Audience.LA and org is not None:
            rebuilt = Viewer.la(org, directory)
        elif viewer.audience is Audience.PARTNER and org is not None:
            rebuilt = Viewer.partner(org)
        elif viewer.audience is Audience.DFE and org is None:
            rebuilt = Viewer.dfe()
        elif viewer.audience is Audience.PUBLIC and org is None:
            rebuilt = Viewer.public()
        else:
            rebuilt = None
    except MakingDataError as err:
        raise ScopeError(
            f"viewer {viewer.label} is unknown to the directory ({err.message})",
            column="viewer",
            hint="build the viewer from the same Directory you pass to scope",
        ) from err
    if rebuilt is None:
        raise ScopeError(f"viewer {viewer.label} is malformed", column="viewer")
    if (rebuilt.audience, rebuilt.organisation) != (viewer.audience, org):
        raise ScopeError(
            f"viewer {viewer.label} does not match the directory ({rebuilt.label})",
            column="viewer",
            hint="build the viewer from the same Directory you pass to scope",
        )
    return rebuilt


def _denied(
    message: str, *, citation: str | None, column: str, hint: str
) -> AccessDenied:
    """Return an AccessDenied that also carries the citation as ``.citation``."""
    err = AccessDenied(message, column=column, hint=hint)
    setattr(err, "citation", citation)  # noqa: B010 - an attribute errors.py lacks
    return err


def _check_purpose(purpose: Purpose | str, viewer: Viewer) -> Purpose:
    try:
        found = parse_purpose(purpose, field="purpose")
    except InputError as err:
        raise ScopeError(
            f"{purpose!r} is not a known purpose: deny by default",
            column="purpose",
            hint=err.hint,
        ) from err
    if found in FORBIDDEN_FOR_SHARED_DAILY_DATA:
        info = found.info
        raise _denied(
            f"the shared daily data may not be used for {info.label}: that would "
            f"break the promise in {info.citation}: {info.promise!r}",
            citation=info.citation,
            column="purpose",
            hint="these uses are ruled out for the daily data; termly census data "
            "informs such decisions (seeds/003 §4)",
        )
    granted = GRANTS[viewer.audience]
    if found not in granted:
        raise ScopeError(
            f"a {viewer.audience.value} viewer may not use the shared daily data for "
            f"{found.label}: deny by default",
            column="purpose",
            hint="purposes granted to this audience: "
            + ", ".join(sorted(p.value for p in granted)),
        )
    return found


# --------------------------------------------------------------- windows


def _agreements_frame(agreements: Iterable[SharingAgreement]) -> pl.DataFrame:
    rows = list(agreements)
    for a in rows:
        if not isinstance(a, SharingAgreement):
            raise InputError(
                f"expected SharingAgreement objects, got {a!r}",
                column="agreements",
                hint="build SharingAgreement objects, or read them with "
                "makingdata.access.read_agreements",
            )
    return pl.DataFrame(
        {
            "urn": [a.urn for a in rows],
            "recipient": [a.recipient for a in rows],
            "_a_from": [a.start for a in rows],
            "_a_to": [a.last_day for a in rows],
        },
        schema={
            "urn": pl.UInt32,
            "recipient": pl.String,
            "_a_from": pl.Date,
            "_a_to": pl.Date,
        },
    )


def _empty_windows() -> pl.DataFrame:
    return pl.DataFrame(schema=_WINDOWS_SCHEMA)


def _windows(
    viewer: Viewer, directory: Directory, agreements: Iterable[SharingAgreement]
) -> pl.DataFrame:
    audience = viewer.audience
    if audience is Audience.SCHOOL:
        assert viewer.organisation is not None
        return pl.DataFrame(
            {"urn": [int(viewer.organisation)], "from": [None], "to": [None]},
            schema=_WINDOWS_SCHEMA,
        )
    if not audience.sees_school_identities:
        return _empty_windows()
    recipients = {DFE} | ({viewer.organisation} if viewer.organisation else set())
    agr = _agreements_frame(agreements).filter(pl.col("recipient").is_in(recipients))
    schools, members = directory.to_frames()
    schools = schools.select(
        pl.col("urn").cast(pl.UInt32), "open_date", "close_date"
    ).filter(pl.col("urn").is_in(agr.get_column("urn").unique().implode()))
    members = members.select(
        pl.col("urn").cast(pl.UInt32), "trust_id", "joined", "left"
    )
    if audience is Audience.TRUST:
        ever = members.filter(pl.col("trust_id") == viewer.organisation)
        schools = schools.filter(pl.col("urn").is_in(ever.get_column("urn").implode()))
    if schools.is_empty():
        return _empty_windows()
    members = members.filter(pl.col("urn").is_in(schools.get_column("urn").implode()))
    agr = agr.filter(pl.col("urn").is_in(schools.get_column("urn").implode()))
    la_days = sorted(
        {
            la.date_of_operation
            for la in directory.local_authorities
            if la.date_of_operation is not None
        }
        | {
            la.date_of_termination + _DAY
            for la in directory.local_authorities
            if la.date_of_termination is not None
        }
    )
    urn = schools.select("urn")
    boundaries = (
        pl.concat(
            [
                urn.with_columns(d=pl.lit(_EARLIEST, pl.Date)),
                schools.select("urn", d="open_date"),
                schools.select("urn", d=pl.col("close_date") + _DAY),
                members.select("urn", d="joined"),
                members.select("urn", d=pl.col("left") + _DAY),
                agr.select("urn", d="_a_from"),
                agr.select("urn", d=pl.col("_a_to") + _DAY),
                urn.join(
                    pl.DataFrame({"d": la_days}, schema={"d": pl.Date}), how="cross"
                ),
            ]
        )
        .drop_nulls()
        .unique()
        .sort("urn", "d")
    )
    segments = boundaries.with_columns(
        _to=(pl.col("d").shift(-1).over("urn") - _DAY)
    ).rename({"d": "_from"})
    looked_up = directory.as_of(segments, urn="urn", date="_from")
    shared = (
        segments.join(agr, on="urn", how="inner")
        .filter(
            (pl.col("_a_from") <= pl.col("_from"))
            & (pl.col("_a_to").is_null() | (pl.col("_from") <= pl.col("_a_to")))
        )
        .select("urn", "_from")
        .unique()
    )
    keep = pl.col("school_open").fill_null(value=False)
    if audience is Audience.TRUST:
        keep &= pl.col("trust_id") == viewer.organisation
    elif audience is Audience.LA:
        keep &= pl.col("new_la_code") == viewer.organisation
    allowed = looked_up.filter(keep).join(shared, on=["urn", "_from"], how="semi")
    return _merge(allowed.select("urn", "_from", "_to"))


def _merge(segments: pl.DataFrame) -> pl.DataFrame:
    """Merge adjacent segments of a URN into maximal windows."""
    s = segments.sort("urn", "_from")
    starts = (pl.col("urn") != pl.col("urn").shift(1)) | (
        pl.col("_from") != pl.col("_to").shift(1) + _DAY
    )
    merged = (
        s.with_columns(_grp=starts.fill_null(value=True).cum_sum())
        .group_by("urn", "_grp", maintain_order=True)
        .agg(pl.col("_from").first(), pl.col("_to").last())
        .select(
            "urn",
            pl.when(pl.col("_from") == _EARLIEST)
            .then(None)
            .otherwise(pl.col("_from"))
            .alias("from"),
            pl.col("_to").alias("to"),
        )
    )
    return merged.cast(_WINDOWS_SCHEMA)  # type: ignore[arg-type]


def allowed_windows(
    viewer: Viewer,
    *,
    directory: Directory,
    agreements: Iterable[SharingAgreement],
) -> pl.DataFrame:
    """Return the allow-list: the schools and days a viewer may see, as windows.

    One row per window ``urn, from, to`` (``from``/``to`` included; null means
    open-ended), computed from the Directory and the agreements — never from
    the viewer object:

    * a **school** sees its own URN, every day;
    * a **trust** sees a school on the days it was open, in the trust, and
      sharing (an agreement with DfE or with the trust covers the day);
    * an **LA** sees a school on the days it was open, in the LA's area by the
      Directory's LA history, and sharing (with DfE or with the LA);
    * **DfE** sees a school on the days it was open and sharing with DfE;
    * a **partner** group and the **public** see no school (no rows; they
      receive only aggregates, see :func:`scope`).

    The viewer is checked as in :func:`scope`; the purpose is not (see
    :func:`scope`).

    Raises
    ------
    ScopeError
        If the viewer was not built by a constructor or the directory does
        not know it.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.access import allowed_windows
    >>> from makingdata.domain import (
    ...     Directory,
    ...     LocalAuthority,
    ...     Region,
    ...     School,
    ...     TrustMembership,
    ... )
    >>> from makingdata.domain.sharing import SharingAgreement, Viewer
    >>> la = LocalAuthority(
    ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
    ... )
    >>> d = Directory(
    ...     [School(123456, "Example Primary", 8852001, la)],
    ...     [TrustMembership(123456, "TR01234", dt.date(2023, 9, 1))],
    ... )
    >>> shared = [SharingAgreement(123456, "DfE", dt.date(2022, 2, 1))]
    >>> allowed_windows(
    ...     Viewer.trust("TR01234", d), directory=d, agreements=shared
    ... ).rows()
    [(123456, datetime.date(2023, 9, 1), None)]
    """
    checked = _check_viewer(viewer, directory)
    return _windows(checked, directory, agreements)


# ------------------------------------------------------------------ scope


def _detect(
    names: list[str], kind: FrameKind, urn: str | None, date: str
) -> tuple[FrameKind, str | None]:
    found_urn = (
        urn if urn is not None else next((c for c in _URN_COLUMNS if c in names), None)
    )
    if found_urn is not None and found_urn not in names:
        raise InputError(
            f"the frame has no column {found_urn!r}",
            column=found_urn,
            hint=f"name the URN column with urn= (columns: {', '.join(names)})",
        )
    if kind == "auto":
        # a frame with a date is filtered by date, whatever else it carries
        # (marks joined to their spells are marks)
        if found_urn is not None and date in names:
            kind = "marks"
        elif found_urn is not None and all(c in names for c in _SPELL_COLUMNS):
            kind = "enrolments"
        else:
            kind = "table"
    if kind == "enrolments":
        missing = [c for c in (found_urn or "urn", *_SPELL_COLUMNS) if c not in names]
        if missing:
            raise InputError(
                f"an enrolments frame needs column(s) {missing}",
                column=missing[0],
                hint="give urn, enrol_start and enrol_end (ENROLMENTS_SCHEMA)",
            )
    if kind == "marks":
        missing = [c for c in (found_urn or "urn", date) if c not in names]
        if missing:
            raise InputError(
                f"a marks frame needs column(s) {missing}",
                column=missing[0],
                hint="give a URN column and a Date column (urn=, date=)",
            )
    return kind, found_urn


def _renamed_windows(windows: pl.DataFrame, urn_type: pl.DataType) -> pl.LazyFrame:
    return windows.lazy().select(
        pl.col("urn").cast(urn_type).alias("_w_urn"),
        pl.col("from").alias("_w_from"),
        pl.col("to").alias("_w_to"),
    )


def _scope_marks(
    lazy: pl.LazyFrame, windows: pl.DataFrame, urn: str, date: str
) -> pl.LazyFrame:
    schema = lazy.collect_schema()
    if schema[date] != pl.Date:
        raise InputError(
            f"column {date!r} is {schema[date]}, not Date",
            column=date,
            hint="cast it with pl.col(...).cast(pl.Date) first",
        )
    # A cheap pre-filter on the URNs in scope (a hash set, no join) drops the
    # rows of every other school; the join then only sees rows in scope.
    in_scope = windows.get_column("urn").unique().cast(schema[urn]).implode()
    return (
        lazy.filter(pl.col(urn).is_in(in_scope))
        .join(
            _renamed_windows(windows, schema[urn]),
            left_on=urn,
            right_on="_w_urn",
            how="inner",
            maintain_order="left",
        )
        .filter(
            (pl.col("_w_from").is_null() | (pl.col("_w_from") <= pl.col(date)))
            & (pl.col("_w_to").is_null() | (pl.col(date) <= pl.col("_w_to")))
        )
        .drop("_w_from", "_w_to")
    )


def _scope_spells(lazy: pl.LazyFrame, windows: pl.DataFrame, urn: str) -> pl.LazyFrame:
    schema = lazy.collect_schema()
    start, end = _SPELL_COLUMNS
    new_start = pl.max_horizontal(start, "_w_from")
    new_end = pl.min_horizontal(end, "_w_to")
    in_scope = windows.get_column("urn").unique().cast(schema[urn]).implode()
    return (
        lazy.filter(pl.col(urn).is_in(in_scope))
        .join(
            _renamed_windows(windows, schema[urn]),
            left_on=urn,
            right_on="_w_urn",
            how="inner",
            maintain_order="left",
        )
        .with_columns(new_start.alias("_s"), new_end.alias("_e"))
        .filter(
            pl.col("_e").is_null()
            | pl.col("_s").is_null()
            | (pl.col("_s") <= pl.col("_e"))
        )
        .with_columns(
            pl.col("_s").cast(schema[start]).alias(start),
            pl.col("_e").cast(schema[end]).alias(end),
        )
        .select(schema.names())
    )


def _identity_rule(audience: Audience) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the columns and geographic levels the audience must never receive."""
    try:
        from makingdata.disclosure import DropIdentifiers, rule_set  # noqa: PLC0415
    except ImportError as err:  # pragma: no cover - disclosure ships with makingdata
        raise InputError(
            "makingdata.disclosure is needed to scope a table for a partner group "
            "or the public",
            hint="install makingdata with its disclosure extra",
        ) from err
    columns: list[str] = []
    levels: list[str] = []
    for rule in rule_set(audience.value).of(DropIdentifiers):
        assert isinstance(rule, DropIdentifiers)
        columns.extend(c for c in rule.columns if c not in columns)
        levels.extend(v for v in rule.levels if v not in levels)
    return tuple(columns), tuple(levels)


def _scope_aggregate(
    lazy: pl.LazyFrame, viewer: Viewer, kind: FrameKind, names: list[str]
) -> pl.LazyFrame:
    promise = (
        Purpose.SCHOOL_IDENTITIES_TO_ATTENDANCE_ACTION_ALLIANCE
        if viewer.audience is Audience.PARTNER
        else Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN
    ).info
    if kind != "table" or "pupil_key" in names:
        raise _denied(
            f"{viewer.label} receives only aggregates, not pupil or school rows "
            f"(a {kind} frame): that would break the promise in {promise.citation}: "
            f"{promise.promise!r}",
            citation=promise.citation,
            column="viewer",
            hint="aggregate first (as DfE or the data owner), then "
            "makingdata.access.release the table for this audience",
        )
    columns, levels = _identity_rule(viewer.audience)
    present = [c for c in columns if c in names]
    school_cols = [c for c in present if c in _SCHOOL_ROW_COLUMNS]
    out = lazy
    if school_cols:
        out = out.filter(pl.all_horizontal(pl.col(c).is_null() for c in school_cols))
    if "geographic_level" in names and levels:
        out = out.filter(
            ~pl.col("geographic_level").cast(pl.String).is_in(list(levels))
            | pl.col("geographic_level").is_null()
        )
    return out.drop(present)


#: Columns whose non-null value makes a row a school's row.
_SCHOOL_ROW_COLUMNS = (
    "urn",
    "school_urn",
    "laestab",
    "school_laestab",
    "school_name",
    "estab",
    "school_postcode",
)


def _event(viewer: object, asked: object, **more: Any) -> dict[str, Any]:
    label = viewer.label if isinstance(viewer, Viewer) else repr(viewer)
    audience = viewer.audience.value if isinstance(viewer, Viewer) else None
    text = asked.value if isinstance(asked, Purpose) else str(asked)
    return {"viewer": label, "audience": audience, "purpose_asked": text, **more}


def _record_refusal(
    log: AuditLog | None,
    viewer: object,
    asked: object,
    err: ScopeError,
    *,
    action: str,
    columns: list[str],
    purpose: str | None = None,
) -> None:
    """Append one refused decision to ``log`` (if any), with the error's citation."""
    if log is None:
        return
    extra = {} if purpose is None else {"purpose": purpose}
    log.record(
        _event(
            viewer,
            asked,
            action=action,
            decision="refused",
            **extra,
            columns=columns,
            reason=str(err),
            citation=getattr(err, "citation", None),
        )
    )


def _decide(
    viewer: object,
    *,
    purpose: Purpose | str,
    directory: Directory,
    log: AuditLog | None,
    action: str,
    columns: list[str],
) -> tuple[Viewer, Purpose]:
    try:
        checked = _check_viewer(viewer, directory)
        found = _check_purpose(purpose, checked)
    except ScopeError as err:
        _record_refusal(log, viewer, purpose, err, action=action, columns=columns)
        raise
    return checked, found


def scope(
    frame: _F,
    *,
    viewer: Viewer,
    purpose: Purpose | str,
    directory: Directory,
    agreements: Iterable[SharingAgreement],
    audit: AuditLog | str | os.PathLike[str] | None,
    kind: FrameKind = "auto",
    urn: str | None = None,
    date: str = "date",
) -> _F:
    """Return only what ``viewer`` may see of ``frame`` for ``purpose``.

    Deny by default. The decision is made from the Directory and the
    agreements, never from the viewer object, in this order:

    1. the viewer must have been built by a :class:`Viewer` constructor and
       still resolve in ``directory`` (else :class:`ScopeError`);
    2. the purpose must be a known :class:`Purpose` (any spelling
       :func:`~makingdata.domain.purposes.parse_purpose` accepts; else
       :class:`ScopeError`); a purpose the promises forbid (one of
       :data:`~makingdata.domain.purposes.FORBIDDEN_FOR_SHARED_DAILY_DATA`)
       raises :class:`AccessDenied` citing the promise (seed file and
       section); a purpose not granted to the viewer's audience
       (:data:`~makingdata.domain.sharing.GRANTS`) raises :class:`ScopeError`;
    3. rows are kept only where the school and day are in the viewer's
       :func:`allowed_windows`: a trust sees its schools only for the days
       each was in the trust and sharing, an LA its area's schools by the
       Directory's LA history, DfE the schools sharing with it. An unknown
       school gets nothing; an opt-out applies from its date and earlier days
       stay visible to whoever was responsible for them then;
    4. a partner group or the public receives only aggregate tables, with the
       school and pupil columns and school-level rows of the disclosure rule
       ``DropIdentifiers`` removed; marks, enrolments or any frame with
       ``pupil_key`` raise :class:`AccessDenied`. Such tables must still be
       protected (thresholds, suppression): use :func:`release`, which calls
       :func:`makingdata.disclosure.protect`.

    Pupil identities leave a school only as ``pupil_key``: for any viewer but
    the school itself a frame with a UPN or name column is refused
    (:func:`is_direct_identifier`: any case or separators, common MIS
    spellings). A date of birth (:func:`is_birth_date`: ``date_of_birth``,
    ``DOB`` …) is replaced for them by ``birth_cohort``, 1 September of the
    pupil's school year of birth (:func:`birth_cohort_expr`): ages at 31
    August, and so every cohort rule of the attendance kernels, stay exact.

    Frames are recognised by their columns (``kind="auto"``): a URN column
    with ``enrol_start`` and ``enrol_end`` is an enrolments frame (each spell
    is cut to the windows it overlaps); a URN column with a Date column
    ``date`` is a marks frame (rows kept by ``(urn, date)``); anything else is
    a table. A table for a school, trust, LA or DfE viewer cannot be scoped
    (it has no school and day to check) and is refused: scope marks or
    enrolments first, then aggregate.

    The work is one small allow-list frame and joins on ``(urn, date)``:
    no Python per row. A ``LazyFrame`` comes back lazy (nothing collected).

    Parameters
    ----------
    frame
        Marks, enrolments or an aggregate table.
    viewer
        Who asks.
    purpose
        Why, as a :class:`Purpose` or text.
    directory
        Schools, trusts and LAs over time.
    agreements
        Every sharing agreement known (those of other schools are ignored).
    audit
        Where the decision is recorded (an :class:`AuditLog` or a path), or
        ``None`` to record nothing; it must be given explicitly.
    kind
        ``"auto"``, ``"marks"``, ``"enrolments"`` or ``"table"``.
    urn
        Name of the URN column (default: ``urn`` or ``school_urn``).
    date
        Name of the Date column of a marks frame.

    Returns
    -------
    polars.DataFrame or polars.LazyFrame
        The rows and columns the viewer may see, as the same kind of frame.

    Raises
    ------
    AccessDenied
        If the purpose is forbidden by the promises, or a partner or the
        public asks for pupil- or school-level rows.
    ScopeError
        If the viewer or purpose is unknown or not granted, the frame names
        pupils directly, or a table cannot be scoped for this viewer.
    InputError
        If a needed column is missing or of the wrong type.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.access import scope
    >>> from makingdata.domain import (
    ...     Directory,
    ...     LocalAuthority,
    ...     Region,
    ...     School,
    ...     TrustMembership,
    ... )
    >>> from makingdata.domain.sharing import SharingAgreement, Viewer
    >>> la = LocalAuthority(
    ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
    ... )
    >>> d = Directory(
    ...     [
    ...         School(123456, "Example Primary", 8852001, la),
    ...         School(123457, "Other Primary", 8852002, la),
    ...     ],
    ...     [
    ...         TrustMembership(123456, "TR01234", dt.date(2023, 9, 1)),
    ...         TrustMembership(123457, "TR09999", dt.date(2020, 9, 1)),
    ...     ],
    ... )
    >>> shared = [
    ...     SharingAgreement(123456, "DfE", dt.date(2022, 2, 1)),
    ...     SharingAgreement(123457, "DfE", dt.date(2022, 2, 1)),
    ... ]
    >>> marks = pl.DataFrame(
    ...     {
    ...         "urn": [123456, 123456, 123457],
    ...         "pupil_key": [1, 1, 2],
    ...         "date": [dt.date(2023, 7, 3), dt.date(2023, 9, 4), dt.date(2023, 9, 4)],
    ...     }
    ... )
    >>> trust = Viewer.trust("TR01234", d)
    >>> scope(
    ...     marks,
    ...     viewer=trust,
    ...     purpose="Support",
    ...     directory=d,
    ...     agreements=shared,
    ...     audit=None,
    ... ).rows()
    [(123456, 1, datetime.date(2023, 9, 4))]
    >>> scope(
    ...     marks,
    ...     viewer=trust,
    ...     purpose="academization",
    ...     directory=d,
    ...     agreements=shared,
    ...     audit=None,
    ... )
    Traceback (most recent call last):
    ...
    makingdata.errors.AccessDenied: column 'purpose': the shared daily data may not be used for academisation: that would break the promise in seeds/003_39734155fc877a52.txt §4: ...
    """
    log = _audit_target(audit)
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    names = schema.names()
    checked, found = _decide(
        viewer,
        purpose=purpose,
        directory=directory,
        log=log,
        action="scope",
        columns=names,
    )
    try:
        out = _apply(
            lazy,
            checked,
            directory=directory,
            agreements=agreements,
            names=names,
            kind=kind,
            urn=urn,
            date=date,
        )
    except ScopeError as err:
        _record_refusal(
            log,
            checked,
            purpose,
            err,
            action="scope",
            columns=names,
            purpose=found.value,
        )
        raise
    result, detected, windows = out
    eager = isinstance(frame, pl.DataFrame)
    collected = result.collect() if eager else None
    if log is not None:
        urns = windows.get_column("urn").unique().sort().to_list()
        log.record(
            _event(
                checked,
                purpose,
                action="scope",
                decision="granted",
                purpose=found.value,
                frame_kind=detected,
                columns=names,
                rows_in=_height(frame),
                rows_out=None if collected is None else collected.height,
                schools_in_scope=len(urns),
                urns=urns if len(urns) <= MAX_LOGGED_URNS else None,
                windows=windows.height,
            )
        )
    if collected is not None:
        return collected  # type: ignore[return-value]
    return result  # type: ignore[return-value]


def _height(frame: pl.DataFrame | pl.LazyFrame) -> int | None:
    return frame.height if isinstance(frame, pl.DataFrame) else None


def _apply(
    lazy: pl.LazyFrame,
    viewer: Viewer,
    *,
    directory: Directory,
    agreements: Iterable[SharingAgreement],
    names: list[str],
    kind: FrameKind,
    urn: str | None,
    date: str,
) -> tuple[pl.LazyFrame, FrameKind, pl.DataFrame]:
    detected, urn_col = _detect(names, kind, urn, date)
    if viewer.audience is not Audience.SCHOOL:
        forbid_direct_identifiers(names, viewer=viewer.label)
        lazy, names = _coarsen_birth_dates(lazy, names, viewer)
    if not viewer.audience.sees_school_identities:
        return (
            _scope_aggregate(lazy, viewer, detected, names),
            detected,
            _empty_windows(),
        )
    if detected == "table" or urn_col is None:
        raise ScopeError(
            f"a table without a school and a day cannot be scoped for {viewer.label}",
            column=urn_col,
            hint="scope the marks or enrolments first, then aggregate the result",
        )
    windows = _windows(viewer, directory, agreements)
    if detected == "enrolments":
        spells = _scope_spells(lazy, windows, urn_col)
        if date in names:
            # rows that are days (marks with their spell): only days inside the
            # spell as trimmed to the viewer's window
            start, end = _SPELL_COLUMNS
            spells = spells.filter(
                (pl.col(start).is_null() | (pl.col(date) >= pl.col(start)))
                & (pl.col(end).is_null() | (pl.col(date) <= pl.col(end)))
            )
        return spells, detected, windows
    return _scope_marks(lazy, windows, urn_col, date), detected, windows


def _coarsen_birth_dates(
    lazy: pl.LazyFrame, names: list[str], viewer: Viewer
) -> tuple[pl.LazyFrame, list[str]]:
    """Replace a date of birth by the pupil's birth cohort (1 September).

    Beyond the school, the day and month of birth go: every age at 31
    August stays exact. A partner group or the public gets no birth date at
    all (it receives aggregates only).
    """
    births = [c for c in names if is_birth_date(c)]
    if not births:
        return lazy, names
    if not viewer.audience.sees_school_identities:
        raise _denied(
            f"{viewer.label} receives only aggregates, and the frame has a date "
            f"of birth column {births[0]!r} (pupil rows)",
            citation=Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN.info.citation,
            column=births[0],
            hint="aggregate first, then makingdata.access.release the table",
        )
    if BIRTH_COHORT in names:
        out = lazy.drop(births)
    else:
        out = lazy.with_columns(birth_cohort_expr(births[0])).drop(births)
    kept = [c for c in names if c not in births]
    return out, [*kept, BIRTH_COHORT] if BIRTH_COHORT not in kept else kept


def _release_scope(
    table: pl.DataFrame, viewer: Viewer, names: list[str]
) -> pl.DataFrame:
    if viewer.audience.sees_school_identities:
        raise ScopeError(
            f"release() is for aggregate tables for a partner group or the public; "
            f"{viewer.label} sees school-level rows, so scope its marks or "
            "enrolments instead",
            column="viewer",
            hint="call scope() on the marks, aggregate, then protect the table",
        )
    forbid_direct_identifiers(names, viewer=viewer.label)
    kind = _detect(names, "auto", None, "date")[0]
    return _scope_aggregate(table.lazy(), viewer, kind, names).collect()


def release(
    table: pl.DataFrame,
    *,
    viewer: Viewer,
    purpose: Purpose | str,
    directory: Directory,
    audit: AuditLog | str | os.PathLike[str] | None,
) -> ProtectedTable:
    """Scope an aggregate table for a viewer and protect it for that audience.

    The table is scoped as by :func:`scope` (for a partner group or the
    public: school and pupil columns and school-level rows removed) and then
    passed to :func:`makingdata.disclosure.protect` with the viewer's
    audience, so thresholds, secondary suppression and rounding apply. Build
    the table from data scoped for its owner first (e.g. DfE's view of the
    schools sharing with it).

    Parameters
    ----------
    table
        An aggregate, EES-shaped table.
    viewer
        Who receives it.
    purpose
        Why.
    directory
        Schools, trusts and LAs (to check the viewer).
    audit
        Where the decision is recorded, or ``None``.

    Returns
    -------
    makingdata.disclosure.ProtectedTable
        The protected table, which writers accept for every audience.

    Raises
    ------
    AccessDenied
        As :func:`scope`.
    ScopeError
        As :func:`scope`; also for a school, trust, LA or DfE viewer, whose
        tables must be built from scoped marks (use :func:`scope` on them).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.access import release
    >>> from makingdata.domain import Directory
    >>> from makingdata.domain.sharing import Viewer
    >>> table = pl.DataFrame(
    ...     {
    ...         "geographic_level": ["National", "School"],
    ...         "school_urn": [None, 123456],
    ...         "num_schools": [40, 1],
    ...         "enrolments": [5000, 300],
    ...     }
    ... )
    >>> out = release(
    ...     table,
    ...     viewer=Viewer.partner("AAA"),
    ...     purpose="research",
    ...     directory=Directory([]),
    ...     audit=None,
    ... )
    >>> out.to_ees().columns, out.to_ees().height
    (['geographic_level', 'num_schools', 'enrolments'], 1)
    """
    from makingdata.disclosure import protect  # noqa: PLC0415

    log = _audit_target(audit)
    names = table.columns
    checked, found = _decide(
        viewer,
        purpose=purpose,
        directory=directory,
        log=log,
        action="release",
        columns=names,
    )
    try:
        scoped = _release_scope(table, checked, names)
    except ScopeError as err:
        _record_refusal(
            log,
            checked,
            purpose,
            err,
            action="release",
            columns=names,
            purpose=found.value,
        )
        raise
    protected = protect(scoped, checked.audience.value)
    if log is not None:
        log.record(
            _event(
                checked,
                purpose,
                action="release",
                decision="granted",
                purpose=found.value,
                frame_kind="table",
                columns=names,
                rows_in=table.height,
                rows_out=scoped.height,
                schools_in_scope=0,
            )
        )
    return protected
