"""The generated data set (:class:`SynthData`) and :func:`generate`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import polars as pl
from polars.io.plugins import register_io_source

from makingdata.errors import InputError
from makingdata.synth._generate import build
from makingdata.synth._marks import MarkEngine
from makingdata.synth._write import write_dataset

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["SynthData", "generate"]


@attrs.frozen(eq=False)
class SynthData:
    """A generated data set: directory frames, enrolments and a mark generator.

    Marks are made on demand, a day at a time, so a national year never has to
    sit in memory: use :meth:`iter_marks` or :meth:`write` for big ranges and
    :meth:`marks` for small ones.

    Attributes
    ----------
    schools
        One row per school (``SCHOOLS_SCHEMA``); ``trust_id`` is the trust at
        the end of the academic year.
    memberships
        Trust memberships with ``joined``/``left`` dates (``MEMBERSHIPS_SCHEMA``).
    enrolments
        One row per pupil per school spell overlapping the range
        (``ENROLMENTS_SCHEMA``).
    calendar
        The term weekdays of each LA in the range: ``old_la_code``, ``date``,
        ``term``, ``school_day`` (index in the year) and ``inset_candidate``.
    ks2_results
        KS2 results of the academic year's Year 6 pupils
        (``KS2_RESULTS_SCHEMA``): one row per Year 6 pupil of ``enrolments``,
        attributed to the school of the pupil's latest spell, consistent with
        the pupil's characteristics and absence (see the *Synthetic data*
        concept page).
    start
        First date of the range.
    end
        Last date of the range.
    seed
        The seed the data was made from.
    scale
        The share of England's schools generated.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata import synth
    >>> data = synth.generate(
    ...     scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 9), la=330
    ... )
    >>> [d.isoformat() for d in data.dates()]
    ['2025-09-08', '2025-09-09']
    >>> data.marks_for(dt.date(2025, 9, 8)).height == 2 * data.enrolments.height
    True
    """

    schools: pl.DataFrame
    memberships: pl.DataFrame
    enrolments: pl.DataFrame
    calendar: pl.DataFrame
    start: dt.date
    end: dt.date
    seed: int
    scale: float
    _engine: MarkEngine = attrs.field(repr=False, alias="engine")
    ks2_results: pl.DataFrame = attrs.field(kw_only=True, repr=False)

    def dates(self) -> list[dt.date]:
        """Return the dates in the range on which any selected school meets."""
        return sorted(self.calendar["date"].unique().to_list())

    def marks_for(self, date: dt.date) -> pl.DataFrame:
        """Return the marks of one date (``MARKS_SCHEMA``; empty if no school meets).

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata import synth
        >>> data = synth.generate(
        ...     scale=0.01, start=dt.date(2025, 9, 6), end=dt.date(2025, 9, 6), la=330
        ... )
        >>> data.marks_for(dt.date(2025, 9, 6)).height  # a Saturday
        0
        """
        if not self.start <= date <= self.end:
            raise InputError(
                f"{date.isoformat()} is outside {self.start.isoformat()} to "
                f"{self.end.isoformat()}",
                hint="generate a range that contains the date",
            )
        return self._engine.day(date)

    def iter_marks(self) -> Iterator[tuple[dt.date, pl.DataFrame]]:
        """Yield ``(date, marks)`` for each date in :meth:`dates`."""
        for date in self.dates():
            yield date, self._engine.day(date)

    def marks(self) -> pl.DataFrame:
        """Return the marks of the whole range as one frame (small ranges only).

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata import synth
        >>> data = synth.generate(
        ...     scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 8), la=330
        ... )
        >>> from makingdata.schemas import MARKS_SCHEMA
        >>> dict(data.marks().schema) == MARKS_SCHEMA
        True
        """
        frames = [frame for _date, frame in self.iter_marks()]
        if not frames:
            return self._engine.day(self.start).head(0)
        return pl.concat(frames, rechunk=False)

    def scan_marks(self) -> pl.LazyFrame:
        """Return the marks of the range as a LazyFrame generated day by day.

        Examples
        --------
        >>> import datetime as dt
        >>> import polars as pl
        >>> from makingdata import synth
        >>> data = synth.generate(
        ...     scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 12), la=330
        ... )
        >>> lf = data.scan_marks()
        >>> lf.select(pl.len()).collect().item() == data.marks().height
        True
        """
        schema = self._engine.day(self.start).head(0).schema

        def source(
            with_columns: list[str] | None,
            predicate: pl.Expr | None,
            n_rows: int | None,
            batch_size: int | None,
        ) -> Iterator[pl.DataFrame]:
            del batch_size
            left = n_rows
            for _date, frame in self.iter_marks():
                out = frame
                if predicate is not None:
                    out = out.filter(predicate)
                if with_columns is not None:
                    out = out.select(with_columns)
                if left is not None:
                    out = out.head(left)
                    left -= out.height
                yield out
                if left is not None and left <= 0:
                    return

        return register_io_source(io_source=source, schema=schema)

    def write(
        self,
        out: str | Path,
        *,
        on_day: Callable[[dt.date, int], None] | None = None,
    ) -> Path:
        """Write the data set as Parquet under ``out`` and return the folder.

        Layout: ``schools.parquet``, ``memberships.parquet``,
        ``enrolments.parquet``, ``calendar.parquet``, ``ks2_results.parquet``
        and
        ``marks/date=YYYY-MM-DD/part-0.parquet`` (a hive-partitioned dataset;
        read it with ``pl.scan_parquet(out / "marks", hive_partitioning=True)``).
        ``on_day(date, n_marks)`` is called after each day is written.

        ``out`` must be new or an empty folder. The data set is written into
        a partial folder beside it (``.<name>.partial-<random>/``) and renamed
        to ``out`` only when every day is written: an interrupted or failed
        run leaves no ``out`` that a reader could take for the whole data set.

        Raises
        ------
        InputError
            If ``out`` is a file, or a folder with anything in it.
        ExportError
            If a file cannot be written (disk full, permission denied); the
            partial folder is removed.

        Examples
        --------
        >>> import datetime as dt
        >>> import tempfile
        >>> import polars as pl
        >>> from makingdata import synth
        >>> data = synth.generate(
        ...     scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 9), la=330
        ... )
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = data.write(tmp)
        ...     pl.scan_parquet(path / "marks").select(pl.len()).collect().item() > 0
        True
        """
        return write_dataset(
            Path(out),
            schools=self.schools,
            memberships=self.memberships,
            enrolments=self.enrolments,
            calendar=self.calendar,
            ks2_results=self.ks2_results,
            days=self.iter_marks(),
            on_day=on_day,
        )


def generate(
    *,
    scale: float = 0.05,
    start: dt.date,
    end: dt.date,
    seed: int = 0,
    la: int | str | None = None,
    trust: str | None = None,
) -> SynthData:
    """Generate synthetic schools, enrolments and marks for a date range.

    Parameters
    ----------
    scale
        Share of England's schools to make, in (0, 1]: 1.0 is about 21,300
        schools and 9.4 million pupils; 0.01 keeps one primary school in
        every LA and about 1% of the rest.
    start
        First date of the range.
    end
        Last date of the range, in the same academic year (1 September to
        31 August) as ``start``.
    seed
        Makes the output: the same arguments give byte-identical frames.
    la
        Only the schools of this LA (old 3-digit code such as ``330``, or its
        9-character GSS code).
    trust
        Only the schools that belong to this trust (``TR`` + 5 digits) at any
        time in the academic year.

    Returns
    -------
    SynthData
        The frames, plus marks generated on demand.

    Raises
    ------
    makingdata.errors.InputError
        For a scale outside (0, 1], a range across academic years, or an
        unknown LA or trust.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata import synth
    >>> d = synth.generate(
    ...     scale=0.01,
    ...     start=dt.date(2024, 7, 1),
    ...     end=dt.date(2024, 7, 5),
    ...     la="E08000025",
    ... )
    >>> (
    ...     d.schools.height > 0,
    ...     d.enrolments["urn"].is_in(d.schools["urn"].implode()).all(),
    ... )
    (True, True)
    >>> "C1" in d.marks()["code"].cast(
    ...     str
    ... ).to_list()  # legacy code set before 19 Aug 2024
    False
    """
    schools, memberships, enrolments, calendar, engine, ks2 = build(
        scale=scale, start=start, end=end, seed=seed, la=la, trust=trust
    )
    return SynthData(
        schools=schools,
        memberships=memberships,
        enrolments=enrolments,
        calendar=calendar,
        ks2_results=ks2,
        start=start,
        end=end,
        seed=seed,
        scale=scale,
        engine=engine,
    )
