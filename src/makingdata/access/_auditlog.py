"""The append-only audit log of scope decisions (JSON lines)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from makingdata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["AUDIT_COLUMNS", "AuditLog", "read_audit_log"]

#: Columns of :func:`read_audit_log`, in order, with their dtypes.
AUDIT_COLUMNS: dict[str, pl.DataType] = {
    "time": pl.String(),
    "action": pl.String(),
    "decision": pl.String(),
    "viewer": pl.String(),
    "audience": pl.String(),
    "purpose_asked": pl.String(),
    "purpose": pl.String(),
    "frame_kind": pl.String(),
    "columns": pl.List(pl.String()),
    "rows_in": pl.Int64(),
    "rows_out": pl.Int64(),
    "schools_in_scope": pl.Int64(),
    "urns": pl.List(pl.Int64()),
    "windows": pl.Int64(),
    "reason": pl.String(),
    "citation": pl.String(),
}

#: Above this many schools the log keeps the count, not the list of URNs.
MAX_LOGGED_URNS = 1000


class AuditLog:
    """An append-only JSON-lines file of every scope decision, for a DPO to read.

    Each call of :func:`makingdata.access.scope` (and
    :func:`makingdata.access.release`) given this log appends one line: when,
    who (viewer label and audience), for what purpose (as asked, and as
    understood), what (kind of frame and its columns), how many rows went in
    and came out, how many schools were in scope (and their URNs, up to
    1,000), and for a refusal the reason and the promise it cites. Lines are
    only ever appended: each record is one ``write`` on a descriptor opened
    with ``O_APPEND`` (so processes sharing the log do not interleave inside a
    line), and a new file is created readable by its owner only (mode 600).
    ``fsync=True`` forces each line to disk before the call returns.

    Rows are counted only for a ``polars.DataFrame``; for a ``LazyFrame``,
    which is not collected, ``rows_in`` and ``rows_out`` are empty and the log
    records the scope granted (schools and date windows) instead.

    Parameters
    ----------
    path
        The log file; created (with its folder) on first write.
    fsync
        Whether to ``os.fsync`` after each line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.access import AuditLog, read_audit_log
    >>> log = AuditLog(pathlib.Path(tempfile.mkdtemp(), "audit.jsonl"))
    >>> log.record({"action": "scope", "decision": "refused", "viewer": "public"})
    >>> read_audit_log(log.path).select("decision", "viewer").rows()
    [('refused', 'public')]
    """

    __slots__ = ("fsync", "path")

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.fsync = fsync

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r}, fsync={self.fsync})"

    def record(self, event: Mapping[str, Any]) -> None:
        """Append one decision (a JSON object on one line), stamped with the UTC time.

        Unknown keys are kept; values must be JSON-serialisable (dates are
        written as ISO text).

        Raises
        ------
        InputError
            If the log's file or folder cannot be created or opened (a file
            where its folder should be, no permission).
        """
        line: dict[str, Any] = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        }
        line.update(event)
        data = (
            json.dumps(line, default=_json_default, ensure_ascii=False) + "\n"
        ).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write() on an O_APPEND descriptor: concurrent writers never
            # interleave inside a line, and nothing earlier is ever rewritten.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as err:
            raise InputError(
                f"the audit log cannot be written: {err.strerror or err}",
                path=self.path,
                hint="give --audit-log (audit=) a file in a folder you can write to",
            ) from err
        try:
            os.write(fd, data)
            if self.fsync:
                os.fsync(fd)
        finally:
            os.close(fd)


def _json_default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_audit_log(path: str | os.PathLike[str]) -> pl.DataFrame:
    r"""Read an audit log into a frame, one row per decision, oldest first.

    Parameters
    ----------
    path
        A file written by :class:`AuditLog`.

    Returns
    -------
    polars.DataFrame
        The columns of :data:`AUDIT_COLUMNS` (missing keys are null), plus a
        ``line`` column (1-based line number).

    Raises
    ------
    InputError
        If the file is missing or a line is not a JSON object (the message
        names the line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.access import read_audit_log
    >>> p = pathlib.Path(tempfile.mkdtemp(), "a.jsonl")
    >>> _ = p.write_text('{"decision": "granted", "rows_out": 3}\n')
    >>> read_audit_log(p).select("line", "decision", "rows_out").rows()
    [(1, 'granted', 3)]
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(
            "no audit log at this path",
            path=file,
            hint="give the file the AuditLog (or --audit-log) wrote",
        )
    rows: list[dict[str, Any]] = []
    with file.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as err:
                raise InputError(
                    f"not a JSON line ({err.msg})",
                    path=file,
                    row=number,
                    hint="the log is append-only JSON lines; restore the line from a backup",
                ) from err
            if not isinstance(obj, dict):
                raise InputError(
                    "the line is not a JSON object",
                    path=file,
                    row=number,
                    hint="the log is append-only JSON lines, one object per line",
                )
            rows.append({"line": number, **{k: obj.get(k) for k in AUDIT_COLUMNS}})
    return pl.DataFrame(rows, schema={"line": pl.Int64(), **AUDIT_COLUMNS})
