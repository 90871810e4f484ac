"""EES open-data files: the rules, and the checker of a data file and its ``.meta.csv``.

The rules are DfE's open data standards for Explore Education Statistics
(analysts' guide, "Open Data Standards"; the reference lists of DfE's
``eesyscreener``): file names, snake_case headers, the mandatory time and
geography columns, the allowed ``time_identifier`` and ``geographic_level``
values with their columns, the hierarchy rule, filters with a ``Total``,
indicators as numbers or the GSS symbols ``z x c low`` (never blank), and the
metadata file's columns and values. :func:`~makingdata.publish.write_ees` and
:func:`check_ees` run the same checks (:data:`EES_RULES`): the writer refuses
to write a file that breaks one, the checker lists every problem of an
existing pair. The vocabulary (levels, geography columns, time identifiers,
symbols) is :mod:`makingdata.tables`'.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.errors import InputError
from makingdata.tables import (
    CHAIN,
    CHAIN_COLUMNS,
    COUNTRY_CODES,
    EES_SYMBOLS,
    GEOGRAPHIES,
    LEGACY_SYMBOLS,
    PERIOD_COLUMNS,
    TIME_IDENTIFIERS,
    UNLISTED_SYMBOLS,
    TableSpec,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from os import PathLike

__all__ = [
    "EES_GEOGRAPHIES",
    "EES_META_COLUMNS",
    "EES_RULES",
    "EES_SYMBOLS",
    "EES_TIME_IDENTIFIERS",
    "EesCheck",
    "check_ees",
]

#: Allowed ``time_identifier`` values by group, with the digits of
#: ``time_period``: :data:`makingdata.tables.TIME_IDENTIFIERS`, kept under its
#: old name for compatibility.
EES_TIME_IDENTIFIERS: Mapping[str, tuple[tuple[str, ...], int]] = TIME_IDENTIFIERS

EES_GEOGRAPHIES: Mapping[str, tuple[str | None, str, tuple[str, ...]]] = {
    label: (g.code, g.name, g.extra) for label, g in GEOGRAPHIES.items()
}
"""``geographic_level`` values: (code column, name column, other required columns).

