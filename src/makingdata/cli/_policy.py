"""``makingdata check-request`` and ``makingdata check-requests``: the policy engine."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import contextlib
import enum
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from makingdata.cli._options import exit_codes
from makingdata.errors import ExitCode, MakingDataError
from makingdata.policy import (
    Assessment,
    Burden,
    Catalogue,
    RequestError,
    Verdict,
    assess,
    assess_burden,
    assess_use,
    default_catalogue,
    load_catalogue,
    load_request,
    load_requests,
    load_use,
)


class Format(enum.StrEnum):
    """Report formats."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"
    HTML = "html"


_EXITS = exit_codes(
    OK="allowed, allowed with conditions, or required",
    FINDINGS="discouraged",
    PROHIBITED="prohibited",
    INPUT="unusable request or rule file",
)

FormatOption = Annotated[
    Format, typer.Option("--format", help="report format (default: text)")
]
RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        metavar="LOCAL.toml",
        help="a local rule file: extra [[rule]]s and [[disable]]d rules with reasons",
        show_default=False,
    ),
]


def exit_code(verdict: Verdict) -> ExitCode:
    """Return the exit code of a verdict: PROHIBITED, FINDINGS (discouraged) or OK.

    Examples
    --------
    >>> from makingdata.cli._policy import exit_code
    >>> from makingdata.policy import Verdict
    >>> [int(exit_code(v)) for v in Verdict]
    [3, 1, 0, 0, 0]
    """
    return verdict.exit_code


def error_json(err: BaseException) -> dict[str, Any]:
    """Return the JSON object ``--format json`` prints when a command cannot run.

    Every field of a :class:`~makingdata.errors.MakingDataError` (what, where,
    what to do), one entry per problem for a request with several, and the
    exit code.

    Examples
    --------
    >>> from makingdata.cli._policy import error_json
    >>> from makingdata.errors import InputError
    >>> error_json(InputError("no such file", path="req.toml", hint="check the path"))
    {'error': {'type': 'InputError', 'message': 'no such file', 'path': 'req.toml', 'line': None, 'field': None, 'hint': 'check the path', 'text': 'req.toml: no such file. What to do: check the path.', 'problems': []}, 'exit_code': 4}
    """

    def one(e: BaseException) -> dict[str, Any]:
        if isinstance(e, MakingDataError):
            return {
                "type": type(e).__name__,
                "message": e.message,
                "path": e.path,
                "line": e.row,
                "field": e.column,
                "hint": e.hint,
                "text": str(e),
            }
        return {
            "type": type(e).__name__,
            "message": str(e),
            "path": getattr(e, "filename", None),
            "line": None,
            "field": None,
            "hint": None,
            "text": str(e),
        }

    body = one(err)
    body["problems"] = (
        [one(p) for p in err.problems] if isinstance(err, RequestError) else []
    )
    return {"error": body, "exit_code": int(ExitCode.for_error(err))}


@contextlib.contextmanager
def _json_errors(fmt: Format) -> Iterator[None]:
    """In JSON mode, print an error as a JSON object on stdout, then let it stop the command."""
    try:
        yield
    except (MakingDataError, OSError) as err:
        if fmt is Format.JSON:
            print(json.dumps(error_json(err), indent=2, ensure_ascii=False))
        raise


def _catalogue(rules: Path | None) -> Catalogue:
    return default_catalogue() if rules is None else load_catalogue(rules)


def _emit(report: Assessment | Burden, fmt: Format) -> None:
    text = {
        Format.TEXT: report.to_text,
        Format.MARKDOWN: report.to_markdown,
        Format.JSON: report.to_json,
        Format.HTML: report.to_html,
    }[fmt]()
    print(text.rstrip("\n"))


def check_request(
    *,
    request: Annotated[
        Path, typer.Argument(metavar="REQUEST", help="the request file")
    ],
    fmt: FormatOption = Format.TEXT,
    rules: RulesOption = None,
) -> ExitCode:
    """Check a data request (TOML, JSON or YAML) against the rule catalogue.

    Every problem of an unusable request file is reported at once (exit 4);
    with ``--format json`` the error is a JSON object on stdout too.
    """
    with _json_errors(fmt):
        assessment = assess(load_request(request), catalogue=_catalogue(rules))
    _emit(assessment, fmt)
    return exit_code(assessment.verdict)


def check_requests(
    *,
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="folder of request files")
    ],
    school: Annotated[int, typer.Option("--school", metavar="URN", help="the school")],
    year: Annotated[
        str, typer.Option("--year", metavar="YYYY/YY", help="e.g. 2025/26")
    ],
    fmt: FormatOption = Format.TEXT,
    rules: RulesOption = None,
) -> ExitCode:
    """Report the burden of a school's year of data requests.

    Read every request file in a folder and report, for one school and one
    academic year, the attainment collection points, items asked by several
    requesters, formats, staff hours per requester and each request's verdict.
    The exit code is that of the worst verdict.
    """
    with _json_errors(fmt):
        burden = assess_burden(
            load_requests(directory),
            school=school,
            academic_year=year,
            catalogue=_catalogue(rules),
        )
    _emit(burden, fmt)
    return exit_code(burden.verdict)


def check_use(
    *,
    use: Annotated[
        Path, typer.Argument(metavar="USE", help="the use or sharing decision file")
    ],
    fmt: FormatOption = Format.TEXT,
    rules: RulesOption = None,
) -> ExitCode:
    """Check a use or sharing decision of data schools already shared.

    Only the rules about uses run (the daily-data promises on scope, purposes
    and identification, and the ban on publishing identifiable pupils); a use
    asks schools for nothing, so the collection rules do not.
    """
    with _json_errors(fmt):
        assessment = assess_use(load_use(use), catalogue=_catalogue(rules))
    _emit(assessment, fmt)
    return exit_code(assessment.verdict)


def register(app: typer.Typer) -> None:
    """Add the ``check-request`` and ``check-requests`` sub-commands."""
    app.command(
        "check-request",
        short_help="check one data request against the Making Data Work rules",
        epilog=_EXITS,
    )(check_request)
    app.command(
        "check-use",
        short_help="check a use or sharing decision of data already shared",
        epilog=_EXITS,
    )(check_use)
    app.command(
        "check-requests",
        short_help="assess the burden of a school's year of data requests",
        epilog=_EXITS,
    )(check_requests)
