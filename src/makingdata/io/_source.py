"""Opening an export: encoding, delimiter, header aliases, CSV or Parquet (private).

A :class:`Source` is a ``LazyFrame`` of the export's columns under their
canonical names, every value as delivered (CSV: all text), plus ``_row``: the
source row number (the file line for CSV, the 0-based position for Parquet).
"""

from __future__ import annotations

import codecs
import difflib
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from os import PathLike

ROW = "_row"
_SNIFF_BYTES = 1 << 16
_CHUNK_BYTES = 1 << 24
_BOM = b"\xef\xbb\xbf"
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_UTF8 = frozenset({"utf-8", "utf8", "utf-8-sig", "utf_8"})
_PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
_DATA_LIKE = re.compile(
    r"^(\d{6}|[A-Z]\d{11}[0-9A-Z]|\d{4}-\d{2}-\d{2}|\d{2}[/-]\d{2}[/-]\d{4})$"
)


@attrs.frozen(slots=True)
class Field:
    """A canonical column and the header names accepted for it."""

    name: str
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """Return the canonical name and its aliases, normalised."""
        return (self.name, *self.aliases)


@attrs.define(slots=True)
class Source:
    """An opened export: a lazy frame of canonical columns plus ``_row``."""

    lazy: pl.LazyFrame
    path: str
    format: str
    encoding: str | None
    headers: dict[str, str]
    ignored: tuple[str, ...]
    tempdir: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        """Remove any temporary transcoded copy."""
        if self.tempdir is not None:
            self.tempdir.cleanup()
            self.tempdir = None


def normalise_header(name: str) -> str:
    """Return a header in canonical spelling: trimmed, lower case, ``_`` joined.

    Examples
    --------
    >>> from makingdata.io._source import normalise_header
    >>> normalise_header(" Session Date ")
    'session_date'
    >>> normalise_header("\ufeffLA (code)")
    'la_code'
    """
    text = name.replace("\ufeff", "").strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _alias_table(fields: Sequence[Field]) -> dict[str, str]:
    table: dict[str, str] = {}
    for f in fields:
        for alias in f.names():
            table[normalise_header(alias)] = f.name
    return table


def _map_headers(
    path: str, raw_headers: Sequence[str], fields: Sequence[Field]
) -> tuple[list[str], dict[str, str], tuple[str, ...]]:
    """Return the new column names, canonical->source map and ignored headers."""
    table = _alias_table(fields)
    names: list[str] = []
    found: dict[str, str] = {}
    ignored: list[str] = []
    for i, raw in enumerate(raw_headers):
        canonical = table.get(normalise_header(raw))
        if canonical is None:
            names.append(f"_ignored_{i}")
            ignored.append(raw)
            continue
        if canonical in found:
            raise InputError(
                f"columns {found[canonical]!r} and {raw!r} both give {canonical!r}",
                path=path,
                row=1,
                column=raw,
                hint=f"keep one of them, or rename the other so it is not read as "
                f"{canonical!r}",
            )
        found[canonical] = raw
        names.append(canonical)
    return names, found, tuple(ignored)


def missing_columns_error(
    source: Source, missing: Sequence[str], fields: Sequence[Field]
) -> InputError:
    """Build the error for required columns that are not in the header.

    Suggests the closest unrecognised header for each missing column
    (``difflib``), or says that the first line looks like data.
    """
    by_name = {f.name: f for f in fields}
    tips: list[str] = []
    normalised_ignored = {normalise_header(h): h for h in source.ignored}
    for name in missing:
        candidates = [normalise_header(a) for a in by_name[name].names()]
        close: list[str] = []
        for cand in candidates:
            close += difflib.get_close_matches(
                cand, list(normalised_ignored), n=1, cutoff=0.6
            )
        if close:
            tips.append(f"rename {normalised_ignored[close[0]]!r} to {name!r}")
        else:
            accepted = ", ".join(repr(a) for a in by_name[name].names())
            tips.append(f"add a {name!r} column (accepted names: {accepted})")
    every_header = [*source.ignored, *source.headers.values()]
    if source.format == "csv" and any(
        _DATA_LIKE.match(h.strip()) for h in every_header
    ):
        return InputError(
            "the first line looks like data, not a header",
            path=source.path,
            row=1,
            hint="add a header line naming the columns: "
            + ", ".join(sorted({f.name for f in fields if f.name in missing})),
        )
    plural = "s" if len(missing) > 1 else ""
    return InputError(
        f"required column{plural} {', '.join(repr(m) for m in missing)} "
        f"not found in the header (found: {', '.join(repr(h) for h in source.ignored) or 'none'}"
        f"{'; used: ' + ', '.join(source.headers.values()) if source.headers else ''})",
        path=source.path,
        row=1 if source.format == "csv" else None,
        column=missing[0],
        hint="; ".join(tips),
    )


