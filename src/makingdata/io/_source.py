"""Opening an export: compression, encoding, delimiter, header aliases, CSV or Parquet (private).

A :class:`Source` is a ``LazyFrame`` of the export's columns under their
canonical names, every value as delivered (CSV: all text), plus ``_row``: the
source row number. For CSV, ``_row`` is the record number + 2 while reading;
:meth:`Source.lines_of` turns it into the file line an editor shows (the
header is line 1), also after quoted fields that hold line breaks. For
Parquet, ``_row`` is the 0-based position.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import difflib
import gzip
import io
import lzma
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import attrs
import numpy as np
import polars as pl

from makingdata.errors import InputError
from makingdata.io._records import Broken, scan_records, tolerant_copy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from os import PathLike

T = TypeVar("T")

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
#: Magic bytes of compressed files read through the standard library.
_COMPRESSED: dict[bytes, tuple[str, Callable[[Path], io.BufferedIOBase]]] = {
    b"\x1f\x8b": ("gzip", lambda p: gzip.open(p, "rb")),  # noqa: SIM115
    b"BZh": ("bzip2", lambda p: bz2.open(p, "rb")),  # noqa: SIM115
    b"\xfd7zXZ\x00": ("xz", lambda p: lzma.open(p, "rb")),  # noqa: SIM115
}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZSTD = b"\x28\xb5\x2f\xfd"
_PARQUET_MAGIC = b"PAR1"
_UTF16_BOMS = {b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def printable(text: str, limit: int = 200) -> str:
    r"""Return ``text`` safe for a one-line message: control bytes escaped, cut short.

    Examples
    --------
    >>> from makingdata.io._source import printable
    >>> printable("u\x00r\x00n\x00")
    'u\\x00r\\x00n\\x00'
    """
    out = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return out if len(out) <= limit else out[: limit - 3] + "..."


class CsvParseError(InputError):
    """polars could not split a CSV file into records (private: the readers retry)."""


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
    #: File line of each data record (CSV, only when it is not record + 2).
    lines: np.ndarray | None = None
    #: Records that could not be split into the header's fields (CSV).
    broken: tuple[Broken, ...] = ()
    #: File lines of records with fewer fields than the header (CSV; padded).
    short: np.ndarray | None = None
    #: Whether the tolerant CSV path was taken.
    tolerant: bool = False
    #: How the file was stored, when it was compressed (``"gzip"`` ...).
    compression: str | None = None

    def close(self) -> None:
        """Remove any temporary copy (decompressed, transcoded or cleaned)."""
        if self.tempdir is not None:
            self.tempdir.cleanup()
            self.tempdir = None

    def lines_of(self, rows: pl.Series) -> pl.Series:
        """Map ``_row`` values (record + 2) to file lines (the header is line 1).

        Examples
        --------
        >>> import numpy as np, polars as pl
        >>> from makingdata.io._source import Source
        >>> s = Source(pl.LazyFrame(), "x.csv", "csv", "utf-8", {}, ())
        >>> s.lines_of(pl.Series([2, 3])).to_list()
        [2, 3]
        >>> s.lines = np.array([2, 5, 6])  # record 0 holds a field of 3 lines
        >>> s.lines_of(pl.Series([2, 3, 4])).to_list()
        [2, 5, 6]
        """
        if self.lines is None or self.format != "csv":
            return rows
        index = rows.to_numpy() - 2
        return pl.Series(rows.name, self.lines[index], dtype=pl.Int64)


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


def _tempdir(holder: list[tempfile.TemporaryDirectory[str]]) -> Path:
    """Return the one temporary directory of an opening, creating it once."""
    if not holder:
        holder.append(tempfile.TemporaryDirectory(prefix="makingdata-"))
    return Path(holder[0].name)


def _transcode(path: Path, encoding: str, out: Path) -> Path:
    """Write a UTF-8 copy of ``path`` to ``out``, in chunks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as src, out.open("wb") as dst:
        while chunk := src.read(_CHUNK_BYTES):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    return out


def _split_header(text: str, separator: str) -> list[str]:
    """Split the first record of ``text`` as CSV (quoted separators kept)."""
    try:
        first = next(csv.reader(io.StringIO(text), delimiter=separator), [])
    except csv.Error:
        first = text.splitlines()[0].split(separator) if text else []
    return [h.strip().strip('"').strip() for h in first]


