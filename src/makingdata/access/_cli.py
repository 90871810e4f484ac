"""Viewers from text, agreements from files, and scope for command-line tools."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import attrs
import polars as pl

from makingdata._contracts import MEMBERSHIPS_SCHEMA
from makingdata.access._scope import _audit_target, _decide, scope
from makingdata.domain._directory import Directory
from makingdata.domain.sharing import (
    STATUTORY_COLLECTION_START,
    Audience,
    SharingAgreement,
    Viewer,
    statutory_agreements,
)
from makingdata.errors import InputError, MakingDataError

if TYPE_CHECKING:
    import argparse
    import os

__all__ = [
    "ScopeOptions",
    "add_scope_arguments",
    "apply_cli_scope",
    "parse_viewer",
    "read_agreements",
]

#: Viewers that see schools only under a sharing agreement (or the statute).
_NEED_AGREEMENTS = frozenset({Audience.TRUST, Audience.LA, Audience.DFE})

_F = TypeVar("_F", pl.DataFrame, pl.LazyFrame)

_VIEWER_HINT = (
    "write school:URN, trust:TRnnnnn, la:CODE (3 digits or GSS), dfe, "
    "partner:NAME or public"
)


def parse_viewer(text: str, directory: Directory) -> Viewer:  # noqa: PLR0911 - one per kind
    """Return the viewer that ``text`` names, checked against the directory.

    ``school:123456``, ``trust:TR01234``, ``la:815`` or ``la:E06000065``
    (a 3-digit code is the LA in operation today, or the only LA that ever
    had it: ``la:909`` is Cumbria, abolished in 2023),
    ``dfe``, ``partner:Attendance Action Alliance`` (or ``partner:aaa``),
    ``public``. Case and spaces around the parts do not matter.

    Raises
    ------
    InputError
        If the text names no viewer, or the directory does not know it.

    Examples
    --------
    >>> from makingdata.access import parse_viewer
    >>> from makingdata.domain import Directory
    >>> parse_viewer(" DfE ", Directory([])).label
    'dfe'
    >>> parse_viewer("la:815", Directory([])).label
    'la:E06000065'
    >>> parse_viewer("head teacher", Directory([]))
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column 'viewer': 'head teacher' is not a viewer. What to do: write school:URN, trust:TRnnnnn, la:CODE (3 digits or GSS), dfe, partner:NAME or public.
    """
    kind, _, rest = str(text).strip().partition(":")
    kind, rest = kind.strip().casefold(), rest.strip()
    if kind in {"school", "urn"} and rest:
        return Viewer.school(rest, directory)
    if kind in {"trust", "mat"} and rest:
        return Viewer.trust(rest, directory)
    if kind in {"la", "local authority"} and rest:
        if not rest.isdigit():
            return Viewer.la(rest.upper(), directory)
        ever = [la for la in directory.local_authorities if la.old_la_code == int(rest)]
        if len(ever) == 1:  # an abolished LA's code (909 Cumbria) names one LA
            return Viewer.la(ever[0].new_la_code, directory)
        return Viewer.la(int(rest), directory)
    if kind in {"partner", "partner group"} and rest:
        return Viewer.partner(rest)
    if kind == "dfe" and not rest:
        return Viewer.dfe()
    if kind == "public" and not rest:
        return Viewer.public()
    raise InputError(f"{text!r} is not a viewer", column="viewer", hint=_VIEWER_HINT)


def _date(value: str | None, path: Path, row: int, column: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as err:
        raise InputError(
            f"{value!r} is not a date",
            path=path,
            row=row,
            column=column,
            hint="write dates as YYYY-MM-DD",
        ) from err


def read_agreements(path: str | os.PathLike[str]) -> list[SharingAgreement]:
    r"""Read sharing agreements from a CSV file, one per line.

    Columns: ``urn``, ``recipient`` (``DfE``, a trust id or an LA GSS code),
    ``start`` and optionally ``end``, ``opt_out`` (ISO dates) and
    ``legal_basis`` (``consent``, the default, or ``statutory``).

    Raises
    ------
    InputError
        If the file or a column is missing, or a line is not a valid agreement
        (the message names the line and column).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.access import read_agreements
    >>> p = pathlib.Path(tempfile.mkdtemp(), "agreements.csv")
    >>> _ = p.write_text(
    ...     "urn,recipient,start,opt_out,legal_basis\n"
    ...     "123456,DfE,2022-02-01,2023-01-09,consent\n"
    ...     "123456,DfE,2024-08-19,,statutory\n"
    ... )
    >>> [a.last_day for a in read_agreements(p)]
    [datetime.date(2023, 1, 8), None]
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(
            "no agreements file at this path",
            path=file,
            hint="give a CSV with urn, recipient, start[, end, opt_out, legal_basis]",
        )
    frame = pl.read_csv(file, infer_schema=False)
    missing = [c for c in ("urn", "recipient", "start") if c not in frame.columns]
    if missing:
        raise InputError(
            f"the agreements file has no column(s) {missing}",
            path=file,
            row=1,
            column=missing[0],
            hint="give a CSV with urn, recipient, start[, end, opt_out, legal_basis]",
        )
    agreements: list[SharingAgreement] = []
    for line, rec in enumerate(frame.iter_rows(named=True), start=2):
        try:
            start = _date(rec["start"], file, line, "start")
            if start is None:
                raise InputError("start is empty", column="start")
            agreements.append(
                SharingAgreement(
                    rec["urn"] or "",
                    rec["recipient"] or "",
                    start,
                    end=_date(rec.get("end"), file, line, "end"),
                    opt_out=_date(rec.get("opt_out"), file, line, "opt_out"),
                    legal_basis=rec.get("legal_basis") or "consent",
                )
            )
        except MakingDataError as err:
            if err.path is not None:
                raise
            raise InputError(
                err.message, path=file, row=line, column=err.column, hint=err.hint
            ) from err
    return agreements


