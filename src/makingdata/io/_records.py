"""Records and lines of a CSV file: the record -> line map and broken records (private).

A *record* is what a CSV parser returns as one row; a *line* is what an editor
shows. They differ after a quoted field holding a line break, so row numbers in
reports are computed from the bytes, not from the record count.

:func:`scan_records` makes one vectorised pass (numpy, in chunks) over a UTF-8
file: it finds the newlines that end a record (those outside quotes, by the
parity of the quote characters before them, as RFC 4180 reads a file), the
line each record starts on, the records with fewer fields than the header,
and whether any record has more fields than the header or a quote is never
closed. A file with no quote character costs two comparisons per byte and
builds no map.

:func:`tolerant_copy` is the slow path, taken only when the scan (or polars)
finds a broken record: it reads the file record by record with Python's
``csv`` module, writes the good records to a clean copy, remembers the line of
each, and returns every broken record with its line and the rule it broke. A
quote that is never closed breaks only the line it is on: reading restarts on
the next line.

A record with *fewer* fields than the header is not broken: its missing
trailing fields are read as blank (Excel drops the separators of empty cells
at the end of a row in some versions, and polars reads such a line the same
way), and the reader counts it under the ``too_few_fields`` warning with its
lines, so the padding is never silent.
"""

from __future__ import annotations

import csv
from collections import deque
from typing import TYPE_CHECKING

import attrs
import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

_CHUNK_BYTES = 1 << 22
_PLAIN_CHUNK_BYTES = 1 << 20
_QUOTE = ord('"')
_NEWLINE = ord("\n")
_CR = ord("\r")
#: Lines one quoted field may span before its opening quote is taken as stray.
MAX_RECORD_LINES = 200

#: Rules a record breaks when it cannot be split into the header's fields.
BROKEN_RULES: dict[str, str] = {
    "too_many_fields": "the line has more fields than the header (a separator "
    "inside a value that is not quoted?)",
    "unbalanced_quote": 'a quote (") on this line is never closed: the line was '
    "rejected and reading went on at the next line",
    "bad_quoting": 'a quoted value is followed by more text ("ab"c): quote the '
    'whole value and double any quote inside it ("ab""c")',
}


@attrs.frozen(slots=True)
class Scan:
    """What one pass over the bytes found.

    Attributes
    ----------
    lines
        The file line (1-based) each data record starts on, or ``None`` when
        every record is one line (line = record index + 2).
    suspect
        Whether a record has more fields than the header or a quote is never
        closed. (One line too long and one too short in a file without
        quotes balance the byte counts and are not seen here; polars then
        refuses the long line and the reader takes the tolerant path.)
    short
        The file lines of records with fewer fields than the header (blank
        lines aside).
    """

    lines: np.ndarray | None
    suspect: bool
    short: np.ndarray


def _blank(
    a: np.ndarray, ends: np.ndarray, lengths: np.ndarray, previous: int
) -> np.ndarray:
    """Return which records (ending at ``ends``, of ``lengths`` bytes) are empty.

    ``previous`` is the last byte of the chunk before ``a``.
    """
    before = np.where(ends > 0, a[np.maximum(ends - 1, 0)], previous)
    blank: np.ndarray = (lengths == 0) | ((lengths == 1) & (before == _CR))
    return blank


def _plain(path: Path, *, separator: str, n_fields: int) -> bool:
    """Return whether no record spans lines and every line has the header's fields.

    The common case, settled with counts in cache-sized chunks (numpy
    compares, no positions kept): no newline inside quotes, every quote
    closed, and separators outside quotes = (fields - 1) x records. With no
    line longer than the header (polars refuses those, and the reader then
    takes the tolerant path), equal totals mean no line is shorter either.
    A blank line makes the totals differ, and the full scan then looks.
    """
    sep = ord(separator)
    newlines = seps = parity = 0
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_PLAIN_CHUNK_BYTES):
            a = np.frombuffer(chunk, np.uint8)
            is_newline = a == _NEWLINE
            is_sep = a == sep
            if parity or b'"' in chunk:
                inside = np.bitwise_xor.accumulate((a == _QUOTE).view(np.uint8))
                if parity:
                    inside ^= 1
                outside = inside == 0
                if np.count_nonzero(is_newline & ~outside):
                    return False  # a quoted line break: the lines need a map
                is_sep &= outside
                parity = int(inside[-1])
            newlines += int(np.count_nonzero(is_newline))
            seps += int(np.count_nonzero(is_sep))
            cut = chunk.rfind(b"\n")
            tail = chunk[cut + 1 :] if cut >= 0 else tail + chunk
    records = newlines + (1 if tail.strip() else 0)
    return not parity and seps == (n_fields - 1) * records