def _utf16_guess(head: bytes) -> str | None:
    """Return ``utf-16-le``/``-be`` when every other byte of ``head`` is NUL."""
    sample = head[: len(head) // 2 * 2][:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _detect_encoding(path: Path, head: bytes, *, where: str) -> str:
    if head.startswith(_UTF32_BOMS):
        raise InputError(
            "the file is UTF-32 text",
            path=where,
            hint="save it as CSV UTF-8 (in Excel: Save As > CSV UTF-8)",
        )
    for bom, name in _UTF16_BOMS.items():
        if head.startswith(bom):
            return name
    guess = _utf16_guess(head)
    if guess is not None:
        return guess
    if b"\x00" in head.split(b"\n", 1)[0][:4096]:
        # NUL bytes in a data value are the value's problem (rejected or kept
        # by its rules); NUL bytes in the header line mean a binary file.
        raise InputError(
            "the file is binary (it holds NUL bytes), not CSV text",
            path=where,
            hint="export the data again as CSV (UTF-8), or pass a Parquet file "
            "with a .parquet name",
        )
    ok, _bad_line = _is_utf8(path)
    return "utf-8" if ok else "latin-1"


def _unpack(
    path: Path, holder: list[tempfile.TemporaryDirectory[str]]
) -> tuple[Path, str | None]:
    """Return a plain copy of a compressed file (gzip, bzip2, xz, one-file zip).

    Refuses workbooks and formats the standard library cannot read, naming
    the file and what to do.
    """
    where = str(path)
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic.startswith(_OLE):
        raise InputError(
            "this is an Excel 97-2003 workbook (.xls), not CSV",
            path=where,
            hint="open it in Excel and save it as CSV UTF-8",
        )
    if magic.startswith(_ZSTD):
        raise InputError(
            "the file is zstandard-compressed",
            path=where,
            hint="decompress it first (zstd -d), or compress it with gzip instead",
        )
    for prefix, (name, opener) in _COMPRESSED.items():
        if magic.startswith(prefix):
            out = _tempdir(holder) / (path.stem or "export")
            try:
                with opener(path) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK_BYTES)
            except (OSError, EOFError, lzma.LZMAError) as err:
                raise InputError(
                    f"the {name} file could not be decompressed: {printable(str(err))}",
                    path=where,
                    hint=f"check the {name} file is complete (download or copy it "
                    "again)",
                ) from err
            return out, name
    if magic.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = [i for i in archive.infolist() if not i.is_dir()]
                listed = {i.filename for i in names}
                if "[Content_Types].xml" in listed and any(
                    n.startswith("xl/") for n in listed
                ):
                    raise InputError(
                        "this is an Excel workbook (.xlsx), not CSV",
                        path=where,
                        hint="open it in Excel and save the sheet as CSV UTF-8",
                    )
                if "[Content_Types].xml" in listed:
                    raise InputError(
                        "this is an Office document, not CSV",
                        path=where,
                        hint="export the data as CSV UTF-8",
                    )
                if len(names) != 1:
                    raise InputError(
                        f"the zip archive holds {len(names)} files, not one",
                        path=where,
                        hint="extract the CSV file and read it on its own",
                    )
                out = _tempdir(holder) / Path(names[0].filename).name
                with archive.open(names[0]) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise InputError(
                f"the zip archive could not be read: {printable(str(err))}",
                path=where,
                hint="check the zip file is complete, or extract the CSV from it",
            ) from err
        return out, "zip"
    return path, None


def _refuse_nested(where: str, compression: str | None, magic: bytes) -> None:
    """Refuse a compressed file inside a compressed file."""
    if compression is not None and magic.startswith((*_COMPRESSED, _ZIP, _OLE, _ZSTD)):
        raise InputError(
            f"the {compression} file holds another compressed file",
            path=where,
            hint="decompress it and read the CSV inside",
        )


def _open_csv(
    path: Path,
    fields: Sequence[Field],
    *,
    where: str,
    encoding: str | None,
    separator: str,
    tolerant: bool,
    holder: list[tempfile.TemporaryDirectory[str]],
) -> Source:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if encoding is None:
        used = _detect_encoding(path, head, where=where)
    else:
        try:
            used = codecs.lookup(encoding).name
        except LookupError as err:
            raise InputError(
                f"unknown encoding {printable(encoding)!r}",
                path=where,
                hint="use 'utf-8' or 'latin-1'",
            ) from err
    shown = head.decode("utf-8" if used in _UTF8 else used, errors="replace")
    if not shown.replace("\ufeff", "").strip():
        raise InputError(
            "the file is empty",
            path=where,
            hint="export the data again; a CSV needs a header line and one line per row",
        )
    scan_path = path
    if used not in _UTF8:
        scan_path = _transcode(path, used, _tempdir(holder) / "utf8.csv")
    return _scan_csv(
        where,
        scan_path,
        fields,
        used=used,
        separator=separator,
        tolerant=tolerant,
        holder=holder,
    )


