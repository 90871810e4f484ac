"""Write a synthetic data set as Parquet: directory frames plus marks by date."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
) -> Path:
    """Write the frames and the marks, one hive partition per date."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a directory", hint="give a folder")
    marks_dir = out / "marks"
    if marks_dir.exists() and any(marks_dir.iterdir()):
        raise InputError(
            f"{marks_dir} already holds marks",
            hint="write to an empty folder so days from two runs are never mixed",
        )
    out.mkdir(parents=True, exist_ok=True)
    write_parquet_deterministic(schools, out / "schools.parquet")
    write_parquet_deterministic(memberships, out / "memberships.parquet")
    write_parquet_deterministic(enrolments, out / "enrolments.parquet")
    write_parquet_deterministic(calendar, out / "calendar.parquet")
    marks_dir.mkdir(exist_ok=True)
    for date, frame in days:
        write_parquet_deterministic(
            frame, marks_dir / f"date={date.isoformat()}" / "part-0.parquet"
        )
        if on_day is not None:
            on_day(date, frame.height)
    return out
