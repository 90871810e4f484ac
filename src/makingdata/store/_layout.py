"""The store's layout on disk and how to read it: :class:`Store`.

A store is a folder::

    manifest.json                                    the commit point: what each day holds
    registry/<ingest>.parquet                        the enrolment registry (one file)
    marks/academic_year=YYYYYY/date=YYYY-MM-DD/<ingest>.parquet    the day's marks
    counts/academic_year=YYYYYY/date=YYYY-MM-DD/<ingest>.parquet   per-enrolment counts
    totals/academic_year=YYYYYY/date=YYYY-MM-DD/<ingest>.parquet   running year to date

Only the files the manifest names are part of the store; an ingest writes new
files under a new ``<ingest>`` name and then replaces the manifest, so a
reader that follows the manifest (every method here) never sees half an
ingest.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from makingdata._calendar import (
    ACADEMIC_YEAR_FIRST_MONTH,
    academic_year_start,
    time_period,
)
from makingdata._contracts import ENROLMENTS_SCHEMA, MARKS_SCHEMA
from makingdata.codes import CODE_DTYPE, CODES, Category
from makingdata.errors import InputError

if TYPE_CHECKING:
    from os import PathLike

__all__ = [
    "COUNT_CATEGORIES",
    "ENROLMENT_DTYPE",
    "LAYOUT_VERSION",
    "REASON_COLUMNS",
    "REGISTRY_KEY",
    "Store",
]

#: Version of the layout written in the manifest (``"version"``).
LAYOUT_VERSION = 1
#: The manifest's file name: the commit point of every ingest.
MANIFEST = "manifest.json"
#: The lock file an ingest holds while it writes.
LOCK = "ingest.lock"
#: The dense enrolment number's dtype.
ENROLMENT_DTYPE = pl.UInt32
#: What makes an enrolment in the registry (one pupil, one school, one spell).
REGISTRY_KEY: tuple[str, ...] = ("pupil_key", "urn", "enrol_start")
#: One count column per attendance code, in the codes' order (DfE's names).
REASON_COLUMNS: tuple[str, ...] = tuple(c.dfe_reason for c in CODES.values())
#: The category counts kept beside the reasons, and the categories they add.
COUNT_CATEGORIES: dict[str, tuple[Category, ...]] = {
    "sess_possible": (
        Category.PRESENT,
        Category.AEA,
        Category.AUTHORISED,
        Category.UNAUTHORISED,
    ),
    "sess_present": (Category.PRESENT,),
    "sess_aea": (Category.AEA,),
    "sess_authorised": (Category.AUTHORISED,),
    "sess_unauthorised": (Category.UNAUTHORISED,),
    "sess_overall": (Category.AUTHORISED, Category.UNAUTHORISED),
    "sess_not_counted": (Category.NOT_COUNTED,),
}
COUNT_DTYPE = pl.UInt16
REGISTRY_SCHEMA: dict[str, pl.DataType] = {
    "enrolment": ENROLMENT_DTYPE(),
    **ENROLMENTS_SCHEMA,
}
STORED_MARKS_SCHEMA: dict[str, pl.DataType] = {
    "enrolment": ENROLMENT_DTYPE(),
    "urn": MARKS_SCHEMA["urn"],
    "pupil_key": MARKS_SCHEMA["pupil_key"],
    "session": MARKS_SCHEMA["session"],
    "code": MARKS_SCHEMA["code"],
}
COUNTS_SCHEMA: dict[str, pl.DataType] = {
    "enrolment": ENROLMENT_DTYPE(),
    **{c: COUNT_DTYPE() for c in COUNT_CATEGORIES},
    **{r: COUNT_DTYPE() for r in REASON_COLUMNS},
}


def empty_manifest() -> dict[str, Any]:
    """Return the manifest of a store no ingest has committed to yet."""
    return {
        "format": "makingdata-store",
        "version": LAYOUT_VERSION,
        "registry": None,
        "days": {},
        "ingests": [],
    }


@attrs.frozen(slots=True)
class Store:
    r"""A national attendance store on disk, read through its manifest.

    Open one with :meth:`open`; fill it with :func:`~makingdata.store.ingest`.
    Every reader here follows ``manifest.json``: days an ingest is still
    writing, or that a killed ingest left behind, are never read.

    Attributes
    ----------
    path
        The store's folder.

    Examples
    --------
    >>> import tempfile
    >>> from makingdata.store import Store
    >>> store = Store.open(tempfile.mkdtemp())
    >>> store.days().height, store.enrolments().collect().height
    (0, 0)
    """

    path: Path = attrs.field(converter=Path)

    @classmethod
    def open(cls, path: str | PathLike[str]) -> Store:
        """Open the store in ``path`` (a folder; it need not hold a store yet).

        Raises
        ------
        InputError
            If ``path`` is a file, or its manifest is not a makingdata store's.
        """
        root = Path(path)
        if root.exists() and not root.is_dir():
            raise InputError(
                "a store is a folder, and this is a file",
                path=root,
                hint="pass the store's folder (an empty or new folder for a new store)",
            )
        store = cls(root)
        store.manifest()  # checks the format
        return store

    def manifest(self) -> dict[str, Any]:
        """Return the manifest (an empty one for a new store), checked.

        ``days`` maps each ISO date to what it holds: ``academic_year``,
        ``marks`` and ``counts`` (file paths relative to the store),
        ``source``, ``rows_in``, ``rows_valid``, ``rows_rejected``,
        ``sha256`` (of the day's marks file), ``ingested_at`` (UTC) and
        ``ingest`` (the ingest's id); ``ingests`` lists every ingest.
        """
        file = self.path / MANIFEST
        if not file.exists():
            return empty_manifest()
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(
                f"the store's manifest cannot be read ({err})",
                path=file,
                hint="restore it from a backup; the manifest is what makes the "
                "files a store",
            ) from err
        if not isinstance(data, dict) or data.get("format") != "makingdata-store":
            raise InputError(
                "this manifest is not a makingdata store's",
                path=file,
                hint="pass the folder of a store made by makingdata ingest",
            )
        if data.get("version") != LAYOUT_VERSION:
            raise InputError(
                f"the store's layout is version {data.get('version')}, this "
                f"makingdata reads version {LAYOUT_VERSION}",
                path=file,
                hint="use the makingdata release that wrote the store",
            )
        return data

    def days(self) -> pl.DataFrame:
        """Return one row per stored day: the manifest's ``days`` as a frame.

        Columns: ``date``, ``academic_year``, ``source``, ``rows_in``,
        ``rows_valid``, ``rows_rejected``, ``sha256``, ``ingested_at``,
        ``ingest``, sorted by date.
        """
        schema = {
            "date": pl.Date,
            "academic_year": pl.Int32,
            "source": pl.String,
            "rows_in": pl.Int64,
            "rows_valid": pl.Int64,
            "rows_rejected": pl.Int64,
            "sha256": pl.String,
            "ingested_at": pl.String,
            "ingest": pl.String,
        }
        rows = [
            {"date": d, **{k: v.get(k) for k in schema if k != "date"}}
            for d, v in self.manifest()["days"].items()
        ]
        frame = pl.DataFrame(
            rows, schema={**schema, "date": pl.String}, orient="row"
        ).with_columns(pl.col("date").str.to_date())
        return frame.sort("date")

    def registry(self) -> pl.LazyFrame:
        """Return the enrolment registry: ``enrolment`` (dense UInt32) and the enrolment columns.

        One row per (``pupil_key``, ``urn``, ``enrol_start``) ever ingested,
        with the enrolment's columns as last ingested. Rows with a null
        ``enrol_start`` stand for marks that matched no enrolment when they
        were ingested (one row per pupil and school).
        """
        name = self.manifest()["registry"]
        if name is None:
            return pl.LazyFrame(schema=REGISTRY_SCHEMA)
        return pl.scan_parquet(self.path / name)

    def enrolments(self) -> pl.LazyFrame:
        """Return the enrolments as last ingested (``ENROLMENTS_SCHEMA`` plus ``enrolment``)."""
        return self.registry().filter(pl.col("enrol_start").is_not_null())

    def _scan(
        self,
        part: str,
        schema: dict[str, pl.DataType],
        start: dt.date | None,
        end: dt.date | None,
    ) -> pl.LazyFrame:
        days = self.manifest()["days"]
        frames = []
        for day in sorted(days):
            info = days[day]
            d = pl.Series([day]).str.to_date().item()
            if (start is not None and d < start) or (end is not None and d > end):
                continue
            frames.append(
                pl.scan_parquet(self.path / info[part]).with_columns(
                    pl.lit(d, pl.Date).alias("date")
                )
            )
        if not frames:
            return pl.LazyFrame(schema={**schema, "date": pl.Date})
        return pl.concat(frames, how="vertical")

    def marks(
        self, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> pl.LazyFrame:
        """Return the stored marks (``MARKS_SCHEMA`` plus ``enrolment``), ``start`` to ``end``.

        Each mark carries the number of the enrolment it fell in when it was
        ingested (the lowest, if spells at one school overlap), or of its
        pupil-and-school row in the registry if it fell in none.
        """
        lf = self._scan("marks", STORED_MARKS_SCHEMA, start, end)
        return lf.select("urn", "pupil_key", "date", "session", "code", "enrolment")

    def counts(
        self, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> pl.LazyFrame:
        """Return per-enrolment per-day counts, ``start`` to ``end``.

        One row per enrolment number and date with a mark: the category
        counts (``sess_possible``, ``sess_present``, ``sess_aea``,
        ``sess_authorised``, ``sess_unauthorised``, ``sess_overall``,
        ``sess_not_counted``) and one count per code (DfE's reason names).
        A year to date is their sum over the dates.
        """
        lf = self._scan("counts", COUNTS_SCHEMA, start, end)
        return lf.select("enrolment", "date", *COUNT_CATEGORIES, *REASON_COLUMNS)

    def year_to_date(self, end: dt.date) -> pl.LazyFrame:
        """Return each enrolment's counts from the start of ``end``'s academic year to ``end``.

        One row per enrolment number with a mark in that span: the columns of
        :meth:`counts` without ``date``, summed. Read from the running totals
        the ingest keeps (``totals/``: one file per stored day), so the cost
        is one day's file, whatever the number of days; the same as summing
        :meth:`counts` from the academic year's first day to ``end``.
        """
        year = time_period(academic_year_start(end))
        days = self.manifest()["days"]
        held = [
            d
            for d, info in days.items()
            if int(info["academic_year"]) == year and d <= end.isoformat()
        ]
        columns = [*COUNT_CATEGORIES, *REASON_COLUMNS]
        if not held:
            return pl.LazyFrame(
                schema={c: COUNTS_SCHEMA[c] for c in ("enrolment", *columns)}
            )
        last = days[max(held)]
        if "totals" in last:
            return pl.scan_parquet(self.path / last["totals"]).select(
                "enrolment", *columns
            )
        # a store written before the running totals: sum the days
        first = dt.date(academic_year_start(end), ACADEMIC_YEAR_FIRST_MONTH, 1)
        return (
            self.counts(start=first, end=end)
            .group_by("enrolment")
            .agg(pl.col(columns).sum().cast(COUNT_DTYPE))
        )

    def code_counts(
        self,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        enrolments: pl.Series | None = None,
    ) -> pl.LazyFrame:
        """Return the marks as counts: ``urn, pupil_key, date, code, n_marks``.

        One row per enrolment number, date and code with ``n_marks`` marks,
        rebuilt from :meth:`counts` and the registry (a pupil and school has
        as many rows for a date and code as enrolment numbers with marks that
        day); what the attendance kernels read from a store when they must
        apply spells date by date (they weigh each row by ``n_marks``).
        ``enrolments``: only these enrolment numbers.
        """
        counts = self.counts(start=start, end=end)
        if enrolments is not None:
            counts = counts.filter(
                pl.col("enrolment").is_in(enrolments.cast(ENROLMENT_DTYPE).implode())
            )
        # one filtered select per code (most rows have one or two codes): much
        # cheaper than unpivoting every code column and dropping the zeros
        long = pl.concat(
            [
                counts.filter(pl.col(r) > 0).select(
                    "enrolment",
                    "date",
                    pl.lit(code, CODE_DTYPE).alias("code"),
                    pl.col(r).alias("n"),
                )
                for r, code in zip(REASON_COLUMNS, CODES, strict=True)
            ]
        )
        ids = self.registry().select("enrolment", "urn", "pupil_key")
        return long.join(ids, on="enrolment", how="inner").select(
            "urn",
            "pupil_key",
            "date",
            "code",
            pl.col("n").cast(pl.UInt32).alias("n_marks"),
        )
