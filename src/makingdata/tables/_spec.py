"""TableSpec: what every column of a published table is, travelling with the table.

A kernel knows what it built (which columns are filters, which are additive
counts, which rates are a ratio of which counts, their labels and decimal
places) and says so in a :class:`TableSpec`. Protection, the audit, rollups
and the EES writer read the spec instead of guessing from column names. The
one place that guesses is :meth:`TableSpec.infer`, for tables makingdata did
not build (a published DfE file): it reads every GSS symbol, and lists each
column it cannot place rather than dropping it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.errors import InputError
from makingdata.tables._vocabulary import (
    ALL_SYMBOLS,
    CHAIN,
    GEOGRAPHIES,
    GEOGRAPHY_COLUMNS,
    KEY_COLUMNS,
    TIME_COLUMNS,
    TOTAL,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "Indicator",
    "Nesting",
    "Rate",
    "TableSpec",
    "is_rate_column",
]

#: Words that make a column a rate (anywhere in the name), and DfE's prefix.
_RATE_TOKENS = frozenset({"percent", "perc", "rate"})
_RATE_PREFIXES = ("pt_",)
#: Words of indicators that are neither additive counts nor rates of counts.
_AVERAGE = re.compile(r"(^avg_|^average_|_avg$|_average$|_mean$|^median_|_ci$)")
#: Numeric columns that are additive but not counts of people.
_NOT_PROTECTED = frozenset({"num_schools", "total_num_schools"})
#: Identifier columns by name (keys, never indicators).
_ID_NAMES = frozenset({"urn", "laestab", "estab", "ukprn", "upin", "version"})
_ID_SUFFIXES = ("_code", "_id", "_urn", "_laestab", "_ukprn")
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: Every column of the geographic levels, with names.
_GEO = frozenset(
    {
        "geographic_level",
        *GEOGRAPHY_COLUMNS,
        *KEY_COLUMNS,
        *(c for g in GEOGRAPHIES.values() for c in g.columns),
    }
)
#: Links between levels of a table: a child row adds up to the parent row that
#: shares this column.
_LINK = {
    "National": "country_code",
    "Regional": "region_code",
    "Local authority": "new_la_code",
    "School": "school_urn",
}


def is_rate_column(name: str) -> bool:
    """Whether a column name is a rate: a ``percent``/``perc``/``rate`` word, or ``pt_``.

    Used only to read tables makingdata did not build (:meth:`TableSpec.infer`):
    a kernel's table says which columns are rates in its spec. Attendance names
    put the word at the end (``sess_overall_percent``) or in the middle
    (``sess_overall_percent_pa_10_exact``); DfE's census files use ``pt_``.

    Parameters
    ----------
    name
        A column name.

    Returns
    -------
    bool
        True for a rate.

    Examples
    --------
    >>> from makingdata.tables import is_rate_column
    >>> [
    ...     is_rate_column(c)
    ...     for c in ("sess_overall_percent_pa_10_exact", "sess_overall", "pt_overall")
    ... ]
    [True, False, True]
    """
    return name.startswith(_RATE_PREFIXES) or any(
        p in _RATE_TOKENS for p in name.split("_")
    )


def _is_id(col: str) -> bool:
    return col in _ID_NAMES or col.endswith(_ID_SUFFIXES)


def _tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _nestings(value: Iterable[Nesting]) -> tuple[Nesting, ...]:
    return tuple(value)


def _rates(value: Iterable[Rate]) -> tuple[Rate, ...]:
    return tuple(value)


def _pairs(value: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple(value)


def _notes(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in value)


def _strmap(value: Mapping[str, str] | None) -> dict[str, str]:
    return dict(value or {})


def _intmap(value: Mapping[str, int] | None) -> dict[str, int]:
    return {k: int(v) for k, v in (value or {}).items()}


@attrs.frozen
class Nesting:
    """Rows of one geographic level add up to a row of another.

    Attributes
    ----------
    parent
        The parent level, a value of ``geographic_level`` (e.g. ``"Local authority"``).
    child
        The child level (e.g. ``"School"``).
    on
        Columns a child row shares with its parent row (e.g. ``("new_la_code",)``).
    tolerance
        Relative tolerance: the parent may differ from the sum of its children
        by up to this share of the largest published value in the relation
        (DfE's in-year regional rows include non-response estimates). ``0``
        means exact.

    Examples
    --------
    >>> from makingdata.tables import Nesting
    >>> Nesting("Local authority", "School", ("new_la_code",))
    Nesting(parent='Local authority', child='School', on=('new_la_code',), tolerance=0.0)
    """

    parent: str
    child: str
    on: tuple[str, ...] = attrs.field(converter=_tuple)
    tolerance: float = 0.0


@attrs.frozen
class Rate:
    """A rate column computed from two counts of the same row: ``n / d * 100``.

    Attributes
    ----------
    column
        The rate column (e.g. ``"sess_overall_percent"``).
    numerator
        The count it is the numerator of.
    denominator
        The count it is the denominator of.

    Examples
    --------
    >>> from makingdata.tables import Rate
    >>> Rate("sess_overall_percent", "sess_overall", "sess_possible").denominator
    'sess_possible'
    """

    column: str
    numerator: str
    denominator: str


@attrs.frozen
class Indicator:
    """One indicator column as the spec describes it (see :meth:`TableSpec.indicator`).

    Attributes
    ----------
    name
        The column.
    kind
        ``"count"`` (additive, protected as a count), ``"additive"`` (summed,
        not a count of people: ``num_schools``), ``"rate"`` (a ratio of two
        counts of the row) or ``"other"`` (an average or a rate whose counts
        are not in the table: published as given, never summed).
    label
        The label EES shows.
    unit
        EES ``indicator_unit``: ``""`` for a number, ``"%"`` for a rate.
    decimals
        EES ``indicator_dp``, or ``None`` to take it from the data.
    grouping
        EES ``indicator_grouping`` (may be empty).
    numerator
        For a rate: its numerator column.
    denominator
        For a rate: its denominator column.
    """

    name: str
    kind: str
    label: str
    unit: str = ""
    decimals: int | None = None
    grouping: str = ""
    numerator: str | None = None
    denominator: str | None = None


def _default_label(col: str) -> str:
    text = col.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@attrs.frozen
class TableSpec:
    """What every column of a table is: the contract from kernel to published file.

    A table is EES-shaped: one row per (time, geographic unit, filter values),
    additive counts, then rates and other indicators. Its counts obey linear
    relations (filter ``Total`` rows, geographic nestings, year-to-date
    increments) that protection and the audit rely on.

    Attributes
    ----------
    counts
        Additive count columns of people or sessions (protected cell by cell).
    filters
        Filter columns; each has a ``total`` category equal to the sum of the
        others (period columns such as ``attendance_date`` are time columns,
        not filters).
    nestings
        The geographic steps at which children add up to parents.
    rates
        Rate columns and the counts they are computed from.
    time
        Columns identifying the period (default :data:`TIME_COLUMNS`).
    cumulative
        For year-to-date counts: the column that orders the periods. Rows of
        consecutive periods with the same other keys differ by an unpublished
        increment. ``None`` when counts are not cumulative.
    level_column
        The geographic level column.
    total
        The label of the aggregate category of every filter.
    rounded_levels
        ``(level, base)`` pairs: counts at that level are published rounded to
        ``base`` (used by the audit of files rounded elsewhere).
    levels
        The geographic levels the table holds (``geographic_level`` values,
        national first), as the kernel built them or as read from the data;
        empty when unknown.
    additive
        Indicators that are summed like counts but are not counts of people
        (``num_schools``): never suppressed on their own.
    other
        Indicators that are neither additive nor a rate of two counts of the
        table (averages, rates whose counts are not published): written as
        given, never summed.
    labels
        Labels of columns (filters and indicators) where the name's own
        wording is not what EES should show.
    decimals
        Decimal places (``indicator_dp``) by indicator.
    groupings
        ``indicator_grouping`` by indicator.
    protected
        The protection class: the count columns that count people, whose small
        values disclosure control protects. ``None``: the columns the
        audience's rule set names (pupil counts, persistent and severe
        absentees).
    unplaced
        ``(column, reason)`` for each column :meth:`infer` could not place; it
        is never dropped silently: rollups and writers report it.

    Examples
    --------
    >>> from makingdata.tables import Nesting, TableSpec
    >>> spec = TableSpec(
    ...     counts=("enrolments",),
    ...     filters=("fsm_status",),
    ...     nestings=(Nesting("Local authority", "School", ("new_la_code",)),),
    ... )
    >>> spec.filters, spec.indicator("enrolments").kind
    (('fsm_status',), 'count')
    """

    counts: tuple[str, ...] = attrs.field(converter=_tuple)
    filters: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    nestings: tuple[Nesting, ...] = attrs.field(default=(), converter=_nestings)
    rates: tuple[Rate, ...] = attrs.field(default=(), converter=_rates)
    time: tuple[str, ...] = attrs.field(default=TIME_COLUMNS, converter=_tuple)
    cumulative: str | None = None
    level_column: str = "geographic_level"
    total: str = TOTAL
    rounded_levels: tuple[tuple[str, int], ...] = attrs.field(
        default=(), converter=_pairs
    )
    additive: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    levels: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    other: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    labels: Mapping[str, str] = attrs.field(factory=dict, converter=_strmap, hash=False)
    decimals: Mapping[str, int] = attrs.field(
        factory=dict, converter=_intmap, hash=False
    )
    groupings: Mapping[str, str] = attrs.field(
        factory=dict, converter=_strmap, hash=False
    )
    protected: tuple[str, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(_tuple)
    )
    unplaced: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_notes)

    # ------------------------------------------------------------ columns
    @property
    def indicators(self) -> tuple[str, ...]:
        """Every indicator column: counts, additive, rates, then others."""
        return tuple(
            dict.fromkeys(
                (
                    *self.counts,
                    *self.additive,
                    *(r.column for r in self.rates),
                    *self.other,
                )
            )
        )

    @property
    def summed(self) -> tuple[str, ...]:
        """The columns a rollup sums: counts and the other additive indicators."""
        return tuple(dict.fromkeys((*self.counts, *self.additive)))

    def rate(self, column: str) -> Rate | None:
        """Return the :class:`Rate` of a rate column, or ``None``."""
        return next((r for r in self.rates if r.column == column), None)

    def label(self, column: str) -> str:
        """Return the label EES shows for a column (given, else from its name).

        A column with no label given is labelled from its name (``sess_late``:
        "Sess late"); a rate from its count's name, with "(percent)".
        """
        given = self.labels.get(column)
        if given:
            return given
        is_rate = self.rate(column) is not None or (
            column in self.other and is_rate_column(column)
        )
        if is_rate:
            stem = "_".join(p for p in column.split("_") if p not in _RATE_TOKENS)
            stem = stem.removeprefix("pt_")
            return f"{self.labels.get(stem) or _default_label(stem)} (percent)"
        return _default_label(column)

    def indicator(self, name: str) -> Indicator:
        """Describe one indicator column.

        Raises
        ------
        InputError
            If ``name`` is not an indicator of the spec.

        Examples
        --------
        >>> from makingdata.tables import Rate, TableSpec
        >>> spec = TableSpec(
        ...     counts=("sess_overall", "sess_possible"),
        ...     rates=(Rate("sess_overall_percent", "sess_overall", "sess_possible"),),
        ...     decimals={"sess_overall_percent": 1},
        ...     labels={"sess_overall_percent": "Overall absence rate"},
        ... )
        >>> i = spec.indicator("sess_overall_percent")
        >>> i.kind, i.label, i.unit, i.decimals, i.denominator
        ('rate', 'Overall absence rate', '%', 1, 'sess_possible')
        """
        r = self.rate(name)
        if r is not None:
            kind = "rate"
        elif name in self.counts:
            kind = "count"
        elif name in self.additive:
            kind = "additive"
        elif name in self.other:
            kind = "other"
        else:
            raise InputError(
                f"{name!r} is not an indicator of this table",
                column=name,
                hint=f"use one of {list(self.indicators)}",
            )
        unit = (
            "%" if kind == "rate" or (kind == "other" and is_rate_column(name)) else ""
        )
        return Indicator(
            name=name,
            kind=kind,
            label=self.label(name),
            unit=unit,
            decimals=self.decimals.get(
                name, 0 if kind in ("count", "additive") else None
            ),
            grouping=self.groupings.get(name, ""),
            numerator=r.numerator if r is not None else None,
            denominator=r.denominator if r is not None else None,
        )

    def time_columns(self, frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
        """Return the period columns of ``frame`` (time columns and the cumulative order)."""
        names = _names(frame)
        cols = [c for c in self.time if c in names]
        if self.cumulative is not None and self.cumulative in names:
            cols.append(self.cumulative)
        return list(dict.fromkeys(cols))

    def key_columns(self, frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
        """Return the columns that identify a row (time, level, geography, filters)."""
        names = _names(frame)
        cols = self.time_columns(frame)
        if self.level_column in names:
            cols.append(self.level_column)
        on = [c for n in self.nestings for c in n.on]
        geo = [c for c in (*KEY_COLUMNS, *on) if c in names]
        cols.extend(dict.fromkeys(geo))
        cols.extend(self.filters)
        return list(dict.fromkeys(cols))

    def restrict(self, columns: Iterable[str]) -> TableSpec:
        """Return the spec of the same table with only ``columns`` kept.

        Rates whose numerator or denominator is gone become ``other``
        indicators (their values stay as published, but cannot be recomputed).

        Examples
        --------
        >>> from makingdata.tables import Rate, TableSpec
        >>> spec = TableSpec(
        ...     counts=("n", "d"), rates=(Rate("n_percent", "n", "d"),)
        ... ).restrict(["n", "n_percent"])
        >>> spec.counts, spec.rates, spec.other
        (('n',), (), ('n_percent',))
        """
        keep = set(columns)
        rates = [r for r in self.rates if r.column in keep]
        whole = [r for r in rates if r.numerator in keep and r.denominator in keep]
        orphans = [r.column for r in rates if r not in whole]
        return attrs.evolve(
            self,
            counts=[c for c in self.counts if c in keep],
            filters=[c for c in self.filters if c in keep],
            nestings=[n for n in self.nestings if all(c in keep for c in n.on)],
            rates=whole,
            additive=[c for c in self.additive if c in keep],
            other=[*(c for c in self.other if c in keep), *orphans],
            protected=None
            if self.protected is None
            else [c for c in self.protected if c in keep],
            unplaced=[(c, why) for c, why in self.unplaced if c in keep],
        )

    def with_nestings(self, frame: pl.DataFrame | pl.LazyFrame) -> TableSpec:
        """Return the spec with the nestings of the levels ``frame`` holds (see :meth:`infer`)."""
        return attrs.evolve(self, nestings=_nestings_of(frame, self.level_column))

    # ------------------------------------------------------------ inference
    @classmethod
    def infer(  # noqa: PLR0912 - one branch per kind of column
        cls,
        frame: pl.DataFrame | pl.LazyFrame,
        *,
        filters: Sequence[str] | None = None,
        counts: Sequence[str] | None = None,
        cumulative: str | None = None,
    ) -> TableSpec:
        """Read the spec of a table makingdata did not build, from its columns and values.

        The one place where makingdata classifies columns by their names and
        values, for third-party files such as DfE's published CSVs (read as
        text or typed); tables from makingdata's kernels carry their spec.

        - time columns (:data:`TIME_COLUMNS`), ``geographic_level`` and the
          geography columns of every EES level are keys;
        - identifiers (``urn``, ``laestab``, ``*_code``, ``*_id`` …) are keys;
        - an *indicator* is a numeric column, or a text column whose every
          non-blank cell is a number or a GSS symbol (``c x z low k u : ~ .``);
          a rate (:func:`is_rate_column`) whose numerator and denominator
          counts are in the table is a :class:`Rate`, else an ``other``
          indicator, like averages (``avg_*``, ``*_ci``); ``num_schools`` is
          ``additive``; every other indicator is a count;
        - a *filter* is a text, categorical or boolean column with a ``Total``
          row and no blank cell (EES filters are never blank), or a column
          named in ``filters``;
        - every other column (a text column without ``Total``, such as a
          school type with one value, or a date) is listed in ``unplaced``
          with the reason, never dropped silently.

        Parameters
        ----------
        frame
            The table (a LazyFrame is scanned once for the text columns).
        filters
            The filter columns, if the guess would be wrong.
        counts
            The count columns, if the guess would be wrong.
        cumulative
            The column ordering year-to-date periods, if counts are cumulative.

        Returns
        -------
        TableSpec
            The spec, nestings included (each level present to the next level
            present below it, and trusts to schools).

        Raises
        ------
        InputError
            If a column named in ``filters`` or ``counts`` is not in the frame.

        Examples
        --------
        >>> import polars as pl
        >>> from makingdata.tables import TableSpec
        >>> df = pl.DataFrame(
        ...     {
        ...         "geographic_level": ["National", "National"],
        ...         "country_code": ["E92000001"] * 2,
        ...         "fsm_status": ["Total", "FSM eligible"],
        ...         "school_type": ["Special", "Special"],
        ...         "enrolments": ["10", "c"],
        ...         "enrolments_pa_10_exact": [1, None],
        ...         "enrolments_pa_10_exact_percent": [10.0, None],
        ...         "avg_score": [101.5, None],
        ...     }
        ... )
        >>> spec = TableSpec.infer(df)
        >>> spec.counts, spec.filters, [r.column for r in spec.rates], spec.other
        (('enrolments', 'enrolments_pa_10_exact'), ('fsm_status',), ['enrolments_pa_10_exact_percent'], ('avg_score',))
        >>> spec.unplaced
        (('school_type', "a text column without a 'Total' row: not a filter EES can total"),)
        """
        schema = frame.collect_schema()
        names = list(schema.names())
        for given in (filters or (), counts or ()):
            missing = [c for c in given if c not in schema]
            if missing:
                raise InputError(
                    f"the table has no {missing[0]!r} column",
                    column=missing[0],
                    hint=f"name columns the table has: {names}",
                )
        keys = set(TIME_COLUMNS) | _GEO | ({cumulative} if cumulative else set())
        cand = [c for c in names if c not in keys and not _is_id(c)]
        text = [c for c in cand if schema[c] == pl.String]
        others = [
            c
            for c in cand
            if isinstance(schema[c], (pl.Enum, pl.Categorical))
            or schema[c] == pl.Boolean
        ]
        probe = _probe(frame, text, others) if (text or others) else {}
        numeric: list[str] = []
        filt: list[str] = []
        unplaced: list[tuple[str, str]] = []
        for c in cand:
            dtype = schema[c]
            if filters is not None and c in filters:
                filt.append(c)
            elif (
                (counts is not None and c in counts)
                or dtype.is_numeric()
                or (c in probe and probe[c][0])
            ):
                numeric.append(c)
            elif c in probe and probe[c][1]:
                filt.append(c)
            elif c in probe and probe[c][2]:
                unplaced.append((c, "dates: a period column makingdata does not know"))
            elif c in probe or dtype == pl.String:
                unplaced.append(
                    (
                        c,
                        "a text column without a 'Total' row: not a filter EES can total",
                    )
                )
            else:
                unplaced.append(
                    (c, f"a {dtype} column that is neither filter nor indicator")
                )
        if filters is not None:
            filt = list(filters)
            numeric = [c for c in numeric if c not in filt]
        rate_cols = [c for c in numeric if is_rate_column(c)]
        averages = [c for c in numeric if _AVERAGE.search(c) and c not in rate_cols]
        additive = [c for c in numeric if c in _NOT_PROTECTED]
        cnt = [
            c
            for c in numeric
            if c not in rate_cols and c not in averages and c not in additive
        ]
        if counts is not None:
            unplaced += [
                (c, "a count column not named in counts=")
                for c in cnt
                if c not in counts
            ]
            cnt = list(counts)
        rates: list[Rate] = []
        orphan: list[str] = []
        for r in rate_cols:
            found = _rate_of(r, cnt)
            if found is None:
                orphan.append(r)
            else:
                rates.append(found)
        levels = _levels_of(frame, "geographic_level")
        return cls(
            counts=cnt,
            filters=filt,
            nestings=nestings_for(levels, names),
            levels=levels,
            rates=rates,
            cumulative=cumulative,
            additive=additive,
            other=[*averages, *orphan],
            unplaced=unplaced,
        )


def _names(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    if isinstance(frame, pl.DataFrame):
        return frame.columns
    return list(frame.collect_schema().names())


def _probe(
    frame: pl.DataFrame | pl.LazyFrame, text: Sequence[str], others: Sequence[str]
) -> dict[str, tuple[bool, bool, bool]]:
    """For each column: (numbers or symbols only, a filter with Total, dates only)."""
    exprs: list[pl.Expr] = []
    for c in text:
        v = pl.col(c).str.strip_chars()
        blank = v.is_null() | (v == "")
        cell = blank | v.is_in(list(ALL_SYMBOLS)) | v.str.contains(_NUMBER)
        exprs += [
            ((~blank).any() & cell.all()).alias(f"{c}\x00n"),
            ((v == TOTAL).any().fill_null(value=False) & ~blank.any()).alias(
                f"{c}\x00t"
            ),
            ((~blank).any() & (blank | v.str.contains(_DATE)).all()).alias(f"{c}\x00d"),
        ]
    for c in others:
        exprs += [
            pl.lit(value=False).alias(f"{c}\x00n"),
            (pl.col(c).cast(pl.String) == TOTAL)
            .any()
            .fill_null(value=False)
            .alias(f"{c}\x00t"),
            pl.lit(value=False).alias(f"{c}\x00d"),
        ]
    row = frame.lazy().select(exprs).collect().row(0)
    out: dict[str, tuple[bool, bool, bool]] = {}
    for i, c in enumerate((*text, *others)):
        n, t, d = row[3 * i : 3 * i + 3]
        out[c] = (bool(n), bool(t), bool(d))
    return out


_IN_YEAR = "possible_sessions"

#: DfE's rate names that the naming rule of :func:`_rate_of` cannot place:
#: rate -> (numerator, denominator). The children in need file's
#: ``pt_overall``; the in-year attendance release's ``*_perc`` columns (all
#: over ``possible_sessions``; each checked against the published values).
#: Its ``pa_perc`` has no published numerator and stays an ``other`` column.
#: KS2's ``pt_<subject>_met_expected_standard`` (and ``_higher_``) are over
#: ``t_<subject>_eligible_pupils`` (checked against ``ks2_la.csv``).
DFE_RATE_NAMES: dict[str, tuple[str, str]] = {
    "pt_overall": ("t_sess_overall", "t_sess_possible"),
    "attendance_perc": ("overall_attendance", _IN_YEAR),
    "overall_absence_perc": ("overall_absence", _IN_YEAR),
    "authorised_absence_perc": ("authorised_absence", _IN_YEAR),
    "unauthorised_absence_perc": ("unauthorised_absence", _IN_YEAR),
    "illness_perc": ("reason_i_authorised_illness", _IN_YEAR),
    "appointments_perc": ("reason_m_authorised_medical_dental", _IN_YEAR),
    "unauth_hol_perc": ("reason_g_unauthorised_holiday", _IN_YEAR),
    "unauth_oth_perc": ("reason_o_other_unauthorised", _IN_YEAR),
    "unauth_late_registers_closed_perc": (
        "reason_u_unauthorised_late_after_registers_closed",
        _IN_YEAR,
    ),
    "unauth_not_yet_perc": ("reason_n_no_reason_yet", _IN_YEAR),
    "auth_religious_perc": ("reason_r_authorised_religious_observance", _IN_YEAR),
    "auth_study_perc": ("reason_s_authorised_study_leave", _IN_YEAR),
    "auth_mob_perc": ("reason_t_authorised_mobile_child", _IN_YEAR),
    "auth_excluded_perc": ("reason_e_authorised_excluded", _IN_YEAR),
    "auth_performance_perc": ("reason_c1_authorised_regulated_performance", _IN_YEAR),
    "auth_interview_perc": ("reason_j1_authorised_interview", _IN_YEAR),
    "auth_part_time_perc": ("reason_c2_authorised_temp_reduced_timetable", _IN_YEAR),
    "auth_other_perc": ("reason_c_authorised_other", _IN_YEAR),
    # KS2 attainment (outcomes of children in need, DfE's attainment files):
    # the share of eligible pupils meeting the standard of each subject
    **{
        f"pt_{s}_met_{std}_standard": (
            f"t_{s}_met_{std}_standard",
            f"t_{s}_eligible_pupils",
        )
        for s in ("read", "writta", "mat", "rwm", "gps", "scita")
        for std in ("expected", "higher")
    },
}


def _rate_of(rate: str, counts: Sequence[str]) -> Rate | None:
    """Return the counts a rate column is the ratio of, by DfE's naming, or None."""
    if rate in DFE_RATE_NAMES:
        top, below = DFE_RATE_NAMES[rate]
        return Rate(rate, top, below) if top in counts and below in counts else None
    stem = "_".join(p for p in rate.split("_") if p not in _RATE_TOKENS)
    stem = stem.removeprefix("pt_")
    candidates = [stem, f"t_{stem}"]
    num = next((c for c in candidates if c in counts), None)
    if num is None:
        return None
    # a rate of a sub-population (``..._pa_10_exact``) is over that
    # sub-population's own denominator
    sub = re.search(r"_pa_[0-9]+_exact$", num)
    suffix = sub.group(0) if sub else ""
    prefix = "t_" if num.startswith("t_") else ""
    base = num.removeprefix(prefix)
    if base.startswith(("enrolments", "pupils")):
        den = f"{prefix}{base.split('_')[0]}"
    else:
        den = f"{prefix}sess_possible{suffix}"
    if den in counts and den != num:
        return Rate(rate, num, den)
    return None


