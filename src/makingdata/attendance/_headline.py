"""Headline tables for the demo and notebooks: national, regional and one trust."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata.attendance._args import schools_and_memberships
from makingdata.attendance._table import attendance_table

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

__all__ = ["headline_tables"]


def headline_tables(
    marks: pl.LazyFrame | pl.DataFrame,
    enrolments: pl.LazyFrame | pl.DataFrame,
    /,
    *args: pl.LazyFrame | pl.DataFrame,
    schools: pl.LazyFrame | pl.DataFrame | None = None,
    memberships: pl.LazyFrame | pl.DataFrame | None = None,
    trust_id: str | None = None,
    period: str = "ytd",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: Sequence[str] = ("fsm_status",),
    decimals: int = 1,
) -> dict[str, pl.DataFrame]:
    """Return small national, regional and one trust's headline tables.

    Meant for ``makingdata demo`` and notebooks: each table has the time and
    geography columns, the breakdown, ``enrolments``, ``sess_possible`` and the
    headline rates (overall, authorised, unauthorised absence; persistent and
    severe absence).

    Parameters
    ----------
    marks
        Marks in ``MARKS_SCHEMA``.
    enrolments
        Enrolments in ``ENROLMENTS_SCHEMA``.
    *args
        Deprecated (0.2, removed in 0.3): ``schools`` and ``memberships`` by
        position.
    schools
        Schools in ``SCHOOLS_SCHEMA`` (required, by keyword).
    memberships
        Trust memberships in ``MEMBERSHIPS_SCHEMA`` (optional).
    trust_id
        The trust to show; default the trust with the most schools.
    period
        As for :func:`attendance_table`; default year to date.
    start
        First date counted.
    end
        Last date counted; default the last date in ``marks``.
    by
        Breakdowns (default FSM status).
    decimals
        Places for the rates.

    Returns
    -------
    dict of str to polars.DataFrame
        Keys ``"national"``, ``"regional"`` and ``"trust"`` (empty when no
        school belongs to a trust).

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata import synth
    >>> from makingdata.attendance import headline_tables
    >>> d = synth.generate(
    ...     scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 9), la=330
    ... )
    >>> tables = headline_tables(
    ...     d.marks(), d.enrolments, schools=d.schools, memberships=d.memberships
    ... )
    >>> sorted(tables)
    ['national', 'regional', 'trust']
    >>> tables["national"]["fsm_status"].to_list()
    ['FSM eligible', 'Not known to be FSM eligible', 'Total']
    """
    schools, memberships = schools_and_memberships(
        "headline_tables", args, schools, memberships
    )
    m = marks.lazy()
    if end is None:
        end = m.select(pl.col("date").max()).collect().item()
    table = attendance_table(
        m,
        enrolments,
        schools=schools,
        memberships=memberships,
        levels=("national", "region", "trust"),
        by=by,
        period=period,
        start=start,
        end=end,
        decimals=decimals,
    ).collect()
    show = [
        c
        for c in (
            "time_period",
            "time_identifier",
            "geographic_level",
            "region_name",
            "trust_id",
            "trust_name",
            *by,
            "enrolments",
            "sess_possible",
            "sess_overall_percent",
            "sess_authorised_percent",
            "sess_unauthorised_percent",
            "enrolments_pa_10_exact_percent",
            "enrolments_pa_50_exact_percent",
        )
        if c in table.columns
    ]
    trusts = table.filter(pl.col("geographic_level") == "MAT")
    if trust_id is None and trusts.height:
        sch = schools.lazy()
        if memberships is not None:
            counts = memberships.lazy().group_by("trust_id").agg(n=pl.len())
        else:
            counts = (
                sch.filter(pl.col("trust_id").is_not_null())
                .group_by("trust_id")
                .agg(n=pl.len())
            )
        top = counts.sort(["n", "trust_id"], descending=[True, False]).first().collect()
        trust_id = top["trust_id"][0] if top.height else None
    return {
        "national": table.filter(pl.col("geographic_level") == "National").select(show),
        "regional": table.filter(pl.col("geographic_level") == "Regional").select(show),
        "trust": trusts.filter(pl.col("trust_id") == trust_id).select(show),
    }
