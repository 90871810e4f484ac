"""publish(): protect a table for its audience, then write it as EES files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from makingdata._atomic import atomic_path
from makingdata.disclosure import (
    ProtectedTable,
    ProtectionReport,
    require_protected,
    rule_set,
)
from makingdata.errors import InputError
from makingdata.publish._write import EesFiles, _protected_for, write_ees

if TYPE_CHECKING:
    from collections.abc import Mapping
    from os import PathLike

    import polars as pl

    from makingdata.disclosure import RuleSet
    from makingdata.tables import Table

__all__ = ["CsvFile", "publish", "publish_csv"]


@attrs.frozen
class CsvFile:
    """The plain CSV :func:`publish_csv` wrote.

    Attributes
    ----------
    path
        The file.
    rows
        Rows written.
    protection
        The protection report when the table was protected on the way.
    """

    path: Path
    rows: int
    protection: ProtectionReport | None = None


def publish(
    table: Table | ProtectedTable | pl.DataFrame | pl.LazyFrame,
    path: str | PathLike[str],
    *,
    audience: str,
    rules: RuleSet | None = None,
    fixed: pl.DataFrame | ProtectedTable | None = None,
    meta: pl.DataFrame | Mapping[str, Mapping[str, str | int | None]] | None = None,
    decimals: int | Mapping[str, int] | None = None,
    complete: Literal["z", "0"] | None = None,
) -> EesFiles:
    r"""Publish a table for an audience: protect it, then write the EES data and meta files.

    The top of the data path. For ``partner`` and ``public`` the table is
    protected with :func:`makingdata.disclosure.protect` (the audience's
    rules, or ``rules=``; ``fixed=`` for cells an earlier release published)
    unless it is already a :class:`~makingdata.disclosure.ProtectedTable`,
    which must then be protected for this audience (one protected for the
    public may go to a partner). For ``school``, ``trust``, ``la`` and
    ``dfe`` the table is written as given: scoping it to what that reader may
    see is :func:`makingdata.access.scope`'s job, before this call. Then
    :func:`write_ees <makingdata.publish.write_ees>` checks and writes both
    files.

    Added in 0.2.

    Parameters
    ----------
    table
        A kernel's :class:`~makingdata.tables.Table`, a ``ProtectedTable``,
        or an EES-shaped frame (read with
        :meth:`TableSpec.infer <makingdata.tables.TableSpec.infer>`).
    path
        The data file, e.g. ``out/pupil_attendance_la.csv``; the meta file is
        written beside it.
    audience
        ``school``, ``trust``, ``la``, ``dfe``, ``partner`` or ``public``.
    rules
        The disclosure rule set; the audience's default when omitted.
    fixed
        Cells already released (see :func:`makingdata.disclosure.protect`).
    meta
        Meta overrides (see :func:`~makingdata.publish.ees_meta`).
    decimals
        ``indicator_dp`` for every indicator, or per column.
    complete
        Complete the matrix after protection (see
        :func:`~makingdata.publish.write_ees`).

    Returns
    -------
    EesFiles
        The files written; ``protection`` is the protection report when the
        table was protected here.

    Raises
    ------
    DisclosureError
        If the table cannot be protected, or is a ``ProtectedTable`` protected
        for another audience.
    InputError
        If ``rules=`` or ``fixed=`` is given but the table is not protected
        here (it is a ``ProtectedTable`` already, or the audience is trusted).
    ExportError
        If the table breaks an EES rule (nothing is written).

    Examples
    --------
    >>> import polars as pl, tempfile, pathlib
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": [202526] * 3,
    ...         "time_identifier": ["Academic year"] * 3,
    ...         "geographic_level": ["National"] * 3,
    ...         "country_code": ["E92000001"] * 3,
    ...         "country_name": ["England"] * 3,
    ...         "fsm_status": ["Total", "FSM eligible", "Not known to be FSM eligible"],
    ...         "num_schools": [3] * 3,
    ...         "enrolments": [40, 3, 37],
    ...     }
    ... )
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "attendance_fsm.csv"
    >>> files = publish(t, out, audience="public")
    >>> files.protection.rows_primary, out.read_text().splitlines()[2][-4:]
    (1, ',3,c')
    >>> publish(t, out, audience="la").protection is None
    True
    """
    _check_options(table, audience, rules, fixed)
    out, report = _protected_for(table, audience, rules=rules, fixed=fixed)
    files = write_ees(
        out,
        path,
        audience=audience,
        meta=meta,
        decimals=decimals,
        complete=complete,
    )
    return attrs.evolve(files, protection=report)


def _check_options(
    table: object, audience: str, rules: object | None, fixed: object | None
) -> None:
    if (rules is not None or fixed is not None) and (
        isinstance(table, ProtectedTable) or not rule_set(audience).needs_protection
    ):
        given = "rules=" if rules is not None else "fixed="
        why = (
            "the table is already protected"
            if isinstance(table, ProtectedTable)
            else f"a table for {audience!r} is written as given"
        )
        raise InputError(
            f"{given} applies when publish protects the table, and {why}",
            hint="pass the unprotected table for a partner or public audience, or "
            "leave rules= and fixed= out",
        )


def publish_csv(
    table: Table | ProtectedTable | pl.DataFrame | pl.LazyFrame,
    path: str | PathLike[str],
    *,
    audience: str,
    rules: RuleSet | None = None,
    fixed: pl.DataFrame | ProtectedTable | None = None,
) -> CsvFile:
    """Publish a table as one plain CSV for an audience: protect it, then write it.

    The same decision as :func:`publish` — partner and public get the table
    protected (cells as EES symbols), the trusted audiences get it as given —
    for a plain CSV rather than an EES pair (no metadata file, no EES checks).
    The file is written to a partial name beside ``path``
    (``.<name>.partial-<random>``) and renamed into place when complete: a
    failed or interrupted write never leaves a file at ``path`` that looks
    finished.

    Added in 0.2.

    Parameters
    ----------
    table
        A :class:`~makingdata.tables.Table`, a ``ProtectedTable`` or a frame.
    path
        The CSV to write; its folder is created.
    audience
        ``school``, ``trust``, ``la``, ``dfe``, ``partner`` or ``public``.
    rules
        The disclosure rule set; the audience's default when omitted.
    fixed
        Cells already released (see :func:`makingdata.disclosure.protect`).

    Returns
    -------
    CsvFile
        The file, its rows, and the protection report when protected here.

    Raises
    ------
    DisclosureError
        If the table cannot be protected, or is protected for another audience.
    ExportError
        If the file cannot be written (nothing is left behind).

    Examples
    --------
    >>> import polars as pl, tempfile, pathlib
    >>> t = pl.DataFrame(
    ...     {
    ...         "sex": ["Total", "Female", "Male"],
    ...         "enrolments": [30, 2, 28],
    ...         "num_schools": 3,
    ...     }
    ... )
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> publish_csv(t, out, audience="public").protection.rows_primary
    1
    >>> out.read_text().splitlines()
    ['sex,enrolments,num_schools', 'Total,30,3', 'Female,c,3', 'Male,c,3']
    """
    _check_options(table, audience, rules, fixed)
    out, report = _protected_for(table, audience, rules=rules, fixed=fixed)
    frame = require_protected(out, audience)
    target = Path(path)
    with atomic_path(target, what="the CSV", parents=True) as tmp:
        frame.write_csv(tmp)
    return CsvFile(path=target, rows=frame.height, protection=report)