def _header_text(scan_path: Path, where: str, used: str) -> str:
    """Return the start of the (UTF-8) file as text, cut at a whole line."""
    with scan_path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if len(head) == _SNIFF_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    try:
        return head.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        if used not in _UTF8:  # pragma: no cover - transcoded text is UTF-8
            raise
        line = 1 + head[: err.start].count(b"\n")
        raise InputError(
            "the header line is not valid UTF-8"
            if line == 1
            else f"line {line} is not valid UTF-8",
            path=where,
            row=line,
            hint="pass encoding='latin-1' (--encoding latin-1) if the file was "
            "saved by Excel or an older system",
        ) from err


def _scan_csv(
    where: str,
    scan_path: Path,
    fields: Sequence[Field],
    *,
    used: str,
    separator: str,
    tolerant: bool,
    holder: list[tempfile.TemporaryDirectory[str]],
) -> Source:
    text = _header_text(scan_path, where, used)
    raw_headers = _split_header(text, separator)
    if len(raw_headers) == 1:
        for cand, name in _DELIMITERS.items():
            if cand != separator and len(_split_header(text, cand)) > 1:
                raise InputError(
                    f"the header has a single column but looks {name}-separated",
                    path=where,
                    row=1,
                    hint=f"save the file with {_DELIMITERS.get(separator, separator)!s} "
                    f"separators, or pass separator={cand!r}",
                )
    names, found, ignored = _map_headers(where, raw_headers, fields)
    scan = scan_records(scan_path, separator=separator, n_fields=len(raw_headers))
    lines, short = scan.lines, scan.short
    broken: tuple[Broken, ...] = ()
    if tolerant or scan.suspect:
        tolerant = True
        clean = _tempdir(holder) / "clean.csv"
        try:
            result = tolerant_copy(
                scan_path, clean, separator=separator, header=list(raw_headers)
            )
        except UnicodeDecodeError as err:
            raise InputError(
                f"the file is not valid {used} text",
                path=where,
                hint="pass encoding='latin-1' (--encoding latin-1)",
            ) from err
        if result.broken and result.n_content == len(result.broken):
            first = result.broken[0]
            raise InputError(
                f"no line of the file could be read as CSV with {len(raw_headers)} "
                f"fields: {len(result.broken):,} broken line(s), the first "
                f"{first.rule.replace('_', ' ')}: {printable(first.detail, 80)}",
                path=where,
                row=first.line,
                hint="check the separator (pass separator=) and that the file is a "
                "CSV export with a header line",
            )
        scan_path, lines, broken = clean, result.lines, result.broken
        short = result.short
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
        lines=lines,
        broken=broken,
        short=short,
        tolerant=tolerant,
    )


def _hive_keys(path: Path) -> dict[str, set[str]]:
    """Return the hive partition keys of a directory and the folders giving each."""
    keys: dict[str, set[str]] = {}
    for file in path.rglob("*.parquet"):
        for part in file.relative_to(path).parts[:-1]:
            if "=" in part:
                keys.setdefault(part.split("=", 1)[0], set()).add(part)
    return keys


def _folder_value(key: str) -> pl.Expr:
    """Return the value of partition ``key`` in the ``_file`` path (``key=value/``)."""
    return pl.col("_file").str.extract(
        rf"(?:^|[/\\]){re.escape(key)}=([^/\\]+)[/\\]", 1
    )


def _check_hive(path: Path, files: pl.LazyFrame, clash: Sequence[str]) -> None:
    """Refuse partition columns whose in-file values disagree with their folder."""
    where = str(path)
    for key in clash:
        folder = _folder_value(key)
        inside = pl.col(key).cast(pl.String)
        bad = (
            files.select(
                folder.alias("_folder"),
                inside.alias("_inside"),
                pl.col("_file"),
            )
            .filter(
                pl.col("_inside").is_not_null()
                & pl.col("_folder").is_not_null()
                & (pl.col("_inside") != pl.col("_folder"))
            )
            .group_by("_folder", maintain_order=True)
            .agg(pl.len(), pl.col("_inside").first())
            .collect()
        )
        if bad.height:
            part, n, value = bad.row(0)
            more = f" (and {bad.height - 1} more partitions)" if bad.height > 1 else ""
            raise InputError(
                f"in partition '{key}={part}', {n:,} row(s) hold a {key!r} column "
                f"that disagrees with the folder (first: {printable(str(value))!r})"
                f"{more}",
                path=where,
                column=key,
                hint=f"write each row under the folder of its own {key}, or drop "
                f"the {key!r} column from the files",
            )


def _parquet_error(where: str, err: BaseException) -> InputError:
    text = printable(str(err).splitlines()[0] if str(err) else type(err).__name__)
    return InputError(
        f"the Parquet data could not be read: {text}",
        path=where,
        hint="check that the file is a complete Parquet file (write or copy it "
        "again), or export the data as CSV",
    )


