"""Ingest marks into a store: validate, number enrolments, count, commit."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import polars as pl

from makingdata._atomic import atomic_path
from makingdata._calendar import academic_year_start, time_period
from makingdata.codes import CODES
from makingdata.errors import ExportError, InputError
from makingdata.io import ReadResult, read_enrolments, read_marks
from makingdata.store._layout import (
    COUNT_CATEGORIES,
    COUNT_DTYPE,
    ENROLMENT_DTYPE,
    LOCK,
    MANIFEST,
    REASON_COLUMNS,
    REGISTRY_KEY,
    REGISTRY_SCHEMA,
    Store,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from os import PathLike

__all__ = ["IngestResult", "ingest"]


@attrs.frozen(slots=True)
class IngestResult:
    """What an ingest did.

    Attributes
    ----------
    store
        The store written.
    ingest_id
        The ingest's id (the name of the files it wrote, in the manifest).
    days
        The dates ingested (each replaced if it was there before), sorted.
    replaced
        The dates among ``days`` that the store held before, with other marks.
    unchanged
        The dates among ``days`` that the store held with the same marks
        (a feed that re-sends recent days): their files were kept.
    marks
        The marks export as read: ``n_read``, ``valid``, ``rejects`` (with
        their reasons; they hold the delivered UPNs, so keep them with the
        export, not in the store).
    enrolments
        The enrolments export as read, or ``None`` when it was the export the
        store already holds (the same file and key as the last ingest's):
        then it is not read again and the registry is kept as it is.
    new_enrolments
        Enrolments numbered for the first time by this ingest.
    """

    store: Store
    ingest_id: str
    days: tuple[dt.date, ...]
    replaced: tuple[dt.date, ...]
    unchanged: tuple[dt.date, ...]
    marks: ReadResult
    enrolments: ReadResult | None
    new_enrolments: int


@contextlib.contextmanager
def store_lock(root: Path) -> Iterator[Path]:
    """Hold the store's lock file while the body runs (created with ``O_EXCL``).

    Raises
    ------
    ExportError
        If another ingest holds the lock (or a killed one left it).
    """
    root.mkdir(parents=True, exist_ok=True)
    lock = root / LOCK
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError as err:
        try:
            held = lock.read_text(encoding="utf-8").strip()
        except OSError:
            held = "unknown"
        raise ExportError(
            f"another ingest is writing this store (its lock file holds: {held})",
            path=lock,
            hint="wait for it to finish; if no ingest is running (one was killed), "
            f"delete {lock} and run the ingest again",
        ) from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"pid {os.getpid()} since {_now()}\n")
        yield lock
    finally:
        lock.unlink(missing_ok=True)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fingerprint(
    given: str | PathLike[str] | ReadResult, key: str | bytes | None
) -> str | None:
    """SHA-256 of an export file and the pseudonym key (``None`` for a folder or a frame)."""
    if isinstance(given, ReadResult) or not Path(given).is_file():
        return None
    raw_key = key.encode() if isinstance(key, str) else key
    key_sha = "none" if raw_key is None else hashlib.sha256(raw_key).hexdigest()
    return hashlib.sha256(f"{_sha256(Path(given))}|{key_sha}".encode()).hexdigest()


def _last_fingerprint(root: Path) -> str | None:
    """Return the enrolments fingerprint of the store's last ingest (``None``: none)."""
    if not (root / MANIFEST).exists():
        return None
    ingests = Store.open(root).manifest()["ingests"]
    if not ingests:
        return None
    last = ingests[-1].get("enrolments_fingerprint")
    return last if isinstance(last, str) else None


def _read(
    given: str | PathLike[str] | ReadResult,
    reader: Callable[..., ReadResult],
    key: str | bytes | None,
) -> ReadResult:
    if isinstance(given, ReadResult):
        return given
    return reader(given, key=key)


def _registry(old: pl.DataFrame, enrolments: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Give new enrolments the next numbers; keep old numbers, update columns."""
    key = list(REGISTRY_KEY)
    new = enrolments.select(list(REGISTRY_SCHEMA)[1:]).unique(
        subset=key, keep="last", maintain_order=True
    )
    kept = old.join(new.select(key), on=key, how="anti", nulls_equal=True)
    updated = new.join(
        old.select(*key, "enrolment"), on=key, how="left", nulls_equal=True
    )
    return _number(kept, updated)


def _number(kept: pl.DataFrame, fresh: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Give the rows of ``fresh`` whose ``enrolment`` is null the next free numbers."""
    used = pl.concat(
        [kept.get_column("enrolment"), fresh.get_column("enrolment")]
    ).drop_nulls()
    first = 0 if used.is_empty() else int(used.max()) + 1  # type: ignore[arg-type]
    new = fresh.get_column("enrolment").is_null()
    n_new = int(new.sum())
    if first + n_new > 2**32:
        raise ExportError(
            "the store would hold more than 2**32 enrolment numbers",
            hint="start a new store (one per academic year keeps numbers small)",
        )
    place = new.cast(pl.Int64).cum_sum() - 1 + first
    fresh = fresh.with_columns(
        pl.when(new.to_frame("_new").get_column("_new"))
        .then(place)
        .otherwise(pl.col("enrolment"))
        .alias("enrolment")
    )
    reg = pl.concat(
        [
            kept.select(list(REGISTRY_SCHEMA)).cast(REGISTRY_SCHEMA),  # type: ignore[arg-type]
            fresh.select(list(REGISTRY_SCHEMA)).cast(REGISTRY_SCHEMA),  # type: ignore[arg-type]
        ]
    )
    return reg.sort("enrolment"), n_new


def _assign(
    marks: pl.DataFrame, reg: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Give each mark the number of the enrolment it falls in (or a pupil-and-school row).

    A mark falls in the spell of its pupil and school whose dates hold its
    date (the lowest number if several do). Most pupils have one spell: their
    marks get its number from one order-keeping hash join on ``pupil_key``
    alone (a single 64-bit key: cheaper than the pair) and a check of the
    school and the date, with no group-by and no sort. Only the marks left
    without a number whose pupil has several spells go through a range join
    (every spell of the pupil and school, the lowest number that holds the
    date).

    Returns the marks with ``enrolment``, the registry with any new
    pupil-and-school rows, and how many such rows were added.
    """
    pair = ["pupil_key", "urn"]
    spells = reg.filter(pl.col("enrol_start").is_not_null()).select(
        "enrolment", *pair, "enrol_start", "enrol_end"
    )
    one = spells.select(pl.col("pupil_key").is_unique()).to_series()
    inside = (pl.col("date") >= pl.col("enrol_start")) & (
        pl.col("enrol_end").is_null() | (pl.col("date") <= pl.col("enrol_end"))
    )
    m = marks.join(
        spells.filter(one).rename({"urn": "_u"}),
        on="pupil_key",
        how="left",
        maintain_order="left",
    )
    m = m.with_columns(
        pl.when(inside & (pl.col("urn") == pl.col("_u")))
        .then(pl.col("enrolment"))
        .alias("enrolment")
    ).drop("_u", "enrol_start", "enrol_end")
    if not one.all():
        m = m.with_row_index("_r")
        hit = (
            m.lazy()
            .filter(pl.col("enrolment").is_null())
            .select("_r", *pair, "date")
            .join(spells.filter(~one).lazy(), on=pair, how="inner")
            .filter(inside)
            .group_by("_r")
            .agg(pl.col("enrolment").min().alias("_s"))
            .collect()
        )
        m = (
            m.join(hit, on="_r", how="left", maintain_order="left")
            .with_columns(pl.coalesce("enrolment", "_s").alias("enrolment"))
            .drop("_r", "_s")
        )
    pairs = m.filter(pl.col("enrolment").is_null()).select(pair).unique()
    n_new = 0
    if not pairs.is_empty():
        known = reg.filter(pl.col("enrol_start").is_null()).select(*pair, "enrolment")
        fresh = pairs.join(known, on=pair, how="left")
        fresh = fresh.sort(pair).with_columns(
            *(
                pl.lit(None, dtype).alias(c)
                for c, dtype in REGISTRY_SCHEMA.items()
                if c not in fresh.columns
            )
        )
        reg, n_new = _number(reg, fresh.filter(pl.col("enrolment").is_null()))
        orphans = reg.filter(pl.col("enrol_start").is_null()).select(
            *pair, pl.col("enrolment").alias("_o")
        )
        m = (
            m.join(orphans, on=pair, how="left", maintain_order="left")
            .with_columns(pl.coalesce("enrolment", "_o").alias("enrolment"))
            .drop("_o")
        )
    return (
        m.select(*marks.columns, pl.col("enrolment").cast(ENROLMENT_DTYPE)),
        reg,
        n_new,
    )


def _counts(day: pl.DataFrame) -> pl.DataFrame:
    """Count one day's marks per enrolment: the categories and every code.

    One sort of a packed (enrolment, code) key and a scatter into a matrix
    (numpy): several times cheaper than a group-by with a filtered sum per
    code.
    """
    n_codes = len(REASON_COLUMNS)
    number = day.get_column("enrolment").to_numpy().astype(np.uint64)
    code = day.get_column("code").to_physical().to_numpy().astype(np.uint64)
    keys, n = np.unique(number * n_codes + code, return_counts=True)
    # the keys are sorted: each enrolment's first key starts a new row
    owner = keys // n_codes
    first = np.ones(owner.size, dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    row = np.cumsum(first) - 1
    numbers = owner[first]
    # one contiguous array per code (no copy when each becomes a column)
    wide = np.zeros((n_codes, numbers.size), dtype=np.uint16)
    wide[(keys % n_codes).astype(np.intp), row] = n
    frame = pl.DataFrame(
        {
            "enrolment": pl.Series(numbers, dtype=ENROLMENT_DTYPE),
            **{
                r: pl.Series(wide[i], dtype=COUNT_DTYPE)
                for i, r in enumerate(REASON_COLUMNS)
            },
        }
    )
    reasons = {c.dfe_reason: c.category for c in CODES.values()}
    cats = [
        pl.sum_horizontal([pl.col(r) for r, cat in reasons.items() if cat in wanted])
        .cast(COUNT_DTYPE)
        .alias(name)
        for name, wanted in COUNT_CATEGORIES.items()
    ]
    return frame.with_columns(cats).select(
        "enrolment", *COUNT_CATEGORIES, *REASON_COLUMNS
    )


def _digest(part: pl.DataFrame) -> str:
    """Return an order-free digest of a day's numbered marks (rows, two sums of row hashes)."""
    h = part.select("enrolment", "urn", "pupil_key", "session", "code").hash_rows(
        seed=18
    )
    high = int((h // 2**32).cast(pl.Int64).sum())
    low = int((h % 2**32).cast(pl.Int64).sum())
    return f"{part.height}-{high:x}-{low:x}"


def _write_day(
    root: Path, day: dt.date, ingest_id: str, part: pl.DataFrame
) -> dict[str, Any]:
    """Write one day's numbered marks and their counts; return their manifest paths."""
    ay = time_period(academic_year_start(day))
    folder = f"academic_year={ay}/date={day.isoformat()}"
    marks_rel = f"marks/{folder}/{ingest_id}.parquet"
    counts_rel = f"counts/{folder}/{ingest_id}.parquet"
    with atomic_path(root / marks_rel, what="the day's marks", parents=True) as tmp:
        part.select("enrolment", "urn", "pupil_key", "session", "code").sort(
            "enrolment", "session"
        ).write_parquet(tmp)
    with atomic_path(root / counts_rel, what="the day's counts", parents=True) as tmp:
        _counts(part).write_parquet(tmp)
    return {"academic_year": ay, "marks": marks_rel, "counts": counts_rel}


def _changed_spells(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Return the enrolment numbers whose marks a change of spells may move, and from when.

    Returns ``enrolment`` (every number ``old`` gave a pupil and school whose
    spells changed: its spells and its row for marks outside them) and
    ``from`` (the first date whose assignment may differ). A spell new in
    ``new`` changes its pupil and school from its start; a spell whose end
    moved, from the day after the earlier end.
    """
    key = list(REGISTRY_KEY)
    spells_old = old.filter(pl.col("enrol_start").is_not_null()).select(
        *key, pl.col("enrol_end").alias("_end_old")
    )
    spells_new = new.filter(pl.col("enrol_start").is_not_null()).select(
        *key, pl.col("enrol_end").alias("_end_new")
    )
    both = spells_new.join(spells_old, on=key, how="inner", nulls_equal=True)
    moved = pl.col("_end_old").is_null() != pl.col("_end_new").is_null()
    moved = moved | (pl.col("_end_old") != pl.col("_end_new")).fill_null(False)
    earlier_end = pl.min_horizontal("_end_old", "_end_new") + dt.timedelta(days=1)
    changed = both.filter(moved).select("pupil_key", "urn", earlier_end.alias("from"))
    added = spells_new.join(spells_old, on=key, how="anti", nulls_equal=True).select(
        "pupil_key", "urn", pl.col("enrol_start").alias("from")
    )
    dropped = spells_old.join(spells_new, on=key, how="anti", nulls_equal=True).select(
        "pupil_key", "urn", pl.col("enrol_start").alias("from")
    )
    pairs = (
        pl.concat([changed, added, dropped])
        .group_by("pupil_key", "urn")
        .agg(pl.col("from").min())
    )
    return (
        old.select("enrolment", "pupil_key", "urn")
        .join(pairs, on=["pupil_key", "urn"], how="inner")
        .select("enrolment", "from")
    )


def _rederive(
    root: Path,
    manifest: dict[str, Any],
    old: pl.DataFrame,
    reg: pl.DataFrame,
    *,
    skip: set[dt.date],
    say: Callable[[str], None],
) -> Iterator[tuple[dt.date, dict[str, Any], pl.DataFrame]]:
    """Yield each stored day a spell change touches: its entry and its marks, unnumbered.

    Only the days from the change on that hold marks of the pupils and
    schools concerned are read (found from the counts' ``enrolment``
    column); the marks come back with ``date`` and without ``enrolment``,
    every mark of the day, for :func:`_assign` to number again.
    """
    moved = _changed_spells(old, reg)
    if moved.is_empty() or not manifest["days"]:
        return
    low = moved.get_column("from").min()
    first = low if isinstance(low, dt.date) else None
    stored = {
        d: info
        for d, info in manifest["days"].items()
        if dt.date.fromisoformat(d) not in skip
        and (first is None or dt.date.fromisoformat(d) >= first)
    }
    if not stored:
        return
    counts = pl.concat(
        [
            pl.scan_parquet(root / info["counts"])
            .select("enrolment")
            .with_columns(date=pl.lit(dt.date.fromisoformat(d), pl.Date))
            for d, info in stored.items()
        ]
    )
    touched = (
        counts.join(moved.lazy(), on="enrolment", how="inner")
        .filter(pl.col("date") >= pl.col("from"))
        .select(pl.col("date").unique().sort())
        .collect()
        .get_column("date")
        .to_list()
    )
    for i, day in enumerate(touched, 1):
        say(f"re-deriving stored day {i} of {len(touched)} ({day}): spells changed")
        info = manifest["days"][day.isoformat()]
        marks = (
            pl.read_parquet(root / info["marks"])
            .with_columns(date=pl.lit(day, pl.Date))
            .select("urn", "pupil_key", "date", "session", "code")
        )
        yield day, info, marks


def _rejected_per_day(rejects: pl.DataFrame) -> tuple[dict[str, int], int]:
    """Rejected rows per delivered date (ISO), and how many had no readable date."""
    if rejects.is_empty() or "date" not in rejects.columns:
        return {}, rejects.height
    text = pl.col("date").cast(pl.String).str.strip_chars()
    parsed = rejects.select(
        pl.coalesce(
            *(
                text.str.to_date(f, strict=False)
                for f in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
            )
        ).alias("d")
    )
    undated = int(parsed.get_column("d").is_null().sum())
    per = parsed.drop_nulls().group_by("d").len()
    return {d.isoformat(): int(n) for d, n in per.iter_rows()}, undated


def _running_totals(
    root: Path,
    stored: dict[str, dict[str, Any]],
    changed: set[str],
    ingest_id: str,
    say: Callable[[str], None],
) -> Iterator[tuple[str, str]]:
    """Write each academic year's running totals from its first changed day on.

    The totals of a day are the sums of every count column per enrolment
    over the stored days of its academic year up to that day: the previous
    stored day's totals plus the day's counts. A day whose counts changed,
    and every later day of its year, gets new totals; earlier days keep
    theirs. Yields (ISO date, totals path) for each day written.
    """
    columns = [*COUNT_CATEGORIES, *REASON_COLUMNS]
    by_year: dict[int, list[str]] = {}
    for day_iso, info in stored.items():
        by_year.setdefault(int(info["academic_year"]), []).append(day_iso)
    for year, year_days in sorted(by_year.items()):
        year_days.sort()
        todo = [
            i
            for i, d in enumerate(year_days)
            if d in changed or "totals" not in stored[d]
        ]
        if not todo:
            continue
        first = todo[0]
        prev = stored[year_days[first - 1]]["totals"] if first else None
        for k, day_iso in enumerate(year_days[first:], 1):
            say(
                f"year-to-date totals {k} of {len(year_days) - first} "
                f"({year}, {day_iso})"
            )
            day = pl.read_parquet(root / stored[day_iso]["counts"])
            if prev is not None:
                day = _add_counts(pl.read_parquet(root / prev), day, columns)
            rel = f"totals/academic_year={year}/date={day_iso}/{ingest_id}.parquet"
            with atomic_path(
                root / rel, what="the year-to-date totals", parents=True
            ) as tmp:
                day.select("enrolment", *columns).sort("enrolment").write_parquet(tmp)
            prev = rel
            yield day_iso, rel


def _add_counts(
    before: pl.DataFrame, day: pl.DataFrame, columns: list[str]
) -> pl.DataFrame:
    """Add two frames of counts with one row per enrolment (numpy: no group-by).

    The rows of the result are every enrolment of either frame, sorted;
    a count missing from one frame counts 0. Enrolment numbers are dense,
    so a mask as long as the highest number places both frames' rows
    (most days hold the same enrolments as the day before: then the
    columns are added as they are).

    Raises
    ------
    ExportError
        If a total passes the counts' type (65,535 sessions).
    """
    a = before.get_column("enrolment").to_numpy()
    b = day.get_column("enrolment").to_numpy()
    same = np.array_equal(a, b)
    numbers = a
    if not same:
        size = 1 + max(int(a.max(initial=0)), int(b.max(initial=0)))
        present = np.zeros(size, dtype=bool)
        present[a] = True
        present[b] = True
        place = np.cumsum(present) - 1
        numbers = np.flatnonzero(present)
        at_a, at_b = place[a], place[b]
    out = {"enrolment": pl.Series("enrolment", numbers).cast(ENROLMENT_DTYPE)}
    for c in columns:
        x = before.get_column(c).to_numpy()
        y = day.get_column(c).to_numpy()
        if same:
            total = x.astype(np.uint32) + y
        else:
            total = np.zeros(numbers.size, dtype=np.uint32)
            total[at_a] += x
            total[at_b] += y
        if total.size and int(total.max()) > np.iinfo(np.uint16).max:
            raise ExportError(
                f"a year-to-date total of {c} passes 65,535 sessions",
                hint="check the marks export for repeated days; "
                "one academic year holds far fewer sessions",
            )
        out[c] = pl.Series(c, total.astype(np.uint16))
    return pl.DataFrame(out)


def _clean(root: Path, manifest: dict[str, Any]) -> None:
    """Delete the files under the store's folders that the manifest does not name."""
    named = {manifest["registry"]} if manifest["registry"] else set()
    for info in manifest["days"].values():
        named |= {info[k] for k in ("marks", "counts", "totals") if k in info}
    for folder in ("registry", "marks", "counts", "totals"):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel not in named:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def ingest(
    store: str | PathLike[str] | Store,
    marks: str | PathLike[str] | ReadResult,
    enrolments: str | PathLike[str] | ReadResult,
    *,
    key: str | bytes | None = None,
    source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestResult:
    r"""Ingest a marks export (one day or several) into a store.

    The marks and enrolments are read and validated by
    :func:`~makingdata.io.read_marks` and :func:`~makingdata.io.read_enrolments`
    (UPNs become ``pupil_key`` with ``key``); rejected rows come back in the
    result with their reasons, and each day's manifest entry counts them.
    Every enrolment gets a dense number the first time it is seen, kept for
    ever; each valid mark is stored with the number of the enrolment it falls
    in, and each day gets per-enrolment counts.

    Guarantees: a day ingested again is replaced if its marks changed and
    kept as it is if not (idempotent; a feed that re-sends its recent days
    rewrites only the changed ones); stored days whose marks a changed spell
    moves to another enrolment are re-derived; each day's running
    year-to-date totals are renewed from the first changed day of its
    academic year on; every file is written under a new name and the
    manifest is replaced last, so an ingest that fails or is killed leaves
    the store as it was; a lock file (``ingest.lock``) refuses a second
    ingest while one runs.

    Parameters
    ----------
    store
        The store's folder (created if missing) or a :class:`Store`.
    marks
        A marks export (CSV, Parquet, Parquet folder) or a :class:`ReadResult`
        from :func:`~makingdata.io.read_marks`.
    enrolments
        The enrolments export (every spell the marks may fall in), or its
        :class:`ReadResult`. Spells already in the store and not in this
        export keep their number and columns.
    key
        The pseudonym key for UPNs (see :func:`~makingdata.io.read_marks`).
    source
        What the manifest records as the source (default: the marks path).
    progress
        Called with a line of text at each step.

    Returns
    -------
    IngestResult

    Raises
    ------
    ExportError
        If another ingest holds the lock, or a file cannot be written (the
        store is left as it was).
    InputError
        If an export cannot be read at all, or holds no valid mark.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.store import Store, ingest
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "marks.csv").write_text(
    ...     "pupil_key,urn,date,session,code\n"
    ...     "7,100001,2025-09-08,AM,/\n"
    ...     "7,100001,2025-09-08,PM,I\n"
    ... )
    >>> _ = (d / "enrolments.csv").write_text(
    ...     "pupil_key,urn,enrol_start\n7,100001,2025-09-01\n"
    ... )
    >>> result = ingest(d / "store", d / "marks.csv", d / "enrolments.csv")
    >>> [str(day) for day in result.days]
    ['2025-09-08']
    >>> counts = result.store.counts().collect()
    >>> counts.select("enrolment", "sess_possible", "sess_overall").row(0)
    (0, 2, 1)
    """
    say = progress or (lambda _text: None)
    root = store.path if isinstance(store, Store) else Path(store)
    say("reading and checking the marks")
    m_read = _read(marks, read_marks, key)
    # an enrolments export the store already holds (same file, same key) is
    # not read or re-numbered again: most days' is yesterday's
    e_print = _fingerprint(enrolments, key)
    e_read: ReadResult | None = None
    if e_print is None or e_print != _last_fingerprint(root):
        say("reading and checking the enrolments")
        e_read = _read(enrolments, read_enrolments, key)
    else:
        say("the enrolments export is the one the store holds: not read again")
    valid = m_read.valid
    if valid.is_empty():
        raise InputError(
            f"the marks export holds no valid mark ({m_read.n_rejected:,} rejected)",
            path=m_read.path,
            hint="check the export with makingdata validate --kind marks",
        )
    src = source if source is not None else m_read.path
    src_file = Path(m_read.path)
    src_sha = _sha256(src_file) if src_file.is_file() else None
    with store_lock(root):
        st = Store.open(root)
        manifest = st.manifest()
        _clean(root, manifest)  # what a killed ingest left behind
        if e_read is None and e_print != _last_fingerprint(root):
            # another ingest changed the enrolments since the check above
            e_read = _read(enrolments, read_enrolments, key)
        try:
            result = _write(
                root,
                st=st,
                manifest=manifest,
                m_read=m_read,
                e_read=e_read,
                e_print=e_print,
                e_source=(
                    enrolments.path
                    if isinstance(enrolments, ReadResult)
                    else str(enrolments)
                ),
                src=src,
                src_sha=src_sha,
                say=say,
            )
        except BaseException:
            _clean(root, manifest)  # the files this ingest wrote: gone
            raise
        _clean(root, result[0])  # the files this ingest replaced
    ingest_id, days, replaced, n_new, unchanged = result[1:]
    return IngestResult(
        store=st,
        ingest_id=ingest_id,
        days=tuple(days),
        replaced=replaced,
        unchanged=unchanged,
        marks=m_read,
        enrolments=e_read,
        new_enrolments=n_new,
    )


def _write(
    root: Path,
    *,
    st: Store,
    manifest: dict[str, Any],
    m_read: ReadResult,
    e_read: ReadResult | None,
    e_print: str | None,
    e_source: str,
    src: str,
    src_sha: str | None,
    say: Callable[[str], None],
) -> tuple[
    dict[str, Any], str, list[dt.date], tuple[dt.date, ...], int, tuple[dt.date, ...]
]:
    """Write an ingest's files, then the manifest (the commit point)."""
    valid = m_read.valid
    ingest_id = (
        dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    )
    old = st.registry().collect()
    reg, n_new = (old, 0) if e_read is None else _registry(old, e_read.valid)
    say("numbering enrolments and matching marks to them")
    numbered, reg, _ = _assign(valid, reg)
    rejected, undated = _rejected_per_day(m_read.rejects)
    days = sorted(numbered.get_column("date").unique().to_list())
    replaced = tuple(d for d in days if d.isoformat() in manifest["days"])
    now = _now()
    entries: dict[str, dict[str, Any]] = {}
    # stored days whose marks a changed spell moves to another number
    # (an unchanged enrolments export changes no spell: nothing to re-derive)
    rederived = (
        iter(())
        if e_read is None
        else _rederive(root, manifest, old, reg, skip=set(days), say=say)
    )
    for day, info, part in rederived:
        numbered_day, reg, _ = _assign(part, reg)
        rel = _write_day(root, day, ingest_id, numbered_day)
        entries[day.isoformat()] = {
            **info,
            **rel,
            "sha256": _sha256(root / rel["marks"]),
            "digest": _digest(numbered_day),
            "rederived_at": now,
            "rederived_by": ingest_id,
        }
    unchanged: list[dt.date] = []
    for i, day in enumerate(days, 1):
        part = numbered.filter(pl.col("date") == day)
        digest = _digest(part)
        held = manifest["days"].get(day.isoformat())
        if (
            held is not None
            and held.get("digest") == digest
            and day.isoformat() not in entries
        ):
            # a re-sent day that has not changed: its files stay as they are
            say(f"day {i} of {len(days)}: {day} unchanged")
            unchanged.append(day)
            continue
        say(f"day {i} of {len(days)}: {day}")
        rel = _write_day(root, day, ingest_id, part)
        marks_rel = rel["marks"]
        n_rej = rejected.get(day.isoformat(), 0)
        entries[day.isoformat()] = {
            "academic_year": rel["academic_year"],
            "marks": marks_rel,
            "counts": rel["counts"],
            "source": src,
            "rows_in": part.height + n_rej,
            "rows_valid": part.height,
            "rows_rejected": n_rej,
            "sha256": _sha256(root / marks_rel),
            "digest": digest,
            "ingested_at": now,
            "ingest": ingest_id,
        }
    replaced = tuple(d for d in replaced if d not in unchanged)
    stored = dict(sorted({**manifest["days"], **entries}.items()))
    if (
        not entries
        and (reg is old or reg.equals(old))
        and all("totals" in v for v in stored.values())
    ):
        say("nothing changed: the store is left as it was")
        return manifest, ingest_id, days, (), n_new, tuple(unchanged)
    for day_iso, totals_rel in _running_totals(
        root, stored, set(entries), ingest_id, say
    ):
        stored[day_iso] = {**stored[day_iso], "totals": totals_rel}
    reg_rel = manifest["registry"]
    if not reg_rel or not (reg is old or reg.equals(old)):
        # an unchanged registry keeps its file
        reg_rel = f"registry/{ingest_id}.parquet"
        with atomic_path(
            root / reg_rel, what="the enrolment registry", parents=True
        ) as tmp:
            reg.write_parquet(tmp)
    manifest = {
        **manifest,
        "registry": reg_rel,
        "days": stored,
        "ingests": [
            *manifest["ingests"],
            {
                "ingest": ingest_id,
                "source": src,
                "source_sha256": src_sha,
                "enrolments_source": e_source,
                "enrolments_fingerprint": e_print,
                "enrolments_unchanged": e_read is None,
                "ingested_at": now,
                "days": sorted(entries),
                "rows_in": m_read.n_read,
                "rows_valid": m_read.n_valid,
                "rows_rejected": m_read.n_rejected,
                "rows_rejected_other_days": m_read.n_rejected
                - sum(e["rows_rejected"] for e in entries.values()),
                "rows_rejected_undated": undated,
                "enrolments_valid": None if e_read is None else e_read.n_valid,
                "enrolments_rejected": None if e_read is None else e_read.n_rejected,
                "enrolments_new": n_new,
            },
        ],
    }
    say("committing the manifest")
    with atomic_path(root / MANIFEST, what="the store's manifest") as tmp:
        tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest, ingest_id, days, replaced, n_new, tuple(unchanged)