Built from :data:`makingdata.tables.GEOGRAPHIES` (the one definition), in the
shape this mapping had before 0.2.
"""

EES_META_COLUMNS: tuple[str, ...] = (
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
)
"""Columns of a ``.meta.csv``, in order (``filter_default`` is optional, last)."""
_META_OPTIONAL = ("filter_default",)
_UNITS = ("", "£", "£m", "%", "pp", "numberstring")
_MANDATORY = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
)
#: Period columns of attendance tables beside time_period/time_identifier:
#: filters in EES terms (dates as yyyy-mm-dd), but part of the period.
_PERIOD_FILTERS = PERIOD_COLUMNS
#: Time and geography columns ("observational units"): no meta row.
_OB_UNITS: frozenset[str] = frozenset(
    {"time_period", "time_identifier", "geographic_level"}
    | {c for g in GEOGRAPHIES.values() for c in g.columns}
)
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE = re.compile(r"^[a-z0-9_-]+\.csv$")

EES_RULES: Mapping[str, tuple[str, str]] = {
    "file_name": ("error", "file names are lower case letters, digits, _ and -, ending .csv"),
    "meta_file_name": ("error", "the metadata file is named <datafile>.meta.csv"),
    "meta_missing": ("error", "every data file has a metadata file"),
    "encoding": ("error", "files are UTF-8"),
    "col_name_format": ("error", "column names are snake_case: a-z, 0-9 and _, not starting with a digit"),
    "col_name_duplicate": ("error", "column names are unique"),
    "col_name_length": ("warning", "column names are at most 50 characters (API standard)"),
    "mandatory_column": ("error", "time_period, time_identifier, geographic_level, country_code and country_name are in every file"),
    "time_period": ("error", "time_period is 4 digits (YYYY) or 6 digits of consecutive years (YYYYNN)"),
    "time_identifier": ("error", "time_identifier is one of the allowed values (Week 1 to Week 52, terms, years, ...)"),
    "time_identifier_mixed": ("error", "time_identifier values come from one group"),
    "time_period_digits": ("error", "time_period has the digits of its time_identifier's group"),
    "geographic_level": ("error", "geographic_level is one of the allowed levels"),
    "geography_column": ("error", "a file with rows at a level has that level's geography columns"),
    "geography_blank": ("error", "a row fills the geography columns of its own and higher levels"),
    "geography_overfilled": ("error", "a row leaves the geography columns of lower levels blank"),
    "country_code": ("error", "country_code is a known country code"),
    "school_rows_separate": ("error", "School rows go in their own file, not mixed with other levels"),
    "duplicate_row": ("error", "no two rows have the same time, geography and filter values"),
    "filter_total": ("error", "every filter has a Total row (date and period filters such as half_term excepted)"),
    "filter_blank": ("error", "filter cells are never blank"),
    "filter_item_length": ("warning", "filter items and location names are at most 120 characters (API standard)"),
    "indicator_blank": ("error", "indicator cells are never blank: use a symbol (z, x, c, low)"),
    "indicator_legacy_symbol": ("error", "the legacy symbols : ~ . are not used"),
    "indicator_symbol_unlisted": ("warning", "k and u are GSS symbols the EES screener does not list"),
    "indicator_not_number": ("error", "indicator cells are numbers (no commas, no £, no %) or a GSS symbol"),
    "data_not_in_meta": ("warning", "every data column with more than one value is a time or geography column or has a meta row"),
    "meta_columns": ("error", "the metadata file has the columns col_name, col_type, label, indicator_grouping, indicator_unit, indicator_dp, filter_hint, filter_grouping_column, in that order"),
    "meta_col_name": ("error", "every meta row names a column of the data file"),
    "meta_col_name_duplicate": ("error", "a column has one meta row"),
    "meta_ob_unit": ("error", "time and geography columns have no meta row"),
    "meta_col_type": ("error", "col_type is Filter or Indicator"),
    "meta_label": ("error", "every meta row has a label"),
    "meta_label_duplicate": ("error", "labels are unique"),
    "meta_label_length": ("warning", "labels are at most 80 characters (API standard)"),
    "meta_indicator_unit": ("error", "indicator_unit is blank, £, £m, %, pp or numberstring"),
    "meta_percent_unit": ("warning", "a _percent indicator has the unit %"),
    "meta_indicator_dp": ("warning", "every indicator has indicator_dp, a whole number"),
    "meta_filter_fields": ("error", "filters have no indicator_grouping, indicator_unit or indicator_dp; indicators no filter_hint or filter_grouping_column"),
    "meta_filter_single_level": ("error", "filters with one level are not listed in the meta file"),
    "meta_filter_grouping": ("error", "a filter_grouping_column is a data column with no meta row of its own"),
}  # fmt: skip
"""Every rule :func:`check_ees` applies: id -> (severity, what it requires).

