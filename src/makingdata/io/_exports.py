"""Reading MIS exports: marks and enrolments (and the engine the schools reader shares)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata import _html
from makingdata._contracts import (
    ENROLMENTS_SCHEMA,
    ETHNICITY_DTYPE,
    MARKS_SCHEMA,
    SEN_PROVISION_DTYPE,
    SEX_DTYPE,
    YEAR_GROUP_DTYPE,
    EthnicityMajor,
    SenProvision,
    Sex,
    YearGroup,
)
from makingdata._pseudonym import UPN_RULES, compact_upn_expr, resolve_key, upn_map
from makingdata.errors import InputError, ValidationError
from makingdata.io import _parse as prs
from makingdata.io._records import BROKEN_RULES
from makingdata.io._source import (
    ROW,
    Field,
    Source,
    collect_source,
    missing_columns_error,
    read_source,
)
from makingdata.schemas import RowRule, ValidationReport, enrolments_rules, marks_rules
from makingdata.schemas._report import (
    FAIL,
    FAILURES_SCHEMA,
    PASS,
    WARNING,
    checks_frame,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from os import PathLike

#: Earliest and latest plausible date of a mark.
MARK_DATES = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))

_BLANK = RowRule(
    "blank_row",
    "",
    "the row is blank (every field empty)",
    pl.lit(value=False),
)


@attrs.frozen(slots=True)
class ReadResult:
    r"""What a reader returns: valid rows, rejected rows with reasons, and a report.

    Rows in = rows valid + rows rejected, always (checked when the result is
    made). For wide marks exports, each line holds two marks (AM and PM); each
    is accepted or rejected on its own, so ``n_read`` counts marks, two per
    line.

    Attributes
    ----------
    valid
        The accepted rows, in the contract columns and dtypes
        (:data:`~makingdata.schemas.MARKS_SCHEMA` …), in source order. No UPN.
    rejects
        One row per rejected row: ``row`` (for CSV, the file line the row
        starts on, as an editor shows it: the header is line 1, and a quoted
        value holding line breaks moves the rows after it down by its extra
        lines; for Parquet, the 0-based position), the delivered values as
        text under their canonical column names, and ``errors`` (a list of
        every rule the row broke). A line that could not be split into the
        header's fields (``too_many_fields``, ``unbalanced_quote``,
        ``bad_quoting``) is a reject with blank values; its text is in
        ``report.failures``. Rejects hold the delivered identifiers (UPNs):
        keep them with the export.
    report
        One row per rule (PASS / WARNING / FAIL and counts) and, in
        ``report.failures``, one row per (row, rule).
    n_read
        Rows read (marks for a wide marks export).
    path
        The file or directory read.
    format
        ``"csv"`` or ``"parquet"``.
    layout
        ``"long"`` or ``"wide"`` for marks; ``None`` otherwise.
    encoding
        The text encoding used (CSV only): ``"utf-8"`` or ``"latin-1"`` ….
    columns
        Which delivered header gave each canonical column.
    ignored_columns
        Delivered headers that were not read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.io import read_marks
    >>> d = tempfile.mkdtemp()
    >>> p = pathlib.Path(d, "marks.csv")
    >>> _ = p.write_text(
    ...     "UPN,URN,Date,AM,PM\n"
    ...     "B801200005001,100001,02/09/2024,/,\\\n"
    ...     "B801200005001,100001,03/09/2024,i,-\n"
    ... )
    >>> result = read_marks(p, key="example-key-xtdrHM3hka0or0zXRGAmVBEQ")
    >>> result.n_read, result.valid.height, result.rejects.height
    (4, 3, 1)
    >>> result.rejects.select("row", "session", "code", "errors").row(0)
    (3, 'PM', '-', ['code_no_mark_yet'])
    """

    valid: pl.DataFrame
    rejects: pl.DataFrame
    report: ValidationReport
    n_read: int
    path: str
    format: str
    layout: str | None = None
    encoding: str | None = None
    columns: Mapping[str, str] = attrs.field(factory=dict)
    ignored_columns: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.valid.height + self.rejects.height != self.n_read:
            msg = (
                f"rows in ({self.n_read}) != valid ({self.valid.height}) + "
                f"rejected ({self.rejects.height})"
            )
            raise AssertionError(msg)

    @property
    def n_valid(self) -> int:
        """Number of valid rows."""
        return self.valid.height

    @property
    def n_rejected(self) -> int:
        """Number of rejected rows."""
        return self.rejects.height

    @property
    def ok(self) -> bool:
        """Whether every row was accepted."""
        return self.rejects.height == 0

    def _repr_html_(self) -> str:
        """Show the counts, the rules broken and the first rejects in a notebook.

        Rejected rows are shown by line and rules only: their delivered values
        (UPNs among them) stay in :attr:`rejects`.
        """
        facts: list[tuple[str, object]] = [
            ("file", self.path),
            ("format", self.format + (f", {self.layout}" if self.layout else "")),
            ("read", f"{self.n_read:,}"),
            ("valid", f"{self.n_valid:,}"),
            ("rejected", f"{self.n_rejected:,}"),
        ]
        parts = [_html.facts_html(facts)]
        checks = self.report.checks
        if "result" in checks.columns:
            broken = checks.filter(pl.col("result") != "PASS")
            if broken.height:
                wanted = ("check", "result", "n_failing", "message")
                parts.append(
                    _html.frame_html(
                        broken, columns=[c for c in wanted if c in broken.columns]
                    )
                )
        if self.rejects.height:
            keep = [c for c in ("row", "errors") if c in self.rejects.columns]
            shown = self.rejects.select(keep)
            if "errors" in keep:
                shown = shown.with_columns(pl.col("errors").list.join(", "))
            parts.append(_html.frame_html(shown))
        verdict = "every row accepted" if self.ok else "some rows rejected"
        return _html.repr_html(f"ReadResult: {verdict}", *parts)


#: First characters that make a spreadsheet read a cell as a formula (OWASP,
#: "CSV Injection").
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def rejects_for_csv(rejects: pl.DataFrame) -> pl.DataFrame:
    """Return ``rejects`` ready to be written as CSV and opened in a spreadsheet.

    ``errors`` is joined by ``;``. Every text cell that starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (the
    OWASP rule against CSV injection), so a vendor who opens the report in
    Excel sees the rejected value as text instead of running it as a formula;
    a negative number in a text cell is shown as ``'-5`` for the same reason.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.io import rejects_for_csv
    >>> df = pl.DataFrame(
    ...     {
    ...         "row": [2, 3],
    ...         "code": ['=HYPERLINK("http://x","y")', "/"],
    ...         "errors": [["urn_invalid", "code_invalid"], ["code_invalid"]],
    ...     }
    ... )
    >>> out = rejects_for_csv(df)
    >>> out["errors"].to_list()
    ['urn_invalid;code_invalid', 'code_invalid']
    >>> out["code"].str.slice(0, 11).to_list()
    ["'=HYPERLINK", '/']
    """
    out = rejects.with_columns(pl.col("errors").list.join(";"))
    text = [c for c, t in out.schema.items() if t == pl.String]
    return out.with_columns(_escape(c).alias(c) for c in text)


def _escape(column: str) -> pl.Expr:
    risky = pl.any_horizontal(
        pl.col(column).str.starts_with(start) for start in FORMULA_STARTS
    ).fill_null(value=False)
    return pl.when(risky).then(pl.lit("'") + pl.col(column)).otherwise(pl.col(column))


def _bits_expr(rules: Sequence[RowRule]) -> pl.Expr:
    if len(rules) > 63:  # pragma: no cover - a programming error
        msg = "at most 63 rules per reader"
        raise ValueError(msg)
    terms = [
        pl.when(r.failing.fill_null(value=False))
        .then(pl.lit(1 << i, pl.UInt64))
        .otherwise(pl.lit(0, pl.UInt64))
        for i, r in enumerate(rules)
    ]
    return pl.sum_horizontal(terms).cast(pl.UInt64)


def finish(
    source: Source,
    *,
    kind: str,
    lazy: pl.LazyFrame,
    raw: pl.LazyFrame,
    raw_columns: Sequence[str],
    typed: Mapping[str, pl.Expr],
    rules: Sequence[RowRule],
    warnings: Sequence[RowRule] = (),
    contract: Mapping[str, pl.DataType],
    reject_keys: Sequence[str] = (ROW,),
    blank_columns: Sequence[str] | None = None,
    column_alias: Mapping[str, str] | None = None,
    layout: str | None = None,
    extra: Mapping[str, pl.Expr] | None = None,
    post: Callable[[pl.DataFrame], list[dict[str, object]]] | None = None,
    strict: bool,
) -> ReadResult:
    """Apply the rules and split valid from rejected rows, in one streaming pass.

    ``raw`` is the export as delivered (``_row`` and ``_raw_<name>``
    columns); ``lazy`` is ``raw`` with any helper columns the rules need
    (``pupil_key`` from the UPN map …). ``typed`` builds the contract columns.
    One bit per rule is set on a failing row; a row is valid when no bit is
    set. Only ``_row``, the typed columns and the bits are materialised for
    every row; the delivered values of the rejected rows are read again from
    ``raw`` (joined on ``reject_keys``), so memory stays small when most rows
    are valid.

    Records the CSV parser could not split (``source.broken``) are rejected
    with the rule they broke (``too_many_fields`` …); ``row`` is always the
    file line (:meth:`Source.lines_of`). ``extra`` columns are kept for
    ``post``, which returns more report rows (file-level checks).
    """
    alias = dict(column_alias or {})
    all_rules = [_BLANK, *rules]
    schema = lazy.collect_schema()
    # Trimmed text of each text column (GIAS reading may have made them).
    texts = [
        prs.inline_text(c).alias(prs.text_name(c))
        for c in raw_columns
        if schema[prs.raw(c)] == pl.String and prs.text_name(c) not in schema
    ]
    blank = pl.all_horizontal(
        [
            (
                prs.text(c) if schema[prs.raw(c)] == pl.String else pl.col(prs.raw(c))
            ).is_null()
            for c in (raw_columns if blank_columns is None else blank_columns)
        ]
    ).alias("_blank")
    bits = (
        pl.when(pl.col("_blank"))
        .then(pl.lit(1, pl.UInt64))
        .otherwise(_bits_expr(all_rules[1:]) * 2)
        .alias("_bits")
    )
    bit_col = pl.col("_bits")
    plan = (
        lazy.with_columns(texts)
        .with_columns(blank)
        .with_columns(**typed)
        .with_columns(bits)
        .select(
            *reject_keys,
            *contract,
            "_bits",
            *[
                (w.failing.fill_null(value=False) & (bit_col == 0)).alias(f"_w{i}")
                for i, w in enumerate(warnings)
            ],
            *[e.alias(name) for name, e in (extra or {}).items()],
        )
    )
    out = collect_source(source, plan)
    # Blank lines after the last row with content (an editor's or Excel's
    # trailing newlines) are not rows: drop them and say how many.
    # (Computed on single columns, so the frame is copied only when needed.)
    last = out.select(pl.col(ROW).filter(bit_col != 1).max()).item()
    trailing = (bit_col == 1) & (
        pl.lit(value=True) if last is None else pl.col(ROW) > last
    )
    n_trailing = int(out.select(trailing.sum()).item())
    if n_trailing:
        out = out.filter(trailing.not_())
    per_line = 2 if layout == "wide" else 1
    n_broken = len(source.broken) * per_line
    n_read = out.height + n_broken
    stats = out.select(
        *[
            ((bit_col & (1 << i)) != 0).sum().alias(f"_n{i}")
            for i in range(len(all_rules))
        ],
        *[pl.col(f"_w{i}").sum() for i in range(len(warnings))],
    ).row(0, named=True)
    rows: list[dict[str, object]] = []
    for i, r in enumerate(all_rules):
        n = int(stats[f"_n{i}"])
        rows.append(
            {
                "check": r.name,
                "column": alias.get(r.column, r.column) or None,
                "result": FAIL if n else PASS,
                "n_failing": n,
                "message": r.message,
            }
        )
    if source.format == "csv":
        rows.extend(_record_checks(source, per_line))
    for i, w in enumerate(warnings):
        n = int(stats[f"_w{i}"])
        rows.append(
            {
                "check": w.name,
                "column": w.column,
                "result": WARNING if n else PASS,
                "n_failing": n,
                "message": w.message
                + (_first_lines(source, out, f"_w{i}") if n else ""),
            }
        )
    if post is not None:
        rows.extend(post(out))
    rows.append(
        {
            "check": "no_rows",
            "column": None,
            "result": PASS if n_read else WARNING,
            "n_failing": 0,
            "message": "the file has a header but no rows"
            if source.format == "csv"
            else "the data has columns but no rows",
        }
    )
    rows.append(
        {
            "check": "trailing_blank_lines",
            "column": None,
            "result": WARNING if n_trailing else PASS,
            "n_failing": n_trailing,
            "message": "blank lines at the end of the file were not counted as "
            "rows (a wide marks line counts twice, AM and PM)",
        }
    )
    valid = out.filter(bit_col == 0).select(
        [pl.col(c).cast(d).alias(c) for c, d in contract.items()]
    )
    bad = out.filter(bit_col != 0).select(*reject_keys, "_bits")
    del out
    errors = pl.concat_list(
        [
            pl.when((bit_col & (1 << i)) != 0).then(pl.lit(r.name))
            for i, r in enumerate(all_rules)
        ]
    ).list.drop_nulls()
    if bad.height:
        bad_raw = collect_source(
            source,
            raw.join(bad.lazy(), on=list(reject_keys), how="inner").sort(
                list(reject_keys)
            ),
        )
    else:
        bad_raw = raw.clear().with_columns(_bits=pl.lit(0, pl.UInt64)).collect()
    rejects = bad_raw.select(
        pl.col(ROW).alias("row"),
        *[pl.col(prs.raw(c)).cast(pl.String).alias(c) for c in raw_columns],
        errors.alias("errors"),
    )
    if source.lines is not None:
        rejects = rejects.with_columns(source.lines_of(rejects["row"]).alias("row"))
    failures = _failures(rejects, all_rules, raw_columns, alias)
    if source.broken:
        rejects, failures = _with_broken(
            source, rejects, failures, raw_columns, wide=layout == "wide"
        )
    report = ValidationReport(
        name=kind, checks=checks_frame(rows), failures=failures, n_rows=n_read
    )
    result = ReadResult(
        valid=valid,
        rejects=rejects,
        report=report,
        n_read=n_read,
        path=source.path,
        format=source.format,
        layout=layout,
        encoding=source.encoding,
        columns=dict(source.headers),
        ignored_columns=source.ignored,
    )
    if strict and rejects.height:
        raise ValidationError(
            report.summary(),
            rejects=rejects,
            failures=failures,
            path=source.path,
            hint="fix the rows listed in the error's rejects frame, or read "
            "with strict=False to keep the valid rows",
        )
    return result


def _record_checks(source: Source, per_line: int) -> list[dict[str, object]]:
    """Return the report rows of the CSV record checks (broken and short lines)."""
    rows: list[dict[str, object]] = []
    for name, message in BROKEN_RULES.items():
        n = sum(per_line for b in source.broken if b.rule == name)
        rows.append(
            {
                "check": name,
                "column": None,
                "result": FAIL if n else PASS,
                "n_failing": n,
                "message": message,
            }
        )
    short = [] if source.short is None else source.short.tolist()
    first = f" (first lines: {', '.join(map(str, short[:5]))})" if short else ""
    rows.append(
        {
            "check": "too_few_fields",
            "column": None,
            "result": WARNING if short else PASS,
            "n_failing": len(short) * per_line,
            "message": "lines with fewer fields than the header were read with "
            "their missing last fields blank" + first,
        }
    )
    return rows


def _first_lines(source: Source, out: pl.DataFrame, flag: str) -> str:
    """Return `` (first lines: 4, 9, 12)`` for the rows where ``flag`` is set."""
    first = out.select(pl.col(ROW).filter(pl.col(flag)).head(5)).to_series()
    if source.format == "csv":
        shown = source.lines_of(first).unique(maintain_order=True).to_list()
        return f" (first lines: {', '.join(str(v) for v in shown)})"
    return f" (first rows: {', '.join(str(v) for v in first.to_list())})"


def _with_broken(
    source: Source,
    rejects: pl.DataFrame,
    failures: pl.DataFrame,
    raw_columns: Sequence[str],
    *,
    wide: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add the records the CSV parser could not split to rejects and failures."""
    sessions: list[str | None] = ["AM", "PM"] if wide else [None]
    lines = [b.line for b in source.broken for _ in sessions]
    data: dict[str, list[object]] = {"row": list(lines)}
    for c in raw_columns:
        data[c] = [
            s if (wide and c == "session") else None
            for _ in source.broken
            for s in sessions
        ]
    data["errors"] = [[b.rule] for b in source.broken for _ in sessions]
    broken = pl.DataFrame(data, schema=rejects.schema)
    rejects = pl.concat([rejects, broken]).sort("row", maintain_order=True)
    more = pl.DataFrame(
        {
            "row": lines,
            "column": [None] * len(lines),
            "check": [b.rule for b in source.broken for _ in sessions],
            "value": [b.detail for b in source.broken for _ in sessions],
        },
        schema=failures.schema,
    )
    failures = pl.concat([failures, more]).sort("row", maintain_order=True)
    return rejects, failures