def _open_parquet(path: Path, fields: Sequence[Field], *, where: str) -> Source:
    if path.is_dir():
        if not any(path.rglob("*.parquet")):
            raise InputError(
                "the directory holds no .parquet files",
                path=where,
                hint="point at a Parquet file, a hive-partitioned Parquet "
                "directory, or a CSV file",
            )
        lazy = pl.scan_parquet(path, hive_partitioning=True)
        keys = _hive_keys(path)
        if keys:
            try:
                files = pl.scan_parquet(
                    path, hive_partitioning=False, include_file_paths="_file"
                )
                inside = files.collect_schema().names()
            except (pl.exceptions.PolarsError, OSError) as err:
                raise _parquet_error(where, err) from err
            clash = [k for k in keys if k in inside]
            if clash:
                _check_hive(path, files, clash)
                # The folders and the files agree: read the files' own columns,
                # and the other partition keys (as text) from the folder names.
                lazy = files.with_columns(
                    _folder_value(k).alias(k) for k in keys if k not in clash
                ).drop("_file")
    else:
        lazy = pl.scan_parquet(path)
    try:
        raw_headers = lazy.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as err:
        raise _parquet_error(where, err) from err
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
    tolerant: bool = False,
) -> Source:
    """Open a CSV file, a Parquet file or a hive-partitioned Parquet directory.

    Compressed files (gzip, bzip2, xz, a zip of one file) are read through a
    temporary plain copy; UTF-16 text (with or without BOM) is decoded;
    workbooks, other compressions and binary files are refused with an
    :class:`InputError` naming the file. ``tolerant`` takes the slow CSV path
    that isolates broken records at once (see :mod:`makingdata.io._records`).
    """
    p = Path(path)
    where = str(p)
    if not p.exists():
        raise InputError("no such file or directory", path=where, hint="check the path")
    if p.is_dir() or p.suffix.lower() in _PARQUET_SUFFIXES:
        return _open_parquet(p, fields, where=where)
    if len(separator) != 1:
        raise InputError(
            f"separator must be one character (got {printable(separator)!r})",
            path=where,
            hint="pass separator=',' or ';' or '\\t'",
        )
    holder: list[tempfile.TemporaryDirectory[str]] = []
    try:
        plain, compression = _unpack(p, holder)
        with plain.open("rb") as fh:
            magic = fh.read(4)
        if magic == _PARQUET_MAGIC:
            source = _open_parquet(plain, fields, where=where)
        else:
            _refuse_nested(where, compression, magic)
            source = _open_csv(
                plain,
                fields,
                where=where,
                encoding=encoding,
                separator=separator,
                tolerant=tolerant,
                holder=holder,
            )
    except BaseException:
        for tmp in holder:
            tmp.cleanup()
        raise
    source.tempdir = holder[0] if holder else None
    source.compression = compression
    return source


def read_source(
    path: str | PathLike[str],
    fields: Sequence[Field],
    read: Callable[[Source], T],
    *,
    encoding: str | None,
    separator: str,
) -> T:
    """Open ``path`` and call ``read`` on it, retrying on the tolerant CSV path.

    The retry happens when polars cannot split the CSV into records (a stray
    quote, a ragged line) that the byte scan did not flag.
    """
    source = open_source(path, fields, encoding=encoding, separator=separator)
    try:
        return read(source)
    except CsvParseError:
        if source.tolerant:
            raise
    finally:
        source.close()
    source = open_source(
        path, fields, encoding=encoding, separator=separator, tolerant=True
    )
    try:
        return read(source)
    finally:
        source.close()


def collect_source(source: Source, lazy: pl.LazyFrame) -> pl.DataFrame:
    """Collect ``lazy`` (built on ``source``) with the streaming engine.

    Engine errors become :class:`InputError`: for CSV, bad UTF-8 says to pass
    the encoding; a record polars cannot split raises :class:`CsvParseError`
    (the readers then take the tolerant path); for Parquet, a Parquet message.
    """
    try:
        return lazy.collect(engine="streaming")
    except (pl.exceptions.PolarsError, OSError) as err:
        if source.format != "csv":
            raise _parquet_error(source.path, err) from err
        text = printable(str(err).splitlines()[0] if str(err) else type(err).__name__)
        if "utf-8" in text.lower() or "utf8" in text.lower():
            raise InputError(
                f"the file is not valid {source.encoding or 'UTF-8'} text: {text}",
                path=source.path,
                hint="pass encoding='latin-1' (--encoding latin-1)",
            ) from err
        raise CsvParseError(
            f"the file could not be read: {text}",
            path=source.path,
            hint="check that every line has the same number of fields as the "
            "header and that quotes are balanced",
        ) from err


def unmapped(fields: Iterable[Field], present: Mapping[str, str]) -> list[str]:
    """Return the canonical names of ``fields`` not present in the source."""
    return [f.name for f in fields if f.name not in present]