Severity ``error`` stops :func:`~makingdata.publish.write_ees`; ``warning`` does not.
"""


@attrs.frozen
class EesCheck:
    """Every problem found in an EES data file and its metadata.

    Attributes
    ----------
    data
        The data file checked.
    meta
        The metadata file checked (``None`` if there was none).
    rows
        Data rows read.
    problems
        One row per problem: ``file``, ``row`` (line of the file, header =
        line 1; null for the whole file or column), ``column``, ``rule`` (an id
        of :data:`EES_RULES`), ``severity`` (``error`` or ``warning``) and
        ``message``.
    """

    data: Path
    meta: Path | None
    rows: int
    problems: pl.DataFrame

    @property
    def ok(self) -> bool:
        """Whether no rule of severity ``error`` is broken."""
        return self.errors.height == 0

    @property
    def errors(self) -> pl.DataFrame:
        """The problems of severity ``error``."""
        return self.problems.filter(pl.col("severity") == "error")

    @property
    def warnings(self) -> pl.DataFrame:
        """The problems of severity ``warning``."""
        return self.problems.filter(pl.col("severity") == "warning")

    def summary(self) -> pl.DataFrame:
        """Count problems per rule, with the first example of each.

        Returns
        -------
        polars.DataFrame
            ``rule``, ``severity``, ``problems``, ``first`` (file, row, column
            and message of the first one).
        """
        p = self.problems.with_columns(
            where=pl.concat_str(
                pl.col("file"),
                pl.lit(", row ") + pl.col("row").cast(pl.String),
                pl.lit(", column ") + pl.col("column"),
                ignore_nulls=True,
            )
        )
        return (
            p.group_by("rule", "severity", maintain_order=True)
            .agg(
                pl.len().alias("problems"),
                (pl.col("where") + pl.lit(": ") + pl.col("message"))
                .first()
                .alias("first"),
            )
            .sort("severity", "rule")
        )

    def __str__(self) -> str:
        head = (
            f"{self.data.name}: {self.rows} rows, {self.errors.height} errors, "
            f"{self.warnings.height} warnings"
        )
        lines = [head]
        for rule, severity, n, first in self.summary().iter_rows():
            lines.append(f"  {severity} {rule} ({n}): {first}")
        return "\n".join(lines)


# --- the checks -------------------------------------------------------------

_PROBLEM_SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "message": pl.String,
}


class _Problems:
    """Collects problems as frames (cells) and single rows (files, columns)."""

    def __init__(self) -> None:
        self.parts: list[pl.DataFrame] = []

    def add(
        self,
        file: str,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.parts.append(
            pl.DataFrame(
                [[file], [row], [column], [rule], [EES_RULES[rule][0]], [message]],
                schema=_PROBLEM_SCHEMA,
                orient="col",
            )
        )

    def cells(  # noqa: PLR0917 - private, called once per rule
        self,
        frame: pl.DataFrame,
        file: str,
        rule: str,
        mask: pl.Expr,
        message: pl.Expr,
        column: str | None,
    ) -> None:
        """Add one problem per row of ``frame`` (with ``__line``) where ``mask`` holds."""
        # mask and message on the whole frame, then filter: formatting the
        # filtered rows of a string view column can panic in polars 2.1
        hit = frame.select(
            mask.fill_null(value=False).alias("__hit"),
            pl.lit(file).alias("file"),
            pl.col("__line").cast(pl.Int64).alias("row"),
            pl.lit(column, pl.String).alias("column"),
            pl.lit(rule).alias("rule"),
            pl.lit(EES_RULES[rule][0]).alias("severity"),
            message.cast(pl.String).alias("message"),
        ).filter(pl.col("__hit"))
        if hit.height:
            self.parts.append(hit.drop("__hit"))

    def frame(self) -> pl.DataFrame:
        if not self.parts:
            return pl.DataFrame(schema=_PROBLEM_SCHEMA)
        return pl.concat(self.parts, how="vertical")


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")


def _check_names(p: _Problems, data_path: Path, meta_path: Path | None) -> None:
    name = data_path.name
    if not _FILE.match(name) or name.endswith(".meta.csv"):
        p.add(
            name,
            "file_name",
            f"{name!r} is not an EES data file name: use lower case letters, "
            "digits, _ and - and end it .csv (e.g. pupil_attendance_la.csv)",
        )
    if meta_path is not None and meta_path.name != data_path.name[:-4] + ".meta.csv":
        p.add(
            meta_path.name,
            "meta_file_name",
            f"the metadata of {name!r} must be named "
            f"{data_path.name[:-4] + '.meta.csv'!r}",
        )


def _check_header(p: _Problems, file: str, header: Sequence[str]) -> None:
    seen: set[str] = set()
    for col in header:
        if not _SNAKE.match(col):
            p.add(
                file,
                "col_name_format",
                f"{col!r} is not snake_case: rename it with lower case letters, "
                "digits and _ only, starting with a letter",
                row=1,
                column=col,
            )
        if len(col) > 50:
            p.add(
                file,
                "col_name_length",
                f"{col!r} is {len(col)} characters (at most 50)",
                row=1,
                column=col,
            )
        if col in seen:
            p.add(
                file,
                "col_name_duplicate",
                f"{col!r} appears twice in the header",
                row=1,
                column=col,
            )
        seen.add(col)
    for col in _MANDATORY:
        if col not in header:
            p.add(
                file,
                "mandatory_column",
                f"the file has no {col!r} column (every EES file has "
                "time_period, time_identifier, geographic_level, country_code, country_name)",
                row=1,
                column=col,
            )


def _check_time(p: _Problems, file: str, d: pl.DataFrame) -> None:
    if "time_period" in d.columns:
        tp = pl.col("time_period").str.strip_chars()
        six = tp.str.contains(r"^[0-9]{6}$")
        first = tp.str.slice(0, 4).cast(pl.Int64, strict=False)
        last = tp.str.slice(4, 2).cast(pl.Int64, strict=False)
        bad = _blank("time_period") | ~(
            tp.str.contains(r"^[0-9]{4}$") | (six & (last == (first + 1) % 100))
        )
        p.cells(
            d,
            file,
            "time_period",
            bad.fill_null(value=True),
            pl.format(
                "time_period '{}' is not YYYY or YYYYNN with consecutive years (e.g. 202526)",
                pl.col("time_period").fill_null(""),
            ),
            "time_period",
        )
    if "time_identifier" not in d.columns:
        return
    group_of = {v: g for g, (vals, _) in TIME_IDENTIFIERS.items() for v in vals}
    digits_of = {g: n for g, (_, n) in TIME_IDENTIFIERS.items()}
    ti = pl.col("time_identifier")
    allowed = list(group_of)
    week53 = ti.str.contains(r"^Week (5[3-9]|[6-9][0-9])$").fill_null(value=False)
    p.cells(
        d,
        file,
        "time_identifier",
        week53,
        pl.format(
            "'{}' is not an EES time_identifier: EES allows Week 1 to Week 52; "
            "publish ISO week 53 with week 52 or week 1 of the next year, or as dates",
            ti,
        ),
        "time_identifier",
    )
    p.cells(
        d,
        file,
        "time_identifier",
        (~ti.is_in(allowed) | ti.is_null()) & ~week53,
        pl.format(
            "'{}' is not an EES time_identifier (e.g. Academic year, Autumn term, Week 1..Week 52)",
            ti.fill_null(""),
        ),
        "time_identifier",
    )
    groups = d.select(ti.replace_strict(group_of, default=None).alias("g"))["g"]
    present = [g for g in groups.unique(maintain_order=True).to_list() if g is not None]
    if len(present) > 1:
        p.add(
            file,
            "time_identifier_mixed",
            f"time_identifier mixes groups {present}: put each group in its own file",
            column="time_identifier",
        )
    if "time_period" in d.columns and present:
        need = ti.replace_strict(group_of, default=None).replace_strict(
            digits_of, default=None, return_dtype=pl.Int64
        )
        have = pl.col("time_period").str.strip_chars().str.len_chars().cast(pl.Int64)
        p.cells(
            d,
            file,
            "time_period_digits",
            (need.is_not_null() & (have != need)).fill_null(value=False),
            pl.format(
                "time_period '{}' does not fit time_identifier '{}' ({} digits expected)",
                pl.col("time_period"),
                ti,
                need.cast(pl.String),
            ),
            "time_period",
        )


def _check_geography(p: _Problems, file: str, d: pl.DataFrame) -> None:  # noqa: PLR0912 - one loop per rule
    if "geographic_level" not in d.columns:
        return
    lv = pl.col("geographic_level")
    p.cells(
        d,
        file,
        "geographic_level",
        ~lv.is_in(list(GEOGRAPHIES)) | lv.is_null(),
        pl.format(
            "'{}' is not an EES geographic_level (National, Regional, Local authority, School, MAT, ...)",
            lv.fill_null(""),
        ),
        "geographic_level",
    )
    levels = [x for x in d["geographic_level"].unique().to_list() if x in GEOGRAPHIES]
    if "School" in levels and len(levels) > 1:
        first = d.filter(lv == "School")["__line"][0]
        p.add(
            file,
            "school_rows_separate",
            f"School rows are mixed with {sorted(x for x in levels if x != 'School')} rows: "
            "write the School rows to a file of their own",
            row=int(first),
            column="geographic_level",
        )
    for level in levels:
        need = list(GEOGRAPHIES[level].columns)
        if level in CHAIN:
            rank = CHAIN.index(level)
            need += [
                c
                for above in CHAIN[:rank]
                for c in CHAIN_COLUMNS[above]
                if c in d.columns
            ]
        need = list(dict.fromkeys(need))
        for col in need:
            if col not in d.columns:
                p.add(
                    file,
                    "geography_column",
                    f"the file has {level} rows but no {col!r} column",
                    column=col,
                )
                continue
            blank = _blank(col)
            if level in {"Local authority", "School"} and col == "new_la_code":
                # a legacy LA with no 9-character code has a blank new_la_code
                blank = (
                    blank & _blank("old_la_code")
                    if "old_la_code" in d.columns
                    else blank
                )
            p.cells(
                d,
                file,
                "geography_blank",
                (lv == level) & blank,
                pl.lit(f"a {level} row has a blank {col!r}"),
                col,
            )
        if level in CHAIN:
            rank = CHAIN.index(level)
            below = [c for lower in CHAIN[rank + 1 :] for c in CHAIN_COLUMNS[lower]]
            below = [c for c in below if c in d.columns and c not in need]
            if level != "School":
                below += [c for c in ("trust_id", "trust_name") if c in d.columns]
            for col in below:
                p.cells(
                    d,
                    file,
                    "geography_overfilled",
                    (lv == level) & ~_blank(col),
                    pl.format(
                        "a {} row has {} = '{}': leave the columns of lower levels blank",
                        pl.lit(level),
                        pl.lit(col),
                        pl.col(col),
                    ),
                    col,
                )
    if "country_code" in d.columns:
        cc = pl.col("country_code").str.strip_chars()
        p.cells(
            d,
            file,
            "country_code",
            ~_blank("country_code") & ~cc.is_in(list(COUNTRY_CODES)),
            pl.format(
                "'{}' is not a country code EES knows (England is E92000001)",
                pl.col("country_code"),
            ),
            "country_code",
        )
    for col in ("country_name", "region_name", "la_name", "school_name", "trust_name"):
        if col in d.columns:
            p.cells(
                d,
                file,
                "filter_item_length",
                pl.col(col).str.len_chars() > 120,
                pl.lit("location name longer than 120 characters"),
                col,
            )


def _check_filters(
    p: _Problems, file: str, d: pl.DataFrame, filters: Sequence[str]
) -> None:
    for col in filters:
        if col not in d.columns:
            continue
        p.cells(
            d,
            file,
            "filter_blank",
            _blank(col),
            pl.lit(
                f"blank {col!r}: every row needs a filter value (use Total, Unknown or Not applicable)"
            ),
            col,
        )
        values = d[col].drop_nulls()
        is_date = values.len() > 0 and bool(values.str.contains(_DATE).all())
        if (
            col not in _PERIOD_FILTERS
            and not is_date
            and not bool((values == "Total").any())
        ):
            p.add(
                file,
                "filter_total",
                f"filter {col!r} has no 'Total' row: add the rows for all of its "
                "categories together, labelled Total",
                column=col,
            )
        p.cells(
            d,
            file,
            "filter_item_length",
            pl.col(col).str.len_chars() > 120,
            pl.lit("filter item longer than 120 characters"),
            col,
        )


def _check_indicators(
    p: _Problems, file: str, d: pl.DataFrame, indicators: Sequence[str]
) -> None:
    for col in indicators:
        if col not in d.columns:
            continue
        v = pl.col(col).str.strip_chars()
        blank = _blank(col)
        legacy = v.is_in(list(LEGACY_SYMBOLS))
        unlisted = v.is_in(list(UNLISTED_SYMBOLS))
        p.cells(
            d,
            file,
            "indicator_blank",
            blank,
            pl.lit(
                "blank indicator cell: write z (not applicable), x (not available), c (suppressed) or low"
            ),
            col,
        )
        p.cells(
            d,
            file,
            "indicator_legacy_symbol",
            legacy & ~blank,
            pl.format(
                "legacy symbol '{}': use x (not available) or z (not applicable)",
                pl.col(col),
            ),
            col,
        )
        p.cells(
            d,
            file,
            "indicator_symbol_unlisted",
            unlisted & ~blank,
            pl.format(
                "symbol '{}' is not one the EES screener lists (z, x, c, low)",
                pl.col(col),
            ),
            col,
        )
        p.cells(
            d,
            file,
            "indicator_not_number",
            ~blank
            & ~legacy
            & ~unlisted
            & ~v.is_in(list(EES_SYMBOLS))
            & ~v.str.contains(_NUMBER),
            pl.format(
                "'{}' is neither a number nor a GSS symbol (z, x, c, low)", pl.col(col)
            ),
            col,
        )


def _check_duplicates(
    p: _Problems, file: str, d: pl.DataFrame, indicators: Sequence[str]
) -> None:
    keys = [c for c in d.columns if c not in indicators and c != "__line"]
    if not keys or d.height == 0:
        return
    p.cells(
        d,
        file,
        "duplicate_row",
        pl.struct(keys).is_duplicated(),
        pl.lit("another row has the same time, geography and filter values"),
        None,
    )


def _check_meta(
    p: _Problems, file: str, meta: pl.DataFrame, d: pl.DataFrame
) -> tuple[list[str], list[str]]:
    """Check the meta frame; return (filters, indicators) it declares."""
    cols = list(meta.columns)
    expected = list(EES_META_COLUMNS)
    if cols[: len(expected)] != expected or any(
        c not in _META_OPTIONAL for c in cols[len(expected) :]
    ):
        missing = [c for c in expected if c not in cols]
        extra = [c for c in cols if c not in expected and c not in _META_OPTIONAL]
        what = []
        if missing:
            what.append(f"missing {missing}")
        if extra:
            what.append(f"unknown {extra}")
        if not what:
            what.append("columns out of order")
        p.add(
            file,
            "meta_columns",
            f"metadata columns: {'; '.join(what)}. Expected {', '.join(expected)}",
            row=1,
        )
    m = meta.with_row_index("__line", offset=2)
    for c in EES_META_COLUMNS:
        if c not in m.columns:
            m = m.with_columns(pl.lit(None, pl.String).alias(c))
    name, ctype = pl.col("col_name"), pl.col("col_type")
    p.cells(
        m,
        file,
        "meta_col_name",
        _blank("col_name"),
        pl.lit("blank col_name"),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_col_name",
        ~_blank("col_name") & ~name.is_in(d.columns) & ~name.is_in(list(_OB_UNITS)),
        pl.format("col_name '{}' is not a column of the data file", name),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_col_name_duplicate",
        ~_blank("col_name") & name.is_duplicated(),
        pl.format("'{}' has more than one meta row", name),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_ob_unit",
        name.is_in(list(_OB_UNITS)),
        pl.format("'{}' is a time or geography column: remove its meta row", name),
        "col_name",
    )
    p.cells(
        m,
        file,
        "meta_col_type",
        ~ctype.is_in(["Filter", "Indicator"]) | ctype.is_null(),
        pl.format("col_type '{}' is not Filter or Indicator", ctype.fill_null("")),
        "col_type",
    )
    p.cells(
        m,
        file,
        "meta_label",
        _blank("label"),
        pl.format("'{}' has no label", name),
        "label",
    )
    p.cells(
        m,
        file,
        "meta_label_duplicate",
        ~_blank("label") & pl.col("label").is_duplicated(),
        pl.format("label '{}' is used twice", pl.col("label")),
        "label",
    )
    p.cells(
        m,
        file,
        "meta_label_length",
        pl.col("label").str.len_chars() > 80,
        pl.format("label of '{}' is longer than 80 characters", name),
        "label",
    )
    ind = ctype == "Indicator"
    fil = ctype == "Filter"
    unit = pl.col("indicator_unit").fill_null("")
    p.cells(
        m,
        file,
        "meta_indicator_unit",
        ind & ~unit.is_in(list(_UNITS)),
        pl.format(
            "indicator_unit '{}' of '{}' is not blank, £, £m, %, pp or numberstring",
            unit,
            name,
        ),
        "indicator_unit",
    )
    p.cells(
        m,
        file,
        "meta_percent_unit",
        ind & name.str.contains("_percent") & (unit != "%"),
        pl.format("'{}' is a percentage: set its indicator_unit to %", name),
        "indicator_unit",
    )
    dp = pl.col("indicator_dp").str.strip_chars()
    p.cells(
        m,
        file,
        "meta_indicator_dp",
        ind
        & (
            _blank("indicator_dp")
            | ~dp.str.contains(r"^[0-9]+$").fill_null(value=False)
        ),
        pl.format(
            "'{}' has indicator_dp '{}': give the decimal places as a whole number",
            name,
            dp.fill_null(""),
        ),
        "indicator_dp",
    )
    for c in ("indicator_grouping", "indicator_unit", "indicator_dp"):
        p.cells(
            m,
            file,
            "meta_filter_fields",
            fil & ~_blank(c),
            pl.format(
                "filter '{}' has a value in {}: leave it blank for filters",
                name,
                pl.lit(c),
            ),
            c,
        )
    for c in ("filter_hint", "filter_grouping_column"):
        p.cells(
            m,
            file,
            "meta_filter_fields",
            ind & ~_blank(c),
            pl.format(
                "indicator '{}' has a value in {}: leave it blank for indicators",
                name,
                pl.lit(c),
            ),
            c,
        )
    grouping = [
        g
        for g in m.filter(fil)["filter_grouping_column"].drop_nulls().to_list()
        if g.strip()
    ]
    names = set(m["col_name"].drop_nulls().to_list())
    for g in grouping:
        if g not in d.columns or g in names:
            p.add(
                file,
                "meta_filter_grouping",
                f"filter_grouping_column {g!r} must be a data column without a meta row of its own",
                column="filter_grouping_column",
            )
    filters = [c for c in m.filter(fil)["col_name"].to_list() if c in d.columns]
    indicators = [c for c in m.filter(ind)["col_name"].to_list() if c in d.columns]
    for c in filters:
        if d[c].n_unique() < 2:
            line = m.filter(name == c)["__line"][0]
            p.add(
                file,
                "meta_filter_single_level",
                f"filter {c!r} has one level: remove its meta row (the column may stay in the data)",
                row=int(line),
                column="col_name",
            )
    return filters, indicators


def _check_pair(
    data: pl.DataFrame,
    meta: pl.DataFrame | None,
    *,
    data_path: Path,
    meta_path: Path | None,
    header: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Run every rule on text frames of a data file and its meta; return problems."""
    p = _Problems()
    dfile = data_path.name
    _check_names(p, data_path, meta_path)
    _check_header(p, dfile, header if header is not None else data.columns)
    d = data.with_row_index("__line", offset=2)
    _check_time(p, dfile, d)
    _check_geography(p, dfile, d)
    if meta is None:
        p.add(
            dfile,
            "meta_missing",
            f"no metadata file {data_path.name[:-4] + '.meta.csv'!r} beside the data",
        )
        filters, indicators = _guess_columns(data)
    else:
        assert meta_path is not None
        filters, indicators = _check_meta(p, meta_path.name, meta, data)
        grouping = (
            set(meta["filter_grouping_column"].drop_nulls().to_list())
            if "filter_grouping_column" in meta.columns
            else set()
        )
        described = (
            set(filters)
            | set(indicators)
            | grouping
            | set(
                meta["col_name"].drop_nulls().to_list()
                if "col_name" in meta.columns
                else []
            )
        )
        for col in data.columns:
            if col in _OB_UNITS or col in described:
                continue
            if data[col].n_unique() > 1:
                p.add(
                    dfile,
                    "data_not_in_meta",
                    f"{col!r} has several values but no meta row: describe it as a "
                    "Filter or an Indicator, or drop it",
                    column=col,
                )
    _check_filters(p, dfile, d, filters)
    _check_indicators(p, dfile, d, indicators)
    _check_duplicates(p, dfile, d, indicators)
    return p.frame()