def _failures(
    rejects: pl.DataFrame,
    rules: Sequence[RowRule],
    raw_columns: Sequence[str],
    alias: Mapping[str, str],
) -> pl.DataFrame:
    if rejects.height == 0:
        return pl.DataFrame(schema=FAILURES_SCHEMA)
    rule_column = {r.name: alias.get(r.column, r.column) for r in rules}
    long = (
        rejects.with_row_index("_i")
        .select("_i", "row", pl.col("errors").alias("check"))
        .explode("check")
        .with_columns(
            column=pl.col("check").replace_strict(rule_column, return_dtype=pl.String)
        )
    )
    values = (
        rejects.with_row_index("_i")
        .select("_i", *raw_columns)
        .unpivot(index="_i", variable_name="column", value_name="value")
    )
    return (
        long.join(values, on=["_i", "column"], how="left", maintain_order="left")
        .select("row", pl.col("column").replace("", None), "check", "value")
        .cast(FAILURES_SCHEMA)  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- marks

MARKS_FIELDS: tuple[Field, ...] = (
    Field("upn", ("unique_pupil_number", "pupil_upn", "upn_number")),
    Field("pupil_key", ()),
    Field("urn", ("school_urn", "establishment_urn", "urn_number")),
    Field(
        "date",
        ("session_date", "attendance_date", "mark_date", "register_date", "day"),
    ),
    Field("session", ("am_pm", "ampm", "session_name", "period")),
    Field("code", ("mark", "attendance_code", "attendance_mark", "reason_code")),
    Field("am", ("am_mark", "am_code", "morning", "am_session")),
    Field("pm", ("pm_mark", "pm_code", "afternoon", "pm_session")),
)


def _pupil_id(
    source: Source,
    fields: Sequence[Field],
    lazy: pl.LazyFrame,
    key: str | bytes | None,
) -> tuple[pl.LazyFrame, str, list[RowRule]]:
    """Attach ``pupil_key`` (hashing UPNs once each); return frame, id column, rules."""
    present = source.headers
    if "upn" in present and "pupil_key" in present:
        raise InputError(
            "the file has both a UPN column and a pupil_key column",
            path=source.path,
            row=1 if source.format == "csv" else None,
            column=present["pupil_key"],
            hint="keep one: UPNs are hashed into pupil_key when read",
        )
    if "upn" in present:
        secret = resolve_key(key)
        lazy = lazy.with_columns(compact_upn_expr(prs.raw("upn")).alias("_upn"))
        distinct = collect_source(source, lazy.select("_upn").unique())
        mapping = upn_map(distinct.get_column("_upn"), secret)
        lazy = lazy.join(mapping.lazy(), on="_upn", how="left", maintain_order="left")
        rules = [
            RowRule("upn_missing", "upn", "upn is blank", pl.col("_upn").is_null())
        ]
        rules += [
            RowRule(name, "upn", message, pl.col("_upn_rule") == name)
            for name, message in UPN_RULES.items()
        ]
        return lazy, "upn", rules
    if "pupil_key" in present:
        dtype = lazy.collect_schema()[prs.raw("pupil_key")]
        if dtype == pl.String:
            lazy = lazy.with_columns(
                prs.inline_text("pupil_key").alias(prs.text_name("pupil_key"))
            )
        parsed = prs.parse_pupil_key(dtype)
        lazy = lazy.with_columns(parsed.expr.alias("pupil_key"))
        return lazy, "pupil_key", list(parsed.rules)
    raise missing_columns_error(source, ["upn"], fields)


def _layout(source: Source) -> str:
    present = source.headers
    long_cols = {"session", "code"} & set(present)
    wide_cols = {"am", "pm"} & set(present)
    if long_cols and wide_cols:
        raise InputError(
            "the file has both long (session, code) and wide (am, pm) mark columns",
            path=source.path,
            row=1 if source.format == "csv" else None,
            hint="export one layout: upn,urn,date,session,code or upn,urn,date,am,pm",
        )
    if wide_cols:
        missing = sorted({"am", "pm"} - wide_cols)
        if missing:
            raise missing_columns_error(source, missing, MARKS_FIELDS)
        return "wide"
    missing = [c for c in ("session", "code") if c not in present]
    if missing:
        raise missing_columns_error(source, missing, MARKS_FIELDS)
    return "long"


def read_marks(
    path: str | PathLike[str],
    *,
    key: str | bytes | None = None,
    encoding: str | None = None,
    separator: str = ",",
    strict: bool = False,
    strict_code_dates: bool = False,
) -> ReadResult:
    r"""Read and validate a marks export (CSV, Parquet file or Parquet directory).

    Accepts the long layout (``upn,urn,date,session,code``: one row per mark)
    or the wide one (``upn,urn,date,am,pm``: one row per pupil per day);
    headers are matched case-insensitively after trimming, with common aliases
    (``school_urn``, ``session_date``, ``mark`` …). A ``pupil_key`` column may
    replace ``upn`` for exports that are already pseudonymised. UPNs are
    checked (length, format, LA code, DfE check letter) and turned into
    ``pupil_key`` with a keyed BLAKE2b hash, each distinct UPN once; the UPN
    never appears in ``valid``.

    Values: sessions ``AM``/``PM`` in any case; codes are trimmed and
    upper-cased (lower-case ``i`` is read as ``I``, counted under
    ``code_normalised`` in the report); ``-`` (no mark yet) is rejected.
    One mark per pupil, school, date and session (a rule of
    :func:`~makingdata.schemas.marks_rules`). A code used outside its
    validity dates (``J`` after 18 August 2024, ``H`` …) is kept and counted
    under its category, as DfE counts it (its 2025/26 in-year file does),
    and reported as the ``code_valid_on_date`` warning with its first lines;
    ``strict_code_dates=True`` rejects such marks instead.

    Dates: ``yyyy-mm-dd`` (ISO, always accepted), or day first as English
    MIS exports write them, ``dd/mm/yyyy`` or ``dd-mm-yyyy``: ``09/03/2024``
    is 9 March 2024. ``mm/dd/yyyy`` is not accepted (``09/13/2024`` is
    rejected as ``date_invalid``). Three warnings, never rejections, say when
    the dates look wrong: ``date_weekend`` counts marks on a Saturday or
    Sunday (schools rarely open then) with their first lines;
    ``date_formats_mixed`` says when a file mixes ISO and day-first dates;
    ``date_maybe_month_first`` says when every day-first date has a day of
    12 or less and more of them fall on a weekend read day first than read
    month first (a month-first export read the wrong way round).

    CSV files are scanned lazily with every column as text so that no bad
    value is lost. The encoding is detected (UTF-8 with or without BOM;
    UTF-16 with a BOM, or without one when every other byte is NUL; else
    latin-1) unless ``encoding`` is given. gzip, bzip2 and xz files and a
    zip holding one file are read as the file inside (by their bytes, not
    their name). Excel workbooks, other compressions, UTF-32 and binary
    files are refused with an :class:`~makingdata.errors.InputError`.

    A line that cannot be split into the header's fields is rejected with
    its line and the rest of the file is read: ``too_many_fields``,
    ``unbalanced_quote`` (a quote never closed, or closed only lines later
    so that the lines between do not make one row: the line with the quote
    is rejected and reading goes on at the next line) and ``bad_quoting``
    (text after a closing quote). A line with fewer fields than the header
    is read with its missing last fields blank (Excel writes such lines) and
    counted under the ``too_few_fields`` warning. A file in which no line
    can be split is an :class:`~makingdata.errors.InputError`. The row
    number of a reject is the file line it starts on (see ``ReadResult``).

    Parameters
    ----------
    path
        A ``.csv`` file (or a compressed one), a ``.parquet`` file or a
        hive-partitioned Parquet directory. In a hive directory, a folder
        such as ``date=2024-09-02/`` gives a ``date`` column; when the files
        hold a ``date`` column too, the two must agree (the files' own column
        is read), else an :class:`~makingdata.errors.InputError` names the
        partition.
    key
        Secret for the UPN hash (32 to 64 random bytes, see
        :func:`read_key_file`; ``key=read_key_file(path)`` for a key file);
        defaults to the ``MAKINGDATA_PSEUDONYM_KEY`` environment variable.
        Not needed when the export has ``pupil_key`` instead of ``upn``.
    encoding
        Text encoding of a CSV file (``"utf-8"``, ``"latin-1"`` …); detected
        when ``None``.
    separator
        CSV field separator.
    strict
        Raise :class:`~makingdata.errors.ValidationError` (carrying the
        rejects frame) if any row is rejected.
    strict_code_dates
        Reject marks whose code is not in force on their date (default:
        keep and count them, with a warning).

    Returns
    -------
    ReadResult
        ``valid`` marks in :data:`~makingdata.schemas.MARKS_SCHEMA`,
        ``rejects`` with every rule each row broke, and a report.

    Raises
    ------
    InputError
        If the input cannot be used at all: missing or empty file, no header,
        a different delimiter, missing, duplicate or misspelt required
        columns (the closest header is suggested), no pseudonym key, a
        workbook, binary, UTF-32 or unreadable compressed file, a Parquet
        file that cannot be read, no line that splits into the header's
        fields, or a hive partition column (``date=…``) whose value inside
        the files disagrees with its folder.
    ValidationError
        With ``strict=True``, if any row is rejected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.io import read_marks
    >>> p = pathlib.Path(tempfile.mkdtemp(), "marks.csv")
    >>> _ = p.write_text(
    ...     "upn,urn,date,session,code\n"
    ...     "B801200005001,100001,2024-09-02,AM,/\n"
    ...     "B801200005001,100001,2024-09-02,PM,J\n"
    ... )
    >>> result = read_marks(p, key="example-key-xtdrHM3hka0or0zXRGAmVBEQ")
    >>> result.valid.columns, result.valid.height
    (['urn', 'pupil_key', 'date', 'session', 'code'], 2)
    >>> checks = result.report.checks
    >>> checks.filter(check="code_valid_on_date")["result"].to_list()
    ['WARNING']
    >>> strict = read_marks(
    ...     p, key="example-key-xtdrHM3hka0or0zXRGAmVBEQ", strict_code_dates=True
    ... )
    >>> strict.rejects["errors"].to_list()
    [['code_valid_on_date']]
    """
    return read_source(
        path,
        MARKS_FIELDS,
        lambda source: _read_marks(
            source, key=key, strict=strict, strict_code_dates=strict_code_dates
        ),
        encoding=encoding,
        separator=separator,
    )


def _read_marks(
    source: Source,
    *,
    key: str | bytes | None,
    strict: bool,
    strict_code_dates: bool = False,
) -> ReadResult:
    present = source.headers
    layout = _layout(source)
    missing = [c for c in ("urn", "date") if c not in present]
    if "upn" not in present and "pupil_key" not in present:
        missing.insert(0, "upn")
    if missing:
        raise missing_columns_error(source, missing, MARKS_FIELDS)
    id_col = "upn" if "upn" in present else "pupil_key"
    lf = source.lazy.rename({c: prs.raw(c) for c in present})
    if layout == "wide":
        lf = lf.with_columns(
            pl.concat_list(pl.lit("AM"), pl.lit("PM")).alias(prs.raw("session")),
            pl.concat_list(
                pl.col(prs.raw("am")).cast(pl.String),
                pl.col(prs.raw("pm")).cast(pl.String),
            ).alias(prs.raw("code")),
        ).explode([prs.raw("session"), prs.raw("code")])
    raw_columns = [id_col, "urn", "date", "session", "code"]
    raw = lf.select(ROW, *[prs.raw(c) for c in raw_columns])
    lazy, id_col, id_rules = _pupil_id(source, MARKS_FIELDS, raw, key)
    schema = raw.collect_schema()
    urn = prs.parse_urn(schema[prs.raw("urn")])
    date = prs.parse_date(
        schema[prs.raw("date")],
        "date",
        required=True,
        earliest=MARK_DATES[0],
        latest=MARK_DATES[1],
    )
    session = prs.parse_session(schema[prs.raw("session")])
    code, normalised = prs.parse_code(schema[prs.raw("code")])
    dated = schema[prs.raw("date")] == pl.String
    checked = {"duplicate_mark"} | (
        {"code_valid_on_date"} if strict_code_dates else set()
    )
    data_rules = [r for r in marks_rules() if r.name in checked]
    # DfE counts a code used outside its dates: by default a warning, not a reject
    code_dates = [
        r
        for r in marks_rules()
        if r.name == "code_valid_on_date" and not strict_code_dates
    ]
    typed = {
        "urn": urn.expr,
        "date": date.expr,
        "session": session.expr,
        "code": code.expr,
    }
    return finish(
        source,
        kind="marks",
        lazy=lazy,
        raw=raw,
        reject_keys=(ROW, prs.raw("session")) if layout == "wide" else (ROW,),
        # In the wide layout the session is made from the column name, not read.
        blank_columns=[c for c in raw_columns if c != "session"]
        if layout == "wide"
        else None,
        raw_columns=raw_columns,
        typed=typed,
        rules=[
            *id_rules,
            *urn.rules,
            *date.rules,
            *session.rules,
            *code.rules,
            *data_rules,
        ],
        warnings=[normalised, prs.weekend_rule("date"), *code_dates],
        extra={"_date_shape": prs.date_shape(prs.text("date"))} if dated else None,
        post=(lambda out: prs.date_format_checks(out, shape="_date_shape"))
        if dated
        else None,
        contract=MARKS_SCHEMA,
        column_alias={"pupil_key": id_col},
        layout=layout,
        strict=strict,
    )


# ---------------------------------------------------------------- enrolments

ENROLMENTS_FIELDS: tuple[Field, ...] = (
    Field("upn", ("unique_pupil_number", "pupil_upn")),
    Field("pupil_key", ()),
    Field("urn", ("school_urn", "establishment_urn")),
    Field(
        "enrol_start",
        ("entry_date", "admission_date", "start_date", "date_of_admission"),
    ),
    Field(
        "enrol_end",
        ("leaving_date", "actual_leaving_date", "end_date", "date_of_leaving"),
    ),
    Field("date_of_birth", ("dob", "birth_date")),
    Field("age_at_31_august", ("age", "age_at_start_of_year")),
    Field(
        "year_group",
        (
            "nc_year",
            "ncyearactual",
            "nc_year_actual",
            "year",
            "national_curriculum_year",
        ),
    ),
    Field("sex", ("gender",)),
    Field("ethnicity_major", ("ethnicity", "ethnic_group", "ethnicity_major_group")),
    Field("fsm_eligible", ("fsm", "fsm_eligibility", "free_school_meals")),
    Field("sen_provision", ("sen", "sen_status", "senprovision")),
    Field("looked_after", ("cla", "lac", "looked_after_child", "in_care")),
    Field("child_in_need", ("cin",)),
)

_SEX = {s.value.lower(): s.value for s in Sex} | {
    "m": Sex.MALE.value,
    "f": Sex.FEMALE.value,
    "u": Sex.UNKNOWN.value,
}
_ETHNICITY = {e.value.lower(): e.value for e in EthnicityMajor} | {
    "white": EthnicityMajor.WHITE.value,
    "mixed": EthnicityMajor.MIXED.value,
    "asian": EthnicityMajor.ASIAN.value,
    "black": EthnicityMajor.BLACK.value,
    "other": EthnicityMajor.OTHER.value,
}
_SEN = {s.value.lower(): s.value for s in SenProvision} | {
    "n": SenProvision.NONE.value,
    "no sen": SenProvision.NONE.value,
    "k": SenProvision.SEN_SUPPORT.value,
    "sen support": SenProvision.SEN_SUPPORT.value,
    "e": SenProvision.EHC_PLAN.value,
    "ehc plan": SenProvision.EHC_PLAN.value,
    "ehcp": SenProvision.EHC_PLAN.value,
}
_YEAR = (
    {y.value.lower(): y.value for y in YearGroup}
    | {f"y{y.value}".lower(): y.value for y in YearGroup if y.value.isdigit()}
    | {f"year {y.value}": y.value for y in YearGroup if y.value.isdigit()}
)


def read_enrolments(
    path: str | PathLike[str],
    *,
    key: str | bytes | None = None,
    encoding: str | None = None,
    separator: str = ",",
    strict: bool = False,
) -> ReadResult:
    r"""Read and validate an enrolments export (one row per pupil per school spell).

    Required: ``upn`` (or ``pupil_key``), ``urn``, ``enrol_start``. Optional
    (null when the column is absent): ``enrol_end`` (blank = still on roll),
    ``date_of_birth``, ``age_at_31_august``, ``year_group`` (``R``, ``1``–``14``,
    ``Y7``, ``Year 7`` …), ``sex`` (``M``/``F``/``U`` or the EES labels),
    ``ethnicity_major`` (EES labels or their first word), ``fsm_eligible``,
    ``looked_after``, ``child_in_need`` (true/false, yes/no, y/n, 1/0),
    ``sen_provision`` (CBDS ``N``/``K``/``E`` or the EES labels). Header
    aliases, encodings, date formats and UPN hashing are as in
    :func:`read_marks`; every rule of
    :func:`~makingdata.schemas.enrolments_rules` is applied too.

    Parameters
    ----------
    path
        A ``.csv`` file, a ``.parquet`` file or a Parquet directory.
    key
        Secret for the UPN hash (as for :func:`read_marks`); defaults to
        ``MAKINGDATA_PSEUDONYM_KEY``.
    encoding
        CSV text encoding; detected when ``None``.
    separator
        CSV field separator.
    strict
        Raise :class:`~makingdata.errors.ValidationError` if any row is rejected.

    Returns
    -------
    ReadResult
        ``valid`` spells in :data:`~makingdata.schemas.ENROLMENTS_SCHEMA`.

    Raises
    ------
    InputError
        If the input cannot be used at all (as :func:`read_marks`).
    ValidationError
        With ``strict=True``, if any row is rejected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.io import read_enrolments
    >>> p = pathlib.Path(tempfile.mkdtemp(), "spells.csv")
    >>> _ = p.write_text(
    ...     "UPN,URN,Admission Date,Leaving Date,Sex,FSM,SEN\n"
    ...     "B801200005001,100001,02/09/2024,,F,Y,K\n"
    ...     "B801200005001,100002,01/09/2025,31/08/2025,F,N,X\n"
    ... )
    >>> result = read_enrolments(p, key="example-key-xtdrHM3hka0or0zXRGAmVBEQ")
    >>> result.valid.select("sex", "fsm_eligible", "sen_provision").row(0)
    ('Female', True, 'SEN support / SEN without an EHC plan')
    >>> result.rejects["errors"].to_list()
    [['sen_provision_invalid', 'enrol_start_after_end']]
    """
    return read_source(
        path,
        ENROLMENTS_FIELDS,
        lambda source: _read_enrolments(source, key=key, strict=strict),
        encoding=encoding,
        separator=separator,
    )


def _read_enrolments(
    source: Source, *, key: str | bytes | None, strict: bool
) -> ReadResult:
    present = source.headers
    missing = [c for c in ("urn", "enrol_start") if c not in present]
    if "upn" not in present and "pupil_key" not in present:
        missing.insert(0, "upn")
    if missing:
        raise missing_columns_error(source, missing, ENROLMENTS_FIELDS)
    id_col = "upn" if "upn" in present else "pupil_key"
    names = [
        f.name
        for f in ENROLMENTS_FIELDS
        if f.name in present and f.name != ("pupil_key" if id_col == "upn" else "upn")
    ]
    lf = source.lazy.rename({c: prs.raw(c) for c in present}).select(
        ROW, *[prs.raw(c) for c in names]
    )
    # Optional columns that are absent become null text, so one code path reads them.
    absent = [
        c for c in ENROLMENTS_SCHEMA if c not in present and c not in {"pupil_key"}
    ]
    raw = lf.with_columns([pl.lit(None, pl.String).alias(prs.raw(c)) for c in absent])
    lazy, id_col, id_rules = _pupil_id(source, ENROLMENTS_FIELDS, raw, key)
    s = raw.collect_schema()
    parsed = [
        prs.parse_urn(s[prs.raw("urn")]),
        prs.parse_date(s[prs.raw("enrol_start")], "enrol_start", required=True),
        prs.parse_date(s[prs.raw("enrol_end")], "enrol_end", required=False),
        prs.parse_date(s[prs.raw("date_of_birth")], "date_of_birth", required=False),
        prs.parse_uint(
            s[prs.raw("age_at_31_august")],
            "age_at_31_august",
            pl.UInt8(),
            digits=r"^\d{1,2}$",
            what="a whole number of years",
        ),
        prs.parse_enum(
            s[prs.raw("year_group")],
            "year_group",
            YEAR_GROUP_DTYPE,
            _YEAR,
            what="an NC year (E1, E2, N1, N2, R, 1-14, X)",
        ),
        prs.parse_enum(
            s[prs.raw("sex")],
            "sex",
            SEX_DTYPE,
            _SEX,
            what="M, F, U or Male, Female, Unknown",
        ),
        prs.parse_enum(
            s[prs.raw("ethnicity_major")],
            "ethnicity_major",
            ETHNICITY_DTYPE,
            _ETHNICITY,
            what="a major ethnic group (EES label)",
        ),
        prs.parse_bool(s[prs.raw("fsm_eligible")], "fsm_eligible"),
        prs.parse_enum(
            s[prs.raw("sen_provision")],
            "sen_provision",
            SEN_PROVISION_DTYPE,
            _SEN,
            what="N, K, E or an EES SEN provision label",
        ),
        prs.parse_bool(s[prs.raw("looked_after")], "looked_after"),
        prs.parse_bool(s[prs.raw("child_in_need")], "child_in_need"),
    ]
    typed_names = [c for c in ENROLMENTS_SCHEMA if c != "pupil_key"]
    typed = {name: p.expr for name, p in zip(typed_names, parsed, strict=True)}
    data_rules = [
        r
        for r in enrolments_rules()
        if r.name
        in {
            "enrol_start_after_end",
            "born_after_enrol_start",
            "age_range",
            "duplicate_spell",
            "overlapping_spell",
        }
    ]
    raw_columns = [id_col, *typed_names]
    return finish(
        source,
        kind="enrolments",
        lazy=lazy,
        raw=raw,
        raw_columns=raw_columns,
        typed=typed,
        rules=[*id_rules, *(r for p in parsed for r in p.rules), *data_rules],
        contract=ENROLMENTS_SCHEMA,
        column_alias={"pupil_key": id_col},
        strict=strict,
    )