def scan_records(  # noqa: PLR0912, PLR0915 - one pass, chunk by chunk
    path: Path, *, separator: str, n_fields: int
) -> Scan:
    r"""Find the line of every record and whether any record is broken.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from makingdata.io._records import scan_records
    >>> p = pathlib.Path(tempfile.mkdtemp(), "x.csv")
    >>> _ = p.write_bytes(b'a,b\n1,"two\nlines"\n3,4\n')
    >>> s = scan_records(p, separator=",", n_fields=2)
    >>> s.lines.tolist(), s.suspect
    ([2, 4], False)
    >>> _ = p.write_bytes(b"a,b\n1,2,3\n3,4\n")
    >>> scan_records(p, separator=",", n_fields=2).suspect
    True
    >>> _ = p.write_bytes(b"a,b\n1\n3,4\n")
    >>> s = scan_records(p, separator=",", n_fields=2)
    >>> s.lines, s.suspect, s.short.tolist()
    (None, False, [2])
    """
    if _plain(path, separator=separator, n_fields=n_fields):
        return Scan(lines=None, suspect=False, short=np.zeros(0, dtype=np.int64))
    sep = ord(separator)
    want = n_fields - 1
    parity = 0  # inside a quoted field at the start of the chunk
    newlines_before = 0  # newlines in earlier chunks
    offset = 0  # bytes in earlier chunks
    seps_open = 0  # unquoted separators since the last record ended
    last_end = -1  # position of the last record-ending newline
    identity = True  # every newline so far ends a record
    starts: list[np.ndarray] = []
    suspect = False
    tail_blank = True
    records_before = 0  # records ended in earlier chunks (the header is record 0)
    previous = 0  # the last byte of the previous chunk
    short: list[np.ndarray] = []
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            a = np.frombuffer(chunk, np.uint8)
            nl = np.flatnonzero(a == _NEWLINE)
            sp = np.flatnonzero(a == sep)
            if parity or b'"' in chunk:
                # Quote parity at every byte: xor-accumulate of the quote
                # flags (one byte each, no counts kept).
                inside = np.bitwise_xor.accumulate((a == _QUOTE).view(np.uint8))
                if parity:
                    inside ^= 1
                ends_mask = inside[nl] == 0
                sp = sp[inside[sp] == 0]
                parity = int(inside[-1])
                ends = nl[ends_mask]
                if identity and not ends_mask.all():
                    identity = False
                    starts.append(np.arange(newlines_before, dtype=np.int64))
                if not identity:
                    starts.append(np.flatnonzero(ends_mask) + newlines_before)
            else:
                ends = nl
                if not identity:
                    starts.append(np.arange(len(nl), dtype=np.int64) + newlines_before)
            if len(ends):
                cum = np.searchsorted(sp, ends)
                seps = np.diff(cum, prepend=0)
                seps[0] += seps_open
                seps_open = len(sp) - int(cum[-1])
                lengths = np.diff(ends + offset, prepend=last_end) - 1
                if (seps > want).any():
                    suspect = True
                few = seps < want
                if few.any():
                    few &= ~((seps == 0) & _blank(a, ends, lengths, previous))
                    short.append(np.flatnonzero(few) + records_before - 1)
                records_before += len(ends)
                last_end = int(ends[-1]) + offset
                tail_blank = not chunk[int(ends[-1]) + 1 :].strip()
            else:
                seps_open += len(sp)
                tail_blank = tail_blank and not chunk.strip()
            offset += len(chunk)
            newlines_before += len(nl)
            previous = chunk[-1]
    if parity or (not tail_blank and seps_open > want):
        suspect = True
    if not tail_blank and seps_open < want:
        short.append(np.array([records_before - 1], dtype=np.int64))
    index = np.concatenate(short) if short else np.zeros(0, dtype=np.int64)
    index = index[index >= 0]
    if identity:
        return Scan(lines=None, suspect=suspect, short=index + 2)
    lines = np.concatenate(starts) + 2
    if last_end == offset - 1:  # the file ends with a newline: no record after it
        lines = lines[:-1]
    return Scan(lines=lines, suspect=suspect, short=lines[index])


