"""Writing a table for an audience: the one place the command decides on protection.

``aggregate``, ``rollup`` and ``protect`` all write through
:func:`write_table`: a plain CSV (``--out``) or an EES pair (``--ees``),
protected on the way for a partner or the public, as built for a school,
trust, LA or DfE, and refused when no audience is given and the table could
not go to just anyone.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Literal

import polars as pl

from makingdata.disclosure import (
    ProtectedTable,
    ProtectionReport,
    Threshold,
    rule_set,
)
from makingdata.errors import DisclosureError
from makingdata.publish import publish, publish_csv
from makingdata.tables import Table

if TYPE_CHECKING:
    from pathlib import Path

    from makingdata.cli._console import Steps
    from makingdata.tables import TableSpec

#: The help of ``--audience`` on the commands that write tables.
AUDIENCE_HELP = (
    "who receives the file: school, trust, la or dfe get the table as built "
    "(scope it with --viewer/--purpose); partner and public get it protected "
    "(small pupil counts, persistent/severe absence included, and single-school "
    "aggregates suppressed with their complements, school rows dropped, EES "
    "symbols). Without --audience the table is written unprotected only if it has "
    "no School rows and no pupil count from 1 to 5; otherwise the command stops "
    "(exit 5, refused) and asks who the file is for: a dfe default would hand "
    "small counts to whoever runs it, a public default would silently change a "
    "trusted reader's table"
)


def needs_audience(table: pl.DataFrame) -> str | None:
    """Why ``table`` may not be written without an audience (None: it may).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.cli._output import needs_audience
    >>> needs_audience(pl.DataFrame({"geographic_level": ["School"]}))
    'it has 1 School rows'
    >>> needs_audience(pl.DataFrame({"enrolments": [120]})) is None
    True
    """
    rules = rule_set("public")
    minimum = min(
        (r.minimum for r in rules.of(Threshold) if isinstance(r, Threshold)),
        default=6,
    )
    if "geographic_level" in table.columns:
        schools = table.filter(pl.col("geographic_level") == "School").height
        if schools:
            return f"it has {schools} School rows"
    small = 0
    for c in rules.threshold_columns:
        if c in table.columns and table.schema[c].is_numeric():
            small += table.filter(pl.col(c).is_between(1, minimum - 1)).height
    if small:
        return f"it has {small} pupil counts from 1 to {minimum - 1}"
    return None


def zero_rate_text(frame: pl.DataFrame, spec: TableSpec, symbol: str) -> pl.DataFrame:
    """Write ``symbol`` in each rate of ``spec`` whose denominator is 0; other cells as they are.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.tables import Rate, TableSpec
    >>> from makingdata.cli._output import zero_rate_text
    >>> df = pl.DataFrame({"n": [1, 0], "d": [4, 0], "p": [25.0, None]})
    >>> spec = TableSpec(counts=("n", "d"), rates=(Rate("p", "n", "d"),))
    >>> zero_rate_text(df, spec, ".")["p"].to_list()
    ['25.0', '.']
    """
    exprs = []
    for rate in spec.rates:
        col, den = rate.column, rate.denominator
        if col not in frame.columns or den not in frame.columns:
            continue
        if not frame.schema[den].is_numeric():
            continue
        zero = pl.col(den) == 0
        if not frame.select(zero.any()).item():
            continue
        exprs.append(
            pl.when(zero & pl.col(col).is_null())
            .then(pl.lit(symbol))
            .otherwise(pl.col(col).cast(pl.String))
            .alias(col)
        )
    return frame.with_columns(exprs) if exprs else frame


def _say_protected(protected: ProtectedTable) -> None:
    _say_report(protected.report)


def _say_report(report: ProtectionReport) -> None:
    print(report, file=sys.stderr)
    print(
        f"disclosure: {report.cells_primary + report.cells_secondary} count cells "
        f"suppressed ({report.cells_primary} primary, {report.cells_secondary} "
        f"secondary), status {report.status}",
        file=sys.stderr,
    )


def write_table(
    table: Table | pl.DataFrame | ProtectedTable,
    *,
    out: Path | None,
    ees: Path | None = None,
    audience: str | None,
    complete: Literal["z", "0"] | None = None,
    spec: TableSpec | None = None,
    zero_symbol: str | None = None,
    steps: Steps | None = None,
) -> None:
    """Write ``table`` to ``out`` (plain CSV) or ``ees`` (EES data + meta) for ``audience``.

    A :class:`~makingdata.disclosure.ProtectedTable` is written as it is
    (the writers check it was protected for the audience). A
    :class:`~makingdata.tables.Table` (a kernel's, with its spec) or a plain
    frame is protected on the way for an audience whose rules need it
    (partner, public), written as built for the others, and, without an
    audience, written only if :func:`needs_audience` finds nothing. An EES
    pair always needs an audience and goes through
    :func:`makingdata.publish.publish` (protect, then write).

    In a plain CSV written as built, a rate of the spec whose denominator is 0
    is written ``zero_symbol`` when one is given (``.`` for DfE's files
    before EES); by default it is left as the table has it (blank for no
    value, so that the file reads back as numbers). A protected table
    carries the EES symbols already.

    Raises
    ------
    DisclosureError
        If no audience is given and the table cannot go to just anyone, or
        the writers refuse an unprotected table.
    ExportError
        If the EES pair breaks the open data standards.
    """
    if ees is not None:
        _write_ees(table, ees, audience=audience, complete=complete, steps=steps)
        return
    if out is None:  # pragma: no cover - the commands require one of them
        raise DisclosureError("no output given", hint="add --out PATH or --ees PATH")
    if isinstance(table, Table):
        # a kernel's table: protect with its own spec, write its frame
        spec = spec if spec is not None else table.spec
        table = table.data()
        trusted = not rule_set(audience or "public").needs_protection
        if zero_symbol is not None and (audience is None or trusted):
            table = zero_rate_text(table, spec, zero_symbol)
    if isinstance(table, pl.DataFrame) and audience is None:
        why = needs_audience(table)
        if why is not None:
            raise DisclosureError(
                f"no --audience given and the table cannot go to just anyone: {why}",
                path=out,
                hint="say who the file is for: --audience school, trust, la or dfe "
                "writes it as built, --audience partner or public protects it",
            )
        if steps is not None:
            steps.step(f"writing {out.name}")
        # nothing in it needs protection (checked above): written as built
        written = publish_csv(table, out, audience="dfe")
        print(f"wrote {written.rows} rows to {out}", file=sys.stderr)
        return
    target = audience or (
        table.audience if isinstance(table, ProtectedTable) else "public"
    )
    if steps is not None:
        guarded = rule_set(target).needs_protection
        steps.step(
            f"protecting for {target} and writing {out.name}"
            if guarded and not isinstance(table, ProtectedTable)
            else f"writing {out.name}"
        )
    if spec is not None and isinstance(table, pl.DataFrame):
        table = Table(table, spec)
    written = publish_csv(table, out, audience=target)
    if isinstance(table, ProtectedTable):
        _say_protected(table)
    elif written.protection is not None:
        _say_report(written.protection)
    print(f"wrote {written.rows} rows to {out}", file=sys.stderr)


def _write_ees(
    table: Table | pl.DataFrame | ProtectedTable,
    path: Path,
    *,
    audience: str | None,
    complete: Literal["z", "0"] | None,
    steps: Steps | None,
) -> None:
    if audience is None:
        raise DisclosureError(
            "an EES file needs to know who it is for",
            path=path,
            hint="add --audience: school, trust, la or dfe write the table as built, "
            "partner or public protect it",
        )
    if steps is not None:
        guarded = rule_set(audience).needs_protection
        steps.step(
            f"protecting for {audience} and writing {path.name}"
            if guarded
            else f"writing {path.name}"
        )
    files = publish(table, path, audience=audience, complete=complete)
    if isinstance(table, ProtectedTable):
        # protected before (--previous): its report, as for a plain CSV
        _say_protected(table)
    elif files.protection is not None:
        _say_report(files.protection)
    for row in files.warnings.iter_rows(named=True):
        print(
            f"warning: {row['file']}, column {row['column']}: {row['message']}",
            file=sys.stderr,
        )
    print(
        f"wrote {files.rows} rows to {files.data} and its metadata to {files.meta}",
        file=sys.stderr,
    )
