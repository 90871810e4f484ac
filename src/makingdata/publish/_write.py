"""write_ees: an EES data CSV and its ``.meta.csv``, checked, written atomically."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs
import polars as pl

from makingdata._atomic import atomic_files
from makingdata.disclosure import (
    ProtectedTable,
    ProtectionReport,
    require_protected,
    rule_set,
)
from makingdata.disclosure import protect as _protect
from makingdata.errors import ExportError
from makingdata.publish._check import (
    _PERIOD_FILTERS,
    _check_names,
    _check_pair,
    _Problems,
)
from makingdata.publish._meta import _meta_rows, _prepare
from makingdata.tables import Table

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from os import PathLike

    from makingdata.disclosure import RuleSet
    from makingdata.tables import TableSpec

__all__ = ["EesFiles", "write_ees"]


@attrs.frozen
class EesFiles:
    """The pair of files :func:`write_ees` (or :func:`~makingdata.publish.publish`) wrote.

    Attributes
    ----------
    data
        The data CSV.
    meta
        The ``.meta.csv`` beside it.
    rows
        Rows written (after completing the matrix, if asked).
    rows_completed
        Rows added to complete the matrix.
    warnings
        Problems of severity ``warning`` found by the checks (see
        :class:`~makingdata.publish.EesCheck`).
    protection
        The protection report when the table was protected on the way out
        (by :func:`~makingdata.publish.publish`).
    """

    data: Path
    meta: Path
    rows: int
    rows_completed: int
    warnings: pl.DataFrame
    protection: ProtectionReport | None = None


def _where_text(row: int | None, column: str | None) -> str:
    parts = [f"row {row}"] if row is not None else []
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts) or "whole file"


_HINT = (
    "fix the table (or pass filters=, indicators= or meta= if its spec places "
    "the columns wrongly) and write again"
)
_HINTS = {
    "school_rows_separate": "write the School rows and the other levels to two files, "
    "e.g. table.filter(pl.col('geographic_level') == 'School') and the rest",
    "time_identifier": "relabel the period with an allowed time_identifier (an ISO week "
    "53 goes with week 52, or publish daily rows by date)",
    "filter_total": "add the filter's Total rows (attendance_table and rollup make them "
    "for every breakdown in by=) or pass filters= without that column",
    "duplicate_row": "aggregate the duplicated rows, or add the filter that tells them apart",
    "geography_blank": "fill the geography columns of the row's level and the levels above",
    "geography_overfilled": "blank the columns of lower levels on that row",
    "geography_column": "add the level's geography columns (see makingdata.tables.GEOGRAPHIES)",
}


def _complete(
    text: pl.DataFrame,
    spec: TableSpec,
    filters: Sequence[str],
    indicators: Sequence[str],
    fill: Literal["z", "0"],
) -> pl.DataFrame:
    """Add a row for every missing combination of the (non-period) filters."""
    crossed = [c for c in filters if c not in _PERIOD_FILTERS and c in text.columns]
    if not crossed or text.height == 0:
        return text
    unit_cols = [c for c in text.columns if c not in crossed and c not in indicators]
    units = text.select(unit_cols).unique(maintain_order=True)
    full = units
    for col in crossed:
        full = full.join(text.select(col).unique(maintain_order=True), how="cross")
    keys = [*unit_cols, *crossed]
    missing = full.join(text.select(keys), on=keys, how="anti", nulls_equal=True)
    if missing.height == 0:
        return text
    summed = set(spec.summed)
    added = missing.with_columns(
        [
            pl.lit("0" if fill == "0" and c in summed else "z").alias(c)
            for c in indicators
        ]
    )
    return pl.concat([text, added.select(text.columns)])


def _protected_for(
    table: Table | ProtectedTable | pl.DataFrame | pl.LazyFrame,
    audience: str,
    *,
    rules: RuleSet | None = None,
    fixed: pl.DataFrame | ProtectedTable | None = None,
) -> tuple[
    Table | ProtectedTable | pl.DataFrame | pl.LazyFrame, ProtectionReport | None
]:
    """Protect ``table`` for ``audience`` when its rule set asks and it is not protected yet.

    The protection step of :func:`~makingdata.publish.publish` (and of the
    deprecated ``write_ees(..., protect=True)``): a table already protected
    is passed on as it is (the writer checks it was protected for this
    audience); for trusted audiences the table is passed on as given.
    """
    rs = rules if rules is not None else rule_set(audience)
    if isinstance(table, ProtectedTable) or not rs.needs_protection:
        return table, None
    frame = table.collect() if isinstance(table, pl.LazyFrame) else table
    protected = _protect(frame, audience, rules=rules, fixed=fixed)
    return protected, protected.report


def _write_pair(
    text: pl.DataFrame, meta: pl.DataFrame, target: Path, meta_path: Path
) -> None:
    """Write both files to partial names beside the targets, then rename them into place.

    The meta file is the pair's completion mark (:func:`makingdata._atomic.atomic_files`):
    an existing one is removed first, the data file is renamed, the meta file
    last. A failure leaves nothing; a process killed between the renames
    leaves a data file without its meta file, which
    :func:`~makingdata.publish.check_ees` reports, never a meta file beside
    data from another run.
    """
    with atomic_files([target, meta_path], what="the EES files", parents=True) as (
        data_tmp,
        meta_tmp,
    ):
        meta.write_csv(meta_tmp)
        text.write_csv(data_tmp)


def write_ees(
    table: Table | ProtectedTable | pl.DataFrame | pl.LazyFrame,
    path: str | PathLike[str],
    *,
    audience: str,
    meta: pl.DataFrame | Mapping[str, Mapping[str, str | int | None]] | None = None,
    decimals: int | Mapping[str, int] | None = None,
    complete: Literal["z", "0"] | None = None,
    null_symbol: str = "x",
    filters: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    protect: bool = False,
) -> EesFiles:
    r"""Write an EES data CSV and its ``.meta.csv``, checked against the standards.

    The writer never protects a table: :func:`~makingdata.publish.publish`
    does protect -> write. **No unprotected exit**: for a ``partner`` or
    ``public`` audience the table must be a
    :class:`~makingdata.disclosure.ProtectedTable` protected for it (one
    protected for the public may go to a partner); anything else raises
    :class:`~makingdata.errors.DisclosureError`. For ``school``, ``trust``,
    ``la`` and ``dfe`` the table is written as given: scoping it to what that
    reader may see is :func:`makingdata.access.scope`'s job, before this call.
    Both paths go through :func:`~makingdata.disclosure.require_protected`.

    What each column is comes from the table's spec: a kernel's
    :class:`~makingdata.tables.Table` says its filters, indicators, labels,
    units, decimal places and groupings; a ``ProtectedTable`` carries the
    spec it was protected with. A plain frame (a table makingdata did not
    build: the third-party path) is read with
    :meth:`TableSpec.infer <makingdata.tables.TableSpec.infer>`; pass
    ``filters=`` and ``indicators=`` where it places a column wrongly.

    The file is checked with every rule of
    :data:`~makingdata.publish.EES_RULES` before anything is written; an
    error stops the write with an :class:`~makingdata.errors.ExportError`
    naming the file, the row (the line the row would have in the file, header
    = line 1), the column and what to do. Null indicator cells are written as
    ``null_symbol`` (``x``), or ``z`` for a rate whose denominator is 0; a
    protected table's cells carry its symbols (``c`` suppressed, ``low``).
    Nothing is ever blank. Both files are written to partial names in the
    target folder (``.<name>.partial-<random>``) and renamed into place when
    both are complete, the meta file last: a failed write leaves nothing, and
    a process killed between the two renames leaves a data file without its
    meta file (an incomplete pair, as ``check_ees`` says), never a pair that
    looks finished.

    Changed in 0.2: moved from ``makingdata.io``; takes a ``Table`` and reads
    its spec; ``protect=True`` is deprecated (use
    :func:`~makingdata.publish.publish`); writes atomically.

    Parameters
    ----------
    table
        The table: a :class:`~makingdata.tables.Table`, a
        :class:`~makingdata.disclosure.ProtectedTable`, or an EES-shaped frame
        (time, ``geographic_level``, geography, filters, indicators).
    path
        The data file, e.g. ``out/pupil_attendance_la.csv``; the meta file is
        written beside it as ``pupil_attendance_la.meta.csv``. Parent folders
        are created.
    audience
        Who the files are for: ``school``, ``trust``, ``la``, ``dfe``,
        ``partner`` or ``public``.
    meta
        Meta overrides (see :func:`~makingdata.publish.ees_meta`).
    decimals
        ``indicator_dp`` for every indicator, or per column; default: the
        spec's, else the data's.
    complete
        Complete the matrix: add a row for every combination of filter values
        missing from a time and geography unit. ``"z"`` writes ``z`` in every
        indicator of the added rows; ``"0"`` writes ``0`` in counts and ``z``
        in rates and other indicators. A combination is missing from an
        attendance kernel's table when no pupil of the unit is in it, so the
        added rows say what the file already implied; a protected table is
        completed after protection. Period filters (dates, weeks, half terms)
        are not crossed.
    null_symbol
        Symbol for other null indicator cells (default ``x``, not available);
        a protected table's cells are as it renders them.
    filters
        Filter columns, where the spec's are wrong.
    indicators
        Indicator columns, where the spec's are wrong.
    protect
        Deprecated in 0.2, removed in 0.3: call
        :func:`~makingdata.publish.publish`, which protects the table for
        ``audience`` when its rules ask and then writes it.

    Returns
    -------
    EesFiles
        The paths, the rows written and warnings (``protection`` is set only
        by the deprecated ``protect=True``).

    Raises
    ------
    DisclosureError
        If an unprotected table (or one protected for a more trusted audience)
        would go to a partner or the public.
    ExportError
        If the file name or the table breaks an EES rule (every error is
        counted; the first few are listed), or the files cannot be written.

    Examples
    --------
    >>> import polars as pl, tempfile, pathlib
    >>> from makingdata.disclosure import protect
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
    >>> write_ees(t, out, audience="public")
    Traceback (most recent call last):
    ...
    makingdata.errors.DisclosureError: an unprotected table cannot be written for audience 'public'. What to do: call makingdata.disclosure.protect(table, audience='public') and write its result.
    >>> files = write_ees(protect(t, "public"), out, audience="public")
    >>> out.read_text().splitlines()[2:]
    ['202526,Academic year,National,E92000001,England,FSM eligible,3,c', '202526,Academic year,National,E92000001,England,Not known to be FSM eligible,3,c']
    >>> files.meta.read_text().splitlines()[1]
    'fsm_status,Filter,FSM status,,,,Filter by FSM status,'
    >>> from makingdata.publish import check_ees
    >>> check_ees(out).ok
    True
    """
    target = Path(path)
    meta_path = target.with_name(target.name.removesuffix(".csv") + ".meta.csv")
    p = _Problems()
    _check_names(p, target, meta_path)
    if p.parts:
        raise ExportError(
            p.frame()["message"][0],
            path=target,
            hint="rename the file (EES file names are lower case letters, digits, _ and -, ending .csv)",
        )
    report: ProtectionReport | None = None
    if protect:
        warnings.warn(
            "write_ees(..., protect=True) is deprecated in 0.2 and removed in 0.3: "
            "call makingdata.publish.publish(table, path, audience=...), which "
            "protects the table when the audience's rules ask and then writes it",
            DeprecationWarning,
            stacklevel=2,
        )
        table, report = _protected_for(table, audience)
    if isinstance(table, (pl.LazyFrame, Table)):
        table = table.collect()
    # partner/public: only a table protected for them; others: as given
    gate = require_protected(table, audience)
    prepared = _prepare(
        table,
        filters=filters,
        indicators=indicators,
        null_symbol=null_symbol,
        rendered=gate if isinstance(table, ProtectedTable) else None,
    )
    meta_frame = _meta_rows(prepared, decimals=decimals, meta=meta)
    text = prepared.text
    before = text.height
    if complete is not None:
        if complete not in ("z", "0"):
            raise ExportError(
                f"complete={complete!r} is not a way to complete the matrix",
                hint="use complete='z' or complete='0' (or leave it out)",
            )
        text = _complete(
            text,
            prepared.spec,
            list(meta_frame.filter(pl.col("col_type") == "Filter")["col_name"]),
            prepared.indicators,
            complete,
        )
    problems = _check_pair(text, meta_frame, data_path=target, meta_path=meta_path)
    errors = problems.filter(pl.col("severity") == "error").sort(
        "row", nulls_last=False, maintain_order=True
    )
    if errors.height:
        first = errors.row(0, named=True)
        others = [
            f"{r['rule']} ({_where_text(r['row'], r['column'])})"
            for r in errors.slice(1, 4).iter_rows(named=True)
        ]
        more = (
            f"; {errors.height - 1} more problems: {', '.join(others)}"
            if errors.height > 1
            else ""
        )
        raise ExportError(
            f"{first['message']} [rule {first['rule']}]{more}",
            path=meta_path if first["file"] == meta_path.name else target,
            row=first["row"],
            column=first["column"],
            hint=_HINTS.get(first["rule"], _HINT) + "; nothing was written",
        )
    _write_pair(text, meta_frame, target, meta_path)
    return EesFiles(
        data=target,
        meta=meta_path,
        rows=text.height,
        rows_completed=text.height - before,
        warnings=problems.filter(pl.col("severity") == "warning"),
        protection=report,
    )