@attrs.frozen(slots=True)
class Broken:
    """A record that could not be split into the header's fields."""

    line: int
    rule: str
    detail: str


@attrs.frozen(slots=True)
class Tolerant:
    """The good records' lines and the broken records, from :func:`tolerant_copy`."""

    lines: np.ndarray
    broken: tuple[Broken, ...]
    n_content: int
    short: np.ndarray


def _physical_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from enumerate(fh, start=1)


def _shown(text: str) -> str:
    flat = text.rstrip("\r\n").replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= 120 else flat[:117] + "..."


def tolerant_copy(  # noqa: PLR0915 - one record at a time, with backtracking
    src: Path,
    dst: Path,
    *,
    separator: str,
    header: list[str],
    max_lines: int = MAX_RECORD_LINES,
) -> Tolerant:
    r"""Copy the good records of ``src`` to ``dst``; list the broken ones.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from makingdata.io._records import tolerant_copy
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "in.csv").write_text('a,b\n1,2,3\n"4,5\n6,"x\ny"\n7\n')
    >>> t = tolerant_copy(d / "in.csv", d / "out.csv", separator=",", header=["a", "b"])
    >>> t.lines.tolist(), [(b.line, b.rule) for b in t.broken], t.short.tolist()
    ([4, 6], [(2, 'too_many_fields'), (3, 'unbalanced_quote')], [6])
    >>> (d / "out.csv").read_text()
    'a,b\n6,"x\ny"\n7,\n'
    """
    n_fields = len(header)
    good: list[int] = []
    short: list[int] = []
    broken: list[Broken] = []
    n_content = 0
    source = _physical_lines(src)
    pending: deque[tuple[int, str]] = deque()

    def take() -> tuple[int, str] | None:
        if pending:
            return pending.popleft()
        return next(source, None)

    with dst.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=separator, lineterminator="\n")
        writer.writerow(header)
        first = True
        while (item := take()) is not None:
            start, text = item
            buf = [item]
            quotes = text.count('"')
            closed = True
            while quotes % 2:
                nxt = take() if len(buf) < max_lines else None
                if nxt is None:
                    closed = False
                    break
                buf.append(nxt)
                quotes += nxt[1].count('"')
            if first:  # the header, already parsed
                first = False
                if closed:
                    continue
            if not closed:
                n_content += 1
                broken.append(Broken(start, "unbalanced_quote", _shown(text)))
                pending.extendleft(reversed(buf[1:]))
                continue
            record = "".join(t for _, t in buf)
            if not record.strip():
                writer.writerow([""] * n_fields)
                good.append(start)
                continue
            try:
                fields = next(csv.reader([record], delimiter=separator, strict=True))
            except csv.Error:
                fields = None
            if len(buf) > 1 and (fields is None or len(fields) > n_fields):
                # A quote opened on this line closed on a later one, but the
                # lines between do not make one record: the quote was stray.
                broken.append(Broken(start, "unbalanced_quote", _shown(text)))
                pending.extendleft(reversed(buf[1:]))
                continue
            n_content += 1
            if fields is None:
                broken.append(Broken(start, "bad_quoting", _shown(record)))
                continue
            if len(fields) > n_fields:
                detail = f"{len(fields)} fields, the header has {n_fields}: "
                broken.append(Broken(start, "too_many_fields", detail + _shown(record)))
                continue
            if len(fields) < n_fields:
                short.append(start)
                fields += [""] * (n_fields - len(fields))
            writer.writerow(fields)
            good.append(start)
    return Tolerant(
        lines=np.asarray(good, dtype=np.int64),
        broken=tuple(broken),
        n_content=n_content,
        short=np.asarray(short, dtype=np.int64),
    )