def add_scope_arguments(
    parser: argparse.ArgumentParser, *, with_directory: bool = True
) -> None:
    """Add ``--viewer``, ``--purpose``, ``--agreements`` and ``--audit-log`` to a command.

    With ``with_directory`` also ``--schools`` and ``--memberships`` (to build
    the Directory); leave it off when the command already reads schools and
    passes its own directory to :func:`apply_cli_scope`.

    Examples
    --------
    >>> import argparse
    >>> from makingdata.access import add_scope_arguments
    >>> p = argparse.ArgumentParser()
    >>> add_scope_arguments(p)
    >>> p.parse_args(["--viewer", "trust:TR01234", "--purpose", "support"]).viewer
    'trust:TR01234'
    """
    group = parser.add_argument_group(
        "access scope",
        "show only what a viewer may see for a purpose (DfE daily-data principles)",
    )
    group.add_argument(
        "--viewer",
        metavar="VIEWER",
        help="who will see the output: " + _VIEWER_HINT.removeprefix("write "),
    )
    group.add_argument(
        "--purpose", metavar="PURPOSE", help="why, e.g. support or monitoring"
    )
    group.add_argument(
        "--agreements",
        metavar="CSV",
        type=Path,
        help="sharing agreements (urn, recipient, start, end, opt_out, legal_basis)",
    )
    group.add_argument(
        "--audit-log",
        metavar="JSONL",
        type=Path,
        help="append the scope decision to this audit log",
    )
    if with_directory:
        group.add_argument(
            "--schools",
            metavar="PATH",
            type=Path,
            help="schools (contract columns or a GIAS extract) for the Directory",
        )
        group.add_argument(
            "--memberships",
            metavar="PATH",
            type=Path,
            help="trust memberships over time (urn, trust_id, trust_name, joined, left)",
        )


