"""Small helpers every benchmark can reuse: timing, peak RSS, a seeded marks generator."""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import polars as pl

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

#: Codes drawn for generated marks, with weights (roughly national shares).
MARK_CODES: dict[str, int] = {
    "/": 880,
    "L": 15,
    "I": 40,
    "M": 8,
    "C": 5,
    "N": 12,
    "O": 15,
    "G": 8,
    "U": 3,
    "B": 4,
    "V": 2,
    "#": 8,
}


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux: ``5`` into ``/proc/self/clear_refs``).

    Returns ``False`` where the kernel does not allow it; :func:`peak_rss_since_reset`
    then falls back to the lifetime peak.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_since_reset() -> int:
    """Peak RSS in bytes since :func:`reset_peak_rss` (``VmHWM``), else the lifetime peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return peak_rss_bytes()


def gib(n_bytes: float) -> str:
    """Format bytes as GiB with two decimals."""
    return f"{n_bytes / 2**30:.2f} GiB"


def timed(fn: Callable[[], T], *, repeat: int = 1) -> tuple[T, float]:
    """Run ``fn`` ``repeat`` times; return the last result and the best wall time."""
    best = float("inf")
    result: T
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def upn_with_check_letter(digits12: str) -> str:
    """Prefix twelve UPN characters with their DfE check letter."""
    alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"
    check = sum(i * alphabet.index(c) for i, c in enumerate(digits12, 2)) % 23
    return alphabet[check] + digits12


def school_days(start: dt.date, n: int) -> list[dt.date]:
    """The first ``n`` weekdays from ``start``."""
    days: list[dt.date] = []
    day = start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def marks_frame(
    n_rows: int,
    *,
    seed: int = 0,
    n_days: int = 190,
    pupils_per_school: int = 400,
    start: dt.date = dt.date(2024, 9, 2),
) -> pl.DataFrame:
    """A seeded long marks export: ``upn, urn, date, session, code`` as text.

    One row per pupil per school day per session, pupils spread over schools
    of ``pupils_per_school``; every UPN is valid and every code is valid on its
    date, so the frame has no errors until some are planted.
    """
    n_pupils = max(1, -(-n_rows // (2 * n_days)))
    upns = [
        upn_with_check_letter(f"330{(i // 1000) % 10_000:04d}24{i % 1000:03d}")
        for i in range(n_pupils)
    ]
    pupils = pl.DataFrame(
        {
            "upn": upns,
            "urn": [str(100_000 + i // pupils_per_school) for i in range(n_pupils)],
        }
    )
    days = pl.DataFrame({"date": school_days(start, n_days)}).with_columns(
        pl.col("date").dt.to_string("%Y-%m-%d")
    )
    sessions = pl.DataFrame({"session": ["AM", "PM"]})
    letters = [c for c, w in MARK_CODES.items() for _ in range(w)]
    frame = (
        pupils.join(days, how="cross")
        .join(sessions, how="cross")
        .head(n_rows)
        .with_row_index("_i")
    )
    pick = (pl.col("_i").hash(seed) % len(letters)).cast(pl.Int64)
    code = pl.lit(pl.Series(letters)).gather(pick)
    present = (
        pl.when(pl.col("session") == "AM").then(pl.lit("/")).otherwise(pl.lit("\\"))
    )
    return frame.select(
        "upn",
        "urn",
        "date",
        "session",
        pl.when(code == "/").then(present).otherwise(code).alias("code"),
    )


def _isolated_call(
    fn: Callable[..., T], args: tuple[object, ...]
) -> tuple[T, float, int]:
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start, peak_rss_bytes()


def run_isolated(fn: Callable[..., T], *args: object) -> tuple[T, float, int]:
    """Run ``fn(*args)`` in a fresh interpreter; return (result, seconds, peak RSS bytes).

    A spawned process starts clean, so its peak RSS belongs to ``fn`` alone
    (plus the interpreter and imports), not to data the caller holds.
    ``fn`` must be importable (a module-level function).
    """
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_isolated_call, (fn, args))