def order_levels(levels: Iterable[str]) -> list[str]:
    """Return the distinct levels, the geography chain's from the top, then any other."""
    rank = {lv: i for i, lv in enumerate(CHAIN)}
    return sorted(dict.fromkeys(levels), key=lambda x: (rank.get(x, len(rank)), x))


def nestings_for(levels: Iterable[str], names: Sequence[str]) -> list[Nesting]:
    """Return the nestings among ``levels`` whose link columns are in ``names``.

    Each level present is the sum of the next level present below it (with
    no regional rows, England is the sum of its LAs), and trusts of schools.
    """
    present = set(levels)
    chain = [lv for lv in CHAIN if lv in present]
    cands = [Nesting(p, c, (_LINK[p],)) for p, c in itertools.pairwise(chain)]
    cands.append(Nesting("MAT", "School", ("trust_id",)))
    return [
        n
        for n in cands
        if n.parent in present and n.child in present and all(c in names for c in n.on)
    ]


def _levels_of(frame: pl.DataFrame | pl.LazyFrame, level_column: str) -> list[str]:
    if level_column not in _names(frame):
        return []
    found = (
        frame.lazy()
        .select(pl.col(level_column).cast(pl.String).unique())
        .collect()[level_column]
        .drop_nulls()
        .to_list()
    )
    return order_levels(found)


def _nestings_of(
    frame: pl.DataFrame | pl.LazyFrame, level_column: str
) -> list[Nesting]:
    return nestings_for(_levels_of(frame, level_column), _names(frame))