def _as(given: pl.DataType, column: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Date and given == pl.String:
        return pl.col(column).str.to_date("%Y-%m-%d")
    return pl.col(column).cast(dtype)


def _directory_from_args(args: argparse.Namespace) -> Directory:
    from makingdata.io import read_schools  # noqa: PLC0415

    schools_path = getattr(args, "schools", None)
    if schools_path is None:
        raise InputError(
            "a viewer needs the Directory of schools",
            column="--schools",
            hint="pass --schools PATH (and --memberships PATH for trust histories)",
        )
    schools = read_schools(schools_path).valid
    members = None
    members_path = getattr(args, "memberships", None)
    if members_path is not None:
        path = Path(members_path)
        raw = (
            pl.read_parquet(path)
            if path.suffix == ".parquet"
            else pl.read_csv(path, infer_schema=False)
        )
        members = raw.select(
            _as(raw.schema[c], c, dtype)
            for c, dtype in MEMBERSHIPS_SCHEMA.items()
            if c in raw.columns
        )
    return Directory.from_frames(schools, members)


@attrs.frozen
class ScopeOptions:
    """A scope given as text (``--viewer``, ``--purpose`` ...), parsed once.

    Build it with :meth:`from_text`, which parses the viewer with
    :func:`parse_viewer` and settles the agreements; then :meth:`apply` it to
    every frame (marks, enrolments) with :func:`scope`. Command-line tools use
    it so that the viewer is parsed in one place, and its :attr:`audience`
    says who the output is for.

    Attributes
    ----------
    viewer
        Who will see the output.
    purpose
        Why, as given (checked by :func:`scope`).
    directory
        The schools, trusts and LAs the viewer is checked against.
    agreements
        The sharing agreements the scope uses.
    audit_log
        Where each decision is appended, or ``None``.
    statutory
        Whether the agreements are those the law implies
        (:func:`~makingdata.domain.sharing.statutory_agreements`) because no
        agreements file was given.

    Added in 0.1.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.access import ScopeOptions
    >>> from makingdata.domain import Directory, LocalAuthority, Region, School
    >>> la = LocalAuthority(
    ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
    ... )
    >>> d = Directory([School(123456, "Example Primary", 8852001, la, "Primary")])
    >>> opts = ScopeOptions.from_text(
    ...     "la:885", "monitoring", directory=d, since=dt.date(2025, 9, 1)
    ... )
    >>> opts.audience.value, opts.statutory
    ('la', True)
    >>> marks = pl.DataFrame({"urn": [123456], "date": [dt.date(2025, 9, 1)]})
    >>> opts.apply(marks).height
    1
    >>> ScopeOptions.from_text(
    ...     "la:885", "monitoring", directory=d, since=dt.date(2023, 9, 1)
    ... )
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column '--agreements': la:E10000034 sees a school's data before 19 August 2024 only under that school's sharing agreement, and no agreements file was given (the period starts on 2023-09-01). What to do: pass --agreements CSV (urn, recipient, start[, end, opt_out, legal_basis]), or start the period on or after 2024-08-19, from when the daily collection is statutory and needs no file.
    """

    viewer: Viewer
    purpose: str
    directory: Directory
    agreements: tuple[SharingAgreement, ...]
    audit_log: Path | None = None
    statutory: bool = False

    @classmethod
    def from_text(
        cls,
        viewer: str | None,
        purpose: str | None,
        *,
        directory: Directory,
        agreements: str | os.PathLike[str] | None = None,
        audit_log: str | os.PathLike[str] | None = None,
        since: dt.date | None = None,
    ) -> ScopeOptions | None:
        """Parse the options of a scope; ``None`` when neither viewer nor purpose is given.

        Without ``agreements`` a school, partner or public viewer needs none;
        a trust, LA or DfE viewer gets the agreements the law implies
        (:func:`~makingdata.domain.sharing.statutory_agreements`: the daily
        collection is statutory from 19 August 2024) when the period starts
        (``since``) on or after that day. Before it, or when the start is
        unknown, sharing rested on each school's agreement and the call stops
        with an :class:`~makingdata.errors.InputError` naming
        ``--agreements``, rather than returning nothing. A purpose the promises
        forbid is refused first (and recorded in the audit log).

        Parameters
        ----------
        viewer
            The viewer as text (see :func:`parse_viewer`).
        purpose
            The purpose as text.
        directory
            The schools, trusts and LAs.
        agreements
            A CSV of sharing agreements (see :func:`read_agreements`).
        audit_log
            A JSON-lines audit log to append to.
        since
            The first day of the period the output covers.

        Raises
        ------
        InputError
            If only one of viewer and purpose is given, the viewer is not
            one, the agreements file is unusable, or agreements are needed
            and missing.
        AccessDenied
            If the purpose is forbidden by the promises.
        ScopeError
            If the purpose is not granted to the viewer.
        """
        if viewer is None and purpose is None:
            return None
        if viewer is None or purpose is None:
            missing = "--viewer" if viewer is None else "--purpose"
            raise InputError(
                f"{missing} is missing: a scope needs both a viewer and a purpose",
                column=missing,
                hint="give both --viewer and --purpose, or neither",
            )
        log = None if audit_log is None else Path(audit_log)
        try:
            found = parse_viewer(viewer, directory)
        except MakingDataError as err:
            # every refusal is in the log, an unknown viewer's too
            target = _audit_target(log)
            if target is not None:
                target.record(
                    {
                        "viewer": viewer,
                        "audience": None,
                        "purpose_asked": purpose,
                        "action": "scope",
                        "decision": "refused",
                        "columns": [],
                        "reason": str(err),
                        "citation": None,
                    }
                )
            raise
        statutory = False
        if agreements is not None:
            shared = read_agreements(agreements)
        elif found.audience not in _NEED_AGREEMENTS:
            shared = []
        elif since is not None and since >= STATUTORY_COLLECTION_START:
            shared, statutory = statutory_agreements(directory), True
        else:
            # a forbidden purpose is refused (and recorded) before anything else
            _decide(
                found,
                purpose=purpose,
                directory=directory,
                log=_audit_target(log),
                action="scope",
                columns=[],
            )
            when = (
                "the period's first day is unknown"
                if since is None
                else f"the period starts on {since.isoformat()}"
            )
            raise InputError(
                f"{found.label} sees a school's data before 19 August 2024 only "
                "under that school's sharing agreement, and no agreements file "
                f"was given ({when})",
                column="--agreements",
                hint="pass --agreements CSV (urn, recipient, start[, end, opt_out, "
                "legal_basis]), or start the period on or after 2024-08-19, from "
                "when the daily collection is statutory and needs no file",
            )
        return cls(found, purpose, directory, tuple(shared), log, statutory)

    @property
    def audience(self) -> Audience:
        """Who the output is for: the viewer's audience."""
        return self.viewer.audience

    def apply(self, frame: _F) -> _F:
        """Return what the viewer may see of ``frame`` (see :func:`scope`)."""
        return scope(
            frame,
            viewer=self.viewer,
            purpose=self.purpose,
            directory=self.directory,
            agreements=self.agreements,
            audit=self.audit_log,
        )


def _since(
    frame: pl.DataFrame | pl.LazyFrame, args: argparse.Namespace
) -> dt.date | None:
    """Return the first day of the period: ``args.start``, else the first ``date``."""
    start = getattr(args, "start", None)
    if isinstance(start, dt.date):
        return start
    schema = frame.lazy().collect_schema()
    if schema.get("date") == pl.Date:
        first = frame.lazy().select(pl.col("date").min()).collect().item()
        return first if isinstance(first, dt.date) else None
    return None


def apply_cli_scope(
    frame: _F,
    args: argparse.Namespace,
    *,
    directory: Directory | None = None,
) -> _F:
    """Apply ``--viewer`` and ``--purpose`` (see :func:`add_scope_arguments`) to a frame.

    Without ``--viewer`` and ``--purpose`` the frame is returned unchanged
    (the data owner working on its own data); with only one of them the call
    is refused. Otherwise the options are parsed with
    :meth:`ScopeOptions.from_text` (the directory given, or built from
    ``--schools``/``--memberships``; the agreements of ``--agreements``, or
    the statutory ones from 19 August 2024 when the period, ``args.start`` or
    the frame's first ``date``, starts on or after that day) and the frame
    goes through :func:`scope`, recorded in ``--audit-log``.

    Raises
    ------
    InputError
        If only one of ``--viewer`` and ``--purpose`` is given, an input is
        missing or malformed, or a trust, LA or DfE viewer asks for days
        before 19 August 2024 without ``--agreements``.
    AccessDenied
        As :func:`scope`.
    ScopeError
        As :func:`scope`.

    Examples
    --------
    >>> import argparse
    >>> import polars as pl
    >>> from makingdata.access import apply_cli_scope
    >>> args = argparse.Namespace(viewer=None, purpose=None)
    >>> apply_cli_scope(pl.DataFrame({"x": [1]}), args).height
    1
    """
    viewer_text = getattr(args, "viewer", None)
    purpose = getattr(args, "purpose", None)
    if viewer_text is None and purpose is None:
        return frame
    if viewer_text is not None and purpose is not None:
        found = directory if directory is not None else _directory_from_args(args)
    else:
        found = Directory([])  # from_text refuses a half-given scope first
    options = ScopeOptions.from_text(
        viewer_text,
        purpose,
        directory=found,
        agreements=getattr(args, "agreements", None),
        audit_log=getattr(args, "audit_log", None),
        since=_since(frame, args),
    )
    return frame if options is None else options.apply(frame)
