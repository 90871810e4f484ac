"""``makingdata check-request`` and ``makingdata check-requests``: the policy engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from makingdata.policy import (
    assess,
    assess_burden,
    default_catalogue,
    load_catalogue,
    load_request,
    load_requests,
)

if TYPE_CHECKING:
    import argparse

    from makingdata.policy import Assessment, Burden, Catalogue

_FORMATS = ("text", "markdown", "json", "html")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=_FORMATS,
        default="text",
        help="report format (default: text)",
    )
    p.add_argument(
        "--rules",
        metavar="LOCAL.toml",
        help="a local rule file: extra [[rule]]s and [[disable]]d rules with reasons",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check-request`` and ``check-requests`` sub-commands."""
    one = sub.add_parser(
        "check-request",
        help="check one data request against the Making Data Work rules",
        description=(
            "Check a data request (TOML, JSON or YAML) against the rule catalogue. "
            "Exit status: 0 allowed (or allowed with conditions, or required), "
            "1 discouraged, 2 prohibited or unusable input."
        ),
    )
    one.add_argument("request", metavar="REQUEST", help="the request file")
    _common(one)
    one.set_defaults(func=run)

    many = sub.add_parser(
        "check-requests",
        help="assess the burden of a school's year of data requests",
        description=(
            "Read every request file in a folder and report, for one school and one "
            "academic year, the attainment collection points, items asked by several "
            "requesters, formats, staff hours per requester and each request's "
            "verdict. Exit status: the worst verdict (0, 1 or 2)."
        ),
    )
    many.add_argument("directory", metavar="DIR", help="folder of request files")
    many.add_argument("--school", type=int, required=True, metavar="URN")
    many.add_argument("--year", required=True, metavar="YYYY/YY", help="e.g. 2025/26")
    _common(many)
    many.set_defaults(func=run_burden)


def _catalogue(args: argparse.Namespace) -> Catalogue:
    return default_catalogue() if args.rules is None else load_catalogue(args.rules)


def _emit(report: Assessment | Burden, fmt: str) -> None:
    text = {
        "text": report.to_text,
        "markdown": report.to_markdown,
        "json": report.to_json,
        "html": report.to_html,
    }[fmt]()
    print(text.rstrip("\n"))


def run(args: argparse.Namespace) -> int:
    """Assess one request, print the report and return its exit code."""
    assessment = assess(load_request(args.request), catalogue=_catalogue(args))
    _emit(assessment, args.format)
    return assessment.exit_code


def run_burden(args: argparse.Namespace) -> int:
    """Assess a folder of requests for one school and year; return the worst code."""
    burden = assess_burden(
        load_requests(args.directory),
        school=args.school,
        academic_year=args.year,
        catalogue=_catalogue(args),
    )
    _emit(burden, args.format)
    return burden.exit_code
