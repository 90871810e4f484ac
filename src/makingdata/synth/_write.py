"""Write a synthetic data set as Parquet: directory frames plus marks by date."""

from __future__ import annotations

from typing import TYPE_CHECKING

from makingdata._atomic import atomic_dir
from makingdata.errors import InputError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable
    from pathlib import Path

    import polars as pl


def write_parquet_deterministic(frame: pl.DataFrame, path: Path) -> None:
    """Write one Parquet file with fixed settings (same frame, same bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path, compression="zstd", compression_level=3, statistics=True)


def write_dataset(
    out: Path,
    *,
    schools: pl.DataFrame,
    memberships: pl.DataFrame,
    enrolments: pl.DataFrame,
    calendar: pl.DataFrame,
    days: Iterable[tuple[dt.date, pl.DataFrame]],
    on_day: Callable[[dt.date, int], None] | None = None,
    ks2_results: pl.DataFrame | None = None,
) -> Path:
    """Write the frames and the marks, one hive partition per date, as one folder.

    Everything is written into a partial folder beside ``out``
    (``.<name>.partial-<random>/``, see :func:`makingdata._atomic.atomic_dir`)
    that is renamed to ``out`` only when every day is written. A run that
    fails or is interrupted leaves no ``out`` (or only the empty folder that
    was there), so no reader takes a part of the days for the whole data
    set; a process killed outright leaves its partial folder, which nothing
    reads and a new run does not reuse.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a directory", hint="give a folder")
    marks_dir = out / "marks"
    if marks_dir.exists() and any(marks_dir.iterdir()):
        raise InputError(
            f"{marks_dir} already holds marks",
            hint="write to an empty folder so days from two runs are never mixed",
        )
    with atomic_dir(out, what="the synthetic data set") as tmp:
        write_parquet_deterministic(schools, tmp / "schools.parquet")
        write_parquet_deterministic(memberships, tmp / "memberships.parquet")
        write_parquet_deterministic(enrolments, tmp / "enrolments.parquet")
        write_parquet_deterministic(calendar, tmp / "calendar.parquet")
        if ks2_results is not None:
            write_parquet_deterministic(ks2_results, tmp / "ks2_results.parquet")
        (tmp / "marks").mkdir()
        for date, frame in days:
            write_parquet_deterministic(
                frame, tmp / "marks" / f"date={date.isoformat()}" / "part-0.parquet"
            )
            if on_day is not None:
                on_day(date, frame.height)
    return out