def _guess_columns(text: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Return the filters and indicators of a text frame with no meta, as the spec places them.

    Indicators are the columns the spec places as indicators (numbers and
    symbols). Filters, when they have more than one value: the spec's filters,
    the period columns, and every column it could not place (a text column
    without a ``Total`` is checked as a filter, so the missing ``Total`` is
    reported). Identifier columns are keys: neither.
    """
    spec = TableSpec.infer(text)
    guessed = {*spec.filters, *_PERIOD_FILTERS, *(c for c, _ in spec.unplaced)}
    indicators = [c for c in text.columns if c in spec.indicators]
    filters = [
        c
        for c in text.columns
        if c in guessed
        and c not in indicators
        and c not in _OB_UNITS
        and text[c].n_unique() > 1
    ]
    return filters, indicators


# --- reading ------------------------------------------------------------------


def _read_text(
    path: Path, p: _Problems | None = None
) -> tuple[pl.DataFrame, list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except UnicodeDecodeError:
        header = []
    try:
        frame = pl.read_csv(path, infer_schema_length=0, encoding="utf8")
    except pl.exceptions.ComputeError:
        if p is not None:
            p.add(
                path.name, "encoding", "the file is not valid UTF-8: save it as UTF-8"
            )
        frame = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    frame = frame.rename(
        {c: c.lstrip("\ufeff") for c in frame.columns if c.startswith("\ufeff")}
    )
    if not header:
        header = list(frame.columns)
    return frame, header


def check_ees(
    path: str | PathLike[str], meta: str | PathLike[str] | None = None
) -> EesCheck:
    r"""Check an EES data file and its metadata against the open data standards.

    Every rule of :data:`EES_RULES` is applied and every problem is listed
    (the check does not stop at the first). The rules are those
    :func:`~makingdata.publish.write_ees` enforces before writing.

    Parameters
    ----------
    path
        The data CSV.
    meta
        Its metadata; default ``<name>.meta.csv`` beside it. When there is
        none, ``meta_missing`` is reported and filters and indicators are
        guessed from the values (numbers and symbols are indicators).

    Returns
    -------
    EesCheck
        The problems (``ok`` is True when none is an error).

    Raises
    ------
    InputError
        If the data file does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "weekly.csv").write_text(
    ...     "time_period,time_identifier,geographic_level,country_code,country_name,sex,enrolments\n"
    ...     "2026,Week 53,National,E92000001,England,Total,120\n"
    ...     "2026,Week 53,National,E92000001,England,Female,\n"
    ... )
    >>> report = check_ees(d / "weekly.csv")
    >>> report.ok
    False
    >>> report.problems.select(
    ...     "row", "column", "rule"
    ... ).rows()  # doctest: +NORMALIZE_WHITESPACE
    [(None, None, 'meta_missing'), (2, 'time_identifier', 'time_identifier'),
     (3, 'time_identifier', 'time_identifier'), (3, 'enrolments', 'indicator_blank')]
    """
    data_path = Path(path)
    if not data_path.is_file():
        raise InputError(
            "the file does not exist", path=data_path, hint="check the path"
        )
    meta_path = (
        Path(meta)
        if meta is not None
        else data_path.with_name(data_path.name.removesuffix(".csv") + ".meta.csv")
    )
    pre = _Problems()
    data, header = _read_text(data_path, pre)
    meta_frame = None
    if meta_path.is_file():
        meta_frame, _ = _read_text(meta_path, pre)
    found = _check_pair(
        data,
        meta_frame,
        data_path=data_path,
        meta_path=meta_path if meta_frame is not None else None,
        header=header,
    )
    problems = pl.concat([pre.frame(), found]).sort(
        "row", nulls_last=False, maintain_order=True
    )
    return EesCheck(
        data=data_path,
        meta=meta_path if meta_frame is not None else None,
        rows=data.height,
        problems=problems,
    )