def _is_utf8(path: Path) -> tuple[bool, int | None]:
    """Return whether the whole file decodes as UTF-8, and the first bad line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return False, line + chunk[: err.start].count(b"\n")
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False, line
    return True, None


def _transcode(
    path: Path, encoding: str
) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    """Write a UTF-8 copy of ``path`` in a temporary directory, in chunks."""
    tmp = tempfile.TemporaryDirectory(prefix="makingdata-")
    out = Path(tmp.name) / (path.stem + ".utf8.csv")
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as src, out.open("wb") as dst:
        while chunk := src.read(_CHUNK_BYTES):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    return out, tmp


def _split_header(line: str, separator: str) -> list[str]:
    return [h.strip().strip('"').strip() for h in line.split(separator)]


def _open_csv(
    path: Path,
    fields: Sequence[Field],
    *,
    encoding: str | None,
    separator: str,
) -> Source:
    where = str(path)
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    body = head.removeprefix(_BOM)
    if not body.strip():
        raise InputError(
            "the file is empty",
            path=where,
            hint="export the data again; a CSV needs a header line and one line per row",
        )
    if encoding is None:
        ok, _bad_line = _is_utf8(path)
        used = "utf-8" if ok else "latin-1"
    else:
        try:
            used = codecs.lookup(encoding).name
        except LookupError as err:
            raise InputError(
                f"unknown encoding {encoding!r}",
                path=where,
                hint="use 'utf-8' or 'latin-1'",
            ) from err
    tempdir = None
    scan_path = path
    if used not in _UTF8:
        scan_path, tempdir = _transcode(path, used)
    try:
        return _scan_csv(
            path,
            scan_path,
            body,
            fields,
            used=used,
            separator=separator,
            tempdir=tempdir,
        )
    except BaseException:
        if tempdir is not None:
            tempdir.cleanup()
        raise


def _scan_csv(
    path: Path,
    scan_path: Path,
    body: bytes,
    fields: Sequence[Field],
    *,
    used: str,
    separator: str,
    tempdir: tempfile.TemporaryDirectory[str] | None,
) -> Source:
    where = str(path)
    first = body.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        header_line = first.decode("utf-8" if used in _UTF8 else used)
    except UnicodeDecodeError as err:
        raise InputError(
            "the header line is not valid UTF-8",
            path=where,
            row=1,
            hint="pass encoding='latin-1' (--encoding latin-1) if the file was "
            "saved by Excel or an older system",
        ) from err
    raw_headers = _split_header(header_line, separator)
    if len(raw_headers) == 1:
        for cand, name in _DELIMITERS.items():
            if cand != separator and len(_split_header(header_line, cand)) > 1:
                raise InputError(
                    f"the header has a single column but looks {name}-separated",
                    path=where,
                    row=1,
                    hint=f"save the file with {_DELIMITERS.get(separator, separator)!s} "
                    f"separators, or pass separator={cand!r}",
                )
    names, found, ignored = _map_headers(where, raw_headers, fields)
    lazy = pl.scan_csv(
        scan_path,
        separator=separator,
        has_header=True,
        new_columns=names,
        infer_schema=False,
        encoding="utf8",
        row_index_name=ROW,
        row_index_offset=2,
    )
    lazy = lazy.select(pl.col(ROW).cast(pl.Int64), *found)
    return Source(
        lazy=lazy,
        path=where,
        format="csv",
        encoding=used,
        headers=found,
        ignored=ignored,
        tempdir=tempdir,
    )


def _open_parquet(path: Path, fields: Sequence[Field]) -> Source:
    where = str(path)
    if path.is_dir():
        if not any(path.rglob("*.parquet")):
            raise InputError(
                "the directory holds no .parquet files",
                path=where,
                hint="point at a Parquet file, a hive-partitioned Parquet "
                "directory, or a CSV file",
            )
        lazy = pl.scan_parquet(path, hive_partitioning=True)
    else:
        lazy = pl.scan_parquet(path)
    try:
        raw_headers = lazy.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as err:
        raise InputError(
            f"could not read the Parquet schema: {err}",
            path=where,
            hint="check that the file is a complete Parquet file",
        ) from err
    names, found, ignored = _map_headers(where, raw_headers, fields)
    renamed = lazy.rename(dict(zip(raw_headers, names, strict=True)))
    renamed = renamed.with_row_index(ROW).select(pl.col(ROW).cast(pl.Int64), *found)
    return Source(
        lazy=renamed,
        path=where,
        format="parquet",
        encoding=None,
        headers=found,
        ignored=ignored,
    )


def open_source(
    path: str | PathLike[str],
    fields: Sequence[Field],
    *,
    encoding: str | None = None,
    separator: str = ",",
) -> Source:
    """Open a CSV file, a Parquet file or a hive-partitioned Parquet directory."""
    p = Path(path)
    if not p.exists():
        raise InputError(
            "no such file or directory", path=str(p), hint="check the path"
        )
    if p.is_dir() or p.suffix.lower() in _PARQUET_SUFFIXES:
        return _open_parquet(p, fields)
    if len(separator) != 1:
        raise InputError(
            f"separator must be one character (got {separator!r})",
            path=str(p),
            hint="pass separator=',' or ';' or '\\t'",
        )
    return _open_csv(p, fields, encoding=encoding, separator=separator)


def collect_source(source: Source, lazy: pl.LazyFrame) -> pl.DataFrame:
    """Collect ``lazy`` (built on ``source``) with the streaming engine.

    Engine errors (ragged lines, bad UTF-8 …) become :class:`InputError`.
    """
    try:
        return lazy.collect(engine="streaming")
    except pl.exceptions.PolarsError as err:
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        hint = (
            "check that every line has the same number of fields as the header "
            "and that quotes are balanced"
        )
        if "utf-8" in text.lower() or "utf8" in text.lower():
            hint = "pass encoding='latin-1' (--encoding latin-1)"
        raise InputError(
            f"the file could not be read: {text}", path=source.path, hint=hint
        ) from err


def unmapped(fields: Iterable[Field], present: Mapping[str, str]) -> list[str]:
    """Return the canonical names of ``fields`` not present in the source."""
    return [f.name for f in fields if f.name not in present]
